//! The table a model describes, as plain data.
//!
//! `#[derive(DynamoModel)]` turns a struct into a `'static` [`TableSchema`];
//! everything that talks to DynamoDB reads only this value, so a schema built
//! by hand goes through exactly the same code as a derived one.

use std::borrow::Cow;
use std::fmt;

pub mod blob_serde;
mod builder;
mod key_type;
pub(crate) mod rules;

pub use builder::{GlobalIndexBuilder, TableSchemaBuilder};
pub use key_type::{IndexKeyType, KeyType, TtlType};

/// The scalar type of a key attribute, as DynamoDB names it.
///
/// ```
/// use dynamo_model::AttributeType;
/// assert_eq!(AttributeType::N.as_str(), "N");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
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

/// Which attributes an index copies from the table.
///
/// ```
/// use std::borrow::Cow;
/// use dynamo_model::Projection;
/// let p = Projection::Include(Cow::Borrowed(&[Cow::Borrowed("total")]));
/// assert_eq!(p.projection_type(), "INCLUDE");
/// assert_eq!(p.non_key_attributes().collect::<Vec<_>>(), ["total"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Projection {
    /// Every attribute (the default).
    #[default]
    All,
    /// Only the table's and the index's key attributes.
    KeysOnly,
    /// The keys plus these attribute names.
    Include(Cow<'static, [Cow<'static, str>]>),
}

impl Projection {
    /// The DynamoDB `ProjectionType`: `ALL`, `KEYS_ONLY` or `INCLUDE`.
    ///
    /// ```
    /// use dynamo_model::Projection;
    /// assert_eq!(Projection::All.projection_type(), "ALL");
    /// assert_eq!(Projection::KeysOnly.projection_type(), "KEYS_ONLY");
    /// ```
    pub fn projection_type(&self) -> &'static str {
        match self {
            Projection::All => "ALL",
            Projection::KeysOnly => "KEYS_ONLY",
            Projection::Include(_) => "INCLUDE",
        }
    }

    /// The non-key attributes of an `Include` projection (none otherwise).
    ///
    /// ```
    /// use std::borrow::Cow;
    /// use dynamo_model::Projection;
    /// let p = Projection::Include(Cow::Owned(vec!["total".into(), "status".into()]));
    /// assert_eq!(p.non_key_attributes().collect::<Vec<_>>(), ["total", "status"]);
    /// assert_eq!(Projection::KeysOnly.non_key_attributes().count(), 0);
    /// ```
    pub fn non_key_attributes(&self) -> impl Iterator<Item = &str> + '_ {
        let names: &[Cow<'static, str>] = match self {
            Projection::Include(names) => names,
            Projection::All | Projection::KeysOnly => &[],
        };
        names.iter().map(|n| n.as_ref())
    }
}

/// Read and write capacity units, for provisioned tables and indexes.
///
/// ```
/// use dynamo_model::Throughput;
/// let t = Throughput::new(5, 2);
/// assert_eq!((t.read, t.write), (5, 2));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Throughput {
    /// Read capacity units.
    pub read: u64,
    /// Write capacity units.
    pub write: u64,
}

impl Throughput {
    /// `read` and `write` capacity units.
    ///
    /// ```
    /// use dynamo_model::Throughput;
    /// const SMALL: Throughput = Throughput::new(1, 1);
    /// assert_eq!((SMALL.read, SMALL.write), (1, 1));
    /// ```
    pub const fn new(read: u64, write: u64) -> Self {
        Throughput { read, write }
    }
}

/// A global secondary index.
///
/// DynamoDB allows up to four partition-key and four sort-key attributes per
/// GSI (multi-attribute keys); most indexes have one of each, or just one
/// partition key.
///
/// ```
/// use dynamo_model::{AttributeType, GlobalSecondaryIndex, KeyAttribute, Projection};
/// let by_status = GlobalSecondaryIndex::from_parts(
///     "by_status",
///     vec![KeyAttribute::new("status", AttributeType::S)],
///     vec![KeyAttribute::new("createdAt", AttributeType::N)],
///     Projection::KeysOnly,
///     None,
/// );
/// assert_eq!(by_status.hash_keys()[0].name(), "status");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GlobalSecondaryIndex {
    name: Cow<'static, str>,
    hash_keys: Cow<'static, [KeyAttribute]>,
    range_keys: Cow<'static, [KeyAttribute]>,
    projection: Projection,
    throughput: Option<Throughput>,
}

impl GlobalSecondaryIndex {
    /// A GSI from `'static` parts (what the derive emits).
    ///
    /// ```
    /// use dynamo_model::{AttributeType, GlobalSecondaryIndex, KeyAttribute, Projection};
    /// static STATUS: [KeyAttribute; 1] = [KeyAttribute::new("status", AttributeType::S)];
    /// static BY_STATUS: GlobalSecondaryIndex =
    ///     GlobalSecondaryIndex::new("by_status", &STATUS, &[], Projection::All, None);
    /// assert_eq!(BY_STATUS.name(), "by_status");
    /// ```
    pub const fn new(
        name: &'static str,
        hash_keys: &'static [KeyAttribute],
        range_keys: &'static [KeyAttribute],
        projection: Projection,
        throughput: Option<Throughput>,
    ) -> Self {
        GlobalSecondaryIndex {
            name: Cow::Borrowed(name),
            hash_keys: Cow::Borrowed(hash_keys),
            range_keys: Cow::Borrowed(range_keys),
            projection,
            throughput,
        }
    }

    /// A GSI from parts known only at run time.
    ///
    /// ```
    /// use dynamo_model::{AttributeType, GlobalSecondaryIndex, KeyAttribute, Projection, Throughput};
    /// let field = "tenant";
    /// let gsi = GlobalSecondaryIndex::from_parts(
    ///     format!("by_{field}"),
    ///     vec![KeyAttribute::named(field, AttributeType::S)],
    ///     vec![],
    ///     Projection::All,
    ///     Some(Throughput::new(5, 5)),
    /// );
    /// assert_eq!(gsi.name(), "by_tenant");
    /// ```
    pub fn from_parts(
        name: impl Into<Cow<'static, str>>,
        hash_keys: Vec<KeyAttribute>,
        range_keys: Vec<KeyAttribute>,
        projection: Projection,
        throughput: Option<Throughput>,
    ) -> Self {
        GlobalSecondaryIndex {
            name: name.into(),
            hash_keys: Cow::Owned(hash_keys),
            range_keys: Cow::Owned(range_keys),
            projection,
            throughput,
        }
    }

    /// The index name.
    ///
    /// ```
    /// use dynamo_model::{AttributeType::*, TableSchema};
    /// let schema = TableSchema::builder("orders")
    ///     .hash_key("id", S)
    ///     .global_index("by_status", |gsi| gsi.hash_key("status", S))
    ///     .build()?;
    /// assert_eq!(schema.global_indexes()[0].name(), "by_status");
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Its partition-key attributes, in order.
    ///
    /// ```
    /// use dynamo_model::{AttributeType::*, TableSchema};
    /// let schema = TableSchema::builder("orders")
    ///     .hash_key("id", S)
    ///     .global_index("by_tenant_status", |gsi| gsi.hash_key("tenant", S).hash_key("status", S))
    ///     .build()?;
    /// let gsi = &schema.global_indexes()[0];
    /// let names: Vec<&str> = gsi.hash_keys().iter().map(|k| k.name()).collect();
    /// assert_eq!(names, ["tenant", "status"]);
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn hash_keys(&self) -> &[KeyAttribute] {
        &self.hash_keys
    }
    /// Its sort-key attributes, in order (may be empty).
    ///
    /// ```
    /// use dynamo_model::{AttributeType::*, TableSchema};
    /// let schema = TableSchema::builder("orders")
    ///     .hash_key("id", S)
    ///     .global_index("by_status", |gsi| gsi.hash_key("status", S).range_key("createdAt", N))
    ///     .global_index("by_email", |gsi| gsi.hash_key("email", S))
    ///     .build()?;
    /// assert_eq!(schema.global_indexes()[0].range_keys()[0].name(), "createdAt");
    /// assert!(schema.global_indexes()[1].range_keys().is_empty());
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn range_keys(&self) -> &[KeyAttribute] {
        &self.range_keys
    }
    /// What it projects.
    ///
    /// ```
    /// use dynamo_model::{AttributeType::*, TableSchema};
    /// let schema = TableSchema::builder("orders")
    ///     .hash_key("id", S)
    ///     .global_index("by_status", |gsi| gsi.hash_key("status", S).include(["total"]))
    ///     .build()?;
    /// let projection = schema.global_indexes()[0].projection();
    /// assert_eq!(projection.non_key_attributes().collect::<Vec<_>>(), ["total"]);
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn projection(&self) -> &Projection {
        &self.projection
    }
    /// Capacity declared on the model (`read_capacity`/`write_capacity`).
    ///
    /// ```
    /// use dynamo_model::{AttributeType::*, TableSchema, Throughput};
    /// let schema = TableSchema::builder("orders")
    ///     .hash_key("id", S)
    ///     .global_index("by_status", |gsi| gsi.hash_key("status", S).capacity(5, 2))
    ///     .build()?;
    /// assert_eq!(schema.global_indexes()[0].throughput(), Some(Throughput::new(5, 2)));
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn throughput(&self) -> Option<Throughput> {
        self.throughput
    }
}

/// A local secondary index: the table's partition key with another sort key.
///
/// ```
/// use dynamo_model::{AttributeType, KeyAttribute, LocalSecondaryIndex, Projection};
/// let by_total = LocalSecondaryIndex::from_parts(
///     "by_total",
///     KeyAttribute::new("total", AttributeType::N),
///     Projection::KeysOnly,
/// );
/// assert_eq!(by_total.range_key().name(), "total");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LocalSecondaryIndex {
    name: Cow<'static, str>,
    range_key: KeyAttribute,
    projection: Projection,
}

impl LocalSecondaryIndex {
    /// An LSI from `'static` parts (what the derive emits).
    ///
    /// ```
    /// use dynamo_model::{AttributeType, KeyAttribute, LocalSecondaryIndex, Projection};
    /// static BY_TOTAL: LocalSecondaryIndex = LocalSecondaryIndex::new(
    ///     "by_total",
    ///     KeyAttribute::new("total", AttributeType::N),
    ///     Projection::KeysOnly,
    /// );
    /// assert_eq!(BY_TOTAL.name(), "by_total");
    /// ```
    pub const fn new(name: &'static str, range_key: KeyAttribute, projection: Projection) -> Self {
        LocalSecondaryIndex {
            name: Cow::Borrowed(name),
            range_key,
            projection,
        }
    }

    /// An LSI whose name is only known at run time.
    ///
    /// ```
    /// use dynamo_model::{AttributeType, KeyAttribute, LocalSecondaryIndex, Projection};
    /// let field = "total";
    /// let lsi = LocalSecondaryIndex::from_parts(
    ///     format!("by_{field}"),
    ///     KeyAttribute::named(field, AttributeType::N),
    ///     Projection::All,
    /// );
    /// assert_eq!(lsi.name(), "by_total");
    /// ```
    pub fn from_parts(
        name: impl Into<Cow<'static, str>>,
        range_key: KeyAttribute,
        projection: Projection,
    ) -> Self {
        LocalSecondaryIndex {
            name: name.into(),
            range_key,
            projection,
        }
    }

    /// The index name.
    ///
    /// ```
    /// use dynamo_model::{AttributeType::*, Projection, TableSchema};
    /// let schema = TableSchema::builder("orders")
    ///     .hash_key("customerId", S)
    ///     .range_key("orderId", S)
    ///     .local_index("by_total", "total", N, Projection::KeysOnly)
    ///     .build()?;
    /// assert_eq!(schema.local_indexes()[0].name(), "by_total");
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Its sort key.
    ///
    /// ```
    /// use dynamo_model::{AttributeType::*, Projection, TableSchema};
    /// let schema = TableSchema::builder("orders")
    ///     .hash_key("customerId", S)
    ///     .range_key("orderId", S)
    ///     .local_index("by_total", "total", N, Projection::KeysOnly)
    ///     .build()?;
    /// let sort_key = schema.local_indexes()[0].range_key();
    /// assert_eq!((sort_key.name(), sort_key.attribute_type()), ("total", N));
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn range_key(&self) -> &KeyAttribute {
        &self.range_key
    }
    /// What it projects.
    ///
    /// ```
    /// use dynamo_model::{AttributeType::*, Projection, TableSchema};
    /// let schema = TableSchema::builder("orders")
    ///     .hash_key("customerId", S)
    ///     .range_key("orderId", S)
    ///     .local_index("by_total", "total", N, Projection::KeysOnly)
    ///     .build()?;
    /// assert_eq!(schema.local_indexes()[0].projection(), &Projection::KeysOnly);
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn projection(&self) -> &Projection {
        &self.projection
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
                    .flat_map(|g| g.hash_keys.iter().chain(g.range_keys.iter())),
            )
            .chain(self.local_indexes.iter().map(|l| &l.range_key))
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
        self.global_indexes.iter().any(|g| g.name == name)
            || self.local_indexes.iter().any(|l| l.name == name)
    }
}
