//! The order an export's keys are written in: the order a person reads a
//! table definition (name, keys, billing, indexes, then the settings), as
//! AWS's own documents show it. Kept here rather than by serde_json's
//! `preserve_order`, which would change `serde_json::Map` for every crate
//! of a user's build.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Map, Value};

/// Every key the exports write, in the order they come in. A key not
/// listed comes after the listed ones (a table's logical id, say).
const ORDER: &[&str] = &[
    "AWSTemplateFormatVersion",
    "Description",
    "Resources",
    "Type",
    "Properties",
    "TableName",
    "IndexName",
    "AttributeDefinitions",
    "AttributeName",
    "AttributeType",
    "KeySchema",
    "KeyType",
    "Projection",
    "ProjectionType",
    "NonKeyAttributes",
    "BillingMode",
    "ProvisionedThroughput",
    "ReadCapacityUnits",
    "WriteCapacityUnits",
    "OnDemandThroughput",
    "MaxReadRequestUnits",
    "MaxWriteRequestUnits",
    "GlobalSecondaryIndexes",
    "LocalSecondaryIndexes",
    "StreamSpecification",
    "StreamEnabled",
    "StreamViewType",
    "SSESpecification",
    "Enabled",
    "SSEEnabled",
    "SSEType",
    "KMSMasterKeyId",
    "Tags",
    "Key",
    "Value",
    "TableClass",
    "DeletionProtectionEnabled",
    "TimeToLiveSpecification",
    "PointInTimeRecoverySpecification",
    "PointInTimeRecoveryEnabled",
];

/// An object's entries in export order.
pub(super) fn entries(map: &Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut entries: Vec<(&String, &Value)> = map.iter().collect();
    let rank = |key: &str| ORDER.iter().position(|k| *k == key).unwrap_or(ORDER.len());
    entries.sort_by(|a, b| rank(a.0).cmp(&rank(b.0)).then_with(|| a.0.cmp(b.0)));
    entries
}

/// A JSON value that serializes its objects' keys in export order.
pub(super) struct InOrder<'a>(pub(super) &'a Value);

impl Serialize for InOrder<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Object(map) => {
                let mut out = serializer.serialize_map(Some(map.len()))?;
                for (key, value) in entries(map) {
                    out.serialize_entry(key, &InOrder(value))?;
                }
                out.end()
            }
            Value::Array(items) => {
                let mut out = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    out.serialize_element(&InOrder(item))?;
                }
                out.end()
            }
            other => other.serialize(serializer),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_come_in_a_readers_order_whatever_the_map_holds() {
        let value = json!({
            "Tags": [{ "Value": "v", "Key": "k" }],
            "KeySchema": [],
            "TableName": "t",
            "zLogicalId": 1,
            "aLogicalId": 2,
        });
        let text = serde_json::to_string(&InOrder(&value)).unwrap();
        assert_eq!(
            text,
            r#"{"TableName":"t","KeySchema":[],"Tags":[{"Key":"k","Value":"v"}],"aLogicalId":2,"zLogicalId":1}"#
        );
    }
}
