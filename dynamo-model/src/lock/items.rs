//! The lock's record of how each model's items are stored: its shape
//! (`#[dynamo(shape = N)]`) and its stored fields, each with the kind of
//! value serde writes and whether an item may lack it. `check` then
//! catches a struct whose fields changed so that items stored before no
//! longer read (a required field added, a field's kind changed) while its
//! shape stayed the same: the change needs a new shape that upgrades them.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::LockDifference;
use crate::{DynamoModel, FieldRole};

/// How a model's items are stored, as the schema lock records it.
///
/// ```
/// use dynamo_model::{DynamoModel, ItemLayout, SchemaLock};
///
/// #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
/// #[dynamo(table = "users")]
/// struct User { #[hash_key] id: String, name: String }
///
/// let lock = SchemaLock::of(&[User::schema()]).with_items(&[ItemLayout::of::<User>()]);
/// assert!(lock.to_json().contains(r#""name": "S""#));
/// assert!(lock.item_differences(&[ItemLayout::of::<User>()]).is_empty());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ItemLayout {
    model: String,
    table: String,
    shape: Option<u32>,
    /// Attribute name -> its kind, `?` after it when an item may lack it.
    fields: BTreeMap<String, String>,
}

impl ItemLayout {
    /// The layout of model `M`'s items.
    pub fn of<M: DynamoModel>() -> ItemLayout {
        let name = std::any::type_name::<M>();
        let fields = M::field_infos()
            .iter()
            .filter(|f| f.role() != FieldRole::TableKey)
            .map(|f| {
                let kind = format!("{:?}", (f.kind)());
                let mark = if f.optional || f.defaulted { "?" } else { "" };
                (f.attribute().to_owned(), format!("{kind}{mark}"))
            })
            .collect();
        ItemLayout {
            model: name.rsplit("::").next().unwrap_or(name).to_owned(),
            table: M::schema().table_name().to_owned(),
            shape: M::SHAPES.map(|s| s.current()),
            fields,
        }
    }

    pub(super) fn model(&self) -> &str {
        &self.model
    }

    pub(super) fn to_value(&self) -> Value {
        json!({ "table": self.table, "shape": self.shape, "fields": self.fields })
    }
}

/// The differences between the locked layouts and these.
pub(super) fn differences(
    locked: &BTreeMap<String, Value>,
    layouts: &[ItemLayout],
) -> Vec<LockDifference> {
    let mut out = Vec::new();
    let diff = |table: &str, what: String, new_shape: bool| LockDifference {
        table: table.to_owned(),
        what,
        in_place: true,
        needs_new_shape: new_shape,
    };
    for layout in layouts {
        let model = &layout.model;
        let Some(before) = locked.get(model) else {
            out.push(diff(
                &layout.table,
                format!("model `{model}`: new (not in the lock)"),
                false,
            ));
            continue;
        };
        let shape = |v: &Value| v.as_u64().map_or("none".to_owned(), |n| n.to_string());
        let locked_shape = shape(&before["shape"]);
        let now_shape = layout.shape.map_or("none".to_owned(), |n| n.to_string());
        if locked_shape != now_shape {
            out.push(diff(
                &layout.table,
                format!("model `{model}`: shape {locked_shape} -> {now_shape}"),
                false,
            ));
            continue;
        }
        let empty = serde_json::Map::new();
        let old = before["fields"].as_object().unwrap_or(&empty);
        for (attribute, now) in &layout.fields {
            let may_lack = now.ends_with('?');
            match old.get(attribute).and_then(Value::as_str) {
                None if may_lack => out.push(diff(
                    &layout.table,
                    format!("model `{model}`: field `{attribute}` ({now}) added; items stored before read without it"),
                    false,
                )),
                None => out.push(diff(
                    &layout.table,
                    format!("model `{model}`: field `{attribute}` ({now}) added, which items stored before lack, so they no longer read: give `{model}` a new shape that fills it (`shape = N, upgrades_from = ..`), or make the field `Option` or `#[serde(default)]`"),
                    true,
                )),
                Some(then) if then != now => {
                    let same_kind = then.trim_end_matches('?') == now.trim_end_matches('?');
                    let breaks = !same_kind || (!may_lack && then.ends_with('?'));
                    let what = if breaks {
                        format!("model `{model}`: field `{attribute}`: {then} -> {now}, which items stored before do not read as: give `{model}` a new shape that upgrades them")
                    } else {
                        format!("model `{model}`: field `{attribute}`: {then} -> {now}")
                    };
                    out.push(diff(&layout.table, what, breaks));
                }
                Some(_) => {}
            }
        }
        for (attribute, then) in old {
            if !layout.fields.contains_key(attribute) {
                out.push(diff(
                    &layout.table,
                    format!("model `{model}`: field `{attribute}` ({}) removed; items keep the attribute, and reads ignore it", then.as_str().unwrap_or_default()),
                    false,
                ));
            }
        }
    }
    for (model, before) in locked {
        if !layouts.iter().any(|l| &l.model == model) {
            out.push(diff(
                before["table"].as_str().unwrap_or_default(),
                format!("model `{model}`: no longer among the models (removed)"),
                false,
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(shape: Option<u32>, fields: &[(&str, &str)]) -> ItemLayout {
        ItemLayout {
            model: "Order".into(),
            table: "orders".into(),
            shape,
            fields: fields
                .iter()
                .map(|(a, k)| ((*a).to_owned(), (*k).to_owned()))
                .collect(),
        }
    }

    fn locked(layout: &ItemLayout) -> BTreeMap<String, Value> {
        BTreeMap::from([(layout.model.clone(), layout.to_value())])
    }

    #[test]
    fn a_field_items_stored_before_lack_needs_a_new_shape() {
        let before = locked(&layout(Some(2), &[("cents", "N")]));
        let added = differences(&before, &[layout(Some(2), &[("cents", "N"), ("vat", "N")])]);
        assert_eq!(added.len(), 1);
        assert!(added[0].needs_new_shape, "{}", added[0]);
        assert!(
            added[0].to_string().contains("needs a new shape"),
            "{}",
            added[0]
        );
        let optional = differences(
            &before,
            &[layout(Some(2), &[("cents", "N"), ("vat", "N?")])],
        );
        assert!(!optional[0].needs_new_shape, "{}", optional[0]);
        let retyped = differences(&before, &[layout(Some(2), &[("cents", "S")])]);
        assert!(retyped[0].needs_new_shape, "{}", retyped[0]);
        let removed = differences(&before, &[layout(Some(2), &[])]);
        assert!(!removed[0].needs_new_shape, "{}", removed[0]);
        // A new shape is the change: its fields are that shape's.
        let new_shape = differences(&before, &[layout(Some(3), &[("vat", "N")])]);
        assert_eq!(new_shape.len(), 1);
        assert!(
            new_shape[0].what.contains("shape 2 -> 3"),
            "{}",
            new_shape[0]
        );
        assert!(!new_shape[0].needs_new_shape);
        assert!(differences(&before, &[layout(Some(2), &[("cents", "N")])]).is_empty());
    }
}
