//! What a caller asks of an error: its kind, and the table it is about.

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

    /// DynamoDB's error code, as the SDK's `ProvideErrorMetadata::code`
    /// gives it, for a request the service refused
    /// (`ProvisionedThroughputExceededException`, `ValidationException`,
    /// `AccessDeniedException`...); `None` for a failure before any answer
    /// and for the errors this crate tells apart itself (a failed
    /// condition is [`Error::ConditionFailed`], a missing table
    /// [`Error::TableNotFound`]).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// // Nothing listens on port 9: no answer, so no code, and worth a retry.
    /// let db = dynamo_model::Db::local("http://127.0.0.1:9");
    /// let err = db.table_named("orders").describe().await.unwrap_err();
    /// assert_eq!(err.code(), None);
    /// assert!(err.is_retryable() && !err.is_throttling());
    /// # }
    /// ```
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Sdk { code, .. } => code.as_deref(),
            _ => None,
        }
    }

    /// Whether sending the same request again may succeed: DynamoDB
    /// throttled it, answered with a 5xx, gave no answer in time, or could
    /// not be reached. The SDK has already retried such a request as
    /// [`Db`](crate::Db)'s retry settings say, so this is for a caller's
    /// own, slower retry (a queue's redelivery, a job's next run). A
    /// refused request, a failed condition, or anything refused before a
    /// request is not.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Error::Sdk {
                retryable: true,
                ..
            }
        )
    }

    /// Whether DynamoDB throttled the request: over the table's or an
    /// index's capacity (`ProvisionedThroughputExceededException`), or the
    /// account's or the on-demand table's rate (`ThrottlingException`,
    /// `RequestLimitExceeded`). Also [`is_retryable`](Self::is_retryable).
    pub fn is_throttling(&self) -> bool {
        self.code()
            .is_some_and(|code| cause::THROTTLING.contains(&code))
    }

    /// The SDK's own error of an [`Error::Sdk`], to downcast to the
    /// `SdkError` of its operation. It is not the error's `source()`: the
    /// message already names each of its causes once, and a report that
    /// walks the sources (`anyhow`'s `{:#}`, `eyre`) would print them again.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use std::error::Error as _;
    /// let db = dynamo_model::Db::local("http://127.0.0.1:9");
    /// let err = db.table_named("orders").describe().await.unwrap_err();
    /// assert!(err.sdk_error().is_some());
    /// assert!(err.source().is_none(), "the message says it all: {err}");
    /// # }
    /// ```
    pub fn sdk_error(&self) -> Option<&(dyn std::error::Error + Send + Sync + 'static)> {
        match self {
            Error::Sdk { sdk, .. } => Some(sdk.as_ref()),
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
                code: None,
                retryable: false,
                sdk: Box::new(std::io::Error::other("boom")),
            },
        ];
        for err in errors {
            assert!(err.to_string().contains("`t1`"), "{err}");
            assert_eq!(err.table(), Some("t1"));
        }
    }

    #[test]
    fn a_service_errors_code_tells_throttling_and_retries() {
        let sdk = |code: Option<&str>, retryable| Error::Sdk {
            table: Some("t".into()),
            operation: "PutItem",
            message: "m".into(),
            code: code.map(str::to_owned),
            retryable,
            sdk: Box::new(std::io::Error::other("m")),
        };
        let throttled = sdk(Some("ProvisionedThroughputExceededException"), true);
        assert_eq!(
            throttled.code(),
            Some("ProvisionedThroughputExceededException")
        );
        assert!(throttled.is_throttling() && throttled.is_retryable());
        let refused = sdk(Some("ValidationException"), false);
        assert!(!refused.is_throttling() && !refused.is_retryable());
        let unreachable = sdk(None, true);
        assert!(unreachable.is_retryable() && unreachable.code().is_none());
        let ours = Error::ConditionFailed {
            table: "t".into(),
            key: "id = 1".into(),
        };
        assert!(ours.code().is_none() && !ours.is_retryable() && !ours.is_throttling());
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
                code: None,
                retryable: false,
                sdk: Box::new(std::io::Error::other("boom")),
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
            code: None,
            retryable: true,
            sdk: Box::new(std::io::Error::other("x")),
        };
        assert_eq!(listed.to_string(), "ListTables failed: connection refused");
    }
}
