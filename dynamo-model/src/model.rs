//! The `DynamoModel` trait: what the derive implements, and the model-level
//! table operations it brings.

use std::future::Future;
use std::time::Duration;

use aws_sdk_dynamodb::types::TableDescription;

use crate::error::Result;
use crate::{CreateTableOptions, Db, TableSchema};

/// A struct stored in a DynamoDB table. Implemented by
/// `#[derive(DynamoModel)]`, which writes only [`schema`](Self::schema). The
/// model-level table operations provided here are thin calls onto
/// [`Db::table`]'s handle, on [`Db::default_db`] unless the options name a
/// connection.
///
/// ```no_run
/// use dynamo_model::{CreateTableOptions, DynamoModel};
///
/// #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
/// #[dynamo(table = "users")]
/// struct User {
///     #[hash_key]
///     id: String,
///     #[range_key]
///     created: u64,
///     #[gsi(name = "by_email", hash_key)]
///     email: String,
/// }
///
/// # async fn run() -> dynamo_model::Result<()> {
/// User::create_table(CreateTableOptions::new().wait(true)).await?;
/// assert!(User::table_exists().await?);
/// User::delete_table().await?;
/// # Ok(()) }
/// ```
pub trait DynamoModel {
    /// The table this model is stored in.
    ///
    /// ```
    /// use dynamo_model::DynamoModel;
    ///
    /// #[derive(DynamoModel, serde::Serialize)]
    /// struct User {
    ///     #[hash_key]
    ///     id: String,
    ///     #[gsi(name = "by_email", hash_key)]
    ///     email: String,
    /// }
    /// let schema = User::schema();
    /// assert_eq!(schema.table_name(), "user");
    /// assert!(schema.has_index("by_email"));
    /// ```
    fn schema() -> &'static TableSchema;

    /// Creates the table on the options' connection, else the default one.
    /// See [`Table::create`](crate::Table::create).
    ///
    /// ```
    /// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// User::create_table(CreateTableOptions::new().db(local.db()).wait(true)).await?;
    /// assert!(local.db().table::<User>().exists().await?);
    /// # Ok(()) }
    /// ```
    fn create_table(
        options: CreateTableOptions,
    ) -> impl Future<Output = Result<TableDescription>> + Send
    where
        Self: Sized,
    {
        async move {
            let mut options = options;
            let db = match options.db.take() {
                Some(db) => db,
                None => Db::default_db().await,
            };
            db.table::<Self>().create(options).await
        }
    }

    /// Whether the table exists on the default connection. See [`Table::exists`](crate::Table::exists).
    ///
    /// ```
    /// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// Db::set_default(local.db().clone());
    /// assert!(!User::table_exists().await?);
    /// User::create_table(CreateTableOptions::new()).await?;
    /// assert!(User::table_exists().await?);
    /// # Ok(()) }
    /// ```
    fn table_exists() -> impl Future<Output = Result<bool>> + Send
    where
        Self: Sized,
    {
        async { Db::default_db().await.table::<Self>().exists().await }
    }

    /// Deletes the table on the default connection. See [`Table::delete`](crate::Table::delete).
    ///
    /// ```
    /// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// Db::set_default(local.db().clone());
    /// User::create_table(CreateTableOptions::new().wait(true)).await?;
    /// User::delete_table().await?;
    /// # Ok(()) }
    /// ```
    fn delete_table() -> impl Future<Output = Result<TableDescription>> + Send
    where
        Self: Sized,
    {
        async { Db::default_db().await.table::<Self>().delete().await }
    }

    /// DescribeTable on the default connection. See [`Table::describe`](crate::Table::describe).
    ///
    /// ```
    /// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// Db::set_default(local.db().clone());
    /// User::create_table(CreateTableOptions::new()).await?;
    /// let table = User::describe_table().await?;
    /// assert_eq!(table.table_name(), Some("user"));
    /// # Ok(()) }
    /// ```
    fn describe_table() -> impl Future<Output = Result<TableDescription>> + Send
    where
        Self: Sized,
    {
        async { Db::default_db().await.table::<Self>().describe().await }
    }

    /// Waits until the table and its GSIs are ACTIVE, on the default
    /// connection. See [`Table::wait_active`](crate::Table::wait_active).
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use dynamo_model::aws_sdk_dynamodb::types::TableStatus;
    /// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// Db::set_default(local.db().clone());
    /// User::create_table(CreateTableOptions::new()).await?; // does not wait
    /// let table = User::wait_for_table_active(Duration::from_secs(30)).await?;
    /// assert_eq!(table.table_status(), Some(&TableStatus::Active));
    /// # Ok(()) }
    /// ```
    fn wait_for_table_active(
        timeout: Duration,
    ) -> impl Future<Output = Result<TableDescription>> + Send
    where
        Self: Sized,
    {
        async move {
            Db::default_db()
                .await
                .table::<Self>()
                .wait_active(timeout)
                .await
        }
    }

    /// [`create_table`](Self::create_table) for sync code (feature `blocking`).
    ///
    /// ```no_run
    /// # use dynamo_model::{CreateTableOptions, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// User::sync_create_table(CreateTableOptions::new().wait(true))?;
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    #[cfg(feature = "blocking")]
    fn sync_create_table(options: CreateTableOptions) -> Result<TableDescription>
    where
        Self: Sized,
    {
        crate::blocking::Blocking::sync(Self::create_table(options))
    }

    /// [`table_exists`](Self::table_exists) for sync code (feature `blocking`).
    ///
    /// ```
    /// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// Db::set_default(local.db().clone());
    /// assert!(!User::sync_table_exists()?);
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    #[cfg(feature = "blocking")]
    fn sync_table_exists() -> Result<bool>
    where
        Self: Sized,
    {
        crate::blocking::Blocking::sync(Self::table_exists())
    }

    /// [`delete_table`](Self::delete_table) for sync code (feature `blocking`).
    ///
    /// ```
    /// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// Db::set_default(local.db().clone());
    /// User::sync_create_table(CreateTableOptions::new().wait(true))?;
    /// User::sync_delete_table()?;
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    #[cfg(feature = "blocking")]
    fn sync_delete_table() -> Result<TableDescription>
    where
        Self: Sized,
    {
        crate::blocking::Blocking::sync(Self::delete_table())
    }

    /// [`describe_table`](Self::describe_table) for sync code (feature `blocking`).
    ///
    /// ```
    /// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// Db::set_default(local.db().clone());
    /// User::sync_create_table(CreateTableOptions::new())?;
    /// assert_eq!(User::sync_describe_table()?.table_name(), Some("user"));
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    #[cfg(feature = "blocking")]
    fn sync_describe_table() -> Result<TableDescription>
    where
        Self: Sized,
    {
        crate::blocking::Blocking::sync(Self::describe_table())
    }

    /// [`wait_for_table_active`](Self::wait_for_table_active) for sync code
    /// (feature `blocking`).
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// Db::set_default(local.db().clone());
    /// User::sync_create_table(CreateTableOptions::new())?;
    /// User::sync_wait_for_table_active(Duration::from_secs(30))?;
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    #[cfg(feature = "blocking")]
    fn sync_wait_for_table_active(timeout: Duration) -> Result<TableDescription>
    where
        Self: Sized,
    {
        crate::blocking::Blocking::sync(Self::wait_for_table_active(timeout))
    }
}
