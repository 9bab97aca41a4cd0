// A shape chain with a cycle: each of two shapes upgrades from the other.
use dynamo_model::ItemShape;
use serde::Deserialize;

#[derive(ItemShape, Deserialize)]
#[dynamo(shape = 2, upgrades_from = OrderB)]
struct OrderA {
    id: String,
}

#[derive(ItemShape, Deserialize)]
#[dynamo(shape = 3, upgrades_from = OrderA)]
struct OrderB {
    id: String,
}

impl From<OrderB> for OrderA {
    fn from(b: OrderB) -> Self {
        OrderA { id: b.id }
    }
}

impl From<OrderA> for OrderB {
    fn from(a: OrderA) -> Self {
        OrderB { id: a.id }
    }
}

fn main() {}
