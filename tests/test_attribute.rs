//! `#[dynamo_model::test]`: each test gets a `Db` aimed at fresh tables of its
//! models.

use dynamo_model::testing::FIXTURE_PREFIX;
use dynamo_model::Db;

mod support;
use support::models::{Order, User};

#[dynamo_model::test(models(User, Order))]
async fn the_models_tables_exist_under_the_fixture_prefix(db: Db) {
    assert!(db.table::<User>().exists().await.unwrap());
    assert!(db.table::<Order>().exists().await.unwrap());
    let table = db.table::<Order>().describe().await.unwrap();
    let name = table.table_name().unwrap();
    assert!(
        name.starts_with(FIXTURE_PREFIX) && name.ends_with("_orders"),
        "{name}"
    );
}

#[dynamo_model::test(models(User))]
async fn a_test_may_return_a_result(db: Db) -> Result<(), dynamo_model::Error> {
    assert!(db.table::<User>().exists().await?);
    assert!(
        !db.table::<Order>().exists().await?,
        "only the listed models get tables"
    );
    Ok(())
}

#[dynamo_model::test(models(User))]
#[should_panic(expected = "test returned an error")]
async fn an_error_fails_the_test(db: Db) -> Result<(), dynamo_model::Error> {
    db.table::<Order>().delete_table().await?; // not one of this test's tables
    Ok(())
}

#[dynamo_model::test]
async fn a_test_without_models_or_argument() {}

#[dynamo_model::test(models(User))]
#[should_panic(expected = "boom")]
async fn a_panicking_test_fails(db: Db) {
    assert!(db.table::<User>().exists().await.unwrap());
    panic!("boom");
}

fn two_users() -> Vec<User> {
    vec![
        User {
            id: "u1".into(),
            email: "ada@example.com".into(),
        },
        User {
            id: "u2".into(),
            email: "bob@example.com".into(),
        },
    ]
}

fn one_order() -> [Order; 1] {
    [Order {
        customer: "c1".into(),
        id: 1,
        total: 10,
    }]
}

/// `items(...)` seeds the tables; `Order` gets its table from the seed alone.
#[dynamo_model::test(models(User), items(two_users, one_order))]
async fn seeded_tables_hold_their_items_when_the_test_starts(db: Db) {
    let users = db.table::<User>();
    for user in two_users() {
        assert_eq!(users.get(&user.id).await.unwrap(), Some(user));
    }
    assert_eq!(
        db.table::<Order>().get(("c1", 1)).await.unwrap(),
        Some(one_order()[0].clone())
    );
}
