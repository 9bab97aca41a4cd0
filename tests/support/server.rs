//! The server an integration test runs against, with a table prefix of the
//! test's own, so tests stay apart on a shared external endpoint too.
//!
//! ```ignore
//! #[path = "support/server.rs"]
//! mod server;
//! let (_local, db) = server::prefixed("lifecycle_describe_").await;
//! ```

use dynamo_model::testing::LocalDynamoDb;
use dynamo_model::Db;

/// `LocalDynamoDb::start()` (keep it alive for the test) and a `Db` whose
/// table names start with `prefix`.
pub async fn prefixed(prefix: String) -> (LocalDynamoDb, Db) {
    let local = LocalDynamoDb::start().await.unwrap();
    let db = local.db().clone().with_table_prefix(prefix);
    (local, db)
}
