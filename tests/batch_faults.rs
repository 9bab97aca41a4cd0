//! Batches through a network that misbehaves: a fault-injecting proxy in
//! front of the embedded backend leaves part of each BatchWriteItem and
//! BatchGetItem unprocessed, throttles, and answers 500s. 10,000 items are
//! written and read back with none lost or duplicated; when retries run
//! out, the error names exactly the keys that were not written.

mod support;
use support::fault_proxy::{Fault, FaultProxy, Rule};

use std::collections::HashSet;

use dynamo_model::testing::LocalDynamoDb;
use dynamo_model::{CreateTableOptions, Db, DynamoModel, Error};
use serde::{Deserialize, Serialize};

#[derive(DynamoModel, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[dynamo(table = "batch_faults")]
struct Item {
    #[hash_key]
    id: u32,
    body: String,
}

fn items(n: u32) -> Vec<Item> {
    (0..n)
        .map(|id| Item {
            id,
            body: format!("item {id}"),
        })
        .collect()
}

/// The proxy (dropped first) in front of an embedded backend with the table.
struct Setup {
    proxy: FaultProxy,
    db: Db,
    backend: LocalDynamoDb,
}

async fn setup() -> Setup {
    let backend = LocalDynamoDb::embedded().unwrap();
    backend
        .db()
        .table::<Item>()
        .create(CreateTableOptions::new().wait(true))
        .await
        .unwrap();
    let proxy = FaultProxy::start(backend.endpoint());
    let db = Db::local(proxy.endpoint());
    Setup { proxy, db, backend }
}

/// The ids stored, read on the backend directly.
async fn stored(s: &Setup) -> Vec<u32> {
    let mut ids: Vec<u32> = s
        .backend
        .db()
        .table::<Item>()
        .scan()
        .all()
        .await
        .unwrap()
        .iter()
        .map(|i| i.id)
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn ten_thousand_items_survive_unprocessed_answers_throttling_and_500s() {
    let s = setup().await;
    s.proxy
        .add(Rule::new(Fault::Throttling).on("BatchWriteItem").times(20))
        .add(
            Rule::new(Fault::InternalServerError)
                .on("BatchWriteItem")
                .times(20),
        )
        .add(
            Rule::new(Fault::HalfUnprocessed)
                .on("BatchWriteItem")
                .always(),
        );
    let all = items(10_000);
    let written =
        s.db.table::<Item>()
            .batch_put(&all)
            .concurrency(32)
            .await
            .unwrap();
    assert_eq!(written, 10_000);
    assert_eq!(
        stored(&s).await,
        (0..10_000).collect::<Vec<_>>(),
        "none lost, none twice"
    );
    assert!(
        s.proxy.requests("BatchWriteItem") > 400,
        "400 requests of 25, and the retries"
    );

    s.proxy.clear();
    s.proxy
        .add(Rule::new(Fault::Throttling).on("BatchGetItem").times(10))
        .add(
            Rule::new(Fault::InternalServerError)
                .on("BatchGetItem")
                .times(10),
        )
        .add(
            Rule::new(Fault::HalfUnprocessed)
                .on("BatchGetItem")
                .always(),
        );
    let read = s.db.table::<Item>().batch_get(0..10_000).await.unwrap();
    assert_eq!(read, all, "every item read back once, in key order");
    assert!(s.proxy.faults("BatchGetItem") > 100);
}

#[tokio::test]
async fn when_retries_run_out_the_error_names_exactly_the_unwritten_keys() {
    let s = setup().await;
    s.proxy.add(
        Rule::new(Fault::HalfUnprocessed)
            .on("BatchWriteItem")
            .always(),
    );
    // Two attempts per request: of each 25, 13 then 6 go through, 6 are left.
    let err =
        s.db.table::<Item>()
            .batch_put(&items(1000))
            .max_attempts(2)
            .await
            .unwrap_err();
    let Error::BatchIncomplete {
        keys,
        operation,
        attempts,
        ..
    } = &err
    else {
        panic!("expected BatchIncomplete, got {err:?}");
    };
    assert_eq!((*operation, *attempts), ("BatchWriteItem", 2));
    let written: HashSet<u32> = stored(&s).await.into_iter().collect();
    let reported: HashSet<u32> = keys
        .iter()
        .map(|k| k.trim_start_matches("id = ").parse().unwrap())
        .collect();
    assert_eq!(reported.len(), keys.len(), "each key once");
    let all: HashSet<u32> = (0..1000).collect();
    assert_eq!(
        reported,
        &all - &written,
        "the error lists exactly the items not written"
    );
    assert!(!reported.is_empty() && !written.is_empty());

    // Reads: a key never answered is reported, not silently missing.
    s.proxy.clear();
    s.proxy
        .add(Rule::new(Fault::AllUnprocessed).on("BatchGetItem").always());
    let err =
        s.db.table::<Item>()
            .batch_get([1, 2, 3])
            .max_attempts(3)
            .await
            .unwrap_err();
    let Error::BatchIncomplete { keys, .. } = &err else {
        panic!("expected BatchIncomplete, got {err:?}");
    };
    let mut keys = keys.clone();
    keys.sort();
    assert_eq!(keys, ["id = 1", "id = 2", "id = 3"]);
    assert_eq!(s.proxy.requests("BatchGetItem"), 3);
}

#[tokio::test]
async fn a_refused_batch_is_split_until_each_refused_item_stands_alone() {
    let s = setup().await;
    s.proxy
        .add(Rule::new(Fault::Validation).on("BatchWriteItem").always());
    let err =
        s.db.table::<Item>()
            .batch_put(&items(30))
            .await
            .unwrap_err();
    let Error::BatchIncomplete {
        keys,
        reason,
        done,
        attempts,
        ..
    } = &err
    else {
        panic!("expected BatchIncomplete, got {err:?}");
    };
    assert_eq!((keys.len(), *done, *attempts), (30, 0, 1), "{err}");
    assert!(reason.contains("ValidationException"), "{reason}");
    // A refused request is never retried as it was; each half is tried, down
    // to single items: 2n - 1 requests for a chunk of n (25 and 5).
    assert_eq!(s.proxy.requests("BatchWriteItem"), 49 + 9);
}

#[tokio::test]
async fn one_refused_item_among_1000_is_reported_as_itself_and_the_rest_are_written() {
    let s = setup().await;
    let mut all = items(1000);
    all[537].body = "poison".into();
    s.proxy.add(
        Rule::new(Fault::Validation)
            .on("BatchWriteItem")
            .containing("poison")
            .always(),
    );
    let err = s.db.table::<Item>().batch_put(&all).await.unwrap_err();
    let Error::BatchIncomplete {
        keys,
        reason,
        done,
        attempts,
        ..
    } = &err
    else {
        panic!("expected BatchIncomplete, got {err:?}");
    };
    assert_eq!(keys, &["id = 537"]);
    assert_eq!((*done, *attempts), (999, 1));
    assert!(
        reason.contains("`id = 537`: ValidationException"),
        "the server's message, naming the item: {reason}"
    );
    let text = err.to_string();
    assert!(
        text.contains("1 item(s) not written, 999 written; after 1 attempt(s)"),
        "{text}"
    );
    let stored: HashSet<u32> = stored(&s).await.into_iter().collect();
    let want: HashSet<u32> = (0..1000).filter(|i| *i != 537).collect();
    assert_eq!(stored, want, "every other item is written");
}
