//! A backfill's checkpoint: per scan segment, where its scan stands; and
//! what it is a position in: the table (its name as sent, with any prefix,
//! and its identity as DynamoDB gave it), the entity, the shape items are
//! upgraded to, and whether it only counted. A scan position means nothing
//! in another table, and a checkpoint taken as another's would skip items
//! that were never upgraded and report the backfill done: so a resume is
//! checked as strictly as a fresh start, and a checkpoint that is not this
//! backfill's is refused before any write ([`Error::CheckpointRefused`]).

use std::collections::HashMap;

use aws_sdk_dynamodb::primitives::DateTimeFormat;
use aws_sdk_dynamodb::types::{AttributeValue, TableDescription};
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::read::cursor::ReadKind;
use crate::{AttributeType, Cursor, TableSchema};

/// DynamoDB's limit on a parallel scan's segments; a fresh start and a
/// resumed checkpoint are held to it alike.
pub(super) const MAX_SEGMENTS: u32 = 1_000_000;

/// Where a backfill stands: per scan segment, the last key read, or that
/// the segment is done; and the table (name and identity), entity and
/// shape it is of. Serializable, to resume a backfill that stopped
/// ([`UpgradeItems::resume`](crate::UpgradeItems::resume)); a backfill
/// refuses one of another table, of an earlier table of the same name,
/// of another entity or shape, of a dry run, or a damaged one.
///
/// ```
/// use dynamo_model::UpgradeCheckpoint;
/// let damaged = r#"{ "table": "orders", "segments": [] }"#;
/// let checkpoint: UpgradeCheckpoint = serde_json::from_str(damaged).unwrap();
/// assert!(!checkpoint.is_done()); // no segment is done: none is there
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpgradeCheckpoint {
    /// The table name as sent (with any connection prefix).
    pub(super) table: String,
    /// Which table of that name; absent in a checkpoint of an older
    /// version, which is refused for want of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) identity: Option<TableIdentity>,
    /// The entity whose items of a shared table are upgraded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) entity: Option<String>,
    /// The shape the items are upgraded to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) shape: Option<u32>,
    /// A dry run's: it rewrote nothing, so a backfill that writes cannot
    /// go on from it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(super) dry_run: bool,
    /// One mark per segment: the position is the segment's index, so each
    /// index of `0..len` is there exactly once.
    pub(super) segments: Vec<SegmentMark>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum SegmentMark {
    Start,
    After(Cursor),
    Done,
}

/// A table as DynamoDB identifies it, as far as the server says: a table
/// deleted and created again under the same name has another TableId
/// (a UUID DynamoDB assigns), or at least another creation time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct TableIdentity {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) arn: Option<String>,
    /// CreationDateTime, as RFC 3339 (to the fraction the server gives).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) created: Option<String>,
}

impl TableIdentity {
    pub(super) fn of(description: &TableDescription) -> TableIdentity {
        TableIdentity {
            id: description.table_id().map(str::to_owned),
            arn: description.table_arn().map(str::to_owned),
            created: description.creation_date_time().map(|t| {
                t.fmt(DateTimeFormat::DateTime)
                    .unwrap_or_else(|_| format!("{}.{:09}", t.secs(), t.subsec_nanos()))
            }),
        }
    }

    /// Why `now` is not the table this identity was taken of, if it is
    /// not. The TableId decides where both have one. Without it, the ARN
    /// and creation time must both match: the creation time alone can be
    /// the same for a table created again within the same second (an
    /// emulator that keeps whole seconds), and the ARN is the same for any
    /// table of that name. One with a TableId and one without are not
    /// taken for the same table. A server that gives none of the three is
    /// checked by name only.
    fn differs(&self, now: &TableIdentity) -> Option<String> {
        let shown = |v: &Option<String>| v.as_deref().unwrap_or("none").to_owned();
        match (&self.id, &now.id) {
            (Some(then), Some(table)) if then == table => None,
            (Some(_), Some(_)) => Some(format!(
                "it was taken of the table with TableId `{}`, and the table of that name now has TableId `{}`: it was deleted and created again since",
                shown(&self.id),
                shown(&now.id)
            )),
            (Some(_), None) | (None, Some(_)) => Some(format!(
                "its TableId is {}, the table's is {}: the table cannot be shown to be the one it was taken of",
                shown(&self.id),
                shown(&now.id)
            )),
            (None, None) if self.arn == now.arn && self.created == now.created => None,
            (None, None) => Some(format!(
                "it was taken of the table {} created at {}, and the table of that name is {} created at {}: it was deleted and created again since",
                shown(&self.arn),
                shown(&self.created),
                shown(&now.arn),
                shown(&now.created)
            )),
        }
    }
}

/// The backfill a checkpoint is to resume: what it must be of.
pub(super) struct Resuming<'a> {
    /// The table name as sent.
    pub(super) table: &'a str,
    pub(super) schema: &'a TableSchema,
    pub(super) entity: Option<&'a str>,
    /// The model's shape, which the rewrites store.
    pub(super) shape: u32,
    pub(super) dry_run: bool,
}

impl UpgradeCheckpoint {
    /// Whether every segment is scanned to its end (never for a checkpoint
    /// of no segments, which no backfill makes).
    pub fn is_done(&self) -> bool {
        !self.segments.is_empty() && self.segments.iter().all(|s| *s == SegmentMark::Done)
    }

    /// The table it is of: its name as sent, with any table prefix.
    ///
    /// ```
    /// use dynamo_model::UpgradeCheckpoint;
    /// let checkpoint: UpgradeCheckpoint =
    ///     serde_json::from_str(r#"{ "table": "dev_orders", "segments": ["start"] }"#).unwrap();
    /// assert_eq!(checkpoint.table(), "dev_orders");
    /// ```
    pub fn table(&self) -> &str {
        &self.table
    }

    /// The TableId of the table it is of, when the server gave one.
    pub fn table_id(&self) -> Option<&str> {
        self.identity.as_ref().and_then(|i| i.id.as_deref())
    }

    /// The checkpoint of a backfill that starts now, in `segments`
    /// segments, on the table `identity` describes.
    pub(super) fn fresh(of: &Resuming<'_>, identity: TableIdentity, segments: u32) -> Self {
        UpgradeCheckpoint {
            table: of.table.to_owned(),
            identity: Some(identity),
            entity: of.entity.map(str::to_owned),
            shape: Some(of.shape),
            dry_run: of.dry_run,
            segments: vec![SegmentMark::Start; segments as usize],
        }
    }

    /// Why this backfill cannot go on from this checkpoint, as far as the
    /// checkpoint alone shows it (no request: the table's identity is
    /// [`UpgradeCheckpoint::differs_from`]'s). The same rules as a fresh
    /// start, and more: a position is only of the scan that made it.
    pub(super) fn refusal(&self, of: &Resuming<'_>) -> Option<String> {
        let (Some(_), Some(shape)) = (&self.identity, self.shape) else {
            return Some(
                "it does not say which table it was taken of (a checkpoint of an older dynamo-model, or edited)".into(),
            );
        };
        if self.table != of.table {
            return Some(format!(
                "it is a position in table `{}`, another table (another table prefix?)",
                self.table
            ));
        }
        if self.entity.as_deref() != of.entity {
            let name = |e: Option<&str>| {
                e.map(|e| format!("entity `{e}`'s items"))
                    .unwrap_or_else(|| "every item".into())
            };
            return Some(format!(
                "it is of a backfill of {}, and this one upgrades {}",
                name(self.entity.as_deref()),
                name(of.entity)
            ));
        }
        if shape == 0 {
            return Some("it upgrades to shape 0, which no shape is".into());
        }
        if shape < of.shape {
            return Some(format!(
                "it is of a backfill to shape {shape}, and the model is now at shape {}: the items it passed are at most at shape {shape}",
                of.shape
            ));
        }
        if shape > of.shape {
            return Some(format!(
                "it is of a backfill to shape {shape}, newer than this code's shape {} (it was taken by newer code)",
                of.shape
            ));
        }
        if self.dry_run && !of.dry_run {
            return Some(
                "it is a dry run's, which rewrote nothing: going on from it would skip the items the dry run only counted".into(),
            );
        }
        let count = self.segments.len();
        if count == 0 || count > MAX_SEGMENTS as usize {
            return Some(format!(
                "it has {count} segments, and a scan has 1 to 1,000,000"
            ));
        }
        for (segment, mark) in self.segments.iter().enumerate() {
            let SegmentMark::After(cursor) = mark else {
                continue;
            };
            let fault = match cursor.start_key(of.schema.table_name(), None, ReadKind::Scan) {
                Ok(key) => key_fault(of.schema, &key),
                Err(err) => Some(err.to_string()),
            };
            if let Some(fault) = fault {
                return Some(format!("segment {segment} of {count}: {fault}"));
            }
        }
        None
    }

    /// The checkpoint a backfill that resumes from this one starts with:
    /// a dry run's marks a dry run's, whatever it went on from, since its
    /// positions from then on stand past items it only counted.
    pub(super) fn resumed_by(&self, of: &Resuming<'_>) -> UpgradeCheckpoint {
        UpgradeCheckpoint {
            dry_run: self.dry_run || of.dry_run,
            ..self.clone()
        }
    }

    /// Why the table `now` describes is not the one this checkpoint was
    /// taken of, if it is not.
    pub(super) fn differs_from(&self, now: &TableIdentity) -> Option<String> {
        match &self.identity {
            Some(then) => then.differs(now),
            None => Some("it does not say which table it was taken of".into()),
        }
    }

    /// The refusal of this checkpoint by the backfill of `table`.
    pub(super) fn refused(&self, table: &str, reason: String) -> Error {
        Error::CheckpointRefused {
            table: table.to_owned(),
            checkpoint_table: self.table.clone(),
            reason,
        }
    }
}

/// Why a cursor's key is not a key of the table's: a scan's position is a
/// primary key, its key attributes each of the schema's type.
fn key_fault(schema: &TableSchema, key: &HashMap<String, AttributeValue>) -> Option<String> {
    let wanted: Vec<_> = std::iter::once(schema.hash_key())
        .chain(schema.range_key())
        .collect();
    for attribute in &wanted {
        let fits = matches!(
            (attribute.attribute_type(), key.get(attribute.name())),
            (AttributeType::S, Some(AttributeValue::S(_)))
                | (AttributeType::N, Some(AttributeValue::N(_)))
                | (AttributeType::B, Some(AttributeValue::B(_)))
        );
        if !fits {
            return Some(format!(
                "its position holds no key attribute `{}` of type {}",
                attribute.name(),
                attribute.attribute_type().as_str()
            ));
        }
    }
    if key.len() != wanted.len() {
        let mut names: Vec<&str> = key.keys().map(String::as_str).collect();
        names.sort_unstable();
        return Some(format!(
            "its position holds attributes {}, not only the table's key",
            crate::error::quoted(names)
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> TableSchema {
        TableSchema::builder("tickets")
            .hash_key("id", AttributeType::N)
            .build()
            .unwrap()
    }

    fn identity(id: Option<&str>, created: &str) -> TableIdentity {
        TableIdentity {
            id: id.map(str::to_owned),
            arn: Some("arn:aws:dynamodb:us-east-1:000000000000:table/dev_tickets".into()),
            created: Some(created.into()),
        }
    }

    fn resuming(schema: &TableSchema) -> Resuming<'_> {
        Resuming {
            table: "dev_tickets",
            schema,
            entity: None,
            shape: 3,
            dry_run: false,
        }
    }

    fn after(id: &str) -> SegmentMark {
        let key = HashMap::from([("id".to_owned(), AttributeValue::N(id.into()))]);
        SegmentMark::After(Cursor::new("tickets", None, ReadKind::Scan, &key).unwrap())
    }

    fn checkpoint(schema: &TableSchema) -> UpgradeCheckpoint {
        let mut checkpoint = UpgradeCheckpoint::fresh(
            &resuming(schema),
            identity(Some("6f1c"), "2025-01-01T00:00:00Z"),
            3,
        );
        checkpoint.segments[1] = after("7");
        checkpoint.segments[2] = SegmentMark::Done;
        checkpoint
    }

    fn refusal(checkpoint: &UpgradeCheckpoint) -> String {
        let schema = schema();
        checkpoint
            .refusal(&resuming(&schema))
            .expect("the checkpoint is refused")
    }

    /// That the checkpoint is refused, for a reason that says `words`.
    fn refused_for(checkpoint: &UpgradeCheckpoint, words: &str) {
        let reason = refusal(checkpoint);
        assert!(reason.contains(words), "{reason}");
    }

    #[test]
    fn a_checkpoint_is_plain_json() {
        let schema = schema();
        let checkpoint = checkpoint(&schema);
        let json = serde_json::to_value(&checkpoint).unwrap();
        assert_eq!(json["table"], "dev_tickets");
        assert_eq!(json["identity"]["id"], "6f1c");
        assert_eq!(json["shape"], 3);
        assert_eq!(json["segments"][0], "start");
        assert_eq!(json["segments"][2], "done");
        assert!(json.get("entity").is_none() && json.get("dry_run").is_none());
        assert!(!checkpoint.is_done());
        assert_eq!(
            serde_json::from_value::<UpgradeCheckpoint>(json).unwrap(),
            checkpoint
        );
        assert_eq!(checkpoint.refusal(&resuming(&schema)), None);
    }

    #[test]
    fn a_checkpoint_of_no_segments_is_not_done_and_is_refused() {
        let schema = schema();
        let mut empty = checkpoint(&schema);
        empty.segments.clear();
        assert!(!empty.is_done());
        refused_for(&empty, "0 segments");
        let mut many = checkpoint(&schema);
        many.segments = vec![SegmentMark::Done; MAX_SEGMENTS as usize + 1];
        refused_for(&many, "1,000,000");
    }

    #[test]
    fn a_checkpoint_of_another_table_entity_shape_or_a_dry_run_is_refused() {
        let schema = schema();
        let mut other = checkpoint(&schema);
        other.table = "prod_tickets".into();
        refused_for(&other, "`prod_tickets`, another table");

        let mut entity = checkpoint(&schema);
        entity.entity = Some("order".into());
        refused_for(&entity, "entity `order`'s items");

        let mut older = checkpoint(&schema);
        older.shape = Some(2);
        refused_for(&older, "now at shape 3");
        let mut newer = checkpoint(&schema);
        newer.shape = Some(4);
        refused_for(&newer, "newer code");
        let mut zero = checkpoint(&schema);
        zero.shape = Some(0);
        refused_for(&zero, "shape 0");

        let mut counted = checkpoint(&schema);
        counted.dry_run = true;
        refused_for(&counted, "dry run");
        // A dry run may go on from a dry run's, or from a backfill's.
        let dry = Resuming {
            dry_run: true,
            ..resuming(&schema)
        };
        assert_eq!(counted.refusal(&dry), None);
        assert_eq!(checkpoint(&schema).refusal(&dry), None);
        // ... and what it goes on to save is a dry run's.
        let resumed = checkpoint(&schema).resumed_by(&dry);
        assert!(resumed.dry_run);
        refused_for(&resumed, "dry run");
        assert!(!checkpoint(&schema).resumed_by(&resuming(&schema)).dry_run);
    }

    #[test]
    fn a_checkpoint_of_an_older_version_is_refused() {
        let old: UpgradeCheckpoint =
            serde_json::from_str(r#"{ "table": "tickets", "segments": ["start", "done"] }"#)
                .unwrap();
        refused_for(&old, "does not say which table");
    }

    #[test]
    fn a_cursor_of_another_table_or_not_a_key_of_it_is_refused() {
        let schema = schema();
        let mut other = checkpoint(&schema);
        let key = HashMap::from([("id".to_owned(), AttributeValue::N("1".into()))]);
        other.segments[0] =
            SegmentMark::After(Cursor::new("users", None, ReadKind::Scan, &key).unwrap());
        let reason = refusal(&other);
        assert!(
            reason.starts_with("segment 0 of 3:") && reason.contains("table `users`"),
            "{reason}"
        );

        let mut query = checkpoint(&schema);
        query.segments[0] =
            SegmentMark::After(Cursor::new("tickets", None, ReadKind::Query, &key).unwrap());
        refused_for(&query, "made by a query");

        let mut typed = checkpoint(&schema);
        let text = HashMap::from([("id".to_owned(), AttributeValue::S("1".into()))]);
        typed.segments[0] =
            SegmentMark::After(Cursor::new("tickets", None, ReadKind::Scan, &text).unwrap());
        refused_for(&typed, "`id` of type N");

        let mut extra = checkpoint(&schema);
        let more = HashMap::from([
            ("id".to_owned(), AttributeValue::N("1".into())),
            ("sk".to_owned(), AttributeValue::S("x".into())),
        ]);
        extra.segments[0] =
            SegmentMark::After(Cursor::new("tickets", None, ReadKind::Scan, &more).unwrap());
        refused_for(&extra, "`id`, `sk`");

        // A cursor edited by hand does not even read as one.
        let mut json = serde_json::to_value(checkpoint(&schema)).unwrap();
        let cursor = json["segments"][1]["after"].as_str().unwrap().to_owned();
        json["segments"][1]["after"] = cursor.replacen("dm2.", "dm2.0", 1).into();
        assert!(serde_json::from_value::<UpgradeCheckpoint>(json).is_err());
    }

    #[test]
    fn a_table_created_again_is_another_table() {
        let schema = schema();
        let checkpoint = checkpoint(&schema);
        let same = identity(Some("6f1c"), "2025-01-01T00:00:00Z");
        assert_eq!(checkpoint.differs_from(&same), None);
        // Another TableId: another table, whatever its creation time.
        let again = identity(Some("90ab"), "2025-01-01T00:00:00Z");
        let reason = checkpoint.differs_from(&again).unwrap();
        assert!(
            reason.contains("`6f1c`") && reason.contains("`90ab`"),
            "{reason}"
        );
        // No TableId on either side: the ARN and creation time decide.
        let mut without = checkpoint.clone();
        without.identity = Some(identity(None, "2025-01-01T00:00:00Z"));
        assert_eq!(
            without.differs_from(&identity(None, "2025-01-01T00:00:00Z")),
            None
        );
        let reason = without
            .differs_from(&identity(None, "2025-01-01T00:00:01Z"))
            .unwrap();
        assert!(reason.contains("created again"), "{reason}");
        // A TableId on one side only proves nothing.
        assert!(checkpoint
            .differs_from(&identity(None, "2025-01-01T00:00:00Z"))
            .is_some());
    }

    #[test]
    fn a_refusal_names_both_tables() {
        let schema = schema();
        let checkpoint = checkpoint(&schema);
        let err = checkpoint.refused("prod_tickets", "it is of another table".into());
        assert_eq!(err.table(), Some("prod_tickets"));
        let text = err.to_string();
        assert!(
            text.contains("`prod_tickets`") && text.contains("`dev_tickets`"),
            "{text}"
        );
        let own = checkpoint.refused("dev_tickets", "it has 0 segments".into());
        assert!(
            !own.to_string().contains("of table `dev_tickets`:"),
            "{own}"
        );
    }
}
