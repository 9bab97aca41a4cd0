//! What an SDK failure means, in one sentence a person reads: the service's
//! code and message, or for a failure before any answer what happened in
//! words (connection refused, no answer in time, an answer that is not
//! DynamoDB's), instead of the SDK's Debug dump. The SDK error itself stays
//! at hand as `Error::sdk_error()`, not as its `source()`.

use std::error::Error as StdError;

use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};

/// How the sentence for a request that got no answer starts.
pub(crate) const NO_ANSWER: &str = "no answer in time";
/// How the sentence for a connection that was never made starts.
pub(crate) const NO_CONNECTION: &str = "no connection could be made in time";

/// The codes of a request DynamoDB throttled: over the table's or an
/// index's capacity, or the account's request rate.
pub(crate) const THROTTLING: &[&str] = &[
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
];

/// Whether a failed request is worth sending again: throttling, capacity,
/// and server-side or transport failures are; a request DynamoDB refuses
/// (validation, access, a failed condition) is not.
pub(crate) fn is_retryable<E: ProvideErrorMetadata>(err: &SdkError<E, HttpResponse>) -> bool {
    match err {
        SdkError::ServiceError(service) => {
            let code = service.err().code().unwrap_or_default();
            let status = service.raw().status().as_u16();
            status >= 500
                || THROTTLING.contains(&code)
                || matches!(
                    code,
                    "LimitExceededException" | "InternalServerError" | "ServiceUnavailable"
                )
        }
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            true
        }
        _ => false,
    }
}

/// The sentence for `err`.
pub(crate) fn describe<E>(err: &SdkError<E, HttpResponse>) -> String
where
    E: ProvideErrorMetadata + StdError + 'static,
{
    match err {
        SdkError::ServiceError(service) => {
            let e = service.err();
            match (e.code(), e.message()) {
                (Some(code), Some(message)) => format!("{code}: {message}"),
                (Some("UnknownOperationException"), None) => {
                    "UnknownOperationException: this server does not implement the operation \
                     (a local DynamoDB without the feature)"
                        .to_owned()
                }
                (Some(code), None) => format!("{code} (the server sent no message)"),
                _ => unrecognised_answer(service.raw()),
            }
        }
        SdkError::DispatchFailure(failure) => {
            let chain = causes(err);
            match failure.as_connector_error() {
                Some(c) if c.is_timeout() => {
                    format!("{NO_CONNECTION} ({chain})")
                }
                _ if has_io_kind(err, std::io::ErrorKind::ConnectionRefused) => {
                    format!("connection refused: is the server running? ({chain})")
                }
                _ => format!("the request could not be sent: {chain}"),
            }
        }
        SdkError::TimeoutError(_) => format!(
            "{NO_ANSWER}: the request did not complete within the timeout (no answer, or no \
             connection made in time; Db::with_timeouts sets it)"
        ),
        SdkError::ResponseError(response) => {
            format!("{} ({})", unrecognised_answer(response.raw()), causes(err))
        }
        SdkError::ConstructionFailure(_) => {
            format!("the request could not be built: {}", causes(err))
        }
        _ => causes(err),
    }
}

/// An answer the SDK could not read as DynamoDB's: its status and type.
fn unrecognised_answer(response: &HttpResponse) -> String {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .unwrap_or("no content type");
    if content_type.contains("amz-json") || content_type.contains("application/json") {
        format!("the server answered HTTP {status} with an error that names no code")
    } else {
        format!("the server answered HTTP {status} with `{content_type}` instead of DynamoDB JSON")
    }
}

/// The messages of the error's causes, outermost first, each once.
fn causes(err: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = err.source();
    while let Some(cause) = next {
        let text = cause.to_string();
        if !text.is_empty()
            && !parts
                .iter()
                .any(|p| p.contains(&text) || text.contains(p.as_str()))
        {
            parts.push(text);
        } else if let Some(last) = parts.last_mut() {
            // A cause that repeats its parent with more detail replaces it.
            if text.contains(last.as_str()) {
                *last = text;
            }
        }
        next = cause.source();
    }
    if parts.is_empty() {
        err.to_string()
    } else {
        parts.join(": ")
    }
}

fn has_io_kind(err: &(dyn StdError + 'static), kind: std::io::ErrorKind) -> bool {
    let mut next: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(cause) = next {
        if cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == kind)
        {
            return true;
        }
        next = cause.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodb::operation::describe_table::DescribeTableError;
    use aws_smithy_types::body::SdkBody;

    fn response(status: u16, content_type: &str) -> HttpResponse {
        let mut response = HttpResponse::new(status.try_into().unwrap(), SdkBody::from("<html>"));
        response
            .headers_mut()
            .insert("content-type", content_type.to_owned());
        response
    }

    #[test]
    fn an_html_answer_says_what_came_instead_of_json() {
        let err: SdkError<DescribeTableError, HttpResponse> = SdkError::service_error(
            DescribeTableError::unhandled("unhandled error"),
            response(200, "text/html"),
        );
        assert_eq!(
            describe(&err),
            "the server answered HTTP 200 with `text/html` instead of DynamoDB JSON"
        );
    }

    #[test]
    fn a_refused_connection_is_named() {
        let io = std::io::Error::new(
            std::io::ErrorKind::ConnectionRefused,
            "Connection refused (os error 111)",
        );
        let connector = aws_sdk_dynamodb::error::ConnectorError::io(Box::new(io));
        let err: SdkError<DescribeTableError, HttpResponse> = SdkError::dispatch_failure(connector);
        let text = describe(&err);
        assert!(
            text.starts_with("connection refused: is the server running?"),
            "{text}"
        );
        assert!(text.contains("os error 111"), "{text}");
        assert!(!text.contains("DispatchFailure"), "{text}");
    }

    #[test]
    fn a_timeout_says_so_in_words() {
        let err: SdkError<DescribeTableError, HttpResponse> =
            SdkError::timeout_error(Box::new(std::io::Error::other("timed out")));
        let text = describe(&err);
        assert!(text.starts_with("no answer in time"), "{text}");
        assert!(!text.contains("TimeoutError"), "{text}");
    }

    #[test]
    fn a_code_without_a_message_says_what_it_means() {
        use aws_sdk_dynamodb::error::ErrorMetadata;
        let unknown = DescribeTableError::generic(
            ErrorMetadata::builder()
                .code("UnknownOperationException")
                .build(),
        );
        let err: SdkError<DescribeTableError, HttpResponse> =
            SdkError::service_error(unknown, response(400, "application/x-amz-json-1.0"));
        let text = describe(&err);
        assert!(text.contains("does not implement the operation"), "{text}");
        let other = DescribeTableError::generic(ErrorMetadata::builder().code("Odd").build());
        let err: SdkError<DescribeTableError, HttpResponse> =
            SdkError::service_error(other, response(400, "application/x-amz-json-1.0"));
        assert_eq!(describe(&err), "Odd (the server sent no message)");
    }
}
