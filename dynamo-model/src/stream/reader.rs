//! A reader of a table's stream over the DynamoDB Streams API (feature
//! `streams`), for one process: tests, development, small workers. Every
//! shard is read, a parent drained before its children so that the changes
//! of one key come in order; a checkpoint after each change resumes the
//! reader where the caller left off. A stream that gets no more changes
//! (turned off, or replaced by a new one when turned on again) is read to
//! its end and then ends with [`Error::StreamEnded`]: the servers keep
//! such a stream readable (DynamoDB for 24 hours), with no record and no
//! end, and a reader that waited on it would wait forever. At scale, the
//! Lambda event source mapping reads a stream ([`lambda`](super::lambda)).

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::{Duration, SystemTime};

use aws_sdk_dynamodbstreams::config::http::HttpResponse;
use aws_sdk_dynamodbstreams::error::SdkError;
use aws_sdk_dynamodbstreams::operation::describe_stream::DescribeStreamError;
use aws_sdk_dynamodbstreams::operation::get_records::GetRecordsError;
use aws_sdk_dynamodbstreams::operation::get_shard_iterator::GetShardIteratorError;
use aws_sdk_dynamodbstreams::types::{Record, ShardIteratorType, StreamStatus};
use futures_core::Stream;
use serde_dynamo::Item;

use super::change::Change;
use super::checkpoint::{Checkpoint, Mark, Range};
use super::record::StreamRecord;
use super::shards::{at_end, ended, exhausted, readable, Ended, Shard};
use crate::error::{quoted, Error, Result};
use crate::read::page::ReadItem;
use crate::{DynamoModel, Table};

/// How long a reader that found nothing new waits before it asks again.
const IDLE_WAIT: Duration = Duration::from_millis(200);

/// How often a reader looks for new shards (DescribeStream allows 10 calls
/// a second; a shard splits about every 4 hours) and whether the stream
/// is still on and the table's, besides when a shard closes.
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
    /// ([`Change::checkpoint`], or [`Error::checkpoint`] past a change
    /// that could not be read).
    Checkpoint(Checkpoint),
}

impl<M: DynamoModel + ReadItem + Send + 'static> Table<M> {
    /// Every change of the table's stream from `from`, decoded into `M`
    /// (see [`StreamRecord::decode`]): a stream that waits for new changes
    /// and does not end while the table's stream is on, unless a request
    /// fails for good. Each change carries the checkpoint after it.
    ///
    /// A record that does not decode is [`Error::ChangeUnreadable`] in its
    /// place, carrying the checkpoint just after it
    /// ([`Error::checkpoint`]), and reading goes on: polled again, the
    /// stream gives the next change. A caller that sets the record aside
    /// and saves that checkpoint never stops at the record again; one that
    /// stops at the error and resumes from the last change's checkpoint
    /// meets it again, every time.
    ///
    /// A stream turned off (DISABLED, or gone from the server) or replaced
    /// (turned off and on again: the table's `LatestStreamArn` is another)
    /// gets no more changes: the reader reads what it holds to its end,
    /// then gives [`Error::StreamEnded`] (naming the table's new stream,
    /// if there is one) and ends. It finds out within about ten seconds
    /// (DescribeTable and DescribeStream are asked that often).
    ///
    /// The table needs a stream (`CreateTableOptions::stream`). A
    /// checkpoint is checked against the stream's shards before anything
    /// is read: a shard it marks read to its end that the stream shows
    /// open, or a sequence number outside its shard's range, is refused
    /// ([`Error::InvalidInput`]); a checkpoint of a stream since replaced
    /// resumes that stream to its end (it stays readable for 24 hours),
    /// and one older than the stream's 24 hours is the server's
    /// `TrimmedDataAccessException`. A sequence number past the end of a
    /// shard still open cannot be told from the shard's range, and reads
    /// as a shard with nothing new. A reader started at LATEST and
    /// resumed before it read a change of some shard reads that shard from
    /// its start without the changes older than the minute it first
    /// started in (a record's time is rounded down; a change made up to a
    /// minute before the start may come).
    ///
    /// Sync code reads it as an iterator:
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
    /// let change = changes.next().await.expect("a stream that is on does not end")?;
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
            ended: None,
        };
        futures_util::stream::unfold(reader, |mut reader| async move {
            let next = reader.next().await?;
            Some((next, reader))
        })
    }
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
    /// Set once the stream is found to get no more changes.
    ended: Option<Ended>,
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
    /// the last round found nothing. Called only once every change read
    /// before was handed out, so that the end of a stream comes after its
    /// last change.
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
        if let Some(ended) = &self.ended {
            if exhausted(&self.shards, &self.checkpoint.shards) {
                return Err(self.stream_ended(ended));
            }
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
        if let StartingPosition::Checkpoint(checkpoint) = &from {
            // Whether the stream is still the table's is for `describe` to
            // find out (one replaced since is read to its end, as a
            // running reader's is); that it is one of this table's, here.
            let of_table = table_of_stream(&checkpoint.stream_arn);
            if checkpoint.stream_arn.is_empty() || of_table.is_some_and(|t| t != name) {
                return Err(Error::invalid(
                    &name,
                    "checkpoint",
                    format!(
                        "the checkpoint is of stream `{}`, which is not a stream of this table",
                        checkpoint.stream_arn
                    ),
                ));
            }
        } else {
            self.checkpoint.stream_arn = table_stream(&self.table).await?;
        }
        self.client = Some(self.table.db().streams_client().await);
        match from {
            StartingPosition::Checkpoint(checkpoint) => {
                self.checkpoint = checkpoint;
                self.describe().await?;
                let listed = self.shards.iter().map(|(id, s)| (id.as_str(), &s.range));
                if let Some(why) = self.checkpoint.refusal(listed) {
                    return Err(Error::invalid(&name, "checkpoint", why));
                }
            }
            StartingPosition::TrimHorizon => {}
            StartingPosition::Latest => {
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

    /// What the table says of its stream and the stream of itself: its
    /// shards, merged into those known, and whether it has ended.
    async fn describe(&mut self) -> Result<()> {
        let name = self.table.name().to_owned();
        let (latest, on) = match self.table.describe().await {
            Ok(table) => (
                table.latest_stream_arn().map(str::to_owned),
                table
                    .stream_specification()
                    .is_some_and(|s| s.stream_enabled()),
            ),
            // A deleted table's stream is turned off with it, and stays
            // readable: what it holds is read to its end.
            Err(Error::TableNotFound { .. }) => {
                if self.ended.is_none() {
                    self.ended = Some(Ended::new("the table was deleted", None));
                }
                (None, false)
            }
            Err(err) => return Err(err),
        };
        let listed = match self.list_shards().await {
            Ok(status) => Ok(status),
            // The server answered that it will not describe the stream:
            // gone (DynamoDB deletes a disabled stream after 24 hours,
            // dynoxide at once), or broken (moto 5 fails on a disabled
            // one). Whether that ends it is for `ended` to say, from what
            // the table says; a request that got no answer is a failure.
            Err(err) if matches!(err, SdkError::ServiceError(_) | SdkError::ResponseError(_)) => {
                Err((crate::error::cause::describe(&err), err))
            }
            Err(err) => return Err(Error::sdk(&name, "DescribeStream", err)),
        };
        let answered = match &listed {
            Ok(status) => Ok(status.as_ref()),
            Err((why, _)) => Err(why.as_str()),
        };
        match ended(&self.checkpoint.stream_arn, latest.as_deref(), on, answered) {
            Some(found) => {
                if listed.is_err() {
                    // A stream that no longer answers: a shard's last as
                    // listed before is no promise of more to come.
                    for shard in self.shards.values_mut() {
                        shard.range.last = None;
                    }
                }
                // The first reason found stays: it is what ended it.
                if self.ended.is_none() {
                    self.ended = Some(found);
                }
            }
            None => {
                if let Err((_, err)) = listed {
                    return Err(Error::sdk(&name, "DescribeStream", err));
                }
            }
        }
        self.described = Some(std::time::Instant::now());
        Ok(())
    }

    /// DescribeStream, every page: the shards merged into those known
    /// (with their ranges as listed now: a shard closes), and the stream's
    /// status.
    async fn list_shards(
        &mut self,
    ) -> std::result::Result<Option<StreamStatus>, SdkError<DescribeStreamError, HttpResponse>>
    {
        let mut start: Option<String> = None;
        let mut status = None;
        loop {
            let out = self
                .client()
                .describe_stream()
                .stream_arn(&self.checkpoint.stream_arn)
                .set_exclusive_start_shard_id(start.take())
                .send()
                .await?;
            let Some(description) = out.stream_description else {
                break;
            };
            status = description.stream_status.or(status);
            for shard in description.shards.unwrap_or_default() {
                let Some(id) = shard.shard_id else { continue };
                let range = shard.sequence_number_range;
                let range = Range {
                    first: range
                        .as_ref()
                        .and_then(|r| r.starting_sequence_number.clone()),
                    last: range.and_then(|r| r.ending_sequence_number),
                };
                let parent = shard.parent_shard_id;
                let known = self.shards.entry(id).or_insert_with(|| Shard {
                    parent,
                    iterator: None,
                    latest: false,
                    range: Range::default(),
                    seen: None,
                    drained: false,
                });
                known.range = range;
            }
            match description.last_evaluated_shard_id {
                Some(last) => start = Some(last),
                None => break,
            }
        }
        Ok(status)
    }

    /// One GetRecords of the shard; whether it read any record.
    async fn read_shard(&mut self, id: &str) -> Result<bool> {
        let name = self.table.name().to_owned();
        let iterator = match self.shards.get(id).and_then(|s| s.iterator.clone()) {
            Some(iterator) => iterator,
            None => match self.iterator(id).await? {
                Some(iterator) => iterator,
                None => {
                    self.give_up(id);
                    return Ok(false);
                }
            },
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
            // A stream that has ended and is no longer served (gone,
            // trimmed): nothing more can be read of the shard.
            Err(SdkError::ServiceError(err))
                if self.ended.is_some()
                    && matches!(
                        err.err(),
                        GetRecordsError::ResourceNotFoundException(_)
                            | GetRecordsError::TrimmedDataAccessException(_)
                    ) =>
            {
                self.give_up(id);
                return Ok(false);
            }
            Err(err) => return Err(Error::sdk(&name, "GetRecords", err)),
        };
        let records = out.records.unwrap_or_default();
        let read_any = !records.is_empty();
        let last_seen = records
            .last()
            .and_then(|r| r.dynamodb.as_ref())
            .and_then(|c| c.sequence_number.clone());
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
        let ended = self.ended.is_some();
        let mark = self.checkpoint.shards.get(id).cloned();
        if let Some(shard) = self.shards.get_mut(id) {
            shard.iterator = next;
            if last_seen.is_some() {
                shard.seen = last_seen;
            }
            // An empty page of a stream that gets no more changes: the end
            // of a shard the server never closes.
            if ended && !read_any && shard.iterator.is_some() {
                let at = shard.seen.clone().or(match mark {
                    Some(Mark::After(at)) => Some(at),
                    _ => None,
                });
                shard.drained |= at_end(&shard.range, at.as_deref());
            }
        }
        Ok(read_any)
    }

    /// A shard of a stream that has ended the server no longer serves:
    /// what it still held past the mark is not read, and the end says so.
    fn give_up(&mut self, id: &str) {
        if let Some(shard) = self.shards.get_mut(id) {
            shard.drained = true;
        }
        if let Some(ended) = &mut self.ended {
            ended.unread.push(id.to_owned());
        }
    }

    /// An iterator from where the shard's mark says; `None` when the
    /// stream has ended and the server no longer serves the shard.
    async fn iterator(&mut self, id: &str) -> Result<Option<String>> {
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
        let out = match request.send().await {
            Ok(out) => out,
            Err(SdkError::ServiceError(err))
                if self.ended.is_some()
                    && matches!(
                        err.err(),
                        GetShardIteratorError::ResourceNotFoundException(_)
                            | GetShardIteratorError::TrimmedDataAccessException(_)
                    ) =>
            {
                return Ok(None)
            }
            Err(err) => return Err(Error::sdk(&name, "GetShardIterator", err)),
        };
        match out.shard_iterator {
            Some(iterator) => Ok(Some(iterator)),
            None => Err(Error::invalid(
                &name,
                "stream",
                format!("the stream gave no iterator of shard `{id}`"),
            )),
        }
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
        if let Some(next) = placed::<M>(record, &self.checkpoint) {
            self.ready.push_back(next);
        }
    }

    /// The end of the stream, as the caller is told it.
    fn stream_ended(&self, ended: &Ended) -> Error {
        let reason = match ended.unread.as_slice() {
            [] => ended.reason.clone(),
            unread => format!(
                "{}; the server no longer serves shard(s) {}, so what they held past the checkpoint was not read",
                ended.reason,
                quoted(unread)
            ),
        };
        Error::StreamEnded {
            table: self.table.name().to_owned(),
            stream_arn: self.checkpoint.stream_arn.clone(),
            reason,
            latest: ended.latest.clone(),
        }
    }
}

/// A record decoded at its place in the stream, `checkpoint` standing just
/// after it: the change with it, or the error of a record that does not
/// decode with it too, so that a caller can set the record aside and
/// resume past it (`None`: another entity's record).
fn placed<M: DynamoModel + ReadItem>(
    record: StreamRecord,
    checkpoint: &Checkpoint,
) -> Option<Result<Change<M>>> {
    match record.decode::<M>() {
        Ok(None) => None,
        Ok(Some(mut change)) => {
            change.checkpoint = Some(checkpoint.clone());
            Some(Ok(change))
        }
        Err(mut err) => {
            if let Error::ChangeUnreadable { checkpoint: at, .. } = &mut err {
                *at = Some(Box::new(checkpoint.clone()));
            }
            Some(Err(err))
        }
    }
}

/// `arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>` ->
/// `<name>`; `None` for an ARN not of that form (a server's own).
fn table_of_stream(arn: &str) -> Option<&str> {
    let (_, rest) = arn.split_once(":table/")?;
    let (name, _) = rest.split_once("/stream/")?;
    Some(name)
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
    // DynamoDB gives a record a user identity only for its own (TTL)
    // removes. The embedded backend writes the identity's fields as
    // `type` and `principalId` where the Streams API has `Type` and
    // `PrincipalId`, so the SDK reads an identity with neither: that one
    // is the embedded backend's TTL remove too (`remove_expired`).
    let by_ttl = record.user_identity.is_some_and(|u| {
        let (kind, principal) = (u.r#type.as_deref(), u.principal_id.as_deref());
        (kind == Some("Service") && principal == Some("dynamodb.amazonaws.com"))
            || (kind.is_none() && principal.is_none())
    });
    Some((out.by_ttl(by_ttl), created))
}

/// The table's stream now (its LatestStreamArn). A free function: a
/// borrow of the reader across the await would need it `Sync`.
async fn table_stream<M: DynamoModel>(table: &Table<M>) -> Result<String> {
    let name = table.name();
    let described = table.describe().await?;
    described.latest_stream_arn.ok_or_else(|| {
        Error::invalid(
            name,
            "stream",
            "the table has no stream; turn one on (`CreateTableOptions::stream`, or a plan's `~ stream`)",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn a_stream_arn_names_its_table() {
        assert_eq!(
            table_of_stream(
                "arn:aws:dynamodb:us-east-1:1:table/app/stream/2024-01-01T00:00:00.000"
            ),
            Some("app")
        );
        assert_eq!(
            table_of_stream("arn:aws:dynamodb:us-east-1:1:table/app"),
            None
        );
        assert_eq!(table_of_stream("not an arn"), None);
    }
}
