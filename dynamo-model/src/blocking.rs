//! The sync API (feature `blocking`): a `sync_` twin of every table operation,
//! for `fn main`, plain `#[test]`s and scripts.
//!
//! The twins run the async operation on one runtime kept for the whole
//! process, so pooled connections stay with the runtime that drives them.
//! Called from inside an async runtime, where blocking would stall the
//! runtime (or make tokio panic), they return
//! [`Error::BlockingInsideRuntime`] instead.
//!
//! ```
//! use dynamo_model::testing::LocalDynamoDb;
//! use dynamo_model::{CreateTableOptions, DynamoModel};
//!
//! #[derive(DynamoModel, serde::Serialize)]
//! struct User {
//!     #[hash_key]
//!     id: String,
//! }
//!
//! fn main() -> dynamo_model::Result<()> {
//!     let local = LocalDynamoDb::embedded()?;
//!     let db = local.db();
//!     db.sync_create_table::<User>(CreateTableOptions::new().wait(true))?;
//!     assert!(db.sync_table_exists::<User>()?);
//!     db.sync_delete_table::<User>()?;
//!     Ok(())
//! }
//! ```

use std::future::Future;
use std::sync::OnceLock;
use std::time::Duration;

use aws_sdk_dynamodb::types::TableDescription;

use crate::error::{Error, Result};
use crate::{CreateTableOptions, Db, DynamoModel, TableSchema, UpdateTableOptions};

/// Runs `operation` to completion on the process-wide runtime.
pub(crate) fn block_on<T>(
    operation: &'static str,
    table: &str,
    future: impl Future<Output = Result<T>>,
) -> Result<T> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(Error::BlockingInsideRuntime {
            table: table.to_owned(),
            operation,
        });
    }
    runtime(table)?.block_on(future)
}

fn runtime(table: &str) -> Result<&'static tokio::runtime::Runtime> {
    static RUNTIME: OnceLock<std::io::Result<tokio::runtime::Runtime>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .thread_name("dynamo-model-blocking")
                .enable_all()
                .build()
        })
        .as_ref()
        .map_err(|e| Error::Sdk {
            table: table.to_owned(),
            operation: "start the blocking runtime",
            message: e.to_string(),
            source: Box::new(std::io::Error::new(e.kind(), e.to_string())),
        })
}

fn model_table<M: DynamoModel>() -> &'static str {
    M::schema().table_name()
}

impl Db {
    /// [`Db::from_env`] for sync code.
    ///
    /// ```no_run
    /// let db = dynamo_model::Db::sync_from_env()?;
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn sync_from_env() -> Result<Db> {
        block_on("sync_from_env", "(none)", async {
            Ok(Db::from_env().await)
        })
    }

    /// [`Db::create_table`] for sync code.
    ///
    /// ```no_run
    /// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// let db = Db::local("http://127.0.0.1:8000");
    /// db.sync_create_table::<User>(CreateTableOptions::new().wait(true))?;
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn sync_create_table<M: DynamoModel>(
        &self,
        options: CreateTableOptions,
    ) -> Result<TableDescription> {
        block_on(
            "sync_create_table",
            model_table::<M>(),
            self.create_table::<M>(options),
        )
    }

    /// [`Db::create_table_from_schema`] for sync code.
    ///
    /// ```
    /// use dynamo_model::{AttributeType::*, CreateTableOptions, TableSchema};
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// let db = local.db();
    /// let schema = TableSchema::builder("audit_log").hash_key("id", S).build()?;
    /// db.sync_create_table_from_schema(&schema, CreateTableOptions::new().wait(true))?;
    /// assert!(db.sync_table_exists_named("audit_log")?);
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn sync_create_table_from_schema(
        &self,
        schema: &TableSchema,
        options: CreateTableOptions,
    ) -> Result<TableDescription> {
        block_on(
            "sync_create_table_from_schema",
            schema.table_name(),
            self.create_table_from_schema(schema, options),
        )
    }

    /// [`Db::table_exists`] for sync code.
    ///
    /// ```no_run
    /// # use dynamo_model::{Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// let exists = Db::local("http://127.0.0.1:8000").sync_table_exists::<User>()?;
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn sync_table_exists<M: DynamoModel>(&self) -> Result<bool> {
        block_on(
            "sync_table_exists",
            model_table::<M>(),
            self.table_exists::<M>(),
        )
    }

    /// [`Db::table_exists_named`] for sync code.
    ///
    /// ```
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// assert!(!local.db().sync_table_exists_named("audit_log")?);
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn sync_table_exists_named(&self, name: &str) -> Result<bool> {
        block_on(
            "sync_table_exists_named",
            name,
            self.table_exists_named(name),
        )
    }

    /// [`Db::describe_table`] for sync code.
    ///
    /// ```
    /// # use dynamo_model::aws_sdk_dynamodb::types::TableStatus;
    /// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// let db = local.db();
    /// db.sync_create_table::<User>(CreateTableOptions::new().wait(true))?;
    /// let table = db.sync_describe_table::<User>()?;
    /// assert_eq!(table.table_status(), Some(&TableStatus::Active));
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn sync_describe_table<M: DynamoModel>(&self) -> Result<TableDescription> {
        block_on(
            "sync_describe_table",
            model_table::<M>(),
            self.describe_table::<M>(),
        )
    }

    /// [`Db::describe_table_named`] for sync code.
    ///
    /// ```
    /// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// let db = local.db().clone().with_table_prefix("ci_");
    /// db.sync_create_table::<User>(CreateTableOptions::new())?;
    /// let table = db.sync_describe_table_named("user")?;
    /// assert_eq!(table.table_name(), Some("ci_user"));
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn sync_describe_table_named(&self, name: &str) -> Result<TableDescription> {
        block_on(
            "sync_describe_table_named",
            name,
            self.describe_table_named(name),
        )
    }

    /// [`Db::wait_for_table_active`] for sync code.
    ///
    /// ```no_run
    /// # use std::time::Duration;
    /// # use dynamo_model::{Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// Db::local("http://127.0.0.1:8000").sync_wait_for_table_active::<User>(Duration::from_secs(30))?;
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn sync_wait_for_table_active<M: DynamoModel>(
        &self,
        timeout: Duration,
    ) -> Result<TableDescription> {
        block_on(
            "sync_wait_for_table_active",
            model_table::<M>(),
            self.wait_for_table_active::<M>(timeout),
        )
    }

    /// [`Db::wait_for_table_active_named`] for sync code.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// let db = local.db();
    /// db.sync_create_table::<User>(CreateTableOptions::new())?;
    /// db.sync_wait_for_table_active_named("user", Duration::from_secs(30))?;
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn sync_wait_for_table_active_named(
        &self,
        name: &str,
        timeout: Duration,
    ) -> Result<TableDescription> {
        block_on(
            "sync_wait_for_table_active_named",
            name,
            self.wait_for_table_active_named(name, timeout),
        )
    }

    /// [`Db::wait_for_table_deleted`] for sync code.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// let db = local.db();
    /// db.sync_create_table::<User>(CreateTableOptions::new().wait(true))?;
    /// db.sync_delete_table::<User>()?;
    /// db.sync_wait_for_table_deleted::<User>(Duration::from_secs(30))?;
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn sync_wait_for_table_deleted<M: DynamoModel>(&self, timeout: Duration) -> Result<()> {
        block_on(
            "sync_wait_for_table_deleted",
            model_table::<M>(),
            self.wait_for_table_deleted::<M>(timeout),
        )
    }

    /// [`Db::wait_for_table_deleted_named`] for sync code.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// let db = local.db();
    /// db.sync_create_table::<User>(CreateTableOptions::new().wait(true))?;
    /// db.sync_delete_table_named("user")?;
    /// db.sync_wait_for_table_deleted_named("user", Duration::from_secs(30))?;
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn sync_wait_for_table_deleted_named(&self, name: &str, timeout: Duration) -> Result<()> {
        block_on(
            "sync_wait_for_table_deleted_named",
            name,
            self.wait_for_table_deleted_named(name, timeout),
        )
    }

    /// [`Db::delete_table`] for sync code.
    ///
    /// ```no_run
    /// # use dynamo_model::{Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// Db::local("http://127.0.0.1:8000").sync_delete_table::<User>()?;
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn sync_delete_table<M: DynamoModel>(&self) -> Result<TableDescription> {
        block_on(
            "sync_delete_table",
            model_table::<M>(),
            self.delete_table::<M>(),
        )
    }

    /// [`Db::delete_table_named`] for sync code.
    ///
    /// ```
    /// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// let db = local.db();
    /// db.sync_create_table::<User>(CreateTableOptions::new().wait(true))?;
    /// db.sync_delete_table_named("user")?;
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn sync_delete_table_named(&self, name: &str) -> Result<TableDescription> {
        block_on(
            "sync_delete_table_named",
            name,
            self.delete_table_named(name),
        )
    }

    /// [`Db::delete_table_and_wait`] for sync code.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// let db = local.db();
    /// db.sync_create_table::<User>(CreateTableOptions::new())?;
    /// db.sync_delete_table_and_wait::<User>(Duration::from_secs(30))?;
    /// assert!(!db.sync_table_exists::<User>()?);
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn sync_delete_table_and_wait<M: DynamoModel>(&self, timeout: Duration) -> Result<()> {
        block_on(
            "sync_delete_table_and_wait",
            model_table::<M>(),
            self.delete_table_and_wait::<M>(timeout),
        )
    }

    /// [`Db::delete_table_and_wait_named`] for sync code.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// let db = local.db();
    /// db.sync_create_table::<User>(CreateTableOptions::new())?;
    /// db.sync_delete_table_and_wait_named("user", Duration::from_secs(30))?;
    /// assert!(!db.sync_table_exists_named("user")?);
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn sync_delete_table_and_wait_named(&self, name: &str, timeout: Duration) -> Result<()> {
        block_on(
            "sync_delete_table_and_wait_named",
            name,
            self.delete_table_and_wait_named(name, timeout),
        )
    }

    /// [`Db::list_tables`] for sync code.
    ///
    /// ```
    /// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// let db = local.db();
    /// db.sync_create_table::<User>(CreateTableOptions::new())?;
    /// assert_eq!(db.sync_list_tables(None)?, ["user"]);
    /// assert!(db.sync_list_tables(Some("ci_"))?.is_empty());
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn sync_list_tables(&self, prefix: Option<&str>) -> Result<Vec<String>> {
        block_on(
            "sync_list_tables",
            prefix.unwrap_or("(all tables)"),
            self.list_tables(prefix),
        )
    }

    /// [`Db::update_table`] for sync code.
    ///
    /// ```
    /// # use dynamo_model::UpdateTableOptions;
    /// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// let db = local.db();
    /// db.sync_create_table::<User>(CreateTableOptions::new().wait(true))?;
    /// let update = UpdateTableOptions::new().deletion_protection(true).wait(true);
    /// let table = db.sync_update_table::<User>(update)?;
    /// assert_eq!(table.deletion_protection_enabled(), Some(true));
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn sync_update_table<M: DynamoModel>(
        &self,
        options: UpdateTableOptions,
    ) -> Result<TableDescription> {
        block_on(
            "sync_update_table",
            model_table::<M>(),
            self.update_table::<M>(options),
        )
    }

    /// [`Db::update_table_named`] for sync code.
    ///
    /// ```
    /// # use dynamo_model::UpdateTableOptions;
    /// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// let db = local.db();
    /// db.sync_create_table::<User>(CreateTableOptions::new().wait(true))?;
    /// let table = db.sync_update_table_named("user", UpdateTableOptions::new().provisioned(5, 5).wait(true))?;
    /// assert_eq!(table.provisioned_throughput().and_then(|t| t.read_capacity_units()), Some(5));
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn sync_update_table_named(
        &self,
        name: &str,
        options: UpdateTableOptions,
    ) -> Result<TableDescription> {
        block_on(
            "sync_update_table_named",
            name,
            self.update_table_named(name, options),
        )
    }

    /// [`Db::add_replicas`] for sync code.
    ///
    /// ```no_run
    /// # use dynamo_model::{Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// let db = Db::sync_from_env()?;
    /// db.sync_add_replicas::<User>(&["eu-west-1", "ap-southeast-2"])?;
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn sync_add_replicas<M: DynamoModel>(&self, regions: &[&str]) -> Result<TableDescription> {
        block_on(
            "sync_add_replicas",
            model_table::<M>(),
            self.add_replicas::<M>(regions),
        )
    }
}
