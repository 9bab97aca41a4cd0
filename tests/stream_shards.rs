//! A stream of several shards (issue 21, point 3): a shard that closes and
//! the child that follows it, and sibling shards open side by side. The
//! local servers keep one shard for hours, so the fault proxy shows that
//! one shard as several ([`VirtualShard`]), in front of the backend under
//! test: a split at a sequence number, the child listed only once the
//! parent is read to its end, as in DynamoDB; siblings by key.
//!
//! Checked: the parent is read to its end before its child and each key's
//! changes come in order across the split; readers stopped in the parent
//! and in the child resume with no loss and no repeat; a reader started at
//! LATEST and stopped before its first change on one shard resumes that
//! shard from its start, without the changes made before it first started
//! (dated an hour back by the proxy) and without losing those made while
//! it was stopped. A checkpoint that does not fit the stream's shards (an
//! open shard marked read to its end, a sequence number past a closed
//! shard's end) is refused before anything is read. dynalite has no
//! streams: there only the error is checked, in `tests/streams.rs`.

mod support;

use std::time::Duration;

use dynamo_model::testing::{LocalDynamoDb, TestTables};
use dynamo_model::{
    Change, Checkpoint, CreateTableOptions, DynamoModel, Error, StartingPosition, StreamView,
};
use futures_util::{Stream, StreamExt};
use serde::{Deserialize, Serialize};
use support::backend::{lacks, supports, Feature};
use support::changes::{nothing_more, take_changes};
use support::fault_proxy::{FaultProxy, VirtualShard};
use support::faulty::through_proxy;

#[derive(DynamoModel, Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Tally {
    #[hash_key]
    id: String,
    value: u64,
}

/// A key's change as the test sees it: key, and the new value (`None`: removed).
type Seen = (String, Option<u64>);

struct Setup {
    proxy: FaultProxy,
    /// Through the proxy.
    tallies: dynamo_model::Table<Tally>,
    /// Straight to the backend.
    direct: dynamo_model::Table<Tally>,
    _tables: TestTables,
    _local: LocalDynamoDb,
}

/// The backend under test with a streamed table, and the proxy before it;
/// `None` on a backend without streams.
async fn setup() -> Option<Setup> {
    if !supports(Feature::Streams) {
        lacks(
            Feature::Streams,
            "nothing here (tests/streams.rs checks the error)",
        );
        return None;
    }
    let local = LocalDynamoDb::start().await.expect("start the backend");
    let tables = TestTables::new(local.db())
        .options(CreateTableOptions::new().stream(StreamView::NewAndOldImages))
        .with::<Tally>()
        .create()
        .await
        .expect("create the table");
    let (proxy, db) = through_proxy(&local, &tables);
    Some(Setup {
        proxy,
        tallies: db.table::<Tally>(),
        direct: tables.table::<Tally>(),
        _tables: tables,
        _local: local,
    })
}

/// `n` writes over 10 keys named `prefix-k` (a put, or a delete of an item
/// there is, every third write), and what each changed.
async fn writes(
    tallies: &dynamo_model::Table<Tally>,
    prefix: &str,
    n: u64,
    seed: u64,
) -> Vec<Seen> {
    let mut there = std::collections::HashSet::new();
    let mut seen = Vec::new();
    for i in 0..n {
        let id = format!("{prefix}-{}", (i * 7 + seed) % 10);
        if i % 3 == 2 && there.remove(&id) {
            tallies.delete(id.as_str()).await.unwrap();
            seen.push((id, None));
        } else {
            let value = seed * 1000 + i;
            tallies
                .put(&Tally {
                    id: id.clone(),
                    value,
                })
                .await
                .unwrap();
            there.insert(id.clone());
            seen.push((id, Some(value)));
        }
    }
    seen
}

/// The next `n` changes, each with its checkpoint.
async fn take<S>(changes: &mut S, n: usize) -> Vec<(Seen, Checkpoint)>
where
    S: Stream<Item = dynamo_model::Result<Change<Tally>>> + Unpin,
{
    take_changes(changes, n, |change| {
        let id = change
            .old_image()
            .unwrap()
            .or(change.new_image().unwrap())
            .map(|t| t.id.clone())
            .expect("an image");
        let value = change.new_image().unwrap().map(|t| t.value);
        ((id, value), change.checkpoint().unwrap().clone())
    })
    .await
}

/// How the checkpoint marks shard `id`, as its JSON says.
fn mark(checkpoint: &Checkpoint, id: &str) -> serde_json::Value {
    serde_json::to_value(checkpoint).unwrap()["shards"][id].clone()
}

/// The sequence number of the last change there is, read straight from
/// the backend.
async fn last_sequence_number(direct: &dynamo_model::Table<Tally>, changes: usize) -> String {
    let mut all = Box::pin(direct.changes(StartingPosition::TrimHorizon));
    let mut last = None;
    for _ in 0..changes {
        let change = tokio::time::timeout(Duration::from_secs(60), all.next())
            .await
            .expect("a change within a minute")
            .unwrap()
            .unwrap();
        last = Some(change.sequence_number().to_owned());
    }
    last.expect("at least one change")
}

#[tokio::test]
async fn a_parent_shard_is_read_to_its_end_before_its_child_and_resumes_across_the_split() {
    let Some(s) = setup().await else { return };
    let before = writes(&s.direct, "k", 60, 1).await;
    let split = last_sequence_number(&s.direct, before.len()).await;
    s.proxy.virtual_shards(vec![
        VirtualShard::new("shard-parent").until(&split),
        VirtualShard::new("shard-child")
            .parent("shard-parent")
            .after(&split),
    ]);
    let after = writes(&s.direct, "k", 60, 2).await;

    // Stopped in the parent, then in the child, then read to the end.
    let mut first = Box::pin(s.tallies.changes(StartingPosition::TrimHorizon));
    let one = take(&mut first, 25).await;
    drop(first);
    assert_eq!(mark(&one[24].1, "shard-child"), serde_json::Value::Null);
    let mut second = Box::pin(
        s.tallies
            .changes(StartingPosition::Checkpoint(one[24].1.clone())),
    );
    let two = take(&mut second, 60).await;
    drop(second);
    assert!(s.proxy.shard_closed("shard-parent"));
    let at = &two.last().unwrap().1;
    assert_eq!(mark(at, "shard-parent"), "done");
    assert!(mark(at, "shard-child")["after"].is_string(), "{at:?}");
    let mut third = Box::pin(s.tallies.changes(StartingPosition::Checkpoint(at.clone())));
    let three = take(&mut third, 120 - 85).await;
    nothing_more(&mut third).await;

    let read: Vec<Seen> = one
        .into_iter()
        .chain(two)
        .chain(three)
        .map(|(seen, _)| seen)
        .collect();
    // One key's changes are all of one run of writes per shard, so the
    // split keeps their order only if the whole parent came first.
    assert_eq!(read[..60], before[..], "the parent's changes, in order");
    assert_eq!(read[60..], after[..], "then the child's");
}

#[tokio::test]
async fn a_reader_started_at_latest_resumes_an_unread_shard_without_loss() {
    let Some(s) = setup().await else { return };
    s.proxy.virtual_shards(vec![
        VirtualShard::new("shard-a").keys_containing("\"a-"),
        VirtualShard::new("shard-b").keys_containing("\"b-"),
    ]);
    // Changes made long before the reader starts (dated an hour back).
    s.proxy.age_records("old", 3600);
    writes(&s.direct, "a-old", 5, 1).await;
    writes(&s.direct, "b-old", 5, 1).await;

    let mut first = Box::pin(s.tallies.changes(StartingPosition::Latest));
    // The first poll starts the reader at the end of both shards.
    assert!(tokio::time::timeout(Duration::from_secs(3), first.next())
        .await
        .is_err());
    let a1 = writes(&s.direct, "a-new", 1, 2).await;
    let one = take(&mut first, 1).await;
    drop(first);
    assert_eq!(one[0].0, a1[0]);
    let at = &one[0].1;
    assert!(mark(at, "shard-a")["after"].is_string(), "{at:?}");
    assert!(
        mark(at, "shard-b")["since"].is_u64(),
        "shard b unread: {at:?}"
    );

    // Made while no reader runs: on the unread shard, and on the other.
    let b1 = writes(&s.direct, "b-new", 3, 3).await;
    let a2 = writes(&s.direct, "a-new", 2, 4).await;
    let mut resumed = Box::pin(s.tallies.changes(StartingPosition::Checkpoint(at.clone())));
    let mut read: Vec<Seen> = take(&mut resumed, 5)
        .await
        .into_iter()
        .map(|(seen, _)| seen)
        .collect();
    nothing_more(&mut resumed).await;
    read.sort();
    let mut expected: Vec<Seen> = b1.into_iter().chain(a2).collect();
    expected.sort();
    assert_eq!(read, expected);
}

/// The checkpoint with shard `id`'s mark replaced, as a hand edit of its
/// JSON would.
fn edited(checkpoint: &Checkpoint, id: &str, mark: serde_json::Value) -> Checkpoint {
    let mut json = serde_json::to_value(checkpoint).unwrap();
    json["shards"][id] = mark;
    serde_json::from_value(json).unwrap()
}

/// What a reader resumed from `checkpoint` first gives: here, the error.
async fn refusal(tallies: &dynamo_model::Table<Tally>, checkpoint: Checkpoint) -> Error {
    let mut changes = Box::pin(tallies.changes(StartingPosition::Checkpoint(checkpoint)));
    tokio::time::timeout(Duration::from_secs(60), changes.next())
        .await
        .expect("an answer within a minute")
        .expect("an item")
        .unwrap_err()
}

/// A shard marked read to its end is never read again, so a checkpoint
/// edited to mark an open one done would skip its changes for good; and a
/// sequence number past a closed shard's end reads nothing, silently on
/// moto. Both are refused, naming the shard, before anything is read;
/// the checkpoint as the reader gave it resumes.
#[tokio::test]
async fn a_checkpoint_that_does_not_fit_the_streams_shards_is_refused() {
    let Some(s) = setup().await else { return };
    let before = writes(&s.direct, "k", 6, 1).await;
    let split = last_sequence_number(&s.direct, before.len()).await;
    s.proxy.virtual_shards(vec![
        VirtualShard::new("shard-parent").until(&split),
        VirtualShard::new("shard-child")
            .parent("shard-parent")
            .after(&split),
    ]);
    let after = writes(&s.direct, "k", 6, 2).await;
    let mut first = Box::pin(s.tallies.changes(StartingPosition::TrimHorizon));
    let read = take(&mut first, before.len() + 2).await;
    drop(first);
    let at = read.last().unwrap().1.clone();
    assert_eq!(mark(&at, "shard-parent"), "done");
    assert!(mark(&at, "shard-child")["after"].is_string(), "{at:?}");

    let open_done = edited(&at, "shard-child", serde_json::json!("done"));
    let err = refusal(&s.tallies, open_done).await;
    assert!(
        matches!(&err, Error::InvalidInput { option: "checkpoint", reason, .. }
            if reason.contains("shard `shard-child` read to its end") && reason.contains("open")),
        "{err}"
    );
    // Ten times the shard's last sequence number: past its end.
    let past_end = edited(
        &at,
        "shard-parent",
        serde_json::json!({ "after": format!("{split}0") }),
    );
    let err = refusal(&s.tallies, past_end).await;
    assert!(
        matches!(&err, Error::InvalidInput { option: "checkpoint", reason, .. }
            if reason.contains("past the shard's last") && reason.contains(&split)),
        "{err}"
    );

    let mut resumed = Box::pin(s.tallies.changes(StartingPosition::Checkpoint(at)));
    let rest = take(&mut resumed, after.len() - 2).await;
    assert_eq!(rest.last().unwrap().0, *after.last().unwrap());
    nothing_more(&mut resumed).await;
}
