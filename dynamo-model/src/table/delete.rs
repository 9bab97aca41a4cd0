//! DeleteTable, and deleting then waiting until the table is gone.

use std::time::Duration;

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::operation::delete_table::DeleteTableError;
use aws_sdk_dynamodb::types::TableDescription;
use aws_sdk_dynamodb::Client;

use super::{validate, wait, Table};
use crate::error::{Error, Result};

impl<M> Table<M> {
    /// Deletes the table (and every item in it). A missing table is
    /// [`Error::TableNotFound`]; a table with deletion protection on is
    /// [`Error::DeletionProtected`] and stays as it is.
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
    /// users.delete_table().await?;
    /// assert!(users.delete_table().await.unwrap_err().is_table_not_found());
    /// # Ok(()) }
    /// ```
    pub async fn delete_table(&self) -> Result<TableDescription> {
        delete(self.client()?, self.name()).await
    }

    /// Deletes the table and waits until it is gone. A table still being
    /// created or updated is first waited for until ACTIVE (DynamoDB refuses
    /// to delete it before).
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use dynamo_model::{CreateTableOptions, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// let users = local.db().table::<User>();
    /// users.create(CreateTableOptions::new()).await?;
    /// users.delete_table_and_wait(Duration::from_secs(30)).await?;
    /// assert!(!users.exists().await?);
    /// # Ok(()) }
    /// ```
    pub async fn delete_table_and_wait(&self, timeout: Duration) -> Result<()> {
        let (client, table) = (self.client()?, self.name());
        validate::wait_timeout(table, timeout)?;
        wait::bounded(client, table, "deleted", timeout, async {
            let start = tokio::time::Instant::now();
            delete_when_settled(client, table, timeout).await?;
            // One timeout for the whole call, not one per step.
            let left = timeout.saturating_sub(start.elapsed()).max(wait::MIN_DELAY);
            wait::until_deleted(client, table, left).await
        })
        .await
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
