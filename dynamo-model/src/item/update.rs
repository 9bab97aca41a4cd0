//! UpdateItem: `orders.update(("c1", 42)).set(f.status, "shipped")
//! .add(f.retries, 1).remove(f.coupon)`, returning the item as it is after
//! the update.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::condition::{Condition, Target};
use super::encode;
use super::expression::Placeholders;
use super::field::{erased::Encodable, AddKind, Addable, Field, Removable, ValueOf, Writable};
use super::fields::{self, FieldInfo, FieldRole, SetKind, ValueKind};
use super::guard::Guard;
use super::key::{IntoKey, ItemKey};
use super::prepared::{Body, Prepared};
use super::replay::{self, Replay, Sent};
use super::version;
use crate::error::{Error, Result};
use crate::{DynamoModel, Table};

/// An UpdateItem on its way: add actions, then await it for the updated
/// item. Made by [`Table::update`].
#[must_use = "an update does nothing until it is awaited"]
pub struct Update<M> {
    table: Table<M>,
    key: Result<ItemKey>,
    actions: Vec<Action>,
    guard: Guard,
    expected_version: Option<u128>,
    upsert: bool,
}

#[derive(Debug)]
enum Action {
    Set(Target, Result<AttributeValue, String>),
    Remove(Target),
    Add(Target, AddKind, Result<AttributeValue, String>),
}

impl<M: DynamoModel> Table<M> {
    /// An update of the item with this key: `set`, `remove` and `add`
    /// actions, then `.await` for the item as it is afterwards. A `#[version]`
    /// model's version is bumped by every update.
    ///
    /// An update of a missing item creates it (as in DynamoDB) only when it
    /// sets every required field (see [`FieldInfo::is_required`](crate::FieldInfo::is_required)),
    /// so that the item it makes can be read back. Otherwise it requires the
    /// item to exist, and a missing one is [`Error::ItemNotFound`]: nothing
    /// is written. [`upsert`](Update::upsert) asks for creation outright;
    /// [`if_exists`](Update::if_exists) refuses it.
    ///
    /// ```
    /// use dynamo_model::testing::LocalDynamoDb;
    /// use dynamo_model::{CreateTableOptions, DynamoModel};
    ///
    /// #[derive(DynamoModel, serde::Serialize, serde::Deserialize, Debug)]
    /// struct Order {
    ///     #[hash_key]
    ///     id: String,
    ///     status: String,
    ///     retries: u32,
    ///     #[serde(skip_serializing_if = "Option::is_none")]
    ///     coupon: Option<String>,
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = LocalDynamoDb::embedded()?;
    /// let orders = local.db().table::<Order>();
    /// orders.create(CreateTableOptions::new().wait(true)).await?;
    /// orders.put(&Order { id: "o1".into(), status: "new".into(), retries: 0, coupon: Some("X".into()) }).await?;
    ///
    /// let f = Order::fields();
    /// let order = orders
    ///     .update("o1")
    ///     .set(f.status, "shipped") // `status` is a reserved word: placeholders make it work
    ///     .add(f.retries, 1)
    ///     .remove(f.coupon)
    ///     .if_exists()
    ///     .await?;
    /// assert_eq!((order.status.as_str(), order.retries, order.coupon), ("shipped", 1, None));
    /// # Ok(()) }
    /// ```
    pub fn update(&self, key: impl IntoKey<M::Key>) -> Update<M> {
        Update {
            table: self.clone(),
            key: ItemKey::for_model::<M>(self.name(), &key),
            actions: Vec::new(),
            guard: Guard::default(),
            expected_version: None,
            upsert: false,
        }
    }
}

fn encode(value: &dyn Encodable) -> Result<AttributeValue, String> {
    value.encode()
}

impl<M> Update<M> {
    /// Sets the field to `value` (a `None` removes the attribute, which is
    /// what serde reads back as `None`; for an index key it takes the item
    /// out of the index).
    pub fn set<T, R: Writable, V: ValueOf<T>>(mut self, field: Field<M, T, R>, value: V) -> Self {
        self.actions.push(Action::Set(
            Target::Attribute(field.attribute()),
            encode(value.encodable()),
        ));
        self
    }

    /// Removes the attribute: the field reads back as `None`.
    pub fn remove<T: Removable, R: Writable>(mut self, field: Field<M, T, R>) -> Self {
        self.actions
            .push(Action::Remove(Target::Attribute(field.attribute())));
        self
    }

    /// Adds `value` to a number field, or its elements to a set field
    /// (DynamoDB's ADD: a missing attribute counts as 0 or the empty set).
    ///
    /// Twice is not once: if the answer is lost (a timeout, a dropped
    /// connection, a 5xx), the update is not sent again and the call fails
    /// with [`Error::OutcomeUnknown`](crate::Error::OutcomeUnknown); with
    /// [`expect_version`](Self::expect_version) it is sent again, since
    /// the version check stops a second application.
    pub fn add<T: Addable, R: Writable, V: ValueOf<T>>(
        mut self,
        field: Field<M, T, R>,
        value: V,
    ) -> Self {
        self.actions.push(Action::Add(
            Target::Attribute(field.attribute()),
            T::KIND,
            encode(value.encodable()),
        ));
        self
    }

    /// [`set`](Self::set) by Rust field name, for names known only at run
    /// time. Checked against the model before any request: an unknown
    /// field, a table key, the version, or a value whose stored type cannot
    /// match the field's is [`Error::InvalidInput`].
    pub fn set_by_name(mut self, name: &str, value: impl Serialize) -> Self {
        self.actions
            .push(Action::Set(Target::Named(name.to_owned()), encode(&value)));
        self
    }

    /// [`remove`](Self::remove) by Rust field name (the field must be an
    /// `Option`).
    pub fn remove_by_name(mut self, name: &str) -> Self {
        self.actions
            .push(Action::Remove(Target::Named(name.to_owned())));
        self
    }

    /// [`add`](Self::add) by Rust field name (a number or set field).
    pub fn add_by_name(mut self, name: &str, value: impl Serialize) -> Self {
        let value = encode(&value);
        let kind = match &value {
            Ok(AttributeValue::L(_) | AttributeValue::Ss(_) | AttributeValue::Ns(_)) => {
                AddKind::Set
            }
            _ => AddKind::Number,
        };
        self.actions
            .push(Action::Add(Target::Named(name.to_owned()), kind, value));
        self
    }

    /// Create the item when it is missing. The update must then set every
    /// required field, so that the item made can be read back: one that does
    /// not is [`Error::InvalidInput`] before any request.
    pub fn upsert(mut self) -> Self {
        self.upsert = true;
        self
    }

    /// Only if the item exists (never create one).
    pub fn if_exists(mut self) -> Self {
        self.guard.must_exist = Some(true);
        self
    }

    /// Only if the stored item meets `condition`.
    pub fn condition(mut self, condition: Condition<M>) -> Self {
        self.guard.and(condition.node);
        self
    }

    /// For a `#[version]` model: only if the stored item is at `version`
    /// (the one you read); a lost race is [`Error::VersionConflict`] and
    /// nothing is written. Version 0 means "no item yet".
    pub fn expect_version(mut self, version: u128) -> Self {
        self.expected_version = Some(version);
        self
    }
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
struct Effect {
    set: Vec<(String, AttributeValue)>,
    removed: Vec<String>,
    added: Vec<String>,
    bumps: Option<&'static str>,
}

impl Effect {
    /// The required fields of `fields` an item made by this update lacks.
    fn lacking(&self, fields: &[FieldInfo]) -> Vec<&'static str> {
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
fn render(
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

impl<M: DynamoModel> Update<M> {
    /// Checked and rendered, for UpdateItem or a transaction.
    pub(crate) fn prepare(self) -> Result<Prepared> {
        let Update {
            table,
            key,
            actions,
            mut guard,
            expected_version,
            upsert,
        } = self;
        let key = key?;
        let fields = M::field_infos();
        let version = version::field(fields);
        if let Some(expected) = expected_version {
            let Some(version) = version else {
                return Err(Error::invalid(
                    table.name(),
                    "expect_version",
                    "the model has no `#[version]` field",
                ));
            };
            version::check_room(table.name(), version, expected)?;
            guard.version = Some((version.attribute, version::expected(expected)));
        }
        let mut p = Placeholders::default();
        let (expression, effect) =
            render(table.name(), fields, actions, version, M::SHAPES, &mut p)?;
        guard.shape = M::SHAPES.map(|shapes| (shapes.attribute(), shapes.current()));
        if upsert && guard.must_exist == Some(true) {
            return Err(Error::invalid(
                table.name(),
                "update",
                "`upsert` creates a missing item and `if_exists` refuses to: choose one",
            ));
        }
        // A missing item would be created: only whole, so that it reads.
        let may_create = guard.must_exist != Some(true)
            && !matches!(guard.version, Some((_, version::Expected::At(_))));
        let mut lacking = effect.lacking(fields);
        if let Some(entity) = M::entity() {
            // An update writes neither the fields the key was rendered
            // from nor the entity attribute: an entity's item is created by
            // a put, never by an update.
            let entity = entity?;
            if upsert || matches!(guard.version, Some((_, version::Expected::New))) {
                return Err(Error::invalid(
                    table.name(),
                    "update",
                    format!(
                        "an update cannot create an item of entity `{}`: its key attributes, entity attribute and the fields its key is written from are written by a put; put the item, then update it",
                        entity.name()
                    ),
                ));
            }
            for field in entity.key_fields() {
                if !lacking.contains(&field) {
                    lacking.push(field);
                }
            }
            lacking.push(entity.entity_attribute());
        }
        if may_create && !lacking.is_empty() {
            if upsert || guard.version.is_some() {
                return Err(Error::invalid(
                    table.name(),
                    "update",
                    format!(
                        "it creates the item when it is missing, and that item would lack the required field(s) {}, which the model cannot read back; set them too (or make them `Option` or `#[serde(default)]`)",
                        crate::error::quoted(&lacking)
                    ),
                ));
            }
            guard.must_exist = Some(true);
            guard.would_lack = Some(lacking);
        }
        let replay = Replay::of_update(
            &guard,
            effect.set,
            effect.removed,
            !effect.added.is_empty(),
            effect.bumps,
        );
        Prepared::new::<M>(
            table.name(),
            key,
            guard,
            Body::Update(expression, replay),
            p,
        )
    }
}

impl<M: DynamoModel + DeserializeOwned + 'static> IntoFuture for Update<M> {
    type Output = Result<M>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<M>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let table = self.table.clone();
            let Prepared {
                key,
                guard,
                condition,
                names,
                values,
                body,
                ..
            } = self.prepare()?;
            let Body::Update(expression, replay) = body else {
                unreachable!("an update prepares an update")
            };
            let client = table.client()?;
            let request = client
                .update_item()
                .table_name(table.name())
                .set_key(Some(key.attributes()))
                .update_expression(expression)
                .set_condition_expression(condition)
                .set_expression_attribute_names(names)
                .set_expression_attribute_values(values)
                .return_values(ReturnValue::AllNew)
                .set_return_values_on_condition_check_failure(
                    (!guard.is_empty() || guard.shape.is_some())
                        .then_some(ReturnValuesOnConditionCheckFailure::AllOld),
                );
            let returned = |e: &UpdateItemError| match e {
                UpdateItemError::ConditionalCheckFailedException(f) => f.item().cloned(),
                _ => None,
            };
            let item = match replay::send(
                client,
                table.name(),
                &key,
                "UpdateItem",
                &guard,
                &replay,
                returned,
                replay::attempt!(request),
            )
            .await?
            {
                Sent::Answer { output, .. } => output.attributes.unwrap_or_default(),
                Sent::Recognised(item) => item,
            };
            encode::from_item(table.name(), &key, item)
        })
    }
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
        assert!(err(vec![Action::Set(
            named("nope"),
            Ok(AttributeValue::Bool(true))
        )])
        .contains("no field `nope`"));
        assert!(err(vec![Action::Set(
            named("id"),
            Ok(AttributeValue::S("x".into()))
        )])
        .contains("key of the table"));
        assert!(err(vec![Action::Set(
            named("v"),
            Ok(AttributeValue::N("1".into()))
        )])
        .contains("no field `v`"));
        assert!(err(vec![Action::Set(
            named("version"),
            Ok(AttributeValue::N("1".into()))
        )])
        .contains("`#[version]`"));
        assert!(err(vec![Action::Set(
            named("retries"),
            Ok(AttributeValue::S("x".into()))
        )])
        .contains("stored as a number (N)"));
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
