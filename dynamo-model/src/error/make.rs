//! How the crate makes its errors: bad input, and the SDK's failures with
//! their causes spelled out.

use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};

use super::{cause, Error};

/// Names as a message lists them: `` `a`, `b` ``.
pub(crate) fn quoted<T: std::fmt::Display>(names: impl IntoIterator<Item = T>) -> String {
    names
        .into_iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Error {
    pub(crate) fn invalid(table: &str, option: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            table: table.to_owned(),
            option,
            reason: reason.into(),
        }
    }

    /// Wraps an SDK error, keeping it as the source. The message is the
    /// service's error code and message (`ResourceInUseException: ...`), or
    /// for a failure before any answer (connection, credentials, timeout)
    /// the SDK's full chain of causes: its bare `Display` says only
    /// "service error" or "dispatch failure".
    pub(crate) fn sdk<E>(
        table: &str,
        operation: &'static str,
        err: SdkError<E, HttpResponse>,
    ) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        Self::request(Some(table), operation, err)
    }

    /// [`Error::sdk`] for a request that may concern no one table.
    pub(crate) fn request<E>(
        table: Option<&str>,
        operation: &'static str,
        err: SdkError<E, HttpResponse>,
    ) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        Error::Sdk {
            table: table.map(str::to_owned),
            operation,
            message: cause::describe(&err),
            code: err
                .as_service_error()
                .and_then(|e| e.code())
                .map(str::to_owned),
            retryable: cause::is_retryable(&err),
            sdk: Box::new(err),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_errors_read_code_and_message() {
        use aws_sdk_dynamodb::operation::describe_table::DescribeTableError;
        use aws_sdk_dynamodb::types::error::ResourceNotFoundException;
        let service = DescribeTableError::ResourceNotFoundException(
            ResourceNotFoundException::builder()
                .message("Requested resource not found")
                .meta(
                    aws_sdk_dynamodb::error::ErrorMetadata::builder()
                        .code("ResourceNotFoundException")
                        .message("Requested resource not found")
                        .build(),
                )
                .build(),
        );
        let err = Error::sdk(
            "t",
            "DescribeTable",
            SdkError::<_, HttpResponse>::service_error(
                service,
                HttpResponse::new(
                    400.try_into().unwrap(),
                    aws_smithy_types::body::SdkBody::empty(),
                ),
            ),
        );
        assert_eq!(
            err.to_string(),
            "DescribeTable on table `t` failed: ResourceNotFoundException: Requested resource not found"
        );
        // Each cause is said once, by the message: the SDK's error is at
        // hand to downcast, not a source a report would print again.
        assert!(std::error::Error::source(&err).is_none());
        let sdk = err.sdk_error().expect("the SDK's error");
        assert!(sdk
            .downcast_ref::<SdkError<DescribeTableError, HttpResponse>>()
            .is_some());
        assert_eq!(err.code(), Some("ResourceNotFoundException"));
    }
}
