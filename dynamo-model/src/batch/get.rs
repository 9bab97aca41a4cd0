//! BatchGetItem over any number of keys: requests of 100 (DynamoDB's
//! limit), several at once, unprocessed keys retried with jittered backoff.
//! A key given twice is read once (DynamoDB refuses a request that names a
//! key twice). The items come back in the order their keys were first given;
//! keys with no item are left out.

use std::collections::{HashMap, HashSet};
use std::future::{Future, IntoFuture};
use std::pin::Pin;

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::KeysAndAttributes;
use aws_sdk_dynamodb::Client;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use super::incomplete::{incomplete, Failure};
use super::retry::{self, Retry};
use super::Settings;
use crate::error::{cause, Error, Result};
use crate::item::encode::{self, Attributes};
use crate::item::key::{IntoKey, ItemKey};
use crate::{DynamoModel, Table, TableSchema};

/// DynamoDB's limit of keys per BatchGetItem.
pub const MAX_BATCH_GET: usize = 100;

/// A batch read on its way. Made by [`Table::batch_get`]; awaiting it gives
/// the items found, in the order of their keys.
#[must_use = "a batch does nothing until it is awaited"]
pub struct BatchGet<M> {
    table: Table<M>,
    keys: Result<Vec<ItemKey>>,
    consistent_read: bool,
    settings: Settings,
}

impl<M: DynamoModel + DeserializeOwned> Table<M> {
    /// The items with these keys (typed from the model), read in requests
    /// of 100, several at once; see [`batch_put`](Self::batch_put) for an
    /// example.
    pub fn batch_get<K, I>(&self, keys: I) -> BatchGet<M>
    where
        K: IntoKey<M::Key>,
        I: IntoIterator<Item = K>,
    {
        let table = self.name();
        let mut seen = HashSet::new();
        let keys = keys
            .into_iter()
            .map(|key| ItemKey::for_model::<M>(table, &key))
            .filter(|key| match key {
                Ok(key) => seen.insert(key.identity()),
                Err(_) => true,
            })
            .collect::<Result<Vec<_>>>();
        BatchGet {
            table: self.clone(),
            keys,
            consistent_read: false,
            settings: Settings::default(),
        }
    }
}

impl<M> BatchGet<M> {
    /// Strongly consistent reads.
    pub fn consistent_read(mut self) -> Self {
        self.consistent_read = true;
        self
    }

    /// How many requests are in flight at once.
    pub fn concurrency(mut self, requests: usize) -> Self {
        self.settings.concurrency = requests.max(1);
        self
    }

    /// Attempts per request before its remaining keys are reported.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.settings.retry.attempts = attempts.max(1);
        self
    }
}

/// The items a request found, and the keys it could not read.
type ChunkResult = (Vec<Attributes>, Option<Failure>);

/// Reads one request's worth of keys, retrying what is left.
async fn read_chunk(
    client: &Client,
    schema: &TableSchema,
    table: &str,
    keys: Vec<ItemKey>,
    consistent_read: bool,
    retry: Retry,
) -> ChunkResult {
    let mut found = Vec::new();
    let mut pending: Vec<Attributes> = keys.into_iter().map(ItemKey::into_attributes).collect();
    let mut reason = String::new();
    let (mut attempts, mut table_missing) = (0, false);
    for attempt in 1..=retry.attempts {
        attempts = attempt;
        if attempt > 1 {
            tokio::time::sleep(retry.delay(attempt - 1)).await;
        }
        let request = match KeysAndAttributes::builder()
            .set_keys(Some(pending.clone()))
            .consistent_read(consistent_read)
            .build()
        {
            Ok(request) => request,
            Err(err) => {
                reason = err.to_string();
                break;
            }
        };
        match client
            .batch_get_item()
            .request_items(table, request)
            .send()
            .await
        {
            Ok(out) => {
                if let Some(mut by_table) = out.responses {
                    found.extend(by_table.remove(table).unwrap_or_default());
                }
                pending = out
                    .unprocessed_keys
                    .and_then(|mut by_table| by_table.remove(table))
                    .map(|k| k.keys)
                    .unwrap_or_default();
                if pending.is_empty() {
                    return (found, None);
                }
                reason = "DynamoDB left them unprocessed (throughput exceeded)".to_owned();
            }
            Err(err) => {
                let retryable = retry::is_retryable(&err);
                table_missing = err
                    .as_service_error()
                    .is_some_and(|e| e.code() == Some("ResourceNotFoundException"));
                reason = cause::describe(&err);
                if !retryable {
                    break;
                }
            }
        }
    }
    let keys: Vec<ItemKey> = pending
        .iter()
        .filter_map(|k| ItemKey::from_item(schema, table, k).ok())
        .collect();
    if keys.len() < pending.len() {
        // Never silently fewer: say that some could not even be named.
        reason = format!(
            "{reason}; the server also returned {} unprocessed key(s) that are not keys of this table",
            pending.len() - keys.len()
        );
    }
    let failure = Failure {
        keys,
        reason,
        attempts,
        table_missing,
    };
    (found, Some(failure))
}

impl<M: DynamoModel + DeserializeOwned + 'static> IntoFuture for BatchGet<M> {
    type Output = Result<Vec<M>>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<Vec<M>>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let keys = self.keys?;
            if keys.is_empty() {
                return Ok(Vec::new());
            }
            let client = self.table.client()?.clone();
            let table = self.table.name().to_owned();
            let schema = M::schema();
            let (retry, consistent) = (self.settings.retry, self.consistent_read);
            let order: Vec<String> = keys.iter().map(ItemKey::identity).collect();
            let chunks: Vec<Vec<ItemKey>> = keys.chunks(MAX_BATCH_GET).map(<[_]>::to_vec).collect();
            let results: Vec<ChunkResult> = futures_util::stream::iter(chunks)
                .map(|chunk| {
                    let (client, table) = (&client, table.as_str());
                    async move { read_chunk(client, schema, table, chunk, consistent, retry).await }
                })
                .buffer_unordered(self.settings.concurrency)
                .collect()
                .await;
            let mut found = Vec::new();
            let mut failures = Vec::new();
            for (items, failure) in results {
                found.extend(items);
                failures.extend(failure);
            }
            if let Some(err) = incomplete(table.clone(), "BatchGetItem", keys.len(), failures) {
                return Err(err);
            }
            in_request_order(schema, &table, &order, found)?
                .into_iter()
                .map(|(key, item)| encode::from_item(&table, &key, item))
                .collect()
        })
    }
}

/// The items found, in the order of the keys requested (`order`: their
/// identities). An item is matched to its key by the key's identity, as
/// DynamoDB tells keys apart, never by its text: the server answers with its
/// own spelling of a number (`0` for `-0`, `100` for `1e2`). An item that
/// matches no key requested is an error, not dropped.
fn in_request_order(
    schema: &TableSchema,
    table: &str,
    order: &[String],
    items: Vec<Attributes>,
) -> Result<Vec<(ItemKey, Attributes)>> {
    let mut found: HashMap<String, (ItemKey, Attributes)> = HashMap::with_capacity(items.len());
    for item in items {
        let key = ItemKey::from_item(schema, table, &item)?;
        found.insert(key.identity(), (key, item));
    }
    let mut out = Vec::with_capacity(found.len());
    for identity in order {
        if let Some(entry) = found.remove(identity) {
            out.push(entry);
        }
    }
    if let Some((key, _)) = found.into_values().next() {
        return Err(Error::invalid(
            table,
            "response",
            format!("BatchGetItem returned item `{key}`, whose key matches none requested"),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AttributeType;
    use aws_sdk_dynamodb::types::AttributeValue;

    fn schema() -> TableSchema {
        TableSchema::builder("things")
            .hash_key("id", AttributeType::N)
            .build()
            .unwrap()
    }

    fn requested(texts: &[&str]) -> Vec<String> {
        texts
            .iter()
            .map(|t| {
                ItemKey::from_item(&schema(), "t", &item(t))
                    .unwrap()
                    .identity()
            })
            .collect()
    }

    fn item(n: &str) -> Attributes {
        Attributes::from([("id".to_owned(), AttributeValue::N(n.into()))])
    }

    #[test]
    fn items_match_their_keys_whatever_spelling_the_server_answers_with() {
        let sent = [
            "-0",
            "1.0",
            "1e2",
            "007",
            "1.50",
            "12345678901234567890123456789012345678",
        ];
        let answered = [
            "1.2345678901234567890123456789012345678e37",
            "1.5",
            "7",
            "100",
            "1",
            "0",
        ];
        let out = in_request_order(
            &schema(),
            "t",
            &requested(&sent),
            answered.iter().map(|n| item(n)).collect(),
        )
        .unwrap();
        let got: Vec<&str> = out
            .iter()
            .map(|(_, item)| item["id"].as_n().unwrap().as_str())
            .collect();
        assert_eq!(
            got,
            [
                "0",
                "1",
                "100",
                "7",
                "1.5",
                "1.2345678901234567890123456789012345678e37"
            ],
            "every item, in the order requested"
        );
    }

    #[test]
    fn an_item_for_no_requested_key_is_an_error() {
        let err = in_request_order(
            &schema(),
            "t",
            &requested(&["1"]),
            vec![item("1"), item("2")],
        )
        .unwrap_err();
        assert!(err.to_string().contains("matches none requested"), "{err}");
    }
}
