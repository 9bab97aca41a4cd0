//! What `#[dynamo_model::test]` expands to: a runtime, a local DynamoDB, a
//! fixture with the test's tables, the test body, and cleanup whatever
//! happens.

use std::fmt::Debug;
use std::future::Future;

use super::{LocalDynamoDb, TestTables, TestTablesBuilder};
use crate::{Db, TableSchema};

/// What a `#[dynamo_model::test]` function may return: `()` or a `Result`
/// whose error is reported as the failure.
///
/// ```
/// use dynamo_model::testing::TestOutcome;
///
/// fn outcome_of_a_test() -> dynamo_model::Result<()> {
///     Ok(())
/// }
/// outcome_of_a_test().check(); // passes; an `Err` would fail the test
/// ```
pub trait TestOutcome {
    /// Panics (failing the test) on an error.
    ///
    /// ```
    /// use dynamo_model::testing::TestOutcome;
    /// ().check();
    /// let failed = std::panic::catch_unwind(|| Err::<(), _>("no such table").check());
    /// assert!(failed.is_err());
    /// ```
    fn check(self);
}

impl TestOutcome for () {
    fn check(self) {}
}

impl<E: Debug> TestOutcome for Result<(), E> {
    fn check(self) {
        if let Err(error) = self {
            panic!("test returned an error: {error:?}");
        }
    }
}

/// Runs `test` with a connection to fresh tables for `schemas`.
///
/// The fixture is dropped before the server, and both are dropped also when
/// the test panics, so the tables are always deleted.
#[doc(hidden)]
pub fn run_test<F, Fut>(schemas: &[&'static TableSchema], test: F)
where
    F: FnOnce(Db) -> Fut,
    Fut: Future,
    Fut::Output: TestOutcome,
{
    run_seeded_test(schemas, |fixture| fixture, test)
}

/// [`run_test`] with seed items: `seed` adds them to the fixture
/// (`#[dynamo_model::test(models(User), items(users))]`).
#[doc(hidden)]
pub fn run_seeded_test<S, F, Fut>(schemas: &[&'static TableSchema], seed: S, test: F)
where
    S: FnOnce(TestTablesBuilder) -> TestTablesBuilder,
    F: FnOnce(Db) -> Fut,
    Fut: Future,
    Fut::Output: TestOutcome,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("cannot build a tokio runtime for the test");
    runtime.block_on(async {
        let local = LocalDynamoDb::start()
            .await
            .unwrap_or_else(|e| panic!("cannot start a local DynamoDB: {e}"));
        let fixture = schemas
            .iter()
            .fold(TestTables::new(local.db()), |fixture, schema| {
                fixture.with_schema((*schema).clone())
            });
        let tables = seed(fixture)
            .create()
            .await
            .unwrap_or_else(|e| panic!("cannot create the test's tables: {e}"));
        test(tables.db().clone()).await.check();
        tables
            .cleanup()
            .await
            .unwrap_or_else(|e| panic!("cannot delete the test's tables: {e}"));
        drop(local);
    });
}
