//! DeleteItem: by key (`orders.delete(("c1", 42))`), or of an item you
//! hold (`orders.delete_item(&order)`, which also checks its `#[version]`).
//! (`orders.delete_table()` is DeleteTable.)

use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;

use aws_sdk_dynamodb::operation::delete_item::DeleteItemError;
use aws_sdk_dynamodb::types::{ReturnValue, ReturnValuesOnConditionCheckFailure};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::condition::Condition;
use super::encode::{self, Attributes};
use super::expression::Placeholders;
use super::guard::Guard;
use super::key::{IntoKey, ItemKey};
use super::prepared::{Body, Prepared};
use super::replay::{self, Replay, Sent};
use super::version;
use crate::error::{Error, Result};
use crate::{DynamoModel, Table};

/// A DeleteItem on its way. Made by [`Table::delete`] and
/// [`Table::delete_item`]; awaiting it gives `()`, or with
/// [`returning_old`](Delete::returning_old) the deleted item.
#[must_use = "a delete does nothing until it is awaited"]
pub struct Delete<M, Out = ()> {
    table: Table<M>,
    key: Result<ItemKey>,
    guard: Guard,
    output: PhantomData<fn() -> Out>,
}

/// The output of a delete that returns the old item.
#[derive(Debug)]
pub enum OldItem {}

impl<M: DynamoModel> Table<M> {
    /// Deletes the item with this key (deleting no item is not an error).
    /// The key is typed from the model, as for [`get`](Self::get).
    ///
    /// ```
    /// # use dynamo_model::testing::LocalDynamoDb;
    /// # use dynamo_model::{CreateTableOptions, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    /// # struct User { #[hash_key] id: String, name: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = LocalDynamoDb::embedded()?;
    /// let users = local.db().table::<User>();
    /// users.create(CreateTableOptions::new().wait(true)).await?;
    /// users.put(&User { id: "u1".into(), name: "Ada".into() }).await?;
    /// let old = users.delete("u1").returning_old().await?;
    /// assert_eq!(old.map(|u| u.name).as_deref(), Some("Ada"));
    /// assert_eq!(users.get("u1").await?, None);
    /// # Ok(()) }
    /// ```
    pub fn delete(&self, key: impl IntoKey<M::Key>) -> Delete<M> {
        self.delete_prepared(ItemKey::for_model::<M>(self.name(), &key))
    }

    pub(crate) fn delete_prepared(&self, key: Result<ItemKey>) -> Delete<M> {
        Delete {
            table: self.clone(),
            key,
            guard: Guard::default(),
            output: PhantomData,
        }
    }
}

impl<M: DynamoModel + Serialize> Table<M> {
    /// Deletes the item you hold: by its key, and for a `#[version]` model
    /// only if the stored item is still at its version
    /// ([`Error::VersionConflict`](crate::Error::VersionConflict) otherwise, and nothing is deleted).
    ///
    /// ```
    /// # use dynamo_model::testing::LocalDynamoDb;
    /// # use dynamo_model::{CreateTableOptions, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    /// # struct User { #[hash_key] id: String, name: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// # let local = LocalDynamoDb::embedded()?;
    /// # let users = local.db().table::<User>();
    /// # users.create(CreateTableOptions::new().wait(true)).await?;
    /// let ada = User { id: "u1".into(), name: "Ada".into() };
    /// users.put(&ada).await?;
    /// users.delete_item(&ada).await?;
    /// assert_eq!(users.get("u1").await?, None);
    /// # Ok(()) }
    /// ```
    pub fn delete_item(&self, item: &M) -> Delete<M> {
        let mut guard = Guard::default();
        let key = encode::to_item(self.name(), item).and_then(|(attributes, key)| {
            if let Some(field) = version::field(M::field_infos()) {
                let held = version::read(self.name(), field.attribute, &attributes)?;
                guard.version = Some((field.attribute, version::expected(held)));
            }
            Ok(key)
        });
        Delete {
            table: self.clone(),
            key,
            guard,
            output: PhantomData,
        }
    }
}

impl<M, Out> Delete<M, Out> {
    /// Only if the item exists: deleting no item is then
    /// [`Error::ConditionFailed`](crate::Error::ConditionFailed).
    pub fn if_exists(mut self) -> Self {
        self.guard.must_exist = Some(true);
        self
    }

    /// Only if the stored item meets `condition`.
    pub fn condition(mut self, condition: Condition<M>) -> Self {
        self.guard.and(condition.node);
        self
    }

    /// Awaiting gives the deleted item (`None` if there was none).
    pub fn returning_old(self) -> Delete<M, OldItem> {
        Delete {
            table: self.table,
            key: self.key,
            guard: self.guard,
            output: PhantomData,
        }
    }

    /// Checked and rendered, for DeleteItem or a transaction.
    pub(crate) fn prepare(self) -> Result<Prepared>
    where
        M: DynamoModel,
    {
        let Delete {
            table, key, guard, ..
        } = self;
        Prepared::new::<M>(
            table.name(),
            key?,
            guard,
            Body::Delete,
            Placeholders::default(),
        )
    }

    async fn send(self, return_old: bool) -> Result<(ItemKey, Option<Attributes>, Table<M>)>
    where
        M: DynamoModel,
    {
        let table = self.table.clone();
        let Prepared {
            key,
            guard,
            condition,
            names,
            values,
            ..
        } = self.prepare()?;
        let client = table.client()?;
        let replay = Replay::of_delete(&guard, return_old);
        let request = client
            .delete_item()
            .table_name(table.name())
            .set_key(Some(key.attributes()))
            .set_condition_expression(condition)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .set_return_values(return_old.then_some(ReturnValue::AllOld))
            .set_return_values_on_condition_check_failure(
                (!guard.is_empty()).then_some(ReturnValuesOnConditionCheckFailure::AllOld),
            );
        let returned = |e: &DeleteItemError| match e {
            DeleteItemError::ConditionalCheckFailedException(f) => f.item().cloned(),
            _ => None,
        };
        match replay::send(
            client,
            table.name(),
            &key,
            "DeleteItem",
            &guard,
            &replay,
            returned,
            replay::attempt!(request),
        )
        .await?
        {
            Sent::Answer { output, after_lost } => {
                let old = output.attributes.filter(|a| !a.is_empty());
                if after_lost && return_old && old.is_none() {
                    // The first attempt may have deleted it: "there was no
                    // item" would be a guess.
                    return Err(Error::OutcomeUnknown {
                        table: table.name().to_owned(),
                        key: key.to_string(),
                        operation: "DeleteItem",
                        reason: "an earlier attempt's answer was lost".to_owned(),
                        detail: "it was sent again and found no item: the item is gone, but whether this call deleted it, and what it held, is unknown".to_owned(),
                    });
                }
                Ok((key, old, table))
            }
            Sent::Recognised(_) => unreachable!("a delete is never recognised by the stored item"),
        }
    }
}

impl<M: DynamoModel + 'static> IntoFuture for Delete<M> {
    type Output = Result<()>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<()>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move { self.send(false).await.map(|_| ()) })
    }
}

impl<M: DynamoModel + DeserializeOwned + 'static> IntoFuture for Delete<M, OldItem> {
    type Output = Result<Option<M>>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<Option<M>>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let (key, old, table) = self.send(true).await?;
            old.map(|old| encode::from_item(table.name(), &key, old))
                .transpose()
        })
    }
}
