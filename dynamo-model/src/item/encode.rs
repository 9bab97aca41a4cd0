//! Items as serde_dynamo encodes them, with what DynamoDB needs on top: no
//! NULL where an index key goes (the item is left out of that index
//! instead), no empty key, no item over 400 KB, and no value DynamoDB
//! refuses (an empty set, NaN or infinity, a number outside its range):
//! each is an error before the request that names the attribute and item.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::key::ItemKey;
use crate::error::{Error, Result};
use crate::{DynamoModel, TableSchema};

/// An item as the SDK takes it.
pub(crate) type Attributes = HashMap<String, AttributeValue>;

/// DynamoDB's item size limit: 400 KB.
pub const MAX_ITEM_SIZE: usize = 400 * 1024;

/// `item` as DynamoDB stores it in `table` (its name as sent), with its
/// key: for an entity of a shared table, with the key attributes its
/// templates render and its entity attribute.
pub(crate) fn to_item<M: DynamoModel + Serialize>(
    table: &str,
    item: &M,
) -> Result<(Attributes, ItemKey)> {
    // A collection's key names no item (a bound on writes would break
    // every generic writer for it), so a `Serialize` collection is
    // refused here, before any request.
    if M::collection_entities().is_some() {
        return Err(Error::invalid(
            table,
            "collection",
            "a collection names no item key (it is read, not written or deleted): write each item as its entity model (`db.table::<Order>().put(&order)`)",
        ));
    }
    let mut written = match M::entity() {
        None => Vec::new(),
        Some(entity) => entity?.key_attributes(&|field| item.template_value(field))?,
    };
    if let Some(shapes) = M::SHAPES {
        written.push(shapes.written());
    }
    encode_item(M::schema(), table, item, written)
}

/// `item` as DynamoDB stores it, with the attributes `written` besides its
/// fields, and its key. serde_dynamo's own `to_item` rebuilds the serialized
/// map twice on the way to the SDK's type; here the one conversion it needs
/// also does every check and finds the key, in one pass over the
/// attributes.
fn encode_item<T: Serialize>(
    schema: &TableSchema,
    table: &str,
    item: &T,
    written: Vec<(String, AttributeValue)>,
) -> Result<(Attributes, ItemKey)> {
    let encoded: serde_dynamo::AttributeValue =
        serde_dynamo::to_attribute_value(item).map_err(|err| Error::Encode {
            table: table.to_owned(),
            reason: encode_reason(err.to_string()),
        })?;
    let serde_dynamo::AttributeValue::M(fields) = encoded else {
        return Err(Error::Encode {
            table: table.to_owned(),
            reason: "the value does not serialize as a map of attributes (a struct, or a map with string keys)".to_owned(),
        });
    };
    let mut walk = Walk::new(Some(schema));
    let mut attributes = Attributes::with_capacity(fields.len() + written.len());
    for (name, value) in fields {
        let value = AttributeValue::from(value);
        if walk.visit(&name, &value) {
            attributes.insert(name, value);
        }
    }
    for (name, value) in written {
        if attributes.contains_key(&name) {
            return Err(Error::Encode {
                table: table.to_owned(),
                reason: format!(
                    "attribute `{name}` is written by the entity's key templates or as the item's shape, and the item has a field of that name too (a flattened map?); nothing was sent"
                ),
            });
        }
        walk.visit(&name, &value);
        attributes.insert(name, value);
    }
    let key = ItemKey::from_found(schema, table, walk.key.take_all())?;
    if let Some((_, name)) = &walk.empty_index_key {
        return Err(Error::invalid(
            table,
            "item",
            format!(
                "index key `{name}` of item `{key}` is empty, which DynamoDB refuses for a key; nothing was sent (an `Option` set to `None` leaves the item out of the index)"
            ),
        ));
    }
    walk.judge(table, &key)?;
    Ok((attributes, key))
}

/// serde_dynamo's reason, with what to do where the cause is known.
fn encode_reason(reason: String) -> String {
    if reason.contains("i128") || reason.contains("u128") {
        format!(
            "{reason}: serde_dynamo stores numbers through 64 bits, and DynamoDB numbers hold 38 digits; store a 128-bit integer as a string (`#[serde(with = ...)]`) or use a 64-bit type"
        )
    } else {
        reason
    }
}

/// Reads an item back into the model; an entity's item must be of that
/// entity, and is decoded without the attributes its templates wrote.
pub(crate) fn from_item<M: DynamoModel + DeserializeOwned>(
    table: &str,
    key: &ItemKey,
    attributes: Attributes,
) -> Result<M> {
    read_model(table, || Some(key.to_string()), attributes)
}

/// An item read as the model itself: an older shape decoded as that shape
/// and upgraded in memory, with no second encoding.
pub(crate) fn read_model<M: DynamoModel + DeserializeOwned>(
    table: &str,
    key: impl Fn() -> Option<String>,
    attributes: Attributes,
) -> Result<M> {
    let entity = M::entity().transpose()?;
    let (attributes, older) = prepare(table, &key, entity, M::SHAPES, attributes)?;
    let decoded = match older {
        Some(stored) => M::read_shape(stored, attributes),
        None => serde_dynamo::from_item(attributes).map_err(|err| err.to_string()),
    };
    decoded.map_err(|reason| Error::Serde {
        table: table.to_owned(),
        key: key(),
        reason,
    })
}

/// An item read from `table`, made ready to decode as its model: for a
/// shaped model, its shape attribute taken off and an older shape upgraded
/// to the newest (encoded again, for a read as another type); for an
/// entity, checked to be of it and without the attributes its templates
/// and name wrote (which are not fields).
pub(crate) fn ready_to_read(
    table: &str,
    key: impl Fn() -> Option<String>,
    entity: Option<&crate::EntitySchema>,
    shapes: Option<crate::Shapes>,
    item: Attributes,
) -> Result<Attributes> {
    let (item, older) = prepare(table, &key, entity, shapes, item)?;
    match (shapes, older) {
        (Some(shapes), Some(stored)) => shapes.upgrade(table, key(), stored, item),
        _ => Ok(item),
    }
}

/// The item without its shape and entity attributes (the entity checked),
/// and its shape when it is older than the newest.
pub(crate) fn prepare(
    table: &str,
    key: &impl Fn() -> Option<String>,
    entity: Option<&crate::EntitySchema>,
    shapes: Option<crate::Shapes>,
    mut item: Attributes,
) -> Result<(Attributes, Option<u32>)> {
    let older = match shapes {
        Some(shapes) => {
            Some(shapes.take(table, key(), &mut item)?).filter(|stored| *stored != shapes.current())
        }
        None => None,
    };
    if let Some(entity) = entity {
        entity.read_item(table, &mut item)?;
    }
    Ok((item, older))
}

/// The key attributes of the schema's indexes (a table key is checked with
/// the item's key).
fn index_keys(schema: &TableSchema) -> impl Iterator<Item = &crate::KeyAttribute> {
    schema
        .global_indexes()
        .iter()
        .flat_map(|g| g.hash_keys().iter().chain(g.range_keys()))
        .chain(schema.local_indexes().iter().map(|l| l.range_key()))
}

/// serde writes `None` as NULL unless told to skip it; DynamoDB refuses
/// NULL for an index key, and an absent one is what a sparse index means.
pub(crate) fn drop_null_index_keys(schema: &TableSchema, attributes: &mut Attributes) {
    for key in index_keys(schema) {
        if matches!(attributes.get(key.name()), Some(AttributeValue::Null(_))) {
            attributes.remove(key.name());
        }
    }
}

/// What one walk over an encoded item finds: everything the write path
/// checks, in a single pass, since it runs on every item written (a lookup
/// per key attribute cost as much as the checks themselves).
struct Walk<'s> {
    /// With a schema, the key and index keys are found too.
    schema: Option<&'s TableSchema>,
    has_index_keys: bool,
    /// The item's size as DynamoDB counts it, without NULL index keys.
    size: usize,
    /// The table key's values, hash then range, where present.
    key: Found,
    /// The first index key (in schema order) that is an empty string or
    /// binary, which DynamoDB refuses.
    empty_index_key: Option<(usize, String)>,
    /// The first attribute DynamoDB could not store, and why.
    refused: Option<(String, String)>,
}

/// Key values found in an item: hash, then range.
#[derive(Default)]
struct Found([Option<AttributeValue>; 2]);

impl Found {
    fn take_all(&mut self) -> [Option<AttributeValue>; 2] {
        std::mem::take(&mut self.0)
    }
}

impl<'s> Walk<'s> {
    fn new(schema: Option<&'s TableSchema>) -> Walk<'s> {
        Walk {
            schema,
            has_index_keys: schema
                .is_some_and(|s| !s.global_indexes().is_empty() || !s.local_indexes().is_empty()),
            size: 0,
            key: Found::default(),
            empty_index_key: None,
            refused: None,
        }
    }

    /// Takes in one attribute; `false` when it is to be left out of the
    /// item (a NULL index key: the item is then out of that index).
    fn visit(&mut self, name: &str, value: &AttributeValue) -> bool {
        if let Some(schema) = self.schema {
            if name == schema.hash_key().name() {
                self.key.0[0] = Some(value.clone());
            } else if schema.range_key().is_some_and(|r| r.name() == name) {
                self.key.0[1] = Some(value.clone());
            } else if let Some(position) = self
                .has_index_keys
                .then(|| index_keys(schema).position(|k| k.name() == name))
                .flatten()
            {
                let empty = match value {
                    AttributeValue::Null(_) => return false,
                    AttributeValue::S(s) => s.is_empty(),
                    AttributeValue::B(b) => b.as_ref().is_empty(),
                    _ => false,
                };
                // The first in schema order, whatever order the map holds.
                if empty
                    && self
                        .empty_index_key
                        .as_ref()
                        .is_none_or(|(earlier, _)| position < *earlier)
                {
                    self.empty_index_key = Some((position, name.to_owned()));
                }
            }
        }
        match checked_size(value) {
            Ok(size) => self.size += name.len() + size,
            Err(why) => {
                self.refused.get_or_insert_with(|| (name.to_owned(), why));
            }
        }
        true
    }

    /// Refuses a value DynamoDB cannot store, naming the attribute, then
    /// an item over 400 KB.
    fn judge(&self, table: &str, key: &ItemKey) -> Result<()> {
        if let Some((name, why)) = &self.refused {
            return Err(Error::invalid(
                table,
                "item",
                format!("attribute `{name}` of item `{key}` {why}; nothing was sent"),
            ));
        }
        if self.size > MAX_ITEM_SIZE {
            return Err(Error::ItemTooLarge {
                table: table.to_owned(),
                key: key.to_string(),
                size: self.size,
                limit: MAX_ITEM_SIZE,
            });
        }
        Ok(())
    }
}

/// Refuses an item DynamoDB would refuse for its size or for a value it
/// cannot store, naming the attribute.
pub(crate) fn check_item(table: &str, key: &ItemKey, attributes: &Attributes) -> Result<()> {
    let mut walk = Walk::new(None);
    for (name, value) in attributes {
        walk.visit(name, value);
    }
    walk.judge(table, key)
}

/// An item's size as DynamoDB counts it: each attribute's name plus its
/// value (strings and binaries by length, numbers by digits, 1 byte for
/// booleans and nulls, 3 bytes plus 1 per element for lists and maps).
pub fn item_size(attributes: &HashMap<String, AttributeValue>) -> usize {
    attributes
        .iter()
        .map(|(name, value)| name.len() + value_size(value))
        .sum()
}

/// A value DynamoDB refuses, said as "attribute `x` ...": why.
pub(crate) fn check_value(value: &AttributeValue) -> std::result::Result<(), String> {
    checked_size(value).map(|_| ())
}

/// The value's size, or why DynamoDB would refuse it.
#[inline]
fn checked_size(value: &AttributeValue) -> std::result::Result<usize, String> {
    Ok(match value {
        AttributeValue::S(s) => s.len(),
        AttributeValue::N(n) => checked_number_size(n)?,
        AttributeValue::Ss(set) if set.is_empty() => return Err(EMPTY_SET.to_owned()),
        AttributeValue::Ns(set) if set.is_empty() => return Err(EMPTY_SET.to_owned()),
        AttributeValue::Bs(set) if set.is_empty() => return Err(EMPTY_SET.to_owned()),
        AttributeValue::Ns(set) => {
            let mut size = 0;
            for n in set {
                size += checked_number_size(n)?;
            }
            size
        }
        AttributeValue::L(list) => {
            let mut size = 3;
            for v in list {
                size += 1 + checked_size(v)?;
            }
            size
        }
        AttributeValue::M(map) => {
            let mut size = 3;
            for (k, v) in map {
                size += 1 + k.len() + checked_size(v)?;
            }
            size
        }
        other => value_size(other),
    })
}

const EMPTY_SET: &str = "is an empty set, which DynamoDB cannot store (leave the attribute out, e.g. `#[serde(skip_serializing_if = \"HashSet::is_empty\")]`)";

/// A number's size, or why DynamoDB cannot store it.
#[inline]
fn checked_number_size(n: &str) -> std::result::Result<usize, String> {
    let digits = match n.as_bytes() {
        [b'-' | b'+', rest @ ..] => rest,
        all => all,
    };
    // The common case, a plain integer, is sized as it is checked.
    if !digits.is_empty() && digits.len() <= 38 && digits.iter().all(u8::is_ascii_digit) {
        return Ok(digits.len().div_ceil(2) + 1);
    }
    check_number(n)?;
    Ok(number_size(n))
}

/// Refuses a number DynamoDB cannot store: not a number (NaN, infinity),
/// more than 38 significant digits, or a size outside 1e-130 to 1e126.
/// Read in one pass without allocating: it runs on every number written.
fn check_number(n: &str) -> std::result::Result<(), String> {
    let bytes = n.as_bytes();
    let unsigned = match bytes.first() {
        Some(b'-' | b'+') => &bytes[1..],
        _ => bytes,
    };
    // The common case, a plain integer, needs no more.
    if !unsigned.is_empty() && unsigned.len() <= 38 && unsigned.iter().all(u8::is_ascii_digit) {
        return Ok(());
    }
    let Some(decimal) = super::canonical::Decimal::parse(n) else {
        return Err(format!(
            "is `{n}`, which is not a number DynamoDB can store (NaN and infinity cannot be stored)"
        ));
    };
    if decimal.is_zero() {
        return Ok(());
    }
    if decimal.precision > 38 {
        return Err(format!(
            "is `{n}`, with more than the 38 significant digits a DynamoDB number holds"
        ));
    }
    if !(-130..=125).contains(&decimal.magnitude) {
        return Err(format!(
            "is `{n}`, outside the range of a DynamoDB number (1e-130 to 9.99e125 in size)"
        ));
    }
    Ok(())
}

fn value_size(value: &AttributeValue) -> usize {
    match value {
        AttributeValue::S(s) => s.len(),
        AttributeValue::N(n) => number_size(n),
        AttributeValue::B(b) => b.as_ref().len(),
        AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
        AttributeValue::Ss(set) => set.iter().map(String::len).sum(),
        AttributeValue::Ns(set) => set.iter().map(|n| number_size(n)).sum(),
        AttributeValue::Bs(set) => set.iter().map(|b| b.as_ref().len()).sum(),
        AttributeValue::L(list) => 3 + list.iter().map(|v| 1 + value_size(v)).sum::<usize>(),
        AttributeValue::M(map) => {
            3 + map
                .iter()
                .map(|(k, v)| 1 + k.len() + value_size(v))
                .sum::<usize>()
        }
        _ => 0,
    }
}

/// About one byte per two significant digits, plus one.
fn number_size(n: &str) -> usize {
    let digits = n
        .trim_start_matches('-')
        .split(['e', 'E'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(char::is_ascii_digit)
        .count();
    digits.div_ceil(2) + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AttributeType;

    fn schema() -> TableSchema {
        TableSchema::builder("orders")
            .hash_key("id", AttributeType::S)
            .global_index("by_coupon", |i| i.hash_key("coupon", AttributeType::S))
            .build()
            .unwrap()
    }

    #[derive(serde::Serialize)]
    struct Order {
        id: String,
        coupon: Option<String>,
        note: Option<String>,
        body: String,
    }

    #[test]
    fn a_null_index_key_is_left_out_and_other_nulls_stay() {
        let order = Order {
            id: "o1".into(),
            coupon: None,
            note: None,
            body: String::new(),
        };
        let (item, key) = encode_item(&schema(), "orders", &order, Vec::new()).unwrap();
        assert!(!item.contains_key("coupon"));
        assert_eq!(item["note"], AttributeValue::Null(true));
        assert_eq!(key.to_string(), r#"id = "o1""#);
    }

    #[test]
    fn items_are_stored_exactly_as_serde_dynamo_encodes_them() {
        #[derive(serde::Serialize)]
        struct Inner {
            flag: bool,
            bytes: serde_bytes_like::Bytes,
        }
        mod serde_bytes_like {
            pub struct Bytes(pub Vec<u8>);
            impl serde::Serialize for Bytes {
                fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    s.serialize_bytes(&self.0)
                }
            }
        }
        #[derive(serde::Serialize)]
        enum Kind {
            Plain,
            Tagged { weight: f64 },
        }
        #[derive(serde::Serialize)]
        struct Everything {
            id: String,
            coupon: Option<String>,
            note: Option<String>,
            n: i64,
            x: f64,
            list: Vec<u32>,
            nested: Vec<Inner>,
            map: HashMap<String, Kind>,
            tags: Vec<String>,
            #[serde(with = "serde_dynamo::string_set")]
            set: Vec<String>,
            #[serde(with = "serde_dynamo::number_set")]
            numbers: Vec<u32>,
            unit: (),
            kind: Kind,
        }
        let value = Everything {
            id: "o1".into(),
            coupon: Some("WELCOME".into()),
            note: None,
            n: -42,
            x: 2.5,
            list: vec![1, 2, 3],
            nested: vec![Inner {
                flag: true,
                bytes: serde_bytes_like::Bytes(vec![0, 1, 2]),
            }],
            map: HashMap::from([
                ("a".to_owned(), Kind::Plain),
                ("b".to_owned(), Kind::Tagged { weight: 1.5 }),
            ]),
            tags: vec![],
            set: vec!["x".into(), "y".into()],
            numbers: vec![7, 8],
            unit: (),
            kind: Kind::Tagged { weight: 0.25 },
        };
        let (ours, _) = encode_item(&schema(), "orders", &value, Vec::new()).unwrap();
        let theirs: Attributes = serde_dynamo::to_item(&value).unwrap();
        assert_eq!(ours, theirs);
    }

    #[test]
    fn a_value_that_is_not_a_map_is_an_encoding_error() {
        let err = encode_item(&schema(), "orders", &42u32, Vec::new()).unwrap_err();
        assert!(
            matches!(&err, Error::Encode { reason, .. } if reason.contains("does not serialize as a map")),
            "{err}"
        );
    }

    #[test]
    fn an_item_over_400_kb_is_refused_naming_key_and_size() {
        let order = Order {
            id: "o1".into(),
            coupon: None,
            note: None,
            body: "x".repeat(MAX_ITEM_SIZE),
        };
        let err = encode_item(&schema(), "orders", &order, Vec::new()).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "item `id = \"o1\"` of table `orders` is {} bytes, over DynamoDB's limit of 409600 bytes; nothing was sent",
                MAX_ITEM_SIZE + 2 + 2 + 4 + 4 + 1
            )
        );
    }

    #[test]
    fn values_dynamodb_refuses_are_refused_naming_the_attribute() {
        let key = ItemKey::from_values(
            "orders",
            &[("id".to_owned(), crate::AttributeType::S)],
            vec![AttributeValue::S("o1".into())],
        )
        .unwrap();
        let refused = [
            (AttributeValue::Ss(vec![]), "empty set"),
            (AttributeValue::N("NaN".into()), "not a number"),
            (AttributeValue::N("inf".into()), "not a number"),
            (AttributeValue::N("1e126".into()), "outside the range"),
            (AttributeValue::N("1e-131".into()), "outside the range"),
            (
                AttributeValue::N("340282366920938463463374607431768211455".into()),
                "38 significant digits",
            ),
            (
                AttributeValue::M(HashMap::from([(
                    "inner".to_owned(),
                    AttributeValue::L(vec![AttributeValue::Ns(vec![])]),
                )])),
                "empty set",
            ),
        ];
        for (value, says) in refused {
            let item = HashMap::from([
                ("id".to_owned(), AttributeValue::S("o1".into())),
                ("x".to_owned(), value.clone()),
            ]);
            let err = check_item("orders", &key, &item).unwrap_err().to_string();
            assert!(
                err.contains(says) && err.contains("attribute `x` of item `id = \"o1\"`"),
                "{value:?}: {err}"
            );
        }
        for fine in [
            "0",
            "-0.5",
            "9.9999999999999999999999999999999999999e125",
            "1e-130",
            "12345678901234567890123456789012345678",
        ] {
            assert!(check_number(fine).is_ok(), "{fine}");
        }
    }

    #[test]
    fn an_empty_index_key_is_refused() {
        let order = Order {
            id: "o1".into(),
            coupon: Some(String::new()),
            note: None,
            body: String::new(),
        };
        let err = encode_item(&schema(), "orders", &order, Vec::new()).unwrap_err();
        assert!(err.to_string().contains("index key `coupon`"), "{err}");
    }

    #[test]
    fn sizes_follow_dynamodb_rules() {
        let item = HashMap::from([
            ("a".to_owned(), AttributeValue::S("xyz".into())),
            ("n".to_owned(), AttributeValue::N("12345".into())),
            (
                "l".to_owned(),
                AttributeValue::L(vec![AttributeValue::Bool(true)]),
            ),
        ]);
        assert_eq!(item_size(&item), (1 + 3) + (1 + 4) + (1 + 3 + 2));
    }
}
