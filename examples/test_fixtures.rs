//! Test fixtures: every test gets its own real tables, seeded with its data
//! and deleted afterwards.
//!
//! ```text
//! cargo run --example test_fixtures     # walks through TestTables
//! cargo test --example test_fixtures    # runs the #[dynamo_model::test] tests below
//! ```

use dynamo_model::testing::{LocalDynamoDb, TestTables};
use dynamo_model::{Db, DynamoModel, Error};
use serde::{Deserialize, Serialize};

#[derive(DynamoModel, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[dynamo(table = "users")]
struct User {
    #[hash_key]
    id: String,
    #[gsi(name = "by_email", hash_key)]
    email: String,
}

#[derive(DynamoModel, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[dynamo(table = "orders")]
struct Order {
    #[hash_key]
    customer: String,
    #[range_key]
    id: u64,
    total: u64,
}

/// What a repository under test might do: register a user, once.
async fn register(db: &Db, user: &User) -> Result<(), Error> {
    db.table::<User>().put(user).if_not_exists().await
}

/// Seed data for the tests below.
fn ada() -> Vec<User> {
    vec![User {
        id: "u1".into(),
        email: "ada@example.com".into(),
    }]
}

fn orders_of_ada() -> Vec<Order> {
    (1..=3)
        .map(|id| Order {
            customer: "u1".into(),
            id,
            total: 10 * id,
        })
        .collect()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let local = LocalDynamoDb::start().await?;
    let tables = TestTables::new(local.db())
        .with::<User>()
        .with_items(orders_of_ada()) // adds Order's table, writes the orders once it is ACTIVE
        .create()
        .await?;
    println!("fixture tables: {:?}", tables.table_names());

    for user in ada() {
        register(tables.db(), &user).await?;
    }
    println!("registered: {:?}", tables.table::<User>().get("u1").await?);
    let order = tables.table::<Order>().get(("u1", 2)).await?;
    println!("seeded order 2: {order:?}");
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
    // its own prefixed tables, seeded by `items(...)`; they are deleted when
    // the test ends.
    #[dynamo_model::test(models(User, Order))]
    async fn registering_stores_the_user(db: Db) -> Result<(), Error> {
        let user = ada().remove(0);
        register(&db, &user).await?;
        assert_eq!(db.table::<User>().get("u1").await?, Some(user));
        Ok(())
    }

    #[dynamo_model::test(models(User), items(ada, orders_of_ada))]
    async fn registering_twice_is_refused(db: Db) -> Result<(), Error> {
        let again = User {
            id: "u1".into(),
            email: "other@example.com".into(),
        };
        let err = register(&db, &again).await.unwrap_err();
        assert!(matches!(err, Error::ConditionFailed { .. }), "{err}");
        // Nothing was overwritten, and the seeded orders are there.
        assert_eq!(db.table::<User>().get("u1").await?, ada().pop());
        assert_eq!(
            db.table::<Order>().get(("u1", 3)).await?.map(|o| o.total),
            Some(30)
        );
        Ok(())
    }
}
