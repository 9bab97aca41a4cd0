//! One line of a plan: a change the live table needs to be what the model
//! (with its options) asks for, and what it does to the table.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::state::{Capacity, EncryptionState, GsiState, IndexKeys, TableState};
use crate::table::request;
use crate::{StreamView, TableClass, Throughput};

/// A change of a [`Plan`](super::Plan), in the order `apply` makes them.
///
/// ```
/// use dynamo_model::plan::Change;
/// let change = Change::Ttl { from: None, to: Some("expiresAt".into()) };
/// assert_eq!(change.to_string(), "~ TTL: off -> expiresAt");
/// assert!(!change.is_destructive());
/// let off = Change::Ttl { from: Some("expiresAt".into()), to: None };
/// assert!(off.is_destructive());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Change {
    /// The table does not exist: create it (with TTL and PITR after).
    CreateTable,
    /// A difference DynamoDB cannot make in place (table keys, their types,
    /// LSIs): it needs a new table, and is never applied.
    NeedsNewTable {
        /// What differs, e.g. `sort key: the model has sk N, the table has sk S`.
        what: String,
    },
    /// Billing mode or table capacity. Switching to provisioned gives every
    /// GSI the table has then its capacity in the same request.
    Billing {
        /// The table's billing now.
        from: Capacity,
        /// The billing the model asks for.
        to: Capacity,
        /// Each existing GSI's capacity, sent with a switch to provisioned.
        indexes: BTreeMap<String, Throughput>,
    },
    /// A GSI on the table but not in the model (destructive).
    DropIndex {
        /// The index name.
        name: String,
        /// Its keys and projection.
        keys: IndexKeys,
    },
    /// A GSI whose keys or projection changed: dropped and created again
    /// (destructive: queries of it fail until the new one is backfilled).
    ReplaceIndex {
        /// The index name.
        name: String,
        /// The keys and projection on the table.
        from: IndexKeys,
        /// The keys and projection of the model.
        to: IndexKeys,
        /// The capacity of the new index.
        capacity: Capacity,
    },
    /// A GSI of the model that the table lacks.
    AddIndex {
        /// The index name.
        name: String,
        /// Its keys and projection.
        keys: IndexKeys,
        /// Its capacity.
        capacity: Capacity,
    },
    /// A GSI's capacity (or on-demand maximum).
    IndexCapacity {
        /// The index name.
        name: String,
        /// Its capacity now.
        from: Capacity,
        /// The capacity asked for.
        to: Capacity,
    },
    /// The stream: on, off (destructive) or another view (off, then on:
    /// destructive, since readers lose the old stream).
    Stream {
        /// The view now, `None` when off.
        from: Option<StreamView>,
        /// The view asked for.
        to: Option<StreamView>,
    },
    /// TTL: on, off (destructive), or another attribute (off, then on).
    /// DynamoDB accepts one TTL change per table an hour. On AWS the second
    /// half of an attribute change is refused, and `apply` stops with
    /// [`Error::TtlNotEnabled`](crate::Error::TtlNotEnabled) saying that TTL
    /// is off now; a new plan an hour later turns it on. Within an hour of
    /// an earlier TTL change, the first half is refused too (an
    /// [`Error::Sdk`](crate::Error::Sdk) from UpdateTimeToLive), and TTL
    /// stays as it was.
    Ttl {
        /// The attribute TTL is on for now.
        from: Option<String>,
        /// The model's `#[ttl]` attribute.
        to: Option<String>,
    },
    /// The table class.
    TableClass {
        /// The class now.
        from: TableClass,
        /// The class asked for.
        to: TableClass,
    },
    /// Encryption at rest; moving off a customer managed key is destructive.
    /// The AWS managed key cannot be told apart from a customer key by its
    /// ARN alone, so any KMS key satisfies [`Encryption::AwsManaged`](crate::Encryption::AwsManaged).
    Encryption {
        /// The encryption now.
        from: EncryptionState,
        /// The encryption asked for.
        to: EncryptionState,
    },
    /// Deletion protection; turning it off is destructive.
    DeletionProtection {
        /// On now?
        from: bool,
        /// On asked for?
        to: bool,
    },
    /// One tag set, changed or removed (removal is destructive).
    Tag {
        /// The tag key.
        key: String,
        /// Its value now.
        from: Option<String>,
        /// The value asked for; `None` removes it.
        to: Option<String>,
    },
    /// Point-in-time recovery; turning it off is destructive.
    PointInTimeRecovery {
        /// On now?
        from: bool,
        /// On asked for?
        to: bool,
    },
}

impl Change {
    /// Whether the change loses something (an index, a stream, TTL, backups,
    /// a tag, deletion protection): `apply` makes it only when allowed to.
    ///
    /// ```
    /// use dynamo_model::plan::Change;
    /// assert!(Change::PointInTimeRecovery { from: true, to: false }.is_destructive());
    /// assert!(!Change::PointInTimeRecovery { from: false, to: true }.is_destructive());
    /// ```
    pub fn is_destructive(&self) -> bool {
        match self {
            Change::DropIndex { .. } | Change::ReplaceIndex { .. } => true,
            Change::Stream { from, .. } => from.is_some(),
            Change::Ttl { from, .. } => from.is_some(),
            // Away from a customer managed key: that key's owners chose it.
            Change::Encryption { from, .. } => {
                matches!(from, EncryptionState::Kms { key: Some(_) })
            }
            Change::DeletionProtection { to, .. } | Change::PointInTimeRecovery { to, .. } => !to,
            Change::Tag { to, .. } => to.is_none(),
            _ => false,
        }
    }

    /// Whether DynamoDB can make the change on the live table; only
    /// [`Change::NeedsNewTable`] cannot.
    ///
    /// ```
    /// use dynamo_model::plan::Change;
    /// assert!(!Change::NeedsNewTable { what: "partition key".into() }.is_in_place());
    /// assert!(Change::CreateTable.is_in_place());
    /// ```
    pub fn is_in_place(&self) -> bool {
        !matches!(self, Change::NeedsNewTable { .. })
    }

    /// What the table looks like once the change is made.
    pub(crate) fn apply_to(&self, state: &mut TableState) {
        match self {
            Change::CreateTable | Change::NeedsNewTable { .. } => {}
            Change::Billing { from, to, indexes } => {
                state.billing = *to;
                for (name, gsi) in &mut state.global_indexes {
                    gsi.capacity = match (from, to) {
                        // A switch to provisioned gives every GSI a capacity.
                        (Capacity::OnDemand { .. }, Capacity::Provisioned(table)) => {
                            Capacity::Provisioned(indexes.get(name).copied().unwrap_or(*table))
                        }
                        // A new table capacity leaves the GSIs' as they are.
                        (Capacity::Provisioned(_), Capacity::Provisioned(_)) => {
                            match indexes.get(name) {
                                Some(t) => Capacity::Provisioned(*t),
                                None => gsi.capacity,
                            }
                        }
                        (Capacity::Provisioned(_), Capacity::OnDemand { .. }) => {
                            Capacity::OnDemand { max: None }
                        }
                        (Capacity::OnDemand { .. }, Capacity::OnDemand { .. }) => gsi.capacity,
                    };
                }
            }
            Change::DropIndex { name, .. } => {
                state.global_indexes.remove(name);
            }
            Change::ReplaceIndex {
                name, to, capacity, ..
            } => {
                state.global_indexes.insert(
                    name.clone(),
                    GsiState {
                        keys: to.clone(),
                        capacity: *capacity,
                    },
                );
            }
            Change::AddIndex {
                name,
                keys,
                capacity,
            } => {
                state.global_indexes.insert(
                    name.clone(),
                    GsiState {
                        keys: keys.clone(),
                        capacity: *capacity,
                    },
                );
            }
            Change::IndexCapacity { name, to, .. } => {
                if let Some(gsi) = state.global_indexes.get_mut(name) {
                    gsi.capacity = *to;
                }
            }
            Change::Stream { to, .. } => state.stream = *to,
            Change::Ttl { to, .. } => state.ttl = Some(to.clone()),
            Change::TableClass { to, .. } => state.table_class = *to,
            Change::Encryption { to, .. } => state.encryption = to.clone(),
            Change::DeletionProtection { to, .. } => state.deletion_protection = *to,
            Change::Tag { key, to, .. } => {
                if let Some(tags) = &mut state.tags {
                    match to {
                        Some(value) => tags.insert(key.clone(), value.clone()),
                        None => tags.remove(key),
                    };
                }
            }
            Change::PointInTimeRecovery { to, .. } => state.point_in_time_recovery = Some(*to),
        }
    }
}

fn on_off(on: bool) -> &'static str {
    if on {
        "on"
    } else {
        "off"
    }
}

/// The name DynamoDB gives the view, or `off`.
fn view(view: &Option<StreamView>) -> String {
    view.map_or("off".to_owned(), |v| {
        request::stream_view(v).as_str().to_owned()
    })
}

/// The name DynamoDB gives the class.
fn class(class: &TableClass) -> String {
    request::table_class(*class).as_str().to_owned()
}

/// One line, as a Terraform plan writes it: `+` adds, `-` removes, `~`
/// changes, `-/+` replaces, `!` needs a new table.
impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::CreateTable => f.write_str("+ create the table"),
            Change::NeedsNewTable { what } => write!(f, "! {what} (needs a new table)"),
            Change::Billing { from, to, .. } => write!(f, "~ billing: {from} -> {to}"),
            Change::DropIndex { name, keys } => write!(f, "- GSI {name} ({keys})"),
            Change::ReplaceIndex { name, from, to, .. } => {
                write!(f, "-/+ GSI {name}: ({from}) -> ({to}) (drop and re-add)")
            }
            Change::AddIndex {
                name,
                keys,
                capacity,
            } => write!(f, "+ GSI {name} ({keys}; {capacity})"),
            Change::IndexCapacity { name, from, to } => {
                write!(f, "~ GSI {name} capacity: {from} -> {to}")
            }
            Change::Stream { from, to } => write!(f, "~ stream: {} -> {}", view(from), view(to)),
            Change::Ttl { from, to } => write!(
                f,
                "~ TTL: {} -> {}",
                from.as_deref().unwrap_or("off"),
                to.as_deref().unwrap_or("off")
            ),
            Change::TableClass { from, to } => {
                write!(f, "~ table class: {} -> {}", class(from), class(to))
            }
            Change::Encryption { from, to } => write!(f, "~ encryption: {from} -> {to}"),
            Change::DeletionProtection { from, to } => write!(
                f,
                "~ deletion protection: {} -> {}",
                on_off(*from),
                on_off(*to)
            ),
            Change::Tag {
                key,
                from: None,
                to: Some(value),
            } => write!(f, "+ tag {key} = {value:?}"),
            Change::Tag {
                key,
                from: Some(old),
                to: None,
            } => write!(f, "- tag {key} (was {old:?})"),
            Change::Tag { key, from, to } => write!(
                f,
                "~ tag {key}: {:?} -> {:?}",
                from.as_deref().unwrap_or_default(),
                to.as_deref().unwrap_or_default()
            ),
            Change::PointInTimeRecovery { from, to } => write!(
                f,
                "~ point-in-time recovery: {} -> {}",
                on_off(*from),
                on_off(*to)
            ),
        }
    }
}
