//! DescribeTable: what the table looks like now, and whether it exists.

use aws_sdk_dynamodb::operation::describe_table::DescribeTableError;
use aws_sdk_dynamodb::types::TableDescription;
use aws_sdk_dynamodb::Client;

use super::Table;
use crate::error::{Error, Result};

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

/// Whether `table` exists: `Ok(false)` only for "not found".
pub(crate) async fn exists(client: &Client, table: &str) -> Result<bool> {
    match describe(client, table).await {
        Ok(_) => Ok(true),
        Err(Error::TableNotFound { .. }) => Ok(false),
        Err(other) => Err(other),
    }
}

impl<M> Table<M> {
    /// Whether the table exists. `Ok(false)` only when DynamoDB says it was
    /// not found; every other failure is an error.
    ///
    /// ```
    /// # use dynamo_model::{CreateTableOptions, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// let users = local.db().table::<User>();
    /// assert!(!users.exists().await?);
    /// users.create(CreateTableOptions::new()).await?;
    /// assert!(users.exists().await?);
    /// # Ok(()) }
    /// ```
    pub async fn exists(&self) -> Result<bool> {
        exists(self.client()?, self.name()).await
    }

    /// DescribeTable: status, keys, indexes, settings, item count.
    ///
    /// ```
    /// # use dynamo_model::aws_sdk_dynamodb::types::TableStatus;
    /// # use dynamo_model::{CreateTableOptions, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// let users = local.db().table::<User>();
    /// users.create(CreateTableOptions::new().wait(true)).await?;
    /// assert_eq!(users.describe().await?.table_status(), Some(&TableStatus::Active));
    /// assert!(local.db().table_named("missing").describe().await.unwrap_err().is_table_not_found());
    /// # Ok(()) }
    /// ```
    pub async fn describe(&self) -> Result<TableDescription> {
        describe(self.client()?, self.name()).await
    }
}
