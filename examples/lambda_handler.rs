//! A Lambda handler of a table's stream (feature `lambda`), as the README
//! shows it: each change decoded into the model, and a partial batch
//! response naming the first record that failed, so that Lambda retries
//! only from it.
//!
//! `cargo run --example lambda_handler` runs the handler on an event in the
//! shape Lambda sends. In a function, the handler is served by the
//! `lambda_runtime` crate (not a dependency here):
//!
//! ```ignore
//! lambda_runtime::run(lambda_runtime::service_fn(|event: LambdaEvent<Event>| {
//!     handler(event.payload)
//! }))
//! .await
//! ```
//!
//! with ReportBatchItemFailures turned on in the event source mapping.

use dynamo_model::stream::lambda::{self, DynamoDbEventResponse, Event};
use dynamo_model::DynamoModel;
use serde::{Deserialize, Serialize};

#[derive(DynamoModel, Serialize, Deserialize, Debug)]
#[dynamo(table = "orders")]
struct Order {
    #[hash_key]
    id: String,
    status: String,
}

/// What the handler does with a shipped order (here: it refuses order
/// `o-bad`, to show a failed record).
async fn notify_shipped(order: &Order) -> Result<(), String> {
    if order.id == "o-bad" {
        return Err(format!("no address for order {}", order.id));
    }
    println!("order {} shipped", order.id);
    Ok(())
}

// README: the handler
async fn handler(event: Event) -> Result<DynamoDbEventResponse, std::io::Error> {
    let handled = lambda::for_each_change::<Order, _, _, String>(event, |change| async move {
        if let Some(order) = change.new_image().map_err(|e| e.to_string())? {
            if order.status == "shipped" {
                notify_shipped(order).await?;
            }
        }
        Ok(())
    })
    .await;
    if let Some((sequence_number, failure)) = &handled.failure {
        eprintln!("record {sequence_number} failed ({failure:?}); Lambda retries from it");
    }
    // Names the first failed record, so only it and those after it are
    // retried (turn on ReportBatchItemFailures in the event source mapping).
    Ok(handled.response)
}
// README: end

/// A record in the shape Lambda sends.
fn record(sequence_number: u32, id: &str, status: &str) -> serde_json::Value {
    serde_json::json!({
        "eventID": sequence_number.to_string(), "eventName": "MODIFY", "eventVersion": "1.1",
        "eventSource": "aws:dynamodb", "awsRegion": "us-east-1",
        "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000",
        "dynamodb": {
            "Keys": { "id": { "S": id } },
            "NewImage": { "id": { "S": id }, "status": { "S": status } },
            "SequenceNumber": sequence_number.to_string(),
            "SizeBytes": 40,
            "StreamViewType": "NEW_IMAGE"
        }
    })
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let event: Event = serde_json::from_value(serde_json::json!({ "Records": [
        record(100, "o-1", "shipped"),
        record(101, "o-2", "packed"),
        record(102, "o-bad", "shipped"),
        record(103, "o-3", "shipped"),
    ]}))?;
    let response = handler(event).await?;
    let failed: Vec<_> = response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_deref())
        .collect();
    println!("batchItemFailures: {failed:?}");
    assert_eq!(
        failed,
        [Some("102")],
        "Lambda retries from the failed record"
    );
    Ok(())
}
