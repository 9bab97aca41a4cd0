//! One change of an item, as a table's stream records it: what happened,
//! to which key, the item before and after (whichever the stream's view
//! carries), and where the change stands in the stream.

use std::time::SystemTime;

use crate::error::{Error, Result};
use crate::item::key::ItemKey;
use crate::StreamView;

/// What a change did to its item.
///
/// For an entity of a shared table, a put of one entity over another's
/// item at the same key (one MODIFY record, its images of two entities) is
/// what it is to each: a `Remove` of the entity that was there (its old
/// image only), an `Insert` of the one put (its new image only), and a
/// `Modify` to a collection of both (an old and a new image of different
/// variants).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeKind {
    /// The item was created (or, for an entity, put over another entity's
    /// item at its key).
    Insert,
    /// An existing item was changed.
    Modify,
    /// The item was deleted, by a caller or by TTL
    /// ([`Change::is_ttl_remove`]) (or, for an entity, replaced by another
    /// entity's item at its key).
    Remove,
}

impl ChangeKind {
    /// The kind a stream names (`INSERT`, `MODIFY`, `REMOVE`).
    pub(crate) fn parse(name: &str) -> Option<ChangeKind> {
        match name {
            "INSERT" => Some(ChangeKind::Insert),
            "MODIFY" => Some(ChangeKind::Modify),
            "REMOVE" => Some(ChangeKind::Remove),
            _ => None,
        }
    }
}

/// A change of one item of model `M` (an entity, or a collection of a
/// shared table's entities), decoded from a stream record.
///
/// ```
/// use dynamo_model::{ChangeKind, DynamoModel, StreamRecord};
///
/// #[derive(DynamoModel, serde::Serialize, serde::Deserialize, Debug, PartialEq)]
/// struct User { #[hash_key] id: String, name: String }
///
/// let image: serde_dynamo::Item = serde_dynamo::to_item(&User { id: "u1".into(), name: "Ada".into() })?;
/// let keys: serde_dynamo::Item = serde_dynamo::to_item(&serde_json::json!({ "id": "u1" }))?;
/// let record = StreamRecord::new("INSERT", keys, "100").new_image(image);
/// let change = record.decode::<User>()?.expect("a user's change");
/// assert_eq!(change.kind(), ChangeKind::Insert);
/// assert_eq!(change.key().to_string(), r#"id = "u1""#);
/// assert_eq!(change.new_image()?.map(|u| u.name.as_str()), Some("Ada"));
/// assert_eq!(change.old_image()?, None); // an insert has no old image
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Change<M> {
    pub(crate) table: String,
    pub(crate) kind: ChangeKind,
    pub(crate) key: ItemKey,
    pub(crate) old: Option<M>,
    pub(crate) new: Option<M>,
    pub(crate) view: Option<StreamView>,
    pub(crate) sequence_number: String,
    pub(crate) approximate_creation: Option<SystemTime>,
    pub(crate) by_ttl: bool,
    /// Where a stream reader stands after this change.
    #[cfg(feature = "streams")]
    pub(crate) checkpoint: Option<super::checkpoint::Checkpoint>,
}

impl<M> Change<M> {
    /// Insert, modify or remove.
    pub fn kind(&self) -> ChangeKind {
        self.kind
    }

    /// The changed item's key.
    pub fn key(&self) -> &ItemKey {
        &self.key
    }

    /// The table, as the stream names it.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// The item after the change: `None` for a remove.
    /// [`Error::InvalidInput`] when the stream's view carries no new images
    /// (`KEYS_ONLY`, `OLD_IMAGE`): that is the stream's setting, not the
    /// change's.
    pub fn new_image(&self) -> Result<Option<&M>> {
        self.image(self.new.as_ref(), "new", |v| {
            matches!(v, StreamView::NewImage | StreamView::NewAndOldImages)
        })
    }

    /// The item before the change: `None` for an insert.
    /// [`Error::InvalidInput`] when the stream's view carries no old images
    /// (`KEYS_ONLY`, `NEW_IMAGE`).
    pub fn old_image(&self) -> Result<Option<&M>> {
        self.image(self.old.as_ref(), "old", |v| {
            matches!(v, StreamView::OldImage | StreamView::NewAndOldImages)
        })
    }

    fn image<'a>(
        &self,
        image: Option<&'a M>,
        which: &str,
        carried: fn(StreamView) -> bool,
    ) -> Result<Option<&'a M>> {
        match (image, self.view) {
            (Some(image), _) => Ok(Some(image)),
            (None, Some(view)) if !carried(view) => Err(Error::invalid(
                &self.table,
                "stream image",
                format!(
                    "the stream's view is {}, which carries no {which} images; set the table's stream to a view with them (`StreamView::NewAndOldImages`)",
                    crate::table::request::stream_view(view).as_str()
                ),
            )),
            (None, _) => Ok(None),
        }
    }

    /// The images, old then new (each `None` when the change or the view
    /// has none).
    pub fn into_images(self) -> (Option<M>, Option<M>) {
        (self.old, self.new)
    }

    /// Where the change stands in its shard: a later change of the same key
    /// has a greater number. What a Lambda partial batch response names.
    pub fn sequence_number(&self) -> &str {
        &self.sequence_number
    }

    /// When the change was made, to about a second, when the record says.
    pub fn approximate_creation(&self) -> Option<SystemTime> {
        self.approximate_creation
    }

    /// Where the stream reader that read this change stands after it
    /// (`None` for a change from elsewhere, a Lambda event): save it once
    /// the change is handled, to resume from there
    /// ([`StartingPosition::Checkpoint`](super::reader::StartingPosition::Checkpoint)).
    #[cfg(feature = "streams")]
    pub fn checkpoint(&self) -> Option<&super::checkpoint::Checkpoint> {
        self.checkpoint.as_ref()
    }

    /// Whether this is a remove made by DynamoDB's TTL (the record's user
    /// identity is the DynamoDB service), not by a caller.
    pub fn is_ttl_remove(&self) -> bool {
        self.by_ttl
    }
}
