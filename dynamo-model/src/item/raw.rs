//! Items without a model: put, get and delete attribute maps by table name,
//! with the key given as values (`RawKey::hash("u1").range(42)`). The key
//! schema comes from the handle's schema, or from DescribeTable once per
//! connection and table.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::operation::delete_item::DeleteItemError;
use aws_sdk_dynamodb::operation::get_item::GetItemError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use serde::Serialize;

use super::encode::{self, Attributes};
use super::key::ItemKey;
use crate::error::{Error, Result};
use crate::table::describe;
use crate::{AttributeType, Table};

type KeyNames = Arc<[(String, AttributeType)]>;

/// Key schemas read from DescribeTable, by table name.
#[derive(Clone, Default)]
pub(crate) struct KeyCache(Arc<Mutex<HashMap<String, KeyNames>>>);

impl fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyCache")
    }
}

impl KeyCache {
    pub(crate) fn forget(&self, table: &str) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(table);
    }
}

/// A key given as values: the hash key's, and the range key's if the table
/// has one. Checked against the table's key names and types before any
/// request.
///
/// ```
/// use dynamo_model::RawKey;
/// let key = RawKey::hash("c1").range(42);
/// # let _ = key;
/// ```
#[derive(Debug, Clone)]
pub struct RawKey {
    values: Vec<Result<AttributeValue, String>>,
}

impl RawKey {
    /// A key with this hash key value.
    pub fn hash(value: impl Serialize) -> RawKey {
        RawKey {
            values: vec![serde_dynamo::to_attribute_value(value).map_err(|e| e.to_string())],
        }
    }

    /// The range key value.
    pub fn range(mut self, value: impl Serialize) -> RawKey {
        self.values
            .push(serde_dynamo::to_attribute_value(value).map_err(|e| e.to_string()));
        self
    }
}

impl<M> Table<M> {
    /// The key attributes (names and types), hash first: from the schema,
    /// or read once from DescribeTable.
    async fn key_names(&self) -> Result<KeyNames> {
        if let Some(schema) = self.schema() {
            return Ok(std::iter::once(schema.hash_key())
                .chain(schema.range_key())
                .map(|k| (k.name().to_owned(), k.attribute_type()))
                .collect());
        }
        let cache = &self.db().key_schemas;
        if let Some(names) = cache
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(self.name())
        {
            return Ok(names.clone());
        }
        let description = describe::describe(self.client()?, self.name()).await?;
        let types: HashMap<&str, AttributeType> = description
            .attribute_definitions()
            .iter()
            .filter_map(|d| {
                let t = crate::table::request::attribute_type_of(d.attribute_type())?;
                Some((d.attribute_name(), t))
            })
            .collect();
        let mut keys = description.key_schema().to_vec();
        // HASH first.
        keys.sort_by_key(|k| k.key_type().as_str() != "HASH");
        let names: KeyNames = keys
            .iter()
            .map(|k| {
                let name = k.attribute_name();
                let t = types.get(name).copied().ok_or_else(|| {
                    Error::invalid(
                        self.name(),
                        "response",
                        format!("DescribeTable gave no type for key `{name}`"),
                    )
                })?;
                Ok((name.to_owned(), t))
            })
            .collect::<Result<_>>()?;
        cache
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(self.name().to_owned(), names.clone());
        Ok(names)
    }

    async fn raw_key(&self, key: RawKey) -> Result<ItemKey> {
        let values = key
            .values
            .into_iter()
            .collect::<Result<Vec<_>, _>>()
            .map_err(|reason| Error::invalid(self.name(), "key", reason))?;
        ItemKey::from_values(self.name(), &self.key_names().await?, values)
    }

    /// Stores an attribute map as it is (the model-free put). The map must
    /// hold the table's key attributes with their types; an item over
    /// 400 KB is refused before the request.
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use dynamo_model::aws_sdk_dynamodb::types::AttributeValue;
    /// use dynamo_model::{AttributeType::S, RawKey, TableSchema};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// let schema = TableSchema::builder("audit").hash_key("id", S).build()?;
    /// local.db().table_for_schema(&schema).create(Default::default()).await?;
    ///
    /// let audit = local.db().table_named("audit"); // no model, no schema
    /// let entry = HashMap::from([
    ///     ("id".to_owned(), AttributeValue::S("e1".into())),
    ///     ("what".to_owned(), AttributeValue::S("login".into())),
    /// ]);
    /// audit.put_attributes(entry.clone()).await?;
    /// assert_eq!(audit.get_attributes(RawKey::hash("e1")).await?, Some(entry));
    /// audit.delete_attributes(RawKey::hash("e1")).await?;
    /// assert_eq!(audit.get_attributes(RawKey::hash("e1")).await?, None);
    /// # Ok(()) }
    /// ```
    pub async fn put_attributes(&self, item: HashMap<String, AttributeValue>) -> Result<()> {
        let names = self.key_names().await?;
        let values = names
            .iter()
            .map(|(name, _)| {
                item.get(name).cloned().ok_or_else(|| {
                    Error::invalid(
                        self.name(),
                        "item",
                        format!("the item has no key attribute `{name}`"),
                    )
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let key = ItemKey::from_values(self.name(), &names, values)?;
        let mut item: Attributes = item;
        if let Some(schema) = self.schema() {
            encode::drop_null_index_keys(schema, &mut item);
        }
        encode::check_item(self.name(), &key, &item)?;
        self.client()?
            .put_item()
            .table_name(self.name())
            .set_item(Some(item))
            .send()
            .await
            .map_err(|err| match err.as_service_error() {
                Some(PutItemError::ResourceNotFoundException(_)) => self.not_found(),
                _ => Error::sdk(self.name(), "PutItem", err),
            })?;
        Ok(())
    }

    /// The attribute map of the item with this key, or `None`.
    pub async fn get_attributes(
        &self,
        key: RawKey,
    ) -> Result<Option<HashMap<String, AttributeValue>>> {
        let key = self.raw_key(key).await?;
        let output = self
            .client()?
            .get_item()
            .table_name(self.name())
            .set_key(Some(key.into_attributes()))
            .send()
            .await
            .map_err(|err| match err.as_service_error() {
                Some(GetItemError::ResourceNotFoundException(_)) => self.not_found(),
                _ => Error::sdk(self.name(), "GetItem", err),
            })?;
        Ok(output.item.filter(|item| !item.is_empty()))
    }

    /// Deletes the item with this key, giving back its attributes if there
    /// was one.
    pub async fn delete_attributes(
        &self,
        key: RawKey,
    ) -> Result<Option<HashMap<String, AttributeValue>>> {
        let key = self.raw_key(key).await?;
        let output = self
            .client()?
            .delete_item()
            .table_name(self.name())
            .set_key(Some(key.into_attributes()))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(|err| match err.as_service_error() {
                Some(DeleteItemError::ResourceNotFoundException(_)) => self.not_found(),
                _ => Error::sdk(self.name(), "DeleteItem", err),
            })?;
        Ok(output.attributes.filter(|item| !item.is_empty()))
    }

    fn not_found(&self) -> Error {
        // The table may have been dropped and made again with other keys.
        self.db().key_schemas.forget(self.name());
        Error::TableNotFound {
            table: self.name().to_owned(),
        }
    }
}
