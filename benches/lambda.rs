//! Decoding a Lambda batch of DynamoDB stream records (issue 21): ours,
//! `stream::lambda::changes::<Order>(event)` (kind, key, sequence number,
//! both images checked and decoded), against what a handler writes by hand
//! with serde_dynamo (`serde_dynamo::from_item` of each record's images).
//!
//! `cargo bench --bench lambda`: `BENCH_RECORDS` records of about 1 KB
//! (default 1,000) with new and old images, `BENCH_RUNS` rounds (default
//! 15), ours and by hand interleaved in each; each round's ratio of rates,
//! and the median.

use std::hint::black_box;
use std::time::{Duration, Instant};

use dynamo_model::stream::lambda::{self, Event};
use serde_json::json;

#[path = "support/models.rs"]
#[allow(dead_code)] // the other models are for the item benchmarks
mod models;
#[path = "support/stats.rs"]
#[allow(dead_code)] // `ms` is for the tables benchmark
mod stats;
use models::{order, Order};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A batch as Lambda delivers it: MODIFY records of orders, both images.
fn event(records: usize) -> Event {
    let records: Vec<_> = (0..records as u64)
        .map(|i| {
            let new: serde_json::Value = serde_json::to_value(
                serde_dynamo::to_item::<_, serde_dynamo::Item>(order(i)).unwrap(),
            )
            .unwrap();
            let mut old = new.clone();
            old["retries"] = json!({ "N": "1" });
            json!({
                "eventID": format!("e{i}"), "eventName": "MODIFY", "eventVersion": "1.1",
                "eventSource": "aws:dynamodb", "awsRegion": "us-east-1",
                "eventSourceARN": "arn:aws:dynamodb:us-east-1:1:table/bench_orders/stream/x",
                "dynamodb": {
                    "ApproximateCreationDateTime": 1714521600.0,
                    "Keys": { "customerId": new["customerId"].clone(), "orderId": new["orderId"].clone() },
                    "NewImage": new, "OldImage": old,
                    "SequenceNumber": format!("{:021}", i), "SizeBytes": 2000,
                    "StreamViewType": "NEW_AND_OLD_IMAGES"
                }
            })
        })
        .collect();
    serde_json::from_value(json!({ "Records": records })).unwrap()
}

/// Ours, the event into a `Vec` of changes (`lambda::changes`).
fn ours_vec(event: Event) -> usize {
    let changes = lambda::changes::<Order>(event);
    changes.iter().filter(|c| c.is_ok()).count()
}

/// By hand, the same: a `Vec` of each record's name, sequence number and
/// images.
fn hand_vec(event: Event) -> usize {
    let decoded: Vec<_> = event
        .records
        .into_iter()
        .map(|record| {
            let new: Order = serde_dynamo::from_item(record.change.new_image).unwrap();
            let old: Order = serde_dynamo::from_item(record.change.old_image).unwrap();
            (record.event_name, record.change.sequence_number, new, old)
        })
        .collect();
    decoded.len()
}

/// Ours, one record at a time as a handler loop takes them.
fn ours_each(event: Event) -> usize {
    let mut decoded = 0;
    for record in event.records {
        let change = lambda::record(record).decode::<Order>().unwrap().unwrap();
        black_box(change);
        decoded += 1;
    }
    decoded
}

/// By hand, the same loop.
fn hand_each(event: Event) -> usize {
    let mut decoded = 0;
    for record in event.records {
        let new: Order = serde_dynamo::from_item(record.change.new_image).unwrap();
        let old: Order = serde_dynamo::from_item(record.change.old_image).unwrap();
        black_box((&record.event_name, &record.change.sequence_number, new, old));
        decoded += 1;
    }
    decoded
}

/// A way to decode a batch, answering how many records it decoded.
type Decoder = fn(Event) -> usize;

fn time(event: &Event, decode: Decoder) -> Duration {
    let event = event.clone();
    let start = Instant::now();
    let n = black_box(decode(black_box(event)));
    let took = start.elapsed();
    assert!(n > 0);
    took
}

fn main() {
    let records = env("BENCH_RECORDS", 1000);
    let runs = env("BENCH_RUNS", 15);
    let batch = event(records);
    assert_eq!(ours_vec(batch.clone()), records, "every record decodes");
    let rate = |d: Duration| records as f64 / d.as_secs_f64();
    println!("| form | ours, records/s | by hand, records/s | ours vs by hand (median of {runs} rounds; min, max) |");
    println!("|---|---:|---:|---:|");
    let pairs: [(&str, Decoder, Decoder); 2] = [
        (
            "the event into a `Vec` (`lambda::changes`)",
            ours_vec,
            hand_vec,
        ),
        (
            "one record at a time (`lambda::record(r).decode()`)",
            ours_each,
            hand_each,
        ),
    ];
    for (form, ours, hand) in pairs {
        let (mut ratios, mut ours_t, mut hand_t) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..runs {
            let a = time(&batch, ours);
            let b = time(&batch, hand);
            ratios.push(b.as_secs_f64() / a.as_secs_f64());
            ours_t.push(a);
            hand_t.push(b);
        }
        ratios.sort_by(f64::total_cmp);
        println!(
            "| {form} | {:.0} | {:.0} | {:.2}x ({:.2}x, {:.2}x) |",
            rate(stats::median(&ours_t)),
            rate(stats::median(&hand_t)),
            ratios[ratios.len() / 2],
            ratios[0],
            ratios[ratios.len() - 1]
        );
    }
}
