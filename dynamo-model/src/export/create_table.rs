//! The CreateTable request as the DynamoDB API (and the AWS CLI's
//! `--cli-input-json`) spells it.

use aws_sdk_dynamodb::types::{
    GlobalSecondaryIndex, KeySchemaElement, LocalSecondaryIndex, OnDemandThroughput, Projection,
    ProvisionedThroughput,
};
use serde_json::{json, Map, Value};

use super::Spec;

fn key_schema(keys: &[KeySchemaElement]) -> Value {
    keys.iter()
        .map(|k| json!({ "AttributeName": k.attribute_name(), "KeyType": k.key_type().as_str() }))
        .collect()
}

fn projection(projection: Option<&Projection>) -> Value {
    let mut out = Map::new();
    if let Some(p) = projection {
        if let Some(kind) = p.projection_type() {
            out.insert("ProjectionType".into(), kind.as_str().into());
        }
        if !p.non_key_attributes().is_empty() {
            out.insert("NonKeyAttributes".into(), json!(p.non_key_attributes()));
        }
    }
    Value::Object(out)
}

fn throughput(t: &ProvisionedThroughput) -> Value {
    json!({ "ReadCapacityUnits": t.read_capacity_units(), "WriteCapacityUnits": t.write_capacity_units() })
}

fn on_demand(t: &OnDemandThroughput) -> Value {
    let mut out = Map::new();
    if let Some(r) = t.max_read_request_units() {
        out.insert("MaxReadRequestUnits".into(), r.into());
    }
    if let Some(w) = t.max_write_request_units() {
        out.insert("MaxWriteRequestUnits".into(), w.into());
    }
    Value::Object(out)
}

fn gsi(index: &GlobalSecondaryIndex) -> Value {
    let mut out = Map::new();
    out.insert("IndexName".into(), index.index_name().into());
    out.insert("KeySchema".into(), key_schema(index.key_schema()));
    out.insert("Projection".into(), projection(index.projection()));
    if let Some(t) = index.provisioned_throughput() {
        out.insert("ProvisionedThroughput".into(), throughput(t));
    }
    if let Some(t) = index.on_demand_throughput() {
        out.insert("OnDemandThroughput".into(), on_demand(t));
    }
    Value::Object(out)
}

fn lsi(index: &LocalSecondaryIndex) -> Value {
    json!({
        "IndexName": index.index_name(),
        "KeySchema": key_schema(index.key_schema()),
        "Projection": projection(index.projection()),
    })
}

/// The request body.
pub(super) fn json(spec: &Spec) -> Value {
    let r = &spec.request;
    let mut out = Map::new();
    out.insert(
        "TableName".into(),
        r.get_table_name().clone().unwrap_or_default().into(),
    );
    out.insert(
        "AttributeDefinitions".into(),
        r.get_attribute_definitions()
            .iter()
            .flatten()
            .map(|d| json!({ "AttributeName": d.attribute_name(), "AttributeType": d.attribute_type().as_str() }))
            .collect(),
    );
    out.insert(
        "KeySchema".into(),
        key_schema(r.get_key_schema().as_deref().unwrap_or_default()),
    );
    if let Some(mode) = r.get_billing_mode() {
        out.insert("BillingMode".into(), mode.as_str().into());
    }
    if let Some(t) = r.get_provisioned_throughput() {
        out.insert("ProvisionedThroughput".into(), throughput(t));
    }
    if let Some(t) = r.get_on_demand_throughput() {
        out.insert("OnDemandThroughput".into(), on_demand(t));
    }
    if let Some(indexes) = r.get_global_secondary_indexes() {
        out.insert(
            "GlobalSecondaryIndexes".into(),
            indexes.iter().map(gsi).collect(),
        );
    }
    if let Some(indexes) = r.get_local_secondary_indexes() {
        out.insert(
            "LocalSecondaryIndexes".into(),
            indexes.iter().map(lsi).collect(),
        );
    }
    if let Some(stream) = r.get_stream_specification() {
        let mut s = Map::new();
        s.insert("StreamEnabled".into(), stream.stream_enabled().into());
        if let Some(view) = stream.stream_view_type() {
            s.insert("StreamViewType".into(), view.as_str().into());
        }
        out.insert("StreamSpecification".into(), Value::Object(s));
    }
    if let Some(sse) = r.get_sse_specification() {
        let mut s = Map::new();
        if let Some(enabled) = sse.enabled() {
            s.insert("Enabled".into(), enabled.into());
        }
        if let Some(kind) = sse.sse_type() {
            s.insert("SSEType".into(), kind.as_str().into());
        }
        if let Some(key) = sse.kms_master_key_id() {
            s.insert("KMSMasterKeyId".into(), key.into());
        }
        out.insert("SSESpecification".into(), Value::Object(s));
    }
    if let Some(tags) = r.get_tags() {
        out.insert(
            "Tags".into(),
            tags.iter()
                .map(|t| json!({ "Key": t.key(), "Value": t.value() }))
                .collect(),
        );
    }
    if let Some(class) = r.get_table_class() {
        out.insert("TableClass".into(), class.as_str().into());
    }
    if let Some(enabled) = r.get_deletion_protection_enabled() {
        out.insert("DeletionProtectionEnabled".into(), (*enabled).into());
    }
    Value::Object(out)
}
