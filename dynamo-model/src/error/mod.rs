//! The one error type of the crate.
//!
//! A variant about a table names it, so a failure in a fixture that creates
//! ten tables at once still says which one went wrong; failures that concern
//! no table (a server that does not start, a blocking call inside a runtime,
//! a refused endpoint, a request such as ListTables) have variants of their
//! own and never carry a made-up table name.

use std::time::Duration;

mod ask;
pub(crate) mod cause;
pub(crate) mod duration;
mod make;

pub(crate) use make::quoted;

/// A boxed error from the SDK or the transport, kept as the `source`.
///
/// ```
/// use dynamo_model::BoxError;
/// let source: BoxError = Box::new(std::io::Error::other("connection reset"));
/// assert_eq!(source.to_string(), "connection reset");
/// ```
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// `Result` with this crate's [`enum@Error`].
///
/// ```
/// use dynamo_model::{Error, Result};
/// fn find(table: &str) -> Result<()> {
///     Err(Error::TableNotFound { table: table.into() })
/// }
/// assert!(find("users").unwrap_err().is_table_not_found());
/// ```
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong with a table operation.
///
/// ```
/// use dynamo_model::Error;
/// let err = Error::TableNotFound { table: "users".into() };
/// assert!(err.is_table_not_found());
/// assert_eq!(err.to_string(), "table `users` was not found");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// DynamoDB has no table of this name.
    #[error("table `{table}` was not found")]
    TableNotFound {
        /// The table name as sent.
        table: String,
    },

    /// CreateTable found a table of this name already there.
    #[error("table `{table}` already exists")]
    TableAlreadyExists {
        /// The table name as sent.
        table: String,
    },

    /// CreateTable met a table of this name that is being deleted (DELETING),
    /// and the create was not asked to wait; retry, or create with
    /// `wait(true)`, which waits for the deletion and then creates.
    #[error("table `{table}` is being deleted (DELETING); create it again once it is gone, or create with `wait(true)` to wait for that")]
    TableBeingDeleted {
        /// The table name as sent.
        table: String,
    },

    /// The table has deletion protection on, so DynamoDB refused to delete it.
    /// The table is untouched.
    #[error("table `{table}` has deletion protection on and was not deleted; turn deletion protection off first")]
    DeletionProtected {
        /// The table name as sent.
        table: String,
    },

    /// `if_not_exists` found a table of this name whose keys or indexes are
    /// not the model's.
    #[error("table `{table}` already exists and does not match the model: {}", differences.join("; "))]
    SchemaMismatch {
        /// The table name as sent.
        table: String,
        /// Each difference, in words.
        differences: Vec<String>,
    },

    /// A wait ran out of time before the table reached the state waited for.
    #[error("table `{table}` did not become {target} within {}; its last status was {last_status}", duration::Readable(*waited))]
    WaitTimeout {
        /// The table name as sent.
        table: String,
        /// What was waited for: `ACTIVE`, `deleted`, or (during an apply)
        /// `ACTIVE with its encryption settled`.
        target: &'static str,
        /// The status DynamoDB last reported, with any GSI not yet ACTIVE and
        /// any encryption change under way.
        last_status: String,
        /// How long the wait lasted.
        waited: Duration,
    },

    /// An argument or option was refused before any request was sent.
    #[error("invalid {option} for table `{table}`: {reason}")]
    InvalidInput {
        /// The table name the request would have used.
        table: String,
        /// The option or argument at fault, e.g. `wait_timeout`.
        option: &'static str,
        /// Why it was refused.
        reason: String,
    },

    /// A schema breaks DynamoDB's rules (the ones the derive checks at
    /// compile time); nothing was sent.
    #[error("invalid schema for table `{table}`: {}", problems.join("; "))]
    InvalidSchema {
        /// The table name of the schema.
        table: String,
        /// Every rule it breaks, in words.
        problems: Vec<String>,
    },

    /// A blocking call (`.sync()` or a `sync_` method, feature `blocking`)
    /// was made inside an async runtime, where blocking would stall it;
    /// nothing was sent.
    #[error("`{operation}` was called as a blocking call inside an async runtime, where it would block the runtime; \
             `.await` the async operation instead")]
    BlockingInsideRuntime {
        /// The operation, e.g. `Table::create`.
        operation: String,
    },

    /// The runtime that runs blocking calls could not be started.
    #[error("the runtime for blocking calls could not be started: {source}")]
    BlockingRuntime {
        /// Why the operating system refused.
        #[source]
        source: std::io::Error,
    },

    /// A local server (the embedded backend, DynamoDB Local) could not be
    /// provisioned or started.
    #[error("could not start {server}: {message}")]
    ServerStart {
        /// Which server, e.g. `DynamoDB Local`.
        server: &'static str,
        /// What went wrong, and what to install or set.
        message: String,
        /// The underlying failure, when there is one.
        #[source]
        source: Option<BoxError>,
    },

    /// An endpoint was refused before any request was sent: a test fixture
    /// asked to create or delete tables on a non-loopback endpoint without
    /// the opt-in, or an endpoint that is not a URL.
    #[error("endpoint {}refused: {reason}", endpoint.as_deref().map(|e| format!("`{e}` ")).unwrap_or_default())]
    EndpointRefused {
        /// The endpoint, when one is known (`None`: the SDK's default AWS endpoint).
        endpoint: Option<String>,
        /// Why, and how to opt in where that is possible.
        reason: String,
    },

    /// A setting from the environment or the process (not of one table) is
    /// not valid, e.g. an unknown `DYNAMO_MODEL_BACKEND`.
    #[error("invalid {setting}: {reason}")]
    InvalidSetting {
        /// The setting, e.g. an environment variable's name.
        setting: &'static str,
        /// Why it was refused.
        reason: String,
    },

    /// The table (created now, found by `if_not_exists`, or being changed
    /// by a plan's apply) is ACTIVE, but turning on TTL failed (for example
    /// on a backend that has no TTL support, or within an hour of another
    /// TTL change). The table is left in place; pass
    /// `CreateTableOptions::enable_ttl(false)` to skip TTL.
    #[error(
        "table `{table}` is ACTIVE, but enabling TTL on attribute `{attribute}` failed: {message}"
    )]
    TtlNotEnabled {
        /// The table name as sent.
        table: String,
        /// The model's `#[ttl]` attribute.
        attribute: String,
        /// What the server said.
        message: String,
        /// The SDK error.
        #[source]
        source: BoxError,
    },

    /// A put, update or delete whose condition the stored item did not meet
    /// (`if_not_exists`, `if_exists`, `condition`); nothing was written.
    #[error("the condition on item `{key}` of table `{table}` was not met; nothing was written")]
    ConditionFailed {
        /// The table name as sent.
        table: String,
        /// The item's key, as `id = "c1", created = 42`.
        key: String,
    },

    /// Optimistic locking (`#[version]`): the stored item's version was not
    /// the one the write expected, because another writer got there first
    /// (or, for a first put, an item already exists). Nothing was written;
    /// read the item again and retry.
    #[error("version conflict on item `{key}` of table `{table}`: the stored item is not at version {expected}; nothing was written")]
    VersionConflict {
        /// The table name as sent.
        table: String,
        /// The item's key.
        key: String,
        /// The version the write expected to find (`none` for a new item).
        expected: String,
    },

    /// A write that would take a `#[version]` past the most its Rust type
    /// holds (a `u8` version at 255): nothing was written, since the item
    /// would then be stored at a version no read can decode. Use a wider
    /// type, such as `u64`.
    #[error("version `{field}` of item {} of table `{table}` is at {version}, the most its type holds, so it cannot go up; nothing was written (use a wider type, such as `u64`)",
        key.as_deref().map(|k| format!("`{k}`")).unwrap_or_else(|| "(no key)".to_owned()))]
    VersionExhausted {
        /// The table name as sent.
        table: String,
        /// The item's key, when known.
        key: Option<String>,
        /// The `#[version]` field.
        field: String,
        /// The version stored (or held), as DynamoDB's number text.
        version: String,
    },

    /// A write whose answer was lost (a timeout, a connection lost after the
    /// request was sent, a 5xx): the server may or may not have applied it,
    /// and this call could not find out which. A write that cannot be
    /// applied twice harmlessly (an `add`, a version bump without
    /// [`expect_version`](crate::Update::expect_version)) is not sent again
    /// and ends here; a conditional or versioned write is sent again and
    /// ends here when the resend's condition fails on an item that does not
    /// prove the first attempt was this write's. See the README's "Retries
    /// of writes whose answer was lost".
    #[error("{operation} of item `{key}` of table `{table}` may or may not have been applied: its answer was lost ({reason}); {detail}")]
    OutcomeUnknown {
        /// The table name as sent.
        table: String,
        /// The item's key.
        key: String,
        /// `PutItem`, `UpdateItem` or `DeleteItem`.
        operation: &'static str,
        /// What happened to the answer.
        reason: String,
        /// What was done about it, and what to do.
        detail: String,
    },

    /// An update of an item that does not exist. It would have created the
    /// item without required fields, which the model could not read back,
    /// so it required the item to exist; nothing was written. Set those
    /// fields and call [`upsert`](crate::Update::upsert) to create it.
    #[error("item `{key}` of table `{table}` does not exist, and this update would have created it without the required field(s) {}, which the model cannot read back; nothing was written (set them and call `upsert()` to create it)", quoted(lacking))]
    ItemNotFound {
        /// The table name as sent.
        table: String,
        /// The item's key.
        key: String,
        /// The required fields the update does not set.
        lacking: Vec<String>,
    },

    /// An item over DynamoDB's 400 KB item size limit; nothing was sent.
    #[error("item `{key}` of table `{table}` is {size} bytes, over DynamoDB's limit of {limit} bytes; nothing was sent")]
    ItemTooLarge {
        /// The table name as sent.
        table: String,
        /// The item's key.
        key: String,
        /// The item's size as DynamoDB counts it.
        size: usize,
        /// 400 KB.
        limit: usize,
    },

    /// A value could not be stored: serde_dynamo refused to encode it (a
    /// 128-bit integer, a map with keys that are not strings); nothing was
    /// sent.
    #[error(
        "an item for table `{table}` cannot be encoded for DynamoDB: {reason}; nothing was sent"
    )]
    Encode {
        /// The table name as sent.
        table: String,
        /// serde_dynamo's reason, and what to do where it is known.
        reason: String,
    },

    /// An item read from the table could not be turned into the model
    /// (serde's reason, with the item's key when known).
    #[error("item {} of table `{table}` does not match the model: {reason}", key.as_deref().map(|k| format!("`{k}`")).unwrap_or_else(|| "(no key)".to_owned()))]
    Serde {
        /// The table name as sent.
        table: String,
        /// The item's key, when it could be read.
        key: Option<String>,
        /// serde_dynamo's message.
        reason: String,
    },

    /// An item of a shared table was read as an entity it is not (its
    /// entity attribute names another entity, or none): it is not decoded
    /// into a struct it would garble.
    #[error("item {} of table `{table}` is {}, not of entity `{expected}` (attribute `{attribute}`)",
        key.as_deref().map(|k| format!("`{k}`")).unwrap_or_else(|| "(no key)".to_owned()),
        found.as_deref().map(|f| format!("of entity `{f}`")).unwrap_or_else(|| "of no entity".to_owned()))]
    WrongEntity {
        /// The table name as sent.
        table: String,
        /// The item's key, when it could be read.
        key: Option<String>,
        /// The entity the item was read as.
        expected: String,
        /// The entity the item names, `None` when its entity attribute is
        /// missing or not a string.
        found: Option<String>,
        /// The entity attribute.
        attribute: String,
    },

    /// An item is stored at a shape newer than the model's (written by
    /// newer code): it is not read, so that older code never rewrites it
    /// with what it does not know.
    #[error("item {} of table `{table}` is stored at shape {stored}, and this code knows shapes up to {newest}: it was written by newer code (deploy that code here too)",
        key.as_deref().map(|k| format!("`{k}`")).unwrap_or_else(|| "(no key)".to_owned()))]
    ShapeUnknown {
        /// The table name as sent.
        table: String,
        /// The item's key, when it could be read.
        key: Option<String>,
        /// The shape the item is stored at.
        stored: u32,
        /// The model's shape, the newest this code knows.
        newest: u32,
    },

    /// An update of an item stored at an older shape: nothing was written,
    /// since the update would leave an item of two shapes. Upgrade the item
    /// first (`table.upgrade_items()`, or read and put it), then update it.
    #[error("item `{key}` of table `{table}` is stored at shape {stored}, older than the model's {newest}: an update would mix the two, so nothing was written; upgrade the item first (`upgrade_items()`, or get and put it)")]
    ShapeOutdated {
        /// The table name as sent.
        table: String,
        /// The item's key.
        key: String,
        /// The shape the item is stored at.
        stored: u32,
        /// The model's shape.
        newest: u32,
    },

    /// A backfill ([`upgrade_items`](crate::Table::upgrade_items)) was to
    /// resume from a checkpoint that is not a position in its own scan: one
    /// of another table (another table prefix), of an earlier table of the
    /// same name (deleted and created again: another TableId or creation
    /// time), of another entity or shape, of a dry run, or a damaged one
    /// (no segments, a cursor that is not of the table). Going on from it
    /// would skip items that were never upgraded and report the backfill
    /// done, so nothing was written. Start without it: an item rewritten
    /// already is left alone.
    #[error("the backfill of table `{table}` refused its checkpoint{}: {reason}; nothing was written (resume from this table's own checkpoint, or start without one: items rewritten already are left alone)",
        if checkpoint_table == table { String::new() } else { format!(" of table `{checkpoint_table}`") })]
    CheckpointRefused {
        /// The table name as sent.
        table: String,
        /// The table the checkpoint names (as its backfill sent it).
        checkpoint_table: String,
        /// Why it was refused.
        reason: String,
    },

    /// A record of a table's stream could not be read as the model: its
    /// image does not decode (`source` says why), or names no such item.
    /// One bad record does not hide the others of its batch, and a stream
    /// reader goes on after it; from a reader, `checkpoint` is the place
    /// just after the record, so that a caller who sets the record aside
    /// (a dead-letter queue, a log) can save it and never stop at the
    /// record again.
    #[error("change `{sequence_number}` of item {} of table `{table}` could not be read: {source}",
        key.as_deref().map(|k| format!("`{k}`")).unwrap_or_else(|| "(no key)".to_owned()))]
    ChangeUnreadable {
        /// The table name, as the stream names it.
        table: String,
        /// The item's key, as the model's key attributes give it (or the
        /// record's own key attributes, by name, when they are not the
        /// model's); `None` only for a record without keys.
        key: Option<String>,
        /// The record's sequence number (what a Lambda partial batch
        /// response reports).
        sequence_number: String,
        /// Why.
        source: Box<Error>,
        /// Where a stream reader (`Table::changes`, feature `streams`)
        /// stands just after this record: resumed from it, the reader
        /// reads on from the next record. `None` for a record decoded by
        /// other means (a Lambda event: Lambda keeps its own place).
        /// [`Error::checkpoint`] reads it.
        checkpoint: Option<Box<crate::stream::Checkpoint>>,
    },

    /// A reader of a table's stream (`Table::changes`, feature `streams`)
    /// came to the end of the stream: it was turned off (DISABLED, or gone
    /// from the server), or replaced by a new stream when it was turned on
    /// again (`latest`), and its shards were read to their end. Every
    /// change the reader could read of it came before this; nothing more
    /// will. A stream holds a table's changes only while it is the table's:
    /// to read on, start a reader on the table again (at
    /// `StartingPosition::TrimHorizon`, the new stream from its start). A
    /// checkpoint of the ended stream resumes it only to end here again.
    #[error("the stream `{stream_arn}` of table `{table}` has ended: {reason}{}",
        latest.as_deref().map(|l| format!("; the table's changes now go to stream `{l}`")).unwrap_or_default())]
    StreamEnded {
        /// The table name as sent.
        table: String,
        /// The stream that ended.
        stream_arn: String,
        /// Why it ended, and what of it could not be read, in words.
        reason: String,
        /// The table's stream now, when it is another one (the stream was
        /// turned on again); `None` when the table has no other.
        latest: Option<String>,
    },

    /// A batch could not write (or read) every item: after its retries, these
    /// keys are still unprocessed, or DynamoDB refused them (a refused
    /// request is split until the refused items stand alone, so one bad item
    /// does not hold back the other 24). Every other item of the batch was
    /// written (read); nothing is dropped without being listed here.
    #[error("{operation} on table `{table}`: {} item(s) not {verb}, {done} {verb}; after {attempts} attempt(s): {reason}; keys not {verb}: {}", keys.len(), keys.join("; "), verb = match *operation { "BatchGetItem" => "read", "DeleteItem" => "deleted", _ => "written" })]
    BatchIncomplete {
        /// The table name as sent.
        table: String,
        /// `BatchWriteItem`, `BatchGetItem`, or `DeleteItem` (an entity's
        /// `batch_delete`, one checked delete per item).
        operation: &'static str,
        /// Exactly the keys not written (or not read), as `id = "u1"`.
        keys: Vec<String>,
        /// How many of the batch's distinct items were written (read).
        done: usize,
        /// The most attempts a failed request took (1 for a refusal).
        attempts: u32,
        /// Why, as the server said it, with the keys when they are few.
        reason: String,
    },

    /// DynamoDB cancelled a transaction: nothing of it was written. Each
    /// action's outcome says which failed and why (`code` is `None` for the
    /// actions that were fine).
    #[error("transaction on table `{table}` was cancelled, nothing written: {}", reasons.iter().filter(|r| r.code.is_some()).map(|r| format!("`{}` of `{}`: {}{}", r.key, r.table, r.code.as_deref().unwrap_or_default(), r.message.as_deref().map(|m| format!(" ({m})")).unwrap_or_default())).collect::<Vec<_>>().join("; "))]
    TransactionCanceled {
        /// The table of the first action that failed (of the first action,
        /// when DynamoDB names none), as sent.
        table: String,
        /// One outcome per action, in the order they were added.
        reasons: Vec<crate::transaction::ActionOutcome>,
        /// DynamoDB's message.
        message: String,
    },

    /// A plan lists changes DynamoDB cannot make in place (table keys, their
    /// types, LSIs), so `apply` refused it and changed nothing.
    #[error("table `{table}` needs a new table for: {}; nothing was applied (make the new table and move the data, or change the model back)", changes.join("; "))]
    NeedsNewTable {
        /// The table name as sent.
        table: String,
        /// Each change that needs a new table.
        changes: Vec<String>,
    },

    /// `apply` re-read the table before a step and found it no longer as the
    /// plan (and the steps made so far) left it: someone else changed it.
    /// The steps before were made; nothing after.
    #[error("table `{table}` changed since the plan was made: {}; {applied} step(s) were applied before this was found, none after; make a new plan", differences.join("; "))]
    PlanStale {
        /// The table name as sent.
        table: String,
        /// What the table shows that the plan did not expect.
        differences: Vec<String>,
        /// How many changes of the plan were made before.
        applied: usize,
    },

    /// `apply` made a change that DynamoDB accepted but the table does not
    /// show once ACTIVE again (a server that ignores the setting). The
    /// changes before it were made; nothing after.
    #[error("table `{table}`: `{change}` was accepted, but the table does not show it ({}); {applied} earlier step(s) were applied, none after", differences.join("; "))]
    ChangeNotShown {
        /// The table name as sent.
        table: String,
        /// The change, as the plan prints it.
        change: String,
        /// How the table still differs from what the change should have made.
        differences: Vec<String>,
        /// How many changes of the plan were made before it.
        applied: usize,
    },

    /// Any other failure of a request: a service error DynamoDB returned, or a
    /// transport, credentials or timeout failure before it answered.
    #[error("{operation}{} failed: {message}", table.as_deref().map(|t| format!(" on table `{t}`")).unwrap_or_default())]
    Sdk {
        /// The table name as sent; `None` for a request about no one table
        /// (ListTables).
        table: Option<String>,
        /// The DynamoDB operation, e.g. `DescribeTable`.
        operation: &'static str,
        /// The SDK error with its full context (code, message, cause).
        message: String,
        /// The service's error code (`ProvisionedThroughputExceededException`,
        /// `ValidationException`...), `None` for a failure before any
        /// answer; [`Error::code`] gives it.
        code: Option<String>,
        /// Whether sending the request again may succeed; see
        /// [`Error::is_retryable`].
        retryable: bool,
        /// The SDK error ([`Error::sdk_error`]). Not the `source()`: the
        /// message already says each of its causes once, and a report that
        /// walks the sources would print them all again.
        sdk: BoxError,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeout_names_the_last_status() {
        let err = Error::WaitTimeout {
            table: "orders".into(),
            target: "ACTIVE",
            last_status: "ACTIVE, index by_status CREATING".into(),
            waited: Duration::from_millis(1500),
        };
        assert_eq!(
            err.to_string(),
            "table `orders` did not become ACTIVE within 1.5 s; its last status was ACTIVE, index by_status CREATING"
        );
    }

    #[test]
    fn an_ended_stream_names_the_stream_to_read_on() {
        let err = Error::StreamEnded {
            table: "orders".into(),
            stream_arn: "arn:old".into(),
            reason: "the table's stream was turned off and on again".into(),
            latest: Some("arn:new".into()),
        };
        assert_eq!(
            err.to_string(),
            "the stream `arn:old` of table `orders` has ended: the table's stream was turned off and on again; \
             the table's changes now go to stream `arn:new`"
        );
    }

    #[test]
    fn an_unreadable_change_names_its_key_and_sequence_number() {
        let err = Error::ChangeUnreadable {
            table: "orders".into(),
            key: Some(r#"id = "o1""#.into()),
            sequence_number: "42".into(),
            source: Box::new(Error::Serde {
                table: "orders".into(),
                key: Some(r#"id = "o1""#.into()),
                reason: "invalid type".into(),
            }),
            checkpoint: None,
        };
        let text = err.to_string();
        assert!(
            text.starts_with(
                r#"change `42` of item `id = "o1"` of table `orders` could not be read"#
            ),
            "{text}"
        );
        assert!(std::error::Error::source(&err).is_some());
    }
}
