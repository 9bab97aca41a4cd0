// A shape names the one it upgrades from, but no `From` impl upgrades it.
use dynamo_model::ItemShape;
use serde::Deserialize;

#[derive(ItemShape, Deserialize)]
#[dynamo(shape = 1)]
struct OrderV1 {
    id: String,
}

#[derive(ItemShape, Deserialize)]
#[dynamo(shape = 2, upgrades_from = OrderV1)]
struct OrderV2 {
    id: String,
}

fn main() {}
