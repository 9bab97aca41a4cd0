//! `#[version]`: optimistic locking on a real server. A first put requires
//! that no item exists, a put or update of version v requires v stored and
//! stores v + 1, a delete of a held item checks its version, and with 20
//! concurrent read-modify-write loops on one item no update is lost.

mod support;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use dynamo_model::{Db, DynamoModel, Error};
use serde::{Deserialize, Serialize};

#[derive(DynamoModel, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[dynamo(table = "counters")]
struct Counter {
    #[hash_key]
    id: String,
    #[version]
    version: u64,
    count: u64,
    /// Which writer made each update, in order.
    log: Vec<u32>,
}

fn counter(id: &str) -> Counter {
    Counter {
        id: id.into(),
        version: 0,
        count: 0,
        log: Vec::new(),
    }
}

#[dynamo_model::test(models(Counter))]
async fn puts_check_and_bump_the_version(db: Db) {
    let counters = db.table::<Counter>();
    let new = counter("c");
    counters.put(&new).await.unwrap();
    let stored = counters.get("c").await.unwrap().unwrap();
    assert_eq!(stored.version, 1, "a new item is stored at version 1");

    // A second "new" item (version 0) finds one already there.
    let err = counters.put(&new).await.unwrap_err();
    match &err {
        Error::VersionConflict {
            table,
            key,
            expected,
        } => {
            assert_eq!(table, counters.name());
            assert_eq!(key, r#"id = "c""#);
            assert!(expected.starts_with("none"), "{expected}");
        }
        other => panic!("expected VersionConflict, got {other:?}"),
    }

    // The same put with the caller's own `if_not_exists`: that is the check
    // the error names (README: `if_not_exists` fails with ConditionFailed).
    let err = counters.put(&new).if_not_exists().await.unwrap_err();
    assert!(matches!(err, Error::ConditionFailed { .. }), "{err:?}");

    // Writing the version read succeeds once; the stale copy then loses.
    let mut mine = stored.clone();
    mine.count = 10;
    counters.put(&mine).await.unwrap();
    let mut stale = stored.clone();
    stale.count = 99;
    let err = counters.put(&stale).await.unwrap_err();
    assert!(
        matches!(&err, Error::VersionConflict { expected, .. } if expected == "1"),
        "{err:?}"
    );
    let now = counters.get("c").await.unwrap().unwrap();
    assert_eq!((now.version, now.count), (2, 10), "nothing overwritten");

    // A version check and a condition together: the condition's failure is
    // a ConditionFailed, the version's a VersionConflict.
    let f = Counter::fields();
    let err = counters
        .put(&now)
        .condition(f.count.gt(100))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ConditionFailed { .. }), "{err:?}");
}

#[dynamo_model::test(models(Counter))]
async fn updates_bump_and_can_expect_a_version(db: Db) {
    let counters = db.table::<Counter>();
    let f = Counter::fields();
    counters.put(&counter("c")).await.unwrap();
    let after = counters.update("c").add(f.count, 5).await.unwrap();
    assert_eq!((after.version, after.count), (2, 5));
    let after = counters
        .update("c")
        .add(f.count, 1)
        .expect_version(2)
        .await
        .unwrap();
    assert_eq!((after.version, after.count), (3, 6));
    let err = counters
        .update("c")
        .add(f.count, 1)
        .expect_version(2)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::VersionConflict { .. }), "{err:?}");
    assert_eq!(counters.get("c").await.unwrap().unwrap().count, 6);
}

#[dynamo_model::test(models(Counter))]
async fn deleting_a_held_item_checks_its_version(db: Db) {
    let counters = db.table::<Counter>();
    counters.put(&counter("c")).await.unwrap();
    let held = counters.get("c").await.unwrap().unwrap();
    counters
        .update("c")
        .add(Counter::fields().count, 1)
        .await
        .unwrap();
    let err = counters.delete_item(&held).await.unwrap_err();
    assert!(matches!(err, Error::VersionConflict { .. }), "{err:?}");
    assert!(
        counters.get("c").await.unwrap().is_some(),
        "nothing deleted"
    );
    let fresh = counters.get("c").await.unwrap().unwrap();
    counters.delete_item(&fresh).await.unwrap();
    assert_eq!(counters.get("c").await.unwrap(), None);
}

/// 20 writers each make 3 read-modify-write updates of one item, retrying
/// on a version conflict: every update lands exactly once.
#[dynamo_model::test(models(Counter))]
async fn twenty_concurrent_writers_lose_no_update(db: Db) {
    const WRITERS: u32 = 20;
    const UPDATES: u32 = 3;
    let counters = db.table::<Counter>();
    counters.put(&counter("hot")).await.unwrap();
    let conflicts = Arc::new(AtomicU64::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for writer in 0..WRITERS {
        let counters = counters.clone();
        let conflicts = Arc::clone(&conflicts);
        tasks.spawn(async move {
            let mut done = 0;
            for _attempt in 0..10_000 {
                if done == UPDATES {
                    return done;
                }
                let mut item = counters
                    .get("hot")
                    .consistent_read()
                    .await
                    .unwrap()
                    .unwrap();
                item.count += 1;
                item.log.push(writer);
                match counters.put(&item).await {
                    Ok(()) => done += 1,
                    Err(Error::VersionConflict { .. }) => {
                        conflicts.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(other) => panic!("writer {writer}: {other}"),
                }
            }
            panic!("writer {writer} gave up");
        });
    }
    let mut successes = 0;
    while let Some(done) = tasks.join_next().await {
        successes += done.unwrap();
    }
    let item = counters
        .get("hot")
        .consistent_read()
        .await
        .unwrap()
        .unwrap();
    assert_eq!(successes, WRITERS * UPDATES);
    assert_eq!(item.count, u64::from(successes), "no update lost");
    assert_eq!(
        item.version,
        u64::from(successes) + 1,
        "one version per write"
    );
    let mut per_writer = BTreeMap::new();
    for writer in &item.log {
        *per_writer.entry(*writer).or_insert(0) += 1;
    }
    assert_eq!(per_writer.len(), WRITERS as usize);
    assert!(per_writer.values().all(|n| *n == UPDATES), "{per_writer:?}");
    println!(
        "{successes} updates by {WRITERS} writers, {} version conflicts retried",
        conflicts.load(Ordering::Relaxed)
    );
}

#[derive(DynamoModel, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[dynamo(table = "small_versions")]
struct Small {
    #[hash_key]
    id: String,
    #[version]
    version: u8,
    note: String,
}

/// A `u8` version at 255 cannot go up: a put or a checked update is refused
/// before writing (a 256 would be stored and fail every read after).
#[dynamo_model::test(models(Small))]
async fn a_version_at_its_types_maximum_is_refused_before_writing(db: Db) {
    use dynamo_model::aws_sdk_dynamodb::types::AttributeValue;
    let smalls = db.table::<Small>();
    let raw = db.table_named("small_versions");
    raw.put_attributes(std::collections::HashMap::from([
        ("id".to_owned(), AttributeValue::S("s".into())),
        ("version".to_owned(), AttributeValue::N("255".into())),
        ("note".to_owned(), AttributeValue::S("full".into())),
    ]))
    .await
    .unwrap();
    let stored = smalls.get("s").await.unwrap().unwrap();
    assert_eq!(stored.version, 255);
    let err = smalls.put(&stored).await.unwrap_err();
    assert!(err.to_string().contains("at 255, the most"), "{err}");
    let f = Small::fields();
    let err = smalls
        .update("s")
        .set(f.note, "more")
        .expect_version(255)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("at 255, the most"), "{err}");
    // Without `expect_version` the server bumps what it holds: a condition
    // there keeps it at 255, and the error says nothing was written.
    let err = smalls.update("s").set(f.note, "more").await.unwrap_err();
    match &err {
        Error::VersionExhausted {
            key,
            field,
            version,
            ..
        } => {
            assert_eq!((field.as_str(), version.as_str()), ("version", "255"));
            assert_eq!(key.as_deref(), Some(r#"id = "s""#));
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("nothing was written"), "{err}");
    if support::backend::supports(support::backend::Feature::Transactions) {
        let err = db
            .transact()
            .update(smalls.update("s").set(f.note, "more"))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::TransactionCanceled { .. }), "{err}");
    }
    assert_eq!(
        smalls.get("s").await.unwrap().unwrap(),
        stored,
        "nothing written"
    );
    // Below the maximum the unchecked bump goes on, up to 255 and no more.
    raw.put_attributes(std::collections::HashMap::from([
        ("id".to_owned(), AttributeValue::S("t".into())),
        ("version".to_owned(), AttributeValue::N("254".into())),
        ("note".to_owned(), AttributeValue::S("almost".into())),
    ]))
    .await
    .unwrap();
    let updated = smalls.update("t").set(f.note, "full").await.unwrap();
    assert_eq!(updated.version, 255);
    let err = smalls.update("t").set(f.note, "over").await.unwrap_err();
    assert!(matches!(err, Error::VersionExhausted { .. }), "{err}");
    assert_eq!(
        smalls.scan().all().await.unwrap().len(),
        2,
        "every item reads"
    );
}
