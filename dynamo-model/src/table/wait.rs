//! Waiting for a table to become ACTIVE or to disappear.
//!
//! The SDK's own waiter sleeps at least 20 s between polls, so a table ready in
//! half a second is reported twenty seconds later. Here the first poll is
//! immediate and each pause is an eighth of the time waited so far, clamped to
//! [`MIN_DELAY`, `MAX_DELAY`]: the answer comes at most 12.5% (plus one round
//! trip) after the table is ready, and a long wait costs about one poll a
//! second. The timeout bounds the whole wait, including a poll that hangs.

use std::time::Duration;

use aws_sdk_dynamodb::types::{IndexStatus, SseStatus, TableDescription, TableStatus};
use aws_sdk_dynamodb::Client;
use tokio::time::Instant;

/// `start + timeout`, or a century on when that does not fit: a timeout of
/// `Duration::MAX` waits as long as it takes instead of panicking.
pub(crate) fn deadline(start: Instant, timeout: Duration) -> Instant {
    start
        .checked_add(timeout)
        .unwrap_or_else(|| start + Duration::from_secs(100 * 365 * 24 * 3600))
}

use super::describe::describe;
use super::{validate, Table};
use crate::error::{Error, Result};

/// The shortest pause between two polls.
pub const MIN_DELAY: Duration = Duration::from_millis(10);
/// The longest pause between two polls.
pub const MAX_DELAY: Duration = Duration::from_secs(1);

/// How long the poll due at the deadline may take to answer.
const FINAL_POLL_GRACE: Duration = Duration::from_millis(500);

/// The pause before the next poll, after `elapsed` of waiting.
pub(crate) fn next_delay(elapsed: Duration) -> Duration {
    (elapsed / 8).clamp(MIN_DELAY, MAX_DELAY)
}

/// Whether the table and every one of its GSIs are ACTIVE.
pub(crate) fn is_ready(table: &TableDescription) -> bool {
    table.table_status() == Some(&TableStatus::Active)
        && table
            .global_secondary_indexes()
            .iter()
            .all(|gsi| gsi.index_status() == Some(&IndexStatus::Active))
}

/// Whether the table is ready and its encryption is not changing: an SSE
/// update leaves the table ACTIVE while its SSE status is UPDATING, and
/// until it settles DynamoDB may still report the old key.
pub(crate) fn is_settled(table: &TableDescription) -> bool {
    is_ready(table) && sse_changing(table).is_none()
}

fn sse_changing(table: &TableDescription) -> Option<&SseStatus> {
    table
        .sse_description()
        .and_then(|sse| sse.status())
        .filter(|s| {
            matches!(
                s,
                SseStatus::Enabling | SseStatus::Disabling | SseStatus::Updating
            )
        })
}

/// What a status line says about a table that is not ready or not settled:
/// its status, every GSI that is not ACTIVE and encryption that is
/// changing, e.g. `ACTIVE (index by_email: CREATING)`.
pub(crate) fn status_summary(table: &TableDescription) -> String {
    let status = table.table_status().map_or("UNKNOWN", |s| s.as_str());
    let pending: Vec<String> = table
        .global_secondary_indexes()
        .iter()
        .filter(|gsi| gsi.index_status() != Some(&IndexStatus::Active))
        .map(|gsi| {
            format!(
                "index {}: {}",
                gsi.index_name().unwrap_or("?"),
                gsi.index_status().map_or("UNKNOWN", |s| s.as_str())
            )
        })
        .chain(sse_changing(table).map(|s| format!("encryption: {}", s.as_str())))
        .collect();
    if pending.is_empty() {
        status.to_owned()
    } else {
        format!("{status} ({})", pending.join(", "))
    }
}

/// Polls until `table` and all its GSIs are ACTIVE, or `timeout` passes.
///
/// "Not found" is polled through, because a table just created may not be
/// visible to DescribeTable yet on a real, eventually consistent endpoint.
pub(crate) async fn until_active(
    client: &Client,
    table: &str,
    timeout: Duration,
) -> Result<TableDescription> {
    until(client, table, timeout, "ACTIVE", is_ready, status_summary).await
}

/// [`until`] `done`, telling `report` each status polled through and how
/// long the wait has lasted.
pub(crate) async fn until_reporting(
    client: &Client,
    table: &str,
    timeout: Duration,
    target: &'static str,
    done: impl Fn(&TableDescription) -> bool,
    report: impl Fn(&str, Duration),
) -> Result<TableDescription> {
    let start = tokio::time::Instant::now();
    until(client, table, timeout, target, done, |description| {
        let status = status_summary(description);
        report(&status, start.elapsed());
        status
    })
    .await
}

/// Polls DescribeTable until `done` holds for the description, or `timeout`
/// passes; `summary` says what the last description showed, for the error.
pub(crate) async fn until(
    client: &Client,
    table: &str,
    timeout: Duration,
    target: &'static str,
    done: impl Fn(&TableDescription) -> bool,
    summary: impl Fn(&TableDescription) -> String,
) -> Result<TableDescription> {
    poll(client, table, timeout, target, |answer| match answer {
        Ok(description) if done(&description) => Ok(Poll::Done(description)),
        Ok(description) => Ok(Poll::Pending(summary(&description))),
        Err(Error::TableNotFound { .. }) => Ok(Poll::Pending(String::from("not found"))),
        Err(other) => Err(other),
    })
    .await
}

/// Polls until DescribeTable says `table` does not exist, or `timeout` passes.
pub(crate) async fn until_deleted(client: &Client, table: &str, timeout: Duration) -> Result<()> {
    until_deleted_reporting(client, table, timeout, |_, _| {}).await
}

/// [`until_deleted`], telling `report` each status polled through and how
/// long the wait has lasted.
pub(crate) async fn until_deleted_reporting(
    client: &Client,
    table: &str,
    timeout: Duration,
    report: impl Fn(&str, Duration),
) -> Result<()> {
    let start = tokio::time::Instant::now();
    poll(client, table, timeout, "deleted", |answer| match answer {
        Err(Error::TableNotFound { .. }) => Ok(Poll::Done(())),
        Err(other) => Err(other),
        Ok(description) => {
            let status = status_summary(&description);
            report(&status, start.elapsed());
            Ok(Poll::Pending(status))
        }
    })
    .await
}

impl<M> Table<M> {
    /// Waits until the table and all its GSIs are ACTIVE; polls at once,
    /// then after pauses of an eighth of the time waited, from 10 ms up to
    /// 1 s. A timeout is [`Error::WaitTimeout`] with the last status seen.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use dynamo_model::aws_sdk_dynamodb::types::TableStatus;
    /// # use dynamo_model::{CreateTableOptions, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// let users = local.db().table::<User>();
    /// users.create(CreateTableOptions::new()).await?; // does not wait
    /// let table = users.wait_active(Duration::from_secs(30)).await?;
    /// assert_eq!(table.table_status(), Some(&TableStatus::Active));
    /// # Ok(()) }
    /// ```
    pub async fn wait_active(&self, timeout: Duration) -> Result<TableDescription> {
        validate::wait_timeout(self.name(), timeout)?;
        until_active(self.client()?, self.name(), timeout).await
    }

    /// Waits until the table no longer exists (after a delete).
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
    /// users.create(CreateTableOptions::new().wait(true)).await?;
    /// users.delete_table().await?;
    /// users.wait_deleted(Duration::from_secs(60)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn wait_deleted(&self, timeout: Duration) -> Result<()> {
        validate::wait_timeout(self.name(), timeout)?;
        until_deleted(self.client()?, self.name(), timeout).await
    }
}

/// Runs `operation`, an operation that waits up to `timeout`, and ends it by
/// `timeout` plus one attempt timeout of the client whatever the server does:
/// its requests before and between polls (CreateTable, DeleteTable) may
/// otherwise each take the whole operation timeout of a silent server.
pub(crate) async fn bounded<T>(
    client: &Client,
    table: &str,
    target: &'static str,
    timeout: Duration,
    operation: impl std::future::Future<Output = Result<T>>,
) -> Result<T> {
    let attempt = client
        .config()
        .timeout_config()
        .and_then(|t| t.operation_attempt_timeout());
    let Some(attempt) = attempt else {
        return operation.await;
    };
    let start = Instant::now();
    match tokio::time::timeout(timeout.saturating_add(attempt), operation).await {
        Ok(outcome) => outcome,
        Err(_) => Err(Error::WaitTimeout {
            table: table.to_owned(),
            target,
            last_status: format!(
                "unknown: the operation did not finish within the wait timeout of {} plus \
                 one attempt of {} (a request before or between the polls did not come back)",
                crate::error::duration::Readable(timeout),
                crate::error::duration::Readable(attempt)
            ),
            waited: start.elapsed(),
        }),
    }
}

/// What one DescribeTable answer means for a wait.
enum Poll<T> {
    Done(T),
    /// Not yet; the status, for the timeout error.
    Pending(String),
}

/// The polling loop: DescribeTable, judged by `judge`, then a pause; every
/// poll is cut off at the deadline so a server that stops answering cannot
/// stretch the wait past `timeout`.
async fn poll<T>(
    client: &Client,
    table: &str,
    timeout: Duration,
    target: &'static str,
    judge: impl Fn(Result<TableDescription>) -> Result<Poll<T>>,
) -> Result<T> {
    let start = Instant::now();
    let mut last_status = String::from("not polled yet");
    loop {
        // The last poll is due right at the deadline; it gets a moment to
        // answer, so the whole wait ends by `timeout + FINAL_POLL_GRACE`.
        let remaining = timeout
            .saturating_sub(start.elapsed())
            .max(FINAL_POLL_GRACE);
        let answer = match tokio::time::timeout(remaining, describe(client, table)).await {
            Ok(answer) => answer,
            Err(_) => {
                return Err(Error::WaitTimeout {
                    table: table.to_owned(),
                    target,
                    last_status: format!(
                        "{last_status}; the last DescribeTable did not answer in time"
                    ),
                    waited: start.elapsed(),
                })
            }
        };
        match judge(answer)? {
            Poll::Done(value) => return Ok(value),
            Poll::Pending(status) => last_status = status,
        }
        pause(start, timeout, table, target, &last_status).await?;
    }
}

/// Sleeps until the next poll, or fails with the timeout error when no time
/// is left for one.
async fn pause(
    start: Instant,
    timeout: Duration,
    table: &str,
    target: &'static str,
    last_status: &str,
) -> Result<()> {
    let elapsed = start.elapsed();
    if elapsed >= timeout {
        return Err(Error::WaitTimeout {
            table: table.to_owned(),
            target,
            last_status: last_status.to_owned(),
            waited: elapsed,
        });
    }
    // The last pause is cut short so the final poll happens right at the
    // deadline instead of after it.
    tokio::time::sleep(next_delay(elapsed).min(timeout - elapsed)).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodb::types::GlobalSecondaryIndexDescription;

    #[test]
    fn delays_start_in_tens_of_ms_and_stay_within_an_eighth_of_the_wait() {
        assert_eq!(next_delay(Duration::ZERO), MIN_DELAY);
        assert_eq!(
            next_delay(Duration::from_millis(800)),
            Duration::from_millis(100)
        );
        assert_eq!(next_delay(Duration::from_secs(60)), MAX_DELAY);
    }

    #[test]
    fn polls_for_a_half_second_table_land_within_twenty_percent() {
        // Simulated clock: the time of each poll if every request were instant.
        let ready_at = Duration::from_millis(500);
        let mut now = Duration::ZERO;
        let mut polls = 1;
        while now < ready_at {
            now += next_delay(now);
            polls += 1;
        }
        assert!(
            now.as_secs_f64() <= ready_at.as_secs_f64() * 1.2,
            "reported at {now:?}"
        );
        assert!(polls < 30, "{polls} polls");
    }

    fn gsi(name: &str, status: IndexStatus) -> GlobalSecondaryIndexDescription {
        GlobalSecondaryIndexDescription::builder()
            .index_name(name)
            .index_status(status)
            .build()
    }

    #[test]
    fn ready_needs_the_table_and_every_gsi_active() {
        let table = |status, gsis: Vec<GlobalSecondaryIndexDescription>| {
            TableDescription::builder()
                .table_status(status)
                .set_global_secondary_indexes(Some(gsis))
                .build()
        };
        assert!(is_ready(&table(TableStatus::Active, vec![])));
        assert!(!is_ready(&table(TableStatus::Creating, vec![])));
        let creating = table(
            TableStatus::Active,
            vec![
                gsi("a", IndexStatus::Active),
                gsi("by_email", IndexStatus::Creating),
            ],
        );
        assert!(!is_ready(&creating));
        assert_eq!(
            status_summary(&creating),
            "ACTIVE (index by_email: CREATING)"
        );
        assert!(is_ready(&table(
            TableStatus::Active,
            vec![gsi("a", IndexStatus::Active)]
        )));
    }

    #[test]
    fn settled_also_needs_encryption_that_is_not_changing() {
        use aws_sdk_dynamodb::types::SseDescription;
        let with_sse = |status| {
            TableDescription::builder()
                .table_status(TableStatus::Active)
                .sse_description(SseDescription::builder().status(status).build())
                .build()
        };
        let updating = with_sse(SseStatus::Updating);
        assert!(is_ready(&updating), "ACTIVE, so data calls may go on");
        assert!(!is_settled(&updating));
        assert_eq!(status_summary(&updating), "ACTIVE (encryption: UPDATING)");
        assert!(!is_settled(&with_sse(SseStatus::Enabling)));
        assert!(!is_settled(&with_sse(SseStatus::Disabling)));
        assert!(is_settled(&with_sse(SseStatus::Enabled)));
        assert!(is_settled(&with_sse(SseStatus::Disabled)));
        assert!(is_settled(
            &TableDescription::builder()
                .table_status(TableStatus::Active)
                .build()
        ));
    }
}
