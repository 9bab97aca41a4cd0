//! Reading the live table into a [`TableState`]: DescribeTable, and the
//! settings with their own APIs (TTL, tags, point-in-time recovery), each
//! left out of the comparison, saying why, when the server cannot report it.

use std::collections::BTreeMap;

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::types::{
    BillingMode, KeySchemaElement, KeyType, OnDemandThroughput, ProjectionType, SseStatus, SseType,
    TableDescription,
};
use aws_sdk_dynamodb::Client;

use super::state::{
    Capacity, EncryptionState, GsiState, IndexKeys, IndexProjection, KeyDef, TableState,
};
use crate::error::{Error, Result};
use crate::table::{backups, describe, request, tags, ttl};
use crate::{AttributeType, TableClass, Throughput};

impl TableState {
    /// The live table as DynamoDB describes it, and the settings read from
    /// their own APIs; `None` when there is no such table. Each setting the
    /// server cannot report is left out of the comparison, with a line that
    /// says so.
    pub(crate) async fn live(client: &Client, table: &str) -> Result<Option<(Self, Vec<String>)>> {
        let description = match describe::describe(client, table).await {
            Ok(description) => description,
            Err(Error::TableNotFound { .. }) => return Ok(None),
            Err(other) => return Err(other),
        };
        let mut not_compared = Vec::new();
        let ttl = readable(
            table,
            "DescribeTimeToLive",
            "TTL",
            ttl::current(client, table).await,
            &mut not_compared,
        )?;
        let tags = match description.table_arn() {
            Some(arn) => readable(
                table,
                "ListTagsOfResource",
                "tags",
                tags::current(client, arn).await,
                &mut not_compared,
            )?,
            None => {
                not_compared.push("tags: the table description has no ARN".to_owned());
                None
            }
        };
        let point_in_time_recovery = readable(
            table,
            "DescribeContinuousBackups",
            "point-in-time recovery",
            backups::point_in_time_recovery(client, table).await,
            &mut not_compared,
        )?;
        let mut state = Self::described(&description);
        state.ttl = ttl;
        state.tags = tags;
        state.point_in_time_recovery = point_in_time_recovery;
        Ok(Some((state, not_compared)))
    }

    /// What DescribeTable alone says (TTL, tags and PITR not compared).
    pub(crate) fn described(description: &TableDescription) -> Self {
        let types: BTreeMap<&str, AttributeType> = description
            .attribute_definitions()
            .iter()
            .map(|d| {
                let kind = request::attribute_type_of(d.attribute_type());
                (d.attribute_name(), kind.unwrap_or(AttributeType::S))
            })
            .collect();
        let keys = |elements: &[KeySchemaElement], kind: KeyType| -> Vec<KeyDef> {
            elements
                .iter()
                .filter(|e| *e.key_type() == kind)
                .map(|e| KeyDef {
                    name: e.attribute_name().to_owned(),
                    attribute_type: types
                        .get(e.attribute_name())
                        .copied()
                        .unwrap_or(AttributeType::S),
                })
                .collect()
        };
        let projection = |p: Option<&aws_sdk_dynamodb::types::Projection>| match p
            .and_then(|p| p.projection_type())
        {
            Some(ProjectionType::KeysOnly) => IndexProjection::KeysOnly,
            Some(ProjectionType::Include) => {
                let mut attributes = p.map_or(Vec::new(), |p| p.non_key_attributes().to_vec());
                attributes.sort();
                IndexProjection::Include { attributes }
            }
            _ => IndexProjection::All,
        };
        let provisioned =
            |t: Option<&aws_sdk_dynamodb::types::ProvisionedThroughputDescription>| {
                let t = t?;
                let read = t.read_capacity_units().unwrap_or(0);
                let write = t.write_capacity_units().unwrap_or(0);
                (read > 0 || write > 0).then(|| Throughput::new(read as u64, write as u64))
            };
        let on_demand = match description
            .billing_mode_summary()
            .and_then(|b| b.billing_mode())
        {
            Some(BillingMode::PayPerRequest) => true,
            Some(_) => false,
            // Tables made provisioned long ago carry no summary.
            None => provisioned(description.provisioned_throughput()).is_none(),
        };
        let capacity = |t: Option<&aws_sdk_dynamodb::types::ProvisionedThroughputDescription>,
                        max: Option<&OnDemandThroughput>| {
            if on_demand {
                Capacity::OnDemand {
                    max: on_demand_max(max),
                }
            } else {
                Capacity::Provisioned(provisioned(t).unwrap_or(Throughput::new(0, 0)))
            }
        };
        let index_keys =
            |elements: &[KeySchemaElement], p: Option<&aws_sdk_dynamodb::types::Projection>| {
                IndexKeys {
                    hash: keys(elements, KeyType::Hash),
                    range: keys(elements, KeyType::Range),
                    projection: projection(p),
                }
            };
        let key_schema = description.key_schema();
        let hash_key = keys(key_schema, KeyType::Hash)
            .into_iter()
            .next()
            .unwrap_or(KeyDef {
                name: String::new(),
                attribute_type: AttributeType::S,
            });
        let global_indexes = description
            .global_secondary_indexes()
            .iter()
            .filter_map(|g| {
                let keys = index_keys(g.key_schema(), g.projection());
                let capacity = capacity(g.provisioned_throughput(), g.on_demand_throughput());
                Some((g.index_name()?.to_owned(), GsiState { keys, capacity }))
            })
            .collect();
        let local_indexes = description
            .local_secondary_indexes()
            .iter()
            .filter_map(|l| {
                let index = index_keys(l.key_schema(), l.projection());
                Some((l.index_name()?.to_owned(), index))
            })
            .collect();
        let stream = description
            .stream_specification()
            .filter(|s| s.stream_enabled())
            .and_then(|s| s.stream_view_type())
            .map(request::stream_view_of);
        let table_class = description
            .table_class_summary()
            .and_then(|c| c.table_class())
            .map_or(TableClass::Standard, request::table_class_of);
        let encryption = match description.sse_description() {
            Some(sse)
                if sse.sse_type() == Some(&SseType::Kms)
                    && matches!(
                        sse.status(),
                        Some(SseStatus::Enabled | SseStatus::Enabling | SseStatus::Updating)
                    ) =>
            {
                EncryptionState::Kms {
                    key: sse.kms_master_key_arn().map(str::to_owned),
                }
            }
            _ => EncryptionState::AwsOwned,
        };
        TableState {
            hash_key,
            range_key: keys(key_schema, KeyType::Range).into_iter().next(),
            global_indexes,
            local_indexes,
            billing: capacity(
                description.provisioned_throughput(),
                description.on_demand_throughput(),
            ),
            stream,
            deletion_protection: description.deletion_protection_enabled().unwrap_or(false),
            table_class,
            encryption,
            ttl: None,
            tags: None,
            point_in_time_recovery: None,
            capacity_autoscaled: false,
        }
    }
}

/// A maximum of -1 or 0 is no maximum.
fn on_demand_max(max: Option<&OnDemandThroughput>) -> Option<Throughput> {
    let max = max?;
    let read = max.max_read_request_units().filter(|v| *v > 0);
    let write = max.max_write_request_units().filter(|v| *v > 0);
    if read.is_none() && write.is_none() {
        return None;
    }
    Some(Throughput::new(
        read.unwrap_or(0) as u64,
        write.unwrap_or(0) as u64,
    ))
}

/// A setting read from its own API: the value, or `None` with a line in
/// `not_compared` when the server refused the request (a backend without
/// the feature, or no permission); failures to reach it are errors.
fn readable<T, E>(
    table: &str,
    operation: &'static str,
    what: &str,
    answer: std::result::Result<T, SdkError<E, aws_sdk_dynamodb::config::http::HttpResponse>>,
    not_compared: &mut Vec<String>,
) -> Result<Option<T>>
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    // What a server without the API, or a role without the permission,
    // answers: the setting cannot be compared. Any other failure is one.
    const CANNOT_TELL: [&str; 4] = [
        "UnknownOperationException",
        "UnsupportedOperationException",
        "NotImplemented",
        "AccessDeniedException",
    ];
    match answer {
        Ok(value) => Ok(Some(value)),
        Err(err @ SdkError::ServiceError(_))
            if err
                .as_service_error()
                .and_then(|e| aws_sdk_dynamodb::error::ProvideErrorMetadata::code(e))
                .is_some_and(|code| CANNOT_TELL.contains(&code)) =>
        {
            not_compared.push(format!(
                "{what}: the server refused {operation} ({})",
                crate::error::cause::describe(&err)
            ));
            Ok(None)
        }
        Err(err) => Err(Error::sdk(table, operation, err)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CreateTableOptions, Encryption, StreamView, TableSchema};
    use aws_sdk_dynamodb::types::{
        AttributeDefinition, BillingModeSummary, GlobalSecondaryIndexDescription, Projection,
        ProvisionedThroughputDescription, ScalarAttributeType, SseDescription, StreamSpecification,
        StreamViewType, TableClassSummary,
    };

    fn element(name: &str, kind: KeyType) -> KeySchemaElement {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(kind)
            .build()
            .unwrap()
    }

    fn definition(name: &str, kind: ScalarAttributeType) -> AttributeDefinition {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(kind)
            .build()
            .unwrap()
    }

    fn throughput(read: i64, write: i64) -> ProvisionedThroughputDescription {
        ProvisionedThroughputDescription::builder()
            .read_capacity_units(read)
            .write_capacity_units(write)
            .build()
    }
    #[test]
    fn a_description_reads_as_the_state_its_model_asks_for() {
        let described = TableDescription::builder()
            .key_schema(element("pk", KeyType::Hash))
            .key_schema(element("sk", KeyType::Range))
            .attribute_definitions(definition("pk", ScalarAttributeType::S))
            .attribute_definitions(definition("sk", ScalarAttributeType::N))
            .attribute_definitions(definition("status", ScalarAttributeType::S))
            .billing_mode_summary(
                BillingModeSummary::builder()
                    .billing_mode(BillingMode::Provisioned)
                    .build(),
            )
            .provisioned_throughput(throughput(5, 4))
            .global_secondary_indexes(
                GlobalSecondaryIndexDescription::builder()
                    .index_name("by_status")
                    .key_schema(element("status", KeyType::Hash))
                    .projection(
                        Projection::builder()
                            .projection_type(ProjectionType::Include)
                            .non_key_attributes("total")
                            .non_key_attributes("coupon")
                            .build(),
                    )
                    .provisioned_throughput(throughput(2, 1))
                    .build(),
            )
            .stream_specification(
                StreamSpecification::builder()
                    .stream_enabled(true)
                    .stream_view_type(StreamViewType::NewImage)
                    .build()
                    .unwrap(),
            )
            .table_class_summary(
                TableClassSummary::builder()
                    .table_class(aws_sdk_dynamodb::types::TableClass::StandardInfrequentAccess)
                    .build(),
            )
            .sse_description(
                SseDescription::builder()
                    .status(SseStatus::Enabled)
                    .sse_type(SseType::Kms)
                    .kms_master_key_arn("arn:aws:kms:us-east-1:1:key/abcd")
                    .build(),
            )
            .deletion_protection_enabled(true)
            .build();
        let live = TableState::described(&described);

        let schema = TableSchema::builder("orders")
            .hash_key("pk", AttributeType::S)
            .range_key("sk", AttributeType::N)
            .global_index("by_status", |i| {
                i.hash_key("status", AttributeType::S)
                    .include(["total", "coupon"])
                    .capacity(2, 1)
            })
            .build()
            .unwrap();
        let options = CreateTableOptions::new()
            .provisioned(5, 4)
            .stream(StreamView::NewImage)
            .table_class(TableClass::StandardInfrequentAccess)
            .encryption(Encryption::CustomerManaged {
                kms_key_id: "abcd".into(),
            })
            .deletion_protection(true);
        let desired = TableState::desired(&schema, &options);
        let desired = TableState {
            ttl: None,
            tags: None,
            point_in_time_recovery: None,
            ..desired
        };
        assert!(live.matches(&desired), "{live:#?}\n{desired:#?}");
        assert_eq!(live.key_attributes().len(), 3);
    }

    #[test]
    fn an_on_demand_table_without_a_summary_and_its_maximum() {
        let described = TableDescription::builder()
            .provisioned_throughput(throughput(0, 0))
            .on_demand_throughput(
                OnDemandThroughput::builder()
                    .max_read_request_units(100)
                    .max_write_request_units(-1)
                    .build(),
            )
            .build();
        assert_eq!(
            TableState::described(&described).billing,
            Capacity::OnDemand {
                max: Some(Throughput::new(100, 0))
            }
        );
    }
}
