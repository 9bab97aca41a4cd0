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
use super::guard::Guard;
use super::key::{IntoKey, ItemKey};
use super::prepared::{Body, Prepared};
use super::replay::{self, Replay, Sent};
use super::update_expression::{render, Action};
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
            version::check_room(table.name(), Some(&key), version, expected)?;
            guard.version = Some((version.attribute, version::expected(expected)));
        } else {
            // The server bumps what it holds: only a condition there keeps
            // the version within its type.
            guard.version_room = version.and_then(version::room);
        }
        let mut p = Placeholders::default();
        let (expression, effect) =
            render(table.name(), fields, actions, version, M::SHAPES, &mut p)?;
        guard.shape = M::SHAPES;
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
                    guard
                        .needs_stored_item()
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
