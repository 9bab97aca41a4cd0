//! A server and a fresh fixture for a test that creates tables itself: the
//! fixture's `db()` has a table prefix unique to it, and dropping it deletes
//! every table the test made under that prefix (`sweep_prefix`), so tests stay
//! apart on a shared external endpoint too and leave nothing behind.
//!
//! ```ignore
//! mod support;
//! let scratch = support::server::scratch().await;
//! scratch.db().table::<User>().create(CreateTableOptions::new()).await?;
//! ```

use dynamo_model::testing::{LocalDynamoDb, TestTables};
use dynamo_model::Db;

/// A fixture with no tables yet, on `LocalDynamoDb::start()`. Fields drop
/// in order: the fixture (deleting the tables) before the server.
pub struct Scratch {
    pub tables: TestTables,
    pub local: LocalDynamoDb,
}

impl Scratch {
    /// The connection under the fixture's prefix.
    pub fn db(&self) -> &Db {
        self.tables.db()
    }
}

/// A fresh scratch fixture.
pub async fn scratch() -> Scratch {
    let local = LocalDynamoDb::start().await.unwrap();
    let tables = TestTables::new(local.db())
        .sweep_prefix(true)
        .create()
        .await
        .unwrap();
    Scratch { tables, local }
}

/// A fresh scratch fixture and its connection, for `let (_s, db) = ...`.
pub async fn scratch_db() -> (Scratch, Db) {
    let scratch = scratch().await;
    let db = scratch.db().clone();
    (scratch, db)
}
