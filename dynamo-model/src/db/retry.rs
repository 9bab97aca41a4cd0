//! Retries for control-plane calls, on top of the SDK's standard strategy
//! (exponential backoff with full jitter, which already retries throttling,
//! 5xx answers, dropped connections and timeouts).
//!
//! DynamoDB answers `LimitExceededException` when too many CreateTable,
//! UpdateTable or DeleteTable calls run at once in an account; the SDK does
//! not retry it, yet it is exactly the error a fixture creating many tables
//! concurrently meets, and waiting a moment fixes it. This classifier marks it
//! as throttling so the SDK backs off and retries it like one.

use std::time::Duration;

use aws_sdk_dynamodb::config::interceptors::InterceptorContext;
use aws_sdk_dynamodb::config::retry::{
    ClassifyRetry, RetryAction, RetryConfig, RetryPartition, TokenBucket,
};
use aws_sdk_dynamodb::config::timeout::TimeoutConfig;

/// How many times a request is tried in all, by default, on connections made
/// by [`Db::local`](crate::Db::local).
///
/// ```
/// assert_eq!(dynamo_model::DEFAULT_MAX_ATTEMPTS, 8); // the SDK's own default is 3
/// ```
pub const DEFAULT_MAX_ATTEMPTS: u32 = 8;

/// The retry policy of [`Db::local`](crate::Db::local): standard, more
/// attempts than the SDK's default three, starting at 20 ms.
pub(crate) fn local_retry_config() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(DEFAULT_MAX_ATTEMPTS)
        .with_initial_backoff(Duration::from_millis(20))
        .with_max_backoff(Duration::from_secs(2))
}

/// The retry partition of [`Db::local`](crate::Db::local): without a retry
/// budget. The SDK's default partition shares one token bucket among every
/// client of the process, so a test whose server fails on purpose would use
/// up the retries of every other test; a local server needs no protection
/// from retry storms.
pub(crate) fn local_retry_partition() -> RetryPartition {
    RetryPartition::custom("dynamo-model-local")
        .token_bucket(TokenBucket::unlimited())
        .build()
}

/// How long [`Db::local`](crate::Db::local) waits to connect to a server.
pub const LOCAL_CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// How long [`Db::local`](crate::Db::local) waits for one attempt's answer:
/// a local server that has not answered in a few seconds will not.
///
/// ```
/// assert_eq!(dynamo_model::LOCAL_ATTEMPT_TIMEOUT.as_secs(), 5);
/// ```
pub const LOCAL_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long [`Db::local`](crate::Db::local) gives one request, retries
/// included.
///
/// ```
/// assert_eq!(dynamo_model::LOCAL_OPERATION_TIMEOUT.as_secs(), 15);
/// ```
pub const LOCAL_OPERATION_TIMEOUT: Duration = Duration::from_secs(15);

/// Timeouts of [`Db::local`](crate::Db::local): a server that accepts but
/// never answers must not hang a test; a slow but alive one must still work.
pub(crate) fn local_timeouts() -> TimeoutConfig {
    timeouts(LOCAL_ATTEMPT_TIMEOUT, LOCAL_OPERATION_TIMEOUT)
}

/// The longest timeout a connection takes: the SDK works out deadlines
/// from its timeouts in floating point and panics on `Duration::MAX`, so a
/// longer one (meaning "as long as it takes") is taken as this, a year.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(365 * 24 * 3600);

pub(crate) fn timeouts(attempt: Duration, operation: Duration) -> TimeoutConfig {
    let (attempt, operation) = (attempt.min(MAX_TIMEOUT), operation.min(MAX_TIMEOUT));
    TimeoutConfig::builder()
        .connect_timeout(LOCAL_CONNECT_TIMEOUT.min(attempt))
        .operation_attempt_timeout(attempt)
        .operation_timeout(operation)
        .build()
}

/// Classifies `LimitExceededException` as a throttling error.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct LimitExceededIsThrottling;

impl ClassifyRetry for LimitExceededIsThrottling {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        let Some(response) = ctx.response() else {
            return RetryAction::NoActionIndicated;
        };
        let body = response.body().bytes().unwrap_or_default();
        if response.status().as_u16() == 400 && is_limit_exceeded(body) {
            RetryAction::throttling_error()
        } else {
            RetryAction::NoActionIndicated
        }
    }

    fn name(&self) -> &'static str {
        "dynamo-model LimitExceededException"
    }
}

/// Whether a DynamoDB error body names `LimitExceededException` as its type
/// (`{"__type":"com.amazonaws.dynamodb.v20120810#LimitExceededException",...}`).
fn is_limit_exceeded(body: &[u8]) -> bool {
    let text = String::from_utf8_lossy(body);
    let Some(start) = text.find("\"__type\"") else {
        return false;
    };
    let rest = &text[start + "\"__type\"".len()..];
    let value = rest
        .trim_start()
        .strip_prefix(':')
        .map(str::trim_start)
        .and_then(|r| r.strip_prefix('"'))
        .and_then(|r| r.split('"').next())
        .unwrap_or_default();
    value.rsplit('#').next() == Some("LimitExceededException")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_the_error_type_and_nothing_else() {
        assert!(is_limit_exceeded(
            br#"{"__type":"com.amazonaws.dynamodb.v20120810#LimitExceededException","message":"Too many"}"#
        ));
        assert!(is_limit_exceeded(
            br#"{"__type" : "LimitExceededException"}"#
        ));
        assert!(!is_limit_exceeded(
            br#"{"__type":"com.amazonaws.dynamodb.v20120810#ResourceInUseException","message":"LimitExceededException"}"#
        ));
        assert!(!is_limit_exceeded(b"not json"));
        assert!(!is_limit_exceeded(b""));
    }
}
