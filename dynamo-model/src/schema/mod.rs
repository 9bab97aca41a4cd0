//! The table a model describes, as plain data.
//!
//! `#[derive(DynamoModel)]` turns a struct into a `'static` [`TableSchema`];
//! everything that talks to DynamoDB reads only this value, so a schema built
//! by hand goes through exactly the same code as a derived one.

use std::borrow::Cow;
use std::fmt;

pub mod blob_serde;
mod builder;
mod index;
mod key_type;
pub(crate) mod rules;

pub use builder::{GlobalIndexBuilder, TableSchemaBuilder};
pub use index::{GlobalSecondaryIndex, LocalSecondaryIndex, Projection, Throughput};
pub use key_type::{IndexKeyType, KeyType, TtlType};

/// The scalar type of a key attribute, as DynamoDB names it.
///
/// ```
/// use dynamo_model::AttributeType;
/// assert_eq!(AttributeType::N.as_str(), "N");
/// ```
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum AttributeType {
    /// A string.
    S,
    /// A number.
    N,
    /// Binary data.
    B,
}

impl AttributeType {
    /// `"S"`, `"N"` or `"B"`.
    ///
    /// ```
    /// use dynamo_model::AttributeType;
    /// assert_eq!(AttributeType::S.as_str(), "S");
    /// assert_eq!(AttributeType::B.to_string(), "B"); // Display writes the same
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            AttributeType::S => "S",
            AttributeType::N => "N",
            AttributeType::B => "B",
        }
    }
}

impl fmt::Display for AttributeType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One key attribute: its name in the item and its scalar type.
///
/// ```
/// use dynamo_model::{AttributeType, KeyAttribute};
/// let key = KeyAttribute::new("customerId", AttributeType::S);
/// assert_eq!(key.name(), "customerId");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KeyAttribute {
    name: Cow<'static, str>,
    attribute_type: AttributeType,
}

impl KeyAttribute {
    /// A key attribute with a `'static` name (usable in a `static`).
    ///
    /// ```
    /// use dynamo_model::{AttributeType, KeyAttribute};
    /// static ID: KeyAttribute = KeyAttribute::new("id", AttributeType::S);
    /// assert_eq!(ID.name(), "id");
    /// ```
    pub const fn new(name: &'static str, attribute_type: AttributeType) -> Self {
        KeyAttribute {
            name: Cow::Borrowed(name),
            attribute_type,
        }
    }

    /// A key attribute whose name is only known at run time.
    ///
    /// ```
    /// use dynamo_model::{AttributeType, KeyAttribute};
    /// let column = String::from("tenantId");
    /// let key = KeyAttribute::named(column, AttributeType::S);
    /// assert_eq!(key.name(), "tenantId");
    /// ```
    pub fn named(name: impl Into<Cow<'static, str>>, attribute_type: AttributeType) -> Self {
        KeyAttribute {
            name: name.into(),
            attribute_type,
        }
    }

    /// The attribute name as it appears in items.
    ///
    /// ```
    /// use dynamo_model::{AttributeType, KeyAttribute};
    /// assert_eq!(KeyAttribute::new("orderId", AttributeType::N).name(), "orderId");
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The name, shared: borrowed for a schema of `'static` parts (what the
    /// derive emits), so an item's key costs no copy of it.
    pub(crate) fn shared_name(&self) -> Cow<'static, str> {
        self.name.clone()
    }

    /// Its scalar type.
    ///
    /// ```
    /// use dynamo_model::{AttributeType, KeyAttribute};
    /// let key = KeyAttribute::new("orderId", AttributeType::N);
    /// assert_eq!(key.attribute_type(), AttributeType::N);
    /// ```
    pub fn attribute_type(&self) -> AttributeType {
        self.attribute_type
    }
}

/// Everything DynamoDB needs to know to create a model's table.
///
/// Derived models get a `'static` one from [`DynamoModel::schema`](crate::DynamoModel::schema).
///
/// ```
/// use dynamo_model::{AttributeType, KeyAttribute, TableSchema};
/// static USERS: TableSchema = TableSchema::new(
///     "users",
///     KeyAttribute::new("id", AttributeType::S),
///     Some(KeyAttribute::new("created", AttributeType::N)),
///     &[],
///     &[],
///     None,
/// );
/// assert_eq!(USERS.table_name(), "users");
/// assert_eq!(USERS.range_key().unwrap().attribute_type(), AttributeType::N);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TableSchema {
    table_name: Cow<'static, str>,
    hash_key: KeyAttribute,
    range_key: Option<KeyAttribute>,
    global_indexes: Cow<'static, [GlobalSecondaryIndex]>,
    local_indexes: Cow<'static, [LocalSecondaryIndex]>,
    ttl_attribute: Option<Cow<'static, str>>,
}

impl TableSchema {
    /// A schema from `'static` parts (what the derive emits).
    ///
    /// ```
    /// use dynamo_model::{AttributeType, KeyAttribute, TableSchema};
    /// static SESSIONS: TableSchema = TableSchema::new(
    ///     "sessions",
    ///     KeyAttribute::new("token", AttributeType::S),
    ///     None,
    ///     &[],
    ///     &[],
    ///     Some("expiresAt"),
    /// );
    /// assert_eq!(SESSIONS.ttl_attribute(), Some("expiresAt"));
    /// ```
    pub const fn new(
        table_name: &'static str,
        hash_key: KeyAttribute,
        range_key: Option<KeyAttribute>,
        global_indexes: &'static [GlobalSecondaryIndex],
        local_indexes: &'static [LocalSecondaryIndex],
        ttl_attribute: Option<&'static str>,
    ) -> Self {
        TableSchema {
            table_name: Cow::Borrowed(table_name),
            hash_key,
            range_key,
            global_indexes: Cow::Borrowed(global_indexes),
            local_indexes: Cow::Borrowed(local_indexes),
            ttl_attribute: match ttl_attribute {
                Some(name) => Some(Cow::Borrowed(name)),
                None => None,
            },
        }
    }

    /// A schema from parts known only at run time.
    ///
    /// ```
    /// use dynamo_model::{AttributeType, KeyAttribute, TableSchema};
    /// let tenant = "acme";
    /// let schema = TableSchema::from_parts(
    ///     format!("{tenant}_events"),
    ///     KeyAttribute::new("id", AttributeType::S),
    ///     Some(KeyAttribute::new("at", AttributeType::N)),
    ///     vec![],
    ///     vec![],
    ///     None,
    /// );
    /// assert_eq!(schema.table_name(), "acme_events");
    /// ```
    pub fn from_parts(
        table_name: impl Into<Cow<'static, str>>,
        hash_key: KeyAttribute,
        range_key: Option<KeyAttribute>,
        global_indexes: Vec<GlobalSecondaryIndex>,
        local_indexes: Vec<LocalSecondaryIndex>,
        ttl_attribute: Option<String>,
    ) -> Self {
        TableSchema {
            table_name: table_name.into(),
            hash_key,
            range_key,
            global_indexes: Cow::Owned(global_indexes),
            local_indexes: Cow::Owned(local_indexes),
            ttl_attribute: ttl_attribute.map(Cow::Owned),
        }
    }

    /// The table name (before any prefix a [`Db`](crate::Db) adds).
    ///
    /// ```
    /// use dynamo_model::DynamoModel;
    /// #[derive(DynamoModel, serde::Serialize)]
    /// struct OrderItem {
    ///     #[hash_key]
    ///     id: String,
    /// }
    /// // Without `#[dynamo(table = "...")]`, the struct name in snake_case.
    /// assert_eq!(OrderItem::schema().table_name(), "order_item");
    /// ```
    pub fn table_name(&self) -> &str {
        &self.table_name
    }
    /// The partition key.
    ///
    /// ```
    /// use dynamo_model::{AttributeType, DynamoModel};
    /// #[derive(DynamoModel, serde::Serialize)]
    /// struct Order {
    ///     #[hash_key]
    ///     customer_id: String,
    ///     #[range_key]
    ///     created: u64,
    /// }
    /// let key = Order::schema().hash_key();
    /// assert_eq!((key.name(), key.attribute_type()), ("customer_id", AttributeType::S));
    /// ```
    pub fn hash_key(&self) -> &KeyAttribute {
        &self.hash_key
    }
    /// The sort key, if the table has one.
    ///
    /// ```
    /// use dynamo_model::{AttributeType, DynamoModel};
    /// #[derive(DynamoModel, serde::Serialize)]
    /// struct Order {
    ///     #[hash_key]
    ///     customer_id: String,
    ///     #[range_key]
    ///     created: u64,
    /// }
    /// let key = Order::schema().range_key().expect("Order has a sort key");
    /// assert_eq!(key.attribute_type(), AttributeType::N);
    /// ```
    pub fn range_key(&self) -> Option<&KeyAttribute> {
        self.range_key.as_ref()
    }
    /// The global secondary indexes, in declaration order.
    ///
    /// ```
    /// use dynamo_model::{AttributeType::*, TableSchema};
    /// let schema = TableSchema::builder("orders")
    ///     .hash_key("id", S)
    ///     .global_index("by_status", |gsi| gsi.hash_key("status", S))
    ///     .global_index("by_email", |gsi| gsi.hash_key("email", S))
    ///     .build()?;
    /// let names: Vec<&str> = schema.global_indexes().iter().map(|g| g.name()).collect();
    /// assert_eq!(names, ["by_status", "by_email"]);
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn global_indexes(&self) -> &[GlobalSecondaryIndex] {
        &self.global_indexes
    }
    /// The local secondary indexes, in declaration order.
    ///
    /// ```
    /// use dynamo_model::{AttributeType::*, Projection, TableSchema};
    /// let schema = TableSchema::builder("orders")
    ///     .hash_key("customerId", S)
    ///     .range_key("orderId", S)
    ///     .local_index("by_total", "total", N, Projection::All)
    ///     .build()?;
    /// assert_eq!(schema.local_indexes()[0].range_key().name(), "total");
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn local_indexes(&self) -> &[LocalSecondaryIndex] {
        &self.local_indexes
    }
    /// The attribute that holds each item's expiry time, if any.
    ///
    /// ```
    /// use dynamo_model::DynamoModel;
    /// #[derive(DynamoModel, serde::Serialize)]
    /// struct Session {
    ///     #[hash_key]
    ///     token: String,
    ///     #[ttl]
    ///     expires_at: i64,
    /// }
    /// assert_eq!(Session::schema().ttl_attribute(), Some("expires_at"));
    /// ```
    pub fn ttl_attribute(&self) -> Option<&str> {
        self.ttl_attribute.as_deref()
    }

    /// Every attribute used as a key by the table or one of its indexes, each
    /// once, sorted by name: exactly the `AttributeDefinitions` of CreateTable
    /// (DynamoDB rejects definitions of attributes that are not keys).
    ///
    /// ```
    /// use dynamo_model::{AttributeType::*, TableSchema};
    /// let schema = TableSchema::builder("orders")
    ///     .hash_key("orderId", S)
    ///     .global_index("by_customer", |gsi| gsi.hash_key("customerId", S).range_key("orderId", S))
    ///     .build()?;
    /// let names: Vec<&str> = schema.key_attributes().iter().map(|k| k.name()).collect();
    /// assert_eq!(names, ["customerId", "orderId"]); // `orderId` once
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn key_attributes(&self) -> Vec<&KeyAttribute> {
        let mut keys: Vec<&KeyAttribute> = std::iter::once(&self.hash_key)
            .chain(self.range_key.as_ref())
            .chain(
                self.global_indexes
                    .iter()
                    .flat_map(|g| g.hash_keys().iter().chain(g.range_keys())),
            )
            .chain(self.local_indexes.iter().map(|l| l.range_key()))
            .collect();
        keys.sort_by(|a, b| a.name.cmp(&b.name));
        keys.dedup_by(|a, b| a.name == b.name);
        keys
    }

    /// The index with this name, global or local.
    ///
    /// ```
    /// use dynamo_model::{AttributeType::*, TableSchema};
    /// let schema = TableSchema::builder("orders")
    ///     .hash_key("id", S)
    ///     .global_index("by_status", |gsi| gsi.hash_key("status", S))
    ///     .build()?;
    /// assert!(schema.has_index("by_status"));
    /// assert!(!schema.has_index("by_email"));
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn has_index(&self, name: &str) -> bool {
        self.global_indexes.iter().any(|g| g.name() == name)
            || self.local_indexes.iter().any(|l| l.name() == name)
    }
}
