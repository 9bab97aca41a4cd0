//! Real local DynamoDB servers and per-test tables (feature `testing`).
//!
//! [`LocalDynamoDb::start`] gives a [`Db`](crate::Db) for the endpoint named in
//! the environment, or else for an embedded in-memory DynamoDB (dynoxide)
//! that starts in milliseconds and needs nothing installed. [`TestTables`]
//! creates a set of models' tables under a prefix unique to one test and
//! deletes them afterwards.
//!
//! ```
//! use dynamo_model::testing::{LocalDynamoDb, TestTables};
//! use dynamo_model::DynamoModel;
//!
//! #[derive(DynamoModel, serde::Serialize)]
//! struct User {
//!     #[hash_key]
//!     id: String,
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> dynamo_model::Result<()> {
//! let local = LocalDynamoDb::start().await?;
//! let tables = TestTables::new(local.db()).with::<User>().create().await?;
//! assert!(tables.db().table::<User>().exists().await?);
//! tables.cleanup().await?;
//! # Ok(()) }
//! ```

mod dynamodb_local;
mod embedded;
mod endpoint;
mod local;
mod owner;
mod run;
mod seed;
mod tables;

pub use dynamodb_local::{
    CACHE_DIR_ENV_VAR, DEFAULT_JVM_FLAGS, DYNAMODB_LOCAL_DIR_ENV_VAR, DYNAMODB_LOCAL_NPM_PACKAGE,
    DYNAMODB_LOCAL_NPM_VERSION, JAVA_OPTS_ENV_VAR,
};
pub use endpoint::{is_loopback_endpoint, ALLOW_REMOTE_ENV_VAR};
pub use local::{LocalDynamoDb, BACKEND_ENV_VAR, ENDPOINT_ENV_VARS};
pub use owner::{this_host_id, LEFTOVER_AGE};
pub use run::TestOutcome;
#[doc(hidden)]
pub use run::{run_seeded_test, run_test};
pub use tables::{TestTables, TestTablesBuilder, DEFAULT_CONCURRENCY, FIXTURE_PREFIX};
