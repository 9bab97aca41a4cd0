//! Transactions: puts, updates, deletes and condition checks across models,
//! all or nothing (TransactWriteItems). Each action is the builder of the
//! single-item call (`users.put(&u).if_not_exists()`, `orders.update(k)...`)
//! with its conditions and `#[version]` checks; at most 100 actions and no two
//! on one item are checked before sending; a cancelled transaction reports
//! the reason of each action.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    ConditionCheck, Delete as TxDelete, Put as TxPut, ReturnValuesOnConditionCheckFailure,
    TransactWriteItem, Update as TxUpdate,
};

use crate::error::{Error, Result};
use crate::item::condition::Condition;
use crate::item::expression::Placeholders;
use crate::item::guard::Guard;
use crate::item::key::{IntoKey, ItemKey};
use crate::item::prepared::{Body, Prepared};
use crate::{Db, Delete, DynamoModel, Put, Table, Update};

/// DynamoDB's limit of actions per transaction.
pub const MAX_TRANSACTION_ACTIONS: usize = 100;

/// A transaction being built: add actions, then await it. Made by
/// [`Db::transact`].
///
/// ```
/// use dynamo_model::testing::LocalDynamoDb;
/// use dynamo_model::{CreateTableOptions, DynamoModel, Error};
///
/// #[derive(DynamoModel, serde::Serialize, serde::Deserialize, Debug, PartialEq)]
/// struct Account {
///     #[hash_key]
///     id: String,
///     balance: i64,
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> dynamo_model::Result<()> {
/// let local = LocalDynamoDb::embedded()?;
/// let db = local.db();
/// let accounts = db.table::<Account>();
/// accounts.create(CreateTableOptions::new().wait(true)).await?;
/// accounts.put(&Account { id: "a".into(), balance: 100 }).await?;
/// accounts.put(&Account { id: "b".into(), balance: 0 }).await?;
///
/// let f = Account::fields();
/// db.transact()
///     .update(accounts.update("a").add(f.balance, -30).condition(f.balance.ge(30)))
///     .update(accounts.update("b").add(f.balance, 30))
///     .await?;
/// assert_eq!(accounts.get("b").await?.unwrap().balance, 30);
///
/// // Overdrawn: the whole transaction is cancelled, with a reason per action.
/// let err = db
///     .transact()
///     .update(accounts.update("a").add(f.balance, -500).condition(f.balance.ge(500)))
///     .update(accounts.update("b").add(f.balance, 500))
///     .await
///     .unwrap_err();
/// let Error::TransactionCanceled { reasons, .. } = err else { panic!() };
/// assert_eq!(reasons[0].code.as_deref(), Some("ConditionalCheckFailed"));
/// assert_eq!(accounts.get("b").await?.unwrap().balance, 30);
/// # Ok(()) }
/// ```
#[must_use = "a transaction does nothing until it is awaited"]
pub struct Transaction {
    db: Db,
    actions: Vec<Result<Prepared>>,
    token: Option<String>,
}

/// Why one action of a cancelled transaction did not go through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionOutcome {
    /// The action's table, as sent.
    pub table: String,
    /// The action's item key.
    pub key: String,
    /// DynamoDB's code (`ConditionalCheckFailed`, `TransactionConflict`,
    /// ...); `None` for an action that was fine.
    pub code: Option<String>,
    /// DynamoDB's message, or what a failed check means here (a version
    /// conflict).
    pub message: Option<String>,
}

impl Db {
    /// A new transaction on this connection.
    pub fn transact(&self) -> Transaction {
        Transaction {
            db: self.clone(),
            actions: Vec::new(),
            token: None,
        }
    }
}

impl<M: DynamoModel> Table<M> {
    /// A condition check for a transaction: the item with this key must meet
    /// `condition`, or the whole transaction is cancelled.
    pub fn check(&self, key: impl IntoKey<M::Key>, condition: Condition<M>) -> Check<M> {
        let mut guard = Guard::default();
        guard.and(condition.node);
        Check {
            table: self.clone(),
            key: ItemKey::for_model::<M>(self.name(), &key),
            guard,
        }
    }
}

/// A condition check of one item, for [`Transaction::condition_check`].
/// Made by [`Table::check`].
#[must_use = "a check is an action of a transaction"]
pub struct Check<M> {
    table: Table<M>,
    key: Result<ItemKey>,
    guard: Guard,
}

impl<M: DynamoModel> Check<M> {
    fn prepare(self) -> Result<Prepared> {
        Prepared::new::<M>(
            self.table.name(),
            self.key?,
            self.guard,
            Body::Check,
            Placeholders::default(),
        )
    }
}

impl Transaction {
    /// A put (with its conditions and `#[version]` check).
    pub fn put<M: DynamoModel>(mut self, put: Put<M>) -> Self {
        self.actions.push(put.prepare());
        self
    }

    /// An update (with its conditions and `#[version]` bump).
    pub fn update<M: DynamoModel>(mut self, update: Update<M>) -> Self {
        self.actions.push(update.prepare());
        self
    }

    /// A delete (with its conditions; `delete_item` checks the version).
    pub fn delete<M: DynamoModel>(mut self, delete: Delete<M>) -> Self {
        self.actions.push(delete.prepare());
        self
    }

    /// A condition on an item the transaction does not write.
    pub fn condition_check<M: DynamoModel>(mut self, check: Check<M>) -> Self {
        self.actions.push(check.prepare());
        self
    }

    /// An idempotency token: a retry of the same transaction within 10
    /// minutes is not applied twice.
    pub fn client_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    fn check_limits(actions: &[Prepared]) -> Result<()> {
        let table = actions.first().map_or("", |a| a.table.as_str());
        if actions.is_empty() {
            return Err(Error::InvalidSetting {
                setting: "transact",
                reason: "a transaction needs at least one action".to_owned(),
            });
        }
        if actions.len() > MAX_TRANSACTION_ACTIONS {
            return Err(Error::invalid(
                table,
                "transact",
                format!(
                    "a transaction has at most {MAX_TRANSACTION_ACTIONS} actions, and this one has {}",
                    actions.len()
                ),
            ));
        }
        for (i, action) in actions.iter().enumerate() {
            if let Some(j) = actions[..i]
                .iter()
                .position(|a| a.table == action.table && a.key == action.key)
            {
                return Err(Error::invalid(
                    &action.table,
                    "transact",
                    format!(
                        "actions {} and {} are both on item `{}`; DynamoDB allows one action per item in a transaction",
                        j + 1,
                        i + 1,
                        action.key
                    ),
                ));
            }
        }
        Ok(())
    }

    fn item(action: &Prepared) -> Result<TransactWriteItem> {
        let invalid = |e: aws_sdk_dynamodb::error::BuildError| {
            Error::invalid(&action.table, "transact", e.to_string())
        };
        let key = Some(action.key.attributes());
        // The four action builders are distinct SDK types with the same
        // setters for what every action carries.
        macro_rules! guarded {
            ($builder:expr) => {
                $builder
                    .table_name(&action.table)
                    .set_condition_expression(action.condition.clone())
                    .set_expression_attribute_names(action.names.clone())
                    .set_expression_attribute_values(action.values.clone())
                    // The stored item tells a failed shape or version-room
                    // check apart.
                    .set_return_values_on_condition_check_failure(
                        (action.guard.shape.is_some()
                            || action.guard.newer_shape.is_some()
                            || action.guard.version_room.is_some())
                        .then_some(ReturnValuesOnConditionCheckFailure::AllOld),
                    )
                    .build()
                    .map_err(invalid)?
            };
        }
        let item = TransactWriteItem::builder();
        Ok(match &action.body {
            Body::Put(put) => item.put(guarded!(TxPut::builder().set_item(Some(put.clone())))),
            Body::Update(expression, _) => item.update(guarded!(TxUpdate::builder()
                .set_key(key)
                .update_expression(expression))),
            Body::Delete => item.delete(guarded!(TxDelete::builder().set_key(key))),
            Body::Check => item.condition_check(guarded!(ConditionCheck::builder().set_key(key))),
        }
        .build())
    }
}

impl IntoFuture for Transaction {
    type Output = Result<()>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<()>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let actions = self.actions.into_iter().collect::<Result<Vec<_>>>()?;
            Transaction::check_limits(&actions)?;
            let items = actions
                .iter()
                .map(Transaction::item)
                .collect::<Result<Vec<_>>>()?;
            let client = self.db.checked_client()?;
            let result = client
                .transact_write_items()
                .set_transact_items(Some(items))
                .set_client_request_token(self.token)
                .send()
                .await;
            let err = match result {
                Ok(_) => return Ok(()),
                Err(err) => err,
            };
            let first_table = actions[0].table.clone();
            match err.as_service_error() {
                Some(TransactWriteItemsError::TransactionCanceledException(canceled)) => {
                    let reasons = canceled.cancellation_reasons();
                    let outcomes: Vec<ActionOutcome> = actions
                        .iter()
                        .enumerate()
                        .map(|(i, action)| {
                            let reason = reasons.get(i);
                            let code = reason
                                .and_then(|r| r.code())
                                .filter(|c| *c != "None")
                                .map(str::to_owned);
                            let versioned = action.guard.version.is_some()
                                && action.guard.condition.is_none()
                                && action.guard.must_exist.is_none();
                            // A check the stored item tells apart: the
                            // message says which, as a single write's error.
                            let told = reason.and_then(|r| r.item()).and_then(|item| {
                                let (table, key) = (&action.table, &action.key);
                                action
                                    .guard
                                    .version_full(table, key, item)
                                    .or_else(|| action.guard.shape_failure(table, key, item))
                            });
                            let message = match code.as_deref() {
                                Some("ConditionalCheckFailed") if told.is_some() => {
                                    told.map(|err| stored_check_message(&err))
                                }
                                Some("ConditionalCheckFailed")
                                    if action.guard.would_lack.is_some() =>
                                {
                                    Some(format!(
                                        "the item does not exist (or the update's condition failed): an update creates a missing item only when it sets every required field, and this one does not set {}",
                                        crate::error::quoted(
                                            action.guard.would_lack.iter().flatten()
                                        )
                                    ))
                                }
                                Some("ConditionalCheckFailed") if versioned => Some(format!(
                                    "version conflict: the stored item is not at version {}",
                                    action
                                        .guard
                                        .version
                                        .as_ref()
                                        .map(|v| v.1.describe())
                                        .unwrap_or_default()
                                )),
                                _ => reason.and_then(|r| r.message()).map(str::to_owned),
                            };
                            ActionOutcome {
                                table: action.table.clone(),
                                key: action.key.to_string(),
                                code,
                                message,
                            }
                        })
                        .collect();
                    // The table the error names is that of the first action
                    // that failed, not of the first action.
                    let table = outcomes
                        .iter()
                        .find(|o: &&ActionOutcome| o.code.is_some())
                        .map_or(first_table, |o| o.table.clone());
                    Err(Error::TransactionCanceled {
                        table,
                        reasons: outcomes,
                        message: canceled.message().unwrap_or_default().to_owned(),
                    })
                }
                _ => Err(Error::sdk(&first_table, "TransactWriteItems", err)),
            }
        })
    }
}

/// An action's outcome for a check the stored item failed, worded as the
/// single write's error without the item it names (the outcome names it).
fn stored_check_message(err: &Error) -> String {
    match err {
        Error::VersionExhausted { version, .. } => format!(
            "the version is at {version}, the most its type holds, so it cannot go up (use a wider type, such as `u64`)"
        ),
        Error::ShapeOutdated { stored, newest, .. } => format!(
            "the item is stored at shape {stored}, older than the model's {newest}: an update would mix the two; upgrade the item first (`upgrade_items()`, or get and put it)"
        ),
        Error::ShapeUnknown { stored, newest, .. } => format!(
            "the item is stored at shape {stored}, newer than this code's {newest}: it was written by newer code, and this write would lose what that shape holds (deploy that code here too)"
        ),
        other => other.to_string(),
    }
}
