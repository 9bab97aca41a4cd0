//! A table's stream read over the DynamoDB Streams API (issue 21, points 3
//! and 4): every change of a random run of puts, updates and deletes comes
//! back, in order per key; a reader stopped mid-way and resumed from its
//! checkpoint loses none and repeats none; a reader at LATEST sees only
//! what comes after it; a record that does not decode is an error that
//! carries the checkpoint past it; a stream turned off, or turned off and
//! on, is read to its end and then ends with `Error::StreamEnded`.
//! dynalite has no streams: there the reader's error is checked instead.

mod support;

use std::collections::HashMap;
use std::time::Duration;

use dynamo_model::{
    Change, ChangeKind, Db, DynamoModel, Error, StartingPosition, StreamView, UpdateTableOptions,
};
use futures_util::{Stream, StreamExt};
use serde::{Deserialize, Serialize};
use support::backend::{lacks, supports, Feature};
use support::changes::{nothing_more, take_changes};

#[derive(DynamoModel, Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Counter {
    #[hash_key]
    id: u32,
    value: u64,
}

/// What a change says of its key: its kind and the new value.
type Seen = (u32, ChangeKind, Option<u64>);

/// A deterministic run of `ops` puts, updates and deletes over 50 keys
/// (`state`: the items there are, kept up to date), and the changes it
/// makes, in order. Every write changes the item (a
/// write that changes nothing makes no record), and an update only
/// touches an item that exists (moto records an update that creates an
/// item twice).
async fn random_writes(db: &Db, state: &mut HashMap<u32, u64>, ops: u64, seed: u64) -> Vec<Seen> {
    let counters = db.table::<Counter>();
    let mut expected = Vec::new();
    let mut x = seed;
    for n in 0..ops {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let id = ((x >> 33) % 50) as u32;
        let value = seed * 1_000_000 + n;
        match ((x >> 20) % 3, state.contains_key(&id)) {
            (2, true) => {
                counters.delete(id).await.unwrap();
                state.remove(&id);
                expected.push((id, ChangeKind::Remove, None));
            }
            (1, true) => {
                counters
                    .update(id)
                    .set(Counter::fields().value, value)
                    .await
                    .unwrap();
                state.insert(id, value);
                expected.push((id, ChangeKind::Modify, Some(value)));
            }
            (_, present) => {
                counters.put(&Counter { id, value }).await.unwrap();
                state.insert(id, value);
                let kind = if present {
                    ChangeKind::Modify
                } else {
                    ChangeKind::Insert
                };
                expected.push((id, kind, Some(value)));
            }
        }
    }
    expected
}

/// The next `n` changes of `changes`, each with the checkpoint after it.
async fn take<S>(changes: &mut S, n: usize) -> Vec<(Seen, dynamo_model::Checkpoint)>
where
    S: Stream<Item = dynamo_model::Result<dynamo_model::Change<Counter>>> + Unpin,
{
    take_changes(changes, n, |change| {
        let id = match change.key().attributes().get("id") {
            Some(dynamo_model::aws_sdk_dynamodb::types::AttributeValue::N(id)) => {
                id.parse().unwrap()
            }
            other => panic!("a key without its id: {other:?}"),
        };
        let new = change.new_image().unwrap().map(|c| c.value);
        assert_eq!(change.new_image().unwrap().map(|c| c.id).unwrap_or(id), id);
        let checkpoint = change
            .checkpoint()
            .expect("a reader's change has one")
            .clone();
        ((id, change.kind(), new), checkpoint)
    })
    .await
}

/// The changes of each key, in order.
fn per_key(changes: &[Seen]) -> HashMap<u32, Vec<Seen>> {
    let mut out: HashMap<u32, Vec<Seen>> = HashMap::new();
    for change in changes {
        out.entry(change.0).or_default().push(*change);
    }
    out
}

/// Whether the backend has no streams (said on the test's output).
fn no_stream() -> bool {
    if supports(Feature::Streams) {
        return false;
    }
    lacks(
        Feature::Streams,
        "that reading a table's changes is an error naming the missing stream",
    );
    true
}

#[dynamo_model::test(models(Counter), stream = NewAndOldImages)]
async fn every_change_comes_back_in_order_per_key(db: Db) {
    let counters = db.table::<Counter>();
    if no_stream() {
        let mut changes = Box::pin(counters.changes(StartingPosition::TrimHorizon));
        let err = changes.next().await.unwrap().unwrap_err();
        assert!(
            matches!(&err, Error::InvalidInput { reason, .. } if reason.contains("no stream")),
            "{err}"
        );
        return;
    }
    let expected = random_writes(&db, &mut HashMap::new(), 1000, 1).await;
    let mut changes = Box::pin(counters.changes(StartingPosition::TrimHorizon));
    let read: Vec<Seen> = take(&mut changes, expected.len())
        .await
        .into_iter()
        .map(|(seen, _)| seen)
        .collect();
    assert_eq!(per_key(&read), per_key(&expected));
}

#[dynamo_model::test(models(Counter), stream = NewAndOldImages)]
async fn a_reader_resumed_from_its_checkpoint_loses_and_repeats_nothing(db: Db) {
    if no_stream() {
        return;
    }
    let counters = db.table::<Counter>();
    let mut state = HashMap::new();
    let expected = random_writes(&db, &mut state, 300, 2).await;
    // Stopped after 120 changes, its checkpoint saved; then resumed.
    let mut first = Box::pin(counters.changes(StartingPosition::TrimHorizon));
    let before = take(&mut first, 120).await;
    drop(first);
    let checkpoint = before.last().unwrap().1.clone();
    // Checkpoints survive a round trip through JSON, as a saved one does.
    let saved = serde_json::to_string(&checkpoint).unwrap();
    let checkpoint: dynamo_model::Checkpoint = serde_json::from_str(&saved).unwrap();
    let more = random_writes(&db, &mut state, 100, 3).await;
    let mut resumed = Box::pin(counters.changes(StartingPosition::Checkpoint(checkpoint)));
    let after = take(&mut resumed, expected.len() - 120 + more.len()).await;
    let read: Vec<Seen> = before
        .into_iter()
        .chain(after)
        .map(|(seen, _)| seen)
        .collect();
    let all: Vec<Seen> = expected.into_iter().chain(more).collect();
    assert_eq!(per_key(&read), per_key(&all));
    nothing_more(&mut resumed).await;
}

#[dynamo_model::test(models(Counter), stream = NewImage)]
async fn a_reader_at_latest_reads_only_what_comes_after_it(db: Db) {
    if no_stream() {
        return;
    }
    let counters = db.table::<Counter>();
    random_writes(&db, &mut HashMap::new(), 20, 4).await;
    let mut changes = Box::pin(counters.changes(StartingPosition::Latest));
    // The first poll starts the reader at the stream's end (given time to,
    // on a busy machine: a write before that is before LATEST).
    assert!(tokio::time::timeout(Duration::from_secs(3), changes.next())
        .await
        .is_err());
    counters.put(&Counter { id: 7, value: 99 }).await.unwrap();
    let read = take(&mut changes, 1).await;
    assert_eq!(read[0].0 .0, 7);
    assert_eq!(read[0].0 .2, Some(99));
}

#[derive(DynamoModel, Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Session {
    #[hash_key]
    token: String,
    #[ttl]
    expires_at: i64,
}

/// A remove made by TTL reads as one (`is_ttl_remove`, with the item's
/// last image), and a caller's delete does not. Only the embedded backend
/// removes expired items on demand (`LocalDynamoDb::remove_expired`);
/// DynamoDB Local does so on its own schedule, and moto never: there the
/// caller's delete is checked. dynoxide spells a record's identity as a
/// Lambda event does (`type`, `principalId`), which the Streams SDK does
/// not read (the API says `Type`, `PrincipalId`): the reader reads it
/// straight from the embedded backend (as a user's test does), and through
/// the fault proxy, which spells it as the API does (issue 31, point 12).
#[tokio::test]
async fn a_remove_by_ttl_reads_as_one_and_a_delete_does_not() {
    use dynamo_model::testing::{LocalDynamoDb, TestTables};
    use dynamo_model::{CreateTableOptions, StreamView};
    if no_stream() {
        return;
    }
    let local = LocalDynamoDb::start().await.unwrap();
    let tables = TestTables::new(local.db())
        .options(CreateTableOptions::new().stream(StreamView::NewAndOldImages))
        .with::<Session>()
        .create()
        .await
        .unwrap();
    let sessions = tables.table::<Session>();
    let (proxy, through) = support::faulty::through_proxy(&local, &tables);
    proxy.spell_identity_as_the_api();
    let long_ago = 1_000_000_000;
    for token in ["expired", "deleted"] {
        let session = Session {
            token: token.into(),
            expires_at: long_ago,
        };
        sessions.put(&session).await.unwrap();
    }
    sessions.delete("deleted").await.unwrap();
    let swept = local.remove_expired();
    assert_eq!(swept.is_some(), supports(Feature::TtlSweep));
    for table in [sessions, through.table::<Session>()] {
        let mut changes = Box::pin(table.changes(StartingPosition::TrimHorizon));
        // Two puts and a delete, and the sweep's remove.
        let all = 3 + usize::from(swept.is_some());
        let removes: Vec<(String, bool)> = take_changes(&mut changes, all, |change| {
            let token = change.old_image().unwrap().map(|s| s.token.clone());
            (change.kind(), token, change.is_ttl_remove())
        })
        .await
        .into_iter()
        .filter(|(kind, ..)| *kind == ChangeKind::Remove)
        .map(|(_, token, by_ttl)| (token.unwrap(), by_ttl))
        .collect();
        match swept {
            Some(count) => {
                assert_eq!(count, 1);
                assert_eq!(
                    removes,
                    [("deleted".to_owned(), false), ("expired".to_owned(), true)]
                );
            }
            None => {
                lacks(
                    Feature::TtlSweep,
                    "that a caller's delete does not read as a TTL remove",
                );
                assert_eq!(removes, [("deleted".to_owned(), false)]);
            }
        }
    }
}

/// Sync code reads a table's changes as an iterator (`sync_iter`, the one
/// blocking form of any stream), here from a plain `#[test]`.
#[test]
fn sync_code_reads_the_changes_as_an_iterator() {
    use dynamo_model::blocking::{Blocking, BlockingStream};
    use dynamo_model::testing::{LocalDynamoDb, TestTables};
    use dynamo_model::{CreateTableOptions, StreamView};
    if no_stream() {
        return;
    }
    let local = LocalDynamoDb::start().sync().unwrap();
    let tables = TestTables::new(local.db())
        .options(CreateTableOptions::new().stream(StreamView::NewImage))
        .with::<Counter>()
        .create()
        .sync()
        .unwrap();
    let counters = tables.table::<Counter>();
    for id in 0..3 {
        counters
            .put(&Counter {
                id,
                value: 10 + u64::from(id),
            })
            .sync()
            .unwrap();
    }
    let values: Vec<u64> = counters
        .changes(StartingPosition::TrimHorizon)
        .sync_iter()
        .take(3)
        .map(|change| change.unwrap().into_images().1.unwrap().value)
        .collect();
    assert_eq!(values, [10, 11, 12]);
}

/// `Counter`'s table, with a value `Counter` cannot read.
#[derive(DynamoModel, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[dynamo(table = "counter")]
struct Garbled {
    #[hash_key]
    id: u32,
    value: String,
}

/// The next item of the stream (a change, or an error); panics when none
/// comes within a minute or the stream ends.
async fn next<S>(changes: &mut S) -> dynamo_model::Result<Change<Counter>>
where
    S: Stream<Item = dynamo_model::Result<Change<Counter>>> + Unpin,
{
    tokio::time::timeout(Duration::from_secs(60), changes.next())
        .await
        .expect("an item within a minute")
        .expect("the stream does not end before it")
}

/// The first error of the stream, past any changes (a server that serves
/// a replaced stream's shard with the new stream's records gives some);
/// panics when none comes within a minute.
async fn until_error<S>(changes: &mut S) -> Error
where
    S: Stream<Item = dynamo_model::Result<Change<Counter>>> + Unpin,
{
    let wait = async {
        loop {
            match changes.next().await {
                Some(Ok(_)) => continue,
                Some(Err(err)) => return err,
                None => panic!("the stream ended without saying why"),
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(60), wait)
        .await
        .expect("an error within a minute")
}

/// A record that does not decode is an error in its place that carries
/// the checkpoint just past it: polled again, the reader goes on; resumed
/// from the change before it, it stops at it again; resumed from the
/// error's checkpoint (once the record is set aside), past it.
#[dynamo_model::test(models(Counter), stream = NewAndOldImages)]
async fn a_record_that_does_not_decode_carries_the_checkpoint_past_it(db: Db) {
    if no_stream() {
        return;
    }
    let counters = db.table::<Counter>();
    counters.put(&Counter { id: 1, value: 10 }).await.unwrap();
    db.table::<Garbled>()
        .put(&Garbled {
            id: 2,
            value: "ten".into(),
        })
        .await
        .unwrap();
    counters.put(&Counter { id: 3, value: 30 }).await.unwrap();

    let mut changes = Box::pin(counters.changes(StartingPosition::TrimHorizon));
    let first = next(&mut changes).await.unwrap();
    assert_eq!(first.new_image().unwrap().map(|c| c.id), Some(1));
    let before = first.checkpoint().unwrap().clone();
    let err = next(&mut changes).await.unwrap_err();
    assert!(
        matches!(&err, Error::ChangeUnreadable { key: Some(key), source, .. }
            if key == "id = 2" && matches!(**source, Error::Serde { .. })),
        "{err}"
    );
    let past = err
        .checkpoint()
        .expect("a reader's unreadable change carries the checkpoint past it")
        .clone();
    let third = next(&mut changes).await.unwrap();
    assert_eq!(third.new_image().unwrap().map(|c| c.id), Some(3));
    drop(changes);

    let mut again = Box::pin(counters.changes(StartingPosition::Checkpoint(before)));
    assert!(next(&mut again).await.is_err(), "stops at it again");
    drop(again);
    let mut resumed = Box::pin(counters.changes(StartingPosition::Checkpoint(past)));
    let after = next(&mut resumed).await.unwrap();
    assert_eq!(after.new_image().unwrap().map(|c| c.id), Some(3));
    nothing_more(&mut resumed).await;
}

/// A stream turned off gets no more changes, and the servers keep it
/// readable (DynamoDB for 24 hours; DynamoDB Local with no record, no
/// error and no end): the reader reads what it holds, then ends with
/// `Error::StreamEnded` (within the ten seconds it takes to ask again)
/// instead of waiting on it forever.
#[dynamo_model::test(models(Counter), stream = NewAndOldImages)]
async fn a_reader_of_a_stream_turned_off_reads_it_to_its_end_and_then_ends(db: Db) {
    if no_stream() {
        return;
    }
    let counters = db.table::<Counter>();
    for id in 0..3 {
        counters
            .put(&Counter {
                id,
                value: u64::from(id),
            })
            .await
            .unwrap();
    }
    let mut changes = Box::pin(counters.changes(StartingPosition::TrimHorizon));
    let read = take(&mut changes, 3).await;
    let arn = read[2].1.stream_arn().to_owned();
    counters
        .update_table(UpdateTableOptions::new().disable_stream().wait(true))
        .await
        .unwrap();
    let end = until_error(&mut changes).await;
    assert!(
        matches!(&end, Error::StreamEnded { stream_arn, latest: None, .. } if *stream_arn == arn),
        "{end}"
    );
    let after = tokio::time::timeout(Duration::from_secs(5), changes.next())
        .await
        .expect("the reader ends at once");
    assert!(after.is_none(), "nothing after the end");
}

/// A stream turned off and on again is a new stream (a new
/// LatestStreamArn), which a reader of the old one never sees: the old
/// one's reader, running or resumed from its checkpoint, reads it to its
/// end and then ends naming the new one; a reader started on the table
/// again reads the new one.
#[dynamo_model::test(models(Counter), stream = NewAndOldImages)]
async fn a_stream_turned_off_and_on_again_ends_naming_the_new_stream(db: Db) {
    if no_stream() {
        return;
    }
    let counters = db.table::<Counter>();
    counters.put(&Counter { id: 1, value: 1 }).await.unwrap();
    let mut changes = Box::pin(counters.changes(StartingPosition::TrimHorizon));
    let old = take(&mut changes, 1).await.remove(0).1;
    counters
        .update_table(UpdateTableOptions::new().disable_stream().wait(true))
        .await
        .unwrap();
    if !supports(Feature::StreamReenable) {
        let err = counters
            .update_table(
                UpdateTableOptions::new()
                    .stream(StreamView::NewAndOldImages)
                    .wait(true),
            )
            .await
            .unwrap_err();
        assert!(err.to_string().contains("Cannot enable stream"), "{err}");
        let end = until_error(&mut changes).await;
        assert!(matches!(&end, Error::StreamEnded { .. }), "{end}");
        lacks(
            Feature::StreamReenable,
            "that the reader of the turned-off stream ends with StreamEnded",
        );
        return;
    }
    let table = counters
        .update_table(
            UpdateTableOptions::new()
                .stream(StreamView::NewAndOldImages)
                .wait(true),
        )
        .await
        .unwrap();
    let new = table
        .latest_stream_arn()
        .expect("the table's new stream")
        .to_owned();
    assert_ne!(new, old.stream_arn(), "turned on again, a new stream");
    counters.put(&Counter { id: 2, value: 2 }).await.unwrap();

    let end = until_error(&mut changes).await;
    assert!(
        matches!(&end, Error::StreamEnded { latest: Some(latest), .. } if *latest == new),
        "{end}"
    );
    let mut resumed = Box::pin(counters.changes(StartingPosition::Checkpoint(old)));
    let end = until_error(&mut resumed).await;
    assert!(
        matches!(&end, Error::StreamEnded { latest: Some(latest), .. } if *latest == new),
        "{end}"
    );

    // dynoxide's new stream holds the old one's records too: look for the
    // new change among the first few.
    let mut fresh = Box::pin(counters.changes(StartingPosition::TrimHorizon));
    let mut ids = Vec::new();
    while !ids.contains(&2) {
        let change = next(&mut fresh).await.unwrap();
        assert_eq!(change.checkpoint().unwrap().stream_arn(), new);
        ids.extend(change.new_image().unwrap().map(|c| c.id));
        assert!(ids.len() <= 2, "only the two puts: {ids:?}");
    }
}
