//! Instructions per operation, counted by valgrind (callgrind), for the
//! figures a shared, noisy machine cannot time: what our encoding and our
//! PutItem / GetItem cost over serde_dynamo alone and over the same call
//! written by hand.
//!
//! `bash scripts/bench.sh instructions` builds this binary and runs each
//! case twice under `valgrind --tool=callgrind`, with `BENCH_OPS` = N and
//! 2N operations after the same setup (the embedded backend, a table, 400
//! items written): the difference divided by N is the cost of one
//! operation, setup and start-up excluded. A call's count includes the
//! embedded server's work, which is the same for ours and by hand, so the
//! ratio of two calls is what our side adds to the whole.
//!
//! `BENCH_COUNT=client` counts the main thread alone, where this binary's
//! current-thread runtime runs the client; the embedded server has threads
//! of its own. `BENCH_ENDPOINT` points the cases at another server instead
//! (a process of its own; its counts vary with the timing of the replies).
//!
//! Run alone (`BENCH_CASE=<case> BENCH_OPS=<n>`) it just performs the
//! operations; `BENCH_CASE=list` prints the cases.

use std::collections::HashMap;
use std::hint::black_box;

use dynamo_model::aws_sdk_dynamodb::types::AttributeValue;
use dynamo_model::testing::{LocalDynamoDb, TestTables};
use dynamo_model::{Db, ItemKey, Table};

#[path = "support/models.rs"]
mod models;
#[path = "support/sdk_batch.rs"]
mod sdk_batch;
use models::{
    entity_order, get_by_hand, keyed_order, order, put_by_hand, tiny, Bench, BenchApp, EntityOrder,
    KeyedOrder, Order, Tiny,
};

/// Items written in setup; operations cycle over them.
const ITEMS: u64 = 400;

const CASES: [&str; 25] = [
    "encode-serde_dynamo-tiny",
    "encode-ours-tiny",
    "put-builder-tiny",
    "encode-serde_dynamo-order",
    "encode-ours-order",
    "put-builder-order",
    "put-ours-tiny",
    "put-hand-tiny",
    "get-ours-tiny",
    "get-hand-tiny",
    "put-ours-order",
    "put-hand-order",
    "get-ours-order",
    "get-hand-order",
    "batch-ours-order",
    "batch-hand-order",
    // The same order as an entity of a shared table (its keys rendered
    // from templates, its entity attribute written and checked), against
    // `-order` above.
    "encode-ours-entity",
    "put-ours-entity",
    "put-hand-entity",
    "get-ours-entity",
    "get-hand-entity",
    "batch-ours-entity",
    // The entity's stored item in a one-model table, its keys as fields.
    "put-ours-keyed",
    "get-ours-keyed",
    "batch-ours-keyed",
];

/// Items per batch operation: one BatchWriteItem.
const BATCH: usize = 25;

async fn run<M: Bench>(table: &Table<M>, make: fn(u64) -> M, what: &str, ops: usize)
where
    for<'a> &'a ItemKey: dynamo_model::IntoKey<M::Key>,
{
    let items: Vec<M> = (0..ITEMS).map(make).collect();
    for item in &items {
        table.put(item).await.unwrap();
    }
    let keys: Vec<ItemKey> = items.iter().map(|i| table.key_of(i).unwrap()).collect();
    let client = table.db().client().clone();
    let name = table.name().to_owned();
    let nth = |i: usize| i % items.len();
    for i in 0..ops {
        let item = &items[nth(i)];
        match what {
            "encode-serde_dynamo" => {
                black_box(
                    serde_dynamo::to_item::<_, HashMap<String, AttributeValue>>(item).unwrap(),
                );
            }
            "encode-ours" => {
                black_box(table.key_of(item).unwrap());
            }
            "put-builder" => {
                let _ = black_box(table.put(item));
            }
            "put-ours" => table.put(item).await.unwrap(),
            "put-hand" => put_by_hand(&client, &name, item).await,
            "get-ours" => {
                black_box(table.get(&keys[nth(i)]).await.unwrap().unwrap());
            }
            "get-hand" => {
                black_box(get_by_hand(&client, &name, item).await);
            }
            "batch-ours" => {
                let start = nth(i * BATCH) % (items.len() - BATCH);
                let n = table.batch_put(&items[start..start + BATCH]).await.unwrap();
                assert_eq!(n, BATCH);
            }
            "batch-hand" => {
                let start = nth(i * BATCH) % (items.len() - BATCH);
                let requests = sdk_batch::put_requests(&items[start..start + BATCH]);
                sdk_batch::write_all(&client, &name, requests).await;
            }
            other => panic!("unknown operation {other}"),
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let case = std::env::var("BENCH_CASE").unwrap_or_else(|_| "list".to_owned());
    if case == "list" {
        println!("{}", CASES.join("\n"));
        return;
    }
    let ops: usize = std::env::var("BENCH_OPS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100);
    let (what, model) = case
        .rsplit_once('-')
        .unwrap_or_else(|| panic!("a case is <operation>-<tiny|order|entity>, not {case}"));
    let local;
    let db = match std::env::var("BENCH_ENDPOINT") {
        Ok(endpoint) => Db::local(endpoint),
        Err(_) => {
            local = LocalDynamoDb::embedded().unwrap();
            local.db().clone()
        }
    };
    let tables = TestTables::new(&db)
        .with::<Order>()
        .with::<Tiny>()
        .with::<BenchApp>()
        .with::<KeyedOrder>()
        .create()
        .await
        .unwrap();
    match model {
        "tiny" => run(&tables.table::<Tiny>(), tiny, what, ops).await,
        "order" => run(&tables.table::<Order>(), order, what, ops).await,
        "entity" => run(&tables.table::<EntityOrder>(), entity_order, what, ops).await,
        "keyed" => run(&tables.table::<KeyedOrder>(), keyed_order, what, ops).await,
        other => panic!("unknown model {other}"),
    }
}
