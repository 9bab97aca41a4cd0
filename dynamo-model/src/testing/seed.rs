//! Seeded fixtures: items a `TestTables` writes once its tables are ACTIVE,
//! so that a test starts with its data. Items are encoded as a put encodes
//! them (no NULL index keys, the 400 KB limit, a `#[version]` stored at 1)
//! when they are given, and two items with one key are refused: a seed that
//! silently overwrote one of its own items would start the test on other
//! data than the one written down.

use std::collections::HashSet;
use std::sync::Arc;

use serde::Serialize;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::TestTablesBuilder;
use crate::error::{Error, Result};
use crate::item::encode::Attributes;
use crate::item::key::ItemKey;
use crate::item::put;
use crate::{Db, DynamoModel};

/// The items of one model, encoded.
#[derive(Debug)]
pub(super) struct Seed {
    /// The table name without the fixture's prefix.
    table: String,
    items: Result<Vec<(Attributes, ItemKey)>>,
}

impl TestTablesBuilder {
    /// Items to write once the tables exist (the model's table is added if
    /// it is not listed yet). Call it once per model, or several times.
    ///
    /// ```
    /// use dynamo_model::testing::{LocalDynamoDb, TestTables};
    /// use dynamo_model::DynamoModel;
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
    /// let tables = TestTables::new(local.db())
    ///     .with_items([User { id: "u1".into(), name: "Ada".into() }])
    ///     .create()
    ///     .await?;
    /// let ada = tables.table::<User>().get("u1").await?;
    /// assert_eq!(ada.map(|u| u.name).as_deref(), Some("Ada"));
    /// # Ok(()) }
    /// ```
    pub fn with_items<M, I>(mut self, items: I) -> Self
    where
        M: DynamoModel + Serialize,
        I: IntoIterator<Item = M>,
    {
        let table = M::schema().table_name().to_owned();
        if !self.schemas.iter().any(|(_, s)| s.table_name() == table) {
            self = self.with::<M>();
        }
        let items = items
            .into_iter()
            .map(|item| put::prepare(&table, &item).0)
            .collect();
        self.seeds.push(Seed { table, items });
        self
    }
}

/// One item to write: the table (with the fixture's prefix) and the item.
pub(super) type Write = (String, Attributes);

/// The writes of every seed, or why they cannot be made: an item serde or
/// DynamoDB refuses, or two items with one key. Checked before any table
/// is created.
pub(super) fn plan(db: &Db, seeds: Vec<Seed>) -> Result<Vec<Write>> {
    let mut keys: HashSet<(String, String)> = HashSet::new();
    let mut writes = Vec::new();
    for seed in seeds {
        let table = db.table_name(&seed.table);
        for (item, key) in seed.items.map_err(|e| in_fixture(&table, e))? {
            if !keys.insert((table.clone(), key.identity())) {
                return Err(Error::invalid(
                    &table,
                    "with_items",
                    format!(
                        "two seed items have the key `{key}`; the second would replace the first"
                    ),
                ));
            }
            writes.push((table.clone(), item));
        }
    }
    Ok(writes)
}

/// Writes every seed item, `concurrency` at a time; the first failure is
/// the error.
pub(super) async fn write(db: &Db, writes: Vec<Write>, concurrency: usize) -> Result<()> {
    let permits = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut tasks = JoinSet::new();
    for (table, item) in writes {
        let client = db.checked_client()?.clone();
        let permits = Arc::clone(&permits);
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await.expect("never closed");
            client
                .put_item()
                .table_name(&table)
                .set_item(Some(item))
                .send()
                .await
                .map(|_| ())
                .map_err(|err| Error::sdk(&table, "PutItem", err))
        });
    }
    let mut first_error = None;
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(Ok(())) => {}
            Ok(Err(error)) => {
                first_error.get_or_insert(error);
            }
            Err(join_error) => std::panic::resume_unwind(join_error.into_panic()),
        }
    }
    first_error.map_or(Ok(()), Err)
}

/// An encoding error names the table without the prefix; the fixture's
/// table is the one that matters.
fn in_fixture(table: &str, error: Error) -> Error {
    match error {
        Error::ItemTooLarge {
            key, size, limit, ..
        } => Error::ItemTooLarge {
            table: table.to_owned(),
            key,
            size,
            limit,
        },
        Error::Serde { key, reason, .. } => Error::Serde {
            table: table.to_owned(),
            key,
            reason,
        },
        Error::Encode { reason, .. } => Error::Encode {
            table: table.to_owned(),
            reason,
        },
        other => other,
    }
}
