//! The sync API from plain `#[test]`s, and its refusal inside a runtime.

use std::time::Duration;

use dynamo_model::blocking::Blocking;
use dynamo_model::testing::{LocalDynamoDb, TestTables};
use dynamo_model::{CreateTableOptions, Db, DynamoModel, Error, TableSchema, UpdateTableOptions};

#[derive(DynamoModel, serde::Serialize, serde::Deserialize, Debug, PartialEq)]
#[dynamo(table = "sync_users")]
struct User {
    #[hash_key]
    id: String,
    #[serde(default)]
    visits: u32,
}

#[test]
fn every_sync_twin_works_from_a_plain_test() {
    let local = LocalDynamoDb::embedded().unwrap();
    // `.sync()` works on the fixture's own operations too.
    let scratch = TestTables::new(local.db())
        .sweep_prefix(true)
        .create()
        .sync()
        .unwrap();
    let db = scratch.db().clone();
    assert!(!db.table::<User>().exists().sync().unwrap());
    db.table::<User>()
        .create(CreateTableOptions::new())
        .sync()
        .unwrap();
    db.table::<User>()
        .wait_active(Duration::from_secs(10))
        .sync()
        .unwrap();
    assert!(db.table::<User>().exists().sync().unwrap());
    // Item operations get their blocking form from the same `.sync()`.
    let users = db.table::<User>();
    let ada = User {
        id: "ada".into(),
        visits: 0,
    };
    users.put(&ada).if_not_exists().sync().unwrap();
    assert_eq!(users.get("ada").sync().unwrap().as_ref(), Some(&ada));
    let after = users
        .update("ada")
        .add(User::fields().visits, 1)
        .sync()
        .unwrap();
    assert_eq!(after.visits, 1);
    assert_eq!(
        users.delete("ada").returning_old().sync().unwrap(),
        Some(after)
    );
    assert_eq!(
        db.table::<User>().describe().sync().unwrap().table_name(),
        Some(format!("{}sync_users", scratch.prefix()).as_str())
    );
    db.table::<User>()
        .update_table(UpdateTableOptions::new().deletion_protection(true))
        .sync()
        .unwrap();
    db.table_named("sync_users")
        .update_table(UpdateTableOptions::new().deletion_protection(false))
        .sync()
        .unwrap();
    assert_eq!(
        db.list_tables(Some(scratch.prefix())).sync().unwrap(),
        [format!("{}sync_users", scratch.prefix())]
    );
    // Plan and apply too.
    let tagged = CreateTableOptions::new().tag("env", "sync");
    let plan = users.plan(&tagged).sync().unwrap();
    let done = users.apply(&plan).sync().unwrap();
    assert!(done.is_complete(), "{done:?}");
    assert!(users.plan(&tagged).sync().unwrap().is_empty());
    db.table::<User>().delete_table().sync().unwrap();
    db.table::<User>()
        .wait_deleted(Duration::from_secs(10))
        .sync()
        .unwrap();

    let schema = TableSchema::builder("by_name")
        .hash_key("id", dynamo_model::AttributeType::S)
        .build()
        .unwrap();
    db.table_for_schema(&schema)
        .create(CreateTableOptions::new().wait(true))
        .sync()
        .unwrap();
    assert!(db.table_named("by_name").exists().sync().unwrap());
    db.table_named("by_name")
        .wait_active(Duration::from_secs(10))
        .sync()
        .unwrap();
    assert!(db.table_named("by_name").describe().sync().is_ok());
    db.table_named("by_name")
        .delete_table_and_wait(Duration::from_secs(10))
        .sync()
        .unwrap();
    assert!(!db.table_named("by_name").exists().sync().unwrap());
    db.table_for_schema(&schema)
        .create(CreateTableOptions::new())
        .sync()
        .unwrap();
    db.table_named("by_name").delete_table().sync().unwrap();
    db.table_named("by_name")
        .wait_deleted(Duration::from_secs(10))
        .sync()
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
    let err = db.table::<User>().exists().sync().unwrap_err();
    assert!(
        matches!(&err, Error::BlockingInsideRuntime { operation } if operation == "Table::exists"),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "`Table::exists` was called as a blocking call inside an async runtime, where it would block \
         the runtime; `.await` the async operation instead"
    );
    assert_eq!(err.table(), None);
    assert!(matches!(
        User::sync_delete_table(),
        Err(Error::BlockingInsideRuntime { .. })
    ));
}

/// Where tokio allows blocking, `.sync()` works: `spawn_blocking` on a
/// current-thread runtime (the default of `#[tokio::test]`), and on a
/// multi-threaded runtime a worker (through `block_in_place`), an explicit
/// `block_in_place`, and `spawn_blocking`.
#[tokio::test]
async fn sync_calls_work_in_spawn_blocking_on_a_current_thread_runtime() {
    let local = LocalDynamoDb::embedded().unwrap();
    let db = local.db().clone();
    let exists = tokio::task::spawn_blocking(move || db.table::<User>().exists().sync())
        .await
        .unwrap()
        .unwrap();
    assert!(!exists);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_calls_work_where_a_multi_threaded_runtime_allows_blocking() {
    let local = LocalDynamoDb::embedded().unwrap();
    let db = local.db().clone().with_table_prefix("mt_");
    // On a worker itself.
    db.table::<User>()
        .create(CreateTableOptions::new().wait(true))
        .sync()
        .unwrap();
    // In block_in_place.
    let exists = tokio::task::block_in_place(|| db.table::<User>().exists().sync()).unwrap();
    assert!(exists);
    // In spawn_blocking.
    let db2 = db.clone();
    tokio::task::spawn_blocking(move || db2.table::<User>().delete_table().sync())
        .await
        .unwrap()
        .unwrap();
    // The embedded backend deletes at once.
    assert!(!db.table::<User>().exists().await.unwrap());
}
