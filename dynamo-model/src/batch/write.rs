//! BatchWriteItem over any number of items: `batch_put` and `batch_delete`
//! split the items into requests of 25 (DynamoDB's limit), send several at
//! once, and retry what comes back unprocessed (or throttled) with jittered
//! backoff. Two items with one key in a call are one write (the last, as if
//! written one after the other): DynamoDB refuses a request that names a key
//! twice. When retries run out, the error lists exactly the keys not written.

use std::collections::HashMap;
use std::future::{Future, IntoFuture};
use std::pin::Pin;

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::{DeleteRequest, PutRequest, WriteRequest};
use aws_sdk_dynamodb::Client;
use futures_util::StreamExt;
use serde::Serialize;

use super::incomplete::{incomplete, Failure};
use super::retry::{self, Retry};
use super::Settings;
use crate::error::{cause, Error, Result};
use crate::item::encode;
use crate::item::key::{IntoKey, ItemKey};
use crate::item::version;
use crate::{DynamoModel, Table, TableSchema};

/// DynamoDB's limit of write requests per BatchWriteItem.
pub const MAX_BATCH_WRITE: usize = 25;

/// A batch write on its way. Made by [`Table::batch_put`] and
/// [`Table::batch_delete`]; awaiting it gives the number of distinct items
/// written or deleted.
#[must_use = "a batch does nothing until it is awaited"]
pub struct BatchWrite<M> {
    table: Table<M>,
    requests: Result<Vec<(ItemKey, WriteRequest)>>,
    settings: Settings,
    /// A delete of an entity's items, each checked to be of the entity.
    checked: bool,
    /// The caller's concurrency, where set.
    concurrency: Option<usize>,
}

/// The requests in first-seen key order, each key once with its last request.
fn last_per_key(requests: Vec<(ItemKey, WriteRequest)>) -> Vec<(ItemKey, WriteRequest)> {
    let mut position: HashMap<String, usize> = HashMap::new();
    let mut out: Vec<(ItemKey, WriteRequest)> = Vec::with_capacity(requests.len());
    for (key, request) in requests {
        let identity = key.identity();
        match position.get(&identity) {
            Some(&i) => out[i].1 = request,
            None => {
                position.insert(identity, out.len());
                out.push((key, request));
            }
        }
    }
    out
}

impl<M: DynamoModel + Serialize> Table<M> {
    /// Stores every item, in requests of 25, several at once, retrying what
    /// DynamoDB leaves unprocessed. Items are encoded as [`put`](Self::put)
    /// encodes them (no NULL index keys, 400 KB checked) before anything is
    /// sent. A batch cannot check a `#[version]`, so a versioned model is
    /// refused (use `put`, or a transaction).
    ///
    /// ```
    /// # use dynamo_model::testing::LocalDynamoDb;
    /// # use dynamo_model::{CreateTableOptions, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize, serde::Deserialize, Debug)]
    /// # struct User { #[hash_key] id: u32 }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = LocalDynamoDb::embedded()?;
    /// let users = local.db().table::<User>();
    /// users.create(CreateTableOptions::new().wait(true)).await?;
    /// let all: Vec<User> = (0..1000).map(|id| User { id }).collect();
    /// assert_eq!(users.batch_put(&all).await?, 1000);
    /// let some = users.batch_get([1, 2, 3, 5000]).await?;
    /// assert_eq!(some.len(), 3);
    /// users.batch_delete(0..500).await?;
    /// assert_eq!(users.scan().all().await?.len(), 500);
    /// # Ok(()) }
    /// ```
    pub fn batch_put<'i, I>(&self, items: I) -> BatchWrite<M>
    where
        I: IntoIterator<Item = &'i M>,
        M: 'i,
    {
        let table = self.name();
        let requests = if let Some(field) = version::field(M::field_infos()) {
            Err(Error::invalid(
                table,
                "batch_put",
                format!(
                    "the model has a #[version] field (`{}`), and a batch write cannot check it; \
                     use `put` or a transaction so that no update is lost",
                    field.name()
                ),
            ))
        } else {
            items
                .into_iter()
                .map(|item| {
                    let (attributes, key) = encode::to_item(table, item)?;
                    let put = PutRequest::builder()
                        .set_item(Some(attributes))
                        .build()
                        .map_err(|e| Error::invalid(table, "item", e.to_string()))?;
                    Ok((key, WriteRequest::builder().put_request(put).build()))
                })
                .collect::<Result<Vec<_>>>()
        };
        BatchWrite {
            table: self.clone(),
            requests: requests.map(last_per_key),
            settings: Settings::default(),
            checked: false,
            concurrency: None,
        }
    }
}

impl<M: DynamoModel> Table<M> {
    /// Deletes the items with these keys (typed from the model), in
    /// requests of 25, several at once, retrying what is left unprocessed.
    ///
    /// An entity of a shared table deletes only its own items, as
    /// [`delete`](Self::delete) does: BatchWriteItem takes no condition, so
    /// each key is one conditional DeleteItem instead
    /// ([`DEFAULT_CHECKED_DELETE_CONCURRENCY`](crate::DEFAULT_CHECKED_DELETE_CONCURRENCY)
    /// in flight; the same write units, more requests). A key whose item
    /// is of another entity keeps it, and the call ends in
    /// [`Error::BatchIncomplete`](crate::Error::BatchIncomplete) naming
    /// it, after every other item is deleted.
    /// [`any_entity`](BatchWrite::any_entity) deletes by key alone, in
    /// batches of 25.
    ///
    /// ```
    /// # use dynamo_model::testing::LocalDynamoDb;
    /// # use dynamo_model::{CreateTableOptions, DynamoModel, DynamoTable, Error};
    /// #[derive(DynamoTable)]
    /// #[dynamo(name = "app", hash_key = "pk", range_key = "sk")]
    /// struct App;
    ///
    /// #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
    /// #[dynamo(table = App, entity = "order", pk = "ORDER#{id}", sk = "ORDER")]
    /// struct Order { id: String }
    ///
    /// // Meets `Order`'s key where an order's id is `1#ITEM#7`.
    /// #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
    /// #[dynamo(table = App, entity = "item", pk = "ORDER#{order}#ITEM#{n}", sk = "ORDER")]
    /// struct Item { order: String, n: String }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = LocalDynamoDb::embedded()?;
    /// let db = local.db();
    /// db.table::<App>().create(CreateTableOptions::new().wait(true)).await?;
    /// let (orders, items) = (db.table::<Order>(), db.table::<Item>());
    /// orders.put(&Order { id: "2".into() }).await?;
    /// items.put(&Item { order: "1".into(), n: "7".into() }).await?;
    ///
    /// // "1#ITEM#7" is the item's key: it is not an order, and stays.
    /// let err = orders.batch_delete(["1#ITEM#7", "2"]).await.unwrap_err();
    /// assert!(matches!(err, Error::BatchIncomplete { done: 1, .. }));
    /// assert!(items.get(("1", "7")).await?.is_some());
    /// assert!(orders.get("2").await?.is_none());
    ///
    /// // By key alone, whatever entity the item is of.
    /// assert_eq!(orders.batch_delete(["1#ITEM#7"]).any_entity().await?, 1);
    /// assert!(items.get(("1", "7")).await?.is_none());
    /// # Ok(()) }
    /// ```
    pub fn batch_delete<K, I>(&self, keys: I) -> BatchWrite<M>
    where
        K: IntoKey<M::Key>,
        I: IntoIterator<Item = K>,
    {
        let table = self.name();
        let requests = keys
            .into_iter()
            .map(|key| {
                let key = ItemKey::for_model::<M>(table, &key)?;
                let delete = DeleteRequest::builder()
                    .set_key(Some(key.attributes()))
                    .build()
                    .map_err(|e| Error::invalid(table, "key", e.to_string()))?;
                Ok((key, WriteRequest::builder().delete_request(delete).build()))
            })
            .collect::<Result<Vec<_>>>();
        BatchWrite {
            table: self.clone(),
            requests: requests.map(last_per_key),
            settings: Settings::default(),
            checked: M::entity().is_some(),
            concurrency: None,
        }
    }
}

impl<M> BatchWrite<M> {
    /// How many requests are in flight at once (default
    /// [`DEFAULT_BATCH_CONCURRENCY`](crate::DEFAULT_BATCH_CONCURRENCY)
    /// BatchWriteItems, or for an entity's checked delete
    /// [`DEFAULT_CHECKED_DELETE_CONCURRENCY`](crate::DEFAULT_CHECKED_DELETE_CONCURRENCY)
    /// DeleteItems).
    pub fn concurrency(mut self, requests: usize) -> Self {
        self.concurrency = Some(requests.max(1));
        self
    }

    /// For an entity's `batch_delete`: deletes by key alone, whatever
    /// entity the item at the key is of (or none), in BatchWriteItems of
    /// 25. Only for keys the caller knows to be this entity's: where two
    /// templates meet, another entity's item goes too. No effect on
    /// `batch_put`, or on a model that is not an entity.
    pub fn any_entity(mut self) -> Self {
        self.checked = false;
        self
    }

    /// Attempts per request before its remaining items are reported
    /// (default [`DEFAULT_BATCH_ATTEMPTS`](crate::DEFAULT_BATCH_ATTEMPTS)).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.settings.retry.attempts = attempts.max(1);
        self
    }
}

/// The key a write request is for.
fn key_of(schema: &TableSchema, table: &str, request: &WriteRequest) -> Result<ItemKey> {
    let attributes = request
        .put_request()
        .map(|p| p.item())
        .or_else(|| request.delete_request().map(|d| d.key()))
        .ok_or_else(|| Error::invalid(table, "response", "an empty unprocessed write request"))?;
    ItemKey::from_item(schema, table, attributes)
}

/// How a request's writes stopped short.
enum Stop {
    /// Retries ran out (left unprocessed, throttled, 5xx).
    Exhausted(Vec<(ItemKey, WriteRequest)>, String, u32),
    /// DynamoDB refused the request: its error code, its message, and the
    /// attempts made. Sending it again cannot help.
    Refused(Vec<(ItemKey, WriteRequest)>, String, String, u32),
}

/// Sends `pending` until it is all written, retrying what DynamoDB leaves
/// unprocessed and transient failures with jittered backoff.
async fn send_with_retries(
    client: &Client,
    schema: &TableSchema,
    table: &str,
    mut pending: Vec<(ItemKey, WriteRequest)>,
    retry: Retry,
) -> std::result::Result<(), Stop> {
    let mut reason = String::new();
    for attempt in 1..=retry.attempts {
        if attempt > 1 {
            tokio::time::sleep(retry.delay(attempt - 1)).await;
        }
        let requests: Vec<WriteRequest> = pending.iter().map(|(_, r)| r.clone()).collect();
        match client
            .batch_write_item()
            .request_items(table, requests)
            .send()
            .await
        {
            Ok(out) => {
                let left = out
                    .unprocessed_items
                    .and_then(|mut by_table| by_table.remove(table))
                    .unwrap_or_default();
                if left.is_empty() {
                    return Ok(());
                }
                reason = "DynamoDB left them unprocessed (throughput exceeded)".to_owned();
                let mut next = Vec::with_capacity(left.len());
                for request in left {
                    match key_of(schema, table, &request) {
                        Ok(key) => next.push((key, request)),
                        Err(err) => {
                            return Err(Stop::Refused(
                                pending,
                                String::new(),
                                err.to_string(),
                                attempt,
                            ))
                        }
                    }
                }
                pending = next;
            }
            Err(err) => {
                let code = err
                    .as_service_error()
                    .and_then(|e| e.code())
                    .unwrap_or_default()
                    .to_owned();
                let retryable = retry::is_retryable(&err);
                reason = cause::describe(&err);
                if !retryable {
                    return Err(Stop::Refused(pending, code, reason, attempt));
                }
            }
        }
    }
    Err(Stop::Exhausted(pending, reason, retry.attempts))
}

/// Writes one request's worth. A request DynamoDB refuses as invalid
/// (`ValidationException`: one bad item fails all 25) is split in halves
/// until the refused items stand alone, so that every other item is written
/// and the failures name exactly the items refused, with the server's
/// message.
async fn write_chunk(
    client: &Client,
    schema: &TableSchema,
    table: &str,
    chunk: Vec<(ItemKey, WriteRequest)>,
    retry: Retry,
) -> Vec<Failure> {
    let mut failures = Vec::new();
    let mut work = vec![chunk];
    while let Some(pending) = work.pop() {
        let failure = match send_with_retries(client, schema, table, pending, retry).await {
            Ok(()) => continue,
            Err(Stop::Refused(mut pending, code, _, _))
                if code == "ValidationException" && pending.len() > 1 =>
            {
                let second = pending.split_off(pending.len() / 2);
                work.push(second);
                work.push(pending);
                continue;
            }
            Err(Stop::Refused(pending, code, reason, attempts)) => Failure {
                keys: pending.into_iter().map(|(k, _)| k).collect(),
                reason,
                attempts,
                table_missing: code == "ResourceNotFoundException",
            },
            Err(Stop::Exhausted(pending, reason, attempts)) => Failure {
                keys: pending.into_iter().map(|(k, _)| k).collect(),
                reason,
                attempts,
                table_missing: false,
            },
        };
        failures.push(failure);
    }
    failures
}

impl<M: DynamoModel + 'static> IntoFuture for BatchWrite<M> {
    type Output = Result<usize>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<usize>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let requests = self.requests?;
            let count = requests.len();
            if count == 0 {
                return Ok(0);
            }
            if self.checked {
                let keys = requests.into_iter().map(|(key, _)| key).collect();
                let concurrency = self
                    .concurrency
                    .unwrap_or(super::checked_delete::DEFAULT_CHECKED_DELETE_CONCURRENCY);
                let failures =
                    super::checked_delete::delete_each(&self.table, keys, concurrency).await;
                let table = self.table.name().to_owned();
                return incomplete(table, "DeleteItem", count, failures).map_or(Ok(count), Err);
            }
            let client = self.table.client()?.clone();
            let table = self.table.name().to_owned();
            let schema = M::schema();
            let retry = self.settings.retry;
            let concurrency = self.concurrency.unwrap_or(self.settings.concurrency);
            let mut chunks = Vec::new();
            let mut requests = requests.into_iter().peekable();
            while requests.peek().is_some() {
                chunks.push(requests.by_ref().take(MAX_BATCH_WRITE).collect::<Vec<_>>());
            }
            let failures: Vec<Failure> = futures_util::stream::iter(chunks)
                .map(|chunk| {
                    let (client, table) = (&client, table.as_str());
                    async move { write_chunk(client, schema, table, chunk, retry).await }
                })
                .buffer_unordered(concurrency)
                .flat_map(futures_util::stream::iter)
                .collect()
                .await;
            incomplete(table, "BatchWriteItem", count, failures).map_or(Ok(count), Err)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AttributeType;
    use aws_sdk_dynamodb::types::AttributeValue;

    #[test]
    fn a_key_twice_is_one_write_the_last() {
        let names = [("id".to_owned(), AttributeType::S)];
        let key = |id: &str| {
            ItemKey::from_values("things", &names, vec![AttributeValue::S(id.into())]).unwrap()
        };
        let put = |v: &str| {
            let item = HashMap::from([
                ("id".to_owned(), AttributeValue::S("a".into())),
                ("v".to_owned(), AttributeValue::S(v.into())),
            ]);
            WriteRequest::builder()
                .put_request(PutRequest::builder().set_item(Some(item)).build().unwrap())
                .build()
        };
        let out = last_per_key(vec![
            (key("a"), put("1")),
            (key("b"), put("x")),
            (key("a"), put("2")),
        ]);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].0, key("a"));
        assert_eq!(
            out[0].1.put_request().unwrap().item()["v"],
            AttributeValue::S("2".into())
        );
    }
}
