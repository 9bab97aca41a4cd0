//! What the items API costs per call: put and get through `Table<M>` against
//! the same calls written by hand with serde_dynamo and the SDK, on the same
//! server in the same run; and the mapping cost per item (struct <->
//! attribute map) in items per second.
//!
//! ```text
//! cargo bench --bench items                                   # embedded backend
//! DYNAMO_MODEL_BACKEND=dynamodb-local cargo bench --bench items
//! ```
//!
//! (`bash scripts/bench.sh items` runs both.) Each round makes `BENCH_CALLS`
//! sequential calls of each kind (default 1000), the four kinds interleaved
//! in blocks of 50 so that both sides see the same server state; `BENCH_RUNS`
//! rounds (default 7). Figures are medians over rounds of the mean latency
//! per call; a ratio is ours / by hand within one round, then the median.
//! `BENCH_OUT=path` also writes the table there (markdown).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::hint::black_box;
use std::time::{Duration, Instant};

use dynamo_model::aws_sdk_dynamodb::types::AttributeValue;
use dynamo_model::testing::{LocalDynamoDb, TestTables};
use dynamo_model::{DynamoModel, Table};
use serde::{Deserialize, Serialize};

#[path = "support/stats.rs"]
#[allow(dead_code)] // `ms` is for the tables benchmark
mod stats;
use stats::median;

/// An order of about 1 KB, as a service would store it.
#[derive(DynamoModel, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[dynamo(table = "bench_orders")]
#[serde(rename_all = "camelCase")]
struct Order {
    #[hash_key]
    customer_id: String,
    #[range_key]
    order_id: u64,
    #[gsi(name = "by_status", hash_key)]
    status: String,
    total: f64,
    retries: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    coupon: Option<String>,
    lines: Vec<Line>,
    note: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
struct Line {
    sku: String,
    quantity: u32,
    price: f64,
}

fn order(i: u64) -> Order {
    Order {
        customer_id: format!("customer-{}", i % 97),
        order_id: i,
        status: "new".into(),
        total: 123.45,
        retries: 0,
        coupon: i.is_multiple_of(2).then(|| "WELCOME".into()),
        lines: (0..8)
            .map(|n| Line {
                sku: format!("sku-{n:04}-{i}"),
                quantity: n + 1,
                price: 9.99,
            })
            .collect(),
        note: "x".repeat(600),
    }
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn micros(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

/// One block of each kind of call; returns the four total times.
async fn block(orders: &Table<Order>, items: &[Order]) -> [Duration; 4] {
    let client = orders.db().client();
    let name = orders.name();
    let mut times = [Duration::ZERO; 4];

    let started = Instant::now();
    for item in items {
        orders.put(item).await.unwrap();
    }
    times[0] = started.elapsed();

    let started = Instant::now();
    for item in items {
        let attributes: HashMap<String, AttributeValue> = serde_dynamo::to_item(item).unwrap();
        client
            .put_item()
            .table_name(name)
            .set_item(Some(attributes))
            .send()
            .await
            .unwrap();
    }
    times[1] = started.elapsed();

    let started = Instant::now();
    for item in items {
        let read = orders
            .get((&item.customer_id, item.order_id))
            .await
            .unwrap();
        black_box(read.unwrap());
    }
    times[2] = started.elapsed();

    let started = Instant::now();
    for item in items {
        let read = client
            .get_item()
            .table_name(name)
            .key("customerId", AttributeValue::S(item.customer_id.clone()))
            .key("orderId", AttributeValue::N(item.order_id.to_string()))
            .send()
            .await
            .unwrap();
        let read: Order = serde_dynamo::from_item(read.item.unwrap()).unwrap();
        black_box(read);
    }
    times[3] = started.elapsed();
    times
}

/// Items per second of `f` over `items`, best of 3 passes.
fn rate(items: &[Order], mut f: impl FnMut(&Order)) -> f64 {
    (0..3)
        .map(|_| {
            let started = Instant::now();
            for item in items {
                f(item);
            }
            items.len() as f64 / started.elapsed().as_secs_f64()
        })
        .fold(0.0, f64::max)
}

#[tokio::main]
async fn main() {
    let calls = env("BENCH_CALLS", 1000);
    let runs = env("BENCH_RUNS", 7);
    let local = LocalDynamoDb::start().await.unwrap();
    let backend = if local.is_embedded() {
        "embedded (dynoxide)".to_owned()
    } else {
        std::env::var("DYNAMO_MODEL_BACKEND").unwrap_or_else(|_| local.endpoint().to_owned())
    };
    let tables = TestTables::new(local.db())
        .with::<Order>()
        .create()
        .await
        .unwrap();
    let orders = tables.table::<Order>();
    let items: Vec<Order> = (0..calls as u64).map(order).collect();
    let size = dynamo_model::item_size(&serde_dynamo::to_item(&items[0]).unwrap());

    // Warm-up: connections, server caches, the item in place for gets.
    block(&orders, &items[..50.min(items.len())]).await;

    let mut per_call: [Vec<Duration>; 4] = Default::default();
    let mut ratios: [Vec<f64>; 2] = Default::default();
    for _ in 0..runs {
        let mut totals = [Duration::ZERO; 4];
        for chunk in items.chunks(50) {
            let times = block(&orders, chunk).await;
            for (total, time) in totals.iter_mut().zip(times) {
                *total += time;
            }
        }
        for (samples, total) in per_call.iter_mut().zip(totals) {
            samples.push(total / (calls as u32).max(1));
        }
        ratios[0].push(totals[0].as_secs_f64() / totals[1].as_secs_f64());
        ratios[1].push(totals[2].as_secs_f64() / totals[3].as_secs_f64());
    }
    let median_ratio = |r: &[f64]| {
        let mut r = r.to_vec();
        r.sort_by(f64::total_cmp);
        r[r.len() / 2]
    };

    // Mapping cost, no network: our whole encode path (serde_dynamo, NULL
    // index keys dropped, key read, 400 KB check) against serde_dynamo alone,
    // and decoding (which is serde_dynamo's from_item on both sides).
    let mapping: Vec<Order> = (0..20_000).map(order).collect();
    let ours_encode = rate(&mapping, |item| {
        black_box(orders.key_of(item).unwrap());
    });
    let raw_encode = rate(&mapping, |item| {
        black_box(serde_dynamo::to_item::<_, HashMap<String, AttributeValue>>(item).unwrap());
    });
    let encoded: Vec<HashMap<String, AttributeValue>> = mapping
        .iter()
        .map(|item| serde_dynamo::to_item(item).unwrap())
        .collect();
    let decode = {
        let started = Instant::now();
        for attributes in &encoded {
            black_box(serde_dynamo::from_item::<_, Order>(attributes.clone()).unwrap());
        }
        encoded.len() as f64 / started.elapsed().as_secs_f64()
    };

    let mut report = String::new();
    let _ = writeln!(
        report,
        "### Items on {backend}: {calls} calls per kind per round, {runs} rounds, item of {size} bytes\n"
    );
    let _ = writeln!(
        report,
        "| call | ours | by hand (serde_dynamo + SDK) | ours / by hand |"
    );
    let _ = writeln!(report, "|---|---|---|---|");
    let _ = writeln!(
        report,
        "| PutItem | {} | {} | {:.3}x |",
        micros(median(&per_call[0])),
        micros(median(&per_call[1])),
        median_ratio(&ratios[0])
    );
    let _ = writeln!(
        report,
        "| GetItem | {} | {} | {:.3}x |",
        micros(median(&per_call[2])),
        micros(median(&per_call[3])),
        median_ratio(&ratios[1])
    );
    let _ = writeln!(report, "\n| mapping (no network) | items per second |");
    let _ = writeln!(report, "|---|---|");
    let _ = writeln!(
        report,
        "| struct -> item, ours (encode, NULL index keys, key, size check) | {ours_encode:.0} ({:.2}x serde_dynamo alone) |",
        ours_encode / raw_encode
    );
    let _ = writeln!(
        report,
        "| struct -> item, serde_dynamo alone | {raw_encode:.0} |"
    );
    let _ = writeln!(
        report,
        "| item -> struct (serde_dynamo, both sides) | {decode:.0} |"
    );
    print!("{report}");
    if let Ok(path) = std::env::var("BENCH_OUT") {
        std::fs::write(&path, &report).expect("write BENCH_OUT");
    }
    tables.cleanup().await.unwrap();
}
