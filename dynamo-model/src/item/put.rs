//! PutItem of a model value: `orders.put(&order)`, with `if_not_exists`,
//! `if_exists`, a condition, and the `#[version]` check.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure;
use serde::Serialize;

use super::condition::Condition;
use super::encode::{self, Attributes};
use super::expression::Placeholders;
use super::guard::Guard;
use super::key::ItemKey;
use super::prepared::{Body, Prepared};
use super::replay::{self, Replay};
use super::version;
use crate::error::Result;
use crate::{DynamoModel, Table};

/// A PutItem on its way: await it, or set a condition first. Made by
/// [`Table::put`].
#[must_use = "a put does nothing until it is awaited"]
pub struct Put<M> {
    table: Table<M>,
    item: Result<(Attributes, ItemKey)>,
    guard: Guard,
}

impl<M: DynamoModel + Serialize> Table<M> {
    /// Stores `item`, replacing any item with its key. The item is encoded
    /// as serde_dynamo encodes it, without NULL index keys (an item whose
    /// `Option` index key is `None` is left out of that index), and an item
    /// over 400 KB is refused before the request. For a `#[version]` model
    /// the put checks and bumps the version (see [`Error::VersionConflict`](crate::Error::VersionConflict)).
    ///
    /// ```
    /// use dynamo_model::testing::LocalDynamoDb;
    /// use dynamo_model::{CreateTableOptions, DynamoModel, Error};
    ///
    /// #[derive(DynamoModel, serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    /// struct User {
    ///     #[hash_key]
    ///     id: String,
    ///     name: String,
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = LocalDynamoDb::embedded()?;
    /// let users = local.db().table::<User>();
    /// users.create(CreateTableOptions::new().wait(true)).await?;
    /// let ada = User { id: "u1".into(), name: "Ada".into() };
    /// users.put(&ada).await?;
    /// let again = users.put(&User { id: "u1".into(), name: "Bob".into() }).if_not_exists().await;
    /// assert!(matches!(again, Err(Error::ConditionFailed { .. })));
    /// assert_eq!(users.get("u1").await?, Some(ada));
    /// # Ok(()) }
    /// ```
    pub fn put(&self, item: &M) -> Put<M> {
        let (item, guard) = prepare(self.name(), item);
        self.put_prepared(item, guard)
    }

    pub(crate) fn put_prepared(&self, item: Result<(Attributes, ItemKey)>, guard: Guard) -> Put<M> {
        Put {
            table: self.clone(),
            item,
            guard,
        }
    }
}

/// The item to send, with its version check: done before the request (and
/// before any await), so a put holds no borrow of the item.
pub(crate) fn prepare<M: DynamoModel + Serialize>(
    table: &str,
    item: &M,
) -> (Result<(Attributes, ItemKey)>, Guard) {
    let mut guard = Guard {
        newer_shape: M::SHAPES,
        ..Guard::default()
    };
    let item = encode::to_item(table, item).and_then(|(mut item, key)| {
        if let Some(field) = version::field(M::field_infos()) {
            let expected = version::bump(table, &key, field, &mut item)?;
            guard.version = Some((field.attribute, expected));
        }
        Ok((item, key))
    });
    (item, guard)
}

impl<M> Put<M> {
    /// Only if no item with this key exists: a failed check is
    /// [`Error::ConditionFailed`](crate::Error::ConditionFailed) and nothing is overwritten.
    pub fn if_not_exists(mut self) -> Self {
        self.guard.must_exist = Some(false);
        self
    }

    /// Only if an item with this key exists (replace, never create).
    pub fn if_exists(mut self) -> Self {
        self.guard.must_exist = Some(true);
        self
    }

    /// Only if the stored item meets `condition` (and any condition set
    /// before).
    pub fn condition(mut self, condition: Condition<M>) -> Self {
        self.guard.and(condition.node);
        self
    }
}

impl<M: DynamoModel> Put<M> {
    /// Checked and rendered, for PutItem or a transaction.
    pub(crate) fn prepare(self) -> Result<Prepared> {
        let Put { table, item, guard } = self;
        let (item, key) = item?;
        Prepared::new::<M>(
            table.name(),
            key,
            guard,
            Body::Put(item),
            Placeholders::default(),
        )
    }
}

impl<M: DynamoModel + 'static> IntoFuture for Put<M> {
    type Output = Result<()>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<()>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let table = self.table.clone();
            let Prepared {
                key,
                guard,
                condition,
                names,
                values,
                body,
                ..
            } = self.prepare()?;
            let Body::Put(item) = body else {
                unreachable!("a put prepares a put")
            };
            let client = table.client()?;
            let replay = Replay::of_put(&guard, &item);
            let request = client
                .put_item()
                .table_name(table.name())
                .set_item(Some(item))
                .set_condition_expression(condition)
                .set_expression_attribute_names(names)
                .set_expression_attribute_values(values)
                .set_return_values_on_condition_check_failure(
                    guard
                        .needs_stored_item()
                        .then_some(ReturnValuesOnConditionCheckFailure::AllOld),
                );
            let returned = |e: &PutItemError| match e {
                PutItemError::ConditionalCheckFailedException(f) => f.item().cloned(),
                _ => None,
            };
            replay::send(
                client,
                table.name(),
                &key,
                "PutItem",
                &guard,
                &replay,
                returned,
                replay::attempt!(request),
            )
            .await
            .map(|_| ())
        })
    }
}
