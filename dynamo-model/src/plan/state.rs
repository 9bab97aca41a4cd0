//! What a plan compares: one type, [`TableState`], for what the model (with
//! its options) asks for and for what the live table is, so that the diff
//! and the check that a table has not changed since its plan compare like
//! with like.

use std::collections::BTreeMap;
use std::fmt;

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::types::{
    BillingMode, KeySchemaElement, KeyType, OnDemandThroughput, ProjectionType, SseStatus, SseType,
    TableDescription,
};
use aws_sdk_dynamodb::Client;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::table::{backups, describe, tags, ttl};
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
    fn of(projection: &Projection) -> Self {
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
}

fn key_def(key: &crate::KeyAttribute) -> KeyDef {
    KeyDef {
        name: key.name().to_owned(),
        attribute_type: key.attribute_type(),
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
        let hash_key = key_def(schema.hash_key());
        let global_indexes = schema
            .global_indexes()
            .iter()
            .map(|gsi| {
                let capacity = match options.provisioned {
                    Some(table) => Capacity::Provisioned(
                        options
                            .index_capacity
                            .get(gsi.name())
                            .copied()
                            .or(gsi.throughput())
                            .unwrap_or(table),
                    ),
                    None => Capacity::OnDemand {
                        max: options.index_max_on_demand.get(gsi.name()).copied(),
                    },
                };
                let keys = IndexKeys {
                    hash: gsi.hash_keys().iter().map(key_def).collect(),
                    range: gsi.range_keys().iter().map(key_def).collect(),
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
                    range: vec![key_def(lsi.range_key())],
                    projection: IndexProjection::of(lsi.projection()),
                };
                (lsi.name().to_owned(), keys)
            })
            .collect();
        TableState {
            hash_key,
            range_key: schema.range_key().map(key_def),
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
        }
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
            .enable_ttl(matches!(self.ttl, Some(Some(_))))
            .point_in_time_recovery(self.point_in_time_recovery == Some(true))
    }

    /// The live table as DynamoDB describes it, and the settings read from
    /// their own APIs; `None` when there is no such table. Each setting the
    /// server cannot report is left out of the comparison, with a line that
    /// says so.
    pub(crate) async fn live(client: &Client, table: &str) -> Result<Option<(Self, Vec<String>)>> {
        let description = match describe::describe(client, table).await {
            Ok(description) => description,
            Err(Error::TableNotFound { .. }) => return Ok(None),
            Err(other) => return Err(other),
        };
        let mut not_compared = Vec::new();
        let ttl = readable(
            table,
            "DescribeTimeToLive",
            "TTL",
            ttl::current(client, table).await,
            &mut not_compared,
        )?;
        let tags = match description.table_arn() {
            Some(arn) => readable(
                table,
                "ListTagsOfResource",
                "tags",
                tags::current(client, arn).await,
                &mut not_compared,
            )?,
            None => {
                not_compared.push("tags: the table description has no ARN".to_owned());
                None
            }
        };
        let point_in_time_recovery = readable(
            table,
            "DescribeContinuousBackups",
            "point-in-time recovery",
            backups::point_in_time_recovery(client, table).await,
            &mut not_compared,
        )?;
        let mut state = Self::described(&description);
        state.ttl = ttl;
        state.tags = tags;
        state.point_in_time_recovery = point_in_time_recovery;
        Ok(Some((state, not_compared)))
    }

    /// What DescribeTable alone says (TTL, tags and PITR not compared).
    pub(crate) fn described(description: &TableDescription) -> Self {
        let types: BTreeMap<&str, AttributeType> = description
            .attribute_definitions()
            .iter()
            .map(|d| {
                let kind = match d.attribute_type().as_str() {
                    "N" => AttributeType::N,
                    "B" => AttributeType::B,
                    _ => AttributeType::S,
                };
                (d.attribute_name(), kind)
            })
            .collect();
        let keys = |elements: &[KeySchemaElement], kind: KeyType| -> Vec<KeyDef> {
            elements
                .iter()
                .filter(|e| *e.key_type() == kind)
                .map(|e| KeyDef {
                    name: e.attribute_name().to_owned(),
                    attribute_type: types
                        .get(e.attribute_name())
                        .copied()
                        .unwrap_or(AttributeType::S),
                })
                .collect()
        };
        let projection = |p: Option<&aws_sdk_dynamodb::types::Projection>| match p
            .and_then(|p| p.projection_type())
        {
            Some(ProjectionType::KeysOnly) => IndexProjection::KeysOnly,
            Some(ProjectionType::Include) => {
                let mut attributes = p.map_or(Vec::new(), |p| p.non_key_attributes().to_vec());
                attributes.sort();
                IndexProjection::Include { attributes }
            }
            _ => IndexProjection::All,
        };
        let provisioned =
            |t: Option<&aws_sdk_dynamodb::types::ProvisionedThroughputDescription>| {
                let t = t?;
                let read = t.read_capacity_units().unwrap_or(0);
                let write = t.write_capacity_units().unwrap_or(0);
                (read > 0 || write > 0).then(|| Throughput::new(read as u64, write as u64))
            };
        let on_demand = match description
            .billing_mode_summary()
            .and_then(|b| b.billing_mode())
        {
            Some(BillingMode::PayPerRequest) => true,
            Some(_) => false,
            // Tables made provisioned long ago carry no summary.
            None => provisioned(description.provisioned_throughput()).is_none(),
        };
        let capacity = |t: Option<&aws_sdk_dynamodb::types::ProvisionedThroughputDescription>,
                        max: Option<&OnDemandThroughput>| {
            if on_demand {
                Capacity::OnDemand {
                    max: on_demand_max(max),
                }
            } else {
                Capacity::Provisioned(provisioned(t).unwrap_or(Throughput::new(0, 0)))
            }
        };
        let key_schema = description.key_schema();
        let hash_key = keys(key_schema, KeyType::Hash)
            .into_iter()
            .next()
            .unwrap_or(KeyDef {
                name: String::new(),
                attribute_type: AttributeType::S,
            });
        let global_indexes = description
            .global_secondary_indexes()
            .iter()
            .filter_map(|g| {
                let keys = IndexKeys {
                    hash: keys(g.key_schema(), KeyType::Hash),
                    range: keys(g.key_schema(), KeyType::Range),
                    projection: projection(g.projection()),
                };
                let capacity = capacity(g.provisioned_throughput(), g.on_demand_throughput());
                Some((g.index_name()?.to_owned(), GsiState { keys, capacity }))
            })
            .collect();
        let local_indexes = description
            .local_secondary_indexes()
            .iter()
            .filter_map(|l| {
                let index = IndexKeys {
                    hash: keys(l.key_schema(), KeyType::Hash),
                    range: keys(l.key_schema(), KeyType::Range),
                    projection: projection(l.projection()),
                };
                Some((l.index_name()?.to_owned(), index))
            })
            .collect();
        let stream = description
            .stream_specification()
            .filter(|s| s.stream_enabled())
            .and_then(|s| s.stream_view_type())
            .map(|view| match view.as_str() {
                "KEYS_ONLY" => StreamView::KeysOnly,
                "NEW_IMAGE" => StreamView::NewImage,
                "OLD_IMAGE" => StreamView::OldImage,
                _ => StreamView::NewAndOldImages,
            });
        let table_class = match description
            .table_class_summary()
            .and_then(|c| c.table_class())
            .map(|c| c.as_str())
        {
            Some("STANDARD_INFREQUENT_ACCESS") => TableClass::StandardInfrequentAccess,
            _ => TableClass::Standard,
        };
        let encryption = match description.sse_description() {
            Some(sse)
                if sse.sse_type() == Some(&SseType::Kms)
                    && matches!(
                        sse.status(),
                        Some(SseStatus::Enabled | SseStatus::Enabling | SseStatus::Updating)
                    ) =>
            {
                EncryptionState::Kms {
                    key: sse.kms_master_key_arn().map(str::to_owned),
                }
            }
            _ => EncryptionState::AwsOwned,
        };
        TableState {
            hash_key,
            range_key: keys(key_schema, KeyType::Range).into_iter().next(),
            global_indexes,
            local_indexes,
            billing: capacity(
                description.provisioned_throughput(),
                description.on_demand_throughput(),
            ),
            stream,
            deletion_protection: description.deletion_protection_enabled().unwrap_or(false),
            table_class,
            encryption,
            ttl: None,
            tags: None,
            point_in_time_recovery: None,
        }
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

/// A maximum of -1 or 0 is no maximum.
fn on_demand_max(max: Option<&OnDemandThroughput>) -> Option<Throughput> {
    let max = max?;
    let read = max.max_read_request_units().filter(|v| *v > 0);
    let write = max.max_write_request_units().filter(|v| *v > 0);
    if read.is_none() && write.is_none() {
        return None;
    }
    Some(Throughput::new(
        read.unwrap_or(0) as u64,
        write.unwrap_or(0) as u64,
    ))
}

/// A setting read from its own API: the value, or `None` with a line in
/// `not_compared` when the server refused the request (a backend without
/// the feature, or no permission); failures to reach it are errors.
fn readable<T, E>(
    table: &str,
    operation: &'static str,
    what: &str,
    answer: std::result::Result<T, SdkError<E, aws_sdk_dynamodb::config::http::HttpResponse>>,
    not_compared: &mut Vec<String>,
) -> Result<Option<T>>
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    // What a server without the API, or a role without the permission,
    // answers: the setting cannot be compared. Any other failure is one.
    const CANNOT_TELL: [&str; 4] = [
        "UnknownOperationException",
        "UnsupportedOperationException",
        "NotImplemented",
        "AccessDeniedException",
    ];
    match answer {
        Ok(value) => Ok(Some(value)),
        Err(err @ SdkError::ServiceError(_))
            if err
                .as_service_error()
                .and_then(|e| aws_sdk_dynamodb::error::ProvideErrorMetadata::code(e))
                .is_some_and(|code| CANNOT_TELL.contains(&code)) =>
        {
            not_compared.push(format!(
                "{what}: the server refused {operation} ({})",
                crate::error::cause::describe(&err)
            ));
            Ok(None)
        }
        Err(err) => Err(Error::sdk(table, operation, err)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodb::types::{
        AttributeDefinition, BillingModeSummary, GlobalSecondaryIndexDescription, Projection,
        ProvisionedThroughputDescription, ScalarAttributeType, SseDescription, StreamSpecification,
        StreamViewType, TableClassSummary,
    };

    fn element(name: &str, kind: KeyType) -> KeySchemaElement {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(kind)
            .build()
            .unwrap()
    }

    fn definition(name: &str, kind: ScalarAttributeType) -> AttributeDefinition {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(kind)
            .build()
            .unwrap()
    }

    fn throughput(read: i64, write: i64) -> ProvisionedThroughputDescription {
        ProvisionedThroughputDescription::builder()
            .read_capacity_units(read)
            .write_capacity_units(write)
            .build()
    }

    #[test]
    fn a_description_reads_as_the_state_its_model_asks_for() {
        let described = TableDescription::builder()
            .key_schema(element("pk", KeyType::Hash))
            .key_schema(element("sk", KeyType::Range))
            .attribute_definitions(definition("pk", ScalarAttributeType::S))
            .attribute_definitions(definition("sk", ScalarAttributeType::N))
            .attribute_definitions(definition("status", ScalarAttributeType::S))
            .billing_mode_summary(
                BillingModeSummary::builder()
                    .billing_mode(BillingMode::Provisioned)
                    .build(),
            )
            .provisioned_throughput(throughput(5, 4))
            .global_secondary_indexes(
                GlobalSecondaryIndexDescription::builder()
                    .index_name("by_status")
                    .key_schema(element("status", KeyType::Hash))
                    .projection(
                        Projection::builder()
                            .projection_type(ProjectionType::Include)
                            .non_key_attributes("total")
                            .non_key_attributes("coupon")
                            .build(),
                    )
                    .provisioned_throughput(throughput(2, 1))
                    .build(),
            )
            .stream_specification(
                StreamSpecification::builder()
                    .stream_enabled(true)
                    .stream_view_type(StreamViewType::NewImage)
                    .build()
                    .unwrap(),
            )
            .table_class_summary(
                TableClassSummary::builder()
                    .table_class(aws_sdk_dynamodb::types::TableClass::StandardInfrequentAccess)
                    .build(),
            )
            .sse_description(
                SseDescription::builder()
                    .status(SseStatus::Enabled)
                    .sse_type(SseType::Kms)
                    .kms_master_key_arn("arn:aws:kms:us-east-1:1:key/abcd")
                    .build(),
            )
            .deletion_protection_enabled(true)
            .build();
        let live = TableState::described(&described);

        let schema = TableSchema::builder("orders")
            .hash_key("pk", AttributeType::S)
            .range_key("sk", AttributeType::N)
            .global_index("by_status", |i| {
                i.hash_key("status", AttributeType::S)
                    .include(["total", "coupon"])
                    .capacity(2, 1)
            })
            .build()
            .unwrap();
        let options = CreateTableOptions::new()
            .provisioned(5, 4)
            .stream(StreamView::NewImage)
            .table_class(TableClass::StandardInfrequentAccess)
            .encryption(Encryption::CustomerManaged {
                kms_key_id: "abcd".into(),
            })
            .deletion_protection(true);
        let desired = TableState::desired(&schema, &options);
        let desired = TableState {
            ttl: None,
            tags: None,
            point_in_time_recovery: None,
            ..desired
        };
        assert!(live.matches(&desired), "{live:#?}\n{desired:#?}");
        assert_eq!(live.key_attributes().len(), 3);
    }

    #[test]
    fn an_on_demand_table_without_a_summary_and_its_maximum() {
        let described = TableDescription::builder()
            .provisioned_throughput(throughput(0, 0))
            .on_demand_throughput(
                OnDemandThroughput::builder()
                    .max_read_request_units(100)
                    .max_write_request_units(-1)
                    .build(),
            )
            .build();
        assert_eq!(
            TableState::described(&described).billing,
            Capacity::OnDemand {
                max: Some(Throughput::new(100, 0))
            }
        );
    }

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
