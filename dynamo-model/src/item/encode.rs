//! Items as serde_dynamo encodes them, with the two things DynamoDB needs
//! on top: no NULL where an index key goes (the item is left out of that
//! index instead) and no item over 400 KB.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::key::ItemKey;
use crate::error::{Error, Result};
use crate::TableSchema;

/// An item as the SDK takes it.
pub(crate) type Attributes = HashMap<String, AttributeValue>;

/// DynamoDB's item size limit: 400 KB.
pub const MAX_ITEM_SIZE: usize = 400 * 1024;

/// `item` as DynamoDB stores it, with its key.
pub(crate) fn to_item<M: Serialize>(
    schema: &TableSchema,
    table: &str,
    item: &M,
) -> Result<(Attributes, ItemKey)> {
    let mut attributes: Attributes = serde_dynamo::to_item(item).map_err(|err| Error::Serde {
        table: table.to_owned(),
        key: None,
        reason: err.to_string(),
    })?;
    drop_null_index_keys(schema, &mut attributes);
    let key = ItemKey::from_item(schema, table, &attributes)?;
    check_size(table, &key, &attributes)?;
    Ok((attributes, key))
}

/// Reads an item back into the model.
pub(crate) fn from_item<M: DeserializeOwned>(
    table: &str,
    key: &ItemKey,
    attributes: Attributes,
) -> Result<M> {
    serde_dynamo::from_item(attributes).map_err(|err| Error::Serde {
        table: table.to_owned(),
        key: Some(key.to_string()),
        reason: err.to_string(),
    })
}

/// serde writes `None` as NULL unless told to skip it; DynamoDB refuses
/// NULL for an index key, and an absent one is what a sparse index means.
pub(crate) fn drop_null_index_keys(schema: &TableSchema, attributes: &mut Attributes) {
    for key in schema.key_attributes() {
        if matches!(attributes.get(key.name()), Some(AttributeValue::Null(_))) {
            attributes.remove(key.name());
        }
    }
}

/// Refuses an item DynamoDB would refuse for its size.
pub(crate) fn check_size(table: &str, key: &ItemKey, attributes: &Attributes) -> Result<()> {
    let size = item_size(attributes);
    if size > MAX_ITEM_SIZE {
        return Err(Error::ItemTooLarge {
            table: table.to_owned(),
            key: key.to_string(),
            size,
            limit: MAX_ITEM_SIZE,
        });
    }
    Ok(())
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
        let (item, key) = to_item(&schema(), "orders", &order).unwrap();
        assert!(!item.contains_key("coupon"));
        assert_eq!(item["note"], AttributeValue::Null(true));
        assert_eq!(key.to_string(), r#"id = "o1""#);
    }

    #[test]
    fn an_item_over_400_kb_is_refused_naming_key_and_size() {
        let order = Order {
            id: "o1".into(),
            coupon: None,
            note: None,
            body: "x".repeat(MAX_ITEM_SIZE),
        };
        let err = to_item(&schema(), "orders", &order).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "item `id = \"o1\"` of table `orders` is {} bytes, over DynamoDB's limit of 409600 bytes; nothing was sent",
                MAX_ITEM_SIZE + 2 + 2 + 4 + 4 + 1
            )
        );
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
