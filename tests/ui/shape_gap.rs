// A shape chain with a gap: shape 3 upgrades from shape 1.
use dynamo_model::{DynamoModel, ItemShape};
use serde::{Deserialize, Serialize};

#[derive(ItemShape, Deserialize)]
#[dynamo(shape = 1)]
struct OrderV1 {
    id: String,
}

#[derive(DynamoModel, Serialize, Deserialize)]
#[dynamo(table = "orders", shape = 3, upgrades_from = OrderV1)]
struct Order {
    #[hash_key]
    id: String,
}

impl From<OrderV1> for Order {
    fn from(old: OrderV1) -> Self {
        Order { id: old.id }
    }
}

fn main() {}
