//! Item shapes (issue 22): what reading an old item costs, and the
//! backfill's rate against a hand-written scan + conditional put loop.
//!
//! ```text
//! cargo bench --bench shapes                                   # embedded backend
//! DYNAMO_MODEL_BACKEND=dynamodb-local cargo bench --bench shapes
//! ```
//!
//! 1. Decoding: a Lambda batch of `BENCH_RECORDS` (default 1,000) records
//!    whose images are at shape 1, against the same at the newest shape
//!    (shape 3, no upgrade), `BENCH_RUNS` rounds (default 15) interleaved:
//!    the upgrade's own cost, with no server in the way.
//! 2. Reading: a scan of `BENCH_ITEMS` (default 10,000) items of about 1 KB
//!    at shape 1 against the same at shape 3, through the server.
//! 3. The backfill: `upgrade_items().segments(4)` of `BENCH_ITEMS` shape-1
//!    items against loops a user writes with the SDK: a parallel scan of 4
//!    segments, each item decoded as the old struct, upgraded, encoded and
//!    put on the condition that it has no shape attribute yet, or on ours'
//!    condition, that every attribute is as read; each with one put of a
//!    segment at a time, and with 4 (16 in flight, as ours by default).
//!    `BENCH_BACKFILL_RUNS` rounds (default 5), the five taking turns to go
//!    first, each on a freshly loaded table.
//! 4. The backfill through a proxy that holds each request
//!    `BENCH_LATENCY_MS` (default 5) as a network round trip to DynamoDB
//!    does, for `BENCH_LATENCY_ITEMS` (default 2,000) items: ours against
//!    the safe loops with one put per segment at a time and with 4.
//! 5. What the shape guard of a put costs (`attribute_not_exists(_shape) OR
//!    _shape <= 3`, which keeps older code from rewriting a newer item):
//!    `BENCH_PUTS` (default 1,000) puts of a ~1 KB item one after the
//!    other, ours against the SDK's PutItem of the same item by hand with
//!    that condition and without it, `BENCH_RUNS` rounds, who goes first
//!    turning each round.

use std::hint::black_box;
use std::time::{Duration, Instant};

use dynamo_model::aws_sdk_dynamodb::types::AttributeValue;
use dynamo_model::aws_sdk_dynamodb::Client;
use dynamo_model::stream::lambda::{self, Event};
use dynamo_model::testing::{LocalDynamoDb, TestTables};
use dynamo_model::{DynamoModel, ItemShape};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The tests' fault proxy, here to add a round trip to each request.
#[path = "../tests/support/fault_proxy.rs"]
mod fault_proxy;
#[path = "support/server.rs"]
mod server;
#[path = "support/stats.rs"]
#[allow(dead_code)] // `ms` is for the tables benchmark
mod stats;

#[derive(ItemShape, Deserialize)]
#[dynamo(shape = 1)]
struct TicketV1 {
    id: u64,
    price: f64,
    note: String,
}

#[derive(ItemShape, Deserialize)]
#[dynamo(shape = 2, upgrades_from = TicketV1)]
struct TicketV2 {
    id: u64,
    cents: u64,
    note: String,
}

impl From<TicketV1> for TicketV2 {
    fn from(old: TicketV1) -> Self {
        TicketV2 {
            id: old.id,
            cents: (old.price * 100.0).round() as u64,
            note: old.note,
        }
    }
}

#[derive(DynamoModel, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[dynamo(table = "bench_tickets", shape = 3, upgrades_from = TicketV2)]
struct Ticket {
    #[hash_key]
    id: u64,
    cents: u64,
    currency: String,
    note: String,
}

impl From<TicketV2> for Ticket {
    fn from(old: TicketV2) -> Self {
        Ticket {
            id: old.id,
            cents: old.cents,
            currency: "EUR".into(),
            note: old.note,
        }
    }
}

/// What the code before shapes wrote: shape 1.
#[derive(DynamoModel, Serialize, Deserialize)]
#[dynamo(table = "bench_tickets")]
struct WrittenV1 {
    #[hash_key]
    id: u64,
    price: f64,
    note: String,
}

fn old(id: u64) -> WrittenV1 {
    WrittenV1 {
        id,
        price: 12.5,
        note: "x".repeat(900),
    }
}

fn new(id: u64) -> Ticket {
    Ticket {
        id,
        cents: 1250,
        currency: "EUR".into(),
        note: "x".repeat(900),
    }
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A Lambda batch whose new images are `image(i)`.
fn event(records: usize, image: impl Fn(u64) -> serde_json::Value) -> Event {
    let records: Vec<_> = (0..records as u64)
        .map(|i| {
            let image = image(i);
            json!({
                "eventID": format!("e{i}"), "eventName": "INSERT", "eventVersion": "1.1",
                "eventSource": "aws:dynamodb", "awsRegion": "us-east-1",
                "eventSourceARN": "arn:aws:dynamodb:us-east-1:1:table/bench_tickets/stream/x",
                "dynamodb": {
                    "Keys": { "id": image["id"].clone() },
                    "NewImage": image,
                    "SequenceNumber": format!("{:021}", i), "SizeBytes": 1000,
                    "StreamViewType": "NEW_IMAGE"
                }
            })
        })
        .collect();
    serde_json::from_value(json!({ "Records": records })).unwrap()
}

fn decode(event: &Event) -> Duration {
    let event = event.clone();
    let start = Instant::now();
    let changes = lambda::changes::<Ticket>(black_box(event));
    assert!(changes.iter().all(|c| c.is_ok()));
    black_box(changes);
    start.elapsed()
}

/// Median of `runs` rounds of `a` and `b` interleaved, and the median of
/// the per-round ratios of b's time to a's (a's rate over b's).
fn rounds(
    runs: usize,
    mut a: impl FnMut() -> Duration,
    mut b: impl FnMut() -> Duration,
) -> (Duration, Duration, f64, f64, f64) {
    let (mut ta, mut tb, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        let x = a();
        let y = b();
        ratios.push(y.as_secs_f64() / x.as_secs_f64());
        ta.push(x);
        tb.push(y);
    }
    ratios.sort_by(f64::total_cmp);
    (
        stats::median(&ta),
        stats::median(&tb),
        ratios[ratios.len() / 2],
        ratios[0],
        ratios[ratios.len() - 1],
    )
}

/// A hand-written backfill: 4 scan segments at once, each old item
/// decoded, upgraded, encoded and put unless it has a shape already
/// (`as_read`: only if every attribute is as read, ours' guarantee), with
/// `per_segment` puts of a segment in flight at once.
async fn hand_backfill(client: &Client, table: &str, as_read: bool, per_segment: usize) -> usize {
    let put = |item: std::collections::HashMap<String, AttributeValue>| async move {
        let mut condition = "attribute_not_exists(#s)".to_owned();
        let mut names = std::collections::HashMap::from([("#s".to_owned(), "_shape".to_owned())]);
        let mut values = std::collections::HashMap::new();
        if as_read {
            for (i, (name, value)) in item.iter().filter(|(n, _)| *n != "id").enumerate() {
                condition.push_str(&format!(" AND #a{i} = :a{i}"));
                names.insert(format!("#a{i}"), name.clone());
                values.insert(format!(":a{i}"), value.clone());
            }
        }
        let v1: TicketV1 = serde_dynamo::from_item(item).unwrap();
        let ticket = Ticket::from(TicketV2::from(v1));
        let mut put: std::collections::HashMap<String, AttributeValue> =
            serde_dynamo::to_item(&ticket).unwrap();
        put.insert("_shape".into(), AttributeValue::N("3".into()));
        client
            .put_item()
            .table_name(table)
            .set_item(Some(put))
            .condition_expression(condition)
            .set_expression_attribute_names(Some(names))
            .set_expression_attribute_values((!values.is_empty()).then_some(values))
            .send()
            .await
            .unwrap();
    };
    let segment = |segment: i32| async move {
        let mut start = None;
        let mut upgraded = 0;
        loop {
            let out = client
                .scan()
                .table_name(table)
                .segment(segment)
                .total_segments(4)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .unwrap();
            let old: Vec<_> = out
                .items
                .unwrap_or_default()
                .into_iter()
                .filter(|item| !item.contains_key("_shape"))
                .collect();
            upgraded += old.len();
            futures_util::stream::iter(old)
                .map(put)
                .buffer_unordered(per_segment)
                .collect::<Vec<()>>()
                .await;
            match out.last_evaluated_key.filter(|k| !k.is_empty()) {
                Some(key) => start = Some(key),
                None => return upgraded,
            }
        }
    };
    futures_util::future::join_all((0..4).map(segment))
        .await
        .into_iter()
        .sum()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let records = env("BENCH_RECORDS", 1000);
    let runs = env("BENCH_RUNS", 15);
    let items = env("BENCH_ITEMS", 10_000) as u64;
    let backfill_runs = env("BENCH_BACKFILL_RUNS", 5);

    // 1. Decoding.
    let at_1 = event(records, |i| {
        serde_json::to_value(serde_dynamo::to_item::<_, serde_dynamo::Item>(old(i)).unwrap())
            .unwrap()
    });
    let at_3 = event(records, |i| {
        let mut image =
            serde_json::to_value(serde_dynamo::to_item::<_, serde_dynamo::Item>(new(i)).unwrap())
                .unwrap();
        image["_shape"] = json!({ "N": "3" });
        image
    });
    let (old_t, new_t, ratio, min, max) = rounds(runs, || decode(&at_1), || decode(&at_3));
    let rate = |n: u64, d: Duration| n as f64 / d.as_secs_f64();
    println!("| read | shape 1 (upgraded), items/s | shape 3, items/s | shape 1 vs 3 (median; min, max) |");
    println!("|---|---:|---:|---:|");
    println!(
        "| a Lambda batch, {records} records (`lambda::changes`) | {:.0} | {:.0} | {ratio:.2}x ({min:.2}x, {max:.2}x) |",
        rate(records as u64, old_t),
        rate(records as u64, new_t)
    );

    // 2. Reading through the server.
    let local = LocalDynamoDb::start().await.unwrap();
    let label = server::backend_label(&local);
    let old_tables = TestTables::new(local.db())
        .with::<Ticket>()
        .create()
        .await
        .unwrap();
    let new_tables = TestTables::new(local.db())
        .with::<Ticket>()
        .create()
        .await
        .unwrap();
    let olds: Vec<WrittenV1> = (0..items).map(old).collect();
    let news: Vec<Ticket> = (0..items).map(new).collect();
    old_tables
        .db()
        .table::<WrittenV1>()
        .batch_put(&olds)
        .await
        .unwrap();
    new_tables
        .db()
        .table::<Ticket>()
        .batch_put(&news)
        .await
        .unwrap();
    let mut scans = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs.min(5) {
        let scan = |tables: &TestTables| {
            let tickets = tables.table::<Ticket>();
            async move {
                let start = Instant::now();
                let all: Vec<Ticket> = tickets.scan().all().await.unwrap();
                assert_eq!(all.len() as u64, items);
                start.elapsed()
            }
        };
        let a = scan(&old_tables).await;
        let b = scan(&new_tables).await;
        scans.2.push(b.as_secs_f64() / a.as_secs_f64());
        scans.0.push(a);
        scans.1.push(b);
    }
    scans.2.sort_by(f64::total_cmp);
    println!(
        "| a scan of {items} items, {label} | {:.0} | {:.0} | {:.2}x ({:.2}x, {:.2}x) |",
        rate(items, stats::median(&scans.0)),
        rate(items, stats::median(&scans.1)),
        scans.2[scans.2.len() / 2],
        scans.2[0],
        scans.2[scans.2.len() - 1]
    );
    drop((old_tables, new_tables));

    // 3. The backfill: ours with its defaults, then loops by hand.
    let contestants: [Contestant; 5] = [
        ("ours", None),
        ("put unless it has a shape (`attribute_not_exists`), one put per segment at a time", Some((false, 1))),
        ("put only if every attribute is as read (ours' guarantee), one put per segment at a time", Some((true, 1))),
        ("put unless it has a shape, 4 puts per segment at once (16 in flight)", Some((false, 4))),
        ("put only if every attribute is as read, 4 puts per segment at once (16 in flight)", Some((true, 4))),
    ];
    let results = backfill_rounds(&local, &olds, backfill_runs, &contestants, None).await;
    print_backfill(
        &format!("{items} shape-1 items by hand, 4 segments, {label}"),
        &contestants,
        &results,
        items,
        backfill_runs,
    );

    // 4. The same with a round trip: each request held in a proxy, as a
    // network between the client and DynamoDB holds it.
    let latency = env("BENCH_LATENCY_MS", 5) as u64;
    let latency_items = env("BENCH_LATENCY_ITEMS", 2_000) as u64;
    let proxy = fault_proxy::FaultProxy::start(local.endpoint());
    proxy.add(
        fault_proxy::Rule::new(fault_proxy::Fault::Slow(Duration::from_millis(latency))).always(),
    );
    let olds: Vec<WrittenV1> = (0..latency_items).map(old).collect();
    let contestants: [Contestant; 3] = [
        ("ours", None),
        (
            "put only if every attribute is as read, one put per segment at a time",
            Some((true, 1)),
        ),
        (
            "put only if every attribute is as read, 4 puts per segment at once (16 in flight)",
            Some((true, 4)),
        ),
    ];
    let results = backfill_rounds(&local, &olds, backfill_runs, &contestants, Some(&proxy)).await;
    print_backfill(&format!("{latency_items} shape-1 items by hand, 4 segments, {label}, {latency} ms added to each request"), &contestants, &results, latency_items, backfill_runs);

    // 5. The put's shape guard.
    put_guard(&local, &label, env("BENCH_PUTS", 1_000) as u64, runs).await;
}

/// Sequential puts of `puts` items: ours (with the shape guard), and the
/// SDK's PutItem by hand with the same condition and without one.
async fn put_guard(local: &LocalDynamoDb, label: &str, puts: u64, runs: usize) {
    let tables = TestTables::new(local.db())
        .with::<Ticket>()
        .create()
        .await
        .unwrap();
    let tickets = tables.table::<Ticket>();
    let client = tables.db().client().clone();
    let name = tickets.name().to_owned();
    let by_hand = |guarded: bool| {
        let (client, name) = (client.clone(), name.clone());
        async move {
            let start = Instant::now();
            for id in 0..puts {
                let mut item: std::collections::HashMap<String, AttributeValue> =
                    serde_dynamo::to_item(new(id)).unwrap();
                item.insert("_shape".into(), AttributeValue::N("3".into()));
                let mut put = client.put_item().table_name(&name).set_item(Some(item));
                if guarded {
                    put = put
                        .condition_expression("attribute_not_exists(#s) OR #s <= :s")
                        .expression_attribute_names("#s", "_shape")
                        .expression_attribute_values(":s", AttributeValue::N("3".into()));
                }
                black_box(put.send().await.unwrap());
            }
            start.elapsed()
        }
    };
    let ours = || {
        let tickets = tickets.clone();
        async move {
            let start = Instant::now();
            for id in 0..puts {
                tickets.put(&new(id)).await.unwrap();
            }
            start.elapsed()
        }
    };
    // Per round: ours, guarded by hand, plain by hand; then the ratios.
    let mut times: [Vec<Duration>; 3] = Default::default();
    let mut ratios: [Vec<f64>; 2] = Default::default();
    for round in 0..runs {
        let mut took = [Duration::ZERO; 3];
        for turn in 0..3 {
            let who = (round + turn) % 3;
            took[who] = match who {
                0 => ours().await,
                1 => by_hand(true).await,
                _ => by_hand(false).await,
            };
        }
        let plain = took[2].as_secs_f64();
        ratios[0].push(took[0].as_secs_f64() / plain);
        ratios[1].push(took[1].as_secs_f64() / plain);
        for (all, t) in times.iter_mut().zip(took) {
            all.push(t);
        }
    }
    let rate = |d: Duration| puts as f64 / d.as_secs_f64();
    println!();
    println!("| {puts} puts of a ~1 KB item one at a time, {label} | puts/s (median) | vs the plain PutItem by hand (median; min, max) |");
    println!("|---|---:|---:|");
    for ratio in &mut ratios {
        ratio.sort_by(f64::total_cmp);
    }
    let span = |r: &[f64]| {
        format!(
            "{:.2}x ({:.2}x, {:.2}x)",
            r[r.len() / 2],
            r[0],
            r[r.len() - 1]
        )
    };
    println!(
        "| ours (`put`, with the shape guard) | {:.0} | {} |",
        rate(stats::median(&times[0])),
        span(&ratios[0])
    );
    println!(
        "| PutItem by hand with the same condition | {:.0} | {} |",
        rate(stats::median(&times[1])),
        span(&ratios[1])
    );
    println!(
        "| PutItem by hand, no condition | {:.0} | 1.00x |",
        rate(stats::median(&times[2]))
    );
}

/// A backfill in a round: ours (`None`), or by hand `(as_read,
/// per_segment)`.
type Contestant = (&'static str, Option<(bool, usize)>);

/// Per contestant: the median time, and the ratios of its time to ours
/// per round (median, min, max).
type Outcome = (Duration, f64, f64, f64);

/// `runs` rounds of each contestant upgrading `olds` on a table loaded
/// afresh, through `proxy` when given; who goes first turns each round (a
/// busy machine's slow spell falls on each alike).
async fn backfill_rounds(
    local: &LocalDynamoDb,
    olds: &[WrittenV1],
    runs: usize,
    contestants: &[Contestant],
    proxy: Option<&fault_proxy::FaultProxy>,
) -> Vec<Outcome> {
    let n = contestants.len();
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); n];
    let mut ratios: Vec<Vec<f64>> = vec![Vec::new(); n];
    for round in 0..runs {
        let mut round_times = vec![Duration::ZERO; n];
        for turn in 0..n {
            let who = (round + turn) % n;
            let tables = TestTables::new(local.db())
                .with::<Ticket>()
                .create()
                .await
                .unwrap();
            tables
                .db()
                .table::<WrittenV1>()
                .batch_put(olds)
                .await
                .unwrap();
            let db = match proxy {
                Some(proxy) => dynamo_model::Db::local(proxy.endpoint())
                    .with_table_prefix(tables.db().table_prefix().unwrap_or_default()),
                None => tables.db().clone(),
            };
            let table = db.table::<Ticket>();
            let start = Instant::now();
            let done = match contestants[who].1 {
                None => table.upgrade_items().segments(4).await.unwrap().upgraded,
                Some((as_read, per_segment)) => {
                    hand_backfill(db.client(), table.name(), as_read, per_segment).await as u64
                }
            };
            round_times[who] = start.elapsed();
            assert_eq!(done, olds.len() as u64);
        }
        for who in 0..n {
            ratios[who].push(round_times[who].as_secs_f64() / round_times[0].as_secs_f64());
            times[who].push(round_times[who]);
        }
    }
    times
        .iter()
        .zip(&mut ratios)
        .map(|(t, r)| {
            r.sort_by(f64::total_cmp);
            (stats::median(t), r[r.len() / 2], r[0], r[r.len() - 1])
        })
        .collect()
}

fn print_backfill(
    heading: &str,
    contestants: &[Contestant],
    results: &[Outcome],
    items: u64,
    runs: usize,
) {
    let rate = |d: Duration| items as f64 / d.as_secs_f64();
    println!();
    println!(
        "ours, `upgrade_items().segments(4)` ({} rewrites in flight by default): {:.0} items/s",
        dynamo_model::DEFAULT_UPGRADE_WRITES_IN_FLIGHT,
        rate(results[0].0)
    );
    println!();
    println!("| backfill of {heading} | by hand, items/s | ours vs by hand (median of {runs}; min, max) |");
    println!("|---|---:|---:|");
    for (contestant, (time, median, min, max)) in contestants.iter().zip(results).skip(1) {
        println!(
            "| {} | {:.0} | {median:.2}x ({min:.2}x, {max:.2}x) |",
            contestant.0,
            rate(*time)
        );
    }
}
