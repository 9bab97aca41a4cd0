//! `TestTables`: isolated real tables per test, deleted afterwards (also after
//! a panic), never on a remote endpoint without opt-in, never someone else's.

mod support;
use support::models::{Order, User};

use std::collections::HashMap;

use dynamo_model::aws_sdk_dynamodb::types::AttributeValue;
use dynamo_model::testing::{LocalDynamoDb, TestTables, FIXTURE_PREFIX};
use dynamo_model::{AttributeType, Db, Error, KeyAttribute, TableSchema};

async fn all_tables(db: &Db) -> Vec<String> {
    db.client()
        .list_tables()
        .send()
        .await
        .unwrap()
        .table_names()
        .to_vec()
}

#[tokio::test]
async fn tables_exist_during_the_fixture_and_are_gone_after_drop() {
    let local = LocalDynamoDb::start().await.unwrap();
    let tables = TestTables::new(local.db())
        .with::<User>()
        .with::<Order>()
        .create()
        .await
        .unwrap();
    let db = tables.db();
    assert!(db.table::<User>().exists().await.unwrap());
    assert!(db.table::<Order>().exists().await.unwrap());
    assert!(tables.prefix().starts_with(FIXTURE_PREFIX));
    let names = tables.table_names().to_vec();
    assert_eq!(names.len(), 2);
    for name in &names {
        assert!(name.starts_with(tables.prefix()), "{name}");
        assert!(all_tables(local.db()).await.contains(name));
    }
    drop(tables);
    let left = all_tables(local.db()).await;
    for name in &names {
        assert!(!left.contains(name), "{name} still exists");
    }
}

#[tokio::test]
async fn explicit_cleanup_reports_success_and_failure() {
    let local = LocalDynamoDb::start().await.unwrap();
    let tables = TestTables::new(local.db())
        .with::<User>()
        .create()
        .await
        .unwrap();
    let name = tables.table_names()[0].clone();
    tables.cleanup().await.unwrap();
    assert!(!all_tables(local.db()).await.contains(&name));

    // With the server gone, cleanup returns the error instead of logging it.
    let local = LocalDynamoDb::embedded().unwrap();
    let tables = TestTables::new(local.db())
        .with::<User>()
        .create()
        .await
        .unwrap();
    drop(local);
    let err = tables.cleanup().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Sdk {
                operation: "DeleteTable",
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn tables_are_deleted_when_the_test_panics() {
    let local = LocalDynamoDb::start().await.unwrap();
    let db = local.db().clone();
    // A "test" on a thread of its own that panics while holding a fixture.
    let created = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let names = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = names.clone();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            runtime.block_on(async {
                let tables = TestTables::new(&db)
                    .with::<User>()
                    .with::<Order>()
                    .create()
                    .await
                    .unwrap();
                *seen.lock().unwrap() = tables.table_names().to_vec();
                panic!("the test failed");
            })
        }));
        assert!(outcome.is_err(), "the test panicked");
        let names = names.lock().unwrap().clone();
        names
    })
    .join()
    .unwrap();
    assert_eq!(created.len(), 2);
    let left = all_tables(local.db()).await;
    for name in &created {
        assert!(!left.contains(name), "{name} survived the panic");
    }
}

#[tokio::test]
async fn parallel_fixtures_with_the_same_models_do_not_see_each_other() {
    let local = LocalDynamoDb::start().await.unwrap();
    let (a, b) = tokio::join!(
        TestTables::new(local.db()).with::<User>().create(),
        TestTables::new(local.db()).with::<User>().create(),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_ne!(a.table_names(), b.table_names());

    let item: HashMap<String, AttributeValue> = serde_dynamo::to_item(User {
        id: "1".into(),
        email: "a@example.com".into(),
    })
    .unwrap();
    a.db()
        .client()
        .put_item()
        .table_name(&a.table_names()[0])
        .set_item(Some(item))
        .send()
        .await
        .unwrap();
    let count = |db: Db, table: String| async move {
        db.client()
            .scan()
            .table_name(table)
            .send()
            .await
            .unwrap()
            .count()
    };
    assert_eq!(count(a.db().clone(), a.table_names()[0].clone()).await, 1);
    assert_eq!(count(b.db().clone(), b.table_names()[0].clone()).await, 0);
}

#[tokio::test]
async fn a_remote_endpoint_is_refused_without_opt_in() {
    // Nothing listens there; the refusal comes before any request.
    let remote = Db::local("http://10.255.255.1:8000");
    let started = std::time::Instant::now();
    let err = TestTables::new(&remote)
        .with::<User>()
        .create()
        .await
        .unwrap_err();
    let Error::EndpointRefused { endpoint, reason } = &err else {
        panic!("expected a refusal, got {err:?}");
    };
    assert_eq!(endpoint.as_deref(), Some("http://10.255.255.1:8000"));
    assert_eq!(err.table(), None, "a refusal names no table: {err}");
    assert!(!err.to_string().contains("dmtest_"), "{err}");
    assert!(
        reason.contains("DYNAMO_MODEL_ALLOW_REMOTE_FIXTURES"),
        "{reason}"
    );
    assert!(reason.contains("allow_non_loopback_endpoint"), "{reason}");
    assert!(started.elapsed() < std::time::Duration::from_secs(1));

    // A client built elsewhere has no known endpoint: refused as well.
    let unknown = Db::new(remote.client().clone());
    assert!(TestTables::new(&unknown)
        .with::<User>()
        .create()
        .await
        .is_err());
    let err = TestTables::remove_leftovers(&remote).await.unwrap_err();
    assert!(matches!(err, Error::EndpointRefused { .. }), "{err:?}");
    assert!(!err.to_string().contains("leftover"), "{err}");
}

#[tokio::test]
async fn a_failed_create_deletes_what_it_created() {
    let local = LocalDynamoDb::start().await.unwrap();
    // One of two creates fails (a schema DynamoDB would refuse); the other
    // table, created concurrently, must not stay.
    let bad = TableSchema::from_parts(
        "x",
        KeyAttribute::new("id", AttributeType::S),
        None,
        vec![],
        vec![],
        None,
    );
    // A table name of this test's own: tests of this file share a server.
    #[derive(dynamo_model::DynamoModel, serde::Serialize)]
    #[dynamo(table = "failed_fixture_users")]
    struct FailedFixtureUser {
        #[hash_key]
        id: String,
    }
    let err = TestTables::new(local.db())
        .with::<FailedFixtureUser>()
        .with_schema(bad)
        .create()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidSchema { .. }), "{err}");
    let fixture_tables: Vec<String> = all_tables(local.db())
        .await
        .into_iter()
        .filter(|n| n.starts_with(FIXTURE_PREFIX) && n.ends_with("failed_fixture_users"))
        .collect();
    assert!(fixture_tables.is_empty(), "{fixture_tables:?}");
}

#[tokio::test]
async fn remove_leftovers_deletes_only_tables_of_dead_processes() {
    let local = LocalDynamoDb::start().await.unwrap();
    let db = local.db();
    let dead_pid = {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        pid
    };
    let schema = |name: String| {
        TableSchema::from_parts(
            name,
            KeyAttribute::new("id", AttributeType::S),
            None,
            vec![],
            vec![],
            None,
        )
    };
    let host = dynamo_model::testing::this_host_id();
    let leftover = format!("{FIXTURE_PREFIX}{dead_pid}_0_0_{host}_users");
    let live = format!("{FIXTURE_PREFIX}{}_999_0_{host}_users", std::process::id());
    // Another machine's, recent: whether its process runs cannot be known.
    let elsewhere_host = if host == "00000000" {
        "00000001"
    } else {
        "00000000"
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let elsewhere = format!("{FIXTURE_PREFIX}{dead_pid}_0_{now:x}_{elsewhere_host}_users");
    let unrelated = "production_users".to_owned();
    for name in [&leftover, &live, &unrelated, &elsewhere] {
        db.table_for_schema(&schema(name.clone()))
            .create(Default::default())
            .await
            .unwrap();
    }
    let removed = TestTables::remove_leftovers(db).await.unwrap();
    assert_eq!(removed, std::slice::from_ref(&leftover));
    let left = all_tables(db).await;
    assert!(!left.contains(&leftover));
    assert!(
        left.contains(&live) && left.contains(&unrelated) && left.contains(&elsewhere),
        "{left:?}"
    );
    let root = db.clone();
    for name in [&live, &elsewhere] {
        root.table_named(name).delete_table().await.unwrap();
    }
}

#[tokio::test]
async fn a_table_listed_twice_is_refused_naming_both() {
    // Nothing listens there: a refusal (not a connection error) proves that
    // nothing was sent.
    let nowhere = Db::local("http://127.0.0.1:9");
    let err = TestTables::new(&nowhere)
        .with::<User>()
        .with::<User>()
        .create()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { option: "with", reason, .. }
            if reason.contains("model `User` is listed twice")),
        "{err}"
    );

    #[derive(dynamo_model::DynamoModel, serde::Serialize)]
    #[dynamo(table = "users")]
    struct LegacyUser {
        #[hash_key]
        id: String,
    }
    let err = TestTables::new(&nowhere)
        .with::<User>()
        .with::<LegacyUser>()
        .create()
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("model `User` and model `LegacyUser` both use this table name"),
        "{err}"
    );
}

#[tokio::test]
async fn deletion_protection_never_leaves_a_fixture_table_behind() {
    use dynamo_model::{CreateTableOptions, UpdateTableOptions};
    // Asked of the fixture: refused before anything is sent.
    let err = TestTables::new(&Db::local("http://127.0.0.1:9"))
        .with::<User>()
        .options(CreateTableOptions::new().deletion_protection(true))
        .create()
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::InvalidSetting { .. }), "{err:?}");
    if !support::backend::supports(support::backend::Feature::DeletionProtection) {
        support::backend::lacks(
            support::backend::Feature::DeletionProtection,
            "that the fixture refuses the option before any request",
        );
        return;
    }
    // Turned on by the test itself: cleanup turns it off and deletes.
    let local = LocalDynamoDb::start().await.unwrap();
    let tables = TestTables::new(local.db())
        .with::<User>()
        .create()
        .await
        .unwrap();
    let name = tables.table_names()[0].clone();
    tables
        .table::<User>()
        .update_table(
            UpdateTableOptions::new()
                .deletion_protection(true)
                .wait(true),
        )
        .await
        .unwrap();
    tables.cleanup().await.unwrap();
    assert!(!all_tables(local.db()).await.contains(&name));
}

#[tokio::test]
async fn a_connection_prefix_is_kept_under_the_fixture_prefix() {
    let local = LocalDynamoDb::start().await.unwrap();
    let ci = local.db().clone().with_table_prefix("ci_");
    let tables = TestTables::new(&ci).with::<User>().create().await.unwrap();
    let name = &tables.table_names()[0];
    assert!(name.starts_with(FIXTURE_PREFIX), "{name}");
    assert!(name.ends_with("_ci_users"), "{name}");
    assert!(tables.table::<User>().exists().await.unwrap());
}

#[tokio::test]
async fn a_swept_fixture_deletes_the_tables_made_through_it() {
    use dynamo_model::CreateTableOptions;
    let local = LocalDynamoDb::start().await.unwrap();
    let scratch = TestTables::new(local.db())
        .sweep_prefix(true)
        .create()
        .await
        .unwrap();
    scratch
        .table::<Order>()
        .create(CreateTableOptions::new().wait(true))
        .await
        .unwrap();
    let made = scratch.db().table_name("orders");
    // A table of someone else, outside the fixture's prefix, stays.
    let other = local.db().clone().with_table_prefix("not_mine_");
    other
        .table::<Order>()
        .create(CreateTableOptions::new().wait(true))
        .await
        .unwrap();
    drop(scratch);
    let left = all_tables(local.db()).await;
    assert!(!left.contains(&made), "{left:?}");
    assert!(left.contains(&"not_mine_orders".to_owned()), "{left:?}");
    other
        .table::<Order>()
        .delete_table_and_wait(std::time::Duration::from_secs(60))
        .await
        .unwrap();
}

/// Seed items are written before the fixture is handed out; two seed items
/// with one key, or one over 400 KB, are refused before any table is made.
#[tokio::test]
async fn seed_items_are_written_and_bad_seeds_refused() {
    let local = LocalDynamoDb::start().await.unwrap();
    let users: Vec<User> = (0..60)
        .map(|i| User {
            id: format!("u{i}"),
            email: format!("u{i}@example.com"),
        })
        .collect();
    let tables = TestTables::new(local.db())
        .with_items(users.clone())
        .create()
        .await
        .unwrap();
    for user in &users {
        assert_eq!(
            tables.table::<User>().get(&user.id).await.unwrap().as_ref(),
            Some(user)
        );
    }
    tables.cleanup().await.unwrap();

    let twice = vec![users[0].clone(), users[0].clone()];
    let err = TestTables::new(local.db())
        .with_items(twice)
        .create()
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains(r#"two seed items have the key `id = "u0"`"#),
        "{err}"
    );
    let huge = User {
        id: "big".into(),
        email: "x".repeat(401 * 1024),
    };
    let err = TestTables::new(local.db())
        .with_items([huge])
        .create()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ItemTooLarge { .. }), "{err}");
}
