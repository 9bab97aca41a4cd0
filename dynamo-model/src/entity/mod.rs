//! Several entity types in one table (single-table design): key templates
//! over a model's fields, and how their values are written into keys.

pub(crate) mod collection;
pub(crate) mod key;
mod query_keys;
pub(crate) mod schema;
pub(crate) mod sort_range;
pub(crate) mod table;
pub(crate) mod template;
pub(crate) mod template_value;
