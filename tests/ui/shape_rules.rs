// The shape arguments' own rules: each struct breaks one.
use dynamo_model::{DynamoModel, ItemShape};
use serde::{Deserialize, Serialize};

#[derive(ItemShape, Deserialize)]
#[dynamo(shape = 1)]
struct First {
    id: String,
}

// Shapes count from 1.
#[derive(ItemShape, Deserialize)]
#[dynamo(shape = 0)]
struct Zero {
    id: String,
}

// Shape 1 upgrades from nothing.
#[derive(ItemShape, Deserialize)]
#[dynamo(shape = 1, upgrades_from = First)]
struct FirstAgain {
    id: String,
}

// An item shape needs its number.
#[derive(ItemShape, Deserialize)]
struct Unnumbered {
    id: String,
}

// `shape_attribute` belongs on the model.
#[derive(ItemShape, Deserialize)]
#[dynamo(shape = 2, upgrades_from = First, shape_attribute = "_v")]
struct Named {
    id: String,
}

// `upgrades_from` needs the model's own shape.
#[derive(DynamoModel, Serialize, Deserialize)]
#[dynamo(table = "aaa", upgrades_from = First)]
struct NoShape {
    #[hash_key]
    id: String,
}

// A field stored in the shape attribute.
#[derive(DynamoModel, Serialize, Deserialize)]
#[dynamo(table = "bbb", shape = 1)]
struct Collides {
    #[hash_key]
    id: String,
    #[serde(rename = "_shape")]
    version: u32,
}

fn main() {}
