//! The backfill of item shapes (issue 22, point 4): `upgrade_items()`
//! rewrites every item of an older shape at the newest, with a dry run
//! that only counts; under concurrent writers it loses none of their
//! writes; stopped mid-way and resumed from its checkpoint, it rewrites no
//! item twice (the fault proxy counts the PutItems); and a field that
//! older code sets between the scan and the rewrite is kept. A checkpoint
//! of another table (another prefix), of the table deleted and created
//! again, of a dry run, or a damaged one is refused before any write, by
//! the library and by the command line (which keeps the file); a
//! checkpoint comes after each page of at most `DEFAULT_UPGRADE_PAGE_SIZE`
//! items.

mod support;

use std::collections::HashMap;
use std::future::IntoFuture;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dynamo_model::testing::{LocalDynamoDb, TestTables};
use dynamo_model::{Db, DynamoModel, Error, ItemShape, RateLimit, UpgradeCheckpoint};
use serde::{Deserialize, Serialize};
use support::fault_proxy::{Fault, Rule};

#[derive(ItemShape, Deserialize)]
#[dynamo(shape = 1)]
struct TicketV1 {
    id: u32,
    price: f64,
}

#[derive(ItemShape, Deserialize)]
#[dynamo(shape = 2, upgrades_from = TicketV1)]
struct TicketV2 {
    id: u32,
    cents: u64,
}

impl From<TicketV1> for TicketV2 {
    fn from(old: TicketV1) -> Self {
        TicketV2 {
            id: old.id,
            cents: (old.price * 100.0).round() as u64,
        }
    }
}

#[derive(DynamoModel, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[dynamo(table = "tickets", shape = 3, upgrades_from = TicketV2)]
struct Ticket {
    #[hash_key]
    id: u32,
    cents: u64,
    currency: String,
}

impl From<TicketV2> for Ticket {
    fn from(old: TicketV2) -> Self {
        Ticket {
            id: old.id,
            cents: old.cents,
            currency: "EUR".into(),
        }
    }
}

/// Written by code before shapes (shape 1).
#[derive(DynamoModel, Serialize)]
#[dynamo(table = "tickets")]
struct WrittenV1 {
    #[hash_key]
    id: u32,
    price: f64,
}

/// Written by the code of shape 2.
#[derive(DynamoModel, Serialize, Deserialize)]
#[dynamo(table = "tickets", shape = 2)]
struct WrittenV2 {
    #[hash_key]
    id: u32,
    cents: u64,
}

/// The shape as stored.
#[derive(Deserialize)]
struct Stored {
    id: u32,
    #[serde(rename = "_shape")]
    shape: Option<u32>,
}

#[derive(ItemShape, Deserialize)]
#[dynamo(shape = 1)]
struct MemoV1 {
    id: u32,
    text: Option<String>,
}

#[derive(DynamoModel, Serialize, Deserialize, Debug, PartialEq)]
#[dynamo(table = "memos", shape = 2, upgrades_from = MemoV1)]
struct Memo {
    #[hash_key]
    id: u32,
    text: Option<String>,
    words: usize,
}

impl From<MemoV1> for Memo {
    fn from(old: MemoV1) -> Self {
        let words = old
            .text
            .as_deref()
            .map_or(0, |t| t.split_whitespace().count());
        Memo {
            id: old.id,
            text: old.text,
            words,
        }
    }
}

/// Written by code before shapes: no `text` attribute while it has none.
#[derive(DynamoModel, Serialize)]
#[dynamo(table = "memos")]
struct WrittenMemoV1 {
    #[hash_key]
    id: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<String>,
}

/// `n` items: even ids at shape 1 (price id.5), odd ones at shape 2.
async fn old_items(db: &Db, n: u32) {
    let v1: Vec<WrittenV1> = (0..n)
        .filter(|id| id % 2 == 0)
        .map(|id| WrittenV1 {
            id,
            price: f64::from(id) + 0.5,
        })
        .collect();
    let v2: Vec<WrittenV2> = (0..n)
        .filter(|id| id % 2 == 1)
        .map(|id| WrittenV2 {
            id,
            cents: u64::from(id) * 100,
        })
        .collect();
    db.table::<WrittenV1>().batch_put(&v1).await.unwrap();
    db.table::<WrittenV2>().batch_put(&v2).await.unwrap();
}

/// A server for the test alone (a proxy goes in front of it), and `M`'s
/// table on it.
async fn own_table<M: DynamoModel>() -> (LocalDynamoDb, TestTables) {
    let local = LocalDynamoDb::start().await.unwrap();
    let tables = TestTables::new(local.db())
        .with::<M>()
        .create()
        .await
        .unwrap();
    (local, tables)
}

/// A proxy in front of `tables` that holds each PutItem (or the first
/// `times`) for `hold`, and a connection through it.
fn holding_puts(
    local: &LocalDynamoDb,
    tables: &TestTables,
    hold: Duration,
    times: Option<u32>,
) -> (support::fault_proxy::FaultProxy, Db) {
    let (proxy, db) = support::faulty::through_proxy(local, tables);
    let rule = Rule::new(Fault::Slow(hold)).on("PutItem");
    proxy.add(match times {
        Some(n) => rule.times(n),
        None => rule.always(),
    });
    (proxy, db)
}

/// What the upgrade makes of item `id`.
fn upgraded(id: u32) -> Ticket {
    let cents = if id.is_multiple_of(2) {
        u64::from(id) * 100 + 50
    } else {
        u64::from(id) * 100
    };
    Ticket {
        id,
        cents,
        currency: "EUR".into(),
    }
}

/// Items per stored shape.
async fn stored_shapes(db: &Db) -> HashMap<Option<u32>, usize> {
    let stored: Vec<Stored> = db
        .table::<Ticket>()
        .scan()
        .segments(4)
        .page_size(1_000)
        .as_type::<Stored>()
        .all()
        .await
        .unwrap();
    let mut counts = HashMap::new();
    for item in stored {
        let _ = item.id;
        *counts.entry(item.shape).or_default() += 1;
    }
    counts
}

#[dynamo_model::test(models(Ticket))]
async fn ten_thousand_items_of_shapes_1_and_2_read_and_are_rewritten_as_shape_3(db: Db) {
    // moto, shared with the other tests of the binary on two cores, can
    // take over `Db::local`'s 5 s for one page of 10,000 items; the test is
    // about the items, not the server's speed.
    let db = db.with_timeouts(Duration::from_secs(60), Duration::from_secs(180));
    old_items(&db, 10_000).await;
    let tickets = db.table::<Ticket>();
    let mut read: Vec<Ticket> = tickets.scan().segments(4).all().await.unwrap();
    read.sort_by_key(|t| t.id);
    assert_eq!(read.len(), 10_000);
    assert!(read.iter().all(|t| *t == upgraded(t.id)));

    let counted = tickets.upgrade_items().dry_run().await.unwrap();
    assert_eq!(counted.scanned, 10_000);
    assert_eq!(counted.shapes.get(&1), Some(&5_000));
    assert_eq!(counted.shapes.get(&2), Some(&5_000));
    assert_eq!(counted.upgraded, 0);
    assert_eq!(
        stored_shapes(&db).await.get(&None),
        Some(&5_000),
        "a dry run writes nothing"
    );

    let report = tickets.upgrade_items().segments(4).await.unwrap();
    assert_eq!(report.upgraded, 10_000);
    assert!(report.checkpoint.is_done());
    assert!(
        report.read_units > 0.0 && report.write_units >= 10_000.0,
        "{report:?}"
    );
    assert_eq!(stored_shapes(&db).await, HashMap::from([(Some(3), 10_000)]));
    let mut read: Vec<Ticket> = tickets.scan().page_size(1_000).all().await.unwrap();
    read.sort_by_key(|t| t.id);
    assert_eq!(read.len(), 10_000);
    assert!(read.iter().all(|t| *t == upgraded(t.id)));

    let again = tickets.upgrade_items().await.unwrap();
    assert_eq!((again.upgraded, again.shapes.get(&3)), (0, Some(&10_000)));
}

#[dynamo_model::test(models(Ticket))]
async fn under_four_concurrent_writers_no_write_is_lost(db: Db) {
    const ITEMS: u32 = 2_000;
    old_items(&db, ITEMS).await;
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writers: Vec<_> = (0..4u32)
        .map(|writer| {
            let tickets = db.table::<Ticket>();
            let done = Arc::clone(&done);
            tokio::spawn(async move {
                // Writer `w` owns the ids `id % 4 == w`: its last write to
                // each is what must be stored at the end.
                let mut last = HashMap::new();
                let mut round = 0u64;
                while !done.load(std::sync::atomic::Ordering::Relaxed) || round < 2 {
                    for k in 0..20 {
                        let id = writer + 4 * ((round as u32 * 20 + k) % (ITEMS / 4));
                        let ticket = Ticket {
                            id,
                            cents: 1_000_000 + round,
                            currency: "USD".into(),
                        };
                        tickets.put(&ticket).await.unwrap();
                        last.insert(id, ticket);
                    }
                    round += 1;
                }
                last
            })
        })
        .collect();
    let report = db
        .table::<Ticket>()
        .upgrade_items()
        .segments(4)
        .page_size(50)
        .rate_limit(RateLimit::UnitsPerSecond(1_000.0))
        .await
        .unwrap();
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut written = HashMap::new();
    for writer in writers {
        written.extend(writer.await.unwrap());
    }
    assert!(!written.is_empty());
    let tickets = db.table::<Ticket>();
    for (id, ticket) in &written {
        assert_eq!(
            tickets.get(*id).await.unwrap().as_ref(),
            Some(ticket),
            "item {id}"
        );
    }
    for id in (0..ITEMS).filter(|id| !written.contains_key(id)) {
        assert_eq!(
            tickets.get(id).await.unwrap(),
            Some(upgraded(id)),
            "item {id}"
        );
    }
    assert_eq!(
        stored_shapes(&db).await,
        HashMap::from([(Some(3), ITEMS as usize)])
    );
    assert_eq!(
        report.upgraded + report.changed_meanwhile,
        report.shapes.get(&1).unwrap_or(&0) + report.shapes.get(&2).unwrap_or(&0),
        "{report:?}"
    );
}

#[tokio::test]
async fn a_backfill_stopped_mid_way_resumes_and_rewrites_no_item_twice() {
    const ITEMS: u32 = 1_000;
    let (local, tables) = own_table::<Ticket>().await;
    old_items(tables.db(), ITEMS).await;
    let (proxy, db) = support::faulty::through_proxy(&local, &tables);
    let saved: Arc<Mutex<Option<UpgradeCheckpoint>>> = Arc::default();
    let stop = Arc::new(tokio::sync::Notify::new());
    let backfill = {
        let saved = Arc::clone(&saved);
        let stop = Arc::clone(&stop);
        db.table::<Ticket>()
            .upgrade_items()
            .segments(2)
            .page_size(40)
            .on_progress(move |progress| {
                *saved.lock().unwrap() = Some(progress.checkpoint.clone());
                if progress.scanned >= 300 {
                    stop.notify_one();
                }
            })
    };
    tokio::select! {
        report = backfill => panic!("the backfill ended before it was stopped: {report:?}"),
        () = stop.notified() => {}
    }
    // Rewrites sent before the stop still land: wait for them, so that
    // the resumed backfill does not meet one half-way.
    tokio::time::timeout(Duration::from_secs(30), async {
        while proxy.in_flight("PutItem") > 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("the rewrites in flight at the stop end");
    let checkpoint = saved.lock().unwrap().clone().unwrap();
    let checkpoint: UpgradeCheckpoint =
        serde_json::from_str(&serde_json::to_string(&checkpoint).unwrap()).unwrap();
    assert!(!checkpoint.is_done());
    let before = proxy.requests("PutItem");
    assert!(
        before > 0 && before < ITEMS,
        "{before} rewrites before the stop"
    );

    let report = db
        .table::<Ticket>()
        .upgrade_items()
        .segments(2)
        .resume(checkpoint)
        .await
        .unwrap();
    assert!(report.checkpoint.is_done());
    assert_eq!(
        proxy.requests("PutItem"),
        ITEMS,
        "each old item rewritten once over both runs"
    );
    assert_eq!(
        stored_shapes(tables.db()).await,
        HashMap::from([(Some(3), ITEMS as usize)])
    );
}

#[dynamo_model::test(models(Ticket))]
async fn a_model_without_shapes_or_a_bad_rate_is_refused_before_any_request(db: Db) {
    #[derive(DynamoModel, Serialize, Deserialize)]
    #[dynamo(table = "tickets")]
    struct Plain {
        #[hash_key]
        id: u32,
    }
    let err = db.table::<Plain>().upgrade_items().await.unwrap_err();
    assert!(err.to_string().contains("no shapes"), "{err}");
    let err = db
        .table::<Ticket>()
        .upgrade_items()
        .rate_limit(RateLimit::UnitsPerSecond(0.0))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("positive"), "{err}");
    let err = db
        .table::<Ticket>()
        .upgrade_items()
        .rate_limit(RateLimit::Fraction(0.5))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("on demand"), "{err}");
    for (backfill, argument) in [
        (db.table::<Ticket>().upgrade_items().segments(0), "segments"),
        (
            db.table::<Ticket>().upgrade_items().concurrency(0),
            "concurrency",
        ),
        (
            db.table::<Ticket>().upgrade_items().writes_in_flight(0),
            "writes_in_flight",
        ),
    ] {
        let err = backfill.await.unwrap_err();
        assert!(
            matches!(&err, dynamo_model::Error::InvalidInput { .. })
                && err.to_string().contains(argument),
            "{err}"
        );
    }
}

#[tokio::test]
async fn rewrites_go_side_by_side_up_to_their_bound_and_segments_up_to_theirs() {
    let (local, tables) = own_table::<Ticket>().await;
    old_items(tables.db(), 200).await;
    // Each rewrite is held a little, so that those sent together overlap.
    let (proxy, db) = holding_puts(&local, &tables, Duration::from_millis(20), None);
    let report = db
        .table::<Ticket>()
        .upgrade_items()
        .segments(8)
        .concurrency(2)
        .writes_in_flight(6)
        .page_size(25)
        .await
        .unwrap();
    assert_eq!(report.upgraded, 200, "{report:?}");
    assert!(report.checkpoint.is_done());
    let (scans, puts) = (proxy.max_in_flight("Scan"), proxy.max_in_flight("PutItem"));
    assert!(scans <= 2, "{scans} segments scanned at once, of 2");
    assert!((2..=6).contains(&puts), "{puts} rewrites at once, of 6");
    assert_eq!(
        stored_shapes(tables.db()).await,
        HashMap::from([(Some(3), 200)])
    );

    // One at a time when asked, over two segments.
    old_items(tables.db(), 40).await;
    let (proxy, db) = holding_puts(&local, &tables, Duration::from_millis(5), None);
    let report = db
        .table::<Ticket>()
        .upgrade_items()
        .segments(2)
        .writes_in_flight(1)
        .await
        .unwrap();
    assert_eq!(report.upgraded, 40, "{report:?}");
    assert_eq!(proxy.max_in_flight("PutItem"), 1);
}

/// `upgrade` on the command line: `--dry-run` counts and writes nothing;
/// then the backfill, with a checkpoint file deleted once done.
#[test]
fn the_command_line_upgrades_a_tables_items() {
    use dynamo_model::blocking::Blocking;
    use dynamo_model::cli::{Cli, EXIT_OK, EXIT_USAGE};
    use dynamo_model::CreateTableOptions;
    let local = LocalDynamoDb::start().sync().unwrap();
    let tables = TestTables::new(local.db())
        .with::<Ticket>()
        .create()
        .sync()
        .unwrap();
    old_items(tables.db(), 100).sync_ok();
    let prefix = tables.db().table_prefix().unwrap_or_default().to_owned();
    let checkpoint = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("upgrade-{}.json", std::process::id()));
    let cli = || Cli::new().model::<Ticket>(CreateTableOptions::new());
    let args = |more: &[&str]| {
        let mut args = vec![
            "tables",
            "--endpoint",
            local.endpoint(),
            "--table-prefix",
            prefix.as_str(),
            "upgrade",
        ];
        args.extend_from_slice(more);
        args.into_iter().map(str::to_owned).collect::<Vec<_>>()
    };
    // Values the library refuses are the command line's fault: exit 64,
    // nothing written (issue 31, point 11).
    for bad in [
        &["--segments", "0"][..],
        &["--capacity-fraction", "7"],
        &["--units-per-second", "0"],
        &["--writes-in-flight", "0"],
    ] {
        assert_eq!(cli().run_with(args(bad)), EXIT_USAGE, "{bad:?}");
    }
    let not_a_url = ["tables", "--endpoint", "not-a-url", "upgrade"];
    assert_eq!(cli().run_with(not_a_url), EXIT_USAGE);
    assert_eq!(cli().run_with(args(&["--dry-run"])), EXIT_OK);
    let shapes = stored_shapes(tables.db()).sync_ok();
    assert_eq!(shapes.get(&None), Some(&50), "a dry run writes nothing");
    let file = checkpoint.to_str().unwrap();
    assert_eq!(
        cli().run_with(args(&[
            "--segments",
            "2",
            "--writes-in-flight",
            "4",
            "--checkpoint",
            file
        ])),
        EXIT_OK
    );
    assert_eq!(
        stored_shapes(tables.db()).sync_ok(),
        HashMap::from([(Some(3), 100)])
    );
    assert!(
        !checkpoint.exists(),
        "the checkpoint file is gone once done"
    );
}

/// A checkpoint is a position in one table. Resumed on the model's table
/// under another prefix, or on its table deleted and created again, it
/// would report the backfill done with the items never upgraded: both are
/// refused, naming the tables, and nothing is written.
#[dynamo_model::test(models(Ticket))]
async fn a_checkpoint_of_another_table_or_of_the_table_created_again_is_refused(db: Db) {
    use dynamo_model::CreateTableOptions;
    let other = TestTables::new(&db)
        .with::<Ticket>()
        .create()
        .await
        .unwrap();
    old_items(&db, 300).await;
    old_items(other.db(), 300).await;
    let untouched = HashMap::from([(None, 150), (Some(2), 150)]);
    let tickets = db.table::<Ticket>();
    let done = tickets
        .upgrade_items()
        .segments(3)
        .await
        .unwrap()
        .checkpoint;
    assert!(done.is_done());
    assert_eq!(done.table(), tickets.name());

    let err = other
        .table::<Ticket>()
        .upgrade_items()
        .resume(done.clone())
        .await
        .unwrap_err();
    match &err {
        Error::CheckpointRefused {
            table,
            checkpoint_table,
            reason,
        } => {
            assert_eq!(table, other.table::<Ticket>().name());
            assert_eq!(checkpoint_table, tickets.name());
            assert!(reason.contains("another table"), "{err}");
        }
        _ => panic!("not refused as another table's: {err}"),
    }
    assert_eq!(err.table(), Some(other.table::<Ticket>().name()));
    assert_eq!(
        stored_shapes(other.db()).await,
        untouched,
        "nothing written"
    );

    // The same name, another table: deleted and created again.
    tickets
        .delete_table_and_wait(Duration::from_secs(60))
        .await
        .unwrap();
    tickets
        .create(CreateTableOptions::new().wait(true))
        .await
        .unwrap();
    old_items(&db, 300).await;
    let err = tickets.upgrade_items().resume(done).await.unwrap_err();
    assert!(
        matches!(&err, Error::CheckpointRefused { table, checkpoint_table, .. }
            if table == checkpoint_table),
        "{err}"
    );
    assert_eq!(stored_shapes(&db).await, untouched, "nothing written");
    // Started over without it, the backfill upgrades them all.
    let report = tickets.upgrade_items().await.unwrap();
    assert_eq!(report.upgraded, 300, "{report:?}");
}

/// A resumed checkpoint is checked as strictly as a fresh start: one of no
/// segments (which reported the backfill done with nothing scanned), or a
/// dry run's (whose positions stand past items it only counted), is
/// refused before any write.
#[dynamo_model::test(models(Ticket))]
async fn a_damaged_or_a_dry_runs_checkpoint_is_refused_before_any_write(db: Db) {
    old_items(&db, 200).await;
    let tickets = db.table::<Ticket>();
    let counted = tickets.upgrade_items().dry_run().segments(2).await.unwrap();
    assert!(counted.checkpoint.is_done());
    let err = tickets
        .upgrade_items()
        .resume(counted.checkpoint.clone())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::CheckpointRefused { reason, .. } if reason.contains("dry run")),
        "{err}"
    );

    let mut json = serde_json::to_value(&counted.checkpoint).unwrap();
    json.as_object_mut().unwrap().remove("dry_run");
    json["segments"] = serde_json::json!([]);
    let damaged: UpgradeCheckpoint = serde_json::from_value(json).unwrap();
    assert!(!damaged.is_done(), "no segment is not every segment done");
    let err = tickets.upgrade_items().resume(damaged).await.unwrap_err();
    assert!(
        matches!(&err, Error::CheckpointRefused { reason, .. } if reason.contains("0 segments")),
        "{err}"
    );
    assert_eq!(
        stored_shapes(&db).await,
        HashMap::from([(None, 100), (Some(2), 100)]),
        "nothing written"
    );
}

/// A checkpoint comes after each page of at most
/// `DEFAULT_UPGRADE_PAGE_SIZE` items, not after DynamoDB's 1 MB pages
/// (thousands of small items): a run stopped a few seconds in has one to
/// resume from. `page_size` sets the page.
#[dynamo_model::test(models(Ticket))]
async fn a_checkpoint_comes_after_each_page_of_at_most_the_page_size(db: Db) {
    use dynamo_model::DEFAULT_UPGRADE_PAGE_SIZE;
    old_items(&db, 1_000).await;
    let seen: Arc<Mutex<Vec<(u64, u64)>>> = Arc::default();
    let report = {
        let seen = Arc::clone(&seen);
        db.table::<Ticket>()
            .upgrade_items()
            .on_progress(move |p| seen.lock().unwrap().push((p.scanned, p.upgraded)))
            .await
            .unwrap()
    };
    assert_eq!(report.upgraded, 1_000, "{report:?}");
    let seen = seen.lock().unwrap().clone();
    let page = DEFAULT_UPGRADE_PAGE_SIZE as u64;
    assert!(seen.len() >= 10, "{} checkpoints: {seen:?}", seen.len());
    assert!(seen[0].1 <= page, "the first after a page: {seen:?}");
    let mut before = 0;
    for (scanned, upgraded) in &seen {
        assert!(*scanned - before <= page && upgraded <= scanned, "{seen:?}");
        before = *scanned;
    }

    old_items(&db, 100).await;
    let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = Arc::clone(&calls);
    let report = db
        .table::<Ticket>()
        .upgrade_items()
        .page_size(50)
        .on_progress(move |_| {
            counted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        })
        .await
        .unwrap();
    assert_eq!(report.upgraded, 100, "{report:?}");
    let calls = calls.load(std::sync::atomic::Ordering::Relaxed);
    assert!(calls >= 1_000 / 50, "{calls} checkpoints of 1,000 items");
}

/// `upgrade --checkpoint` with a file of another table prefix (the same
/// model's table), or a damaged one: refused (exit 1) before any write, and
/// the file kept as it was, not deleted as if the backfill were done.
#[test]
fn the_command_line_refuses_a_checkpoint_file_of_another_prefix_or_a_damaged_one() {
    use dynamo_model::blocking::Blocking;
    use dynamo_model::cli::{Cli, EXIT_ERROR, EXIT_OK, EXIT_USAGE};
    use dynamo_model::CreateTableOptions;
    let local = LocalDynamoDb::start().sync().unwrap();
    let fixture = || {
        TestTables::new(local.db())
            .with::<Ticket>()
            .create()
            .sync()
            .unwrap()
    };
    let (dev, prod) = (fixture(), fixture());
    old_items(dev.db(), 100).sync_ok();
    old_items(prod.db(), 100).sync_ok();
    let file = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("upgrade-refused-{}.json", std::process::id()));
    let path = file.to_str().unwrap().to_owned();
    let cli = || Cli::new().model::<Ticket>(CreateTableOptions::new());
    let upgrade = |prefix: &str, more: &[&str]| {
        let mut args = vec![
            "tables",
            "--endpoint",
            local.endpoint(),
            "--table-prefix",
            prefix,
            "upgrade",
            "--checkpoint",
            path.as_str(),
        ];
        args.extend_from_slice(more);
        args.into_iter().map(str::to_owned).collect::<Vec<_>>()
    };
    let still_old = || stored_shapes(prod.db()).sync_ok().get(&None).copied();

    // The file as a run on `dev` leaves it: dev's checkpoint, under the
    // model's table name.
    let dev_checkpoint = dev
        .table::<Ticket>()
        .upgrade_items()
        .sync()
        .unwrap()
        .checkpoint;
    let text =
        serde_json::to_string_pretty(&HashMap::from([("tickets", &dev_checkpoint)])).unwrap();
    std::fs::write(&file, &text).unwrap();
    assert_eq!(cli().run_with(upgrade(prod.prefix(), &[])), EXIT_ERROR);
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        text,
        "the file is kept"
    );
    assert_eq!(still_old(), Some(50), "nothing written");

    // prod's own checkpoint, damaged: no segments.
    let counted = prod
        .table::<Ticket>()
        .upgrade_items()
        .dry_run()
        .sync()
        .unwrap()
        .checkpoint;
    let mut damaged = serde_json::to_value(&counted).unwrap();
    damaged.as_object_mut().unwrap().remove("dry_run");
    damaged["segments"] = serde_json::json!([]);
    let text = serde_json::to_string_pretty(&serde_json::json!({ "tickets": damaged })).unwrap();
    std::fs::write(&file, &text).unwrap();
    assert_eq!(cli().run_with(upgrade(prod.prefix(), &[])), EXIT_ERROR);
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        text,
        "the file is kept"
    );
    assert_eq!(still_old(), Some(50), "nothing written");

    // A file cut short is not a checkpoint file (a usage error).
    std::fs::write(&file, &text[..text.len() / 2]).unwrap();
    assert_eq!(cli().run_with(upgrade(prod.prefix(), &[])), EXIT_USAGE);

    // Without it, prod's own backfill, in pages of 10: done, file gone.
    std::fs::remove_file(&file).unwrap();
    assert_eq!(
        cli().run_with(upgrade(prod.prefix(), &["--page-size", "10"])),
        EXIT_OK
    );
    assert_eq!(
        stored_shapes(prod.db()).sync_ok(),
        HashMap::from([(Some(3), 100)])
    );
    assert!(!file.exists(), "the checkpoint file is gone once done");
    assert_eq!(
        cli().run_with(upgrade(prod.prefix(), &["--page-size", "0"])),
        EXIT_USAGE
    );
}

/// Runs a future that returns no `Result` on the blocking runtime.
trait SyncOk: std::future::Future + Sized {
    fn sync_ok(self) -> Self::Output {
        use dynamo_model::blocking::Blocking;
        async { Ok::<_, dynamo_model::Error>(self.await) }
            .sync()
            .unwrap()
    }
}

impl<F: std::future::Future> SyncOk for F {}

/// On a provisioned table, `RateLimit::Fraction` takes its share of the
/// table's capacity: 200 items of about 1 KB at half of 100 write units a
/// second take at least 3 seconds (the first second's units are spent at
/// once). A hang guard bounds it, never a timing of speed.
#[tokio::test]
async fn a_fraction_of_a_provisioned_tables_capacity_holds_the_backfill_to_it() {
    use dynamo_model::CreateTableOptions;
    let local = LocalDynamoDb::start().await.unwrap();
    let tables = TestTables::new(local.db())
        .options(CreateTableOptions::new().provisioned(100, 100))
        .with::<Ticket>()
        .create()
        .await
        .unwrap();
    let olds: Vec<WrittenV1> = (0..200).map(|id| WrittenV1 { id, price: 1.5 }).collect();
    tables
        .db()
        .table::<WrittenV1>()
        .batch_put(&olds)
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let report = tables
        .table::<Ticket>()
        .upgrade_items()
        .rate_limit(RateLimit::Fraction(0.5))
        .await
        .unwrap();
    assert_eq!(report.upgraded, 200);
    // 200 puts of at least 1 write unit each, at 50 units a second.
    assert!(report.write_units >= 200.0, "{report:?}");
    let floor = Duration::from_secs_f64((report.write_units - 50.0) / 50.0);
    assert!(
        started.elapsed() >= floor,
        "{:?} < {floor:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_field_its_shape_lacked_set_between_the_scan_and_the_rewrite_is_kept() {
    let (local, tables) = own_table::<Memo>().await;
    let old_code = tables.db().table::<WrittenMemoV1>();
    old_code
        .put(&WrittenMemoV1 { id: 1, text: None })
        .await
        .unwrap();
    // The first rewrite waits in the proxy while old code sets the text.
    let (proxy, db) = holding_puts(&local, &tables, Duration::from_secs(2), Some(1));
    let backfill = tokio::spawn(db.table::<Memo>().upgrade_items().into_future());
    tokio::time::timeout(Duration::from_secs(30), async {
        while proxy.requests("PutItem") == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("the backfill's rewrite reaches the proxy");
    old_code
        .put(&WrittenMemoV1 {
            id: 1,
            text: Some("set in between".into()),
        })
        .await
        .unwrap();
    let report = backfill.await.unwrap().unwrap();
    assert_eq!(
        (report.upgraded, report.retried),
        (1, 1),
        "the held rewrite fails its condition and is redone: {report:?}"
    );
    assert_eq!(
        tables.table::<Memo>().get(1).await.unwrap(),
        Some(Memo {
            id: 1,
            text: Some("set in between".into()),
            words: 3,
        })
    );
}
