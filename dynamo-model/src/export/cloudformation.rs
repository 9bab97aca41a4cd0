//! A CloudFormation template with one `AWS::DynamoDB::Table`. The property
//! names follow the resource's schema, which differs from the API in places
//! (`SSEEnabled`, `TimeToLiveSpecification`, no `StreamEnabled`).

use serde_json::{json, Map, Value};

use super::create_table::{gsi, key_schema, lsi, on_demand, throughput};
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

pub(super) fn template(spec: &Spec) -> Value {
    let r = &spec.request;
    let table = r.get_table_name().clone().unwrap_or_default();
    let mut p = Map::new();
    p.insert("TableName".into(), table.clone().into());
    p.insert(
        "AttributeDefinitions".into(),
        r.get_attribute_definitions()
            .iter()
            .flatten()
            .map(|d| json!({ "AttributeName": d.attribute_name(), "AttributeType": d.attribute_type().as_str() }))
            .collect(),
    );
    p.insert(
        "KeySchema".into(),
        key_schema(r.get_key_schema().as_deref().unwrap_or_default()),
    );
    if let Some(mode) = r.get_billing_mode() {
        p.insert("BillingMode".into(), mode.as_str().into());
    }
    if let Some(t) = r.get_provisioned_throughput() {
        p.insert("ProvisionedThroughput".into(), throughput(t));
    }
    if let Some(t) = r.get_on_demand_throughput() {
        p.insert("OnDemandThroughput".into(), on_demand(t));
    }
    if let Some(indexes) = r.get_global_secondary_indexes() {
        p.insert(
            "GlobalSecondaryIndexes".into(),
            indexes.iter().map(gsi).collect(),
        );
    }
    if let Some(indexes) = r.get_local_secondary_indexes() {
        p.insert(
            "LocalSecondaryIndexes".into(),
            indexes.iter().map(lsi).collect(),
        );
    }
    if let Some(view) = r
        .get_stream_specification()
        .as_ref()
        .and_then(|s| s.stream_view_type())
    {
        p.insert(
            "StreamSpecification".into(),
            json!({ "StreamViewType": view.as_str() }),
        );
    }
    if let Some(sse) = r.get_sse_specification() {
        let mut s = Map::new();
        s.insert("SSEEnabled".into(), sse.enabled().unwrap_or(false).into());
        if let Some(kind) = sse.sse_type() {
            s.insert("SSEType".into(), kind.as_str().into());
        }
        if let Some(key) = sse.kms_master_key_id() {
            s.insert("KMSMasterKeyId".into(), key.into());
        }
        p.insert("SSESpecification".into(), Value::Object(s));
    }
    if let Some(attribute) = &spec.ttl_attribute {
        p.insert(
            "TimeToLiveSpecification".into(),
            json!({ "AttributeName": attribute, "Enabled": true }),
        );
    }
    if let Some(tags) = r.get_tags() {
        p.insert(
            "Tags".into(),
            tags.iter()
                .map(|t| json!({ "Key": t.key(), "Value": t.value() }))
                .collect(),
        );
    }
    if let Some(class) = r.get_table_class() {
        p.insert("TableClass".into(), class.as_str().into());
    }
    if let Some(enabled) = r.get_deletion_protection_enabled() {
        p.insert("DeletionProtectionEnabled".into(), (*enabled).into());
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
