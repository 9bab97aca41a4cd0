//! An entity's index handle is typed by its index templates: the partition
//! by the index `pk` template's placeholders (a plain value for an
//! `Option` field), ranges by the index `sk` template's first placeholder.
use dynamo_model::{Db, DynamoModel, DynamoTable};

#[derive(DynamoTable)]
#[dynamo(name = "app", hash_key = "pk", range_key = "sk",
         gsi(name = "gsi1", hash_key = "gsi1pk", range_key = "gsi1sk"))]
struct App;

#[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
#[dynamo(table = App, entity = "order", pk = "CUSTOMER#{customer}", sk = "ORDER#{number}",
         gsi1(pk = "STATUS#{status}", sk = "{created}"))]
struct Order {
    customer: String,
    number: u32,
    status: Option<String>,
    created: i64,
}

#[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
#[dynamo(table = App, entity = "user", pk = "USER#{id}", sk = "PROFILE",
         gsi1(pk = "EMAIL#{email}", sk = "USER"))]
struct User {
    id: String,
    email: String,
}

async fn misuse(db: Db) {
    let orders = db.table::<Order>();
    let _ = orders.query_index(Order::indexes().gsi1, 7);
    let _ = orders.query_index(Order::indexes().gsi1, Some("new"));
    let _ = orders.query_index(Order::indexes().gsi1, "new").range_ge("soon");
    let _ = db.table::<User>().query_index(User::indexes().gsi1, "a@b").range_ge("x");
    let _ = orders.query_index(User::indexes().gsi1, "a@b");
}

fn main() {}
