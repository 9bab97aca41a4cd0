//! A collection: several entity types of one partition read by one query,
//! each item decoded as the variant its entity attribute names
//! (`#[derive(DynamoCollection)] enum CustomerView { Profile(Customer),
//! Order(Order) }`). The derive emits the variants as data; reading them is
//! here.

use std::marker::PhantomData;

use aws_sdk_dynamodb::types::AttributeValue;

use super::schema::EntitySchema;
use crate::error::{Error, Result};
use crate::item::encode::Attributes;
use crate::item::key::{KeyParts, KeyShape, NoRange, PartitionOf};
use crate::DynamoModel;

/// The key of a collection: only a partition, of the variants' common
/// `pk` placeholder types `P`, for a query; a collection has no item key
/// (get, put and delete are its variants').
pub struct CollectionKey<P>(PhantomData<fn() -> P>);

impl<P> KeyShape for CollectionKey<P> {
    const HAS_RANGE: bool = false;
    type Hash = P;
    type Range = NoRange;
}

/// A collection's partition is given as an entity's: its `pk` values.
impl<P, A> PartitionOf<CollectionKey<P>> for A
where
    A: PartitionOf<crate::EntityKey<(), P, NoRange>>,
{
    fn partition(&self) -> KeyParts<'_> {
        PartitionOf::<crate::EntityKey<(), P, NoRange>>::partition(self)
    }
}

/// One variant of a collection, as the derive emits it.
#[doc(hidden)]
pub struct Variant<C> {
    /// The variant's name, for messages.
    pub name: &'static str,
    /// The variant's entity.
    pub entity: fn() -> Option<Result<&'static EntitySchema>>,
    /// The variant's table.
    pub schema: fn() -> &'static crate::TableSchema,
    /// The item (of that entity) as the collection.
    pub decode: fn(&str, Attributes) -> Result<C>,
}

/// The entities of a collection's variants, each checked, with the table
/// they share: an error when a variant is no entity or of another table.
pub(crate) fn entities<M: DynamoModel + 'static>(
    variants: &[Variant<M>],
) -> Result<Vec<&'static EntitySchema>> {
    let table = M::schema();
    variants
        .iter()
        .map(|variant| {
            let Some(entity) = (variant.entity)() else {
                return Err(Error::invalid(
                    table.table_name(),
                    "collection",
                    format!("variant `{}` is not an entity of a shared table", variant.name),
                ));
            };
            if (variant.schema)() != table {
                return Err(Error::invalid(
                    table.table_name(),
                    "collection",
                    format!(
                        "variant `{}` is an entity of table `{}`, and the collection reads table `{}`",
                        variant.name,
                        (variant.schema)().table_name(),
                        table.table_name()
                    ),
                ));
            }
            entity
        })
        .collect::<Result<Vec<_>>>()
        .and_then(|entities| {
            // One entity attribute read, each entity one variant: else
            // items would drop out of the filter or never reach a variant.
            for (i, entity) in entities.iter().enumerate() {
                if let Some(j) = entities[..i].iter().position(|e| e.name() == entity.name()) {
                    return Err(Error::invalid(
                        table.table_name(),
                        "collection",
                        format!(
                            "variants `{}` and `{}` are both entity `{}`",
                            variants[j].name,
                            variants[i].name,
                            entity.name()
                        ),
                    ));
                }
                if entity.entity_attribute() != entities[0].entity_attribute() {
                    return Err(Error::invalid(
                        table.table_name(),
                        "collection",
                        format!(
                            "variant `{}` names its entity in `{}`, and `{}` in `{}`",
                            variants[i].name,
                            entity.entity_attribute(),
                            variants[0].name,
                            entities[0].entity_attribute()
                        ),
                    ));
                }
            }
            Ok(entities)
        })
}

/// The entities of `M`'s variants, for the derive's `collection_entities`.
#[doc(hidden)]
pub fn collection_entities<M: DynamoModel + 'static>() -> Option<Result<Vec<&'static EntitySchema>>>
{
    Some(entities::<M>(M::variants()))
}

/// An item of entity `V`, read as it: refused when of another entity,
/// decoded without the attributes its templates wrote.
#[doc(hidden)]
pub fn decode_entity<V: DynamoModel + serde::de::DeserializeOwned>(
    table: &str,
    item: Attributes,
) -> Result<V> {
    crate::item::encode::read_model(table, || None, item)
}

/// An item read by a query of collection `C`, as the variant its entity
/// attribute names; one of an entity outside `C` is
/// [`Error::WrongEntity`] (a query that skips them does not read them).
#[doc(hidden)]
pub fn decode_collection<C: DynamoModel + 'static>(table: &str, item: Attributes) -> Result<C> {
    // The variants were checked (one table, one entity attribute, distinct
    // entities) before the query was sent; here each is only looked up.
    let variants = C::variants();
    let mut entities = Vec::with_capacity(variants.len());
    for variant in variants {
        if let Some(entity) = (variant.entity)() {
            entities.push(entity?);
        }
    }
    let attribute = entities
        .first()
        .map_or(super::schema::DEFAULT_ENTITY_ATTRIBUTE, |e| {
            e.entity_attribute()
        });
    let found = match item.get(attribute) {
        Some(AttributeValue::S(name)) => Some(name.clone()),
        _ => None,
    };
    for (variant, entity) in variants.iter().zip(&entities) {
        if found.as_deref() == Some(entity.name()) {
            return (variant.decode)(table, item);
        }
    }
    let names: Vec<&str> = entities.iter().map(|e| e.name()).collect();
    let key = crate::item::key::ItemKey::from_item(C::schema(), table, &item).ok();
    Err(Error::WrongEntity {
        table: table.to_owned(),
        key: key.map(|key| key.to_string()),
        expected: names.join(" | "),
        found,
        attribute: attribute.to_owned(),
    })
}
