//! A panicking `#[dynamo_model::test]` still deletes its tables. One test in
//! a binary of its own, because it points the test runner at a shared server
//! through the environment.

use dynamo_model::testing::{run_test, LocalDynamoDb, FIXTURE_PREFIX};
use dynamo_model::{Db, DynamoModel};

#[derive(DynamoModel, serde::Serialize)]
#[dynamo(table = "users")]
struct User {
    #[hash_key]
    id: String,
}

#[test]
fn tables_are_deleted_after_success_and_after_a_panic() {
    let shared = LocalDynamoDb::embedded().unwrap();
    // The only test of this process, and no thread reads the environment yet.
    std::env::set_var("DYNAMODB_ENDPOINT", shared.endpoint());

    let seen = std::sync::Mutex::new(Vec::new());
    let record = |db: Db| {
        let seen = &seen;
        async move {
            let table = db.table::<User>().describe().await.unwrap();
            seen.lock()
                .unwrap()
                .push(table.table_name().unwrap().to_owned());
        }
    };
    run_test(&[User::schema()], record);
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        run_test(&[User::schema()], |db: Db| async move {
            record(db).await;
            let failed = true;
            assert!(!failed, "the test failed");
        })
    }));
    assert!(outcome.is_err());

    let seen = seen.into_inner().unwrap();
    assert_eq!(seen.len(), 2);
    assert_ne!(seen[0], seen[1], "each test has tables of its own");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let left = runtime.block_on(async {
        shared
            .db()
            .client()
            .list_tables()
            .send()
            .await
            .unwrap()
            .table_names()
            .to_vec()
    });
    let fixtures: Vec<_> = left
        .iter()
        .filter(|n| n.starts_with(FIXTURE_PREFIX))
        .collect();
    assert!(fixtures.is_empty(), "left behind: {fixtures:?}");
}
