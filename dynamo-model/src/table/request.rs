//! Turns a [`TableSchema`] and [`CreateTableOptions`] into a CreateTable
//! request. Pure: nothing here sends anything, so it is unit-tested on the
//! request it builds.

use aws_sdk_dynamodb::error::BuildError;
use aws_sdk_dynamodb::operation::create_table::builders::CreateTableFluentBuilder;
use aws_sdk_dynamodb::types::{
    self as sdk, BillingMode, KeyType as SdkKeyType, ScalarAttributeType, SseSpecification,
    SseType, StreamSpecification, StreamViewType,
};
use aws_sdk_dynamodb::Client;

use super::options::{CreateTableOptions, Encryption, StreamView, TableClass};
use crate::error::{Error, Result};
use crate::{AttributeType, KeyAttribute, Projection, TableSchema, Throughput};

/// The CreateTable request for `schema` under the name `table`.
pub(crate) fn create_table(
    client: &Client,
    table: &str,
    schema: &TableSchema,
    options: &CreateTableOptions,
) -> Result<CreateTableFluentBuilder> {
    let built = |e: BuildError| Error::invalid(table, "schema", e.to_string());

    let mut key_schema = vec![key_element(schema.hash_key(), SdkKeyType::Hash).map_err(built)?];
    if let Some(range) = schema.range_key() {
        key_schema.push(key_element(range, SdkKeyType::Range).map_err(built)?);
    }

    let attribute_definitions = schema
        .key_attributes()
        .into_iter()
        .map(|key| {
            sdk::AttributeDefinition::builder()
                .attribute_name(key.name())
                .attribute_type(scalar_type(key.attribute_type()))
                .build()
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(built)?;

    let mut request = client
        .create_table()
        .table_name(table)
        .set_key_schema(Some(key_schema))
        .set_attribute_definitions(Some(attribute_definitions));

    if let Some(max) = options.max_on_demand {
        request = request.on_demand_throughput(on_demand_throughput(max));
    }
    request = match options.provisioned {
        Some(throughput) => request
            .billing_mode(BillingMode::Provisioned)
            .provisioned_throughput(provisioned_throughput(throughput).map_err(built)?),
        None => request.billing_mode(BillingMode::PayPerRequest),
    };

    for gsi in schema.global_indexes() {
        let mut keys = Vec::new();
        for key in gsi.hash_keys() {
            keys.push(key_element(key, SdkKeyType::Hash).map_err(built)?);
        }
        for key in gsi.range_keys() {
            keys.push(key_element(key, SdkKeyType::Range).map_err(built)?);
        }
        let mut index = sdk::GlobalSecondaryIndex::builder()
            .index_name(gsi.name())
            .set_key_schema(Some(keys))
            .projection(projection(gsi.projection()));
        // A provisioned table whose GSIs carry no throughput is rejected by
        // DynamoDB, so every GSI gets one.
        if let Some(throughput) = options.index_throughput(gsi) {
            index =
                index.provisioned_throughput(provisioned_throughput(throughput).map_err(built)?);
        }
        if let Some(max) = options.index_max_on_demand.get(gsi.name()) {
            index = index.on_demand_throughput(on_demand_throughput(*max));
        }
        request = request.global_secondary_indexes(index.build().map_err(built)?);
    }

    for lsi in schema.local_indexes() {
        let index = sdk::LocalSecondaryIndex::builder()
            .index_name(lsi.name())
            .key_schema(key_element(schema.hash_key(), SdkKeyType::Hash).map_err(built)?)
            .key_schema(key_element(lsi.range_key(), SdkKeyType::Range).map_err(built)?)
            .projection(projection(lsi.projection()))
            .build()
            .map_err(built)?;
        request = request.local_secondary_indexes(index);
    }

    if let Some(class) = options.table_class {
        request = request.table_class(table_class(class));
    }
    if let Some(encryption) = &options.encryption {
        request = request.set_sse_specification(sse_specification(encryption));
    }
    for (key, value) in &options.tags {
        request = request.tags(
            sdk::Tag::builder()
                .key(key)
                .value(value)
                .build()
                .map_err(built)?,
        );
    }
    // Replicas need this stream; asking for replicas turns it on.
    let stream = options
        .stream
        .or((!options.replicas.is_empty()).then_some(StreamView::NewAndOldImages));
    if let Some(view) = stream {
        request = request.stream_specification(
            StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(stream_view(view))
                .build()
                .map_err(built)?,
        );
    }
    if let Some(enabled) = options.deletion_protection {
        request = request.deletion_protection_enabled(enabled);
    }
    Ok(request)
}

fn key_element(
    key: &KeyAttribute,
    key_type: SdkKeyType,
) -> Result<sdk::KeySchemaElement, BuildError> {
    sdk::KeySchemaElement::builder()
        .attribute_name(key.name())
        .key_type(key_type)
        .build()
}

pub(crate) fn scalar_type(attribute_type: AttributeType) -> ScalarAttributeType {
    match attribute_type {
        AttributeType::S => ScalarAttributeType::S,
        AttributeType::N => ScalarAttributeType::N,
        AttributeType::B => ScalarAttributeType::B,
    }
}

pub(crate) fn projection(projection: &Projection) -> sdk::Projection {
    let builder = sdk::Projection::builder();
    match projection {
        Projection::All => builder.projection_type(sdk::ProjectionType::All),
        Projection::KeysOnly => builder.projection_type(sdk::ProjectionType::KeysOnly),
        Projection::Include(names) => builder
            .projection_type(sdk::ProjectionType::Include)
            .set_non_key_attributes(Some(names.iter().map(|n| n.to_string()).collect())),
    }
    .build()
}

pub(crate) fn provisioned_throughput(
    throughput: Throughput,
) -> Result<sdk::ProvisionedThroughput, BuildError> {
    sdk::ProvisionedThroughput::builder()
        .read_capacity_units(saturating_i64(throughput.read))
        .write_capacity_units(saturating_i64(throughput.write))
        .build()
}

pub(crate) fn on_demand_throughput(max: Throughput) -> sdk::OnDemandThroughput {
    sdk::OnDemandThroughput::builder()
        .max_read_request_units(saturating_i64(max.read))
        .max_write_request_units(saturating_i64(max.write))
        .build()
}

fn saturating_i64(units: u64) -> i64 {
    i64::try_from(units).unwrap_or(i64::MAX)
}

pub(crate) fn sse_specification(encryption: &Encryption) -> Option<SseSpecification> {
    match encryption {
        // DynamoDB's default: sending nothing keeps requests valid on every backend.
        Encryption::AwsOwned => None,
        Encryption::AwsManaged => Some(
            SseSpecification::builder()
                .enabled(true)
                .sse_type(SseType::Kms)
                .build(),
        ),
        Encryption::CustomerManaged { kms_key_id } => Some(
            SseSpecification::builder()
                .enabled(true)
                .sse_type(SseType::Kms)
                .kms_master_key_id(kms_key_id)
                .build(),
        ),
    }
}

pub(crate) fn table_class(class: TableClass) -> sdk::TableClass {
    match class {
        TableClass::Standard => sdk::TableClass::Standard,
        TableClass::StandardInfrequentAccess => sdk::TableClass::StandardInfrequentAccess,
    }
}

pub(crate) fn stream_view(view: StreamView) -> StreamViewType {
    match view {
        StreamView::KeysOnly => StreamViewType::KeysOnly,
        StreamView::NewImage => StreamViewType::NewImage,
        StreamView::OldImage => StreamViewType::OldImage,
        StreamView::NewAndOldImages => StreamViewType::NewAndOldImages,
    }
}

/// The crate's type of a key attribute DynamoDB describes; `None` for a
/// type this SDK does not know.
pub(crate) fn attribute_type_of(kind: &ScalarAttributeType) -> Option<AttributeType> {
    Some(match kind {
        ScalarAttributeType::S => AttributeType::S,
        ScalarAttributeType::N => AttributeType::N,
        ScalarAttributeType::B => AttributeType::B,
        _ => return None,
    })
}

/// [`table_class`] read back; a class this SDK does not know reads as the default.
pub(crate) fn table_class_of(class: &sdk::TableClass) -> TableClass {
    match class {
        sdk::TableClass::StandardInfrequentAccess => TableClass::StandardInfrequentAccess,
        _ => TableClass::Standard,
    }
}

/// [`stream_view`] read back; a view this SDK does not know reads as the widest.
pub(crate) fn stream_view_of(view: &StreamViewType) -> StreamView {
    match view {
        StreamViewType::KeysOnly => StreamView::KeysOnly,
        StreamViewType::NewImage => StreamView::NewImage,
        StreamViewType::OldImage => StreamView::OldImage,
        _ => StreamView::NewAndOldImages,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{GlobalSecondaryIndex, LocalSecondaryIndex};
    use std::borrow::Cow;

    fn orders() -> TableSchema {
        TableSchema::from_parts(
            "orders",
            KeyAttribute::new("customerId", AttributeType::S),
            Some(KeyAttribute::new("orderId", AttributeType::N)),
            vec![
                GlobalSecondaryIndex::from_parts(
                    "by_status",
                    vec![KeyAttribute::new("status", AttributeType::S)],
                    vec![KeyAttribute::new("createdAt", AttributeType::N)],
                    Projection::All,
                    Some(Throughput::new(3, 4)),
                ),
                GlobalSecondaryIndex::from_parts(
                    "by_coupon",
                    vec![KeyAttribute::new("coupon", AttributeType::S)],
                    vec![],
                    Projection::Include(Cow::Owned(vec![Cow::Borrowed("total")])),
                    None,
                ),
            ],
            vec![LocalSecondaryIndex::from_parts(
                "by_created",
                KeyAttribute::new("createdAt", AttributeType::N),
                Projection::KeysOnly,
            )],
            Some("expiresAt".into()),
        )
    }

    fn client() -> Client {
        crate::Db::local("http://127.0.0.1:1").client().clone()
    }

    fn build(
        options: CreateTableOptions,
    ) -> aws_sdk_dynamodb::operation::create_table::builders::CreateTableInputBuilder {
        create_table(&client(), "orders", &orders(), &options)
            .unwrap()
            .as_input()
            .clone()
    }

    #[test]
    fn attribute_definitions_are_exactly_the_keys_once_sorted() {
        let input = build(CreateTableOptions::new());
        let definitions: Vec<(String, String)> = input
            .get_attribute_definitions()
            .as_ref()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d.attribute_name().to_owned(),
                    d.attribute_type().as_str().to_owned(),
                )
            })
            .collect();
        let expected = [
            ("coupon", "S"),
            ("createdAt", "N"),
            ("customerId", "S"),
            ("orderId", "N"),
            ("status", "S"),
        ];
        assert_eq!(
            definitions,
            expected.map(|(n, t)| (n.to_owned(), t.to_owned())).to_vec()
        );
    }

    #[test]
    fn on_demand_by_default_without_throughput() {
        let input = build(CreateTableOptions::new());
        assert_eq!(input.get_billing_mode(), &Some(BillingMode::PayPerRequest));
        assert!(input.get_provisioned_throughput().is_none());
        for gsi in input.get_global_secondary_indexes().as_ref().unwrap() {
            assert!(gsi.provisioned_throughput().is_none());
        }
        assert!(input.get_sse_specification().is_none());
        assert!(input.get_tags().is_none());
    }

    #[test]
    fn provisioned_gsi_capacity_prefers_option_then_model_then_table() {
        let input = build(CreateTableOptions::new().provisioned(10, 9));
        let gsis = input.get_global_secondary_indexes().as_ref().unwrap();
        let capacity = |i: usize| {
            let t = gsis[i].provisioned_throughput().unwrap();
            (t.read_capacity_units(), t.write_capacity_units())
        };
        assert_eq!(capacity(0), (3, 4), "model's capacity");
        assert_eq!(capacity(1), (10, 9), "table's capacity");

        let input = build(CreateTableOptions::new().provisioned(10, 9).index_capacity(
            "by_status",
            1,
            2,
        ));
        let t = input.get_global_secondary_indexes().as_ref().unwrap()[0]
            .provisioned_throughput()
            .unwrap()
            .clone();
        assert_eq!((t.read_capacity_units(), t.write_capacity_units()), (1, 2));
        assert_eq!(input.get_billing_mode(), &Some(BillingMode::Provisioned));
    }

    #[test]
    fn index_key_schemas_and_projections() {
        let input = build(CreateTableOptions::new());
        let gsis = input.get_global_secondary_indexes().as_ref().unwrap();
        let keys: Vec<_> = gsis[0]
            .key_schema()
            .iter()
            .map(|k| (k.attribute_name(), k.key_type().as_str()))
            .collect();
        assert_eq!(keys, [("status", "HASH"), ("createdAt", "RANGE")]);
        assert_eq!(
            gsis[1].projection().unwrap().projection_type(),
            Some(&sdk::ProjectionType::Include)
        );
        assert_eq!(
            gsis[1].projection().unwrap().non_key_attributes(),
            ["total"]
        );

        let lsis = input.get_local_secondary_indexes().as_ref().unwrap();
        let keys: Vec<_> = lsis[0]
            .key_schema()
            .iter()
            .map(|k| (k.attribute_name(), k.key_type().as_str()))
            .collect();
        assert_eq!(keys, [("customerId", "HASH"), ("createdAt", "RANGE")]);
        assert_eq!(
            lsis[0].projection().unwrap().projection_type(),
            Some(&sdk::ProjectionType::KeysOnly)
        );
    }

    #[test]
    fn on_demand_maximums_reach_the_table_and_its_index() {
        let input = build(
            CreateTableOptions::new()
                .max_on_demand(100, 50)
                .index_max_on_demand("by_coupon", 10, 5),
        );
        let max = input.get_on_demand_throughput().clone().unwrap();
        assert_eq!(
            (max.max_read_request_units(), max.max_write_request_units()),
            (Some(100), Some(50))
        );
        let gsis = input.get_global_secondary_indexes().as_ref().unwrap();
        assert!(gsis[0].on_demand_throughput().is_none());
        let max = gsis[1].on_demand_throughput().unwrap();
        assert_eq!(
            (max.max_read_request_units(), max.max_write_request_units()),
            (Some(10), Some(5))
        );
    }

    #[test]
    fn table_settings_reach_the_request() {
        let input = build(
            CreateTableOptions::new()
                .table_class(TableClass::StandardInfrequentAccess)
                .encryption(Encryption::CustomerManaged {
                    kms_key_id: "alias/k".into(),
                })
                .tag("env", "test")
                .stream(StreamView::NewAndOldImages)
                .deletion_protection(true),
        );
        assert_eq!(
            input.get_table_class(),
            &Some(sdk::TableClass::StandardInfrequentAccess)
        );
        let sse = input.get_sse_specification().clone().unwrap();
        assert_eq!(
            (sse.enabled(), sse.sse_type(), sse.kms_master_key_id()),
            (Some(true), Some(&SseType::Kms), Some("alias/k"))
        );
        let tags = input.get_tags().clone().unwrap();
        assert_eq!((tags[0].key(), tags[0].value()), ("env", "test"));
        let stream = input.get_stream_specification().clone().unwrap();
        assert!(stream.stream_enabled());
        assert_eq!(
            stream.stream_view_type(),
            Some(&StreamViewType::NewAndOldImages)
        );
        assert_eq!(input.get_deletion_protection_enabled(), &Some(true));
    }
}
