//! The table lifecycle on a [`Db`]: create, exists, describe, wait, delete.
//!
//! Every operation takes a [`TableSchema`] underneath, so derived models and
//! hand-built schemas share this one implementation.

use std::time::Duration;

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::operation::create_table::CreateTableError;
use aws_sdk_dynamodb::operation::delete_table::DeleteTableError;
use aws_sdk_dynamodb::operation::describe_table::DescribeTableError;
use aws_sdk_dynamodb::types::{TableDescription, TimeToLiveSpecification, TimeToLiveStatus};
use aws_sdk_dynamodb::Client;

use crate::error::{Error, Result};
use crate::options::CreateTableOptions;
use crate::{compare, replicas, request, validate, wait, Db, DynamoModel, TableSchema};

/// DescribeTable, with "not found" as [`Error::TableNotFound`].
pub(crate) async fn describe(client: &Client, table: &str) -> Result<TableDescription> {
    match client.describe_table().table_name(table).send().await {
        Ok(output) => output.table.ok_or_else(|| {
            Error::invalid(
                table,
                "response",
                "DescribeTable answered without a table description",
            )
        }),
        Err(err) => match err.as_service_error() {
            Some(DescribeTableError::ResourceNotFoundException(_)) => Err(Error::TableNotFound {
                table: table.to_owned(),
            }),
            _ => Err(Error::sdk(table, "DescribeTable", err)),
        },
    }
}

impl Db {
    /// Creates the model's table.
    ///
    /// Settings are checked first; a bad one is an [`Error::InvalidInput`]
    /// and nothing is sent. With `wait(true)` it returns once the table and
    /// every GSI are ACTIVE. A model with `#[ttl]` always waits for ACTIVE
    /// (TTL can only be turned on then) and then turns TTL on.
    ///
    /// ```no_run
    /// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// # async fn run() -> dynamo_model::Result<()> {
    /// let db = Db::local("http://127.0.0.1:8000");
    /// let table = db.create_table::<User>(CreateTableOptions::new().wait(true)).await?;
    /// println!("{:?}", table.table_status());
    /// # Ok(()) }
    /// ```
    pub async fn create_table<M: DynamoModel>(
        &self,
        options: CreateTableOptions,
    ) -> Result<TableDescription> {
        self.create_table_from_schema(M::schema(), options).await
    }

    /// [`create_table`](Self::create_table) for a schema without a model.
    ///
    /// ```
    /// use dynamo_model::{AttributeType::*, CreateTableOptions, TableSchema};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// let db = local.db();
    /// let schema = TableSchema::builder("audit_log").hash_key("id", S).range_key("at", N).build()?;
    /// db.create_table_from_schema(&schema, CreateTableOptions::new().wait(true)).await?;
    /// assert!(db.table_exists_named("audit_log").await?);
    /// # Ok(()) }
    /// ```
    pub async fn create_table_from_schema(
        &self,
        schema: &TableSchema,
        options: CreateTableOptions,
    ) -> Result<TableDescription> {
        let table = self.table_name(schema.table_name());
        // Derived schemas were checked by the compiler; this catches hand-built ones.
        schema.validate()?;
        if let Some(problem) = crate::schema_rules::name_problem(&table) {
            return Err(Error::invalid(
                &table,
                "table_prefix",
                format!(
                    "with this connection's prefix the table name {problem}; {}",
                    crate::schema_rules::NAME_RULE
                ),
            ));
        }
        validate::create_options(&table, schema, &options)?;
        let request = request::create_table(self.client(), &table, schema, &options)?;

        // Sending CreateTable and treating "already exists" as success is what
        // makes `if_not_exists` race-free: there is no check-then-create gap.
        let created = match request.send().await {
            Ok(output) => output.table_description,
            Err(err) => match err.as_service_error() {
                Some(CreateTableError::ResourceInUseException(_)) if options.if_not_exists => None,
                Some(CreateTableError::ResourceInUseException(_)) => {
                    return Err(Error::TableAlreadyExists { table });
                }
                _ => return Err(Error::sdk(&table, "CreateTable", err)),
            },
        };
        let existed = created.is_none();
        tracing::debug!(table, existed, "CreateTable sent");

        let ttl_attribute = schema.ttl_attribute().filter(|_| options.enable_ttl);
        let must_wait = options.wait || ttl_attribute.is_some() || !options.replicas.is_empty();
        let description = if must_wait {
            wait::until_active(self.client(), &table, options.wait_timeout).await?
        } else {
            match created {
                Some(description) => description,
                None => describe(self.client(), &table).await?,
            }
        };
        if existed {
            let differences = compare::differences(schema, &description);
            if !differences.is_empty() {
                return Err(Error::SchemaMismatch { table, differences });
            }
        }
        if let Some(attribute) = ttl_attribute {
            enable_ttl(self.client(), &table, attribute).await?;
        }
        if options.replicas.is_empty() {
            Ok(description)
        } else {
            replicas::add(
                self.client(),
                &table,
                &options.replicas,
                options.wait_timeout,
            )
            .await
        }
    }

    /// Whether the model's table exists. `Ok(false)` only when DynamoDB says
    /// it was not found; every other failure is an error.
    ///
    /// ```no_run
    /// # use dynamo_model::{Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// # async fn run() -> dynamo_model::Result<()> {
    /// let db = Db::local("http://127.0.0.1:8000");
    /// if !db.table_exists::<User>().await? { /* create it */ }
    /// # Ok(()) }
    /// ```
    pub async fn table_exists<M: DynamoModel>(&self) -> Result<bool> {
        self.table_exists_named(M::schema().table_name()).await
    }

    /// [`table_exists`](Self::table_exists) by table name (this connection's
    /// table prefix, if any, is added).
    ///
    /// ```no_run
    /// # async fn run() -> dynamo_model::Result<()> {
    /// let db = dynamo_model::Db::local("http://127.0.0.1:8000");
    /// if !db.table_exists_named("audit_log").await? { /* create it */ }
    /// # Ok(()) }
    /// ```
    pub async fn table_exists_named(&self, name: &str) -> Result<bool> {
        exists(self.client(), &self.table_name(name)).await
    }

    /// DescribeTable for the model's table.
    ///
    /// ```
    /// # use dynamo_model::aws_sdk_dynamodb::types::TableStatus;
    /// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// let db = local.db();
    /// db.create_table::<User>(CreateTableOptions::new().wait(true)).await?;
    /// let table = db.describe_table::<User>().await?;
    /// assert_eq!(table.table_status(), Some(&TableStatus::Active));
    /// # Ok(()) }
    /// ```
    pub async fn describe_table<M: DynamoModel>(&self) -> Result<TableDescription> {
        self.describe_table_named(M::schema().table_name()).await
    }

    /// DescribeTable by table name (this connection's prefix is added).
    ///
    /// ```no_run
    /// # async fn run() -> dynamo_model::Result<()> {
    /// let db = dynamo_model::Db::local("http://127.0.0.1:8000");
    /// let table = db.describe_table_named("audit_log").await?;
    /// println!("{:?} items", table.item_count());
    /// # Ok(()) }
    /// ```
    pub async fn describe_table_named(&self, name: &str) -> Result<TableDescription> {
        describe(self.client(), &self.table_name(name)).await
    }

    /// Waits until the model's table and all its GSIs are ACTIVE; polls at
    /// once, then after pauses of an eighth of the time waited, from 10 ms
    /// up to 1 s.
    ///
    /// ```no_run
    /// # use std::time::Duration;
    /// # use dynamo_model::{Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// # async fn run() -> dynamo_model::Result<()> {
    /// let db = Db::local("http://127.0.0.1:8000");
    /// db.wait_for_table_active::<User>(Duration::from_secs(30)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn wait_for_table_active<M: DynamoModel>(
        &self,
        timeout: Duration,
    ) -> Result<TableDescription> {
        self.wait_for_table_active_named(M::schema().table_name(), timeout)
            .await
    }

    /// [`wait_for_table_active`](Self::wait_for_table_active) by table name
    /// (this connection's prefix is added).
    ///
    /// ```no_run
    /// # use std::time::Duration;
    /// # async fn run() -> dynamo_model::Result<()> {
    /// let db = dynamo_model::Db::local("http://127.0.0.1:8000");
    /// db.wait_for_table_active_named("audit_log", Duration::from_secs(30)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn wait_for_table_active_named(
        &self,
        name: &str,
        timeout: Duration,
    ) -> Result<TableDescription> {
        let table = self.table_name(name);
        validate::wait_timeout(&table, timeout)?;
        wait::until_active(self.client(), &table, timeout).await
    }

    /// Waits until the model's table no longer exists.
    ///
    /// ```no_run
    /// # use std::time::Duration;
    /// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// # async fn run() -> dynamo_model::Result<()> {
    /// let db = dynamo_model::Db::local("http://127.0.0.1:8000");
    /// db.delete_table::<User>().await?;
    /// db.wait_for_table_deleted::<User>(Duration::from_secs(60)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn wait_for_table_deleted<M: DynamoModel>(&self, timeout: Duration) -> Result<()> {
        self.wait_for_table_deleted_named(M::schema().table_name(), timeout)
            .await
    }

    /// [`wait_for_table_deleted`](Self::wait_for_table_deleted) by table name.
    ///
    /// ```no_run
    /// # use std::time::Duration;
    /// # async fn run() -> dynamo_model::Result<()> {
    /// let db = dynamo_model::Db::local("http://127.0.0.1:8000");
    /// db.delete_table_named("audit_log").await?;
    /// db.wait_for_table_deleted_named("audit_log", Duration::from_secs(60)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn wait_for_table_deleted_named(&self, name: &str, timeout: Duration) -> Result<()> {
        let table = self.table_name(name);
        validate::wait_timeout(&table, timeout)?;
        wait::until_deleted(self.client(), &table, timeout).await
    }

    /// Deletes the model's table (and every item in it). A missing table is
    /// [`Error::TableNotFound`]; a table with deletion protection on is
    /// [`Error::DeletionProtected`] and stays as it is.
    ///
    /// ```no_run
    /// # use dynamo_model::{Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// # async fn run() -> dynamo_model::Result<()> {
    /// Db::local("http://127.0.0.1:8000").delete_table::<User>().await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete_table<M: DynamoModel>(&self) -> Result<TableDescription> {
        self.delete_table_named(M::schema().table_name()).await
    }

    /// [`delete_table`](Self::delete_table) by table name (this connection's
    /// prefix is added).
    ///
    /// ```no_run
    /// # async fn run() -> dynamo_model::Result<()> {
    /// let db = dynamo_model::Db::local("http://127.0.0.1:8000");
    /// let table = db.delete_table_named("audit_log").await?;
    /// println!("{:?}", table.table_status()); // DELETING
    /// # Ok(()) }
    /// ```
    pub async fn delete_table_named(&self, name: &str) -> Result<TableDescription> {
        delete(self.client(), &self.table_name(name)).await
    }

    /// Deletes the model's table and waits until it is gone.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// let db = local.db();
    /// db.create_table::<User>(CreateTableOptions::new()).await?;
    /// db.delete_table_and_wait::<User>(Duration::from_secs(30)).await?;
    /// assert!(!db.table_exists::<User>().await?);
    /// # Ok(()) }
    /// ```
    pub async fn delete_table_and_wait<M: DynamoModel>(&self, timeout: Duration) -> Result<()> {
        self.delete_table_and_wait_named(M::schema().table_name(), timeout)
            .await
    }

    /// [`delete_table_and_wait`](Self::delete_table_and_wait) by table name.
    ///
    /// ```no_run
    /// # use std::time::Duration;
    /// # async fn run() -> dynamo_model::Result<()> {
    /// let db = dynamo_model::Db::local("http://127.0.0.1:8000");
    /// db.delete_table_and_wait_named("audit_log", Duration::from_secs(60)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete_table_and_wait_named(&self, name: &str, timeout: Duration) -> Result<()> {
        let table = self.table_name(name);
        validate::wait_timeout(&table, timeout)?;
        delete_when_settled(self.client(), &table, timeout).await?;
        wait::until_deleted(self.client(), &table, timeout).await
    }

    /// Every table name on this endpoint, all ListTables pages followed;
    /// with `prefix`, only the names that start with it.
    ///
    /// ```no_run
    /// # async fn run() -> dynamo_model::Result<()> {
    /// let db = dynamo_model::Db::local("http://127.0.0.1:8000");
    /// let test_tables = db.list_tables(Some("test_")).await?;
    /// # Ok(()) }
    /// ```
    pub async fn list_tables(&self, prefix: Option<&str>) -> Result<Vec<String>> {
        let mut names = Vec::new();
        let mut start: Option<String> = None;
        loop {
            let page = self
                .client()
                .list_tables()
                .set_exclusive_start_table_name(start.take())
                .send()
                .await
                .map_err(|e| Error::sdk(prefix.unwrap_or("(all tables)"), "ListTables", e))?;
            names.extend(
                page.table_names()
                    .iter()
                    .filter(|name| prefix.is_none_or(|p| name.starts_with(p)))
                    .cloned(),
            );
            match page.last_evaluated_table_name() {
                Some(last) => start = Some(last.to_owned()),
                None => return Ok(names),
            }
        }
    }
}

pub(crate) async fn exists(client: &Client, table: &str) -> Result<bool> {
    match describe(client, table).await {
        Ok(_) => Ok(true),
        Err(Error::TableNotFound { .. }) => Ok(false),
        Err(other) => Err(other),
    }
}

pub(crate) async fn delete(client: &Client, table: &str) -> Result<TableDescription> {
    deleted(table, client.delete_table().table_name(table).send().await)
}

type DeleteOutcome = std::result::Result<
    aws_sdk_dynamodb::operation::delete_table::DeleteTableOutput,
    aws_sdk_dynamodb::error::SdkError<
        DeleteTableError,
        aws_sdk_dynamodb::config::http::HttpResponse,
    >,
>;

/// DeleteTable's answer in this crate's terms.
fn deleted(table: &str, outcome: DeleteOutcome) -> Result<TableDescription> {
    match outcome {
        Ok(output) => Ok(output
            .table_description
            .unwrap_or_else(|| TableDescription::builder().table_name(table).build())),
        Err(err) => match err.as_service_error() {
            Some(DeleteTableError::ResourceNotFoundException(_)) => Err(Error::TableNotFound {
                table: table.to_owned(),
            }),
            // DynamoDB says so in a ValidationException, which the SDK does
            // not model; its message is the only thing that tells.
            Some(service) if is_deletion_protection_refusal(service.message()) => {
                Err(Error::DeletionProtected {
                    table: table.to_owned(),
                })
            }
            _ => Err(Error::sdk(table, "DeleteTable", err)),
        },
    }
}

fn is_deletion_protection_refusal(message: Option<&str>) -> bool {
    message.is_some_and(|m| {
        let m = m.to_ascii_lowercase();
        // DynamoDB and dynoxide: "...protected against deletion. Disable
        // deletion protection first."; moto: "...can't be deleted while
        // DeletionProtectionEnabled is set to True".
        m.contains("protected against deletion")
            || m.contains("deletion protection")
            || m.contains("deletionprotectionenabled")
    })
}

/// Deletes `table`, first waiting for it to be ACTIVE when DynamoDB refuses
/// because it is still being created or updated (`ResourceInUseException`),
/// as happens to a table deleted right after CreateTable.
pub(crate) async fn delete_when_settled(
    client: &Client,
    table: &str,
    timeout: Duration,
) -> Result<TableDescription> {
    match client.delete_table().table_name(table).send().await {
        Err(err)
            if matches!(
                err.as_service_error(),
                Some(DeleteTableError::ResourceInUseException(_))
            ) =>
        {
            wait::until_active(client, table, timeout).await?;
            delete(client, table).await
        }
        outcome => deleted(table, outcome),
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
