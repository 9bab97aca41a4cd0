//! A collection's variants are entities one partition can hold.
use dynamo_model::{DynamoCollection, DynamoModel, DynamoTable};

#[derive(DynamoTable)]
#[dynamo(name = "app", hash_key = "pk", range_key = "sk")]
struct App;

#[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
#[dynamo(table = App, entity = "customer", pk = "CUSTOMER#{id}", sk = "PROFILE")]
struct Customer {
    id: String,
}

#[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
#[dynamo(table = App, entity = "order", pk = "CUSTOMER#{customer}", sk = "ORDER#{n}")]
struct Order {
    customer: String,
    n: u32,
}

#[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
#[dynamo(table = App, entity = "user", pk = "USER#{id}", sk = "PROFILE")]
struct User {
    id: String,
}

#[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
#[dynamo(table = App, entity = "counter", pk = "CUSTOMER#{n}", sk = "COUNT")]
struct Counter {
    n: u32,
}

#[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
struct Plain {
    #[hash_key]
    id: String,
}

/// Fine: two entities of one partition.
#[derive(DynamoCollection)]
enum CustomerView {
    Profile(Customer),
    Order(Order),
}

#[derive(DynamoCollection)]
enum OtherTemplate {
    Profile(Customer),
    User(User),
}

#[derive(DynamoCollection)]
enum OtherTypes {
    Profile(Customer),
    Counter(Counter),
}

#[derive(DynamoCollection)]
enum NotAnEntity {
    Plain(Plain),
}

#[derive(DynamoCollection)]
enum Shapes {
    Twice(Customer),
    Again(Customer),
    Named { order: Order },
}

#[derive(DynamoCollection)]
struct NotAnEnum;

fn main() {
    let _ = CustomerView::schema();
}
