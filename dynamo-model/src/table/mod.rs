//! `Table<M>`: the one handle through which every operation on a table is
//! reached. Each operation is written once, as a method of this handle, in
//! the file of its own concept (`create.rs`, `delete.rs`, `wait.rs`, ...);
//! the model-level calls (`Order::create_table`) and the blocking forms
//! ([`crate::blocking::Blocking`]) are thin adaptors onto it.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use crate::{Db, DynamoModel, TableSchema};

pub(crate) mod backups;
mod create;
pub(crate) mod delete;
pub(crate) mod describe;
pub(crate) mod options;
pub(crate) mod replicas;
pub(crate) mod request;
pub(crate) mod tags;
pub(crate) mod ttl;
pub(crate) mod update;
pub(crate) mod update_step;
pub(crate) mod validate;
pub(crate) mod wait;

/// The model type of a [`Table`] handle made without a model struct
/// ([`Db::table_named`], [`Db::table_for_schema`]).
///
/// ```
/// use dynamo_model::{Db, NoModel, Table};
/// let audit: Table<NoModel> = Db::local("http://127.0.0.1:8000").table_named("audit_log");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoModel {}

/// A typed handle on one table of one connection: cheap to make and to
/// clone (it holds the [`Db`], the table's full name and its schema).
///
/// `db.table::<Order>()` is the home of every operation on `Order`'s table:
/// [`create`](Self::create), [`exists`](Self::exists),
/// [`describe`](Self::describe), [`wait_active`](Self::wait_active),
/// [`delete_table`](Self::delete_table), [`delete_table_and_wait`](Self::delete_table_and_wait),
/// [`wait_deleted`](Self::wait_deleted), [`update_table`](Self::update_table) and
/// [`add_replicas`](Self::add_replicas). A handle made by name or from a
/// hand-built [`TableSchema`] reaches the same operations.
///
/// ```
/// use dynamo_model::testing::LocalDynamoDb;
/// use dynamo_model::{CreateTableOptions, DynamoModel, Table};
///
/// #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
/// struct User {
///     #[hash_key]
///     id: String,
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> dynamo_model::Result<()> {
/// let local = LocalDynamoDb::embedded()?;
/// let users: Table<User> = local.db().table::<User>();
/// users.create(CreateTableOptions::new().wait(true)).await?;
/// assert!(users.exists().await?);
/// users.delete_table().await?;
/// # Ok(()) }
/// ```
pub struct Table<M = NoModel> {
    db: Db,
    /// The name as sent: the connection's table prefix included.
    name: Arc<str>,
    schema: Option<Schema>,
    model: PhantomData<fn() -> M>,
}

/// A derived model's schema is `'static`; a hand-built one is shared.
#[derive(Clone)]
enum Schema {
    Static(&'static TableSchema),
    Shared(Arc<TableSchema>),
}

impl Schema {
    fn get(&self) -> &TableSchema {
        match self {
            Schema::Static(schema) => schema,
            Schema::Shared(schema) => schema,
        }
    }
}

impl<M> Clone for Table<M> {
    fn clone(&self) -> Self {
        Table {
            db: self.db.clone(),
            name: self.name.clone(),
            schema: self.schema.clone(),
            model: PhantomData,
        }
    }
}

impl<M> fmt::Debug for Table<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Table")
            .field("name", &self.name)
            .field("model", &std::any::type_name::<M>())
            .field("endpoint", &self.db.endpoint())
            .finish()
    }
}

impl Db {
    /// The handle on model `M`'s table on this connection (with this
    /// connection's table prefix).
    ///
    /// ```
    /// use dynamo_model::{Db, DynamoModel};
    /// #[derive(DynamoModel, serde::Serialize)]
    /// #[dynamo(table = "users")]
    /// struct User { #[hash_key] id: String }
    ///
    /// let db = Db::local("http://127.0.0.1:8000").with_table_prefix("ci_");
    /// assert_eq!(db.table::<User>().name(), "ci_users");
    /// ```
    pub fn table<M: DynamoModel>(&self) -> Table<M> {
        let schema = M::schema();
        Table {
            db: self.clone(),
            name: self.table_name(schema.table_name()).into(),
            schema: Some(Schema::Static(schema)),
            model: PhantomData,
        }
    }

    /// A handle on a table known only by name (this connection's prefix is
    /// added). It has no schema, so it can do everything but
    /// [`create`](Table::create).
    ///
    /// ```
    /// let db = dynamo_model::Db::local("http://127.0.0.1:8000");
    /// let audit = db.table_named("audit_log");
    /// assert_eq!(audit.name(), "audit_log");
    /// assert!(audit.schema().is_none());
    /// ```
    pub fn table_named(&self, name: &str) -> Table {
        Table {
            db: self.clone(),
            name: self.table_name(name).into(),
            schema: None,
            model: PhantomData,
        }
    }

    /// A handle on the table of a hand-built schema (this connection's
    /// prefix is added to its name).
    ///
    /// ```
    /// use dynamo_model::{AttributeType::*, Db, TableSchema};
    /// let schema = TableSchema::builder("audit_log").hash_key("id", S).build()?;
    /// let audit = Db::local("http://127.0.0.1:8000").table_for_schema(&schema);
    /// assert_eq!(audit.schema().map(|s| s.table_name()), Some("audit_log"));
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn table_for_schema(&self, schema: &TableSchema) -> Table {
        Table {
            db: self.clone(),
            name: self.table_name(schema.table_name()).into(),
            schema: Some(Schema::Shared(Arc::new(schema.clone()))),
            model: PhantomData,
        }
    }
}

impl<M> Table<M> {
    /// The table's name as sent to DynamoDB, with the connection's prefix.
    ///
    /// ```
    /// let db = dynamo_model::Db::local("http://127.0.0.1:8000").with_table_prefix("t1_");
    /// assert_eq!(db.table_named("orders").name(), "t1_orders");
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The connection this handle sends its requests on.
    ///
    /// ```
    /// let db = dynamo_model::Db::local("http://127.0.0.1:8000");
    /// assert_eq!(db.table_named("orders").db().endpoint(), Some("http://127.0.0.1:8000"));
    /// ```
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// The schema the table is created from: the model's, or the hand-built
    /// one; `None` for a handle made by name.
    ///
    /// ```
    /// use dynamo_model::{Db, DynamoModel};
    /// #[derive(DynamoModel, serde::Serialize)]
    /// struct User { #[hash_key] id: String }
    /// let db = Db::local("http://127.0.0.1:8000");
    /// assert_eq!(db.table::<User>().schema().unwrap().hash_key().name(), "id");
    /// ```
    pub fn schema(&self) -> Option<&TableSchema> {
        self.schema.as_ref().map(Schema::get)
    }

    /// The schema, or why a handle made by name cannot do what needs one
    /// (`to`: "create the table from", "plan from").
    pub(crate) fn schema_to(&self, to: &str) -> crate::Result<&TableSchema> {
        self.schema().ok_or_else(|| {
            crate::Error::invalid(
                &self.name,
                "schema",
                format!(
                    "a handle made by table name has no schema to {to}; \
                     make it with `Db::table::<Model>()` or `Db::table_for_schema`"
                ),
            )
        })
    }

    /// The client for a request, or why none can be sent: a connection
    /// whose endpoint is unusable, or a table name DynamoDB would refuse
    /// (`db.table_named("")`), which the SDK would otherwise report as a
    /// failure to build the request.
    pub(crate) fn client(&self) -> crate::Result<&aws_sdk_dynamodb::Client> {
        if let Some(problem) = crate::schema::rules::name_problem(&self.name) {
            return Err(crate::Error::invalid(
                &self.name,
                "table name",
                format!(
                    "the table name {problem}; {}",
                    crate::schema::rules::NAME_RULE
                ),
            ));
        }
        self.db.checked_client()
    }
}
