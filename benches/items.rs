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
use dynamo_model::Table;

#[path = "support/server.rs"]
mod server;
#[path = "support/stats.rs"]
#[allow(dead_code)] // `ms` is for the tables benchmark
mod stats;
use stats::median;

#[path = "support/models.rs"]
#[allow(dead_code)] // the entity models are for the instructions benchmark
mod models;
use models::{get_by_hand, order, put_by_hand, tiny, Bench, Order, Tiny};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn micros(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

/// One block of each kind of call; returns the four total times. Our get
/// takes the key as read from the item (`key_of`, outside the timing).
async fn block<M: Bench>(orders: &Table<M>, items: &[M]) -> [Duration; 4]
where
    for<'a> &'a dynamo_model::ItemKey: dynamo_model::IntoKey<M::Key>,
{
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
        put_by_hand(client, name, item).await;
    }
    times[1] = started.elapsed();

    let keys: Vec<dynamo_model::ItemKey> = items
        .iter()
        .map(|item| orders.key_of(item).unwrap())
        .collect();
    let started = Instant::now();
    for key in &keys {
        let read = orders.get(key).await.unwrap();
        black_box(read.unwrap());
    }
    times[2] = started.elapsed();

    let started = Instant::now();
    for item in items {
        black_box(get_by_hand::<M>(client, name, item).await);
    }
    times[3] = started.elapsed();
    times
}

/// Items per second of `f` over `items`, best of 3 passes.
fn rate<T>(items: &[T], mut f: impl FnMut(&T)) -> f64 {
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

/// Per-call medians (put ours, put by hand, get ours, get by hand) and the
/// two median ratios, over `runs` rounds of blocks of 50.
async fn calls<M: Bench>(table: &Table<M>, items: &[M], runs: usize) -> ([Duration; 4], [f64; 2])
where
    for<'a> &'a dynamo_model::ItemKey: dynamo_model::IntoKey<M::Key>,
{
    // Warm-up: connections, server caches, the items in place for gets.
    block(table, &items[..50.min(items.len())]).await;
    let mut per_call: [Vec<Duration>; 4] = Default::default();
    let mut ratios: [Vec<f64>; 2] = Default::default();
    for _ in 0..runs {
        let mut totals = [Duration::ZERO; 4];
        for chunk in items.chunks(50) {
            let times = block(table, chunk).await;
            for (total, time) in totals.iter_mut().zip(times) {
                *total += time;
            }
        }
        for (samples, total) in per_call.iter_mut().zip(totals) {
            samples.push(total / (items.len() as u32).max(1));
        }
        ratios[0].push(totals[0].as_secs_f64() / totals[1].as_secs_f64());
        ratios[1].push(totals[2].as_secs_f64() / totals[3].as_secs_f64());
    }
    let median_ratio = |r: &[f64]| {
        let mut r = r.to_vec();
        r.sort_by(f64::total_cmp);
        r[r.len() / 2]
    };
    (
        [0, 1, 2, 3].map(|i| median(&per_call[i])),
        [median_ratio(&ratios[0]), median_ratio(&ratios[1])],
    )
}

/// Items per second, no network: our whole encode path (serde_dynamo, NULL
/// index keys dropped, key read, value and 400 KB checks), serde_dynamo
/// alone, and decoding (serde_dynamo's from_item on both sides); and the
/// median of ours / serde_dynamo over 9 interleaved pairs of passes.
fn mapping<M: Bench + Clone>(table: &Table<M>, items: &[M]) -> [f64; 4] {
    let pass = |f: &mut dyn FnMut(&M)| {
        let started = Instant::now();
        for item in items {
            f(item);
        }
        items.len() as f64 / started.elapsed().as_secs_f64()
    };
    let mut ours = |item: &M| {
        black_box(table.key_of(item).unwrap());
    };
    let mut raw = |item: &M| {
        black_box(serde_dynamo::to_item::<_, HashMap<String, AttributeValue>>(item).unwrap());
    };
    let (mut ours_rates, mut raw_rates, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..9 {
        let a = pass(&mut ours);
        let b = pass(&mut raw);
        ours_rates.push(a);
        raw_rates.push(b);
        ratios.push(a / b);
    }
    let mid = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let encoded: Vec<HashMap<String, AttributeValue>> = items
        .iter()
        .map(|item| serde_dynamo::to_item(item).unwrap())
        .collect();
    let decode = rate(&encoded, |attributes| {
        black_box(serde_dynamo::from_item::<_, M>(attributes.clone()).unwrap());
    });
    [
        mid(&mut ours_rates),
        mid(&mut raw_rates),
        decode,
        mid(&mut ratios),
    ]
}

#[tokio::main]
async fn main() {
    let calls_per_kind = env("BENCH_CALLS", 1000);
    let runs = env("BENCH_RUNS", 7);
    let local = LocalDynamoDb::start().await.unwrap();
    let backend = server::backend_label(&local);
    let tables = TestTables::new(local.db())
        .with::<Order>()
        .with::<Tiny>()
        .create()
        .await
        .unwrap();
    let orders = tables.table::<Order>();
    let tinies = tables.table::<Tiny>();
    let items: Vec<Order> = (0..calls_per_kind as u64).map(order).collect();
    let small: Vec<Tiny> = (0..calls_per_kind as u64).map(tiny).collect();
    let size = dynamo_model::item_size(&serde_dynamo::to_item(&items[0]).unwrap());
    let tiny_size = dynamo_model::item_size(&serde_dynamo::to_item(&small[0]).unwrap());

    let (order_calls, order_ratios) = calls(&orders, &items, runs).await;
    let (tiny_calls, tiny_ratios) = calls(&tinies, &small, runs).await;

    let order_map = mapping(&orders, &(0..20_000).map(order).collect::<Vec<_>>());
    let tiny_map = mapping(&tinies, &(0..100_000).map(tiny).collect::<Vec<_>>());

    let mut report = String::new();
    let _ = writeln!(
        report,
        "### Items on {backend}: {calls_per_kind} calls per kind per round, {runs} rounds; an order of {size} bytes, a tiny item of {tiny_size} bytes\n"
    );
    let _ = writeln!(
        report,
        "| call | ours | by hand (serde_dynamo + SDK) | ours / by hand |"
    );
    let _ = writeln!(report, "|---|---|---|---|");
    for (what, per_call, ratios) in [
        ("order", order_calls, order_ratios),
        ("tiny item", tiny_calls, tiny_ratios),
    ] {
        let _ = writeln!(
            report,
            "| PutItem, {what} | {} | {} | {:.3}x |",
            micros(per_call[0]),
            micros(per_call[1]),
            ratios[0]
        );
        let _ = writeln!(
            report,
            "| GetItem, {what} | {} | {} | {:.3}x |",
            micros(per_call[2]),
            micros(per_call[3]),
            ratios[1]
        );
    }
    let _ = writeln!(
        report,
        "\n| mapping (no network) | order: items/s | tiny item: items/s |"
    );
    let _ = writeln!(report, "|---|---|---|");
    let _ = writeln!(
        report,
        "| struct -> item, ours (encode, NULL index keys, key, value and size checks) | {:.0} ({:.2}x serde_dynamo alone, median of 9 interleaved pairs) | {:.0} ({:.2}x) |",
        order_map[0],
        order_map[3],
        tiny_map[0],
        tiny_map[3]
    );
    let _ = writeln!(
        report,
        "| struct -> item, serde_dynamo alone | {:.0} | {:.0} |",
        order_map[1], tiny_map[1]
    );
    let _ = writeln!(
        report,
        "| item -> struct (serde_dynamo, both sides) | {:.0} | {:.0} |",
        order_map[2], tiny_map[2]
    );
    print!("{report}");
    if let Ok(path) = std::env::var("BENCH_OUT") {
        std::fs::write(&path, &report).expect("write BENCH_OUT");
    }
    tables.cleanup().await.unwrap();
}
