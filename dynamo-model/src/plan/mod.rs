//! Schema as code: a read-only [`Plan`] of what the live table needs to be
//! what the model (with its [`CreateTableOptions`]) asks for, and
//! [`Table::apply`] to carry it out safely.
//!
//! A plan is a typed value: its [`changes`](Plan::changes) can be
//! inspected, it prints one line per change (as a Terraform plan does), and
//! it serializes (serde), so it can be reviewed, stored and applied later.
//! Keys, key types and LSIs cannot change in place: they plan as
//! [`Change::NeedsNewTable`], and a plan with one is never applied.
//!
//! ```
//! use dynamo_model::{CreateTableOptions, DynamoModel};
//!
//! #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
//! #[dynamo(table = "orders")]
//! struct Order {
//!     #[hash_key]
//!     id: String,
//!     #[gsi(name = "by_status", hash_key)]
//!     status: String,
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> dynamo_model::Result<()> {
//! let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
//! let orders = local.db().table::<Order>();
//! let plan = orders.plan(&CreateTableOptions::new()).await?;
//! assert_eq!(plan.to_string(), "table `orders`: 1 change\n  + create the table\n");
//! orders.apply(&plan).await?;
//! assert!(orders.plan(&CreateTableOptions::new()).await?.is_empty());
//! # Ok(()) }
//! ```

mod apply;
mod change;
mod diff;
mod live;
mod state;

use std::fmt;

use serde::{Deserialize, Serialize};

#[cfg(feature = "cli")]
pub(crate) use apply::create_waits;
pub use apply::{Applied, Apply, Progress};
pub use change::Change;
pub use state::{Capacity, EncryptionState, IndexKeys, IndexProjection, KeyDef};

use crate::error::{Error, Result};
use crate::{CreateTableOptions, Table, TableSchema};
use state::TableState;

/// Where the table DynamoDB `described` is not the shape `schema` asks for
/// (keys, key types, indexes and their projections), one line each; the
/// same comparison as a plan's, so the two never disagree.
pub(crate) fn shape_differences(
    schema: &TableSchema,
    described: &aws_sdk_dynamodb::types::TableDescription,
) -> Vec<String> {
    diff::shape_differences(
        &TableState::desired(schema, &CreateTableOptions::new()),
        &TableState::described(described),
    )
}

/// What the live table needs to be what the model asks for.
///
/// Store a plan as JSON (`serde_json`): it tells "TTL off" from "TTL not
/// compared" by a `null` field, which formats without nulls (TOML) or
/// without field names (bincode) lose.
///
/// ```
/// # use dynamo_model::{CreateTableOptions, DynamoModel};
/// # #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
/// # struct User { #[hash_key] id: String }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> dynamo_model::Result<()> {
/// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
/// let users = local.db().table::<User>();
/// users.create(CreateTableOptions::new().wait(true)).await?;
/// let plan = users.plan(&CreateTableOptions::new().tag("env", "test")).await?;
/// let json = serde_json::to_string(&plan).unwrap();
/// let again: dynamo_model::plan::Plan = serde_json::from_str(&json).unwrap();
/// assert_eq!(again, plan);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    table: String,
    changes: Vec<Change>,
    not_compared: Vec<String>,
    desired: TableState,
    /// The table as the plan found it; `None` when it did not exist.
    live: Option<TableState>,
}

impl Plan {
    /// The table name the plan is for (as sent, with any prefix).
    ///
    /// ```
    /// # use dynamo_model::{CreateTableOptions, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
    /// # struct User { #[hash_key] id: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// let plan = local.db().table::<User>().plan(&CreateTableOptions::new()).await?;
    /// assert_eq!(plan.table(), "user");
    /// # Ok(()) }
    /// ```
    pub fn table(&self) -> &str {
        &self.table
    }

    /// Every change, in the order `apply` makes them.
    ///
    /// ```
    /// # use dynamo_model::{CreateTableOptions, DynamoModel, plan::Change};
    /// # #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
    /// # struct User { #[hash_key] id: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// let plan = local.db().table::<User>().plan(&CreateTableOptions::new()).await?;
    /// assert_eq!(plan.changes(), [Change::CreateTable]);
    /// # Ok(()) }
    /// ```
    pub fn changes(&self) -> &[Change] {
        &self.changes
    }

    /// Whether the table already is what the model asks for.
    ///
    /// ```
    /// # use dynamo_model::{CreateTableOptions, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
    /// # struct User { #[hash_key] id: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// let users = local.db().table::<User>();
    /// users.create(CreateTableOptions::new().wait(true)).await?;
    /// assert!(users.plan(&CreateTableOptions::new()).await?.is_empty());
    /// # Ok(()) }
    /// ```
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// Whether a change needs a new table (such a plan is never applied).
    ///
    /// ```
    /// # use dynamo_model::{CreateTableOptions, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
    /// # struct User { #[hash_key] id: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// let plan = local.db().table::<User>().plan(&CreateTableOptions::new()).await?;
    /// assert!(!plan.needs_new_table());
    /// # Ok(()) }
    /// ```
    pub fn needs_new_table(&self) -> bool {
        self.changes.iter().any(|c| !c.is_in_place())
    }

    /// The changes `apply` makes only with
    /// [`allow_destructive`](Apply::allow_destructive).
    ///
    /// ```
    /// # use dynamo_model::{CreateTableOptions, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
    /// # struct User { #[hash_key] id: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// let users = local.db().table::<User>();
    /// users.create(CreateTableOptions::new().tag("env", "old").wait(true)).await?;
    /// let plan = users.plan(&CreateTableOptions::new()).await?;
    /// assert_eq!(plan.destructive().count(), 1); // removing the tag
    /// # Ok(()) }
    /// ```
    pub fn destructive(&self) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(|c| c.is_destructive())
    }

    /// The settings left out of the comparison, each with why (a server
    /// without TTL, tags or point-in-time recovery).
    ///
    /// ```
    /// # use dynamo_model::{CreateTableOptions, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
    /// # struct User { #[hash_key] id: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// let users = local.db().table::<User>();
    /// users.create(CreateTableOptions::new().wait(true)).await?;
    /// for line in users.plan(&CreateTableOptions::new()).await?.not_compared() {
    ///     println!("not compared: {line}");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn not_compared(&self) -> &[String] {
        &self.not_compared
    }
}

/// A header line, one line per change, then what was not compared.
impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.changes.len();
        match n {
            0 => writeln!(f, "table `{}`: no changes", self.table)?,
            1 => writeln!(f, "table `{}`: 1 change", self.table)?,
            _ => writeln!(f, "table `{}`: {n} changes", self.table)?,
        }
        for change in &self.changes {
            if change.is_destructive() {
                writeln!(f, "  {change} (destructive)")?;
            } else {
                writeln!(f, "  {change}")?;
            }
        }
        for line in &self.not_compared {
            writeln!(f, "  ? not compared: {line}")?;
        }
        Ok(())
    }
}

/// The desired state of `schema` with `options`, after the checks `create`
/// makes; replicas are not planned.
fn desired(table: &str, schema: &TableSchema, options: &CreateTableOptions) -> Result<TableState> {
    schema.validate()?;
    crate::table::validate::create_options(table, schema, options)?;
    if !options.replicas.is_empty() {
        return Err(Error::invalid(
            table,
            "replicas",
            "replicas are not planned; add them with `add_replicas` once the table exists",
        ));
    }
    Ok(TableState::desired(schema, options))
}

impl<M> Table<M> {
    /// A read-only plan of what the live table needs to be what the model
    /// asks for with `options` (the options `create` would be given). A
    /// table that does not exist plans as [`Change::CreateTable`].
    ///
    /// ```
    /// # use dynamo_model::{CreateTableOptions, DynamoModel, StreamView};
    /// # #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
    /// # struct User { #[hash_key] id: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// let users = local.db().table::<User>();
    /// users.create(CreateTableOptions::new().wait(true)).await?;
    /// let plan = users.plan(&CreateTableOptions::new().stream(StreamView::KeysOnly)).await?;
    /// assert_eq!(plan.changes()[0].to_string(), "~ stream: off -> KEYS_ONLY");
    /// # Ok(()) }
    /// ```
    pub async fn plan(&self, options: &CreateTableOptions) -> Result<Plan> {
        let table = self.name();
        let schema = self.schema_to("plan from")?;
        let desired = desired(table, schema, options)?;
        let client = self.client()?;
        let Some((live, not_compared)) = TableState::live(client, table).await? else {
            return Ok(Plan {
                table: table.to_owned(),
                changes: vec![Change::CreateTable],
                not_compared: Vec::new(),
                desired,
                live: None,
            });
        };
        let mut not_compared = not_compared;
        if desired.ttl.is_none() {
            not_compared.push("TTL: the options leave it alone (`enable_ttl(false)`)".into());
        }
        Ok(Plan {
            table: table.to_owned(),
            changes: diff::changes(&desired, &live),
            not_compared,
            desired,
            live: Some(live),
        })
    }
}
