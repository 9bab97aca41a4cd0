use dynamo_model::{Db, DynamoModel};

#[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
struct User {
    #[hash_key]
    id: String,
    #[gsi(name = "by_email", hash_key)]
    email: String,
}

#[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
struct Order {
    #[hash_key]
    customer: String,
    #[range_key]
    id: u64,
    #[gsi(name = "by_total", hash_key)]
    status: String,
    #[gsi(name = "by_total", range_key)]
    total: u64,
}

fn main() {
    let db = Db::local("http://127.0.0.1:8000");
    // A range condition on a table without a sort key.
    let _ = db.table::<User>().query("u1").range_eq("x");
    // A range condition on an index without a sort key.
    let _ = db.table::<User>().query_index(User::indexes().by_email, "a@b").range_gt("x");
    // A hash value of the wrong type.
    let _ = db.table::<Order>().query(42);
    // A range value of the wrong type.
    let _ = db.table::<Order>().query_index(Order::indexes().by_total, "new").range_lt("ten");
    // `begins_with` on a number sort key.
    let _ = db.table::<Order>().query("c1").range_begins_with(4);
    // An index of another model.
    let _ = db.table::<Order>().query_index(User::indexes().by_email, "a@b");
    // Fine.
    let _ = db.table::<Order>().query("c1").range_between(1, 9).descending();
}
