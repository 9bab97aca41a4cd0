//! Loading and reading back many items: `batch_put` against a hand-tuned
//! SDK loop (BatchWriteItem, 25 per request, the best concurrency of several
//! tried), `query(..).stream()` against the SDK's paginator, and the peak
//! memory of a stream against `all()`; optionally the same load with
//! PynamoDB and pydynox on the same server.
//!
//! ```text
//! cargo bench --bench batches                                   # embedded backend
//! DYNAMO_MODEL_BACKEND=dynamodb-local cargo bench --bench batches
//! ```
//!
//! (`bash scripts/bench.sh batches` runs both, with the Python libraries.)
//! `BENCH_ITEMS` (default 10000) items of about 1 KB; `BENCH_PICK` (default 3)
//! loads at each concurrency to find the SDK loop's best; `BENCH_RUNS` rounds
//! (default 5), ours and the SDK interleaved; figures are medians, ratios
//! taken within a round. `PYTHON_BENCH=<python>` runs
//! `benches/python/load.py` against the same server. `BENCH_OUT=path` also
//! writes the table there.

use std::alloc::{GlobalAlloc, Layout, System};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use dynamo_model::aws_sdk_dynamodb::types::{AttributeValue, WriteRequest};
use dynamo_model::aws_sdk_dynamodb::Client;
use dynamo_model::testing::{LocalDynamoDb, TestTables};
use dynamo_model::{DynamoModel, Table};
use futures_util::{StreamExt, TryStreamExt};
use serde::{Deserialize, Serialize};

#[path = "support/server.rs"]
mod server;
#[path = "support/stats.rs"]
#[allow(dead_code)] // `ms` is for the tables benchmark
mod stats;
use stats::median;

#[path = "support/sdk_batch.rs"]
mod sdk_batch;

/// Counts live heap bytes and their peak, to compare a stream with `all()`.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Peak heap growth while `f` runs, in bytes over what was live before.
async fn peak_growth<F: std::future::Future<Output = usize>>(f: F) -> (usize, usize) {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let n = f.await;
    (PEAK.load(Ordering::Relaxed).saturating_sub(before), n)
}

#[derive(DynamoModel, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[dynamo(table = "bench_load")]
struct Load {
    #[hash_key]
    pk: String,
    #[range_key]
    sk: u64,
    status: String,
    total: f64,
    note: String,
}

fn item(i: u64) -> Load {
    Load {
        pk: "load".into(),
        sk: i,
        status: "new".into(),
        total: 123.45,
        note: "x".repeat(900),
    }
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The best a user writes by hand: 25 items per BatchWriteItem, `concurrency`
/// requests in flight, unprocessed items sent again until none are left.
async fn sdk_load(client: &Client, table: &str, items: &[Load], concurrency: usize) {
    let chunks: Vec<Vec<WriteRequest>> = items.chunks(25).map(sdk_batch::put_requests).collect();
    futures_util::stream::iter(chunks)
        .map(|requests| sdk_batch::write_all(client, table, requests))
        .buffer_unordered(concurrency)
        .collect::<Vec<()>>()
        .await;
}

async fn timed<F: std::future::Future>(f: F) -> Duration {
    let started = Instant::now();
    f.await;
    started.elapsed()
}

async fn ours_load(table: &Table<Load>, items: &[Load], concurrency: Option<usize>) {
    let batch = table.batch_put(items);
    let batch = match concurrency {
        Some(n) => batch.concurrency(n),
        None => batch,
    };
    assert_eq!(batch.await.unwrap(), items.len());
}

/// The SDK's paginator, decoding each item as we do.
async fn sdk_query(client: &Client, table: &str) -> usize {
    let mut pages = client
        .query()
        .table_name(table)
        .key_condition_expression("pk = :pk")
        .expression_attribute_values(":pk", AttributeValue::S("load".into()))
        .into_paginator()
        .items()
        .send();
    let mut n = 0;
    while let Some(item) = pages.next().await {
        let item: Load = serde_dynamo::from_item(item.unwrap()).unwrap();
        std::hint::black_box(&item);
        n += 1;
    }
    n
}

async fn ours_stream(table: &Table<Load>) -> usize {
    table
        .query("load")
        .stream()
        .try_fold(0, |n, item| async move {
            std::hint::black_box(&item);
            Ok(n + 1)
        })
        .await
        .unwrap()
}

fn python_load(endpoint: &str, table: &str, items: usize) -> Option<serde_json::Value> {
    let python = std::env::var("PYTHON_BENCH").ok()?;
    let out = std::process::Command::new(python)
        .arg("benches/python/load.py")
        .env("DYNAMODB_ENDPOINT", endpoint)
        .env("BENCH_TABLE", table)
        .env("BENCH_ITEMS", items.to_string())
        .output()
        .ok()?;
    if !out.status.success() {
        eprintln!("load.py failed: {}", String::from_utf8_lossy(&out.stderr));
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(text.lines().last()?).ok()
}

#[tokio::main]
async fn main() {
    let n = env("BENCH_ITEMS", 10_000);
    let runs = env("BENCH_RUNS", 5);
    let local = LocalDynamoDb::start().await.unwrap();
    let backend = server::backend_label(&local);
    let tables = TestTables::new(local.db())
        .with::<Load>()
        .create()
        .await
        .unwrap();
    let table = tables.table::<Load>();
    let client = table.db().client().clone();
    let name = table.name().to_owned();
    let items: Vec<Load> = (0..n as u64).map(item).collect();
    let size = dynamo_model::item_size(&serde_dynamo::to_item(&items[0]).unwrap());

    // The SDK loop's best concurrency on this server, and ours at each: the
    // median of `BENCH_PICK` loads at each concurrency, the two and the
    // concurrencies interleaved (one load varies by 20-30% here, so the
    // best of single loads would favour whichever got lucky).
    ours_load(&table, &items, None).await; // warm-up, and the items are in place
    let levels = [4, 8, 16, 32, 64];
    let pick = env("BENCH_PICK", 3);
    let mut sdk_at: Vec<Vec<Duration>> = vec![Vec::new(); levels.len()];
    let mut ours_at: Vec<Vec<Duration>> = vec![Vec::new(); levels.len()];
    for _ in 0..pick {
        for (i, &c) in levels.iter().enumerate() {
            sdk_at[i].push(timed(sdk_load(&client, &name, &items, c)).await);
            ours_at[i].push(timed(ours_load(&table, &items, Some(c))).await);
        }
    }
    let sdk_medians: Vec<Duration> = sdk_at.iter().map(|t| median(t)).collect();
    let ours_medians: Vec<Duration> = ours_at.iter().map(|t| median(t)).collect();
    let best = (0..levels.len())
        .min_by_key(|&i| sdk_medians[i])
        .expect("levels");
    let concurrency = levels[best];
    let tried: Vec<String> = levels
        .iter()
        .zip(&sdk_medians)
        .map(|(c, t)| format!("{c}: {:.0} ms", t.as_secs_f64() * 1000.0))
        .collect();
    let ours_tried: Vec<String> = levels
        .iter()
        .zip(&ours_medians)
        .map(|(c, t)| format!("{c}: {:.0} ms", t.as_secs_f64() * 1000.0))
        .collect();

    let (mut ours, mut sdk, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    let (mut ours_same, mut ratios_same) = (Vec::new(), Vec::new());
    let (mut ours_q, mut sdk_q, mut ratios_q) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        let a = timed(ours_load(&table, &items, None)).await;
        let b = timed(sdk_load(&client, &name, &items, concurrency)).await;
        let c = timed(ours_load(&table, &items, Some(concurrency))).await;
        ours.push(a);
        sdk.push(b);
        ours_same.push(c);
        ratios.push(b.as_secs_f64() / a.as_secs_f64());
        ratios_same.push(b.as_secs_f64() / c.as_secs_f64());
        let a = timed(async { assert_eq!(ours_stream(&table).await, n) }).await;
        let b = timed(async { assert_eq!(sdk_query(&client, &name).await, n) }).await;
        ours_q.push(a);
        sdk_q.push(b);
        ratios_q.push(b.as_secs_f64() / a.as_secs_f64());
    }
    let median_f = |r: &mut Vec<f64>| {
        r.sort_by(f64::total_cmp);
        r[r.len() / 2]
    };
    let per_s = |d: Duration| n as f64 / d.as_secs_f64();

    // Once each first, so that what a server in this process keeps (the
    // embedded backend's caches) is not counted against either.
    ours_stream(&table).await;
    table.query("load").all().await.unwrap();
    let (stream_peak, streamed) = peak_growth(ours_stream(&table)).await;
    let (all_peak, collected) =
        peak_growth(async { table.query("load").all().await.unwrap().len() }).await;
    assert_eq!((streamed, collected), (n, n));

    let python = python_load(local.endpoint(), &name, n);

    let mut report = String::new();
    let _ = writeln!(
        report,
        "### Batches on {backend}: {n} items of {size} bytes, {runs} rounds\n"
    );
    let _ = writeln!(
        report,
        "| | ours | best alternative | ours vs it (throughput) |"
    );
    let _ = writeln!(report, "|---|---|---|---|");
    let _ = writeln!(
        report,
        "| load: `batch_put` ({} in flight, the default) vs SDK loop, 25 per request, {concurrency} in flight (the best median of {pick} loads at {}; ours at the same: {}) | {:.0} items/s | {:.0} items/s | {:.2}x |",
        dynamo_model::DEFAULT_BATCH_CONCURRENCY,
        tried.join(", "),
        ours_tried.join(", "),
        per_s(median(&ours)),
        per_s(median(&sdk)),
        median_f(&mut ratios)
    );
    let _ = writeln!(
        report,
        "| load: `batch_put().concurrency({concurrency})` vs the same SDK loop | {:.0} items/s | {:.0} items/s | {:.2}x |",
        per_s(median(&ours_same)),
        per_s(median(&sdk)),
        median_f(&mut ratios_same)
    );
    let _ = writeln!(
        report,
        "| read back: `query(..).stream()` vs the SDK paginator + serde_dynamo | {:.0} items/s | {:.0} items/s | {:.2}x |",
        per_s(median(&ours_q)),
        per_s(median(&sdk_q)),
        median_f(&mut ratios_q)
    );
    let _ = writeln!(
        report,
        "| peak heap while reading all {n}: `stream()` vs `all()` | {:.1} MB | {:.1} MB | {:.3}x |",
        stream_peak as f64 / 1e6,
        all_peak as f64 / 1e6,
        stream_peak as f64 / all_peak.max(1) as f64
    );
    if let Some(python) = python {
        let ours_s = median(&ours).as_secs_f64();
        for lib in ["pynamodb", "pydynox"] {
            match python
                .get(format!("{lib}_seconds"))
                .and_then(|v| v.as_f64())
            {
                Some(seconds) => {
                    let _ = writeln!(
                        report,
                        "| load with {lib} (same server, same items) | {:.0} items/s | {:.0} items/s | {:.1}x |",
                        per_s(median(&ours)),
                        n as f64 / seconds,
                        seconds / ours_s
                    );
                }
                None => {
                    let _ = writeln!(report, "| load with {lib} | failed: {} | | |", python);
                }
            }
        }
    }
    print!("{report}");
    if let Ok(path) = std::env::var("BENCH_OUT") {
        std::fs::write(&path, &report).expect("write BENCH_OUT");
    }
    tables.cleanup().await.unwrap();
}
