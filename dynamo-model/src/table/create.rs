//! CreateTable from a schema and [`CreateTableOptions`], then what DynamoDB
//! only accepts once the table is ACTIVE: TTL and replicas.

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::operation::create_table::CreateTableError;
use aws_sdk_dynamodb::types::{TableDescription, TimeToLiveSpecification, TimeToLiveStatus};
use aws_sdk_dynamodb::Client;

use super::describe::describe;
use super::options::CreateTableOptions;
use super::{compare, replicas, request, validate, wait, Table};
use crate::error::{Error, Result};

impl<M> Table<M> {
    /// Creates the table from its schema.
    ///
    /// Settings are checked first; a bad one is an [`Error::InvalidInput`]
    /// and nothing is sent. With `wait(true)` it returns once the table and
    /// every GSI are ACTIVE. A schema with a TTL attribute always waits for
    /// ACTIVE (TTL can only be turned on then) and then turns TTL on. A
    /// handle made by name has no schema to create from and is refused.
    ///
    /// [`CreateTableOptions::db`] chooses the connection of a model-level
    /// call (`User::create_table`); the handle already has its connection,
    /// so options that name one are refused rather than ignored.
    ///
    /// ```
    /// # use dynamo_model::aws_sdk_dynamodb::types::TableStatus;
    /// # use dynamo_model::{AttributeType::*, CreateTableOptions, DynamoModel, TableSchema};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// let db = local.db();
    /// let table = db.table::<User>().create(CreateTableOptions::new().wait(true)).await?;
    /// assert_eq!(table.table_status(), Some(&TableStatus::Active));
    ///
    /// let schema = TableSchema::builder("audit_log").hash_key("id", S).range_key("at", N).build()?;
    /// db.table_for_schema(&schema).create(CreateTableOptions::new().wait(true)).await?;
    /// assert!(db.table_named("audit_log").exists().await?);
    /// # Ok(()) }
    /// ```
    pub async fn create(&self, options: CreateTableOptions) -> Result<TableDescription> {
        let table = self.name();
        let Some(schema) = self.schema() else {
            return Err(Error::invalid(
                table,
                "schema",
                "a handle made by table name has no schema to create the table from; \
                 make it with `Db::table::<Model>()` or `Db::table_for_schema`",
            ));
        };
        if options.db.is_some() {
            return Err(Error::invalid(
                table,
                "db",
                "`CreateTableOptions::db` picks the connection of a model-level call; this \
                 handle already has its connection (make the handle from that `Db` instead)",
            ));
        }
        // Derived schemas were checked by the compiler; this catches hand-built ones.
        schema.validate()?;
        if let Some(problem) = crate::schema::rules::name_problem(table) {
            return Err(Error::invalid(
                table,
                "table_prefix",
                format!(
                    "with this connection's prefix the table name {problem}; {}",
                    crate::schema::rules::NAME_RULE
                ),
            ));
        }
        validate::create_options(table, schema, &options)?;
        let request = request::create_table(self.client(), table, schema, &options)?;

        // Sending CreateTable and treating "already exists" as success is what
        // makes `if_not_exists` race-free: there is no check-then-create gap.
        let created = match request.send().await {
            Ok(output) => output.table_description,
            Err(err) => match err.as_service_error() {
                Some(CreateTableError::ResourceInUseException(_)) if options.if_not_exists => None,
                Some(CreateTableError::ResourceInUseException(_)) => {
                    return Err(Error::TableAlreadyExists {
                        table: table.to_owned(),
                    });
                }
                _ => return Err(Error::sdk(table, "CreateTable", err)),
            },
        };
        let existed = created.is_none();
        tracing::debug!(table, existed, "CreateTable sent");

        let ttl_attribute = schema.ttl_attribute().filter(|_| options.enable_ttl);
        let must_wait = options.wait || ttl_attribute.is_some() || !options.replicas.is_empty();
        let description = if must_wait {
            wait::until_active(self.client(), table, options.wait_timeout).await?
        } else {
            match created {
                Some(description) => description,
                None => describe(self.client(), table).await?,
            }
        };
        if existed {
            let differences = compare::differences(schema, &description);
            if !differences.is_empty() {
                return Err(Error::SchemaMismatch {
                    table: table.to_owned(),
                    differences,
                });
            }
        }
        if let Some(attribute) = ttl_attribute {
            enable_ttl(self.client(), table, attribute).await?;
        }
        if options.replicas.is_empty() {
            Ok(description)
        } else {
            replicas::add(
                self.client(),
                table,
                &options.replicas,
                options.wait_timeout,
            )
            .await
        }
    }
}

/// Turns TTL on for `attribute`, unless it already is (DynamoDB refuses to
/// enable TTL twice, which an `if_not_exists` create would otherwise hit).
async fn enable_ttl(client: &Client, table: &str, attribute: &str) -> Result<()> {
    let ttl_failed = |err: aws_sdk_dynamodb::Error| Error::TtlNotEnabled {
        table: table.to_owned(),
        attribute: attribute.to_owned(),
        message: match (err.code(), err.message()) {
            (Some(code), Some(message)) => format!("{code}: {message}"),
            _ => aws_sdk_dynamodb::error::DisplayErrorContext(&err).to_string(),
        },
        source: Box::new(err),
    };
    let current = client
        .describe_time_to_live()
        .table_name(table)
        .send()
        .await
        .map_err(|e| ttl_failed(e.into()))?;
    if let Some(ttl) = current.time_to_live_description() {
        let on = matches!(
            ttl.time_to_live_status(),
            Some(TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling)
        );
        if on && ttl.attribute_name() == Some(attribute) {
            return Ok(());
        }
    }
    let specification = TimeToLiveSpecification::builder()
        .enabled(true)
        .attribute_name(attribute)
        .build()
        .map_err(|e| Error::invalid(table, "ttl", e.to_string()))?;
    client
        .update_time_to_live()
        .table_name(table)
        .time_to_live_specification(specification)
        .send()
        .await
        .map_err(|e| ttl_failed(e.into()))?;
    Ok(())
}
