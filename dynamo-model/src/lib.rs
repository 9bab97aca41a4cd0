//! Derive DynamoDB tables from Rust model structs.
//!
//! `#[derive(DynamoModel)]` reads key and index annotations, infers each key
//! attribute's type (S, N or B) from the field's Rust type, and gives the
//! struct [`create_table`](DynamoModel::create_table),
//! [`table_exists`](DynamoModel::table_exists),
//! [`delete_table`](DynamoModel::delete_table) and friends. The macro only
//! emits a `'static` [`TableSchema`]; everything that talks to DynamoDB lives
//! in this crate and works the same on a hand-built schema.
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
//! db.create_table::<User>(CreateTableOptions::new().wait(true)).await?;
//! # Ok(()) }
//! ```
//!
//! See the README for the attribute reference and the type table.

#![warn(missing_docs)]

pub mod blob_serde;
#[cfg(feature = "blocking")]
pub mod blocking;
mod compare;
mod db;
mod error;
mod key_type;
mod model;
mod options;
mod replicas;
mod request;
mod retry;
mod schema;
mod schema_builder;
mod schema_rules;
mod table;
mod update;
mod validate;
mod wait;

#[cfg(feature = "testing")]
pub mod testing;

pub use aws_sdk_dynamodb;
pub use db::Db;
#[cfg(feature = "testing")]
pub use dynamo_model_derive::test;
pub use dynamo_model_derive::DynamoModel;
pub use error::{BoxError, Error, Result};
pub use key_type::{IndexKeyType, KeyType, TtlType};
pub use model::DynamoModel;
pub use options::{CreateTableOptions, Encryption, StreamView, TableClass, DEFAULT_WAIT_TIMEOUT};
pub use retry::DEFAULT_MAX_ATTEMPTS;
pub use schema::{
    AttributeType, GlobalSecondaryIndex, KeyAttribute, LocalSecondaryIndex, Projection,
    TableSchema, Throughput,
};
pub use schema_builder::{GlobalIndexBuilder, TableSchemaBuilder};
pub use update::UpdateTableOptions;
