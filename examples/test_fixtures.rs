//! Test fixtures: every test gets its own real tables, deleted afterwards.
//!
//! ```text
//! cargo run --example test_fixtures     # walks through TestTables
//! cargo test --example test_fixtures    # runs the #[dynamo_model::test] tests below
//! ```

use std::collections::HashMap;

use dynamo_model::aws_sdk_dynamodb::types::AttributeValue;
use dynamo_model::testing::{LocalDynamoDb, TestTables};
use dynamo_model::{Db, DynamoModel};
use serde::{Deserialize, Serialize};

#[derive(DynamoModel, Serialize, Deserialize, Debug, PartialEq)]
#[dynamo(table = "users")]
struct User {
    #[hash_key]
    id: String,
    #[gsi(name = "by_email", hash_key)]
    email: String,
}

#[derive(DynamoModel, Serialize, Deserialize)]
#[dynamo(table = "orders")]
struct Order {
    #[hash_key]
    customer: String,
    #[range_key]
    id: u64,
}

/// What a repository under test might do: store a user.
async fn save_user(db: &Db, user: &User) -> Result<(), Box<dyn std::error::Error>> {
    let item: HashMap<String, AttributeValue> = serde_dynamo::to_item(user)?;
    let table = db.table_name(User::schema().table_name());
    db.client()
        .put_item()
        .table_name(table)
        .set_item(Some(item))
        .send()
        .await?;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let local = LocalDynamoDb::start().await?;
    let tables = TestTables::new(local.db())
        .with::<User>()
        .with::<Order>()
        .create()
        .await?;
    println!("fixture tables: {:?}", tables.table_names());

    save_user(
        tables.db(),
        &User {
            id: "u1".into(),
            email: "a@example.com".into(),
        },
    )
    .await?;
    let all = local.db().list_tables(None).await?;
    println!("tables on the server while the fixture lives: {all:?}");

    drop(tables); // deletes exactly the tables it created, also on panic
    println!("after drop: {:?}", local.db().list_tables(None).await?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    // Each test runs on a fresh embedded DynamoDB (or DYNAMODB_ENDPOINT) with
    // its own prefixed tables; they are deleted when the test ends.
    #[dynamo_model::test(models(User, Order))]
    async fn saving_a_user_stores_one_item(db: Db) -> Result<(), Box<dyn std::error::Error>> {
        save_user(
            &db,
            &User {
                id: "u1".into(),
                email: "a@example.com".into(),
            },
        )
        .await?;
        let table = db.table_name(User::schema().table_name());
        let count = db.client().scan().table_name(table).send().await?.count();
        assert_eq!(count, 1);
        Ok(())
    }
}
