//! What a plan compares: one type, [`TableState`], for what the model (with
//! its options) asks for and for what the live table is, so that the diff
//! and the check that a table has not changed since its plan compare like
//! with like. Reading the live table is `live.rs`.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{
    AttributeType, CreateTableOptions, Encryption, Projection, StreamView, TableClass, TableSchema,
    Throughput,
};

/// One key attribute of a table or an index: its name and type.
///
/// ```
/// use dynamo_model::plan::KeyDef;
/// use dynamo_model::AttributeType;
/// let key = KeyDef { name: "status".into(), attribute_type: AttributeType::S };
/// assert_eq!(key.to_string(), "status S");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyDef {
    /// The attribute name.
    pub name: String,
    /// Its type.
    pub attribute_type: AttributeType,
}

impl fmt::Display for KeyDef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.name, self.attribute_type.as_str())
    }
}

/// Which attributes an index holds; the included names are sorted, since
/// DynamoDB need not keep their order.
///
/// ```
/// use dynamo_model::plan::IndexProjection;
/// let p = IndexProjection::Include { attributes: vec!["total".into()] };
/// assert_eq!(p.to_string(), "INCLUDE total");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum IndexProjection {
    /// Every attribute.
    All,
    /// The keys only.
    KeysOnly,
    /// The keys and these attributes.
    Include {
        /// The included attribute names, sorted.
        attributes: Vec<String>,
    },
}

impl fmt::Display for IndexProjection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IndexProjection::All => f.write_str("ALL"),
            IndexProjection::KeysOnly => f.write_str("KEYS_ONLY"),
            IndexProjection::Include { attributes } => {
                write!(f, "INCLUDE {}", attributes.join(", "))
            }
        }
    }
}

impl IndexProjection {
    pub(crate) fn of(projection: &Projection) -> Self {
        match projection {
            Projection::All => IndexProjection::All,
            Projection::KeysOnly => IndexProjection::KeysOnly,
            Projection::Include(names) => {
                let mut attributes: Vec<String> = names.iter().map(|n| n.to_string()).collect();
                attributes.sort();
                IndexProjection::Include { attributes }
            }
        }
    }

    pub(crate) fn to_projection(&self) -> Projection {
        match self {
            IndexProjection::All => Projection::All,
            IndexProjection::KeysOnly => Projection::KeysOnly,
            IndexProjection::Include { attributes } => Projection::Include(
                attributes
                    .iter()
                    .map(|a| std::borrow::Cow::Owned(a.clone()))
                    .collect::<Vec<_>>()
                    .into(),
            ),
        }
    }
}

/// An index's keys and projection: what cannot change without dropping and
/// re-creating it.
///
/// ```
/// use dynamo_model::plan::{IndexKeys, IndexProjection, KeyDef};
/// use dynamo_model::AttributeType::*;
/// let keys = IndexKeys {
///     hash: vec![KeyDef { name: "status".into(), attribute_type: S }],
///     range: vec![KeyDef { name: "created".into(), attribute_type: N }],
///     projection: IndexProjection::KeysOnly,
/// };
/// assert_eq!(keys.to_string(), "status S, range created N, KEYS_ONLY");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexKeys {
    /// The partition key attributes.
    pub hash: Vec<KeyDef>,
    /// The sort key attributes.
    pub range: Vec<KeyDef>,
    /// The projection.
    pub projection: IndexProjection,
}

impl fmt::Display for IndexKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |keys: &[KeyDef]| {
            keys.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" + ")
        };
        write!(f, "{}", list(&self.hash))?;
        if !self.range.is_empty() {
            write!(f, ", range {}", list(&self.range))?;
        }
        write!(f, ", {}", self.projection)
    }
}

/// How a table or a GSI is billed: on-demand (with an optional maximum of
/// request units) or provisioned.
///
/// ```
/// use dynamo_model::plan::Capacity;
/// use dynamo_model::Throughput;
/// assert_eq!(Capacity::Provisioned(Throughput::new(5, 2)).to_string(), "provisioned 5/2");
/// assert_eq!(Capacity::OnDemand { max: None }.to_string(), "on-demand");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Capacity {
    /// Pay per request, with at most `max` read/write request units a second.
    OnDemand {
        /// The maximum request units, if capped.
        max: Option<Throughput>,
    },
    /// Provisioned read and write capacity units.
    Provisioned(Throughput),
}

impl fmt::Display for Capacity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Capacity::OnDemand { max: None } => f.write_str("on-demand"),
            Capacity::OnDemand { max: Some(t) } => {
                write!(f, "on-demand, at most {}/{}", t.read, t.write)
            }
            Capacity::Provisioned(t) => write!(f, "provisioned {}/{}", t.read, t.write),
        }
    }
}

/// Encryption at rest as DynamoDB reports it.
///
/// ```
/// use dynamo_model::plan::EncryptionState;
/// assert_eq!(EncryptionState::AwsOwned.to_string(), "AWS owned key");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EncryptionState {
    /// DynamoDB's own key (the default).
    AwsOwned,
    /// A KMS key: the AWS managed one when `key` is `None`, else this key
    /// (id, ARN or alias as given; DynamoDB reports the key's ARN).
    Kms {
        /// The customer managed key.
        key: Option<String>,
    },
}

impl fmt::Display for EncryptionState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncryptionState::AwsOwned => f.write_str("AWS owned key"),
            EncryptionState::Kms { key: None } => f.write_str("KMS (AWS managed key)"),
            EncryptionState::Kms { key: Some(key) } => write!(f, "KMS key {key}"),
        }
    }
}

impl EncryptionState {
    fn of(encryption: &Encryption) -> Self {
        match encryption {
            Encryption::AwsOwned => EncryptionState::AwsOwned,
            Encryption::AwsManaged => EncryptionState::Kms { key: None },
            Encryption::CustomerManaged { kms_key_id } => EncryptionState::Kms {
                key: Some(kms_key_id.clone()),
            },
        }
    }

    pub(crate) fn to_encryption(&self) -> Encryption {
        match self {
            EncryptionState::AwsOwned => Encryption::AwsOwned,
            EncryptionState::Kms { key: None } => Encryption::AwsManaged,
            EncryptionState::Kms { key: Some(key) } => Encryption::CustomerManaged {
                kms_key_id: key.clone(),
            },
        }
    }

    /// Whether the live encryption is what `self` asks for. DynamoDB reports
    /// a key's ARN whatever form it was given in; an alias cannot be
    /// resolved without KMS, so any customer key satisfies one.
    pub(crate) fn satisfied_by(&self, live: &EncryptionState) -> bool {
        match (self, live) {
            (
                EncryptionState::Kms { key: Some(asked) },
                EncryptionState::Kms { key: Some(arn) },
            ) => arn == asked || arn.ends_with(&format!("/{asked}")) || asked.contains("alias/"),
            (EncryptionState::Kms { .. }, EncryptionState::Kms { .. }) => true,
            (a, b) => a == b,
        }
    }
}

/// A GSI: its keys and projection, and its capacity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct GsiState {
    pub(crate) keys: IndexKeys,
    pub(crate) capacity: Capacity,
}

/// Everything a plan compares about one table. A setting read from its own
/// API (TTL, tags, point-in-time recovery) is `None` when it is not compared:
/// the server could not say, or the options leave it alone (`enable_ttl(false)`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct TableState {
    pub(crate) hash_key: KeyDef,
    pub(crate) range_key: Option<KeyDef>,
    pub(crate) global_indexes: BTreeMap<String, GsiState>,
    pub(crate) local_indexes: BTreeMap<String, IndexKeys>,
    pub(crate) billing: Capacity,
    pub(crate) stream: Option<StreamView>,
    pub(crate) deletion_protection: bool,
    pub(crate) table_class: TableClass,
    pub(crate) encryption: EncryptionState,
    /// `Some(None)` (TTL off) must survive JSON, where it would read as `None`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub(crate) ttl: Option<Option<String>>,
    pub(crate) tags: Option<BTreeMap<String, String>>,
    pub(crate) point_in_time_recovery: Option<bool>,
    /// Auto scaling owns the provisioned units: a desired state compares the
    /// billing mode only (`CreateTableOptions::capacity_autoscaled`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) capacity_autoscaled: bool,
}

impl KeyDef {
    pub(crate) fn of(key: &crate::KeyAttribute) -> Self {
        KeyDef {
            name: key.name().to_owned(),
            attribute_type: key.attribute_type(),
        }
    }
}

impl TableState {
    /// What `schema` created with `options` is: the desired state. Every
    /// setting the options leave out is DynamoDB's default, as a new table
    /// would have it.
    pub(crate) fn desired(schema: &TableSchema, options: &CreateTableOptions) -> Self {
        let billing = match options.provisioned {
            Some(t) => Capacity::Provisioned(t),
            None => Capacity::OnDemand {
                max: options.max_on_demand,
            },
        };
        let hash_key = KeyDef::of(schema.hash_key());
        let global_indexes = schema
            .global_indexes()
            .iter()
            .map(|gsi| {
                let capacity = match options.index_throughput(gsi) {
                    Some(units) => Capacity::Provisioned(units),
                    None => Capacity::OnDemand {
                        max: options.index_max_on_demand.get(gsi.name()).copied(),
                    },
                };
                let keys = IndexKeys {
                    hash: gsi.hash_keys().iter().map(KeyDef::of).collect(),
                    range: gsi.range_keys().iter().map(KeyDef::of).collect(),
                    projection: IndexProjection::of(gsi.projection()),
                };
                (gsi.name().to_owned(), GsiState { keys, capacity })
            })
            .collect();
        let local_indexes = schema
            .local_indexes()
            .iter()
            .map(|lsi| {
                let keys = IndexKeys {
                    hash: vec![hash_key.clone()],
                    range: vec![KeyDef::of(lsi.range_key())],
                    projection: IndexProjection::of(lsi.projection()),
                };
                (lsi.name().to_owned(), keys)
            })
            .collect();
        TableState {
            hash_key,
            range_key: schema.range_key().map(KeyDef::of),
            global_indexes,
            local_indexes,
            billing,
            stream: options.stream,
            deletion_protection: options.deletion_protection.unwrap_or(false),
            table_class: options.table_class.unwrap_or_default(),
            encryption: EncryptionState::of(&options.encryption.clone().unwrap_or_default()),
            ttl: options
                .enable_ttl
                .then(|| schema.ttl_attribute().map(str::to_owned)),
            tags: Some(options.tags.iter().cloned().collect()),
            point_in_time_recovery: Some(options.point_in_time_recovery),
            capacity_autoscaled: options.capacity_autoscaled,
        }
    }

    /// What of `self` is compared with `live`: all of it, or, when auto
    /// scaling owns the units (`autoscaled`), all but the provisioned units
    /// of the table and of each GSI that `live` has with the same keys (a
    /// new or replaced GSI starts from the capacity `self` gives).
    pub(crate) fn compared_with(&self, live: &TableState, autoscaled: bool) -> Cow<'_, TableState> {
        if !autoscaled {
            return Cow::Borrowed(self);
        }
        let mut out = self.clone();
        if let (Capacity::Provisioned(_), Capacity::Provisioned(units)) =
            (out.billing, live.billing)
        {
            out.billing = Capacity::Provisioned(units);
        }
        for (name, gsi) in &mut out.global_indexes {
            let same = live.global_indexes.get(name).filter(|g| g.keys == gsi.keys);
            if let (Capacity::Provisioned(_), Some(Capacity::Provisioned(units))) =
                (gsi.capacity, same.map(|g| g.capacity))
            {
                gsi.capacity = Capacity::Provisioned(units);
            }
        }
        Cow::Owned(out)
    }

    /// The options that create this state's table (its keys and indexes
    /// come from the schema).
    pub(crate) fn create_options(&self) -> CreateTableOptions {
        let mut options = CreateTableOptions::new();
        match self.billing {
            Capacity::Provisioned(t) => options = options.provisioned(t.read, t.write),
            Capacity::OnDemand { max: Some(t) } => options = options.max_on_demand(t.read, t.write),
            Capacity::OnDemand { max: None } => {}
        }
        for (name, gsi) in &self.global_indexes {
            match gsi.capacity {
                Capacity::Provisioned(t) => {
                    options = options.index_capacity(name.clone(), t.read, t.write)
                }
                Capacity::OnDemand { max: Some(t) } => {
                    options = options.index_max_on_demand(name.clone(), t.read, t.write)
                }
                Capacity::OnDemand { max: None } => {}
            }
        }
        if let Some(view) = self.stream {
            options = options.stream(view);
        }
        if self.deletion_protection {
            options = options.deletion_protection(true);
        }
        if self.table_class != TableClass::Standard {
            options = options.table_class(self.table_class);
        }
        if self.encryption != EncryptionState::AwsOwned {
            options = options.encryption(self.encryption.to_encryption());
        }
        for (key, value) in self.tags.iter().flatten() {
            options = options.tag(key.clone(), value.clone());
        }
        options
            .capacity_autoscaled(self.capacity_autoscaled)
            .enable_ttl(matches!(self.ttl, Some(Some(_))))
            .point_in_time_recovery(self.point_in_time_recovery == Some(true))
    }

    /// Every attribute a key of the table or of an index uses, with its
    /// type: the AttributeDefinitions the table must carry.
    pub(crate) fn key_attributes(&self) -> BTreeMap<String, AttributeType> {
        let mut all = BTreeMap::new();
        let mut add = |key: &KeyDef| {
            all.insert(key.name.clone(), key.attribute_type);
        };
        add(&self.hash_key);
        self.range_key.iter().for_each(&mut add);
        for index in self
            .local_indexes
            .values()
            .chain(self.global_indexes.values().map(|g| &g.keys))
        {
            index.hash.iter().chain(&index.range).for_each(&mut add);
        }
        all
    }

    /// Whether the live table (`self`) is what `expected` says, within what
    /// DynamoDB reports (a KMS key comes back as its ARN).
    /// A setting that cannot be read now (`None`) is taken as it was.
    pub(crate) fn matches(&self, expected: &TableState) -> bool {
        expected.encryption.satisfied_by(&self.encryption)
            && TableState {
                encryption: expected.encryption.clone(),
                ttl: self.ttl.clone().or(expected.ttl.clone()),
                tags: self.tags.clone().or(expected.tags.clone()),
                point_in_time_recovery: self
                    .point_in_time_recovery
                    .or(expected.point_in_time_recovery),
                ..self.clone()
            } == *expected
    }
}

/// A field that is present is compared, even when it is `null`.
fn present<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kms_key_is_reported_by_its_arn() {
        let arn = EncryptionState::Kms {
            key: Some("arn:aws:kms:us-east-1:1:key/abcd".into()),
        };
        let by_id = EncryptionState::Kms {
            key: Some("abcd".into()),
        };
        let other = EncryptionState::Kms {
            key: Some("efgh".into()),
        };
        let managed = EncryptionState::Kms { key: None };
        assert!(by_id.satisfied_by(&arn));
        assert!(!other.satisfied_by(&arn));
        assert!(managed.satisfied_by(&arn));
        assert!(!EncryptionState::AwsOwned.satisfied_by(&arn));
        assert!(!managed.satisfied_by(&EncryptionState::AwsOwned));
    }

    #[test]
    fn a_plan_state_survives_json_with_ttl_off() {
        let schema = TableSchema::builder("ttl_table")
            .hash_key("id", AttributeType::S)
            .build()
            .unwrap();
        let state = TableState::desired(&schema, &CreateTableOptions::new());
        assert_eq!(state.ttl, Some(None));
        let json = serde_json::to_string(&state).unwrap();
        assert_eq!(serde_json::from_str::<TableState>(&json).unwrap(), state);
        let left_alone = TableState::desired(&schema, &CreateTableOptions::new().enable_ttl(false));
        let json = serde_json::to_string(&left_alone).unwrap();
        assert_eq!(serde_json::from_str::<TableState>(&json).unwrap().ttl, None);
    }
}
