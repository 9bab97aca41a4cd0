//! The backfill: every item stored at an older shape rewritten at the
//! newest, by a parallel scan. Each rewrite is a put on the condition that
//! the item is as it was read (every attribute equal, none of the fields
//! of its shape's struct that it lacked, the shape attribute as read): a
//! write that came in between is never overwritten; the item
//! is read again and, if still old, rewritten from what it is now. After
//! each page (of at most [`DEFAULT_UPGRADE_PAGE_SIZE`] items by default:
//! a scan page's LastEvaluatedKey is the only place a scan can resume
//! from, so the page bounds the work a stop loses) a checkpoint goes to
//! the caller, and a backfill resumed from it scans on from there: an item
//! rewritten already is at the newest shape and left alone. A resumed
//! checkpoint is checked as strictly as a fresh start, and against the
//! table as DynamoDB describes it (`checkpoint.rs`). A page's
//! rewrites go side by side, up to a bound over all segments. Reads and
//! writes are held to a rate in capacity units, measured from what
//! DynamoDB says each request consumed.

use std::collections::BTreeMap;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Mutex;

use aws_sdk_dynamodb::types::{AttributeValue, ReturnConsumedCapacity};
use aws_sdk_dynamodb::Client;
use futures_util::{StreamExt, TryStreamExt};
use tokio::sync::Semaphore;

pub use super::checkpoint::UpgradeCheckpoint;
use super::checkpoint::{Resuming, SegmentMark, TableIdentity, MAX_SEGMENTS};
pub use super::rate::RateLimit;
use super::rate::{check_rate, limiters, read_estimate, write_estimate, Limiter};
use super::Shapes;
use crate::error::{Error, Result};
use crate::item::encode::{item_size, Attributes};
use crate::item::expression::{Names, Placeholders, Values};
use crate::item::key::ItemKey;
use crate::read::cursor::ReadKind;
use crate::table::describe::describe;
use crate::Cursor;
use crate::{DynamoModel, EntitySchema, Table, TableSchema};

/// How often an item that keeps changing under the backfill is read
/// again and retried before the backfill gives up on it.
const ATTEMPTS: u32 = 10;

/// DynamoDB's limit on one expression's length.
const MAX_EXPRESSION: usize = 4096;

/// Rewrites of a backfill in flight at once, by default, over all its
/// segments: a page's old items are put side by side, not one by one.
///
/// ```
/// assert_eq!(dynamo_model::DEFAULT_UPGRADE_WRITES_IN_FLIGHT, 16);
/// ```
pub const DEFAULT_UPGRADE_WRITES_IN_FLIGHT: usize = 16;

/// Items a backfill's scan reads a page, by default: a checkpoint comes
/// after each page of a segment, so a stop loses at most this many items'
/// work per segment (they are scanned again, and those rewritten already
/// left alone). DynamoDB's own pages are 1 MB, thousands of small items.
///
/// ```
/// assert_eq!(dynamo_model::DEFAULT_UPGRADE_PAGE_SIZE, 100);
/// ```
pub const DEFAULT_UPGRADE_PAGE_SIZE: usize = 100;

/// What a backfill found and did: after each page (to
/// [`UpgradeItems::on_progress`]) and at its end.
///
/// The counts are this run's: a backfill resumed from a checkpoint counts
/// from zero and scans on from where the checkpoint stands. The pages a
/// stopped run scanned after the last checkpoint it saved are scanned
/// again; the items it rewrote there are found at the newest shape and
/// counted in `shapes`, not in `upgraded`. So over a stopped run and its
/// resumption every old item is rewritten once (unless another writer
/// changed it in between), and the `upgraded` of the stopped run's last
/// saved report plus the resumption's is at most the rewrites made: those
/// after the last saved checkpoint are in neither.
#[derive(Debug, Clone, PartialEq)]
pub struct UpgradeReport {
    /// Items scanned.
    pub scanned: u64,
    /// Items found at each shape (as scanned).
    pub shapes: BTreeMap<u32, u64>,
    /// Items rewritten at the newest shape (none on a dry run).
    pub upgraded: u64,
    /// Rewrites that met a write in between, and were read again.
    pub retried: u64,
    /// Items that another writer upgraded or deleted between the scan and
    /// the rewrite (left as that writer left them).
    pub changed_meanwhile: u64,
    /// Read capacity units consumed: as DynamoDB reported them under a
    /// rate limit, else estimated from the items' sizes.
    pub read_units: f64,
    /// Write capacity units consumed (the same).
    pub write_units: f64,
    /// Where it stands: hand it to [`UpgradeItems::resume`] to go on.
    pub checkpoint: UpgradeCheckpoint,
}

type Progress = Box<dyn FnMut(&UpgradeReport) + Send>;

/// A backfill of the model's table ([`Table::upgrade_items`]); `.await` it.
#[must_use = "a backfill does nothing until awaited"]
pub struct UpgradeItems {
    client: Result<Client>,
    asked: Asked,
    /// Apart from the rest: it is `Send` but not `Sync`, and the checks
    /// before the scan borrow the rest across their request.
    progress: Option<Progress>,
}

/// What a backfill was asked to do.
struct Asked {
    /// The table name as sent.
    table: String,
    schema: &'static TableSchema,
    shapes: Option<Shapes>,
    /// The model's entity, when it is one of a shared table's: only its
    /// items are upgraded.
    entity: fn() -> Option<Result<&'static EntitySchema>>,
    segments: u32,
    concurrency: usize,
    writes_in_flight: usize,
    page_size: i32,
    rate: Option<RateLimit>,
    resume: Option<UpgradeCheckpoint>,
    dry_run: bool,
}

/// What a backfill starts its scan with, once every check passed.
struct Opening {
    shapes: Shapes,
    entity: Option<&'static EntitySchema>,
    checkpoint: UpgradeCheckpoint,
    reads: Option<Limiter>,
    writes: Option<Limiter>,
}

impl<M: DynamoModel> Table<M> {
    /// Rewrites every item stored at an older shape at the model's newest
    /// (`#[dynamo(shape = N, upgrades_from = ..)]`), by a parallel scan;
    /// each rewrite only if the item is unchanged since it was read (else
    /// read again and retried), so that no concurrent write is lost.
    ///
    /// ```
    /// use dynamo_model::{CreateTableOptions, DynamoModel, ItemShape, RateLimit};
    /// # use serde::{Deserialize, Serialize};
    /// #[derive(ItemShape, Deserialize)]
    /// #[dynamo(shape = 1)]
    /// struct UserV1 { id: String, name: String }
    ///
    /// #[derive(DynamoModel, Serialize, Deserialize)]
    /// #[dynamo(table = "users", shape = 2, upgrades_from = UserV1)]
    /// struct User { #[hash_key] id: String, names: Vec<String> }
    ///
    /// impl From<UserV1> for User {
    ///     fn from(old: UserV1) -> Self { User { id: old.id, names: vec![old.name] } }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// let users = local.db().table::<User>();
    /// users.create(CreateTableOptions::new().wait(true)).await?;
    /// let report = users
    ///     .upgrade_items()
    ///     .segments(4)
    ///     .writes_in_flight(8)
    ///     .rate_limit(RateLimit::UnitsPerSecond(100.0))
    ///     .on_progress(|progress| println!("{} scanned", progress.scanned))
    ///     .await?;
    /// assert_eq!(report.upgraded, 0); // an empty table
    /// assert!(report.checkpoint.is_done());
    /// # Ok(()) }
    /// ```
    pub fn upgrade_items(&self) -> UpgradeItems {
        UpgradeItems::new(
            self.client().cloned(),
            self.name().to_owned(),
            M::schema(),
            M::SHAPES,
            M::entity,
        )
    }
}

impl UpgradeItems {
    pub(crate) fn new(
        client: Result<Client>,
        table: String,
        schema: &'static TableSchema,
        shapes: Option<Shapes>,
        entity: fn() -> Option<Result<&'static EntitySchema>>,
    ) -> Self {
        UpgradeItems {
            client,
            asked: Asked {
                table,
                schema,
                shapes,
                entity,
                segments: 1,
                concurrency: crate::DEFAULT_SCAN_CONCURRENCY,
                writes_in_flight: DEFAULT_UPGRADE_WRITES_IN_FLIGHT,
                page_size: DEFAULT_UPGRADE_PAGE_SIZE as i32,
                rate: None,
                resume: None,
                dry_run: false,
            },
            progress: None,
        }
    }

    /// Scan in `n` segments (DynamoDB's parallel scan; 1 to 1,000,000).
    /// Default 1.
    pub fn segments(mut self, n: u32) -> Self {
        self.asked.segments = n;
        self
    }

    /// How many segments are scanned at once (default
    /// [`DEFAULT_SCAN_CONCURRENCY`](crate::DEFAULT_SCAN_CONCURRENCY)): a
    /// segment is scanned to its end before the next starts, so a thousand
    /// segments are not a thousand scans at once. 0 is refused.
    pub fn concurrency(mut self, segments: usize) -> Self {
        self.asked.concurrency = segments;
        self
    }

    /// How many rewrites are in flight at once, over all segments (default
    /// [`DEFAULT_UPGRADE_WRITES_IN_FLIGHT`]); 1 puts one item at a time.
    /// A page's checkpoint still comes only once all its rewrites are done.
    /// 0 is refused.
    pub fn writes_in_flight(mut self, n: usize) -> Self {
        self.asked.writes_in_flight = n;
        self
    }

    /// Scan at most `n` items a page (a checkpoint and a progress report
    /// come after each page of each segment). Default
    /// [`DEFAULT_UPGRADE_PAGE_SIZE`]; a scan page also ends at 1 MB, so
    /// `usize::MAX` gives DynamoDB's own pages. 0 counts as 1.
    ///
    /// A page's end is the only place a scan resumes from, so the page
    /// bounds what a stop loses: the items of the pages in progress are
    /// scanned again (and those rewritten already left alone). Under a
    /// rate limit, a page of `n` old items takes their `n` writes' units
    /// over the rate (shared by the segments scanned at once).
    pub fn page_size(mut self, n: usize) -> Self {
        self.asked.page_size = i32::try_from(n).unwrap_or(i32::MAX).max(1);
        self
    }

    /// Hold reads and writes to this rate. Default: as fast as the table
    /// takes them (throttled requests are retried).
    pub fn rate_limit(mut self, rate: RateLimit) -> Self {
        self.asked.rate = Some(rate);
        self
    }

    /// Go on from a checkpoint (a report's), with its number of segments.
    ///
    /// The checkpoint must be this backfill's: of this table (its name as
    /// sent, prefix and all, and the same table: a table deleted and
    /// created again under the name is another), of the same entity and
    /// shape, not a dry run's unless this is one, with 1 to 1,000,000
    /// segments and each position a key of the table. Else the backfill
    /// is [`Error::CheckpointRefused`] before any write.
    pub fn resume(mut self, checkpoint: UpgradeCheckpoint) -> Self {
        self.asked.resume = Some(checkpoint);
        self
    }

    /// Count the items per shape, and rewrite none.
    pub fn dry_run(mut self) -> Self {
        self.asked.dry_run = true;
        self
    }

    /// Called after each page of each segment with the counts so far and
    /// the checkpoint (save it to resume after a crash): so at least once
    /// every [`page_size`](UpgradeItems::page_size) items a segment scans.
    /// The scan waits for it: a slow save (a file synced to disk) is better
    /// made every second or so than on every call.
    pub fn on_progress(mut self, progress: impl FnMut(&UpgradeReport) + Send + 'static) -> Self {
        self.progress = Some(Box::new(progress));
        self
    }

    /// The checks a backfill makes before its scan (its options, the
    /// table, the checkpoint it resumes from), without the scan: for the
    /// command line to refuse a checkpoint of any of its tables before the
    /// first backfill writes.
    #[cfg(feature = "cli")]
    pub(crate) async fn check(&self) -> Result<()> {
        match &self.client {
            Ok(client) => self.asked.opening(client).await.map(|_| ()),
            // The run says why there is no client.
            Err(_) => Ok(()),
        }
    }

    async fn run(self) -> Result<UpgradeReport> {
        let UpgradeItems {
            client,
            asked,
            progress,
        } = self;
        let client = client?;
        let Opening {
            shapes,
            entity,
            checkpoint,
            reads,
            writes,
        } = asked.opening(&client).await?;
        let shared = Shared {
            client,
            table: asked.table,
            schema: asked.schema,
            shapes,
            entity,
            dry_run: asked.dry_run,
            page_size: asked.page_size,
            writes_in_flight: asked.writes_in_flight,
            in_flight: Semaphore::new(asked.writes_in_flight),
            reads,
            writes,
            state: Mutex::new(UpgradeReport {
                scanned: 0,
                shapes: BTreeMap::new(),
                upgraded: 0,
                retried: 0,
                changed_meanwhile: 0,
                read_units: 0.0,
                write_units: 0.0,
                checkpoint,
            }),
            progress: Mutex::new(progress),
        };
        let total = shared.state().checkpoint.segments.len();
        futures_util::stream::iter(0..total)
            .map(|segment| shared.segment(segment, total))
            .buffer_unordered(asked.concurrency)
            .try_collect::<()>()
            .await?;
        let report = shared.state().clone();
        Ok(report)
    }
}

impl Asked {
    /// Everything checked before the scan, and what it starts with. Only
    /// DescribeTable is sent (the table's identity, and its capacity for a
    /// fraction of it): a refusal writes nothing, and what the options or
    /// the checkpoint alone show is refused before any request.
    async fn opening(&self, client: &Client) -> Result<Opening> {
        let table = self.table.as_str();
        let shapes = self.shapes.ok_or_else(|| {
            Error::invalid(
                table,
                "upgrade",
                "the model has no shapes (`#[dynamo(shape = N, upgrades_from = ..)]`): its items have nothing to upgrade to",
            )
        })?;
        if self.segments == 0 || self.segments > MAX_SEGMENTS {
            return Err(Error::invalid(
                table,
                "segments",
                format!("a scan has 1 to 1,000,000 segments, not {}", self.segments),
            ));
        }
        if self.concurrency == 0 {
            return Err(Error::invalid(
                table,
                "concurrency",
                "a backfill scans at least one segment at a time (0 would never start)",
            ));
        }
        if self.writes_in_flight == 0 {
            return Err(Error::invalid(
                table,
                "writes_in_flight",
                "a backfill has at least one rewrite in flight (0 would never write)",
            ));
        }
        check_rate(table, self.rate)?;
        let entity = (self.entity)().transpose()?;
        let resuming = Resuming {
            table,
            schema: self.schema,
            entity: entity.map(|e| e.name()),
            shape: shapes.current(),
            dry_run: self.dry_run,
        };
        if let Some(checkpoint) = &self.resume {
            if let Some(reason) = checkpoint.refusal(&resuming) {
                return Err(checkpoint.refused(table, reason));
            }
        }
        let description = describe(client, table).await?;
        let identity = TableIdentity::of(&description);
        let checkpoint = match &self.resume {
            Some(checkpoint) => {
                if let Some(reason) = checkpoint.differs_from(&identity) {
                    return Err(checkpoint.refused(table, reason));
                }
                checkpoint.resumed_by(&resuming)
            }
            None => UpgradeCheckpoint::fresh(&resuming, identity, self.segments),
        };
        let (reads, writes) = limiters(table, &description, self.rate)?;
        Ok(Opening {
            shapes,
            entity,
            checkpoint,
            reads,
            writes,
        })
    }
}

impl IntoFuture for UpgradeItems {
    type Output = Result<UpgradeReport>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<UpgradeReport>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}

/// What the segments of one backfill share.
struct Shared {
    client: Client,
    table: String,
    schema: &'static TableSchema,
    shapes: Shapes,
    entity: Option<&'static EntitySchema>,
    dry_run: bool,
    page_size: i32,
    writes_in_flight: usize,
    /// Rewrites in flight over all segments.
    in_flight: Semaphore,
    reads: Option<Limiter>,
    writes: Option<Limiter>,
    state: Mutex<UpgradeReport>,
    progress: Mutex<Option<Progress>>,
}

impl Shared {
    /// What DynamoDB is asked to report of the capacity each request
    /// consumed: only under a rate limit, which paces by it (the report's
    /// units are estimated from the items' sizes otherwise).
    fn measured(&self) -> Option<ReturnConsumedCapacity> {
        (self.reads.is_some() || self.writes.is_some()).then_some(ReturnConsumedCapacity::Total)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, UpgradeReport> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Scans segment `segment` of `total` from its mark to its end.
    async fn segment(&self, segment: usize, total: usize) -> Result<()> {
        let schema_table = self.schema.table_name();
        let mut start = match &self.state().checkpoint.segments[segment] {
            SegmentMark::Done => return Ok(()),
            SegmentMark::Start => None,
            SegmentMark::After(cursor) => Some(
                cursor
                    .start_key(schema_table, None, ReadKind::Scan)
                    .map_err(|e| Error::invalid(&self.table, "checkpoint", e.to_string()))?,
            ),
        };
        let mut page = self.page(segment, total, start.take()).await?;
        loop {
            let (items, last, units) = page;
            let mut found = BTreeMap::<u32, u64>::new();
            let mut old = Vec::new();
            for item in items {
                let stored = self.shapes.stored(&item);
                *found.entry(stored).or_default() += 1;
                if stored < self.shapes.current() && !self.dry_run {
                    old.push(item);
                }
            }
            let rewrites = futures_util::stream::iter(old)
                .map(|item| self.upgrade(item))
                .buffer_unordered(self.writes_in_flight)
                .try_fold(Tally::default(), |sum, one| async move { Ok(sum + one) });
            // The next page is read while this one's rewrites go on: a
            // page's end then costs no round trip of its own. Its items
            // wait for this page's checkpoint, which stays where it was.
            let (done, next) = match &last {
                Some(key) => {
                    let (done, next) = futures_util::future::join(
                        rewrites,
                        self.page(segment, total, Some(key.clone())),
                    )
                    .await;
                    (done?, Some(next))
                }
                None => (rewrites.await?, None),
            };
            let mark = match &last {
                Some(key) => SegmentMark::After(
                    Cursor::new(schema_table, None, ReadKind::Scan, key).ok_or_else(|| {
                        Error::invalid(
                            &self.table,
                            "response",
                            "the server's LastEvaluatedKey holds a value that is not a key",
                        )
                    })?,
                ),
                None => SegmentMark::Done,
            };
            let snapshot = {
                let mut state = self.state();
                state.scanned += found.values().sum::<u64>();
                for (shape, n) in found {
                    *state.shapes.entry(shape).or_default() += n;
                }
                state.upgraded += done.upgraded;
                state.retried += done.retried;
                state.changed_meanwhile += done.changed_meanwhile;
                state.read_units += units;
                state.write_units += done.write_units;
                state.checkpoint.segments[segment] = mark;
                state.clone()
            };
            if let Some(progress) = self
                .progress
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .as_mut()
            {
                progress(&snapshot);
            }
            // A failed read of the next page is reported once this page's
            // checkpoint is out.
            match next {
                Some(next) => page = next?,
                None => return Ok(()),
            }
        }
    }

    /// One page of the segment's scan from `start`, within the read rate:
    /// its items, where it ended, and the read units it consumed.
    async fn page(
        &self,
        segment: usize,
        total: usize,
        start: Option<Attributes>,
    ) -> Result<(Vec<Attributes>, Option<Attributes>, f64)> {
        if let Some(reads) = &self.reads {
            reads.wait().await;
        }
        let mut request = self
            .client
            .scan()
            .table_name(&self.table)
            .set_exclusive_start_key(start)
            .limit(self.page_size)
            .set_return_consumed_capacity(self.measured());
        if total > 1 {
            request = request.segment(segment as i32).total_segments(total as i32);
        }
        // A shared table holds other entities' items: only this
        // entity's are read (and counted).
        if let Some(entity) = self.entity {
            request = request
                .filter_expression("#entity = :entity")
                .expression_attribute_names("#entity", entity.entity_attribute())
                .expression_attribute_values(
                    ":entity",
                    AttributeValue::S(entity.name().to_owned()),
                );
        }
        let out = request
            .send()
            .await
            .map_err(|err| Error::sdk(&self.table, "Scan", err))?;
        let items = out.items.unwrap_or_default();
        let units = out
            .consumed_capacity
            .and_then(|c| c.capacity_units)
            .unwrap_or_else(|| read_estimate(&items));
        if let Some(reads) = &self.reads {
            reads.spend(units);
        }
        let last = out.last_evaluated_key.filter(|k| !k.is_empty());
        Ok((items, last, units))
    }

    /// Rewrites one old item at the newest shape, if it is as read; else
    /// reads it again and goes on from what it is.
    async fn upgrade(&self, mut item: Attributes) -> Result<Tally> {
        let _permit = self
            .in_flight
            .acquire()
            .await
            .expect("the semaphore is never closed");
        let mut done = Tally::default();
        let key = ItemKey::from_item(self.schema, &self.table, &item)?;
        for attempt in 1..=ATTEMPTS {
            // The condition copies the values as read; the rewrite then
            // takes the item itself (no copy of it is kept).
            let (condition, names, values) = self.unchanged(&key, &item)?;
            let rewritten = self.shapes.rewrite(&self.table, &key, item)?;
            if let Some(writes) = &self.writes {
                writes.wait().await;
            }
            let size = item_size(&rewritten);
            let sent = self
                .client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(rewritten))
                .condition_expression(condition)
                .set_expression_attribute_names(Some(names))
                .set_expression_attribute_values(values)
                .set_return_consumed_capacity(self.measured())
                .send()
                .await;
            match sent {
                Ok(out) => {
                    let units = out
                        .consumed_capacity
                        .and_then(|c| c.capacity_units)
                        .unwrap_or_else(|| write_estimate(size));
                    if let Some(writes) = &self.writes {
                        writes.spend(units);
                    }
                    done.write_units += units;
                    done.upgraded += 1;
                    return Ok(done);
                }
                Err(err)
                    if err
                        .as_service_error()
                        .is_some_and(|e| e.is_conditional_check_failed_exception()) => {}
                Err(err) => return Err(Error::sdk(&self.table, "PutItem", err)),
            }
            if attempt == ATTEMPTS {
                break;
            }
            done.retried += 1;
            match self.read_again(&key).await? {
                Some(now) if self.shapes.stored(&now) < self.shapes.current() => item = now,
                _ => {
                    done.changed_meanwhile += 1;
                    return Ok(done);
                }
            }
        }
        Err(Error::invalid(
            &self.table,
            "upgrade",
            format!(
                "item `{key}` changed under each of {ATTEMPTS} rewrites; run the backfill again"
            ),
        ))
    }

    /// The item as it is now (strongly consistent), after a rewrite met a
    /// write in between.
    async fn read_again(&self, key: &ItemKey) -> Result<Option<Attributes>> {
        let read = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key.attributes()))
            .consistent_read(true)
            .send()
            .await
            .map_err(|err| Error::sdk(&self.table, "GetItem", err))?;
        Ok(read.item)
    }

    /// The condition that the stored item is `item`: every attribute
    /// equal, none of its shape's other fields, and none of the shape
    /// attribute where it had none. (An
    /// equality fails on an item that is gone, so the key's existence is
    /// asked only of an item of nothing but its key.)
    fn unchanged(
        &self,
        key: &ItemKey,
        item: &Attributes,
    ) -> Result<(String, Names, Option<Values>)> {
        let mut p = Placeholders::default();
        let key_names: Vec<&str> = std::iter::once(self.schema.hash_key().name())
            .chain(self.schema.range_key().map(|k| k.name()))
            .collect();
        let mut names: Vec<&String> = item
            .keys()
            .filter(|n| !key_names.contains(&n.as_str()))
            .collect();
        names.sort();
        let mut parts = Vec::with_capacity(names.len() + 1);
        if names.is_empty() {
            parts.push(format!("attribute_exists({})", p.name(key_names[0])));
        }
        if !item.contains_key(self.shapes.attribute()) {
            parts.push(format!(
                "attribute_not_exists({})",
                p.name(self.shapes.attribute())
            ));
        }
        for name in names {
            let placeholder = p.name(name);
            let value = p.value(item[name].clone());
            parts.push(format!("{placeholder} = {value}"));
        }
        // A field its shape may hold but the item did not: code of that
        // shape setting it in between must fail the rewrite, not be undone.
        let absent = self
            .shapes
            .fields(self.shapes.stored(item))
            .unwrap_or_default()
            .iter()
            .filter(|f| !item.contains_key(**f) && **f != self.shapes.attribute());
        for field in absent {
            parts.push(format!("attribute_not_exists({})", p.name(field)));
        }
        let condition = parts.join(" AND ");
        if condition.len() > MAX_EXPRESSION {
            return Err(Error::invalid(
                &self.table,
                "upgrade",
                format!("item `{key}` has too many attributes ({}) for a condition that it is unchanged ({} characters, of DynamoDB's {MAX_EXPRESSION})", item.len(), condition.len()),
            ));
        }
        let (names, values) = p.into_parts();
        Ok((condition, names.unwrap_or_default(), values))
    }
}

/// What one item's or one page's rewrites did.
#[derive(Default)]
struct Tally {
    upgraded: u64,
    retried: u64,
    changed_meanwhile: u64,
    write_units: f64,
}

impl std::ops::Add for Tally {
    type Output = Tally;

    fn add(self, other: Tally) -> Tally {
        Tally {
            upgraded: self.upgraded + other.upgraded,
            retried: self.retried + other.retried,
            changed_meanwhile: self.changed_meanwhile + other.changed_meanwhile,
            write_units: self.write_units + other.write_units,
        }
    }
}
