//! A write checked and rendered, ready to send alone (PutItem, UpdateItem,
//! DeleteItem) or as one action of a transaction: the same builder, the same
//! checks, two ways out.

use super::encode::Attributes;
use super::expression::{Names, Values};
use super::guard::Guard;
use super::key::ItemKey;

/// What the write does.
pub(crate) enum Body {
    Put(Attributes),
    Update(String),
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
