//! Item shapes: the stored form of a model, numbered, so that items written
//! by older code still read as the newest struct. Each older shape is a
//! struct kept in code (`#[derive(ItemShape)]`), upgraded into the next by
//! a `From` impl; the model names its shape and the one before it:
//!
//! ```
//! use dynamo_model::{DynamoModel, ItemShape};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(ItemShape, Deserialize)]
//! #[dynamo(shape = 1)]
//! struct OrderV1 { id: String, total: f64 }
//!
//! #[derive(DynamoModel, Serialize, Deserialize)]
//! #[dynamo(table = "orders", shape = 2, upgrades_from = OrderV1)]
//! struct Order { #[hash_key] id: String, cents: u64 }
//!
//! impl From<OrderV1> for Order {
//!     fn from(old: OrderV1) -> Self {
//!         Order { id: old.id, cents: (old.total * 100.0).round() as u64 }
//!     }
//! }
//!
//! let shapes = Order::SHAPES.unwrap();
//! assert_eq!((shapes.attribute(), shapes.current()), ("_shape", 2));
//! ```
//!
//! Every put stores the shape attribute (default `_shape`); an item
//! without it is shape 1, so a table adopts shapes without a rewrite. A
//! read takes the stored shape, decodes the struct of that shape and
//! upgrades it along the chain to the model; a shape newer than the code
//! knows is [`Error::ShapeUnknown`](crate::Error::ShapeUnknown), never a
//! guess.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::item::key::ItemKey;
use crate::DynamoModel;

pub(crate) mod backfill;
mod checkpoint;
mod fields;
mod rate;

/// The shape attribute's name unless the model names another.
pub const DEFAULT_SHAPE_ATTRIBUTE: &str = "_shape";

/// A numbered stored form of a model: the model itself (its newest shape)
/// or an older struct kept to read old items. Derived:
/// `#[derive(ItemShape)] #[dynamo(shape = 2, upgrades_from = OrderV1)]`
/// on an older struct, and `shape = N` on the model's `#[dynamo(...)]`.
///
/// ```
/// use dynamo_model::ItemShape;
///
/// #[derive(ItemShape, serde::Deserialize)]
/// #[dynamo(shape = 1)]
/// struct OrderV1 { id: String, total: f64 }
///
/// assert_eq!(<OrderV1 as ItemShape>::SHAPE, 1);
/// ```
pub trait ItemShape: DeserializeOwned {
    /// Its number: 1 for the first, one more than the shape it upgrades
    /// from (checked at compile time).
    const SHAPE: u32;

    /// The shape it upgrades from; [`FirstShape`] for shape 1.
    type Older: ItemShape;

    /// The upgrade from the older shape (the `From` impl).
    fn from_older(older: Self::Older) -> Self;
}

/// What shape 1 upgrades from: nothing (no value of it exists).
pub enum FirstShape {}

impl<'de> serde::Deserialize<'de> for FirstShape {
    fn deserialize<D: serde::Deserializer<'de>>(_: D) -> std::result::Result<Self, D::Error> {
        Err(serde::de::Error::custom("no shape comes before shape 1"))
    }
}

impl ItemShape for FirstShape {
    const SHAPE: u32 = 0;
    type Older = FirstShape;

    fn from_older(older: FirstShape) -> Self {
        older
    }
}

/// What a read and a write of a shaped model need: the attribute, the
/// newest shape, and the upgrade of an older item. Data the derive emits
/// (`DynamoModel::SHAPES`).
#[derive(Clone, Copy)]
pub struct Shapes {
    attribute: &'static str,
    current: u32,
    /// An item stored at an older shape (without the shape attribute), as
    /// the newest shape stores it; or serde's reason.
    upgrade: fn(u32, Attributes) -> std::result::Result<Attributes, String>,
    /// An item of any shape, read from a table (as sent), as the model's
    /// put stores it at the newest shape.
    rewrite: fn(&str, &ItemKey, Attributes) -> Result<Attributes>,
    /// The attributes the struct of a shape reads (`None`: not known).
    fields: fn(u32) -> Option<&'static [&'static str]>,
}

type Attributes = HashMap<String, AttributeValue>;

impl Shapes {
    /// The shapes of model `M`, stored in `attribute`.
    #[doc(hidden)]
    pub const fn of<M: ItemShape + Serialize + DynamoModel>(attribute: &'static str) -> Shapes {
        Shapes::upgrading::<M>(attribute, rewrite::<M>)
    }

    /// The shapes of `M` with this rewrite (`of` gives the model's own).
    const fn upgrading<M: ItemShape + Serialize>(
        attribute: &'static str,
        rewrite: fn(&str, &ItemKey, Attributes) -> Result<Attributes>,
    ) -> Shapes {
        Shapes {
            attribute,
            current: M::SHAPE,
            upgrade: upgrade::<M>,
            rewrite,
            fields: fields_at::<M>,
        }
    }

    /// The attribute each item's shape is stored in.
    pub fn attribute(&self) -> &'static str {
        self.attribute
    }

    /// The newest shape: the model's, which every write stores.
    pub fn current(&self) -> u32 {
        self.current
    }

    /// The attribute and value a write stores.
    pub(crate) fn written(&self) -> (String, AttributeValue) {
        (
            self.attribute.to_owned(),
            AttributeValue::N(self.current.to_string()),
        )
    }

    /// Takes the shape attribute off an item read from `table`: its shape
    /// (1 when it has none). A shape newer than the model's is refused, as
    /// is a value that is no shape number.
    pub(crate) fn take(
        &self,
        table: &str,
        key: Option<String>,
        item: &mut Attributes,
    ) -> Result<u32> {
        let stored = match item.remove(self.attribute) {
            None => 1,
            Some(AttributeValue::N(n)) => n.parse::<u32>().ok().filter(|n| *n >= 1).ok_or_else(|| {
                Error::invalid(
                    table,
                    self.attribute,
                    format!("item {} has shape attribute `{}` = {n}, which is no shape number (1 or more)", key.as_deref().unwrap_or("(no key)"), self.attribute),
                )
            })?,
            Some(_) => {
                return Err(Error::invalid(
                    table,
                    self.attribute,
                    format!(
                        "item {} has shape attribute `{}` of another type than a number (N)",
                        key.as_deref().unwrap_or("(no key)"),
                        self.attribute,
                    ),
                ))
            }
        };
        if stored > self.current {
            return Err(Error::ShapeUnknown {
                table: table.to_owned(),
                key,
                stored,
                newest: self.current,
            });
        }
        Ok(stored)
    }

    /// An item of shape `stored` (its shape attribute taken off) as the
    /// newest shape stores it.
    pub(crate) fn upgrade(
        &self,
        table: &str,
        key: Option<String>,
        stored: u32,
        item: Attributes,
    ) -> Result<Attributes> {
        if stored == self.current {
            return Ok(item);
        }
        (self.upgrade)(stored, item).map_err(|reason| Error::Serde {
            table: table.to_owned(),
            key,
            reason,
        })
    }
}

impl Shapes {
    /// An item of any shape read from `table`, as the newest put stores it.
    pub(crate) fn rewrite(
        &self,
        table: &str,
        key: &ItemKey,
        item: Attributes,
    ) -> Result<Attributes> {
        (self.rewrite)(table, key, item)
    }

    /// The attributes code of shape `stored` may write (its struct's
    /// fields), when its `Deserialize` says.
    pub(crate) fn fields(&self, stored: u32) -> Option<&'static [&'static str]> {
        (self.fields)(stored)
    }

    /// The shape an item read from a table is stored at (1 without the
    /// attribute; 0 for a value that is no shape number).
    pub(crate) fn stored(&self, item: &Attributes) -> u32 {
        match item.get(self.attribute) {
            None => 1,
            Some(AttributeValue::N(n)) => n.parse().unwrap_or(0),
            Some(_) => 0,
        }
    }
}

impl std::fmt::Debug for Shapes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shapes")
            .field("attribute", &self.attribute)
            .field("current", &self.current)
            .finish_non_exhaustive()
    }
}

/// An item of any shape as `M`'s put of it stores it: decoded, upgraded,
/// and encoded with `M`'s key (an entity's rendered again). An upgrade
/// that would move the item to another key is refused: a rewrite in place
/// cannot do that.
fn rewrite<M: ItemShape + Serialize + DynamoModel>(
    table: &str,
    key: &ItemKey,
    item: Attributes,
) -> Result<Attributes> {
    let newest: M = crate::item::encode::from_item(table, key, item)?;
    let (attributes, rewritten) = crate::item::encode::to_item(table, &newest)?;
    if &rewritten != key {
        return Err(Error::invalid(
            table,
            "upgrade",
            format!("upgraded to shape {}, item `{key}` would have key `{rewritten}`: an upgrade cannot move an item (write it anew and delete the old one)", M::SHAPE),
        ));
    }
    Ok(attributes)
}

/// An item of shape `stored`, decoded as that shape, upgraded to `M` and
/// encoded again.
fn upgrade<M: ItemShape + Serialize>(
    stored: u32,
    item: Attributes,
) -> std::result::Result<Attributes, String> {
    let newest: M = decode_at::<M>(stored, item)?;
    serde_dynamo::to_item(&newest).map_err(|err| {
        format!(
            "upgraded from shape {stored}, `{}` does not encode: {err}",
            short_name::<M>()
        )
    })
}

/// An item of shape `stored` as the model `S` (its newest shape): the
/// derive's `DynamoModel::read_shape`.
#[doc(hidden)]
pub fn read_shape<S: ItemShape>(stored: u32, item: Attributes) -> std::result::Result<S, String> {
    decode_at::<S>(stored, item)
}

/// An item of shape `stored` as `S`, through the upgrades between.
fn decode_at<S: ItemShape>(stored: u32, item: Attributes) -> std::result::Result<S, String> {
    if stored == S::SHAPE {
        return serde_dynamo::from_item(item).map_err(|err| {
            format!(
                "stored at shape {stored}, it does not read as `{}`: {err}",
                short_name::<S>()
            )
        });
    }
    if stored > S::SHAPE || <S::Older as ItemShape>::SHAPE == 0 {
        return Err(format!(
            "stored at shape {stored}, which the chain of `{}` (shape {}) does not hold",
            short_name::<S>(),
            S::SHAPE
        ));
    }
    decode_at::<S::Older>(stored, item).map(S::from_older)
}

/// The field names of the struct of shape `stored` in `S`'s chain.
fn fields_at<S: ItemShape>(stored: u32) -> Option<&'static [&'static str]> {
    if stored == S::SHAPE {
        return fields::field_names::<S>();
    }
    if stored > S::SHAPE || <S::Older as ItemShape>::SHAPE == 0 {
        return None;
    }
    fields_at::<S::Older>(stored)
}

fn short_name<T>() -> &'static str {
    let name = std::any::type_name::<T>();
    name.rsplit("::").next().unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct V1 {
        id: String,
        total: f64,
    }
    impl ItemShape for V1 {
        const SHAPE: u32 = 1;
        type Older = FirstShape;
        fn from_older(older: FirstShape) -> Self {
            match older {}
        }
    }

    #[derive(serde::Deserialize)]
    struct V2 {
        id: String,
        cents: u64,
    }
    impl ItemShape for V2 {
        const SHAPE: u32 = 2;
        type Older = V1;
        fn from_older(old: V1) -> Self {
            V2 {
                id: old.id,
                cents: (old.total * 100.0).round() as u64,
            }
        }
    }

    #[derive(serde::Deserialize, serde::Serialize, Debug, PartialEq)]
    struct V3 {
        id: String,
        cents: u64,
        currency: String,
    }
    impl ItemShape for V3 {
        const SHAPE: u32 = 3;
        type Older = V2;
        fn from_older(old: V2) -> Self {
            V3 {
                id: old.id,
                cents: old.cents,
                currency: "EUR".into(),
            }
        }
    }

    fn item(pairs: &[(&str, AttributeValue)]) -> Attributes {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    fn s(v: &str) -> AttributeValue {
        AttributeValue::S(v.into())
    }

    fn n(v: &str) -> AttributeValue {
        AttributeValue::N(v.into())
    }

    #[test]
    fn an_item_without_the_attribute_is_shape_1_and_upgrades_along_the_chain() {
        let shapes = Shapes::upgrading::<V3>("_shape", |_, _, item| Ok(item));
        let mut old = item(&[("id", s("o1")), ("total", n("12.5"))]);
        let stored = shapes.take("t", None, &mut old).unwrap();
        assert_eq!(stored, 1);
        let upgraded = shapes.upgrade("t", None, stored, old).unwrap();
        let order: V3 = serde_dynamo::from_item(upgraded).unwrap();
        assert_eq!(
            order,
            V3 {
                id: "o1".into(),
                cents: 1250,
                currency: "EUR".into()
            }
        );
        let mut v2 = item(&[("id", s("o2")), ("cents", n("7")), ("_shape", n("2"))]);
        let stored = shapes.take("t", None, &mut v2).unwrap();
        assert_eq!(stored, 2);
        assert!(!v2.contains_key("_shape"), "the attribute is no field");
        let order: V3 = serde_dynamo::from_item(shapes.upgrade("t", None, 2, v2).unwrap()).unwrap();
        assert_eq!(order.currency, "EUR");
    }

    #[test]
    fn each_shape_names_the_fields_of_its_own_struct() {
        let shapes = Shapes::upgrading::<V3>("_shape", |_, _, item| Ok(item));
        assert_eq!(shapes.fields(1), Some(&["id", "total"][..]));
        assert_eq!(shapes.fields(2), Some(&["id", "cents"][..]));
        assert_eq!(shapes.fields(3), Some(&["id", "cents", "currency"][..]));
        assert_eq!(shapes.fields(4), None);
    }

    #[test]
    fn a_newer_shape_or_a_bad_value_is_refused() {
        let shapes = Shapes::upgrading::<V3>("_shape", |_, _, item| Ok(item));
        let mut newer = item(&[("id", s("o1")), ("_shape", n("4"))]);
        let err = shapes
            .take("t", Some("id = \"o1\"".into()), &mut newer)
            .unwrap_err();
        assert!(
            matches!(
                &err,
                Error::ShapeUnknown {
                    stored: 4,
                    newest: 3,
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("shape 4"), "{err}");
        for bad in [n("0"), n("1.5"), s("2")] {
            let mut item = item(&[("id", s("o1")), ("_shape", bad)]);
            let err = shapes.take("t", None, &mut item).unwrap_err();
            assert!(matches!(err, Error::InvalidInput { .. }), "{err}");
        }
    }

    #[test]
    fn an_old_item_that_does_not_read_as_its_shape_names_it() {
        let shapes = Shapes::upgrading::<V3>("_shape", |_, _, item| Ok(item));
        let err = shapes
            .upgrade("t", None, 1, item(&[("id", s("o1"))]))
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("stored at shape 1, it does not read as `V1`"),
            "{err}"
        );
    }
}
