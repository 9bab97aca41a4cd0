//! Optimistic locking (`#[version]`), as PynamoDB and the Java Enhanced
//! Client do it, so that their code can share the table: a new item carries
//! 0 (or no version) and is stored with 1 by a write that requires no item
//! to exist; a write of version v requires v stored and stores v + 1.

use aws_sdk_dynamodb::types::AttributeValue;

use super::encode::Attributes;
use super::fields::{FieldInfo, FieldRole};
use super::guard::VersionRoom;
use super::key::ItemKey;
use crate::error::{Error, Result};

/// A Rust type a `#[version]` field can have: a whole number, stored as N.
///
/// ```
/// use dynamo_model::DynamoModel;
///
/// #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
/// struct Account {
///     #[hash_key]
///     id: String,
///     #[version]
///     version: u64,
///     balance: i64,
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "a #[version] field must be a whole number, and `{Self}` is not",
    label = "not an integer type",
    note = "use `u64` (or another integer type, or an `Option` of one): the version starts at 0 and goes up by one per write"
)]
pub trait VersionType {}

macro_rules! version_types {
    ($($ty:ty),*) => {$( impl VersionType for $ty {} )*};
}
version_types!(u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize);
impl<T: VersionType> VersionType for Option<T> {}

/// What a versioned write expects to find.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Expected {
    /// No item.
    New,
    /// The item, at this version (N text).
    At(String),
}

impl Expected {
    pub(crate) fn describe(&self) -> String {
        match self {
            Expected::New => "none (a new item)".to_owned(),
            Expected::At(v) => v.clone(),
        }
    }
}

/// The model's `#[version]` field.
pub(crate) fn field(fields: &[FieldInfo]) -> Option<&FieldInfo> {
    fields.iter().find(|f| f.role == FieldRole::Version)
}

/// The version `attributes` carry (0 when absent or null).
pub(crate) fn read(table: &str, attribute: &str, attributes: &Attributes) -> Result<u128> {
    match attributes.get(attribute) {
        None | Some(AttributeValue::Null(_)) => Ok(0),
        Some(AttributeValue::N(n)) => n.parse::<u128>().map_err(|_| {
            Error::invalid(
                table,
                "version",
                format!("version `{attribute}` is {n}; a version is a whole number from 0 up"),
            )
        }),
        Some(_) => Err(Error::invalid(
            table,
            "version",
            format!("version `{attribute}` is not stored as a number"),
        )),
    }
}

/// Refuses a write that would take the version `field` past what its
/// Rust type holds (a `u8` version at 255): the item would be stored, then
/// fail every read.
pub(crate) fn check_room(
    table: &str,
    key: Option<&ItemKey>,
    field: &FieldInfo,
    current: u128,
) -> Result<()> {
    let Some(max) = field.number_range().and_then(|r| r.max()) else {
        return Ok(());
    };
    if current >= max {
        return Err(Error::VersionExhausted {
            table: table.to_owned(),
            key: key.map(ToString::to_string),
            field: field.name.to_owned(),
            version: current.to_string(),
        });
    }
    Ok(())
}

/// For a bump the server makes (`v = v + 1` with no version checked): the
/// condition that keeps it within the field's type. `None` where the
/// type's maximum is more than the 38 digits a DynamoDB number holds
/// (`u128`), so no stored version can reach it.
pub(crate) fn room(field: &FieldInfo) -> Option<VersionRoom> {
    let max = field.number_range().and_then(|r| r.max())?;
    (max.to_string().len() <= 38).then_some(VersionRoom {
        attribute: field.attribute,
        field: field.name,
        max,
    })
}

/// Sets the next version in `attributes` and returns what the write
/// expects to find.
pub(crate) fn bump(
    table: &str,
    key: &ItemKey,
    field: &FieldInfo,
    attributes: &mut Attributes,
) -> Result<Expected> {
    let attribute = field.attribute;
    let current = read(table, attribute, attributes)?;
    check_room(table, Some(key), field, current)?;
    attributes.insert(
        attribute.to_owned(),
        AttributeValue::N((current + 1).to_string()),
    );
    Ok(expected(current))
}

/// What a write of an item at `version` expects.
pub(crate) fn expected(version: u128) -> Expected {
    if version == 0 {
        Expected::New
    } else {
        Expected::At(version.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::item::fields::{KindProbe, KnownKind, ValueKind};

    fn key() -> ItemKey {
        ItemKey::from_values(
            "t",
            &[("id".to_owned(), crate::AttributeType::S)],
            vec![AttributeValue::S("a".into())],
        )
        .unwrap()
    }

    fn version_field() -> FieldInfo {
        FieldInfo::new("v", "v", FieldRole::Version, false, || ValueKind::N)
    }

    #[test]
    fn a_new_item_is_stored_at_1_and_an_old_one_one_up() {
        let mut item = Attributes::new();
        assert_eq!(
            bump("t", &key(), &version_field(), &mut item).unwrap(),
            Expected::New
        );
        assert_eq!(item["v"], AttributeValue::N("1".into()));
        assert_eq!(
            bump("t", &key(), &version_field(), &mut item).unwrap(),
            Expected::At("1".into())
        );
        assert_eq!(item["v"], AttributeValue::N("2".into()));
    }

    #[test]
    fn a_negative_version_is_refused() {
        let mut item = Attributes::from([("v".to_owned(), AttributeValue::N("-1".into()))]);
        let err = bump("t", &key(), &version_field(), &mut item).unwrap_err();
        assert!(err.to_string().contains("whole number"), "{err}");
    }

    #[test]
    #[allow(clippy::needless_borrow)] // the borrow is the probe
    fn a_version_at_its_types_maximum_is_refused_before_writing() {
        let u8_version = version_field().numbers(|| (&KindProbe::<u8>::new()).number_range());
        let mut item = Attributes::from([("v".to_owned(), AttributeValue::N("254".into()))]);
        bump("t", &key(), &u8_version, &mut item).unwrap();
        assert_eq!(item["v"], AttributeValue::N("255".into()));
        let err = bump("t", &key(), &u8_version, &mut item).unwrap_err();
        assert!(err.to_string().contains("at 255, the most"), "{err}");
        assert!(
            matches!(&err, Error::VersionExhausted { version, .. } if version == "255"),
            "{err}"
        );
        let u8_room = room(&u8_version).unwrap();
        assert_eq!((u8_room.attribute, u8_room.max), ("v", 255));
        let u128_version = version_field().numbers(|| (&KindProbe::<u128>::new()).number_range());
        assert!(
            room(&u128_version).is_none(),
            "u128's maximum is past 38 digits"
        );
    }
}
