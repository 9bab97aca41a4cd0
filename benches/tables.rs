//! How long table set-up takes against a server with real CREATING/DELETING
//! delays: dynalite started with `--createTableMs D --deleteTableMs D`.
//!
//! Run through `bash scripts/bench.sh` (it provisions dynalite, starts one per
//! delay on loopback ports and passes them in `BENCH_DYNALITE`), or by hand:
//!
//! ```text
//! BENCH_DYNALITE=0=http://127.0.0.1:8000,500=http://127.0.0.1:8001 cargo bench --bench tables
//! ```
//!
//! Measured, for each delay D (every figure a median of several runs, every
//! ratio taken between figures of the same run):
//!
//! 1. create + wait for one table: ours (`create_table` with `wait(true)`),
//!    the SDK's `wait_until_table_exists` waiter after a plain CreateTable,
//!    a busy poller (DescribeTable every 2 ms: the best any poller can do on
//!    this server), and the limit, D itself;
//! 2. a fixture of 10 models, each with a GSI and an LSI: `TestTables` create,
//!    then drop (which returns once every table is gone), against D + D, and
//!    against the same tables one at a time (one fixture per model, as peers
//!    do it).
//!
//! `BENCH_RUNS=N` sets the number of runs of our measurements (default 7);
//! the slow baselines (the SDK waiter, one at a time) run fewer times.
//! `BENCH_OUT=path` also writes the tables there (markdown).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use dynamo_model::aws_sdk_dynamodb::client::Waiters;
use dynamo_model::aws_sdk_dynamodb::types::TableStatus;
use dynamo_model::testing::TestTables;
use dynamo_model::{CreateTableOptions, Db, DynamoModel};
use serde::Serialize;

#[path = "support/stats.rs"]
mod stats;
use stats::{median, ms};

/// The one-table model: a hash and a range key.
#[derive(DynamoModel, Serialize)]
#[dynamo(table = "bench_single")]
struct Single {
    #[hash_key]
    pk: String,
    #[range_key]
    sk: u64,
}

macro_rules! fixture_models {
    ($($name:ident),* $(,)?) => {$(
        /// A fixture model: hash + range key, one GSI, one LSI.
        #[derive(DynamoModel, Serialize)]
        #[allow(dead_code)]
        struct $name {
            #[hash_key]
            pk: String,
            #[range_key]
            sk: u64,
            #[gsi(name = "by_status", hash_key)]
            status: String,
            #[gsi(name = "by_status", range_key)]
            #[lsi(name = "by_created")]
            created: i64,
        }
    )*};
}

fixture_models!(
    Fixture01, Fixture02, Fixture03, Fixture04, Fixture05, Fixture06, Fixture07, Fixture08,
    Fixture09, Fixture10,
);

/// Create + drop of a one-model fixture, boxed so the ten can sit in a list.
type OneFixture = for<'a> fn(&'a Db) -> Pin<Box<dyn Future<Output = Duration> + 'a>>;

fn boxed<M: DynamoModel + 'static>(db: &Db) -> Pin<Box<dyn Future<Output = Duration> + '_>> {
    Box::pin(fixture_of_one::<M>(db))
}

/// The ten fixture models, one fixture each.
fn one_at_a_time() -> [OneFixture; 10] {
    [
        boxed::<Fixture01>,
        boxed::<Fixture02>,
        boxed::<Fixture03>,
        boxed::<Fixture04>,
        boxed::<Fixture05>,
        boxed::<Fixture06>,
        boxed::<Fixture07>,
        boxed::<Fixture08>,
        boxed::<Fixture09>,
        boxed::<Fixture10>,
    ]
}

/// Create + drop of a fixture holding only `M`'s table.
async fn fixture_of_one<M: DynamoModel>(db: &Db) -> Duration {
    let start = Instant::now();
    let tables = TestTables::new(db)
        .with::<M>()
        .create()
        .await
        .expect("create");
    drop(tables);
    start.elapsed()
}

/// Create + drop of the ten-model fixture.
async fn fixture_of_ten(db: &Db) -> Duration {
    let start = Instant::now();
    let tables = TestTables::new(db)
        .with::<Fixture01>()
        .with::<Fixture02>()
        .with::<Fixture03>()
        .with::<Fixture04>()
        .with::<Fixture05>()
        .with::<Fixture06>()
        .with::<Fixture07>()
        .with::<Fixture08>()
        .with::<Fixture09>()
        .with::<Fixture10>()
        .create()
        .await
        .expect("create the fixture");
    let created = start.elapsed();
    drop(tables);
    let total = start.elapsed();
    eprintln!(
        "    fixture of 10: created in {} ms, gone {} ms later",
        ms(created),
        ms(total - created)
    );
    total
}

/// Ours: CreateTable, then our wait.
async fn create_ours(db: &Db) -> Duration {
    let start = Instant::now();
    let table = db
        .table::<Single>()
        .create(CreateTableOptions::new().wait(true))
        .await
        .expect("create + wait");
    assert_eq!(table.table_status(), Some(&TableStatus::Active));
    start.elapsed()
}

/// The SDK: CreateTable, then `wait_until_table_exists`.
async fn create_sdk(db: &Db) -> Duration {
    let start = Instant::now();
    db.table::<Single>()
        .create(CreateTableOptions::new())
        .await
        .expect("create");
    db.client()
        .wait_until_table_exists()
        .table_name(db.table_name(Single::schema().table_name()))
        .wait(Duration::from_secs(300))
        .await
        .expect("the SDK waiter");
    start.elapsed()
}

/// The floor on this server: CreateTable, then DescribeTable every 2 ms.
async fn create_busy_poll(db: &Db) -> Duration {
    let start = Instant::now();
    db.table::<Single>()
        .create(CreateTableOptions::new())
        .await
        .expect("create");
    loop {
        let table = db.table::<Single>().describe().await.expect("describe");
        if table.table_status() == Some(&TableStatus::Active) {
            return start.elapsed();
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

fn ratio(a: Duration, b: Duration) -> String {
    if b.is_zero() {
        "n/a".to_owned()
    } else {
        format!("{:.2}x", a.as_secs_f64() / b.as_secs_f64())
    }
}

fn summary(samples: &[Duration]) -> String {
    let min = samples.iter().min().copied().unwrap_or_default();
    let max = samples.iter().max().copied().unwrap_or_default();
    format!(
        "{} ({}–{}, n={})",
        ms(median(samples)),
        ms(min),
        ms(max),
        samples.len()
    )
}

/// Runs `f` on a connection whose table names carry a prefix unique to this
/// run, so every run creates fresh tables; then deletes what `f` left behind
/// and waits until it is gone (not timed).
async fn run_fresh<F, Fut>(base: &Db, run: &mut u32, f: F) -> Duration
where
    F: FnOnce(Db) -> Fut,
    Fut: Future<Output = Duration>,
{
    *run += 1;
    let db = base
        .clone()
        .with_table_prefix(format!("b{}_{}_", std::process::id(), run));
    let took = f(db.clone()).await;
    for name in base
        .list_tables(Some(db.table_prefix().unwrap_or_default()))
        .await
        .unwrap()
    {
        let root = base.clone().with_table_prefix("");
        let _ = root
            .table_named(&name)
            .delete_table_and_wait(Duration::from_secs(60))
            .await;
    }
    took
}

#[derive(Default)]
struct Results {
    single: BTreeMap<u64, [Vec<Duration>; 3]>,
    fixture: BTreeMap<u64, [Vec<Duration>; 2]>,
}

#[tokio::main]
async fn main() {
    // `cargo bench` passes `--bench`; a filter argument is not supported.
    let servers: Vec<(u64, String)> = std::env::var("BENCH_DYNALITE")
        .unwrap_or_default()
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|pair| {
            let (delay, endpoint) = pair
                .split_once('=')
                .expect("BENCH_DYNALITE: DELAY=ENDPOINT,...");
            (
                delay.trim().parse().expect("a delay in ms"),
                endpoint.trim().to_owned(),
            )
        })
        .collect();
    if servers.is_empty() {
        eprintln!("BENCH_DYNALITE is not set: run `bash scripts/bench.sh`, which starts dynalite and sets it");
        return;
    }
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(7);
    let slow_runs = runs.div_ceil(2).max(1);

    let mut results = Results::default();
    let mut run = 0;
    for (delay, endpoint) in &servers {
        let delay = *delay;
        let db = Db::local(endpoint.as_str());
        eprintln!("dynalite --createTableMs {delay} --deleteTableMs {delay} at {endpoint}");
        // Warm-up: the first request of a process pays for the connection
        // and the first table for dynalite's lazy set-up.
        run_fresh(&db, &mut run, |db| async move { create_ours(&db).await }).await;

        let mut single: [Vec<Duration>; 3] = Default::default();
        for i in 0..runs {
            // Interleaved, so that the machine's noise hits all alike.
            let ours = run_fresh(&db, &mut run, |db| async move { create_ours(&db).await }).await;
            let busy = run_fresh(
                &db,
                &mut run,
                |db| async move { create_busy_poll(&db).await },
            )
            .await;
            single[0].push(ours);
            single[2].push(busy);
            let sdk = if i < slow_runs {
                let sdk = run_fresh(&db, &mut run, |db| async move { create_sdk(&db).await }).await;
                single[1].push(sdk);
                format!(", sdk {} ms", ms(sdk))
            } else {
                String::new()
            };
            eprintln!(
                "  create+wait run {i}: ours {} ms, busy poll {} ms{sdk}",
                ms(ours),
                ms(busy)
            );
        }
        results.single.insert(delay, single);

        let mut fixture: [Vec<Duration>; 2] = Default::default();
        for i in 0..runs {
            let ten = run_fresh(&db, &mut run, |db| async move { fixture_of_ten(&db).await }).await;
            fixture[0].push(ten);
            let one_by_one = if i < slow_runs.min(3) {
                let sequential = run_fresh(&db, &mut run, |db| async move {
                    let mut total = Duration::ZERO;
                    for create in one_at_a_time() {
                        total += create(&db).await;
                    }
                    total
                })
                .await;
                fixture[1].push(sequential);
                format!(", one at a time {} ms", ms(sequential))
            } else {
                String::new()
            };
            eprintln!("  fixture run {i}: concurrent {} ms{one_by_one}", ms(ten));
        }
        results.fixture.insert(delay, fixture);
    }

    let report = render(&results);
    println!("{report}");
    if let Ok(path) = std::env::var("BENCH_OUT") {
        std::fs::write(&path, &report).expect("write BENCH_OUT");
        eprintln!("written to {path}");
    }
}

fn render(results: &Results) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### Create + wait for one table\n");
    let _ = writeln!(
        out,
        "| D (ms) | limit (ms) | ours (ms) | SDK waiter (ms) | busy poll (ms) | ours / limit | SDK / limit | ours / busy poll |"
    );
    let _ = writeln!(out, "|---:|---:|---|---|---|---:|---:|---:|");
    for (delay, [ours, sdk, busy]) in &results.single {
        let limit = Duration::from_millis(*delay);
        let _ = writeln!(
            out,
            "| {delay} | {delay} | {} | {} | {} | {} | {} | {} |",
            summary(ours),
            summary(sdk),
            summary(busy),
            ratio(median(ours), limit),
            ratio(median(sdk), limit),
            ratio(median(ours), median(busy)),
        );
    }
    let _ = writeln!(
        out,
        "\n### Fixture of 10 models (GSI + LSI each): create, wait, drop, gone\n"
    );
    let _ = writeln!(
        out,
        "| D (ms) | create + delete delay (ms) | concurrent fixture (ms) | one at a time (ms) | concurrent / (2·D) | one at a time / (2·D) | one at a time / concurrent |"
    );
    let _ = writeln!(out, "|---:|---:|---|---|---:|---:|---:|");
    for (delay, [ten, sequential]) in &results.fixture {
        let limit = Duration::from_millis(2 * delay);
        let _ = writeln!(
            out,
            "| {delay} | {} | {} | {} | {} | {} | {} |",
            2 * delay,
            summary(ten),
            summary(sequential),
            ratio(median(ten), limit),
            ratio(median(sequential), limit),
            ratio(median(sequential), median(ten)),
        );
    }
    out
}
