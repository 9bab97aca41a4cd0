//! CreateTable from a schema and [`CreateTableOptions`], then what DynamoDB
//! only accepts once the table is ACTIVE: TTL and replicas.

use aws_sdk_dynamodb::operation::create_table::CreateTableError;
use aws_sdk_dynamodb::types::{TableDescription, TableStatus};

use super::describe::describe;
use super::options::CreateTableOptions;
use super::{backups, replicas, request, ttl, validate, wait, Table};
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
    /// ACTIVE (TTL can only be turned on then) and then turns TTL on; so does
    /// [`point_in_time_recovery`](CreateTableOptions::point_in_time_recovery). A
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
        let ttl = self.schema().and_then(|s| s.ttl_attribute());
        let waits = must_wait(&options, ttl) && options.replicas.is_empty();
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
        let schema = self.schema_to("create the table from")?;
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
        let must_wait = must_wait(&options, ttl_attribute);
        let started = tokio::time::Instant::now();
        // Both waits (for an earlier table's deletion, then for ACTIVE) are
        // one wait to the caller, timed from the start.
        let report = |status: &str| {
            if let Some(on_wait) = &options.on_wait {
                (on_wait.0)(status, started.elapsed());
            }
        };

        // Sending CreateTable and treating "already exists" as success is what
        // makes `if_not_exists` race-free: there is no check-then-create gap.
        // `Duration::MAX` waits for ever: the deadline saturates.
        let deadline = wait::deadline(started, options.wait_timeout);
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
            wait::until_deleted_reporting(client, table, left.max(wait::MIN_DELAY), |status, _| {
                report(&format!("{status} (an earlier table of this name)"))
            })
            .await?;
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
            wait::until_reporting(
                client,
                table,
                left.max(wait::MIN_DELAY),
                "ACTIVE",
                wait::is_ready,
                |status, _| report(status),
            )
            .await?
        } else {
            match created {
                Some(description) => description,
                None => describe(client, table).await?,
            }
        };
        if existed {
            let differences = crate::plan::shape_differences(schema, &description);
            if !differences.is_empty() {
                return Err(Error::SchemaMismatch {
                    table: table.to_owned(),
                    differences,
                });
            }
        }
        if let Some(attribute) = ttl_attribute {
            ttl::enable(client, table, attribute).await?;
        }
        if options.point_in_time_recovery {
            backups::set_point_in_time_recovery(client, table, true).await?;
        }
        if options.replicas.is_empty() {
            Ok(description)
        } else {
            replicas::add(client, table, &options.replicas, options.wait_timeout).await
        }
    }
}

/// Whether a create waits for ACTIVE: when asked to, or to make a setting
/// DynamoDB takes only then (TTL on `ttl_attribute`, PITR, replicas).
fn must_wait(options: &CreateTableOptions, ttl_attribute: Option<&str>) -> bool {
    options.wait
        || (options.enable_ttl && ttl_attribute.is_some())
        || options.point_in_time_recovery
        || !options.replicas.is_empty()
}
