//! Time to live: UpdateTimeToLive and DescribeTimeToLive, which DynamoDB
//! accepts only once the table is ACTIVE.

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::{TimeToLiveSpecification, TimeToLiveStatus};
use aws_sdk_dynamodb::Client;

use crate::error::{Error, Result};

/// Turns TTL on for `attribute`, unless it already is. DynamoDB refuses to
/// enable TTL twice, which concurrent `if_not_exists` creates of one table
/// race into: a refusal because it is already on is success when it is on
/// for the model's attribute. TTL on another attribute is a mismatch.
pub(crate) async fn enable(client: &Client, table: &str, attribute: &str) -> Result<()> {
    let mismatch = |other: String| Error::SchemaMismatch {
        table: table.to_owned(),
        differences: vec![format!(
            "TTL is on for attribute `{other}`, but the model's #[ttl] attribute is `{attribute}`"
        )],
    };
    match ttl_state(client, table, attribute).await? {
        TtlState::On => return Ok(()),
        TtlState::OnOther(other) => return Err(mismatch(other)),
        TtlState::Off => {}
    }
    let specification = TimeToLiveSpecification::builder()
        .enabled(true)
        .attribute_name(attribute)
        .build()
        .map_err(|e| Error::invalid(table, "ttl", e.to_string()))?;
    let outcome = client
        .update_time_to_live()
        .table_name(table)
        .time_to_live_specification(specification)
        .send()
        .await;
    let Err(err) = outcome else {
        return Ok(());
    };
    let already = err
        .as_service_error()
        .and_then(|e| e.message())
        .is_some_and(|m| m.to_ascii_lowercase().contains("already enabled"));
    if !already {
        return Err(ttl_failed(table, attribute, err));
    }
    // Another create turned it on between our DescribeTimeToLive and
    // UpdateTimeToLive: look again, and judge what is there.
    match ttl_state(client, table, attribute).await? {
        TtlState::On => Ok(()),
        TtlState::OnOther(other) => Err(mismatch(other)),
        TtlState::Off => Err(ttl_failed(table, attribute, err)),
    }
}

fn ttl_failed<E>(
    table: &str,
    attribute: &str,
    err: aws_sdk_dynamodb::error::SdkError<E, aws_sdk_dynamodb::config::http::HttpResponse>,
) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    Error::TtlNotEnabled {
        table: table.to_owned(),
        attribute: attribute.to_owned(),
        message: {
            let said = crate::error::cause::describe(&err);
            if said.starts_with("UnknownOperationException") {
                format!("{said}; create with `enable_ttl(false)` to skip TTL on this server")
            } else {
                said
            }
        },
        source: Box::new(err),
    }
}

/// A failure to turn TTL on for a new attribute, right after it was turned
/// off for `old`: TTL is now off, which the caller must hear, and on AWS the
/// cause is usually that a table takes one TTL change an hour.
pub(crate) fn after_disabling(err: Error, old: &str) -> Error {
    let Error::TtlNotEnabled {
        table,
        attribute,
        message,
        source,
    } = err
    else {
        return err;
    };
    let hint = if message.contains("multiple times") {
        format!(
            "DynamoDB takes one TTL change per table an hour: apply a new plan after that hour \
             to turn TTL on for `{attribute}`"
        )
    } else {
        format!("apply a new plan to turn TTL on for `{attribute}`")
    };
    Error::TtlNotEnabled {
        message: format!("{message}; TTL on `{old}` was turned off first and is off now; {hint}"),
        table,
        attribute,
        source,
    }
}

/// What DescribeTimeToLive says about the model's TTL attribute.
enum TtlState {
    Off,
    /// On, or turning on, for the model's attribute.
    On,
    /// On, or turning on, for this other attribute.
    OnOther(String),
}

async fn ttl_state(client: &Client, table: &str, attribute: &str) -> Result<TtlState> {
    let on = current(client, table)
        .await
        .map_err(|e| ttl_failed(table, attribute, e))?;
    Ok(match on {
        None => TtlState::Off,
        Some(name) if name == attribute => TtlState::On,
        Some(other) => TtlState::OnOther(other),
    })
}

/// The attribute TTL is on (or turning on) for, `None` when it is off; the
/// server's error as it came when it cannot say.
pub(crate) async fn current(
    client: &Client,
    table: &str,
) -> std::result::Result<
    Option<String>,
    aws_sdk_dynamodb::error::SdkError<
        aws_sdk_dynamodb::operation::describe_time_to_live::DescribeTimeToLiveError,
        aws_sdk_dynamodb::config::http::HttpResponse,
    >,
> {
    let current = client
        .describe_time_to_live()
        .table_name(table)
        .send()
        .await?;
    Ok(current.time_to_live_description().and_then(|ttl| {
        let on = matches!(
            ttl.time_to_live_status(),
            Some(TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling)
        );
        ttl.attribute_name().filter(|_| on).map(str::to_owned)
    }))
}

/// Turns TTL off (`attribute` is the one it is on for, as DynamoDB requires).
pub(crate) async fn disable(client: &Client, table: &str, attribute: &str) -> Result<()> {
    let specification = TimeToLiveSpecification::builder()
        .enabled(false)
        .attribute_name(attribute)
        .build()
        .map_err(|e| Error::invalid(table, "ttl", e.to_string()))?;
    client
        .update_time_to_live()
        .table_name(table)
        .time_to_live_specification(specification)
        .send()
        .await
        .map_err(|e| Error::sdk(table, "UpdateTimeToLive", e))?;
    Ok(())
}
