//! BatchGetItem over any number of keys: requests of 100 (DynamoDB's
//! limit), several at once, unprocessed keys retried with jittered backoff.
//! A key given twice is read once (DynamoDB refuses a request that names a
//! key twice). The items come back in the order their keys were first given;
//! keys with no item are left out.

use std::collections::{HashMap, HashSet};
use std::future::{Future, IntoFuture};
use std::pin::Pin;

use aws_sdk_dynamodb::types::KeysAndAttributes;
use aws_sdk_dynamodb::Client;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use super::retry::{self, Retry};
use super::Settings;
use crate::error::{Error, Result};
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
            .map(|key| {
                let (hash, range) = key.parts();
                ItemKey::encode(M::schema(), table, hash, range)
            })
            .filter(|key| match key {
                Ok(key) => seen.insert(key.to_string()),
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

type ChunkResult = std::result::Result<Vec<Attributes>, (Vec<Attributes>, Vec<ItemKey>, String)>;

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
    let mut pending: Vec<Attributes> = keys.into_iter().map(|k| k.attributes().clone()).collect();
    let mut reason = String::new();
    for attempt in 0..retry.attempts {
        if attempt > 0 {
            tokio::time::sleep(retry.delay(attempt)).await;
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
                    return Ok(found);
                }
                reason = "DynamoDB left them unprocessed (throughput exceeded)".to_owned();
            }
            Err(err) => {
                let retryable = retry::is_retryable(&err);
                reason = Error::sdk(table, "BatchGetItem", err).to_string();
                if !retryable {
                    break;
                }
            }
        }
    }
    let keys = pending
        .iter()
        .filter_map(|k| ItemKey::from_item(schema, table, k).ok())
        .collect();
    Err((found, keys, reason))
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
            let order: Vec<String> = keys.iter().map(ItemKey::to_string).collect();
            let chunks: Vec<Vec<ItemKey>> = keys.chunks(MAX_BATCH_GET).map(<[_]>::to_vec).collect();
            let results: Vec<ChunkResult> = futures_util::stream::iter(chunks)
                .map(|chunk| {
                    let (client, table) = (&client, table.as_str());
                    async move { read_chunk(client, schema, table, chunk, consistent, retry).await }
                })
                .buffer_unordered(self.settings.concurrency)
                .collect()
                .await;
            let mut found: HashMap<String, Attributes> = HashMap::new();
            let mut missing = Vec::new();
            let mut reason = None;
            for result in results {
                let items = match result {
                    Ok(items) => items,
                    Err((items, keys, why)) => {
                        missing.extend(keys.into_iter().map(|k| k.to_string()));
                        reason.get_or_insert(why);
                        items
                    }
                };
                for item in items {
                    let key = ItemKey::from_item(schema, &table, &item)?;
                    found.insert(key.to_string(), item);
                }
            }
            if !missing.is_empty() {
                return Err(Error::BatchIncomplete {
                    table,
                    operation: "BatchGetItem",
                    keys: missing,
                    attempts: retry.attempts,
                    reason: reason.unwrap_or_default(),
                });
            }
            let mut items = Vec::with_capacity(found.len());
            for key_text in order {
                if let Some(item) = found.remove(&key_text) {
                    let key = ItemKey::from_item(schema, &table, &item)?;
                    items.push(encode::from_item(&table, &key, item)?);
                }
            }
            Ok(items)
        })
    }
}
