//! BatchWriteItem as a user writes it by hand: serde_dynamo, 25 items per
//! request, unprocessed items sent again until none are left.

use std::collections::HashMap;

use dynamo_model::aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use dynamo_model::aws_sdk_dynamodb::Client;
use serde::Serialize;

/// One put request per item.
pub fn put_requests<T: Serialize>(items: &[T]) -> Vec<WriteRequest> {
    items
        .iter()
        .map(|item| {
            let item: HashMap<String, AttributeValue> = serde_dynamo::to_item(item).unwrap();
            let put = PutRequest::builder().set_item(Some(item)).build().unwrap();
            WriteRequest::builder().put_request(put).build()
        })
        .collect()
}

/// Sends `requests` (at most 25) until DynamoDB has processed them all.
pub async fn write_all(client: &Client, table: &str, mut requests: Vec<WriteRequest>) {
    while !requests.is_empty() {
        let out = client
            .batch_write_item()
            .request_items(table, requests)
            .send()
            .await
            .unwrap();
        requests = out
            .unprocessed_items
            .and_then(|mut m| m.remove(table))
            .unwrap_or_default();
    }
}
