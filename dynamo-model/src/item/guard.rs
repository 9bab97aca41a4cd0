//! The condition of one write: the caller's, existence (`if_exists`,
//! `if_not_exists`) and the version check, rendered as one
//! `ConditionExpression`; and, when DynamoDB says it failed, which of them
//! failed.

use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;

use super::condition::Node;
use super::encode::Attributes;
use super::expression::Placeholders;
use super::fields::FieldInfo;
use super::key::ItemKey;
use super::version::Expected;
use crate::error::{Error, Result};
use crate::TableSchema;

#[derive(Debug, Clone, Default)]
pub(crate) struct Guard {
    /// The caller's condition.
    pub(crate) condition: Option<Node>,
    /// `Some(true)`: the item must exist; `Some(false)`: it must not.
    pub(crate) must_exist: Option<bool>,
    /// The version check: attribute and what it must hold.
    pub(crate) version: Option<(&'static str, Expected)>,
    /// Set when `must_exist` was added because the write, creating a missing
    /// item, would leave out these required fields (an update that does not
    /// set them): a missing item is then [`Error::ItemNotFound`].
    pub(crate) would_lack: Option<Vec<&'static str>>,
    /// For an entity's update, delete or check: that the item is of the
    /// entity (or, for a delete, absent). Idempotent, so it changes neither
    /// whether a write may be resent nor what is returned on failure.
    pub(crate) entity: Option<Node>,
    /// For an update of a shaped model: that the stored item is at the
    /// newest shape, or absent. An update never leaves
    /// an item half of one shape and half of another: an older item fails
    /// as [`Error::ShapeOutdated`]. Idempotent, as `entity` is.
    pub(crate) shape: Option<crate::Shapes>,
    /// For a version bump that checks no version (an update without
    /// `expect_version`): the version attribute and the most its Rust type
    /// holds. The bump happens on the server, so only a condition there
    /// keeps a `u8` version at 255 from being stored as 256, which no read
    /// could decode. Idempotent, as `entity` is.
    pub(crate) version_room: Option<VersionRoom>,
    /// For a put of a shaped model: that the stored item is not at a shape
    /// newer than the model's. Code that does not know that shape would
    /// rewrite the item with less than it holds (an old binary beside a
    /// new one). Idempotent, as `entity` is.
    pub(crate) newer_shape: Option<crate::Shapes>,
}

/// The version field of a bump the server makes, and the most its Rust
/// type holds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct VersionRoom {
    pub(crate) attribute: &'static str,
    pub(crate) field: &'static str,
    pub(crate) max: u128,
}

impl Guard {
    /// Adds the caller's `condition` to any given before (both must hold).
    pub(crate) fn and(&mut self, condition: Node) {
        self.condition = Some(match self.condition.take() {
            Some(before) => before.and_node(condition),
            None => condition,
        });
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.condition.is_none() && self.must_exist.is_none() && self.version.is_none()
    }

    /// The `ConditionExpression`, or `None` for an unconditional write.
    pub(crate) fn render(
        &self,
        table: &str,
        schema: &TableSchema,
        fields: Option<&[FieldInfo]>,
        p: &mut Placeholders,
    ) -> Result<Option<String>> {
        let mut parts = Vec::new();
        let hash_key = schema.hash_key().name();
        match self.must_exist {
            Some(true) => parts.push(format!("attribute_exists({})", p.name(hash_key))),
            Some(false) => parts.push(format!("attribute_not_exists({})", p.name(hash_key))),
            None => {}
        }
        match &self.version {
            Some((_, Expected::New)) => {
                parts.push(format!("attribute_not_exists({})", p.name(hash_key)))
            }
            Some((attribute, Expected::At(version))) => parts.push(format!(
                "{} = {}",
                p.name(attribute),
                p.value(AttributeValue::N(version.clone()))
            )),
            None => {}
        }
        if let Some(shapes) = self.shape {
            let (attribute, current) = shapes.written();
            parts.push(format!(
                "attribute_not_exists({}) OR {} = {}",
                p.name(hash_key),
                p.name(&attribute),
                p.value(current)
            ));
        }
        if let Some(shapes) = self.newer_shape {
            let (attribute, current) = shapes.written();
            let name = p.name(&attribute);
            parts.push(format!(
                "attribute_not_exists({name}) OR {name} <= {}",
                p.value(current)
            ));
        }
        if let Some(VersionRoom { attribute, max, .. }) = self.version_room {
            let name = p.name(attribute);
            parts.push(format!(
                "attribute_not_exists({name}) OR {name} < {}",
                p.value(AttributeValue::N(max.to_string()))
            ));
        }
        for condition in self.condition.iter().chain(&self.entity) {
            let text = condition
                .render(p, fields)
                .map_err(|reason| Error::invalid(table, "condition", reason))?;
            parts.push(text);
        }
        Ok(match parts.len() {
            0 => None,
            1 => parts.pop(),
            _ => Some(
                parts
                    .iter()
                    .map(|part| format!("({part})"))
                    .collect::<Vec<_>>()
                    .join(" AND "),
            ),
        })
    }

    /// For a write with a shape check, the error when the stored `item`
    /// failed it: an update's item at an older shape, or any write's at a
    /// newer one (written by newer code).
    pub(crate) fn shape_failure(
        &self,
        table: &str,
        key: &ItemKey,
        item: &Attributes,
    ) -> Option<Error> {
        let shapes = self.shape.or(self.newer_shape)?;
        let (stored, newest) = (shapes.stored(item), shapes.current());
        if stored > newest {
            Some(Error::ShapeUnknown {
                table: table.to_owned(),
                key: Some(key.to_string()),
                stored,
                newest,
            })
        } else if stored < newest && self.shape.is_some() {
            Some(Error::ShapeOutdated {
                table: table.to_owned(),
                key: key.to_string(),
                stored,
                newest,
            })
        } else {
            None
        }
    }

    /// Whether a failed condition is told apart by the stored item, which
    /// is then asked for with the failure.
    pub(crate) fn needs_stored_item(&self) -> bool {
        !self.is_empty()
            || self.shape.is_some()
            || self.newer_shape.is_some()
            || self.version_room.is_some()
    }

    /// For a write with the version-room check, the error when the stored
    /// `item`'s version is already at its type's maximum.
    pub(crate) fn version_full(
        &self,
        table: &str,
        key: &ItemKey,
        item: &Attributes,
    ) -> Option<Error> {
        let room = self.version_room?;
        let stored = match item.get(room.attribute) {
            Some(AttributeValue::N(n)) => n.parse::<u128>().ok()?,
            _ => return None,
        };
        (stored >= room.max).then(|| Error::VersionExhausted {
            table: table.to_owned(),
            key: Some(key.to_string()),
            field: room.field.to_owned(),
            version: stored.to_string(),
        })
    }

    /// The error for a failed condition. `returned` is the stored item, where
    /// the backend returns it (ReturnValuesOnConditionCheckFailure); where it
    /// does not and several checks could have failed, the item is read to
    /// tell which.
    pub(crate) async fn failure(
        &self,
        client: &Client,
        table: &str,
        key: &ItemKey,
        returned: Option<&Attributes>,
    ) -> Error {
        // A shape or version-room check: the stored item tells whether it
        // failed.
        let held;
        let returned = match (
            self.shape.is_some() || self.newer_shape.is_some() || self.version_room.is_some(),
            returned,
        ) {
            (true, None) => match read_stored(client, table, key).await {
                Some(item) => {
                    held = item;
                    held.as_ref()
                }
                None => None,
            },
            (_, returned) => returned,
        };
        if let Some(failure) = returned.and_then(|item| self.shape_failure(table, key, item)) {
            return failure;
        }
        if let Some(full) = returned.and_then(|item| self.version_full(table, key, item)) {
            return full;
        }
        let several = (self.version.is_some()
            && (self.condition.is_some() || self.must_exist.is_some() || self.entity.is_some()))
            || (self.would_lack.is_some() && (self.condition.is_some() || self.entity.is_some()));
        let read;
        let old = match returned {
            Some(item) => Some(item),
            None if several => match read_stored(client, table, key).await {
                Some(item) => {
                    read = item;
                    read.as_ref()
                }
                // Unreadable now: which check failed cannot be told, and
                // that some check failed (nothing written) is all that is
                // known.
                None => {
                    return Error::ConditionFailed {
                        table: table.to_owned(),
                        key: key.to_string(),
                    }
                }
            },
            None => None,
        };
        self.classify(table, key, old, several)
    }

    /// The error of a failed single-item write: which check failed when the
    /// condition did (`returned` reads the stored item off the SDK's error,
    /// where the backend sent it), a missing table, or the SDK's error.
    pub(crate) async fn write_error<E>(
        &self,
        client: &Client,
        table: &str,
        key: &ItemKey,
        operation: &'static str,
        err: SdkError<E, HttpResponse>,
        returned: impl FnOnce(&E) -> Option<Attributes>,
    ) -> Error
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        match err.as_service_error() {
            Some(service) if service.code() == Some("ConditionalCheckFailedException") => {
                let returned = returned(service);
                self.failure(client, table, key, returned.as_ref()).await
            }
            Some(service) if service.code() == Some("ResourceNotFoundException") => {
                Error::TableNotFound {
                    table: table.to_owned(),
                }
            }
            _ => Error::sdk(table, operation, err),
        }
    }

    fn classify(
        &self,
        table: &str,
        key: &ItemKey,
        old: Option<&Attributes>,
        several: bool,
    ) -> Error {
        let conflict = || Error::VersionConflict {
            table: table.to_owned(),
            key: key.to_string(),
            expected: self
                .version
                .as_ref()
                .map(|(_, e)| e.describe())
                .unwrap_or_default(),
        };
        if let Some(lacking) = &self.would_lack {
            // Alone, the existence check is what failed; with others, the
            // stored item tells.
            if !several || old.is_none() {
                return Error::ItemNotFound {
                    table: table.to_owned(),
                    key: key.to_string(),
                    lacking: lacking.iter().map(|f| (*f).to_owned()).collect(),
                };
            }
        }
        let Some((attribute, expected)) = &self.version else {
            return Error::ConditionFailed {
                table: table.to_owned(),
                key: key.to_string(),
            };
        };
        if !several {
            return conflict();
        }
        // Several checks: the stored item tells which failed. An existence
        // check the caller wrote names the failure when it is false, even
        // where the version check failed too: `put(&new).if_not_exists()`
        // over a stored item is the caller's `if_not_exists` failing.
        let condition_failed = || Error::ConditionFailed {
            table: table.to_owned(),
            key: key.to_string(),
        };
        if self.must_exist.is_some_and(|must| must != old.is_some()) {
            return condition_failed();
        }
        let stored = match old {
            None => Expected::New,
            Some(item) => match item.get(*attribute) {
                Some(AttributeValue::N(n)) if n != "0" => Expected::At(n.clone()),
                _ => Expected::New,
            },
        };
        if &stored != expected {
            conflict()
        } else {
            condition_failed()
        }
    }
}

/// The stored item (`Some(None)`: there is none), read consistently after a
/// failed condition where the backend did not return it; `None` when the
/// read itself failed, which must not pass for "no item".
pub(crate) async fn read_stored(
    client: &Client,
    table: &str,
    key: &ItemKey,
) -> Option<Option<Attributes>> {
    client
        .get_item()
        .table_name(table)
        .set_key(Some(key.attributes()))
        .consistent_read(true)
        .send()
        .await
        .ok()
        .map(|out| out.item)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AttributeType;

    fn schema() -> TableSchema {
        TableSchema::builder("things")
            .hash_key("id", AttributeType::S)
            .build()
            .unwrap()
    }

    #[test]
    fn existence_version_and_condition_are_one_expression() {
        let guard = Guard {
            condition: None,
            must_exist: Some(true),
            version: Some(("version", Expected::At("3".into()))),
            would_lack: None,
            entity: None,
            shape: None,
            version_room: None,
            newer_shape: None,
        };
        let mut p = Placeholders::default();
        let text = guard.render("t", &schema(), None, &mut p).unwrap();
        assert_eq!(
            text.as_deref(),
            Some("(attribute_exists(#n0)) AND (#n1 = :v0)")
        );
        assert!(Guard::default()
            .render("t", &schema(), None, &mut p)
            .unwrap()
            .is_none());
    }

    #[test]
    fn a_failed_version_check_is_a_version_conflict() {
        let key = ItemKey::from_values(
            "t",
            &[("id".to_owned(), AttributeType::S)],
            vec![AttributeValue::S("a".into())],
        )
        .unwrap();
        let guard = Guard {
            version: Some(("version", Expected::New)),
            ..Guard::default()
        };
        assert!(matches!(
            guard.classify("t", &key, None, false),
            Error::VersionConflict { .. }
        ));
        let plain = Guard {
            must_exist: Some(false),
            ..Guard::default()
        };
        assert!(matches!(
            plain.classify("t", &key, None, false),
            Error::ConditionFailed { .. }
        ));
        // Version and condition: a stored item at the expected version means
        // the condition failed.
        let both = Guard {
            condition: Some(Node::Exists(super::super::condition::Target::Attribute(
                "x",
            ))),
            version: Some(("version", Expected::At("2".into()))),
            ..Guard::default()
        };
        let at = |v: &str| Attributes::from([("version".to_owned(), AttributeValue::N(v.into()))]);
        assert!(matches!(
            both.classify("t", &key, Some(&at("2")), true),
            Error::ConditionFailed { .. }
        ));
        assert!(matches!(
            both.classify("t", &key, Some(&at("3")), true),
            Error::VersionConflict { .. }
        ));
        assert!(matches!(
            both.classify("t", &key, None, true),
            Error::VersionConflict { .. }
        ));
        // if_not_exists on a new versioned item over a stored one: the
        // caller's existence check is what failed.
        let new_if_not_exists = Guard {
            must_exist: Some(false),
            version: Some(("version", Expected::New)),
            ..Guard::default()
        };
        assert!(matches!(
            new_if_not_exists.classify("t", &key, Some(&at("3")), true),
            Error::ConditionFailed { .. }
        ));
        let held_if_exists = Guard {
            must_exist: Some(true),
            version: Some(("version", Expected::At("2".into()))),
            ..Guard::default()
        };
        assert!(matches!(
            held_if_exists.classify("t", &key, None, true),
            Error::ConditionFailed { .. }
        ));
        assert!(matches!(
            held_if_exists.classify("t", &key, Some(&at("3")), true),
            Error::VersionConflict { .. }
        ));
    }
}
