//! The sync API from plain `#[test]`s, and its refusal inside a runtime.

use std::time::Duration;

use dynamo_model::testing::LocalDynamoDb;
use dynamo_model::{CreateTableOptions, Db, DynamoModel, Error, TableSchema, UpdateTableOptions};

#[derive(DynamoModel, serde::Serialize)]
#[dynamo(table = "sync_users")]
struct User {
    #[hash_key]
    id: String,
}

#[test]
fn every_sync_twin_works_from_a_plain_test() {
    let local = LocalDynamoDb::embedded().unwrap();
    let db = local.db().clone().with_table_prefix("sync_db_");
    assert!(!db.sync_table_exists::<User>().unwrap());
    db.sync_create_table::<User>(CreateTableOptions::new())
        .unwrap();
    db.sync_wait_for_table_active::<User>(Duration::from_secs(10))
        .unwrap();
    assert!(db.sync_table_exists::<User>().unwrap());
    assert_eq!(
        db.sync_describe_table::<User>().unwrap().table_name(),
        Some("sync_db_sync_users")
    );
    db.sync_update_table::<User>(UpdateTableOptions::new().deletion_protection(true))
        .unwrap();
    db.sync_update_table_named(
        "sync_users",
        UpdateTableOptions::new().deletion_protection(false),
    )
    .unwrap();
    assert_eq!(
        db.sync_list_tables(Some("sync_db_")).unwrap(),
        ["sync_db_sync_users"]
    );
    db.sync_delete_table::<User>().unwrap();
    db.sync_wait_for_table_deleted::<User>(Duration::from_secs(10))
        .unwrap();

    let schema = TableSchema::builder("by_name")
        .hash_key("id", dynamo_model::AttributeType::S)
        .build()
        .unwrap();
    db.sync_create_table_from_schema(&schema, CreateTableOptions::new().wait(true))
        .unwrap();
    assert!(db.sync_table_exists_named("by_name").unwrap());
    db.sync_wait_for_table_active_named("by_name", Duration::from_secs(10))
        .unwrap();
    assert!(db.sync_describe_table_named("by_name").is_ok());
    db.sync_delete_table_and_wait_named("by_name", Duration::from_secs(10))
        .unwrap();
    assert!(!db.sync_table_exists_named("by_name").unwrap());
    db.sync_create_table_from_schema(&schema, CreateTableOptions::new())
        .unwrap();
    db.sync_delete_table_named("by_name").unwrap();
    db.sync_wait_for_table_deleted_named("by_name", Duration::from_secs(10))
        .unwrap();
}

#[test]
fn model_level_sync_twins_use_the_options_or_default_connection() {
    let local = LocalDynamoDb::embedded().unwrap();
    // The only test in this binary that sets the default connection.
    Db::set_default(local.db().clone());
    User::sync_create_table(CreateTableOptions::new().wait(true)).unwrap();
    assert!(User::sync_table_exists().unwrap());
    User::sync_wait_for_table_active(Duration::from_secs(5)).unwrap();
    assert!(User::sync_describe_table().is_ok());
    User::sync_delete_table().unwrap();
    assert!(!User::sync_table_exists().unwrap());
}

#[tokio::test]
async fn sync_calls_inside_a_runtime_are_an_error_not_a_panic_or_deadlock() {
    let db = Db::local("http://127.0.0.1:9");
    let err = db.sync_table_exists::<User>().unwrap_err();
    assert!(
        matches!(
            &err,
            Error::BlockingInsideRuntime {
                operation: "sync_table_exists",
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "`sync_table_exists` for table `sync_users` was called inside an async runtime, where it would block \
         the runtime; call the async operation with `.await` instead"
    );
    assert!(matches!(
        User::sync_delete_table(),
        Err(Error::BlockingInsideRuntime { .. })
    ));
    // From a blocking task of the runtime, too.
    let err = tokio::task::spawn_blocking(move || {
        db.sync_create_table::<User>(CreateTableOptions::new())
    })
    .await
    .unwrap()
    .unwrap_err();
    assert!(matches!(err, Error::BlockingInsideRuntime { .. }), "{err}");
}
