//! GetItem into the model: `orders.get(("c1", 42))`.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use aws_sdk_dynamodb::operation::get_item::GetItemError;
use serde::de::DeserializeOwned;

use super::encode;
use super::key::{IntoKey, ItemKey};
use crate::error::{Error, Result};
use crate::{DynamoModel, Table};

/// A GetItem on its way. Made by [`Table::get`].
#[must_use = "a get does nothing until it is awaited"]
pub struct Get<M> {
    table: Table<M>,
    key: Result<ItemKey>,
    consistent_read: bool,
}

impl<M: DynamoModel + DeserializeOwned> Table<M> {
    /// The item with this key, or `None`. The key is typed from the model:
    /// the hash key value, or `(hash, range)`; `&str` stands for a `String`
    /// key.
    ///
    /// ```
    /// use dynamo_model::testing::LocalDynamoDb;
    /// use dynamo_model::{CreateTableOptions, DynamoModel};
    ///
    /// #[derive(DynamoModel, serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    /// struct Order {
    ///     #[hash_key]
    ///     customer: String,
    ///     #[range_key]
    ///     id: u64,
    ///     total: f64,
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = LocalDynamoDb::embedded()?;
    /// let orders = local.db().table::<Order>();
    /// orders.create(CreateTableOptions::new().wait(true)).await?;
    /// let order = Order { customer: "c1".into(), id: 42, total: 9.5 };
    /// orders.put(&order).await?;
    /// assert_eq!(orders.get(("c1", 42)).consistent_read().await?, Some(order));
    /// assert_eq!(orders.get(("c1", 43)).await?, None);
    /// # Ok(()) }
    /// ```
    pub fn get(&self, key: impl IntoKey<M::Key>) -> Get<M> {
        self.get_prepared(ItemKey::for_model::<M>(self.name(), &key))
    }

    /// The key of `item`, as DynamoDB stores it: the way to address an item
    /// you hold, also when a key field goes through `serde(with = ...)`.
    ///
    /// ```
    /// # use dynamo_model::DynamoModel;
    /// # #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
    /// # struct Order { #[hash_key] customer: String, #[range_key] id: u64 }
    /// let db = dynamo_model::Db::local("http://127.0.0.1:8000");
    /// let order = Order { customer: "c1".into(), id: 42 };
    /// let key = db.table::<Order>().key_of(&order)?;
    /// assert_eq!(key.to_string(), r#"customer = "c1", id = 42"#);
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn key_of(&self, item: &M) -> Result<ItemKey>
    where
        M: serde::Serialize,
    {
        encode::to_item(self.name(), item).map(|(_, key)| key)
    }

    pub(crate) fn get_prepared(&self, key: Result<ItemKey>) -> Get<M> {
        Get {
            table: self.clone(),
            key,
            consistent_read: false,
        }
    }
}

impl<M> Get<M> {
    /// A strongly consistent read: it sees every write acknowledged before
    /// it (at twice the read cost).
    pub fn consistent_read(mut self) -> Self {
        self.consistent_read = true;
        self
    }
}

impl<M: DynamoModel + DeserializeOwned + 'static> IntoFuture for Get<M> {
    type Output = Result<Option<M>>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<Option<M>>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let key = self.key?;
            let table = self.table;
            let output = table
                .client()?
                .get_item()
                .table_name(table.name())
                .set_key(Some(key.attributes()))
                .consistent_read(self.consistent_read)
                .send()
                .await
                .map_err(|err| match err.as_service_error() {
                    Some(GetItemError::ResourceNotFoundException(_)) => Error::TableNotFound {
                        table: table.name().to_owned(),
                    },
                    _ => Error::sdk(table.name(), "GetItem", err),
                })?;
            match output.item {
                Some(item) if !item.is_empty() => {
                    encode::from_item(table.name(), &key, item).map(Some)
                }
                _ => Ok(None),
            }
        })
    }
}
