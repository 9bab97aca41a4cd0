//! The DynamoDB stream event of AWS Lambda (feature `lambda`), decoded
//! into the model, and the partial batch response that has Lambda retry
//! only from the first record that failed.
//!
//! ```
//! use dynamo_model::stream::lambda::{self, Event};
//! use dynamo_model::DynamoModel;
//!
//! #[derive(DynamoModel, serde::Serialize, serde::Deserialize, Debug)]
//! struct User { #[hash_key] id: String, name: String }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let event: Event = serde_json::from_value(serde_json::json!({ "Records": [{
//!     "eventID": "1", "eventName": "INSERT", "eventVersion": "1.1",
//!     "eventSource": "aws:dynamodb", "awsRegion": "us-east-1",
//!     "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/User/stream/2024-01-01T00:00:00.000",
//!     "dynamodb": {
//!         "Keys": { "id": { "S": "u1" } },
//!         "NewImage": { "id": { "S": "u1" }, "name": { "S": "Ada" } },
//!         "SequenceNumber": "111", "SizeBytes": 26, "StreamViewType": "NEW_AND_OLD_IMAGES"
//!     }
//! }]}))?;
//! // In a handler: `async fn handler(event: LambdaEvent<Event>) -> Result<DynamoDbEventResponse, _>`.
//! let handled = lambda::for_each_change::<User, _, _, std::io::Error>(event, |change| async move {
//!     println!("{} is now {:?}", change.key(), change.new_image().ok().flatten());
//!     Ok(())
//! })
//! .await;
//! assert!(handled.response.batch_item_failures.is_empty());
//! # Ok(()) }
//! ```

use std::future::Future;
use std::time::{Duration, SystemTime};

pub use aws_lambda_events::event::dynamodb::{Event, EventRecord, StreamViewType};
pub use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};

use super::change::Change;
use super::record::StreamRecord;
use crate::error::{Error, Result};
use crate::read::page::ReadItem;
use crate::DynamoModel;

/// The principal of DynamoDB's own removes (TTL), in a record's user
/// identity.
const DYNAMODB_SERVICE: &str = "dynamodb.amazonaws.com";

/// The changes of a Lambda event, in its order, decoded into `M`: one
/// `Result` per record of `M` (records of entities `M` does not read are
/// left out), so one bad record never hides the others; a bad one is
/// [`Error::ChangeUnreadable`] with its sequence number.
pub fn changes<M: DynamoModel + ReadItem>(event: Event) -> Vec<Result<Change<M>>> {
    event
        .records
        .into_iter()
        .filter_map(|r| record(r).decode::<M>().transpose())
        .collect()
}

/// One record of the event, as the stream record every source maps onto.
pub fn record(record: EventRecord) -> StreamRecord {
    let change = record.change;
    let sequence_number = change.sequence_number.unwrap_or_default();
    let mut out = StreamRecord::new(record.event_name, change.keys, sequence_number);
    // The event has an empty map for an image the record lacks.
    if !change.new_image.is_empty() {
        out = out.new_image(change.new_image);
    }
    if !change.old_image.is_empty() {
        out = out.old_image(change.old_image);
    }
    if let Some(view) = change
        .stream_view_type
        .and_then(|v| super::record::view_named(&v.to_string()))
    {
        out = out.view(view);
    }
    if let Some(table) = record.event_source_arn.as_deref().and_then(table_of_arn) {
        out = out.table(table);
    }
    let micros = change.approximate_creation_date_time.timestamp_micros();
    // The event leaves it at 0 when the record has none.
    if let Ok(micros) = u64::try_from(micros) {
        if micros > 0 {
            out = out.approximate_creation(SystemTime::UNIX_EPOCH + Duration::from_micros(micros));
        }
    }
    let by_ttl = record
        .user_identity
        .is_some_and(|u| u.type_ == "Service" && u.principal_id == DYNAMODB_SERVICE);
    out.by_ttl(by_ttl)
}

/// `arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>` ->
/// `<name>`.
fn table_of_arn(arn: &str) -> Option<&str> {
    let (_, rest) = arn.split_once(":table/")?;
    Some(rest.split_once('/').map_or(rest, |(name, _)| name))
}

/// The partial batch response: empty when every record was handled, else
/// naming the first that failed, from which Lambda retries the batch
/// (turn on `ReportBatchItemFailures` in the event source mapping). An
/// empty identifier is Lambda's "the whole batch failed": it retries
/// every record.
pub fn batch_response(first_failed: Option<&str>) -> DynamoDbEventResponse {
    let mut response = DynamoDbEventResponse::default();
    if let Some(sequence_number) = first_failed {
        let mut failure = DynamoDbBatchItemFailure::default();
        failure.item_identifier = Some(sequence_number.to_owned());
        response.batch_item_failures.push(failure);
    }
    response
}

/// What [`for_each_change`] did: the response to return to Lambda, and the
/// failure that stopped it, if one did.
#[derive(Debug)]
pub struct Handled<E> {
    /// The partial batch response.
    pub response: DynamoDbEventResponse,
    /// The record that failed first (its sequence number) and why.
    pub failure: Option<(String, Failure<E>)>,
}

/// Why a record failed.
#[derive(Debug)]
pub enum Failure<E> {
    /// It could not be read as the model.
    Unreadable(Error),
    /// The handler failed on it.
    Handler(E),
}

/// Hands each change of the event to `handle`, in order, and stops at the
/// first record that cannot be read or that `handle` fails on: the
/// response then names that record, so Lambda retries it and the ones
/// after it, not those already handled.
///
/// A record without a sequence number (which Lambda never sends, but a
/// hand-made event can hold) cannot be named: the response names the
/// record before it that has one, so Lambda retries from there (that
/// record is handled again), or, with none before it, the whole batch, as
/// an empty identifier tells Lambda. Never a success, and never a record
/// after the failed one.
pub async fn for_each_change<M, F, Fut, E>(event: Event, mut handle: F) -> Handled<E>
where
    M: DynamoModel + ReadItem,
    F: FnMut(Change<M>) -> Fut,
    Fut: Future<Output = std::result::Result<(), E>>,
{
    let mut last_named: Option<String> = None;
    for record in event.records.into_iter().map(record) {
        let sequence_number = record.sequence_number().to_owned();
        let failure = match record.decode::<M>() {
            Ok(None) => None,
            Ok(Some(change)) => match handle(change).await {
                Ok(()) => None,
                Err(err) => Some(Failure::Handler(err)),
            },
            Err(err) => Some(Failure::Unreadable(err)),
        };
        let Some(failure) = failure else {
            if !sequence_number.is_empty() {
                last_named = Some(sequence_number);
            }
            continue;
        };
        let retry_from = if sequence_number.is_empty() {
            last_named.unwrap_or_default()
        } else {
            sequence_number.clone()
        };
        return Handled {
            response: batch_response(Some(&retry_from)),
            failure: Some((sequence_number, failure)),
        };
    }
    Handled {
        response: batch_response(None),
        failure: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_read_from_the_stream_arn() {
        assert_eq!(
            table_of_arn(
                "arn:aws:dynamodb:us-east-1:123456789012:table/app/stream/2024-01-01T00:00:00.000"
            ),
            Some("app")
        );
        assert_eq!(
            table_of_arn("arn:aws:dynamodb:us-east-1:1:table/app"),
            Some("app")
        );
        assert_eq!(table_of_arn("not an arn"), None);
    }

    #[test]
    fn the_batch_response_names_the_first_failed_record() {
        assert!(batch_response(None).batch_item_failures.is_empty());
        let response = batch_response(Some("42"));
        assert_eq!(
            serde_json::to_value(&response).unwrap(),
            serde_json::json!({ "batchItemFailures": [{ "itemIdentifier": "42" }] })
        );
    }
}
