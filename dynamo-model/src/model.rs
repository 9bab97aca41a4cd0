//! The `DynamoModel` trait: what the derive implements, and the model-level
//! table operations it brings.

use std::future::Future;
use std::time::Duration;

use aws_sdk_dynamodb::types::TableDescription;

use crate::error::Result;
use crate::{CreateTableOptions, Db, TableSchema};

/// A struct stored in a DynamoDB table. Implemented by
/// `#[derive(DynamoModel)]`, which writes only [`schema`](Self::schema); the
/// table operations are provided here and run on [`Db::default_db`] unless
/// the options name a connection.
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
    fn schema() -> &'static TableSchema;

    /// Creates the table on the options' connection, else the default one.
    /// See [`Db::create_table`].
    fn create_table(
        options: CreateTableOptions,
    ) -> impl Future<Output = Result<TableDescription>> + Send
    where
        Self: Sized,
    {
        async move {
            let db = match &options.db {
                Some(db) => db.clone(),
                None => Db::default_db().await,
            };
            db.create_table::<Self>(options).await
        }
    }

    /// Whether the table exists on the default connection. See [`Db::table_exists`].
    fn table_exists() -> impl Future<Output = Result<bool>> + Send
    where
        Self: Sized,
    {
        async { Db::default_db().await.table_exists::<Self>().await }
    }

    /// Deletes the table on the default connection. See [`Db::delete_table`].
    fn delete_table() -> impl Future<Output = Result<TableDescription>> + Send
    where
        Self: Sized,
    {
        async { Db::default_db().await.delete_table::<Self>().await }
    }

    /// DescribeTable on the default connection. See [`Db::describe_table`].
    fn describe_table() -> impl Future<Output = Result<TableDescription>> + Send
    where
        Self: Sized,
    {
        async { Db::default_db().await.describe_table::<Self>().await }
    }

    /// Waits until the table and its GSIs are ACTIVE, on the default
    /// connection. See [`Db::wait_for_table_active`].
    fn wait_for_table_active(
        timeout: Duration,
    ) -> impl Future<Output = Result<TableDescription>> + Send
    where
        Self: Sized,
    {
        async move {
            Db::default_db()
                .await
                .wait_for_table_active::<Self>(timeout)
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
        crate::blocking::block_on(
            "sync_create_table",
            Self::schema().table_name(),
            Self::create_table(options),
        )
    }

    /// [`table_exists`](Self::table_exists) for sync code (feature `blocking`).
    #[cfg(feature = "blocking")]
    fn sync_table_exists() -> Result<bool>
    where
        Self: Sized,
    {
        crate::blocking::block_on(
            "sync_table_exists",
            Self::schema().table_name(),
            Self::table_exists(),
        )
    }

    /// [`delete_table`](Self::delete_table) for sync code (feature `blocking`).
    #[cfg(feature = "blocking")]
    fn sync_delete_table() -> Result<TableDescription>
    where
        Self: Sized,
    {
        crate::blocking::block_on(
            "sync_delete_table",
            Self::schema().table_name(),
            Self::delete_table(),
        )
    }

    /// [`describe_table`](Self::describe_table) for sync code (feature `blocking`).
    #[cfg(feature = "blocking")]
    fn sync_describe_table() -> Result<TableDescription>
    where
        Self: Sized,
    {
        crate::blocking::block_on(
            "sync_describe_table",
            Self::schema().table_name(),
            Self::describe_table(),
        )
    }

    /// [`wait_for_table_active`](Self::wait_for_table_active) for sync code
    /// (feature `blocking`).
    #[cfg(feature = "blocking")]
    fn sync_wait_for_table_active(timeout: Duration) -> Result<TableDescription>
    where
        Self: Sized,
    {
        crate::blocking::block_on(
            "sync_wait_for_table_active",
            Self::schema().table_name(),
            Self::wait_for_table_active(timeout),
        )
    }
}
