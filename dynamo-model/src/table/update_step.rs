//! One UpdateTable request: the kinds of change DynamoDB takes one at a
//! time ([`Step`]) and sending one. `update_table` and a plan's `apply` both
//! send their changes through here.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, CreateGlobalSecondaryIndexAction,
    DeleteGlobalSecondaryIndexAction, GlobalSecondaryIndexUpdate, KeySchemaElement, KeyType,
    StreamSpecification, TableDescription, UpdateGlobalSecondaryIndexAction,
};
use aws_sdk_dynamodb::Client;

use super::options::{Encryption, StreamView, TableClass};
use super::request::{
    on_demand_throughput, projection, provisioned_throughput, scalar_type, sse_specification,
    stream_view, table_class,
};
use crate::error::{Error, Result};
use crate::{AttributeType, Projection, Throughput};

/// One UpdateTable request's worth of change.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Step {
    Throughput {
        billing: Option<BillingMode>,
        table: Option<Throughput>,
        indexes: Vec<(String, Throughput)>,
    },
    /// An on-demand table's (or GSI's) maximum request units; `None` lifts it.
    OnDemandMaximum {
        index: Option<String>,
        max: Option<Throughput>,
    },
    Stream(Option<StreamView>),
    DeletionProtection(bool),
    CreateIndex(NewIndex),
    DeleteIndex(String),
    TableClass(TableClass),
    Encryption(Encryption),
}

/// A GSI to create, with the definitions of every key attribute the table
/// has once it exists: moto replaces the table's definitions with the ones
/// sent, and DynamoDB refuses definitions no key uses.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NewIndex {
    pub(crate) name: String,
    pub(crate) hash: Vec<String>,
    pub(crate) range: Vec<String>,
    pub(crate) projection: Projection,
    pub(crate) capacity: Option<Throughput>,
    pub(crate) max_on_demand: Option<Throughput>,
    pub(crate) definitions: Vec<(String, AttributeType)>,
}

/// A maximum of request units; -1 is DynamoDB's "no maximum".
fn maximum(max: Option<Throughput>) -> aws_sdk_dynamodb::types::OnDemandThroughput {
    match max {
        Some(max) => on_demand_throughput(max),
        None => aws_sdk_dynamodb::types::OnDemandThroughput::builder()
            .max_read_request_units(-1)
            .max_write_request_units(-1)
            .build(),
    }
}

pub(crate) async fn send(client: &Client, table: &str, step: Step) -> Result<TableDescription> {
    let built =
        |e: aws_sdk_dynamodb::error::BuildError| Error::invalid(table, "update", e.to_string());
    let mut request = client.update_table().table_name(table);
    match step {
        Step::Throughput {
            billing,
            table: capacity,
            indexes,
        } => {
            request = request.set_billing_mode(billing);
            if let Some(capacity) = capacity {
                request = request
                    .provisioned_throughput(provisioned_throughput(capacity).map_err(built)?);
            }
            for (name, capacity) in indexes {
                let update = UpdateGlobalSecondaryIndexAction::builder()
                    .index_name(name)
                    .provisioned_throughput(provisioned_throughput(capacity).map_err(built)?)
                    .build()
                    .map_err(built)?;
                request = request.global_secondary_index_updates(
                    GlobalSecondaryIndexUpdate::builder().update(update).build(),
                );
            }
        }
        Step::Stream(view) => {
            let spec = StreamSpecification::builder()
                .stream_enabled(view.is_some())
                .set_stream_view_type(view.map(stream_view))
                .build()
                .map_err(built)?;
            request = request.stream_specification(spec);
        }
        Step::DeletionProtection(enabled) => request = request.deletion_protection_enabled(enabled),
        Step::OnDemandMaximum { index: None, max } => {
            request = request.on_demand_throughput(maximum(max));
        }
        Step::OnDemandMaximum {
            index: Some(name),
            max,
        } => {
            let update = UpdateGlobalSecondaryIndexAction::builder()
                .index_name(name)
                .on_demand_throughput(maximum(max))
                .build()
                .map_err(built)?;
            request = request.global_secondary_index_updates(
                GlobalSecondaryIndexUpdate::builder().update(update).build(),
            );
        }
        Step::CreateIndex(index) => {
            for (name, kind) in &index.definitions {
                request = request.attribute_definitions(
                    AttributeDefinition::builder()
                        .attribute_name(name)
                        .attribute_type(scalar_type(*kind))
                        .build()
                        .map_err(built)?,
                );
            }
            let element = |name: &String, kind: KeyType| {
                KeySchemaElement::builder()
                    .attribute_name(name)
                    .key_type(kind)
                    .build()
            };
            let mut create = CreateGlobalSecondaryIndexAction::builder()
                .index_name(&index.name)
                .projection(projection(&index.projection));
            for name in &index.hash {
                create = create.key_schema(element(name, KeyType::Hash).map_err(built)?);
            }
            for name in &index.range {
                create = create.key_schema(element(name, KeyType::Range).map_err(built)?);
            }
            if let Some(capacity) = index.capacity {
                create =
                    create.provisioned_throughput(provisioned_throughput(capacity).map_err(built)?);
            }
            if let Some(max) = index.max_on_demand {
                create = create.on_demand_throughput(on_demand_throughput(max));
            }
            request = request.global_secondary_index_updates(
                GlobalSecondaryIndexUpdate::builder()
                    .create(create.build().map_err(built)?)
                    .build(),
            );
        }
        Step::DeleteIndex(name) => {
            let delete = DeleteGlobalSecondaryIndexAction::builder()
                .index_name(name)
                .build()
                .map_err(built)?;
            request = request.global_secondary_index_updates(
                GlobalSecondaryIndexUpdate::builder().delete(delete).build(),
            );
        }
        Step::TableClass(class) => request = request.table_class(table_class(class)),
        Step::Encryption(encryption) => {
            // Going back to the AWS owned key is SSE "disabled".
            let spec = sse_specification(&encryption).unwrap_or_else(|| {
                aws_sdk_dynamodb::types::SseSpecification::builder()
                    .enabled(false)
                    .build()
            });
            request = request.sse_specification(spec);
        }
    }
    match request.send().await {
        Ok(output) => output.table_description.ok_or_else(|| {
            Error::invalid(
                table,
                "response",
                "UpdateTable answered without a table description",
            )
        }),
        Err(err) => match err.as_service_error() {
            Some(e) if e.is_resource_not_found_exception() => Err(Error::TableNotFound {
                table: table.to_owned(),
            }),
            _ => Err(Error::sdk(table, "UpdateTable", err)),
        },
    }
}
