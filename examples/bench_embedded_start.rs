//! How long the embedded backend takes to start and answer its first request.
//!
//! ```text
//! cargo run --release --example bench_embedded_start
//! ```

use std::time::{Duration, Instant};

use dynamo_model::testing::LocalDynamoDb;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    const RUNS: usize = 50;
    let mut start = Vec::with_capacity(RUNS);
    let mut first_answer = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let began = Instant::now();
        let local = LocalDynamoDb::embedded()?;
        start.push(began.elapsed());
        local.db().client().list_tables().send().await?;
        first_answer.push(began.elapsed());
    }
    println!("embedded backend, median of {RUNS} runs:");
    println!("  start (server listening):      {:?}", median(start));
    println!(
        "  start + first ListTables answer: {:?}",
        median(first_answer)
    );
    Ok(())
}
