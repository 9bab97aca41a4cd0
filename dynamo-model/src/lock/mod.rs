//! The schema lock: a committed JSON file with the schema of every listed
//! model (keys and their types, indexes with their keys and projections,
//! TTL), written by one call and checked by another, so that a CI job
//! catches an unreviewed key or index change with no AWS access, as
//! `sqlx prepare --check` does for queries. Each difference says whether
//! DynamoDB can make it in place or it needs a new table.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde_json::{json, Map, Value};

use crate::error::{Error, Result};
use crate::{KeyAttribute, Projection, TableSchema};

mod file;
pub(crate) mod items;
pub use items::ItemLayout;

/// The lock format's version, written into the file.
const LOCK_VERSION: u64 = 1;

/// One difference between the lock and a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockDifference {
    /// The table (its model's name, without any connection prefix).
    pub table: String,
    /// What differs, e.g. `GSI by_status: added`.
    pub what: String,
    /// Whether DynamoDB can make the change on the live table (UpdateTable,
    /// TTL) or it needs a new table (keys, key types, LSIs).
    pub in_place: bool,
    /// A model's fields changed so that the items stored before no longer
    /// read, and its shape did not: the change needs a new item shape
    /// that upgrades them (`#[dynamo(shape = N, upgrades_from = ..)]`).
    pub needs_new_shape: bool,
}

impl fmt::Display for LockDifference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let how = if self.needs_new_shape {
            "needs a new shape"
        } else if self.in_place {
            "in place"
        } else {
            "needs a new table"
        };
        write!(f, "{}: {} ({how})", self.table, self.what)
    }
}

/// `status S`: as a plan writes a key.
fn key(k: &KeyAttribute) -> String {
    crate::plan::KeyDef::of(k).to_string()
}

/// `ALL`, `KEYS_ONLY` or `INCLUDE a, b` (sorted): as a plan writes it.
fn projection(p: &Projection) -> String {
    crate::plan::IndexProjection::of(p).to_string()
}

/// A schema as the lock holds it: readable, and in a stable order.
fn shape(schema: &TableSchema) -> Value {
    let mut gsis = Map::new();
    let mut sorted: Vec<_> = schema.global_indexes().iter().collect();
    sorted.sort_by(|a, b| a.name().cmp(b.name()));
    for gsi in sorted {
        gsis.insert(
            gsi.name().to_owned(),
            json!({
                "hash": gsi.hash_keys().iter().map(key).collect::<Vec<_>>(),
                "range": gsi.range_keys().iter().map(key).collect::<Vec<_>>(),
                "projection": projection(gsi.projection()),
            }),
        );
    }
    let mut lsis = Map::new();
    let mut sorted: Vec<_> = schema.local_indexes().iter().collect();
    sorted.sort_by(|a, b| a.name().cmp(b.name()));
    for lsi in sorted {
        lsis.insert(
            lsi.name().to_owned(),
            json!({ "range": key(lsi.range_key()), "projection": projection(lsi.projection()) }),
        );
    }
    json!({
        "hash_key": key(schema.hash_key()),
        "range_key": schema.range_key().map(key),
        "global_indexes": gsis,
        "local_indexes": lsis,
        "ttl": schema.ttl_attribute(),
    })
}

/// The schemas of a set of models, as the lock file holds them.
///
/// ```
/// use dynamo_model::{DynamoModel, SchemaLock};
///
/// #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
/// #[dynamo(table = "users")]
/// struct User {
///     #[hash_key]
///     id: String,
///     #[gsi(name = "by_email", hash_key)]
///     email: String,
/// }
///
/// let lock = SchemaLock::of(&[User::schema()]);
/// let text = lock.to_json();
/// assert!(text.contains(r#""hash_key": "id S""#));
/// // Checked against the models: nothing differs.
/// assert!(SchemaLock::from_json(&text)?.differences(&[User::schema()]).is_empty());
/// # Ok::<(), dynamo_model::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaLock {
    tables: BTreeMap<String, Value>,
    /// Each model's item layout, by model name; `None` in a lock written
    /// before layouts were recorded (nothing to check them against).
    items: Option<BTreeMap<String, Value>>,
}

impl SchemaLock {
    /// The lock of these models' schemas.
    pub fn of(schemas: &[&TableSchema]) -> SchemaLock {
        SchemaLock {
            tables: schemas
                .iter()
                .map(|s| (s.table_name().to_owned(), shape(s)))
                .collect(),
            items: None,
        }
    }

    /// The lock with these models' item layouts (shape and stored
    /// fields) too, which [`item_differences`](Self::item_differences)
    /// checks.
    pub fn with_items(mut self, layouts: &[ItemLayout]) -> SchemaLock {
        self.items = Some(
            layouts
                .iter()
                .map(|l| (l.model().to_owned(), l.to_value()))
                .collect(),
        );
        self
    }

    /// Every difference between the lock's item layouts and these
    /// models'. None for a lock that records no layouts (written before
    /// they were recorded: write it again to have them checked).
    pub fn item_differences(&self, layouts: &[ItemLayout]) -> Vec<LockDifference> {
        match &self.items {
            Some(locked) => items::differences(locked, layouts),
            None => Vec::new(),
        }
    }

    /// The lock file's text: pretty JSON, tables in name order.
    pub fn to_json(&self) -> String {
        let tables: Map<String, Value> = self.tables.clone().into_iter().collect();
        let mut lock = json!({
            "dynamo_model_schema_lock": LOCK_VERSION,
            "tables": tables,
        });
        if let Some(items) = &self.items {
            lock["items"] = Value::Object(items.clone().into_iter().collect());
        }
        let mut text = serde_json::to_string_pretty(&lock).expect("a JSON value always serializes");
        text.push('\n');
        text
    }

    /// Reads a lock file's text.
    pub fn from_json(text: &str) -> Result<SchemaLock> {
        let invalid = |reason: String| Error::InvalidSetting {
            setting: "schema lock",
            reason,
        };
        let value: Value =
            serde_json::from_str(text).map_err(|e| invalid(format!("not JSON: {e}")))?;
        match value
            .get("dynamo_model_schema_lock")
            .and_then(Value::as_u64)
        {
            Some(LOCK_VERSION) => {}
            other => {
                return Err(invalid(format!(
                    "not a schema lock of version {LOCK_VERSION} (found {other:?}); write it again"
                )))
            }
        }
        file::check(text).map_err(|e| invalid(format!("damaged: {e}; write it again")))?;
        let tables = value
            .get("tables")
            .and_then(Value::as_object)
            .ok_or_else(|| invalid("it has no `tables`".to_owned()))?;
        let items = value
            .get("items")
            .and_then(Value::as_object)
            .map(|items| items.iter().map(|(k, v)| (k.clone(), v.clone())).collect());
        Ok(SchemaLock {
            tables: tables.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            items,
        })
    }

    /// Every difference between the lock and these models' schemas, each
    /// saying whether it can be made in place.
    pub fn differences(&self, schemas: &[&TableSchema]) -> Vec<LockDifference> {
        let now = SchemaLock::of(schemas);
        let mut out = Vec::new();
        let diff = |table: &str, what: String, in_place: bool| LockDifference {
            table: table.to_owned(),
            what,
            in_place,
            needs_new_shape: false,
        };
        for (table, locked) in &self.tables {
            let Some(current) = now.tables.get(table) else {
                out.push(diff(
                    table,
                    "no longer among the models (removed)".to_owned(),
                    true,
                ));
                continue;
            };
            for field in ["hash_key", "range_key"] {
                if locked[field] != current[field] {
                    out.push(diff(
                        table,
                        format!(
                            "{field}: {} -> {}",
                            show(&locked[field]),
                            show(&current[field])
                        ),
                        false,
                    ));
                }
            }
            for (kind, in_place) in [("global_indexes", true), ("local_indexes", false)] {
                let name = if kind == "global_indexes" {
                    "GSI"
                } else {
                    "LSI"
                };
                let empty = Map::new();
                let old = locked[kind].as_object().unwrap_or(&empty);
                let new = current[kind].as_object().unwrap_or(&empty);
                for (index, before) in old {
                    match new.get(index) {
                        None => out.push(diff(table, format!("{name} {index}: dropped"), in_place)),
                        Some(after) if after != before => out.push(diff(
                            table,
                            format!(
                                "{name} {index}: {} -> {}{}",
                                before,
                                after,
                                if in_place { " (drop and re-add)" } else { "" }
                            ),
                            in_place,
                        )),
                        Some(_) => {}
                    }
                }
                for (index, after) in new {
                    if !old.contains_key(index) {
                        out.push(diff(
                            table,
                            format!("{name} {index}: added {after}"),
                            in_place,
                        ));
                    }
                }
            }
            if locked["ttl"] != current["ttl"] {
                out.push(diff(
                    table,
                    format!("TTL: {} -> {}", show(&locked["ttl"]), show(&current["ttl"])),
                    true,
                ));
            }
        }
        for table in now.tables.keys() {
            if !self.tables.contains_key(table) {
                out.push(diff(table, "new model (not in the lock)".to_owned(), true));
            }
        }
        out
    }

    /// Writes the lock of these models to `path`.
    pub fn write(path: impl AsRef<Path>, schemas: &[&TableSchema]) -> Result<()> {
        let path = path.as_ref();
        std::fs::write(path, SchemaLock::of(schemas).to_json()).map_err(|e| Error::InvalidSetting {
            setting: "schema lock",
            reason: format!("cannot write {}: {e}", path.display()),
        })
    }

    /// Checks these models against the lock at `path`: an error listing
    /// every difference (and whether it needs a new table) when they
    /// drifted. For a test that keeps the lock honest:
    /// `SchemaLock::check(path, &[User::schema(), Order::schema()])?`.
    pub fn check(path: impl AsRef<Path>, schemas: &[&TableSchema]) -> Result<()> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| Error::InvalidSetting {
            setting: "schema lock",
            reason: format!(
                "cannot read {}: {e}; write it with SchemaLock::write",
                path.display()
            ),
        })?;
        let differences = SchemaLock::from_json(&text)?.differences(schemas);
        if differences.is_empty() {
            return Ok(());
        }
        Err(Error::InvalidSetting {
            setting: "schema lock",
            reason: format!(
                "the models differ from {} in {} place(s); review them, then write the lock again:\n{}",
                path.display(),
                differences.len(),
                differences
                    .iter()
                    .map(|d| format!("  {d}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
        })
    }
}

fn show(value: &Value) -> String {
    match value {
        Value::Null => "none".to_owned(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
