//! Point-in-time recovery: DescribeContinuousBackups and
//! UpdateContinuousBackups, which DynamoDB accepts once the table is ACTIVE.

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::describe_continuous_backups::DescribeContinuousBackupsError;
use aws_sdk_dynamodb::types::{PointInTimeRecoverySpecification, PointInTimeRecoveryStatus};
use aws_sdk_dynamodb::Client;
use std::time::Duration;

use crate::error::{Error, Result};

/// Whether point-in-time recovery is on; the server's error as it came when
/// it cannot say.
pub(crate) async fn point_in_time_recovery(
    client: &Client,
    table: &str,
) -> std::result::Result<
    bool,
    SdkError<DescribeContinuousBackupsError, aws_sdk_dynamodb::config::http::HttpResponse>,
> {
    let answer = client
        .describe_continuous_backups()
        .table_name(table)
        .send()
        .await?;
    Ok(answer
        .continuous_backups_description()
        .and_then(|d| d.point_in_time_recovery_description())
        .and_then(|p| p.point_in_time_recovery_status())
        == Some(&PointInTimeRecoveryStatus::Enabled))
}

/// Turns point-in-time recovery on or off.
pub(crate) async fn set_point_in_time_recovery(
    client: &Client,
    table: &str,
    enabled: bool,
) -> Result<()> {
    let specification = PointInTimeRecoverySpecification::builder()
        .point_in_time_recovery_enabled(enabled)
        .build()
        .map_err(|e| Error::invalid(table, "point_in_time_recovery", e.to_string()))?;
    // Right after a table turns ACTIVE, AWS may still be setting up its
    // backups and answers ContinuousBackupsUnavailableException: retried.
    let start = tokio::time::Instant::now();
    loop {
        let answer = client
            .update_continuous_backups()
            .table_name(table)
            .point_in_time_recovery_specification(specification.clone())
            .send()
            .await;
        match answer {
            Ok(_) => return Ok(()),
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_continuous_backups_unavailable_exception())
                    && start.elapsed() < BACKUPS_SETTLE =>
            {
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
            Err(err) => return Err(Error::sdk(table, "UpdateContinuousBackups", err)),
        }
    }
}

/// How long a new table's backups may take to become available.
const BACKUPS_SETTLE: Duration = Duration::from_secs(120);
