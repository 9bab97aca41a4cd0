//! The parts of a schema besides its keys: secondary indexes, their
//! projections, and provisioned throughput.

use std::borrow::Cow;

use super::KeyAttribute;

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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
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
