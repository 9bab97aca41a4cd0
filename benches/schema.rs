//! What schema as code costs: `Table::plan` against the same reads written
//! by hand with the SDK (DescribeTable, DescribeTimeToLive,
//! ListTagsOfResource, DescribeContinuousBackups: what a drift check needs),
//! and `apply` of one GSI added and dropped against UpdateTable plus a
//! DescribeTable poll every 10 ms by hand, on the same server in one run.
//!
//! ```text
//! cargo bench --bench schema                                   # embedded backend
//! DYNAMO_MODEL_BACKEND=dynamodb-local cargo bench --bench schema
//! ```
//!
//! (`bash scripts/bench.sh schema` runs both.) `BENCH_CALLS` plans per round
//! (default 200), `BENCH_RUNS` rounds (default 7), each half ours and half by
//! hand, interleaved; `BENCH_APPLIES` GSI add+drop cycles per round (default
//! 5). Figures are medians over rounds; a ratio is ours / by hand within one
//! round, then the median. `BENCH_OUT=path` also writes the table (markdown).

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::{Duration, Instant};

use dynamo_model::aws_sdk_dynamodb::types::{
    AttributeDefinition, CreateGlobalSecondaryIndexAction, DeleteGlobalSecondaryIndexAction,
    GlobalSecondaryIndexUpdate, IndexStatus, KeySchemaElement, KeyType, Projection, ProjectionType,
    ScalarAttributeType, TableStatus,
};
use dynamo_model::testing::LocalDynamoDb;
use dynamo_model::{AttributeType, CreateTableOptions, Db, TableSchema};

#[path = "support/server.rs"]
mod server;
#[path = "support/stats.rs"]
#[allow(dead_code)]
mod stats;
use stats::median;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn schema(with_coupon: bool) -> TableSchema {
    let mut builder = TableSchema::builder("bench_schema")
        .hash_key("customerId", AttributeType::S)
        .range_key("orderId", AttributeType::N)
        .global_index("by_status", |i| i.hash_key("status", AttributeType::S))
        .global_index("by_email", |i| i.hash_key("email", AttributeType::S))
        .ttl("expiresAt");
    if with_coupon {
        builder = builder.global_index("by_coupon", |i| i.hash_key("coupon", AttributeType::S));
    }
    builder.build().unwrap()
}

/// The reads a hand-written drift check makes.
async fn by_hand_reads(db: &Db, table: &str) {
    let client = db.client();
    let described = client
        .describe_table()
        .table_name(table)
        .send()
        .await
        .unwrap();
    let arn = described.table().unwrap().table_arn().unwrap().to_owned();
    black_box(described);
    black_box(
        client
            .describe_time_to_live()
            .table_name(table)
            .send()
            .await
            .unwrap(),
    );
    // A server without these answers an error, as it does to the plan.
    black_box(
        client
            .list_tags_of_resource()
            .resource_arn(arn)
            .send()
            .await
            .ok(),
    );
    black_box(
        client
            .describe_continuous_backups()
            .table_name(table)
            .send()
            .await
            .ok(),
    );
}

/// UpdateTable, then DescribeTable every 10 ms until the table and its
/// GSIs are ACTIVE: the tightest loop a hand-written migration has.
async fn by_hand_update(db: &Db, table: &str, update: GlobalSecondaryIndexUpdate) {
    let client = db.client();
    client
        .update_table()
        .table_name(table)
        .set_attribute_definitions(update.create.is_some().then(|| {
            [
                ("customerId", ScalarAttributeType::S),
                ("orderId", ScalarAttributeType::N),
                ("status", ScalarAttributeType::S),
                ("email", ScalarAttributeType::S),
                ("coupon", ScalarAttributeType::S),
            ]
            .into_iter()
            .map(|(name, kind)| {
                AttributeDefinition::builder()
                    .attribute_name(name)
                    .attribute_type(kind)
                    .build()
                    .unwrap()
            })
            .collect()
        }))
        .global_secondary_index_updates(update)
        .send()
        .await
        .unwrap();
    loop {
        let table = client
            .describe_table()
            .table_name(table)
            .send()
            .await
            .unwrap()
            .table
            .unwrap();
        let ready = table.table_status() == Some(&TableStatus::Active)
            && table
                .global_secondary_indexes()
                .iter()
                .all(|g| g.index_status() == Some(&IndexStatus::Active));
        if ready {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn add_coupon() -> GlobalSecondaryIndexUpdate {
    let create = CreateGlobalSecondaryIndexAction::builder()
        .index_name("by_coupon")
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("coupon")
                .key_type(KeyType::Hash)
                .build()
                .unwrap(),
        )
        .projection(
            Projection::builder()
                .projection_type(ProjectionType::All)
                .build(),
        )
        .build()
        .unwrap();
    GlobalSecondaryIndexUpdate::builder().create(create).build()
}

fn drop_coupon() -> GlobalSecondaryIndexUpdate {
    GlobalSecondaryIndexUpdate::builder()
        .delete(
            DeleteGlobalSecondaryIndexAction::builder()
                .index_name("by_coupon")
                .build()
                .unwrap(),
        )
        .build()
}

fn ratio(ours: &[Duration], theirs: &[Duration]) -> f64 {
    let mut ratios: Vec<f64> = ours
        .iter()
        .zip(theirs)
        .map(|(a, b)| a.as_secs_f64() / b.as_secs_f64())
        .collect();
    ratios.sort_by(f64::total_cmp);
    ratios[ratios.len() / 2]
}

fn millis(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

#[tokio::main]
async fn main() {
    let calls = env("BENCH_CALLS", 200);
    let runs = env("BENCH_RUNS", 7);
    let applies = env("BENCH_APPLIES", 5);
    let local = LocalDynamoDb::start().await.unwrap();
    let backend = server::backend_label(&local);
    let db = local.db().clone().with_table_prefix("bench_");
    let (v1, v2) = (schema(false), schema(true));
    let table = db.table_for_schema(&v1);
    let options = CreateTableOptions::new().tag("team", "bench");
    let _ = table.delete_table_and_wait(Duration::from_secs(30)).await;
    table.create(options.clone().wait(true)).await.unwrap();
    let name = table.name().to_owned();
    let with_coupon = db.table_for_schema(&v2);

    // Warm-up.
    for _ in 0..10 {
        table.plan(&options).await.unwrap();
        by_hand_reads(&db, &name).await;
    }

    let (mut plan_ours, mut plan_hand) = (Vec::new(), Vec::new());
    let (mut apply_ours, mut apply_hand) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let (mut ours, mut hand) = (Duration::ZERO, Duration::ZERO);
        for _ in 0..calls / 2 {
            let started = Instant::now();
            black_box(table.plan(&options).await.unwrap());
            ours += started.elapsed();
            let started = Instant::now();
            by_hand_reads(&db, &name).await;
            hand += started.elapsed();
        }
        plan_ours.push(ours / (calls as u32 / 2).max(1));
        plan_hand.push(hand / (calls as u32 / 2).max(1));

        let (mut ours, mut hand) = (Duration::ZERO, Duration::ZERO);
        for _ in 0..applies {
            let started = Instant::now();
            let add = with_coupon.plan(&options).await.unwrap();
            assert_eq!(add.changes().len(), 1, "{add}");
            let done = with_coupon.apply(&add).await.unwrap();
            assert!(done.is_complete());
            let drop = table.plan(&options).await.unwrap();
            let done = table.apply(&drop).allow_destructive(true).await.unwrap();
            assert!(done.is_complete());
            ours += started.elapsed();

            let started = Instant::now();
            by_hand_update(&db, &name, add_coupon()).await;
            by_hand_update(&db, &name, drop_coupon()).await;
            hand += started.elapsed();
        }
        apply_ours.push(ours / (applies as u32).max(1));
        apply_hand.push(hand / (applies as u32).max(1));
    }
    table
        .delete_table_and_wait(Duration::from_secs(30))
        .await
        .unwrap();

    let mut out = String::new();
    let _ = writeln!(
        out,
        "backend: {backend}; {calls} plans and {applies} GSI add+drop cycles per round, {runs} rounds\n"
    );
    let _ = writeln!(out, "| | ours | by hand | ours / by hand |");
    let _ = writeln!(out, "|---|---|---|---|");
    let _ = writeln!(
        out,
        "| plan (4 reads) | {} | {} | {:.2}x |",
        millis(median(&plan_ours)),
        millis(median(&plan_hand)),
        ratio(&plan_ours, &plan_hand)
    );
    let _ = writeln!(
        out,
        "| plan + apply, GSI add then drop | {} | {} | {:.2}x |",
        millis(median(&apply_ours)),
        millis(median(&apply_hand)),
        ratio(&apply_ours, &apply_hand)
    );
    print!("{out}");
    if let Ok(path) = std::env::var("BENCH_OUT") {
        std::fs::write(path, &out).unwrap();
    }
}
