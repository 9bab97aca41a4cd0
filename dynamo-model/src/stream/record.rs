//! A stream record in the one form every source maps onto, and the one
//! decoder of it: images as serde_dynamo items (the form the Lambda event
//! already has, so a Lambda batch decodes without converting a value),
//! decoded into the model as a read decodes an item.

use std::collections::HashMap;
use std::time::SystemTime;

use aws_sdk_dynamodb::types::AttributeValue;
use serde_dynamo::Item;

use super::change::{Change, ChangeKind};
use crate::error::{Error, Result};
use crate::item::key::{short, ItemKey};
use crate::read::page::{ReadFailure, ReadItem};
use crate::{DynamoModel, EntitySchema, StreamView};

/// One record of a table's stream: what happened, the keys, the images the
/// stream's view carries, and its place in the stream. The sources build
/// it ([`lambda::record`](crate::stream::lambda::record)); a test or
/// another source can too.
#[derive(Debug, Clone)]
pub struct StreamRecord {
    event_name: String,
    table: Option<String>,
    keys: Item,
    new_image: Option<Item>,
    old_image: Option<Item>,
    sequence_number: String,
    approximate_creation: Option<SystemTime>,
    view: Option<StreamView>,
    by_ttl: bool,
}

impl StreamRecord {
    /// A record of `event_name` (`INSERT`, `MODIFY`, `REMOVE`) of the item
    /// with these key attributes, at this sequence number.
    pub fn new(
        event_name: impl Into<String>,
        keys: impl Into<Item>,
        sequence_number: impl Into<String>,
    ) -> StreamRecord {
        StreamRecord {
            event_name: event_name.into(),
            table: None,
            keys: keys.into(),
            new_image: None,
            old_image: None,
            sequence_number: sequence_number.into(),
            approximate_creation: None,
            view: None,
            by_ttl: false,
        }
    }

    /// The item after the change.
    pub fn new_image(mut self, image: impl Into<Item>) -> StreamRecord {
        self.new_image = Some(image.into());
        self
    }

    /// The item before the change.
    pub fn old_image(mut self, image: impl Into<Item>) -> StreamRecord {
        self.old_image = Some(image.into());
        self
    }

    /// The stream's view: which images its records carry (unset: those
    /// given are all there are).
    pub fn view(mut self, view: StreamView) -> StreamRecord {
        self.view = Some(view);
        self
    }

    /// The table's name as the stream gives it (default: the model's).
    pub fn table(mut self, name: impl Into<String>) -> StreamRecord {
        self.table = Some(name.into());
        self
    }

    /// When the change was made.
    pub fn approximate_creation(mut self, at: SystemTime) -> StreamRecord {
        self.approximate_creation = Some(at);
        self
    }

    /// A remove made by DynamoDB's TTL.
    pub fn by_ttl(mut self, by_ttl: bool) -> StreamRecord {
        self.by_ttl = by_ttl;
        self
    }

    /// The record's sequence number.
    pub fn sequence_number(&self) -> &str {
        &self.sequence_number
    }

    /// The change, decoded into `M`: the model, an entity of a shared table
    /// or a collection of its entities. `Ok(None)` for a record of an
    /// entity `M` does not read (a shared table's stream carries every
    /// entity's changes; with `KEYS_ONLY` there is no image to tell, and
    /// every record is read). A record whose images are of two entities (a
    /// put of one over the other's item at its key) reads as what it is to
    /// `M`: a remove of the old one, an insert of the new one, a modify for
    /// a collection of both ([`ChangeKind`]). An image that does not decode
    /// is [`Error::ChangeUnreadable`] naming the table, the key (the
    /// model's, or the record's own key attributes when they are not the
    /// model's) and the sequence number.
    ///
    /// ```
    /// use dynamo_model::{DynamoModel, Error, StreamRecord};
    ///
    /// #[derive(DynamoModel, serde::Serialize, serde::Deserialize, Debug)]
    /// struct User { #[hash_key] id: String, age: u32 }
    ///
    /// let keys: serde_dynamo::Item = serde_dynamo::to_item(&serde_json::json!({ "id": "u1" }))?;
    /// let bad: serde_dynamo::Item = serde_dynamo::to_item(&serde_json::json!({ "id": "u1", "age": "ten" }))?;
    /// let err = StreamRecord::new("INSERT", keys, "100").new_image(bad).decode::<User>().unwrap_err();
    /// assert!(matches!(&err, Error::ChangeUnreadable { key: Some(key), sequence_number, .. }
    ///     if key == r#"id = "u1""# && sequence_number == "100"), "{err}");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn decode<M: DynamoModel + ReadItem>(self) -> Result<Option<Change<M>>> {
        let table = self
            .table
            .unwrap_or_else(|| M::schema().table_name().to_owned());
        let sequence_number = self.sequence_number;
        let keys: HashMap<String, AttributeValue> = self.keys.into();
        let key = ItemKey::from_item(M::schema(), &table, &keys);
        // Every error names the item: by the model's key, or by the
        // record's own key attributes when they are not the model's (the
        // key is what a person looks the item up by; `None` only for a
        // record without keys).
        let named = match &key {
            Ok(key) => Some(key.to_string()),
            Err(_) => keys_named(&keys),
        };
        let unreadable = |source: Error| Error::ChangeUnreadable {
            table: table.clone(),
            key: named.clone(),
            sequence_number: sequence_number.clone(),
            source: Box::new(keyed(source, named.as_deref())),
            checkpoint: None,
        };
        let Some(kind) = ChangeKind::parse(&self.event_name) else {
            let why = format!(
                "the record's event name is `{}`, not INSERT, MODIFY or REMOVE",
                self.event_name
            );
            return Err(unreadable(Error::invalid(&table, "stream record", why)));
        };
        let key = key.map_err(&unreadable)?;
        let entities = read_entities::<M>().map_err(&unreadable)?;
        let ours = |image: &Item| {
            entities
                .as_ref()
                .is_none_or(|entities| entities.iter().any(|e| is_of(image, e)))
        };
        let Some((kind, old, new)) = sides(kind, self.old_image, self.new_image, ours) else {
            return Ok(None);
        };
        let decode = |image: Item| {
            decode_image::<M>(&table, image, entities.as_deref()).map_err(&unreadable)
        };
        let new = new.map(decode).transpose()?;
        let old = old.map(decode).transpose()?;
        Ok(Some(Change {
            table: table.clone(),
            kind,
            key,
            old,
            new,
            view: self.view,
            sequence_number,
            approximate_creation: self.approximate_creation,
            by_ttl: self.by_ttl,
            #[cfg(feature = "streams")]
            checkpoint: None,
        }))
    }
}

/// Which of a record's images (old, new) `M` reads, `ours` telling its
/// entities' images from the others', and the change they make to `M`:
/// `None` when the record has images and none is ours (another entity's
/// change, left out). A put of one entity over another's item at its key
/// is one MODIFY whose images are of two entities; each side is read by
/// its own model (a remove of the old entity, an insert of the new), so
/// that no model fails on the other's image, which would stop a Lambda
/// shard at the record until it ages out. A collection of both reads both
/// images: the modify it is.
fn sides(
    kind: ChangeKind,
    old: Option<Item>,
    new: Option<Item>,
    ours: impl Fn(&Item) -> bool,
) -> Option<(ChangeKind, Option<Item>, Option<Item>)> {
    let old_ours = old.as_ref().map(&ours);
    let new_ours = new.as_ref().map(&ours);
    match (old_ours, new_ours) {
        // No image to tell whose (KEYS_ONLY): every record is read.
        (None, None) => Some((kind, None, None)),
        (Some(true), Some(false)) => Some((ChangeKind::Remove, old, None)),
        (Some(false), Some(true)) => Some((ChangeKind::Insert, None, new)),
        (Some(false) | None, Some(false) | None) => None,
        _ => Some((kind, old, new)),
    }
}

/// A record's key attributes as an error names them, `pk = "A", sk = "B"`
/// (in name order: they are not the model's key, whose order is unknown);
/// `None` for a record without keys.
fn keys_named(keys: &HashMap<String, AttributeValue>) -> Option<String> {
    if keys.is_empty() {
        return None;
    }
    let mut pairs: Vec<(&String, &AttributeValue)> = keys.iter().collect();
    pairs.sort_by(|a, b| a.0.cmp(b.0));
    let named: Vec<String> = pairs
        .into_iter()
        .map(|(name, value)| format!("{name} = {}", short(value)))
        .collect();
    Some(named.join(", "))
}

/// An image's error, naming the record's key where the image's decoder
/// could not (it reads the image alone, and knows no key).
fn keyed(mut err: Error, named: Option<&str>) -> Error {
    if let Error::Serde { key, .. }
    | Error::WrongEntity { key, .. }
    | Error::ShapeUnknown { key, .. } = &mut err
    {
        if key.is_none() {
            *key = named.map(str::to_owned);
        }
    }
    err
}

/// The entities `M` reads: its own, a collection's, or `None` for a model
/// of its own table.
fn read_entities<M: DynamoModel>() -> Result<Option<Vec<&'static EntitySchema>>> {
    match (M::entity(), M::collection_entities()) {
        (Some(entity), _) => Ok(Some(vec![entity?])),
        (None, Some(entities)) => entities.map(Some),
        (None, None) => Ok(None),
    }
}

/// Whether the image names `entity` in its entity attribute.
fn is_of(image: &Item, entity: &EntitySchema) -> bool {
    matches!(
        image.get(entity.entity_attribute()),
        Some(serde_dynamo::AttributeValue::S(name)) if name == entity.name()
    )
}

/// An image as `M`: for an entity, checked to be of it (a record's images
/// of other entities were left out before; this keeps a garbled value from
/// ever being made of one) and stripped of the attributes its templates
/// wrote (a collection's variants do that themselves).
fn decode_image<M: DynamoModel + ReadItem>(
    table: &str,
    mut image: Item,
    entities: Option<&[&'static EntitySchema]>,
) -> Result<M> {
    if let Some(entities) = entities {
        if !entities.iter().any(|e| is_of(&image, e)) {
            let attribute = entities[0].entity_attribute();
            let names: Vec<&str> = entities.iter().map(|e| e.name()).collect();
            return Err(Error::WrongEntity {
                table: table.to_owned(),
                key: None,
                expected: names.join(" | "),
                found: match image.get(attribute) {
                    Some(serde_dynamo::AttributeValue::S(name)) => Some(name.clone()),
                    _ => None,
                },
                attribute: attribute.to_owned(),
            });
        }
    }
    // A shaped model's image is upgraded as an item read is; the others
    // decode from the image as it is, with no conversion.
    let read = match M::SHAPES {
        Some(shapes) => {
            let entity = M::entity().transpose()?;
            let (item, older) =
                crate::item::encode::prepare(table, &|| None, entity, Some(shapes), image.into())?;
            match older {
                Some(stored) => M::read_shape(stored, item).map_err(ReadFailure::Serde),
                None => M::read_item(table, item),
            }
        }
        None => {
            if let Some(entity) = M::entity() {
                for attribute in entity?.written_attributes() {
                    image.remove(attribute);
                }
            }
            M::read_image(table, image)
        }
    };
    read.map_err(|failure| match failure {
        ReadFailure::Serde(reason) => Error::Serde {
            table: table.to_owned(),
            key: None,
            reason,
        },
        ReadFailure::Error(err) => err,
    })
}

/// The view a stream names (`NEW_AND_OLD_IMAGES`, ...); `None` for a name
/// DynamoDB does not have. For the sources that name it.
#[cfg(any(feature = "lambda", feature = "streams"))]
pub(crate) fn view_named(name: &str) -> Option<StreamView> {
    use aws_sdk_dynamodb::types::StreamViewType;
    StreamViewType::values()
        .contains(&name)
        .then(|| crate::table::request::stream_view_of(&StreamViewType::from(name)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(entity: &str) -> Item {
        Item::from(HashMap::from([(
            "_type".to_owned(),
            serde_dynamo::AttributeValue::S(entity.to_owned()),
        )]))
    }

    fn of(entity: &'static str) -> impl Fn(&Item) -> bool {
        move |image: &Item| matches!(image.get("_type"), Some(serde_dynamo::AttributeValue::S(name)) if name == entity)
    }

    /// What `sides` makes of a record: the kind, and the entities of the
    /// images kept.
    fn seen(
        kind: ChangeKind,
        old: Option<&str>,
        new: Option<&str>,
        ours: impl Fn(&Item) -> bool,
    ) -> Option<(ChangeKind, Option<Item>, Option<Item>)> {
        sides(kind, old.map(image), new.map(image), ours)
    }

    #[test]
    fn a_put_over_another_entitys_item_is_a_remove_of_one_and_an_insert_of_the_other() {
        let modify = ChangeKind::Modify;
        // Customer `a` replaced by purchase `b` at one key.
        assert_eq!(
            seen(modify, Some("a"), Some("b"), of("a")),
            Some((ChangeKind::Remove, Some(image("a")), None))
        );
        assert_eq!(
            seen(modify, Some("a"), Some("b"), of("b")),
            Some((ChangeKind::Insert, None, Some(image("b"))))
        );
        // A collection of both reads the modify it is.
        let both = |i: &Item| of("a")(i) || of("b")(i);
        assert_eq!(
            seen(modify, Some("a"), Some("b"), both),
            Some((modify, Some(image("a")), Some(image("b"))))
        );
        // An entity that is neither leaves it out.
        assert_eq!(seen(modify, Some("a"), Some("b"), of("c")), None);
    }

    #[test]
    fn records_of_one_entity_are_read_or_left_out_whole() {
        let modify = ChangeKind::Modify;
        assert_eq!(
            seen(modify, Some("a"), Some("a"), of("a")),
            Some((modify, Some(image("a")), Some(image("a"))))
        );
        assert_eq!(seen(modify, Some("b"), Some("b"), of("a")), None);
        // One image only (NEW_IMAGE, OLD_IMAGE views, inserts, removes).
        assert_eq!(
            seen(ChangeKind::Insert, None, Some("a"), of("a")),
            Some((ChangeKind::Insert, None, Some(image("a"))))
        );
        assert_eq!(seen(ChangeKind::Remove, Some("b"), None, of("a")), None);
        assert_eq!(
            seen(modify, Some("a"), None, of("a")),
            Some((modify, Some(image("a")), None))
        );
        // KEYS_ONLY: nothing to tell by, read.
        assert_eq!(
            seen(modify, None, None, of("a")),
            Some((modify, None, None))
        );
        // An image of no entity is not ours either.
        let untyped = Item::from(HashMap::<String, serde_dynamo::AttributeValue>::new());
        assert_eq!(
            sides(modify, Some(untyped), Some(image("a")), of("a")),
            Some((ChangeKind::Insert, None, Some(image("a"))))
        );
    }

    #[test]
    fn an_error_names_the_records_key_even_when_it_is_not_the_models() {
        let keys = HashMap::from([
            ("sk".to_owned(), AttributeValue::S("PROFILE".into())),
            ("pk".to_owned(), AttributeValue::S("CUSTOMER#c1".into())),
        ]);
        assert_eq!(
            keys_named(&keys).as_deref(),
            Some(r#"pk = "CUSTOMER#c1", sk = "PROFILE""#)
        );
        assert_eq!(keys_named(&HashMap::new()), None);
        let inner = Error::Serde {
            table: "t".into(),
            key: None,
            reason: "invalid type".into(),
        };
        assert!(matches!(
            keyed(inner, Some("id = 1")),
            Error::Serde { key: Some(key), .. } if key == "id = 1"
        ));
        // A key the image's decoder found is kept.
        let found = Error::WrongEntity {
            table: "t".into(),
            key: Some("pk = \"x\"".into()),
            expected: "a".into(),
            found: None,
            attribute: "_type".into(),
        };
        assert!(matches!(
            keyed(found, Some("other")),
            Error::WrongEntity { key: Some(key), .. } if key == "pk = \"x\""
        ));
    }
}
