//! CreateTable from a schema and [`CreateTableOptions`], then what DynamoDB
//! only accepts once the table is ACTIVE: TTL and replicas.

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::operation::create_table::CreateTableError;
use aws_sdk_dynamodb::types::{
    TableDescription, TableStatus, TimeToLiveSpecification, TimeToLiveStatus,
};
use aws_sdk_dynamodb::Client;

use super::describe::describe;
use super::options::CreateTableOptions;
use super::{compare, replicas, request, validate, wait, Table};
use crate::error::{Error, Result};

impl<M> Table<M> {
    /// Creates the table from its schema.
    ///
    /// Settings are checked first; a bad one is an [`Error::InvalidInput`]
    /// and nothing is sent. A table of this name that is still being
    /// deleted is waited for until gone and then created again when the
    /// create waits (all within `wait_timeout`); without a wait it is
    /// [`Error::TableBeingDeleted`], never success. With `wait(true)` it returns once the table and
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
        // Replicas wait once per region, each up to `wait_timeout`: those
        // creates are bounded by their waits alone.
        let waits = (options.wait
            || (options.enable_ttl && self.schema().is_some_and(|s| s.ttl_attribute().is_some())))
            && options.replicas.is_empty();
        match self.client() {
            Ok(client) if waits => {
                let timeout = options.wait_timeout;
                wait::bounded(
                    client,
                    self.name(),
                    "ACTIVE",
                    timeout,
                    self.create_now(options),
                )
                .await
            }
            _ => self.create_now(options).await,
        }
    }

    async fn create_now(&self, options: CreateTableOptions) -> Result<TableDescription> {
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
        let client = self.client()?;
        if !options.replicas.is_empty() {
            // Checked here, not after CreateTable: a bad region must not
            // leave a table behind.
            let own_region = client.config().region().map(|r| r.as_ref());
            replicas::validate_regions(table, &options.replicas, own_region)?;
        }
        let ttl_attribute = schema.ttl_attribute().filter(|_| options.enable_ttl);
        let must_wait = options.wait || ttl_attribute.is_some() || !options.replicas.is_empty();
        let started = tokio::time::Instant::now();

        // Sending CreateTable and treating "already exists" as success is what
        // makes `if_not_exists` race-free: there is no check-then-create gap.
        let deadline = started + options.wait_timeout;
        let mut waited_for_deletion = false;
        let mut retried_unwaited = false;
        let created = loop {
            let request = request::create_table(client, table, schema, &options)?;
            let err = match request.send().await {
                Ok(output) => break output.table_description,
                Err(err) => err,
            };
            if !matches!(
                err.as_service_error(),
                Some(CreateTableError::ResourceInUseException(_))
            ) {
                return Err(Error::sdk(table, "CreateTable", err));
            }
            // "In use" is also what a table still being deleted answers:
            // never report it as existing, it is about to vanish.
            let deleting = match describe(client, table).await {
                Ok(existing) => existing.table_status() == Some(&TableStatus::Deleting),
                // Gone since (its deletion finished, or DescribeTable lags
                // behind on an eventually consistent endpoint): try again.
                Err(Error::TableNotFound { .. }) => {
                    if must_wait && tokio::time::Instant::now() < deadline {
                        tokio::time::sleep(wait::MIN_DELAY).await;
                        waited_for_deletion = true;
                        continue;
                    }
                    if !must_wait && !retried_unwaited {
                        retried_unwaited = true;
                        continue;
                    }
                    true
                }
                Err(other) => return Err(other),
            };
            if !deleting {
                if options.if_not_exists {
                    break None;
                }
                return Err(Error::TableAlreadyExists {
                    table: table.to_owned(),
                });
            }
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            if !must_wait || left.is_zero() {
                return Err(Error::TableBeingDeleted {
                    table: table.to_owned(),
                });
            }
            wait::until_deleted(client, table, left.max(wait::MIN_DELAY)).await?;
            waited_for_deletion = true;
        };
        let existed = created.is_none();
        tracing::debug!(table, existed, "CreateTable sent");

        // The wait gets its whole timeout, unless part of it went on waiting
        // for an old table's deletion.
        let left = if waited_for_deletion {
            options.wait_timeout.saturating_sub(started.elapsed())
        } else {
            options.wait_timeout
        };
        let description = if must_wait {
            wait::until_active(client, table, left.max(wait::MIN_DELAY)).await?
        } else {
            match created {
                Some(description) => description,
                None => describe(client, table).await?,
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
            enable_ttl(client, table, attribute).await?;
        }
        if options.replicas.is_empty() {
            Ok(description)
        } else {
            replicas::add(client, table, &options.replicas, options.wait_timeout).await
        }
    }
}

/// Turns TTL on for `attribute`, unless it already is. DynamoDB refuses to
/// enable TTL twice, which concurrent `if_not_exists` creates of one table
/// race into: a refusal because it is already on is success when it is on
/// for the model's attribute. TTL on another attribute is a mismatch.
async fn enable_ttl(client: &Client, table: &str, attribute: &str) -> Result<()> {
    let mismatch = |other: String| Error::SchemaMismatch {
        table: table.to_owned(),
        differences: vec![format!(
            "TTL is on for attribute `{other}`, but the model's #[ttl] attribute is `{attribute}`"
        )],
    };
    match ttl_state(client, table, attribute).await? {
        TtlState::On => return Ok(()),
        TtlState::OnOther(other) => return Err(mismatch(other)),
        TtlState::Off => {}
    }
    let specification = TimeToLiveSpecification::builder()
        .enabled(true)
        .attribute_name(attribute)
        .build()
        .map_err(|e| Error::invalid(table, "ttl", e.to_string()))?;
    let outcome = client
        .update_time_to_live()
        .table_name(table)
        .time_to_live_specification(specification)
        .send()
        .await;
    let Err(err) = outcome else {
        return Ok(());
    };
    let already = err
        .as_service_error()
        .and_then(|e| e.message())
        .is_some_and(|m| m.to_ascii_lowercase().contains("already enabled"));
    if !already {
        return Err(ttl_failed(table, attribute, err));
    }
    // Another create turned it on between our DescribeTimeToLive and
    // UpdateTimeToLive: look again, and judge what is there.
    match ttl_state(client, table, attribute).await? {
        TtlState::On => Ok(()),
        TtlState::OnOther(other) => Err(mismatch(other)),
        TtlState::Off => Err(ttl_failed(table, attribute, err)),
    }
}

fn ttl_failed<E>(
    table: &str,
    attribute: &str,
    err: aws_sdk_dynamodb::error::SdkError<E, aws_sdk_dynamodb::config::http::HttpResponse>,
) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    Error::TtlNotEnabled {
        table: table.to_owned(),
        attribute: attribute.to_owned(),
        message: crate::error::cause::describe(&err),
        source: Box::new(err),
    }
}

/// What DescribeTimeToLive says about the model's TTL attribute.
enum TtlState {
    Off,
    /// On, or turning on, for the model's attribute.
    On,
    /// On, or turning on, for this other attribute.
    OnOther(String),
}

async fn ttl_state(client: &Client, table: &str, attribute: &str) -> Result<TtlState> {
    let current = client
        .describe_time_to_live()
        .table_name(table)
        .send()
        .await
        .map_err(|e| ttl_failed(table, attribute, e))?;
    let Some(ttl) = current.time_to_live_description() else {
        return Ok(TtlState::Off);
    };
    let on = matches!(
        ttl.time_to_live_status(),
        Some(TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling)
    );
    Ok(match ttl.attribute_name() {
        _ if !on => TtlState::Off,
        Some(name) if name == attribute => TtlState::On,
        Some(other) => TtlState::OnOther(other.to_owned()),
        None => TtlState::Off,
    })
}
