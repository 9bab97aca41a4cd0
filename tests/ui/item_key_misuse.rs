use dynamo_model::{Db, DynamoModel};

#[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
struct User {
    #[hash_key]
    id: String,
}

#[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
struct Order {
    #[hash_key]
    customer: String,
    #[range_key]
    id: u64,
}

fn main() {
    let db = Db::local("http://127.0.0.1:8000");
    // A key of the wrong type.
    let _ = db.table::<User>().get(42);
    // A hash key only, where the table also has a range key.
    let _ = db.table::<Order>().get("c1");
    // A range key of the wrong type.
    let _ = db.table::<Order>().get(("c1", "42"));
    // Fine: `&str` for a `String` key, an integer literal for `u64`.
    let _ = db.table::<Order>().get(("c1", 42));
}
