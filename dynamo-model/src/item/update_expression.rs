//! An update's actions as one `UpdateExpression`: each target resolved
//! against the model and its value checked before any request, and what the
//! update does to the item (for a resend's check and for an item it creates).

use aws_sdk_dynamodb::types::AttributeValue;

use super::condition::Target;
use super::encode;
use super::expression::Placeholders;
use super::field::AddKind;
use super::fields::{self, FieldInfo, FieldRole, SetKind, ValueKind};
use crate::error::{Error, Result};

/// One action of an update, its value encoded (or why it could not be).
#[derive(Debug)]
pub(super) enum Action {
    Set(Target, Result<AttributeValue, String>),
    Remove(Target),
    Add(Target, AddKind, Result<AttributeValue, String>),
}

/// The attribute an action writes, checked for a by-name target.
fn resolve(
    table: &str,
    fields: &[FieldInfo],
    target: &Target,
    what: &str,
) -> Result<(String, Option<FieldInfo>)> {
    match target {
        Target::Attribute(attribute) => Ok((
            (*attribute).to_owned(),
            fields.iter().find(|f| f.attribute == *attribute).copied(),
        )),
        Target::Named(name) => {
            let field = fields::find(fields, name)
                .map_err(|reason| Error::invalid(table, "update", reason))?;
            let refuse = |why: &str| {
                Err(Error::invalid(
                    table,
                    "update",
                    format!("`{what}` of field `{name}`: {why}"),
                ))
            };
            match field.role {
                FieldRole::TableKey => {
                    return refuse("it is a key of the table, and an item's key cannot change")
                }
                FieldRole::Version => {
                    return refuse("it is the `#[version]` field, which the library bumps")
                }
                FieldRole::Encoded | FieldRole::Attribute => {}
            }
            Ok((field.attribute.to_owned(), Some(*field)))
        }
    }
}

/// A set field's value as a DynamoDB set: serde writes a `HashSet` as a
/// list unless the field goes through `serde_dynamo::string_set` (or
/// `number_set`, `binary_set`), as the typed value here does not.
fn as_set(table: &str, name: &str, set: SetKind, value: AttributeValue) -> Result<AttributeValue> {
    let AttributeValue::L(elements) = value else {
        return Ok(value);
    };
    let wrong = || {
        Error::invalid(
            table,
            "update",
            format!("field `{name}` is a set of {set:?}, and an element given is not"),
        )
    };
    Ok(match set {
        SetKind::S => AttributeValue::Ss(
            elements
                .into_iter()
                .map(|e| e.as_s().cloned().map_err(|_| wrong()))
                .collect::<Result<_>>()?,
        ),
        SetKind::N => AttributeValue::Ns(
            elements
                .into_iter()
                .map(|e| e.as_n().cloned().map_err(|_| wrong()))
                .collect::<Result<_>>()?,
        ),
        SetKind::B => AttributeValue::Bs(
            elements
                .into_iter()
                .map(|e| e.as_b().cloned().map_err(|_| wrong()))
                .collect::<Result<_>>()?,
        ),
    })
}

/// What an update does to the item, to tell whether it may be resent.
#[derive(Debug, Default)]
pub(super) struct Effect {
    pub(super) set: Vec<(String, AttributeValue)>,
    pub(super) removed: Vec<String>,
    pub(super) added: Vec<String>,
    pub(super) bumps: Option<&'static str>,
}

impl Effect {
    /// The required fields of `fields` an item made by this update lacks.
    pub(super) fn lacking(&self, fields: &[FieldInfo]) -> Vec<&'static str> {
        let written = |attribute: &str| {
            self.set.iter().any(|(a, _)| a == attribute)
                || self.added.iter().any(|a| a == attribute)
        };
        fields
            .iter()
            .filter(|f| f.is_required() && !written(f.attribute))
            .map(|f| f.name)
            .collect()
    }
}

/// The `UpdateExpression` of `actions`, checked before any request, and
/// what it does.
pub(super) fn render(
    table: &str,
    fields: &[FieldInfo],
    actions: Vec<Action>,
    version: Option<&FieldInfo>,
    shapes: Option<crate::Shapes>,
    p: &mut Placeholders,
) -> Result<(String, Effect)> {
    let (mut sets, mut removes, mut adds) = (Vec::new(), Vec::new(), Vec::new());
    let mut effect = Effect::default();
    let mut written: Vec<String> = Vec::new();
    let invalid = |reason: String| Error::invalid(table, "update", reason);
    for action in actions {
        let (target, what) = match &action {
            Action::Set(t, _) => (t, "set"),
            Action::Remove(t) => (t, "remove"),
            Action::Add(t, _, _) => (t, "add"),
        };
        let (attribute, field) = resolve(table, fields, target, what)?;
        if written.contains(&attribute) {
            return Err(invalid(format!(
                "attribute `{attribute}` is written twice in one update; DynamoDB allows one action per attribute"
            )));
        }
        written.push(attribute.clone());
        let name = field
            .map(|f| f.name)
            .unwrap_or(attribute.as_str())
            .to_owned();
        match action {
            Action::Set(target, value) => {
                let value = value.map_err(|r| invalid(format!("field `{name}`: {r}")))?;
                if let Some(field) = &field {
                    if matches!(target, Target::Named(_)) {
                        field.check_value(&value).map_err(invalid)?;
                    }
                    field.check_number(&value, false).map_err(invalid)?;
                }
                if value.is_null() {
                    removes.push(p.name(&attribute));
                    effect.removed.push(attribute);
                    continue;
                }
                let value = match field.and_then(|f| f.set) {
                    Some(set) => as_set(table, &name, set, value)?,
                    None => value,
                };
                encode::check_value(&value)
                    .map_err(|why| invalid(format!("the value of field `{name}` {why}")))?;
                sets.push(format!(
                    "{} = {}",
                    p.name(&attribute),
                    p.value(value.clone())
                ));
                effect.set.push((attribute, value));
            }
            Action::Remove(target) => {
                if let (Target::Named(_), Some(field)) = (&target, &field) {
                    if !field.optional {
                        return Err(invalid(format!(
                            "`remove` of field `{name}`: it is not an `Option`, so an item without it could not be read back"
                        )));
                    }
                }
                removes.push(p.name(&attribute));
                effect.removed.push(attribute);
            }
            Action::Add(target, kind, value) => {
                let value = value.map_err(|r| invalid(format!("field `{name}`: {r}")))?;
                if let (Target::Named(_), Some(field)) = (&target, &field) {
                    let number = (field.kind)() == ValueKind::N;
                    if !number && field.set.is_none() {
                        return Err(invalid(format!(
                            "`add` of field `{name}`: DynamoDB's ADD needs a number or a set field"
                        )));
                    }
                    field.check_value(&value).map_err(invalid)?;
                }
                if let Some(field) = &field {
                    field.check_number(&value, true).map_err(invalid)?;
                }
                let value = match (kind, field.and_then(|f| f.set)) {
                    (AddKind::Set, Some(set)) => as_set(table, &name, set, value)?,
                    (AddKind::Set, None) => {
                        return Err(invalid(format!(
                            "`add` of field `{name}`: serde stores it as a list, and ADD needs a set; mark it `#[serde(with = \"serde_dynamo::string_set\")]` (or `number_set`) to store a DynamoDB set"
                        )))
                    }
                    (AddKind::Number, _) => value,
                };
                adds.push(format!("{} {}", p.name(&attribute), p.value(value)));
                effect.added.push(attribute);
            }
        }
    }
    if let Some(version) = version {
        if written.iter().any(|a| a == version.attribute) {
            return Err(invalid(format!(
                "field `{}` is the `#[version]` field, which the library bumps",
                version.name
            )));
        }
        let name = p.name(version.attribute);
        let zero = p.value(AttributeValue::N("0".into()));
        let one = p.value(AttributeValue::N("1".into()));
        sets.push(format!("{name} = if_not_exists({name}, {zero}) + {one}"));
        effect.bumps = Some(version.attribute);
    }
    if sets.is_empty() && removes.is_empty() && adds.is_empty() {
        return Err(invalid(
            "an update needs at least one `set`, `remove` or `add`".to_owned(),
        ));
    }
    // An item the update creates is of the newest shape (one it changes
    // is already: `Guard::shape`).
    if let Some(shapes) = shapes {
        let (attribute, value) = shapes.written();
        sets.push(format!(
            "{} = {}",
            p.name(&attribute),
            p.value(value.clone())
        ));
        effect.set.push((attribute, value));
    }
    let mut clauses = Vec::new();
    if !sets.is_empty() {
        clauses.push(format!("SET {}", sets.join(", ")));
    }
    if !removes.is_empty() {
        clauses.push(format!("REMOVE {}", removes.join(", ")));
    }
    if !adds.is_empty() {
        clauses.push(format!("ADD {}", adds.join(", ")));
    }
    Ok((clauses.join(" "), effect))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: &[FieldInfo] = &[
        FieldInfo::new("id", "id", FieldRole::TableKey, false, || ValueKind::S),
        FieldInfo::new("status", "status", FieldRole::Attribute, false, || {
            ValueKind::S
        }),
        FieldInfo::new("coupon", "coupon", FieldRole::Attribute, true, || {
            ValueKind::S
        }),
        FieldInfo::new("retries", "retries", FieldRole::Attribute, false, || {
            ValueKind::N
        }),
        FieldInfo::new("tags", "tags", FieldRole::Attribute, false, || ValueKind::L)
            .stored_as_set(SetKind::S),
        FieldInfo::new("version", "v", FieldRole::Version, false, || ValueKind::N),
    ];

    fn named(name: &str) -> Target {
        Target::Named(name.to_owned())
    }

    fn render_actions(actions: Vec<Action>) -> Result<(String, Placeholders)> {
        let mut p = Placeholders::default();
        let (text, _) = render("t", FIELDS, actions, None, None, &mut p)?;
        Ok((text, p))
    }

    #[test]
    fn actions_render_as_one_expression_and_none_is_a_remove() {
        let (text, p) = render_actions(vec![
            Action::Set(named("status"), Ok(AttributeValue::S("x".into()))),
            Action::Set(named("coupon"), Ok(AttributeValue::Null(true))),
            Action::Add(
                named("retries"),
                AddKind::Number,
                Ok(AttributeValue::N("1".into())),
            ),
            Action::Add(
                named("tags"),
                AddKind::Set,
                Ok(AttributeValue::L(vec![AttributeValue::S("a".into())])),
            ),
        ])
        .unwrap();
        assert_eq!(text, "SET #n0 = :v0 REMOVE #n1 ADD #n2 :v1, #n3 :v2");
        let values = p.into_parts().1.unwrap();
        assert_eq!(values[":v2"], AttributeValue::Ss(vec!["a".into()]));
    }

    #[test]
    fn by_name_actions_are_checked_against_the_model() {
        let err = |actions| render_actions(actions).unwrap_err().to_string();
        let set = |field, value| err(vec![Action::Set(named(field), Ok(value))]);
        assert!(set("nope", AttributeValue::Bool(true)).contains("no field `nope`"));
        assert!(set("id", AttributeValue::S("x".into())).contains("key of the table"));
        assert!(set("v", AttributeValue::N("1".into())).contains("no field `v`"));
        assert!(set("version", AttributeValue::N("1".into())).contains("`#[version]`"));
        assert!(set("retries", AttributeValue::S("x".into())).contains("stored as a number (N)"));
        assert!(err(vec![Action::Remove(named("status"))]).contains("not an `Option`"));
        assert!(err(vec![Action::Add(
            named("status"),
            AddKind::Number,
            Ok(AttributeValue::N("1".into()))
        )])
        .contains("number or a set"));
        assert!(err(vec![
            Action::Remove(named("coupon")),
            Action::Set(named("coupon"), Ok(AttributeValue::S("x".into())))
        ])
        .contains("written twice"));
        assert!(err(vec![]).contains("at least one"));
    }

    #[test]
    fn a_versioned_update_bumps_the_version() {
        let mut p = Placeholders::default();
        let (text, effect) = render(
            "t",
            FIELDS,
            vec![Action::Set(
                named("status"),
                Ok(AttributeValue::S("x".into())),
            )],
            FIELDS.iter().find(|f| f.role == FieldRole::Version),
            None,
            &mut p,
        )
        .unwrap();
        assert_eq!(text, "SET #n0 = :v0, #n1 = if_not_exists(#n1, :v1) + :v2");
        assert_eq!(effect.bumps, Some("v"));
        assert_eq!(
            effect.set,
            vec![("status".to_owned(), AttributeValue::S("x".into()))]
        );
    }
}
