//! Derive DynamoDB tables from Rust model structs.
//!
//! `#[derive(DynamoModel)]` reads key and index annotations, infers each key
//! attribute's type (S, N or B) from the field's Rust type, and emits a
//! `'static` [`TableSchema`]. Every operation on the table is reached from
//! one typed handle, [`Table`] (`db.table::<User>()`); the model-level calls
//! ([`DynamoModel::create_table`] and friends) and the blocking forms
//! ([`blocking::Blocking`], feature `blocking`) are thin adaptors onto it.
//! Everything that talks to DynamoDB lives in this crate and works the same
//! on a hand-built schema.
//!
//! ```no_run
//! use dynamo_model::{CreateTableOptions, Db, DynamoModel};
//!
//! #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
//! #[dynamo(table = "users")]
//! struct User {
//!     #[hash_key]
//!     id: String,
//!     #[range_key]
//!     created: u64,
//!     #[gsi(name = "by_email", hash_key)]
//!     email: String,
//! }
//!
//! # async fn run() -> dynamo_model::Result<()> {
//! let db = Db::local("http://127.0.0.1:8000");
//! let users = db.table::<User>();
//! users.create(CreateTableOptions::new().wait(true)).await?;
//! assert!(users.exists().await?);
//! # Ok(()) }
//! ```
//!
//! The crate is laid out by capability: `schema/` (the schema as data, key
//! types, the builder and DynamoDB's rules), `table/` (the handle and the
//! table operations: create, describe, wait, delete, update, replicas),
//! `db/` (the connection and its retries), `testing/` (fixtures). See the
//! README for the attribute reference and the type table.

#![warn(missing_docs)]
// On docs.rs (`--cfg docsrs`, nightly), each feature-gated item is marked
// with the feature it needs.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod batch;
#[cfg(feature = "blocking")]
pub mod blocking;
#[cfg(feature = "cli")]
pub mod cli;
mod db;
mod entity;
mod error;
mod export;
mod item;
mod lock;
mod model;
pub mod plan;
mod read;
mod schema;
mod shape;
pub mod stream;
mod table;
mod transaction;

#[cfg(feature = "testing")]
pub mod testing;

pub use aws_sdk_dynamodb;
pub use db::retry::{
    DEFAULT_MAX_ATTEMPTS, LOCAL_ATTEMPT_TIMEOUT, LOCAL_CONNECT_TIMEOUT, LOCAL_OPERATION_TIMEOUT,
    MAX_TIMEOUT,
};
pub use db::Db;
#[cfg(feature = "testing")]
pub use dynamo_model_derive::test;
pub use dynamo_model_derive::DynamoCollection;
pub use dynamo_model_derive::DynamoModel;
pub use dynamo_model_derive::DynamoTable;
pub use dynamo_model_derive::ItemShape;
pub use entity::collection::CollectionKey;
pub use entity::key::{EntityKey, EntitySort, TemplateField, TemplatePart};
pub use entity::schema::{EntitySchema, EntitySchemaBuilder, DEFAULT_ENTITY_ATTRIBUTE};
pub use entity::table::DynamoTable;
pub use entity::template::{KeyTemplate, RenderValue};
pub use entity::template_value::{KeyError, TemplateValue};
pub use error::{BoxError, Error, Result};
pub use model::DynamoModel;
pub use schema::blob_serde;
pub use schema::{
    AttributeType, GlobalIndexBuilder, GlobalSecondaryIndex, IndexKeyType, KeyAttribute, KeyType,
    LocalSecondaryIndex, Projection, TableSchema, TableSchemaBuilder, Throughput, TtlType,
};
pub use shape::backfill::{
    RateLimit, UpgradeCheckpoint, UpgradeItems, UpgradeReport, DEFAULT_UPGRADE_PAGE_SIZE,
    DEFAULT_UPGRADE_WRITES_IN_FLIGHT,
};
#[doc(hidden)]
pub use shape::read_shape;
pub use shape::{FirstShape, ItemShape, Shapes, DEFAULT_SHAPE_ATTRIBUTE};
#[cfg(feature = "streams")]
pub use stream::StartingPosition;
pub use stream::{Change, ChangeKind, Checkpoint, StreamRecord};
pub use table::options::{
    CreateTableOptions, Encryption, StreamView, TableClass, DEFAULT_WAIT_TIMEOUT,
};
pub use table::update::UpdateTableOptions;
pub use table::{NoModel, Table};

pub use batch::checked_delete::DEFAULT_CHECKED_DELETE_CONCURRENCY;
pub use batch::get::{BatchGet, MAX_BATCH_GET};
pub use batch::retry::DEFAULT_BATCH_ATTEMPTS;
pub use batch::write::{BatchWrite, MAX_BATCH_WRITE};
pub use batch::DEFAULT_BATCH_CONCURRENCY;
pub use export::Format;
pub use item::condition::{Condition, Path, Size};
pub use item::delete::{Delete, OldItem};
pub use item::encode::{item_size, MAX_ITEM_SIZE};
pub use item::field::{
    Addable, Container, Field, Prefixed, Removable, TypedValues, ValueOf, Writable,
};
pub use item::fields::{FieldInfo, FieldRole};
pub use item::get::Get;
pub use item::key::{
    HashAndRangeKey, HashKey, IndexHash, IntoKey, ItemKey, KeyPart, KeyParts, KeyShape, PartitionOf,
};
pub use item::key::{NoRange, SortKey};
pub use item::put::Put;
pub use item::raw::RawKey;
pub use item::update::Update;
pub use item::version::VersionType;
pub use lock::{ItemLayout, LockDifference, SchemaLock};
pub use read::cursor::{Cursor, InvalidCursor};
pub use read::index::Index;
pub use read::page::Page;
pub use read::query::{Named, Query, RangeOf, RangeValue};
pub use read::scan::Scan;
pub use read::scan::DEFAULT_SCAN_CONCURRENCY;
pub use transaction::{ActionOutcome, Check, Transaction, MAX_TRANSACTION_ACTIONS};

/// The roles a [`Field`] can have: what updates may do with it.
pub mod role {
    pub use crate::item::field::{Attribute, Encoded, TableKey, Version};
}

/// What the derive's output names; not an API.
#[doc(hidden)]
pub mod __private {
    pub use crate::entity::collection::{
        collection_entities, decode_collection, decode_entity, Variant,
    };
    pub use crate::entity::key::{
        has_range, has_sort_key, index_has_sort_key, is_entity, same_partition, same_template,
        table_indexes, table_key_value, table_schema, HasSortKey,
    };
    pub use crate::entity::schema::{built_entity, EntityCell};
    pub use crate::item::field::erased::Encodable;
    pub use crate::item::fields::{
        KindProbe, KnownKind, NumberRange, SetKind, UnknownKind, ValueKind,
    };
    pub use crate::read::page::{ReadFailure, ReadItem};
}
