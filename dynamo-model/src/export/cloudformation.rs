//! A CloudFormation template with one `AWS::DynamoDB::Table`: the CreateTable
//! request's properties, renamed where the resource's schema differs from
//! the API (`SSEEnabled`, no `StreamEnabled`), plus `TimeToLiveSpecification` and
//! `PointInTimeRecoverySpecification`.

use serde_json::{json, Value};

use super::create_table;
use super::Spec;

/// `orders` -> `OrdersTable`: a logical id is alphanumeric.
fn logical_id(table: &str) -> String {
    let mut id = String::new();
    let mut upper = true;
    for c in table.chars() {
        if c.is_ascii_alphanumeric() {
            id.push(if upper { c.to_ascii_uppercase() } else { c });
            upper = false;
        } else {
            upper = true;
        }
    }
    if !id.starts_with(|c: char| c.is_ascii_alphabetic()) {
        id.insert(0, 'T');
    }
    id.push_str("Table");
    id
}

/// The CreateTable request, renamed where the resource's schema differs from
/// the API, with the TTL the request cannot carry.
pub(super) fn template(spec: &Spec) -> Value {
    let Value::Object(mut p) = create_table::json(spec) else {
        unreachable!("the request is a JSON object")
    };
    let table = p["TableName"].as_str().unwrap_or_default().to_owned();
    if let Some(stream) = p
        .get_mut("StreamSpecification")
        .and_then(Value::as_object_mut)
    {
        // The resource has no StreamEnabled: a view type means a stream.
        stream.remove("StreamEnabled");
    }
    if let Some(sse) = p.get_mut("SSESpecification").and_then(Value::as_object_mut) {
        let enabled = sse.remove("Enabled").unwrap_or(Value::Bool(false));
        sse.insert("SSEEnabled".into(), enabled);
    }
    if let Some(attribute) = &spec.ttl_attribute {
        p.insert(
            "TimeToLiveSpecification".into(),
            json!({ "AttributeName": attribute, "Enabled": true }),
        );
    }
    if spec.point_in_time_recovery {
        p.insert(
            "PointInTimeRecoverySpecification".into(),
            json!({ "PointInTimeRecoveryEnabled": true }),
        );
    }
    json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": format!("DynamoDB table `{table}`, exported by dynamo-model from its model"),
        "Resources": { logical_id(&table): { "Type": "AWS::DynamoDB::Table", "Properties": p } },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logical_ids_are_alphanumeric() {
        assert_eq!(logical_id("orders"), "OrdersTable");
        assert_eq!(logical_id("order_items-v2"), "OrderItemsV2Table");
        assert_eq!(logical_id("1st.table"), "T1stTableTable");
    }
}
