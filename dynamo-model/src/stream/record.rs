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
use crate::item::key::ItemKey;
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
    /// every record is read). An image that does not decode, or is of
    /// another entity than its record's other image, is
    /// [`Error::ChangeUnreadable`] naming the table, the key and the
    /// sequence number.
    pub fn decode<M: DynamoModel + ReadItem>(self) -> Result<Option<Change<M>>> {
        let table = self
            .table
            .unwrap_or_else(|| M::schema().table_name().to_owned());
        let sequence_number = self.sequence_number;
        let unreadable = |key: Option<&ItemKey>, source: Error| Error::ChangeUnreadable {
            table: table.clone(),
            key: key.map(ToString::to_string),
            sequence_number: sequence_number.clone(),
            source: Box::new(source),
        };
        let Some(kind) = ChangeKind::parse(&self.event_name) else {
            let why = format!(
                "the record's event name is `{}`, not INSERT, MODIFY or REMOVE",
                self.event_name
            );
            return Err(unreadable(
                None,
                Error::invalid(&table, "stream record", why),
            ));
        };
        let keys: HashMap<String, AttributeValue> = self.keys.into();
        let key =
            ItemKey::from_item(M::schema(), &table, &keys).map_err(|e| unreadable(None, e))?;
        let entities = read_entities::<M>().map_err(|e| unreadable(Some(&key), e))?;
        if let Some(entities) = &entities {
            let images = [&self.new_image, &self.old_image];
            let mut present = images.iter().filter_map(|i| i.as_ref()).peekable();
            if present.peek().is_some()
                && !present.any(|image| entities.iter().any(|e| is_of(image, e)))
            {
                return Ok(None);
            }
        }
        let decode = |image: Item| {
            decode_image::<M>(&table, image, entities.as_deref())
                .map_err(|e| unreadable(Some(&key), e))
        };
        let new = self.new_image.map(decode).transpose()?;
        let old = self.old_image.map(decode).transpose()?;
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

/// An image as `M`: for an entity, checked to be of it and stripped of
/// the attributes its templates wrote (a collection's variants do that
/// themselves).
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
