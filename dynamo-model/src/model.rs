//! The `DynamoModel` trait: what the derive implements, and the model-level
//! table operations it brings.

use std::future::Future;
use std::time::Duration;

use aws_sdk_dynamodb::types::TableDescription;

use crate::error::Result;
use crate::item::fields::FieldInfo;
use crate::item::key::{IntoKey, ItemKey, KeyShape};
use crate::{CreateTableOptions, Db, EntitySchema, RenderValue, Table, TableSchema};

/// A struct stored in a DynamoDB table. Implemented by
/// `#[derive(DynamoModel)]`, which writes only [`schema`](Self::schema). The
/// model-level table operations provided here are thin calls onto
/// [`Db::table`]'s handle, on [`Db::default_db`] unless the options name a
/// connection.
///
/// ```no_run
/// use dynamo_model::{CreateTableOptions, DynamoModel};
///
/// #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
/// #[dynamo(table = "users")]
/// struct User {
///     #[hash_key]
///     id: String,
///     #[range_key]
///     created: u64,
///     #[gsi(name = "by_email", hash_key)]
///     email: String,
/// }
///
/// # async fn run() -> dynamo_model::Result<()> {
/// User::create_table(CreateTableOptions::new().wait(true)).await?;
/// assert!(User::table_exists().await?);
/// User::delete_table().await?;
/// # Ok(()) }
/// ```
pub trait DynamoModel {
    /// The table this model is stored in.
    ///
    /// ```
    /// use dynamo_model::DynamoModel;
    ///
    /// #[derive(DynamoModel, serde::Serialize)]
    /// struct User {
    ///     #[hash_key]
    ///     id: String,
    ///     #[gsi(name = "by_email", hash_key)]
    ///     email: String,
    /// }
    /// let schema = User::schema();
    /// assert_eq!(schema.table_name(), "user");
    /// assert!(schema.has_index("by_email"));
    /// ```
    fn schema() -> &'static TableSchema;

    /// The shape and Rust types of the table's key:
    /// [`HashKey<H>`](crate::HashKey) or
    /// [`HashAndRangeKey<H, R>`](crate::HashAndRangeKey). Item calls take a
    /// key of this shape (`"u1"`, or `("c1", 42)`), so a key of the wrong
    /// type or arity does not compile.
    ///
    /// ```
    /// use dynamo_model::{DynamoModel, HashAndRangeKey};
    /// # #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
    /// # struct Order { #[hash_key] customer: String, #[range_key] id: u64 }
    /// let _: std::marker::PhantomData<HashAndRangeKey<String, u64>> =
    ///     std::marker::PhantomData::<<Order as DynamoModel>::Key>;
    /// ```
    type Key: KeyShape;

    /// The model's typed field paths: a struct with one
    /// [`Field`](crate::Field) per stored field, named like the fields.
    type Fields: Copy + 'static;

    /// The typed field paths, for updates and conditions:
    /// `Order::fields().status`.
    ///
    /// ```
    /// use dynamo_model::DynamoModel;
    /// # #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
    /// # struct Order { #[hash_key] id: String, status: String }
    /// let f = Order::fields();
    /// let shipped = f.status.eq("shipped");
    /// # let _ = shipped;
    /// ```
    fn fields() -> Self::Fields;

    /// The model's typed index handles: a struct with one
    /// [`Index`](crate::Index) per index with a single-attribute hash key,
    /// named after the index.
    type Indexes: Copy + 'static;

    /// The typed index handles, for queries:
    /// `orders.query_index(Order::indexes().by_status, "shipped")`.
    ///
    /// ```
    /// use dynamo_model::DynamoModel;
    /// # #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
    /// # struct Order { #[hash_key] id: String, #[gsi(name = "by_status", hash_key)] status: String }
    /// assert_eq!(Order::indexes().by_status.name(), "by_status");
    /// ```
    fn indexes() -> Self::Indexes;

    /// Every stored field: Rust name, attribute name, role and stored kind,
    /// which the by-name calls are checked against.
    ///
    /// ```
    /// use dynamo_model::DynamoModel;
    /// # #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
    /// # struct Order { #[hash_key] id: String, status: String }
    /// let names: Vec<&str> = Order::field_infos().iter().map(|f| f.name()).collect();
    /// assert_eq!(names, ["id", "status"]);
    /// ```
    fn field_infos() -> &'static [FieldInfo];

    /// The entity type this model is, when it is one of several in a
    /// shared table (`#[dynamo(table = App, entity = "user", pk = "...")]`):
    /// its name and key templates. `None` for a model with a table of its
    /// own. An error when its templates break a rule that only the table's
    /// definition shows (the derive checks the others at compile time),
    /// the same at every use.
    ///
    /// ```
    /// use dynamo_model::{DynamoModel, DynamoTable};
    ///
    /// #[derive(DynamoTable)]
    /// #[dynamo(name = "app", hash_key = "pk", range_key = "sk")]
    /// struct App;
    ///
    /// #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
    /// #[dynamo(table = App, entity = "user", pk = "USER#{id}", sk = "PROFILE")]
    /// struct User { id: String, name: String }
    ///
    /// let user = User::entity().unwrap()?;
    /// assert_eq!(user.name(), "user");
    /// assert_eq!(user.template("pk").unwrap().text(), "USER#{id}");
    /// assert_eq!(User::schema().table_name(), "app");
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    fn entity() -> Option<Result<&'static EntitySchema>> {
        None
    }

    /// The model's item shapes (`#[dynamo(shape = N, upgrades_from =
    /// Older)]`): the attribute each item's shape is stored in, and the
    /// upgrade of an item stored at an older shape. `None` for a model
    /// without shapes, whose items carry no shape attribute.
    ///
    /// ```
    /// use dynamo_model::DynamoModel;
    /// # #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
    /// # struct User { #[hash_key] id: String }
    /// assert!(User::SHAPES.is_none());
    /// ```
    const SHAPES: Option<crate::shape::Shapes> = None;

    /// An item stored at the older shape `stored` (without its shape and
    /// entity attributes), decoded as that shape and upgraded to this
    /// model; serde's reason when it does not decode. Written by the
    /// derive for a model with shapes.
    #[doc(hidden)]
    fn read_shape(
        stored: u32,
        item: std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>,
    ) -> std::result::Result<Self, String>
    where
        Self: Sized,
    {
        let _ = item;
        Err(format!(
            "stored at shape {stored}, and the model has no shapes"
        ))
    }

    /// The variants of a collection (`#[derive(DynamoCollection)]`); none
    /// for any other model.
    #[doc(hidden)]
    fn variants() -> &'static [crate::entity::collection::Variant<Self>]
    where
        Self: Sized + 'static,
    {
        &[]
    }

    /// An entity's `pk` template, for collections' compile-time check; empty
    /// for any other model.
    #[doc(hidden)]
    const ENTITY_PK: &'static str = "";

    /// The entity whose `pk` template renders a query's partition: the
    /// model's own, or a collection's first variant's.
    #[doc(hidden)]
    fn partition_entity() -> Option<Result<&'static EntitySchema>> {
        Self::entity()
    }

    /// A collection's entities, checked to share its table; `None` for any
    /// other model.
    #[doc(hidden)]
    fn collection_entities() -> Option<Result<Vec<&'static EntitySchema>>> {
        None
    }

    /// The value of field `field` (its Rust name) for the key templates,
    /// `None` when it has none. Written by the derive for an entity.
    #[doc(hidden)]
    fn template_value(&self, field: &str) -> Option<&dyn RenderValue> {
        let _ = field;
        None
    }

    /// The handle on this model's table on the default connection
    /// ([`Db::default_db`]), for item calls with options:
    /// `Order::table().await.put(&order).if_not_exists().await`.
    ///
    /// ```
    /// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
    /// # struct User { #[hash_key] id: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// Db::set_default(local.db().clone());
    /// User::create_table(CreateTableOptions::new().wait(true)).await?;
    /// User::table().await.put(&User { id: "u1".into() }).if_not_exists().await?;
    /// # Ok(()) }
    /// ```
    fn table() -> impl Future<Output = Table<Self>> + Send
    where
        Self: Sized,
    {
        async { Db::default_db().await.table::<Self>() }
    }

    /// Stores this item on the default connection. See
    /// [`Table::put`](crate::Table::put).
    ///
    /// ```
    /// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    /// # struct User { #[hash_key] id: String, name: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// Db::set_default(local.db().clone());
    /// User::create_table(CreateTableOptions::new().wait(true)).await?;
    /// let ada = User { id: "u1".into(), name: "Ada".into() };
    /// ada.put().await?;
    /// assert_eq!(User::get("u1").await?, Some(ada));
    /// User::delete("u1").await?;
    /// assert_eq!(User::get("u1").await?, None);
    /// # Ok(()) }
    /// ```
    fn put(&self) -> impl Future<Output = Result<()>> + Send
    where
        Self: Sized + serde::Serialize + 'static,
    {
        let (item, guard) = crate::item::put::prepare(Self::schema().table_name(), self);
        async {
            Db::default_db()
                .await
                .table::<Self>()
                .put_prepared(item, guard)
                .await
        }
    }

    /// The item with this key on the default connection. See
    /// [`Table::get`](crate::Table::get).
    fn get(key: impl IntoKey<Self::Key>) -> impl Future<Output = Result<Option<Self>>> + Send
    where
        Self: Sized + serde::de::DeserializeOwned + 'static,
    {
        let key = ItemKey::of::<Self>(&key);
        async {
            Db::default_db()
                .await
                .table::<Self>()
                .get_prepared(key)
                .await
        }
    }

    /// Deletes the item with this key on the default connection. See
    /// [`Table::delete_table`](crate::Table::delete_table).
    fn delete(key: impl IntoKey<Self::Key>) -> impl Future<Output = Result<()>> + Send
    where
        Self: Sized + 'static,
    {
        let key = ItemKey::of::<Self>(&key);
        async {
            Db::default_db()
                .await
                .table::<Self>()
                .delete_prepared(key)
                .await
        }
    }

    /// Creates the table on the options' connection, else the default one.
    /// See [`Table::create`](crate::Table::create).
    ///
    /// ```
    /// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// User::create_table(CreateTableOptions::new().db(local.db()).wait(true)).await?;
    /// assert!(local.db().table::<User>().exists().await?);
    /// # Ok(()) }
    /// ```
    fn create_table(
        options: CreateTableOptions,
    ) -> impl Future<Output = Result<TableDescription>> + Send
    where
        Self: Sized,
    {
        async move {
            let mut options = options;
            let db = match options.db.take() {
                Some(db) => db,
                None => Db::default_db().await,
            };
            db.table::<Self>().create(options).await
        }
    }

    /// Whether the table exists on the default connection. See [`Table::exists`](crate::Table::exists).
    ///
    /// ```
    /// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// Db::set_default(local.db().clone());
    /// assert!(!User::table_exists().await?);
    /// User::create_table(CreateTableOptions::new()).await?;
    /// assert!(User::table_exists().await?);
    /// # Ok(()) }
    /// ```
    fn table_exists() -> impl Future<Output = Result<bool>> + Send
    where
        Self: Sized,
    {
        async { Db::default_db().await.table::<Self>().exists().await }
    }

    /// Deletes the table on the default connection. See [`Table::delete_table`](crate::Table::delete_table).
    ///
    /// ```
    /// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// Db::set_default(local.db().clone());
    /// User::create_table(CreateTableOptions::new().wait(true)).await?;
    /// User::delete_table().await?;
    /// # Ok(()) }
    /// ```
    fn delete_table() -> impl Future<Output = Result<TableDescription>> + Send
    where
        Self: Sized,
    {
        async { Db::default_db().await.table::<Self>().delete_table().await }
    }

    /// DescribeTable on the default connection. See [`Table::describe`](crate::Table::describe).
    ///
    /// ```
    /// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// Db::set_default(local.db().clone());
    /// User::create_table(CreateTableOptions::new()).await?;
    /// let table = User::describe_table().await?;
    /// assert_eq!(table.table_name(), Some("user"));
    /// # Ok(()) }
    /// ```
    fn describe_table() -> impl Future<Output = Result<TableDescription>> + Send
    where
        Self: Sized,
    {
        async { Db::default_db().await.table::<Self>().describe().await }
    }

    /// Waits until the table and its GSIs are ACTIVE, on the default
    /// connection. See [`Table::wait_active`](crate::Table::wait_active).
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use dynamo_model::aws_sdk_dynamodb::types::TableStatus;
    /// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// Db::set_default(local.db().clone());
    /// User::create_table(CreateTableOptions::new()).await?; // does not wait
    /// let table = User::wait_for_table_active(Duration::from_secs(30)).await?;
    /// assert_eq!(table.table_status(), Some(&TableStatus::Active));
    /// # Ok(()) }
    /// ```
    fn wait_for_table_active(
        timeout: Duration,
    ) -> impl Future<Output = Result<TableDescription>> + Send
    where
        Self: Sized,
    {
        async move {
            Db::default_db()
                .await
                .table::<Self>()
                .wait_active(timeout)
                .await
        }
    }

    /// [`create_table`](Self::create_table) for sync code (feature `blocking`).
    ///
    /// ```no_run
    /// # use dynamo_model::{CreateTableOptions, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// User::sync_create_table(CreateTableOptions::new().wait(true))?;
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    #[cfg(feature = "blocking")]
    fn sync_create_table(options: CreateTableOptions) -> Result<TableDescription>
    where
        Self: Sized,
    {
        crate::blocking::Blocking::sync(Self::create_table(options))
    }

    /// [`table_exists`](Self::table_exists) for sync code (feature `blocking`).
    ///
    /// ```
    /// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// Db::set_default(local.db().clone());
    /// assert!(!User::sync_table_exists()?);
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    #[cfg(feature = "blocking")]
    fn sync_table_exists() -> Result<bool>
    where
        Self: Sized,
    {
        crate::blocking::Blocking::sync(Self::table_exists())
    }

    /// [`delete_table`](Self::delete_table) for sync code (feature `blocking`).
    ///
    /// ```
    /// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// Db::set_default(local.db().clone());
    /// User::sync_create_table(CreateTableOptions::new().wait(true))?;
    /// User::sync_delete_table()?;
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    #[cfg(feature = "blocking")]
    fn sync_delete_table() -> Result<TableDescription>
    where
        Self: Sized,
    {
        crate::blocking::Blocking::sync(Self::delete_table())
    }

    /// [`describe_table`](Self::describe_table) for sync code (feature `blocking`).
    ///
    /// ```
    /// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// Db::set_default(local.db().clone());
    /// User::sync_create_table(CreateTableOptions::new())?;
    /// assert_eq!(User::sync_describe_table()?.table_name(), Some("user"));
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    #[cfg(feature = "blocking")]
    fn sync_describe_table() -> Result<TableDescription>
    where
        Self: Sized,
    {
        crate::blocking::Blocking::sync(Self::describe_table())
    }

    /// [`wait_for_table_active`](Self::wait_for_table_active) for sync code
    /// (feature `blocking`).
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// Db::set_default(local.db().clone());
    /// User::sync_create_table(CreateTableOptions::new())?;
    /// User::sync_wait_for_table_active(Duration::from_secs(30))?;
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    #[cfg(feature = "blocking")]
    fn sync_wait_for_table_active(timeout: Duration) -> Result<TableDescription>
    where
        Self: Sized,
    {
        crate::blocking::Blocking::sync(Self::wait_for_table_active(timeout))
    }
}
