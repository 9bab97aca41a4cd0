//! What a caller asks of an error: its kind, and the table it is about.

#[cfg(feature = "testing")]
use super::cause;
use super::Error;

impl Error {
    /// Whether this is [`Error::TableNotFound`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// let err = local.db().table_named("missing").describe().await.unwrap_err();
    /// assert!(err.is_table_not_found());
    /// # Ok(()) }
    /// ```
    pub fn is_table_not_found(&self) -> bool {
        matches!(self, Error::TableNotFound { .. })
    }

    /// Whether this is [`Error::TableAlreadyExists`].
    ///
    /// ```
    /// # use dynamo_model::{CreateTableOptions, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// let db = local.db();
    /// db.table::<User>().create(CreateTableOptions::new()).await?;
    /// let err = db.table::<User>().create(CreateTableOptions::new()).await.unwrap_err();
    /// assert!(err.is_table_already_exists());
    /// # Ok(()) }
    /// ```
    pub fn is_table_already_exists(&self) -> bool {
        matches!(self, Error::TableAlreadyExists { .. })
    }

    /// The table this error is about (the name as sent, with any prefix);
    /// `None` for a failure that concerns no one table.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// let db = local.db().clone().with_table_prefix("ci_");
    /// let err = db.table_named("orders").describe().await.unwrap_err();
    /// assert_eq!(err.table(), Some("ci_orders"));
    /// # Ok(()) }
    /// ```
    pub fn table(&self) -> Option<&str> {
        match self {
            Error::TableNotFound { table }
            | Error::TableAlreadyExists { table }
            | Error::TableBeingDeleted { table }
            | Error::DeletionProtected { table }
            | Error::SchemaMismatch { table, .. }
            | Error::WaitTimeout { table, .. }
            | Error::InvalidInput { table, .. }
            | Error::InvalidSchema { table, .. }
            | Error::TtlNotEnabled { table, .. }
            | Error::ConditionFailed { table, .. }
            | Error::VersionConflict { table, .. }
            | Error::VersionExhausted { table, .. }
            | Error::OutcomeUnknown { table, .. }
            | Error::ItemNotFound { table, .. }
            | Error::ItemTooLarge { table, .. }
            | Error::Serde { table, .. }
            | Error::WrongEntity { table, .. }
            | Error::ShapeUnknown { table, .. }
            | Error::ShapeOutdated { table, .. }
            | Error::CheckpointRefused { table, .. }
            | Error::ChangeUnreadable { table, .. }
            | Error::StreamEnded { table, .. }
            | Error::Encode { table, .. }
            | Error::BatchIncomplete { table, .. }
            | Error::TransactionCanceled { table, .. }
            | Error::NeedsNewTable { table, .. }
            | Error::PlanStale { table, .. }
            | Error::ChangeNotShown { table, .. } => Some(table),
            Error::Sdk { table, .. } => table.as_deref(),
            Error::BlockingInsideRuntime { .. }
            | Error::BlockingRuntime { .. }
            | Error::ServerStart { .. }
            | Error::EndpointRefused { .. }
            | Error::InvalidSetting { .. } => None,
        }
    }

    /// For a change a stream reader could not read
    /// ([`Error::ChangeUnreadable`] from `Table::changes`, feature
    /// `streams`), the checkpoint just after it. A reader resumed from the
    /// last change's checkpoint stops at the unreadable one again; save this
    /// one once the record is set aside (its key and sequence number are in
    /// the error) to resume past it. `None` for any other error, and for a
    /// record of a Lambda event.
    ///
    /// ```
    /// use dynamo_model::{Checkpoint, Error};
    /// let err = Error::ChangeUnreadable {
    ///     table: "orders".into(),
    ///     key: Some(r#"id = "o1""#.into()),
    ///     sequence_number: "42".into(),
    ///     source: Box::new(Error::Serde { table: "orders".into(), key: None, reason: "invalid type".into() }),
    ///     checkpoint: Some(Box::new(Checkpoint::default())),
    /// };
    /// assert_eq!(err.checkpoint(), Some(&Checkpoint::default()));
    /// assert_eq!(Error::TableNotFound { table: "orders".into() }.checkpoint(), None);
    /// ```
    pub fn checkpoint(&self) -> Option<&crate::stream::Checkpoint> {
        match self {
            Error::ChangeUnreadable { checkpoint, .. } => checkpoint.as_deref(),
            _ => None,
        }
    }

    /// Whether the server never answered (as opposed to answering no).
    #[cfg(feature = "testing")]
    pub(crate) fn is_no_answer(&self) -> bool {
        match self {
            Error::Sdk { message, .. } => {
                message.starts_with(cause::NO_ANSWER) || message.starts_with(cause::NO_CONNECTION)
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn every_message_names_the_table() {
        let errors = [
            Error::TableNotFound { table: "t1".into() },
            Error::TableAlreadyExists { table: "t1".into() },
            Error::WaitTimeout {
                table: "t1".into(),
                target: "ACTIVE",
                last_status: "CREATING".into(),
                waited: Duration::from_secs(1),
            },
            Error::invalid("t1", "wait_timeout", "must be more than zero"),
            Error::StreamEnded {
                table: "t1".into(),
                stream_arn: "arn:s".into(),
                reason: "the stream is turned off (DISABLED)".into(),
                latest: None,
            },
            Error::Sdk {
                table: Some("t1".into()),
                operation: "DescribeTable",
                message: "boom".into(),
                source: Box::new(std::io::Error::other("boom")),
            },
        ];
        for err in errors {
            assert!(err.to_string().contains("`t1`"), "{err}");
            assert_eq!(err.table(), Some("t1"));
        }
    }

    #[test]
    fn errors_about_no_table_name_none() {
        let errors = [
            Error::BlockingInsideRuntime {
                operation: "Table::create".into(),
            },
            Error::ServerStart {
                server: "DynamoDB Local",
                message: "java was not found".into(),
                source: None,
            },
            Error::EndpointRefused {
                endpoint: Some("http://10.1.2.3:8000".into()),
                reason: "not a loopback address".into(),
            },
            Error::Sdk {
                table: None,
                operation: "ListTables",
                message: "boom".into(),
                source: Box::new(std::io::Error::other("boom")),
            },
        ];
        for err in errors {
            assert_eq!(err.table(), None, "{err}");
            let text = err.to_string();
            assert!(!text.contains("table `"), "{text}");
            assert!(!text.contains("(none)"), "{text}");
        }
        let listed = Error::Sdk {
            table: None,
            operation: "ListTables",
            message: "connection refused".into(),
            source: Box::new(std::io::Error::other("x")),
        };
        assert_eq!(listed.to_string(), "ListTables failed: connection refused");
    }
}
