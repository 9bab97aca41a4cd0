//! A write checked and rendered, ready to send alone (PutItem, UpdateItem,
//! DeleteItem) or as one action of a transaction: the same builder, the same
//! checks, two ways out.

use super::encode::Attributes;
use super::expression::{Names, Placeholders, Values};
use super::guard::Guard;
use super::key::ItemKey;
use super::replay::Replay;
use crate::error::Result;
use crate::DynamoModel;

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
        guard: Guard,
        body: Body,
        mut placeholders: Placeholders,
    ) -> Result<Self> {
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
