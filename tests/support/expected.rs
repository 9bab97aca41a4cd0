//! The expected side of the derive tests: schema parts built by hand, and
//! the attribute types of the item serde writes for a model.

use std::borrow::Cow;

use dynamo_model::{
    AttributeType, DynamoModel, GlobalSecondaryIndex, KeyAttribute, Projection, Throughput,
};
use serde::Serialize;

use AttributeType::{B, N, S};

pub fn key(name: &'static str, attribute_type: AttributeType) -> KeyAttribute {
    KeyAttribute::new(name, attribute_type)
}

pub fn gsi(
    name: &'static str,
    hash_keys: &[(&'static str, AttributeType)],
    range_keys: &[(&'static str, AttributeType)],
    projection: Projection,
    throughput: Option<Throughput>,
) -> GlobalSecondaryIndex {
    let keys =
        |keys: &[(&'static str, AttributeType)]| keys.iter().map(|&(n, t)| key(n, t)).collect();
    GlobalSecondaryIndex::from_parts(
        name,
        keys(hash_keys),
        keys(range_keys),
        projection,
        throughput,
    )
}

pub fn include(names: &[&'static str]) -> Projection {
    Projection::Include(names.iter().map(|&n| Cow::Borrowed(n)).collect())
}

/// The stored type of each attribute serde writes, by name.
pub fn item_types<T: Serialize>(value: &T) -> Vec<(String, AttributeType)> {
    let item: serde_dynamo::Item = serde_dynamo::to_item(value).expect("serializes");
    let mut types: Vec<_> = item
        .iter()
        .filter_map(|(name, value)| {
            let attribute_type = match value {
                serde_dynamo::AttributeValue::S(_) => S,
                serde_dynamo::AttributeValue::N(_) => N,
                serde_dynamo::AttributeValue::B(_) => B,
                _ => return None,
            };
            Some((name.clone(), attribute_type))
        })
        .collect();
    types.sort();
    types
}

/// Every key attribute of the schema is in the item, with the same type.
pub fn assert_keys_match_item<T: DynamoModel + Serialize>(value: &T) {
    let item = item_types(value);
    for key in T::schema().key_attributes() {
        assert!(
            item.contains(&(key.name().to_owned(), key.attribute_type())),
            "key {key:?} is not in the item serde writes: {item:?}"
        );
    }
}
