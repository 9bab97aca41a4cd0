//! The table a model describes, as plain data.
//!
//! `#[derive(DynamoModel)]` turns a struct into a `'static` [`TableSchema`];
//! everything that talks to DynamoDB reads only this value, so a schema built
//! by hand goes through exactly the same code as a derived one.

use std::borrow::Cow;
use std::fmt;

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
    pub const fn new(name: &'static str, attribute_type: AttributeType) -> Self {
        KeyAttribute {
            name: Cow::Borrowed(name),
            attribute_type,
        }
    }

    /// A key attribute whose name is only known at run time.
    pub fn named(name: impl Into<Cow<'static, str>>, attribute_type: AttributeType) -> Self {
        KeyAttribute {
            name: name.into(),
            attribute_type,
        }
    }

    /// The attribute name as it appears in items.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its scalar type.
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
    pub fn projection_type(&self) -> &'static str {
        match self {
            Projection::All => "ALL",
            Projection::KeysOnly => "KEYS_ONLY",
            Projection::Include(_) => "INCLUDE",
        }
    }

    /// The non-key attributes of an `Include` projection (none otherwise).
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
    pub const fn new(read: u64, write: u64) -> Self {
        Throughput { read, write }
    }
}

/// A global secondary index.
///
/// DynamoDB allows up to four partition-key and four sort-key attributes per
/// GSI (multi-attribute keys); most indexes have one of each, or just one
/// partition key.
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
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Its partition-key attributes, in order.
    pub fn hash_keys(&self) -> &[KeyAttribute] {
        &self.hash_keys
    }
    /// Its sort-key attributes, in order (may be empty).
    pub fn range_keys(&self) -> &[KeyAttribute] {
        &self.range_keys
    }
    /// What it projects.
    pub fn projection(&self) -> &Projection {
        &self.projection
    }
    /// Capacity declared on the model (`read_capacity`/`write_capacity`).
    pub fn throughput(&self) -> Option<Throughput> {
        self.throughput
    }
}

/// A local secondary index: the table's partition key with another sort key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LocalSecondaryIndex {
    name: Cow<'static, str>,
    range_key: KeyAttribute,
    projection: Projection,
}

impl LocalSecondaryIndex {
    /// An LSI from `'static` parts (what the derive emits).
    pub const fn new(name: &'static str, range_key: KeyAttribute, projection: Projection) -> Self {
        LocalSecondaryIndex {
            name: Cow::Borrowed(name),
            range_key,
            projection,
        }
    }

    /// An LSI whose name is only known at run time.
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
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Its sort key.
    pub fn range_key(&self) -> &KeyAttribute {
        &self.range_key
    }
    /// What it projects.
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
    pub fn table_name(&self) -> &str {
        &self.table_name
    }
    /// The partition key.
    pub fn hash_key(&self) -> &KeyAttribute {
        &self.hash_key
    }
    /// The sort key, if the table has one.
    pub fn range_key(&self) -> Option<&KeyAttribute> {
        self.range_key.as_ref()
    }
    /// The global secondary indexes, in declaration order.
    pub fn global_indexes(&self) -> &[GlobalSecondaryIndex] {
        &self.global_indexes
    }
    /// The local secondary indexes, in declaration order.
    pub fn local_indexes(&self) -> &[LocalSecondaryIndex] {
        &self.local_indexes
    }
    /// The attribute that holds each item's expiry time, if any.
    pub fn ttl_attribute(&self) -> Option<&str> {
        self.ttl_attribute.as_deref()
    }

    /// Every attribute used as a key by the table or one of its indexes, each
    /// once, sorted by name: exactly the `AttributeDefinitions` of CreateTable
    /// (DynamoDB rejects definitions of attributes that are not keys).
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
    pub fn has_index(&self, name: &str) -> bool {
        self.global_indexes.iter().any(|g| g.name == name)
            || self.local_indexes.iter().any(|l| l.name == name)
    }
}
