//! Item keys, typed from the model: `orders.get(("c1", 42))` compiles only
//! when `("c1", 42)` can stand for `Order`'s (hash, range) key.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::marker::PhantomData;

use aws_sdk_dynamodb::types::AttributeValue;

use super::field::erased::Encodable;
use crate::entity::template::RenderValue;
use crate::error::{Error, Result};
use crate::{AttributeType, TableSchema};

/// The key of a table with a hash key only, of Rust type `H`. A model's
/// [`DynamoModel::Key`](crate::DynamoModel::Key).
pub struct HashKey<H>(PhantomData<fn() -> H>);

/// The key of a table with a hash key of type `H` and a range key of type
/// `R`: passed as a `(hash, range)` tuple.
pub struct HashAndRangeKey<H, R>(PhantomData<fn() -> (H, R)>);

/// What a model's key looks like; implemented by [`HashKey`] and
/// [`HashAndRangeKey`].
pub trait KeyShape {
    /// Whether the key has a range part.
    const HAS_RANGE: bool;
    /// The hash key's Rust type.
    type Hash;
    /// The range key's Rust type, or [`NoRange`].
    type Range;
}

impl<H> KeyShape for HashKey<H> {
    const HAS_RANGE: bool = false;
    type Hash = H;
    type Range = NoRange;
}

impl<H, R> KeyShape for HashAndRangeKey<H, R> {
    const HAS_RANGE: bool = true;
    type Hash = H;
    type Range = R;
}

/// The range key type of a table or index that has none: range conditions
/// on it do not compile.
#[derive(Debug, Clone, Copy)]
pub enum NoRange {}

/// Range key types: every type but [`NoRange`].
#[diagnostic::on_unimplemented(
    message = "this table or index has no range (sort) key, so a query cannot have a range condition",
    label = "no sort key to compare",
    note = "query by the hash key alone, or query an index whose sort key is the field you want to compare"
)]
pub trait SortKey {}
impl<T: crate::IndexKeyType> SortKey for T {}

/// A Rust value that can stand for one key attribute of type `T`: a `T`, a
/// `&T`, or a `&str` for a `String` key.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a value of key type `{T}`",
    label = "expected a `{T}` key value",
    note = "a key of type `T` takes a `T` or a `&T`, and a `String` key also takes a `&str`"
)]
pub trait KeyPart<T> {
    /// The value to encode.
    #[doc(hidden)]
    fn encodable(&self) -> &dyn Encodable;
}

impl<T: serde::Serialize> KeyPart<T> for T {
    fn encodable(&self) -> &dyn Encodable {
        self
    }
}

impl<T: serde::Serialize> KeyPart<T> for &T {
    fn encodable(&self) -> &dyn Encodable {
        *self
    }
}

impl KeyPart<String> for &str {
    fn encodable(&self) -> &dyn Encodable {
        self
    }
}

/// A sparse index's key (an `Option` field) is queried by a plain value.
impl<T: serde::Serialize> KeyPart<Option<T>> for T {
    fn encodable(&self) -> &dyn Encodable {
        self
    }
}

impl KeyPart<Option<String>> for &str {
    fn encodable(&self) -> &dyn Encodable {
        self
    }
}

/// A value that can stand for a key of shape `S`: a hash key value for
/// [`HashKey`], a `(hash, range)` tuple for [`HashAndRangeKey`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a key of this table, whose key is `{S}`",
    label = "not a key of this model",
    note = "a table with a hash key only takes the hash key value; a table with a range key takes `(hash, range)`; an entity of a shared table takes its key templates' placeholder values (`pk`'s, then `sk`'s)"
)]
pub trait IntoKey<S> {
    /// The key's values.
    #[doc(hidden)]
    fn parts(&self) -> KeyParts<'_>;
}

/// What a key is given as: the key attributes' values, or an entity's
/// placeholder values, which its templates render into them.
#[doc(hidden)]
pub enum KeyParts<'a> {
    /// The hash key's value, and the range key's.
    Attributes(&'a dyn Encodable, Option<&'a dyn Encodable>),
    /// The placeholders of the entity's `pk` template, then those of its
    /// `sk` template not in `pk`, in template order.
    Template(Vec<&'a dyn RenderValue>),
}

impl<H, A: KeyPart<H>> IntoKey<HashKey<H>> for A {
    fn parts(&self) -> KeyParts<'_> {
        KeyParts::Attributes(self.encodable(), None)
    }
}

impl<H, R, A: KeyPart<H>, B: KeyPart<R>> IntoKey<HashAndRangeKey<H, R>> for (A, B) {
    fn parts(&self) -> KeyParts<'_> {
        KeyParts::Attributes(self.0.encodable(), Some(self.1.encodable()))
    }
}

/// A value that names one partition of a table of key shape `K`, for a
/// query: the hash key value, or an entity's partition template values
/// (one value, or a tuple of them).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a partition of this table or index, whose key is `{K}`",
    label = "not its partition key",
    note = "a query takes the hash key value; an entity of a shared table takes its `pk` template's placeholder values (a tuple when there are several), and of its index, the index `pk` template's"
)]
pub trait PartitionOf<K> {
    /// The partition key's value, or the `pk` template's values.
    #[doc(hidden)]
    fn partition(&self) -> KeyParts<'_>;
}

impl<H, A: KeyPart<H>> PartitionOf<HashKey<H>> for A {
    fn partition(&self) -> KeyParts<'_> {
        KeyParts::Attributes(self.encodable(), None)
    }
}

impl<H, R, A: KeyPart<H>> PartitionOf<HashAndRangeKey<H, R>> for A {
    fn partition(&self) -> KeyParts<'_> {
        KeyParts::Attributes(self.encodable(), None)
    }
}

/// The hash type of a typed index handle, as the key shape whose
/// [`PartitionOf`] a query of the index takes: a model's index is keyed by
/// a field (`H` its type), an entity's by its index partition template
/// ([`EntityKey`](crate::EntityKey)).
#[doc(hidden)]
pub trait IndexHash {
    /// The key shape.
    type Shape;
}

/// Any serde type: a field whose stored type is named
/// (`#[dynamo(type = "S")]`) needs no `KeyType`.
impl<H: serde::Serialize> IndexHash for H {
    type Shape = HashKey<H>;
}

impl<T, P, R> IndexHash for crate::EntityKey<T, P, R> {
    type Shape = Self;
}

/// An item's key as sent: its key attributes by name. Printed in errors as
/// `id = "c1", created = 42`.
///
/// ```
/// use dynamo_model::{DynamoModel, ItemKey};
/// # #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
/// # struct Order { #[hash_key] customer: String, #[range_key] id: u64, total: f64 }
/// let key = ItemKey::of::<Order>(&("c1", 42)).unwrap();
/// assert_eq!(key.to_string(), r#"customer = "c1", id = 42"#);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ItemKey {
    /// Name and value of each key attribute, in key order (hash, range),
    /// held inline (a key is made for every item written), with a model's
    /// names borrowed from its schema.
    parts: [Option<(Cow<'static, str>, RawValue)>; 2],
}

/// A value already encoded.
#[derive(Debug, Clone, PartialEq)]
struct RawValue(AttributeValue);

impl Encodable for RawValue {
    fn encode(&self) -> Result<AttributeValue, String> {
        Ok(self.0.clone())
    }
}

/// A key read from an item ([`Table::key_of`](crate::Table::key_of)) stands
/// for the key of any model: its values are checked against the table's key
/// types when used. This is how a key whose field goes through
/// `serde(with = ...)` is passed.
impl<H> KeyPart<H> for ItemKey {
    fn encodable(&self) -> &dyn Encodable {
        self.hash_value()
    }
}

impl<H> KeyPart<H> for &ItemKey {
    fn encodable(&self) -> &dyn Encodable {
        self.hash_value()
    }
}

impl<H, R> IntoKey<HashAndRangeKey<H, R>> for ItemKey {
    fn parts(&self) -> KeyParts<'_> {
        self.as_parts()
    }
}

impl<H, R> IntoKey<HashAndRangeKey<H, R>> for &ItemKey {
    fn parts(&self) -> KeyParts<'_> {
        self.as_parts()
    }
}

/// A key read from an item of an entity ([`Table::key_of`](crate::Table::key_of))
/// stands for that entity's key.
impl<T, P, R> IntoKey<crate::EntityKey<T, P, R>> for ItemKey {
    fn parts(&self) -> KeyParts<'_> {
        self.as_parts()
    }
}

impl<T, P, R> IntoKey<crate::EntityKey<T, P, R>> for &ItemKey {
    fn parts(&self) -> KeyParts<'_> {
        self.as_parts()
    }
}

impl ItemKey {
    /// The key of model `M` that `key` stands for, checked against the
    /// model's key types.
    pub fn of<M: crate::DynamoModel>(key: &impl IntoKey<M::Key>) -> Result<ItemKey> {
        ItemKey::for_model::<M>(M::schema().table_name(), key)
    }

    /// The key of model `M` in `table` (its name as sent, for messages):
    /// encoded from the key attributes' values, or rendered from an
    /// entity's placeholder values.
    pub(crate) fn for_model<M: crate::DynamoModel>(
        table: &str,
        key: &impl IntoKey<M::Key>,
    ) -> Result<ItemKey> {
        match key.parts() {
            KeyParts::Attributes(hash, range) => ItemKey::encode(M::schema(), table, hash, range),
            KeyParts::Template(values) => {
                let entity = crate::entity::schema::entity_of::<M>()?;
                let found = entity.key_of(&values)?;
                ItemKey::from_found(M::schema(), table, found)
            }
        }
    }

    fn as_parts(&self) -> KeyParts<'_> {
        KeyParts::Attributes(
            self.hash_value(),
            self.parts[1].as_ref().map(|(_, v)| v as &dyn Encodable),
        )
    }

    pub(crate) fn encode(
        schema: &TableSchema,
        table: &str,
        hash: &dyn Encodable,
        range: Option<&dyn Encodable>,
    ) -> Result<ItemKey> {
        let mut key = ItemKey {
            parts: [None, None],
        };
        let parts = [
            Some((schema.hash_key(), hash)),
            schema.range_key().zip(range),
        ];
        for (attribute, value) in parts.into_iter().flatten() {
            let value = value.encode().map_err(|reason| {
                Error::invalid(
                    table,
                    "key",
                    format!("key `{}` cannot be encoded: {reason}", attribute.name()),
                )
            })?;
            key.insert(
                table,
                attribute.shared_name(),
                attribute.attribute_type(),
                value,
            )?;
        }
        Ok(key)
    }

    /// The key attributes of `item`, which must hold them all.
    pub(crate) fn from_item(
        schema: &TableSchema,
        table: &str,
        item: &HashMap<String, AttributeValue>,
    ) -> Result<ItemKey> {
        let found = [
            item.get(schema.hash_key().name()).cloned(),
            schema.range_key().and_then(|r| item.get(r.name())).cloned(),
        ];
        ItemKey::from_found(schema, table, found)
    }

    /// The key from its values found in an item (hash, then range), which
    /// must hold them all.
    pub(crate) fn from_found(
        schema: &TableSchema,
        table: &str,
        found: [Option<AttributeValue>; 2],
    ) -> Result<ItemKey> {
        let mut key = ItemKey {
            parts: [None, None],
        };
        let attributes = std::iter::once(schema.hash_key()).chain(schema.range_key());
        for (attribute, value) in attributes.zip(found) {
            let Some(value) = value else {
                return Err(Error::invalid(
                    table,
                    "item",
                    format!("the item has no key attribute `{}`", attribute.name()),
                ));
            };
            key.insert(
                table,
                attribute.shared_name(),
                attribute.attribute_type(),
                value,
            )?;
        }
        Ok(key)
    }

    /// A key from raw attribute values, checked against key attribute
    /// names and types read from the table.
    pub(crate) fn from_values(
        table: &str,
        names: &[(String, AttributeType)],
        values: Vec<AttributeValue>,
    ) -> Result<ItemKey> {
        if names.len() != values.len() {
            let wanted: Vec<&str> = names.iter().map(|(n, _)| n.as_str()).collect();
            return Err(Error::invalid(
                table,
                "key",
                format!(
                    "the table's key is {} ({}), and {} value(s) were given",
                    if names.len() == 1 {
                        "a hash key"
                    } else {
                        "a hash and a range key"
                    },
                    wanted.join(", "),
                    values.len()
                ),
            ));
        }
        let mut key = ItemKey {
            parts: [None, None],
        };
        for ((name, attribute_type), value) in names.iter().zip(values) {
            key.insert(table, Cow::Owned(name.clone()), *attribute_type, value)?;
        }
        Ok(key)
    }

    fn insert(
        &mut self,
        table: &str,
        name: Cow<'static, str>,
        attribute_type: AttributeType,
        value: AttributeValue,
    ) -> Result<()> {
        check_part(table, &name, attribute_type, &value)?;
        // The hash key comes first, then the range key.
        check_size(table, &name, self.parts[0].is_some(), &value)?;
        match self.parts.iter_mut().find(|slot| slot.is_none()) {
            Some(slot) => *slot = Some((name, RawValue(value))),
            None => {
                return Err(Error::invalid(
                    table,
                    "key",
                    "a key has at most two attributes (hash and range)",
                ))
            }
        }
        Ok(())
    }

    /// Each key attribute's name and value, in key order.
    fn iter(&self) -> impl Iterator<Item = &(Cow<'static, str>, RawValue)> {
        self.parts.iter().flatten()
    }

    /// The hash key's value (every key has one).
    fn hash_value(&self) -> &RawValue {
        match &self.parts[0] {
            Some((_, value)) => value,
            None => unreachable!("a key is made with its hash value first"),
        }
    }

    /// What tells this key apart from every other, as DynamoDB does: the
    /// values by type, numbers by value (`1`, `1.0` and `1e0` are one key,
    /// whichever spelling the server answers with), binaries by their bytes.
    /// Keys are matched by this, never by their display.
    pub(crate) fn identity(&self) -> String {
        let mut out = String::new();
        for (_, value) in self.iter() {
            super::canonical::key_value(&mut out, &value.0);
        }
        out
    }

    /// The key attributes, as the SDK takes them (a new map each call: a
    /// request takes its own).
    ///
    /// ```
    /// use dynamo_model::{DynamoModel, ItemKey};
    /// # #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
    /// # struct Order { #[hash_key] customer: String, #[range_key] id: u64 }
    /// let key = ItemKey::of::<Order>(&("c1", 42)).unwrap();
    /// assert_eq!(key.attributes().len(), 2);
    /// ```
    pub fn attributes(&self) -> HashMap<String, AttributeValue> {
        self.iter()
            .map(|(name, value)| (name.to_string(), value.0.clone()))
            .collect()
    }

    pub(crate) fn into_attributes(self) -> HashMap<String, AttributeValue> {
        self.parts
            .into_iter()
            .flatten()
            .map(|(name, value)| (name.into_owned(), value.0))
            .collect()
    }
}

impl fmt::Display for ItemKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (name, value)) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{name} = {}", short(&value.0))?;
        }
        Ok(())
    }
}

/// Refuses a key value of another type than the key attribute's, or empty.
fn check_part(
    table: &str,
    name: &str,
    attribute_type: AttributeType,
    value: &AttributeValue,
) -> Result<()> {
    check_type(table, name, attribute_type, value)?;
    let empty = match value {
        AttributeValue::S(s) => s.is_empty(),
        AttributeValue::B(b) => b.as_ref().is_empty(),
        _ => false,
    };
    if empty {
        return Err(Error::invalid(
            table,
            "key",
            format!("key `{name}` is empty, which DynamoDB refuses for a key"),
        ));
    }
    Ok(())
}

/// DynamoDB's limits on a key value's size: a partition key of at most
/// 2,048 bytes, a sort key of at most 1,024.
pub(crate) const MAX_PARTITION_KEY_BYTES: usize = 2048;
/// See [`MAX_PARTITION_KEY_BYTES`].
pub(crate) const MAX_SORT_KEY_BYTES: usize = 1024;

/// Refuses a key value over DynamoDB's size limit, naming the attribute
/// and the value's start: the server's own message names neither (and
/// moto answers a `get` of one with no item).
fn check_size(table: &str, name: &str, sort: bool, value: &AttributeValue) -> Result<()> {
    let (size, start) = match value {
        AttributeValue::S(s) => (s.len(), s.chars().take(40).collect::<String>()),
        AttributeValue::B(b) => (b.as_ref().len(), format!("{} bytes", b.as_ref().len())),
        _ => return Ok(()),
    };
    let (limit, role) = if sort {
        (MAX_SORT_KEY_BYTES, "sort")
    } else {
        (MAX_PARTITION_KEY_BYTES, "partition")
    };
    if size > limit {
        return Err(Error::invalid(
            table,
            "key",
            format!(
                "{role} key `{name}` is {size} bytes (it starts `{start}`), over DynamoDB's limit of {limit} bytes for a {role} key; nothing was sent"
            ),
        ));
    }
    Ok(())
}

/// Refuses a key value whose type is not the key attribute's.
pub(crate) fn check_type(
    table: &str,
    name: &str,
    attribute_type: AttributeType,
    value: &AttributeValue,
) -> Result<()> {
    let matches = matches!(
        (attribute_type, value),
        (AttributeType::S, AttributeValue::S(_))
            | (AttributeType::N, AttributeValue::N(_))
            | (AttributeType::B, AttributeValue::B(_))
    );
    if matches {
        return Ok(());
    }
    Err(Error::invalid(
        table,
        "key",
        format!(
            "key `{name}` is of type {} and the value given encodes as {}",
            attribute_type.as_str(),
            short(value)
        ),
    ))
}

/// A value as a person reads it in a message: `"c1"`, `42`, `<12 bytes>`.
pub(crate) fn short(value: &AttributeValue) -> String {
    match value {
        AttributeValue::S(s) => format!("{s:?}"),
        AttributeValue::N(n) => n.clone(),
        AttributeValue::B(b) => format!("<{} bytes>", b.as_ref().len()),
        AttributeValue::Bool(b) => b.to_string(),
        AttributeValue::Null(_) => "null".to_owned(),
        AttributeValue::L(_) => "a list".to_owned(),
        AttributeValue::M(_) => "a map".to_owned(),
        AttributeValue::Ss(_) | AttributeValue::Ns(_) | AttributeValue::Bs(_) => "a set".to_owned(),
        _ => "an unknown value".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::KeyAttribute;

    fn schema() -> TableSchema {
        TableSchema::builder("orders")
            .hash_key("customer", AttributeType::S)
            .range_key("id", AttributeType::N)
            .build()
            .unwrap()
    }

    #[test]
    fn keys_are_encoded_and_checked_against_the_key_types() {
        let key = ItemKey::encode(&schema(), "orders", &"c1", Some(&42u64)).unwrap();
        assert_eq!(key.to_string(), r#"customer = "c1", id = 42"#);
        assert_eq!(key.attributes()["id"], AttributeValue::N("42".into()));

        let err = ItemKey::encode(&schema(), "orders", &"c1", Some(&"x")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid key for table `orders`: key `id` is of type N and the value given encodes as \"x\""
        );
    }

    #[test]
    fn raw_keys_need_one_value_per_key_attribute() {
        let names = vec![("id".to_owned(), AttributeType::S)];
        let err = ItemKey::from_values("t", &names, vec![]).unwrap_err();
        assert!(
            err.to_string().contains("a hash key (id), and 0 value(s)"),
            "{err}"
        );
        let _ = KeyAttribute::new("id", AttributeType::S);
    }
}
