//! Items: typed put, get, delete and update through serde, conditions and
//! optimistic locking, all reached from [`Table`](crate::Table); and the
//! model-free attribute-map calls.
//!
//! The derive emits data only (the key's shape, one typed path per field,
//! and a description of each field); every request is built here.

pub(crate) mod canonical;
pub(crate) mod condition;
pub(crate) mod delete;
pub(crate) mod encode;
pub(crate) mod expression;
pub(crate) mod field;
pub(crate) mod fields;
pub(crate) mod get;
pub(crate) mod guard;
pub(crate) mod key;
pub(crate) mod prepared;
pub(crate) mod put;
pub(crate) mod raw;
pub(crate) mod replay;
pub(crate) mod update;
mod update_expression;
pub(crate) mod version;
