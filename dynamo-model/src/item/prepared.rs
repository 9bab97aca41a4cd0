//! A write checked and rendered, ready to send alone (PutItem, UpdateItem,
//! DeleteItem) or as one action of a transaction: the same builder, the same
//! checks, two ways out.

use aws_sdk_dynamodb::types::AttributeValue;

use super::condition::{Node, Operand, Target};
use super::encode::Attributes;
use super::expression::{Names, Placeholders, Values};
use super::guard::Guard;
use super::key::ItemKey;
use super::replay::Replay;
use crate::error::Result;
use crate::{DynamoModel, EntitySchema, TableSchema};

/// What the write does.
pub(crate) enum Body {
    Put(Attributes),
    /// The `UpdateExpression`, and whether it may be resent after a lost
    /// answer (known only once its actions are rendered).
    Update(String, Replay),
    Delete,
    /// A transaction's condition check: no write.
    Check,
}

pub(crate) struct Prepared {
    /// The table name as sent.
    pub(crate) table: String,
    pub(crate) key: ItemKey,
    pub(crate) guard: Guard,
    pub(crate) condition: Option<String>,
    pub(crate) names: Option<Names>,
    pub(crate) values: Option<Values>,
    pub(crate) body: Body,
}

impl Prepared {
    /// The write of `body` to the item `key` of `M`'s `table`, with `guard`
    /// rendered into `placeholders` after whatever the body put there.
    pub(crate) fn new<M: DynamoModel>(
        table: &str,
        key: ItemKey,
        mut guard: Guard,
        body: Body,
        mut placeholders: Placeholders,
    ) -> Result<Self> {
        if let Some(entity) = M::entity() {
            entity_guard(M::schema(), entity?, &body, &mut guard);
        }
        let condition = guard.render(
            table,
            M::schema(),
            Some(M::field_infos()),
            &mut placeholders,
        )?;
        let (names, values) = placeholders.into_parts();
        Ok(Prepared {
            table: table.to_owned(),
            key,
            guard,
            condition,
            names,
            values,
            body,
        })
    }
}

/// An entity's update, delete or check acts only on an item of that entity:
/// at a key that holds another entity's item (templates that can meet), it
/// fails instead of changing or removing what the caller did not name. A
/// put replaces the item whole, as a put does.
fn entity_guard(
    schema: &'static TableSchema,
    entity: &'static EntitySchema,
    body: &Body,
    guard: &mut Guard,
) {
    let is_entity = Node::Compare(
        Operand::Path(Target::Attribute(entity.entity_attribute())),
        "=",
        Operand::Value(Ok(AttributeValue::S(entity.name().to_owned()))),
    );
    guard.entity = match body {
        Body::Put(_) => None,
        // Deleting a missing item stays the no-op it is.
        Body::Delete => Some(Node::Or(
            Box::new(Node::NotExists(Target::Attribute(schema.hash_key().name()))),
            Box::new(is_entity),
        )),
        Body::Update(..) | Body::Check => Some(is_entity),
    };
}
