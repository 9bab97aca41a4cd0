//! An entity's key is its placeholders' values, and an update cannot set a
//! field its key is written from.
use dynamo_model::{Db, DynamoModel, DynamoTable};

#[derive(DynamoTable)]
#[dynamo(name = "app", hash_key = "pk", range_key = "sk")]
struct App;

#[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
#[dynamo(table = App, entity = "order", pk = "CUSTOMER#{customer}", sk = "ORDER#{number}")]
struct Order {
    customer: String,
    number: u32,
    total: u64,
}

async fn misuse(db: Db) {
    let orders = db.table::<Order>();
    let _ = orders.get(("c1", "seven"));
    let _ = orders.get("c1");
    let _ = orders.update(("c1", 7)).set(Order::fields().number, 8u32);
    let _ = orders.query(7);
    let _ = orders.query("c1").range_ge("seven");
}

fn main() {}
