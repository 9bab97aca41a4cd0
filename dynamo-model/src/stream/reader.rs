//! A reader of a table's stream over the DynamoDB Streams API (feature
//! `streams`), for one process: tests, development, small workers. Every
//! shard is read, a parent drained before its children so that the changes
//! of one key come in order; a checkpoint after each change resumes the
//! reader where the caller left off. At scale, the Lambda event source
//! mapping reads a stream ([`lambda`](super::lambda)).

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::{Duration, SystemTime};

use aws_sdk_dynamodbstreams::error::SdkError;
use aws_sdk_dynamodbstreams::operation::get_records::GetRecordsError;
use aws_sdk_dynamodbstreams::types::{Record, ShardIteratorType};
use futures_core::Stream;
use serde::{Deserialize, Serialize};
use serde_dynamo::Item;

use super::change::Change;
use super::record::StreamRecord;
use crate::error::{Error, Result};
use crate::read::page::ReadItem;
use crate::{DynamoModel, Table};

/// How long a reader that found nothing new waits before it asks again.
const IDLE_WAIT: Duration = Duration::from_millis(200);

/// How often a reader looks for new shards (DescribeStream allows 10 calls
/// a second; a shard splits about every 4 hours), besides when one closes.
const DESCRIBE_EVERY: Duration = Duration::from_secs(10);

/// Records one GetRecords call asks for (DynamoDB's maximum).
const RECORDS_PER_CALL: i32 = 1000;

/// Where a reader of a stream starts.
#[derive(Debug, Clone)]
pub enum StartingPosition {
    /// The oldest change the stream holds (it keeps 24 hours).
    TrimHorizon,
    /// The changes made from now on.
    Latest,
    /// After the last change a checkpoint was taken at
    /// ([`Change::checkpoint`]).
    Checkpoint(Checkpoint),
}

/// Where a reader stands in a stream: per shard, the last change read, or
/// that the shard is read to its end. Serializable, to be saved with the
/// work a change caused and handed back as
/// [`StartingPosition::Checkpoint`]: a reader resumed from it loses no
/// change after it, and repeats none before it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Checkpoint {
    stream_arn: String,
    shards: BTreeMap<String, Mark>,
}

/// How far one shard is read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Mark {
    /// Read up to this sequence number.
    After(String),
    /// Nothing read yet; changes made before this time (epoch seconds,
    /// rounded down to the minute, as some servers round a record's time)
    /// are not wanted: a reader that started at LATEST, resumed.
    Since(u64),
    /// Read to its end (a closed shard).
    Done,
}

impl Checkpoint {
    /// The ARN of the stream it is a position in.
    pub fn stream_arn(&self) -> &str {
        &self.stream_arn
    }
}

impl<M: DynamoModel + ReadItem + Send + 'static> Table<M> {
    /// Every change of the table's stream from `from`, decoded into `M`
    /// (see [`StreamRecord::decode`]): a stream that waits for new changes
    /// and never ends, unless the stream is gone or a request fails for
    /// good. Each change carries the checkpoint after it. A record that
    /// does not decode is an error in its place, and reading goes on.
    ///
    /// The table needs a stream (`CreateTableOptions::stream`); a
    /// checkpoint of another stream (the stream was turned off and on) is
    /// refused, and one older than the stream's 24 hours is the server's
    /// `TrimmedDataAccessException`. A reader started at LATEST and
    /// resumed before it read a change of some shard reads that shard from
    /// its start without the changes older than the minute it first
    /// started in (a record's time is rounded down; a change made up to a
    /// minute before the start may come).
    ///
    /// Sync code reads it as an iterator that never ends:
    /// `changes(from).sync_iter()` ([`BlockingStream`](crate::blocking::BlockingStream),
    /// feature `blocking`).
    ///
    /// ```
    /// use dynamo_model::testing::LocalDynamoDb;
    /// use dynamo_model::{ChangeKind, CreateTableOptions, DynamoModel, StartingPosition, StreamView};
    /// use futures_util::StreamExt;
    ///
    /// #[derive(DynamoModel, serde::Serialize, serde::Deserialize, Debug)]
    /// struct User { #[hash_key] id: String, name: String }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = LocalDynamoDb::embedded()?;
    /// let users = local.db().table::<User>();
    /// users
    ///     .create(CreateTableOptions::new().stream(StreamView::NewAndOldImages).wait(true))
    ///     .await?;
    /// users.put(&User { id: "u1".into(), name: "Ada".into() }).await?;
    /// let mut changes = std::pin::pin!(users.changes(StartingPosition::TrimHorizon));
    /// let change = changes.next().await.expect("a stream never ends")?;
    /// assert_eq!(change.kind(), ChangeKind::Insert);
    /// assert_eq!(change.new_image()?.map(|u| u.name.as_str()), Some("Ada"));
    /// let saved = serde_json::to_string(change.checkpoint().unwrap()).unwrap();
    /// # let _ = saved;
    /// # Ok(()) }
    /// ```
    pub fn changes(
        &self,
        from: StartingPosition,
    ) -> impl Stream<Item = Result<Change<M>>> + Send + 'static {
        let reader = Reader::<M> {
            table: self.clone(),
            from: Some(from),
            client: None,
            checkpoint: Checkpoint::default(),
            shards: BTreeMap::new(),
            ready: VecDeque::new(),
            done: false,
            described: None,
        };
        futures_util::stream::unfold(reader, |mut reader| async move {
            let next = reader.next().await?;
            Some((next, reader))
        })
    }
}

struct Shard {
    parent: Option<String>,
    /// The iterator to read on with; `None`: get one from the mark.
    iterator: Option<String>,
    /// A reader at LATEST reads its first shards from their end.
    latest: bool,
}

struct Reader<M> {
    table: Table<M>,
    /// The starting position, until the first call.
    from: Option<StartingPosition>,
    client: Option<aws_sdk_dynamodbstreams::Client>,
    checkpoint: Checkpoint,
    shards: BTreeMap<String, Shard>,
    ready: VecDeque<Result<Change<M>>>,
    done: bool,
    /// When the shards were last described (`None`: they must be).
    described: Option<std::time::Instant>,
}

impl<M: DynamoModel + ReadItem + Send + 'static> Reader<M> {
    async fn next(&mut self) -> Option<Result<Change<M>>> {
        loop {
            if let Some(next) = self.ready.pop_front() {
                return Some(next);
            }
            if self.done {
                return None;
            }
            if let Err(err) = self.fill().await {
                self.done = true;
                return Some(Err(err));
            }
        }
    }

    /// Reads one round: each shard that may be read, once; waits first when
    /// the last round found nothing.
    async fn fill(&mut self) -> Result<()> {
        if let Some(from) = self.from.take() {
            self.start(from).await?;
        }
        if self
            .described
            .is_none_or(|at| at.elapsed() >= DESCRIBE_EVERY)
        {
            self.describe().await?;
        }
        let mut read_any = false;
        for id in readable(&self.shards, &self.checkpoint.shards) {
            read_any |= self.read_shard(&id).await?;
        }
        if !read_any && self.ready.is_empty() {
            tokio::time::sleep(IDLE_WAIT).await;
        }
        Ok(())
    }

    async fn start(&mut self, from: StartingPosition) -> Result<()> {
        let name = self.table.name().to_owned();
        let described = self
            .table
            .client()?
            .describe_table()
            .table_name(&name)
            .send()
            .await
            .map_err(|err| Error::sdk(&name, "DescribeTable", err))?;
        let arn = described
            .table
            .and_then(|t| t.latest_stream_arn)
            .ok_or_else(|| {
                Error::invalid(
                    &name,
                    "stream",
                    "the table has no stream; turn one on (`CreateTableOptions::stream`, or a plan's `~ stream`)",
                )
            })?;
        self.client = Some(self.table.db().streams_client().await);
        match from {
            StartingPosition::Checkpoint(checkpoint) => {
                if checkpoint.stream_arn != arn {
                    return Err(Error::invalid(
                        &name,
                        "checkpoint",
                        format!(
                            "the checkpoint is of stream `{}`, and the table's stream is now `{arn}` (it was turned off and on): its changes cannot be resumed",
                            checkpoint.stream_arn
                        ),
                    ));
                }
                self.checkpoint = checkpoint;
            }
            StartingPosition::TrimHorizon => self.checkpoint.stream_arn = arn,
            StartingPosition::Latest => {
                self.checkpoint.stream_arn = arn;
                let now = SystemTime::now()
                    .duration_since(SystemTime::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs());
                let now = now - now % 60;
                self.describe().await?;
                for (id, shard) in &mut self.shards {
                    shard.latest = true;
                    self.checkpoint.shards.insert(id.clone(), Mark::Since(now));
                }
            }
        }
        Ok(())
    }

    fn client(&self) -> &aws_sdk_dynamodbstreams::Client {
        self.client.as_ref().expect("started before reading")
    }

    /// The stream's shards, merged into those known.
    async fn describe(&mut self) -> Result<()> {
        let name = self.table.name().to_owned();
        let mut start: Option<String> = None;
        loop {
            let out = self
                .client()
                .describe_stream()
                .stream_arn(&self.checkpoint.stream_arn)
                .set_exclusive_start_shard_id(start.take())
                .send()
                .await
                .map_err(|err| Error::sdk(&name, "DescribeStream", err))?;
            let Some(description) = out.stream_description else {
                break;
            };
            for shard in description.shards.unwrap_or_default() {
                let Some(id) = shard.shard_id else { continue };
                self.shards.entry(id).or_insert(Shard {
                    parent: shard.parent_shard_id,
                    iterator: None,
                    latest: false,
                });
            }
            match description.last_evaluated_shard_id {
                Some(last) => start = Some(last),
                None => break,
            }
        }
        self.described = Some(std::time::Instant::now());
        Ok(())
    }

    /// One GetRecords of the shard; whether it read any record.
    async fn read_shard(&mut self, id: &str) -> Result<bool> {
        let name = self.table.name().to_owned();
        let iterator = match self.shards.get(id).and_then(|s| s.iterator.clone()) {
            Some(iterator) => iterator,
            None => self.iterator(id).await?,
        };
        let answer = self
            .client()
            .get_records()
            .shard_iterator(iterator)
            .limit(RECORDS_PER_CALL)
            .send()
            .await;
        let out = match answer {
            Ok(out) => out,
            // An iterator lasts 15 minutes: get another from the mark.
            Err(SdkError::ServiceError(err))
                if matches!(err.err(), GetRecordsError::ExpiredIteratorException(_)) =>
            {
                if let Some(shard) = self.shards.get_mut(id) {
                    shard.iterator = None;
                }
                return Ok(false);
            }
            Err(err) => return Err(Error::sdk(&name, "GetRecords", err)),
        };
        let records = out.records.unwrap_or_default();
        let read_any = !records.is_empty();
        for record in records {
            self.take(id, record);
        }
        let next = out.next_shard_iterator;
        if next.is_none() {
            // A closed shard read to its end: its children may be read, and
            // may be new.
            self.checkpoint.shards.insert(id.to_owned(), Mark::Done);
            self.described = None;
        }
        if let Some(shard) = self.shards.get_mut(id) {
            shard.iterator = next;
        }
        Ok(read_any)
    }

    /// An iterator from where the shard's mark says.
    async fn iterator(&mut self, id: &str) -> Result<String> {
        let name = self.table.name().to_owned();
        let latest = self.shards.get(id).is_some_and(|s| s.latest);
        let request = self
            .client()
            .get_shard_iterator()
            .stream_arn(&self.checkpoint.stream_arn)
            .shard_id(id);
        let request = match self.checkpoint.shards.get(id) {
            Some(Mark::After(sequence)) => request
                .shard_iterator_type(ShardIteratorType::AfterSequenceNumber)
                .sequence_number(sequence),
            Some(Mark::Since(_)) if latest => {
                request.shard_iterator_type(ShardIteratorType::Latest)
            }
            _ => request.shard_iterator_type(ShardIteratorType::TrimHorizon),
        };
        let out = request
            .send()
            .await
            .map_err(|err| Error::sdk(&name, "GetShardIterator", err))?;
        out.shard_iterator.ok_or_else(|| {
            Error::invalid(
                &name,
                "stream",
                format!("the stream gave no iterator of shard `{id}`"),
            )
        })
    }

    /// A record read from shard `id`: decoded into a change (or left out:
    /// another entity's, or older than a LATEST start), the shard's mark
    /// moved past it unless it is older than the start.
    fn take(&mut self, id: &str, record: Record) {
        // A LATEST iterator starts after the start already; a shard resumed
        // from TRIM_HORIZON skips what came before the first start.
        let latest = self.shards.get(id).is_some_and(|s| s.latest);
        let since = match self.checkpoint.shards.get(id) {
            Some(Mark::Since(since)) if !latest => Some(*since),
            _ => None,
        };
        let Some((record, created)) = stream_record(record, self.table.name()) else {
            return;
        };
        // A change from before the start leaves the mark at `since`: a
        // reader resumed from a checkpoint taken meanwhile (on another
        // shard) must skip this shard's older changes too.
        if let (Some(since), Some(created)) = (since, created) {
            if created < since {
                return;
            }
        }
        let sequence = record.sequence_number().to_owned();
        self.checkpoint
            .shards
            .insert(id.to_owned(), Mark::After(sequence));
        match record.decode::<M>() {
            Ok(None) => {}
            Ok(Some(mut change)) => {
                change.checkpoint = Some(self.checkpoint.clone());
                self.ready.push_back(Ok(change));
            }
            Err(err) => self.ready.push_back(Err(err)),
        }
    }
}

/// The shards to read now: those not read to their end whose parent is
/// (or is gone from the stream), so that a key's changes come in order.
fn readable(shards: &BTreeMap<String, Shard>, marks: &BTreeMap<String, Mark>) -> Vec<String> {
    let done = |id: &String| marks.get(id) == Some(&Mark::Done);
    shards
        .iter()
        .filter(|(id, shard)| {
            !done(id)
                && shard
                    .parent
                    .as_ref()
                    .is_none_or(|parent| !shards.contains_key(parent) || done(parent))
        })
        .map(|(id, _)| id.clone())
        .collect()
}

/// A Streams API record as the one stream record, and its creation time
/// in epoch seconds.
fn stream_record(record: Record, table: &str) -> Option<(StreamRecord, Option<u64>)> {
    let event = record.event_name?.as_str().to_owned();
    let change = record.dynamodb?;
    let keys: HashMap<_, _> = change.keys.unwrap_or_default();
    let mut out = StreamRecord::new(
        event,
        Item::from(keys),
        change.sequence_number.unwrap_or_default(),
    )
    .table(table);
    if let Some(image) = change.new_image {
        out = out.new_image(Item::from(image));
    }
    if let Some(image) = change.old_image {
        out = out.old_image(Item::from(image));
    }
    if let Some(view) = change
        .stream_view_type
        .and_then(|v| super::record::view_named(v.as_str()))
    {
        out = out.view(view);
    }
    let created = change
        .approximate_creation_date_time
        .and_then(|at| u64::try_from(at.secs()).ok());
    if let Some(secs) = created {
        out = out.approximate_creation(SystemTime::UNIX_EPOCH + Duration::from_secs(secs));
    }
    let by_ttl = record.user_identity.is_some_and(|u| {
        u.r#type.as_deref() == Some("Service")
            && u.principal_id.as_deref() == Some("dynamodb.amazonaws.com")
    });
    Some((out.by_ttl(by_ttl), created))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shard(parent: Option<&str>) -> Shard {
        Shard {
            parent: parent.map(str::to_owned),
            iterator: None,
            latest: false,
        }
    }

    #[test]
    fn a_child_shard_is_read_only_once_its_parent_is_read_to_its_end() {
        let shards = BTreeMap::from([
            ("a".to_owned(), shard(None)),
            ("b".to_owned(), shard(Some("a"))),
            ("c".to_owned(), shard(Some("b"))),
            // Its parent is gone from the stream (trimmed): read it.
            ("d".to_owned(), shard(Some("gone"))),
        ]);
        let mut marks = BTreeMap::new();
        assert_eq!(readable(&shards, &marks), ["a", "d"]);
        marks.insert("a".to_owned(), Mark::After("5".to_owned()));
        assert_eq!(readable(&shards, &marks), ["a", "d"]);
        marks.insert("a".to_owned(), Mark::Done);
        assert_eq!(readable(&shards, &marks), ["b", "d"]);
        marks.insert("b".to_owned(), Mark::Done);
        marks.insert("d".to_owned(), Mark::Done);
        assert_eq!(readable(&shards, &marks), ["c"]);
    }

    #[test]
    fn a_checkpoint_is_plain_json() {
        let checkpoint = Checkpoint {
            stream_arn: "arn:s".to_owned(),
            shards: BTreeMap::from([
                ("a".to_owned(), Mark::Done),
                ("b".to_owned(), Mark::After("00042".to_owned())),
                ("c".to_owned(), Mark::Since(1_800_000_000)),
            ]),
        };
        let json = serde_json::to_value(&checkpoint).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "stream_arn": "arn:s",
                "shards": { "a": "done", "b": { "after": "00042" }, "c": { "since": 1800000000 } }
            })
        );
        assert_eq!(
            serde_json::from_value::<Checkpoint>(json).unwrap(),
            checkpoint
        );
    }
}
