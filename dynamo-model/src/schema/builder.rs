//! Building a [`TableSchema`] by hand, for tables without a model struct.
//! `build` checks the same rules as the derive, at run time.

use std::borrow::Cow;

use dynamo_model_rules::{self as rules, Dialect, TableRole};

use crate::error::{Error, Result};
use crate::{
    AttributeType, GlobalSecondaryIndex, KeyAttribute, LocalSecondaryIndex, Projection,
    TableSchema, Throughput,
};

/// Builds a [`TableSchema`]; see [`TableSchema::builder`].
///
/// ```
/// use dynamo_model::{AttributeType::*, TableSchema, TableSchemaBuilder};
/// let builder: TableSchemaBuilder = TableSchema::builder("sessions").hash_key("token", S);
/// let schema = builder.ttl("expiresAt").build()?;
/// assert_eq!(schema.table_name(), "sessions");
/// # Ok::<(), dynamo_model::Error>(())
/// ```
#[derive(Debug, Clone)]
#[must_use = "call `.build()` to get the schema"]
pub struct TableSchemaBuilder {
    table_name: String,
    hash_keys: Vec<KeyAttribute>,
    range_keys: Vec<KeyAttribute>,
    global_indexes: Vec<GlobalSecondaryIndex>,
    local_indexes: Vec<LocalSecondaryIndex>,
    ttl_attributes: Vec<String>,
    problems: Vec<String>,
}

/// Builds one GSI inside [`TableSchemaBuilder::global_index`].
///
/// ```
/// use dynamo_model::{AttributeType::*, GlobalIndexBuilder, TableSchema};
/// fn by_status(gsi: GlobalIndexBuilder) -> GlobalIndexBuilder {
///     gsi.hash_key("status", S).range_key("createdAt", N).include(["total"])
/// }
/// let schema = TableSchema::builder("orders").hash_key("id", S).global_index("by_status", by_status).build()?;
/// assert!(schema.has_index("by_status"));
/// # Ok::<(), dynamo_model::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct GlobalIndexBuilder {
    hash_keys: Vec<KeyAttribute>,
    range_keys: Vec<KeyAttribute>,
    projection: Projection,
    throughput: Option<Throughput>,
}

impl TableSchema {
    /// A schema built by hand: the same operations accept it as a derived one.
    ///
    /// ```
    /// use dynamo_model::{AttributeType::*, Projection, TableSchema};
    ///
    /// let schema = TableSchema::builder("orders")
    ///     .hash_key("customerId", S)
    ///     .range_key("orderId", N)
    ///     .global_index("by_status", |gsi| gsi.hash_key("status", S).range_key("createdAt", N))
    ///     .local_index("by_total", "total", N, Projection::KeysOnly)
    ///     .ttl("expiresAt")
    ///     .build()?;
    /// assert_eq!(schema.key_attributes().len(), 5);
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn builder(table_name: impl Into<String>) -> TableSchemaBuilder {
        TableSchemaBuilder {
            table_name: table_name.into(),
            hash_keys: Vec::new(),
            range_keys: Vec::new(),
            global_indexes: Vec::new(),
            local_indexes: Vec::new(),
            ttl_attributes: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// Every DynamoDB rule this schema breaks (the ones the derive checks at
    /// compile time), as an [`Error::InvalidSchema`].
    ///
    /// ```
    /// use dynamo_model::{AttributeType, KeyAttribute, TableSchema};
    /// let schema = TableSchema::from_parts("x", KeyAttribute::new("id", AttributeType::S), None, vec![], vec![], None);
    /// assert!(schema.validate().is_err()); // "x" is too short for a table name
    /// ```
    pub fn validate(&self) -> Result<()> {
        refuse_if_any(self.table_name(), super::rules::problems(self))
    }
}

impl TableSchemaBuilder {
    /// The table's partition key (exactly one).
    ///
    /// ```
    /// use dynamo_model::{AttributeType, TableSchema};
    /// let schema = TableSchema::builder("users").hash_key("id", AttributeType::S).build()?;
    /// assert_eq!(schema.hash_key().name(), "id");
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn hash_key(mut self, name: impl Into<String>, attribute_type: AttributeType) -> Self {
        self.hash_keys
            .push(KeyAttribute::named(name.into(), attribute_type));
        self
    }

    /// The table's sort key (at most one).
    ///
    /// ```
    /// use dynamo_model::{AttributeType::*, TableSchema};
    /// let schema = TableSchema::builder("events").hash_key("deviceId", S).range_key("at", N).build()?;
    /// assert_eq!(schema.range_key().map(|k| k.name()), Some("at"));
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn range_key(mut self, name: impl Into<String>, attribute_type: AttributeType) -> Self {
        self.range_keys
            .push(KeyAttribute::named(name.into(), attribute_type));
        self
    }

    /// A global secondary index, described by `index`.
    ///
    /// ```
    /// use dynamo_model::{AttributeType::*, TableSchema};
    /// let schema = TableSchema::builder("orders")
    ///     .hash_key("id", S)
    ///     .global_index("by_status", |gsi| gsi.hash_key("status", S).range_key("createdAt", N))
    ///     .build()?;
    /// assert!(schema.has_index("by_status"));
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn global_index(
        mut self,
        name: impl Into<String>,
        index: impl FnOnce(GlobalIndexBuilder) -> GlobalIndexBuilder,
    ) -> Self {
        let built = index(GlobalIndexBuilder::default());
        self.global_indexes.push(GlobalSecondaryIndex::from_parts(
            name.into(),
            built.hash_keys,
            built.range_keys,
            built.projection,
            built.throughput,
        ));
        self
    }

    /// A local secondary index: the table's partition key with this sort key.
    ///
    /// ```
    /// use dynamo_model::{AttributeType::*, Projection, TableSchema};
    /// let schema = TableSchema::builder("orders")
    ///     .hash_key("customerId", S)
    ///     .range_key("orderId", S) // an LSI needs a table sort key
    ///     .local_index("by_total", "total", N, Projection::KeysOnly)
    ///     .build()?;
    /// assert!(schema.has_index("by_total"));
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn local_index(
        mut self,
        name: impl Into<String>,
        range_key: impl Into<String>,
        attribute_type: AttributeType,
        projection: Projection,
    ) -> Self {
        self.local_indexes.push(LocalSecondaryIndex::from_parts(
            name.into(),
            KeyAttribute::named(range_key.into(), attribute_type),
            projection,
        ));
        self
    }

    /// The attribute holding each item's expiry time (epoch seconds).
    ///
    /// ```
    /// use dynamo_model::{AttributeType::*, TableSchema};
    /// let schema = TableSchema::builder("sessions").hash_key("token", S).ttl("expiresAt").build()?;
    /// assert_eq!(schema.ttl_attribute(), Some("expiresAt"));
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn ttl(mut self, attribute: impl Into<String>) -> Self {
        self.ttl_attributes.push(attribute.into());
        self
    }

    /// The schema, or [`Error::InvalidSchema`] listing every rule it breaks.
    ///
    /// ```
    /// use dynamo_model::{AttributeType::*, Error, TableSchema};
    /// let schema = TableSchema::builder("users").hash_key("id", S).build()?;
    /// assert_eq!(schema.table_name(), "users");
    ///
    /// let err = TableSchema::builder("users").range_key("created", N).build().unwrap_err();
    /// assert!(matches!(err, Error::InvalidSchema { .. })); // no partition key
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn build(mut self) -> Result<TableSchema> {
        let hash_keys = std::mem::take(&mut self.hash_keys);
        let range_keys = std::mem::take(&mut self.range_keys);
        let ttls = std::mem::take(&mut self.ttl_attributes);
        if hash_keys.is_empty() {
            self.problems
                .push(rules::missing_hash_key(Dialect::Builder));
        }
        for (role, names) in [
            (
                TableRole::HashKey,
                hash_keys.iter().map(|k| k.name()).collect::<Vec<_>>(),
            ),
            (
                TableRole::RangeKey,
                range_keys.iter().map(|k| k.name()).collect(),
            ),
            (TableRole::Ttl, ttls.iter().map(String::as_str).collect()),
        ] {
            let extra = rules::extra_table_keys(role, &names, Dialect::Builder);
            self.problems
                .extend(extra.into_iter().map(|(_, message)| message));
        }
        // A placeholder lets the other rules run; its empty name is not
        // reported again.
        let missing_hash_key = hash_keys.is_empty();
        let hash_key = hash_keys
            .into_iter()
            .next()
            .unwrap_or_else(|| KeyAttribute::new("", AttributeType::S));
        let range_key = range_keys.into_iter().next();
        let ttl = ttls.into_iter().next();

        let schema = TableSchema::from_parts(
            self.table_name,
            hash_key,
            range_key,
            self.global_indexes,
            self.local_indexes,
            ttl,
        );
        let mut problems = self.problems;
        let empty_name = rules::key_attribute_name("");
        problems.extend(
            super::rules::problems(&schema)
                .into_iter()
                .filter(|p| !(missing_hash_key && Some(p) == empty_name.as_ref())),
        );
        refuse_if_any(schema.table_name(), problems)?;
        Ok(schema)
    }
}

fn refuse_if_any(table: &str, problems: Vec<String>) -> Result<()> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::InvalidSchema {
            table: table.to_owned(),
            problems,
        })
    }
}

impl GlobalIndexBuilder {
    /// A partition-key attribute (up to four, in order).
    ///
    /// ```
    /// use dynamo_model::{AttributeType::*, TableSchema};
    /// let schema = TableSchema::builder("orders")
    ///     .hash_key("id", S)
    ///     .global_index("by_tenant_status", |gsi| gsi.hash_key("tenant", S).hash_key("status", S))
    ///     .build()?;
    /// assert_eq!(schema.global_indexes()[0].hash_keys().len(), 2);
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn hash_key(mut self, name: impl Into<String>, attribute_type: AttributeType) -> Self {
        self.hash_keys
            .push(KeyAttribute::named(name.into(), attribute_type));
        self
    }

    /// A sort-key attribute (up to four, in order).
    ///
    /// ```
    /// use dynamo_model::{AttributeType::*, TableSchema};
    /// let schema = TableSchema::builder("orders")
    ///     .hash_key("id", S)
    ///     .global_index("by_status", |gsi| gsi.hash_key("status", S).range_key("createdAt", N))
    ///     .build()?;
    /// assert_eq!(schema.global_indexes()[0].range_keys()[0].name(), "createdAt");
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn range_key(mut self, name: impl Into<String>, attribute_type: AttributeType) -> Self {
        self.range_keys
            .push(KeyAttribute::named(name.into(), attribute_type));
        self
    }

    /// What the index projects (default: all attributes).
    ///
    /// ```
    /// use dynamo_model::{AttributeType::*, Projection, TableSchema};
    /// let schema = TableSchema::builder("orders")
    ///     .hash_key("id", S)
    ///     .global_index("by_status", |gsi| gsi.hash_key("status", S).projection(Projection::KeysOnly))
    ///     .build()?;
    /// assert_eq!(schema.global_indexes()[0].projection(), &Projection::KeysOnly);
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn projection(mut self, projection: Projection) -> Self {
        self.projection = projection;
        self
    }

    /// Project the keys plus these attributes.
    ///
    /// ```
    /// use dynamo_model::{AttributeType::*, TableSchema};
    /// let schema = TableSchema::builder("orders")
    ///     .hash_key("id", S)
    ///     .global_index("by_status", |gsi| gsi.hash_key("status", S).include(["total", "currency"]))
    ///     .build()?;
    /// assert_eq!(schema.global_indexes()[0].projection().projection_type(), "INCLUDE");
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn include<I, S>(self, attributes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let names: Vec<Cow<'static, str>> = attributes
            .into_iter()
            .map(|s| Cow::Owned(s.into()))
            .collect();
        self.projection(Projection::Include(Cow::Owned(names)))
    }

    /// The index's capacity when its table is provisioned.
    ///
    /// ```
    /// use dynamo_model::{AttributeType::*, TableSchema, Throughput};
    /// let schema = TableSchema::builder("orders")
    ///     .hash_key("id", S)
    ///     .global_index("by_status", |gsi| gsi.hash_key("status", S).capacity(10, 2))
    ///     .build()?;
    /// assert_eq!(schema.global_indexes()[0].throughput(), Some(Throughput::new(10, 2)));
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn capacity(mut self, read_capacity: u64, write_capacity: u64) -> Self {
        self.throughput = Some(Throughput::new(read_capacity, write_capacity));
        self
    }
}
