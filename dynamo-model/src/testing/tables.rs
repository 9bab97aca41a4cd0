//! `TestTables`: a set of real tables for one test, created concurrently under
//! a prefix of their own and deleted when the fixture is dropped.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::endpoint::guard_endpoint;
use super::owner::{is_leftover, unique_prefix, unix_seconds};
use crate::error::{Error, Result};
use crate::table::{delete, wait};
use crate::{CreateTableOptions, Db, DynamoModel, Table, TableSchema};

/// Every fixture's table names start with this, followed by the process id.
///
/// ```
/// use dynamo_model::testing::{LocalDynamoDb, TestTables, FIXTURE_PREFIX};
/// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
/// # #[derive(DynamoModel, serde::Serialize)]
/// # struct User { #[hash_key] id: String }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> dynamo_model::Result<()> {
/// let local = LocalDynamoDb::embedded()?;
/// let tables = TestTables::new(local.db()).with::<User>().create().await?;
/// assert!(tables.prefix().starts_with(FIXTURE_PREFIX));
/// # Ok(()) }
/// ```
pub const FIXTURE_PREFIX: &str = "dmtest_";

/// How many control-plane calls a fixture has in flight at once by default.
///
/// ```
/// use dynamo_model::testing::{TestTables, DEFAULT_CONCURRENCY};
/// let db = dynamo_model::Db::local("http://127.0.0.1:8000");
/// let fixture = TestTables::new(&db).concurrency(DEFAULT_CONCURRENCY / 4);
/// ```
pub const DEFAULT_CONCURRENCY: usize = 16;

/// How long dropping a fixture waits for its tables to be gone.
const DROP_TIMEOUT: Duration = Duration::from_secs(120);

/// What a fixture is about to create.
///
/// ```
/// use dynamo_model::testing::{LocalDynamoDb, TestTables, TestTablesBuilder};
/// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
/// # #[derive(DynamoModel, serde::Serialize)]
/// # struct User { #[hash_key] id: String }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> dynamo_model::Result<()> {
/// let local = LocalDynamoDb::embedded()?;
/// let builder: TestTablesBuilder = TestTables::new(local.db()).with::<User>().concurrency(4);
/// let tables = builder.create().await?;
/// assert_eq!(tables.table_names().len(), 1);
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[must_use = "call `.create().await` to create the tables"]
pub struct TestTablesBuilder {
    db: Db,
    /// Each table with what it came from, for messages.
    pub(super) schemas: Vec<(String, TableSchema)>,
    /// The tables that entity models share: several entries of one table
    /// with equal schemas are one table there.
    shared: Vec<String>,
    options: CreateTableOptions,
    allow_remote: bool,
    concurrency: usize,
    sweep_prefix: bool,
    /// Items to write once the tables exist.
    pub(super) seeds: Vec<super::seed::Seed>,
}

/// Real tables for one test. Created concurrently under a name prefix unique
/// to this fixture (so parallel tests and processes never share a table),
/// they are deleted when the fixture is dropped, also when the test panics.
/// It only ever deletes the tables it created.
///
/// ```
/// use dynamo_model::testing::{LocalDynamoDb, TestTables};
/// use dynamo_model::DynamoModel;
///
/// #[derive(DynamoModel, serde::Serialize)]
/// struct User {
///     #[hash_key]
///     id: String,
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> dynamo_model::Result<()> {
/// let local = LocalDynamoDb::start().await?;
/// let tables = TestTables::new(local.db()).with::<User>().create().await?;
/// let db = tables.db(); // model operations target this fixture's tables
/// assert!(db.table::<User>().exists().await?);
/// drop(tables); // deletes exactly the tables it created
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct TestTables {
    db: Db,
    created: Vec<String>,
    /// Also delete every table under the fixture's own prefix.
    sweep_prefix: bool,
}

impl TestTables {
    /// Starts a fixture on `db` (usually [`LocalDynamoDb::db`](super::LocalDynamoDb::db)).
    ///
    /// ```
    /// use dynamo_model::testing::{LocalDynamoDb, TestTables};
    /// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = LocalDynamoDb::embedded()?;
    /// let tables = TestTables::new(local.db()).with::<User>().create().await?;
    /// assert!(tables.db().table::<User>().exists().await?);
    /// # Ok(()) }
    /// ```
    #[allow(clippy::new_ret_no_self)]
    pub fn new(db: &Db) -> TestTablesBuilder {
        TestTablesBuilder {
            db: db.clone(),
            schemas: Vec::new(),
            shared: Vec::new(),
            options: CreateTableOptions::new(),
            allow_remote: false,
            concurrency: DEFAULT_CONCURRENCY,
            seeds: Vec::new(),
            sweep_prefix: false,
        }
    }

    /// A connection whose model operations target this fixture's tables.
    ///
    /// ```
    /// use dynamo_model::testing::{LocalDynamoDb, TestTables};
    /// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = LocalDynamoDb::embedded()?;
    /// let tables = TestTables::new(local.db()).with::<User>().create().await?;
    /// let db = tables.db(); // prefixes every table name with the fixture's prefix
    /// assert_eq!(db.table_name("user"), format!("{}user", tables.prefix()));
    /// assert!(db.table::<User>().exists().await?);
    /// # Ok(()) }
    /// ```
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// The handle on model `M`'s table in this fixture (`self.db().table::<M>()`).
    ///
    /// ```
    /// use dynamo_model::testing::{LocalDynamoDb, TestTables};
    /// # use dynamo_model::DynamoModel;
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = LocalDynamoDb::embedded()?;
    /// let tables = TestTables::new(local.db()).with::<User>().create().await?;
    /// let users = tables.table::<User>();
    /// assert_eq!(users.name(), format!("{}user", tables.prefix()));
    /// assert!(users.exists().await?);
    /// # Ok(()) }
    /// ```
    pub fn table<M: DynamoModel>(&self) -> Table<M> {
        self.db.table::<M>()
    }

    /// The prefix of this fixture's table names.
    ///
    /// ```
    /// use dynamo_model::testing::{LocalDynamoDb, TestTables, FIXTURE_PREFIX};
    /// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = LocalDynamoDb::embedded()?;
    /// let a = TestTables::new(local.db()).with::<User>().create().await?;
    /// let b = TestTables::new(local.db()).with::<User>().create().await?;
    /// assert!(a.prefix().starts_with(FIXTURE_PREFIX));
    /// assert_ne!(a.prefix(), b.prefix()); // two fixtures, two `user` tables
    /// # Ok(()) }
    /// ```
    pub fn prefix(&self) -> &str {
        self.db.table_prefix().unwrap_or_default()
    }

    /// The full names of the tables this fixture created.
    ///
    /// ```
    /// use dynamo_model::testing::{LocalDynamoDb, TestTables};
    /// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = LocalDynamoDb::embedded()?;
    /// let tables = TestTables::new(local.db()).with::<User>().create().await?;
    /// assert_eq!(tables.table_names(), [format!("{}user", tables.prefix())]);
    /// # Ok(()) }
    /// ```
    pub fn table_names(&self) -> &[String] {
        &self.created
    }

    /// Deletes the tables now and waits until they are gone, returning any
    /// failure instead of logging it as dropping does.
    ///
    /// ```
    /// use dynamo_model::testing::{LocalDynamoDb, TestTables};
    /// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = LocalDynamoDb::embedded()?;
    /// let tables = TestTables::new(local.db()).with::<User>().create().await?;
    /// tables.cleanup().await?;
    /// assert!(local.db().list_tables(None).await?.is_empty());
    /// # Ok(()) }
    /// ```
    pub async fn cleanup(mut self) -> Result<()> {
        let tables = std::mem::take(&mut self.created);
        let sweep = std::mem::take(&mut self.sweep_prefix);
        delete_owned(&self.db, tables, sweep).await
    }

    /// Deletes every fixture table left behind by a test process that is no
    /// longer running (a crashed or killed run), and returns their names.
    ///
    /// A table counts as left behind when its name carries this crate's
    /// fixture prefix and either this machine's [`this_host_id`](crate::testing::this_host_id) and the id of
    /// a process that no longer runs, or another machine's id and a creation
    /// time older than [`LEFTOVER_AGE`](crate::testing::LEFTOVER_AGE); tables of fixtures still running here
    /// are never touched. The same loopback rule as for creating applies.
    ///
    /// ```
    /// use dynamo_model::testing::{LocalDynamoDb, TestTables};
    /// use dynamo_model::{AttributeType::S, CreateTableOptions, TableSchema};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = LocalDynamoDb::embedded()?;
    /// // A table of a fixture of this machine whose process (id 4000000000) is gone:
    /// let host = dynamo_model::testing::this_host_id();
    /// let left = format!("dmtest_4000000000_0_0_{host}_user");
    /// let left = left.as_str();
    /// let schema = TableSchema::builder(left).hash_key("id", S).build()?;
    /// local.db().table_for_schema(&schema).create(CreateTableOptions::new()).await?;
    /// let removed = TestTables::remove_leftovers(local.db()).await?;
    /// #[cfg(target_os = "linux")] // elsewhere, tables of unknown processes are kept
    /// assert_eq!(removed, [left]);
    /// # Ok(()) }
    /// ```
    pub async fn remove_leftovers(db: &Db) -> Result<Vec<String>> {
        guard_endpoint(db, false)?;
        let leftovers: Vec<String> = db
            .list_tables(Some(FIXTURE_PREFIX))
            .await?
            .into_iter()
            .filter(|name| is_leftover(name, unix_seconds()))
            .collect();
        let root = db.clone().with_table_prefix("");
        delete_all(&root, leftovers.clone(), DEFAULT_CONCURRENCY, DROP_TIMEOUT).await?;
        Ok(leftovers)
    }
}

impl TestTablesBuilder {
    /// Adds model `M`'s table.
    ///
    /// ```
    /// use dynamo_model::testing::{LocalDynamoDb, TestTables};
    /// use dynamo_model::DynamoModel;
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct Order { #[hash_key] id: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = LocalDynamoDb::embedded()?;
    /// let tables = TestTables::new(local.db()).with::<User>().with::<Order>().create().await?;
    /// assert_eq!(tables.table_names().len(), 2);
    /// # Ok(()) }
    /// ```
    pub fn with<M: DynamoModel>(mut self) -> Self {
        let model = std::any::type_name::<M>();
        let model = model.rsplit("::").next().unwrap_or(model);
        let what = format!("model `{model}`");
        if M::entity().is_some() || M::collection_entities().is_some() {
            // Entities of one table definition share its table.
            self.shared.push(M::schema().table_name().to_owned());
        }
        self.schemas.push((what, M::schema().clone()));
        self
    }

    /// Adds a table from a schema built by hand.
    ///
    /// ```
    /// use dynamo_model::testing::{LocalDynamoDb, TestTables};
    /// use dynamo_model::{AttributeType::S, TableSchema};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = LocalDynamoDb::embedded()?;
    /// let schema = TableSchema::builder("audit_log").hash_key("id", S).build()?;
    /// let tables = TestTables::new(local.db()).with_schema(schema).create().await?;
    /// assert!(tables.db().table_named("audit_log").exists().await?);
    /// # Ok(()) }
    /// ```
    pub fn with_schema(mut self, schema: TableSchema) -> Self {
        self.schemas
            .push(("a hand-built schema".to_owned(), schema));
        self
    }

    /// The options every table is created with (billing, streams, ...);
    /// `wait` is always on, and the connection is the fixture's.
    ///
    /// ```
    /// use dynamo_model::testing::{LocalDynamoDb, TestTables};
    /// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = LocalDynamoDb::embedded()?;
    /// let tables = TestTables::new(local.db())
    ///     .with::<User>()
    ///     .options(CreateTableOptions::new().provisioned(5, 5))
    ///     .create()
    ///     .await?;
    /// let table = tables.db().table::<User>().describe().await?;
    /// assert_eq!(table.provisioned_throughput().and_then(|t| t.read_capacity_units()), Some(5));
    /// # Ok(()) }
    /// ```
    pub fn options(mut self, options: CreateTableOptions) -> Self {
        self.options = options;
        self
    }

    /// How many tables may be in creation at once, each from its CreateTable
    /// until it is ACTIVE (TTL included), and how many DeleteTable calls may
    /// be in flight at once (default [`DEFAULT_CONCURRENCY`]; at least 1).
    ///
    /// ```
    /// use dynamo_model::testing::{LocalDynamoDb, TestTables};
    /// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = LocalDynamoDb::embedded()?;
    /// // One CreateTable at a time, for a server that refuses concurrent ones.
    /// let tables = TestTables::new(local.db()).with::<User>().concurrency(1).create().await?;
    /// # Ok(()) }
    /// ```
    pub fn concurrency(mut self, limit: usize) -> Self {
        self.concurrency = limit.max(1);
        self
    }

    /// Allows an endpoint that is not a loopback address (by default refused,
    /// so that a fixture can never create or drop tables in a real account).
    /// The environment variable [`ALLOW_REMOTE_ENV_VAR`](crate::testing::ALLOW_REMOTE_ENV_VAR) set to `1` does the same.
    ///
    /// ```no_run
    /// use dynamo_model::testing::TestTables;
    /// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let staging = Db::local("http://10.0.0.5:8000");
    /// let tables = TestTables::new(&staging)
    ///     .allow_non_loopback_endpoint(true)
    ///     .with::<User>()
    ///     .create()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn allow_non_loopback_endpoint(mut self, allow: bool) -> Self {
        self.allow_remote = allow;
        self
    }

    /// Also deletes, at cleanup, the tables a test made itself through
    /// [`TestTables::db`]: every table whose name starts with this fixture's
    /// prefix. The prefix is unique to the fixture (process id, fixture
    /// number, time), so no table of anyone else can carry it. For tests of
    /// table creation itself, which start from no tables.
    ///
    /// ```
    /// use dynamo_model::testing::{LocalDynamoDb, TestTables};
    /// # use dynamo_model::{CreateTableOptions, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = LocalDynamoDb::embedded()?;
    /// let scratch = TestTables::new(local.db()).sweep_prefix(true).create().await?;
    /// scratch.table::<User>().create(CreateTableOptions::new()).await?;
    /// scratch.cleanup().await?;
    /// assert!(local.db().list_tables(None).await?.is_empty());
    /// # Ok(()) }
    /// ```
    pub fn sweep_prefix(mut self, yes: bool) -> Self {
        self.sweep_prefix = yes;
        self
    }

    /// Two entries for one table name (a model listed twice, or two models
    /// sharing a table) would create one table and report it twice; deletion
    /// protection would leave the fixture unable to delete what it made.
    /// Both are refused before any request. Entity models of one table
    /// definition (equal schemas) are the one table they share.
    fn refuse_contradictions(&self) -> Result<()> {
        for (i, (what, schema)) in self.schemas.iter().enumerate() {
            let name = schema.table_name();
            if let Some((first, _)) = self.schemas[..i].iter().find(|(first, s)| {
                s.table_name() == name
                    && !(s == schema && first != what && self.shared.iter().any(|t| t == name))
            }) {
                let reason = if first == what {
                    format!("{what} is listed twice")
                } else {
                    format!("{first} and {what} both use this table name")
                };
                return Err(Error::invalid(
                    &self.db.table_name(name),
                    "with",
                    format!("{reason}; a fixture creates each table once"),
                ));
            }
        }
        if self.options.deletion_protection == Some(true) {
            return Err(Error::InvalidSetting {
                setting: "TestTables::options",
                reason: "deletion protection would keep the fixture from deleting the tables it \
                         creates; turn it on in the test itself if the test is about it (cleanup \
                         turns it off again on the fixture's own tables)"
                    .to_owned(),
            });
        }
        Ok(())
    }

    /// Creates every table concurrently, waits until all are ACTIVE, and
    /// writes the seed items ([`with_items`](Self::with_items)). If anything
    /// fails, the tables already created are deleted again and the first
    /// error is returned.
    ///
    /// ```
    /// use dynamo_model::testing::{LocalDynamoDb, TestTables};
    /// # use dynamo_model::{CreateTableOptions, Db, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize)]
    /// # struct User { #[hash_key] id: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = LocalDynamoDb::embedded()?;
    /// let tables = TestTables::new(local.db()).with::<User>().create().await?;
    /// assert!(tables.db().table::<User>().exists().await?); // ACTIVE
    /// # Ok(()) }
    /// ```
    pub async fn create(self) -> Result<TestTables> {
        self.refuse_contradictions()?;
        guard_endpoint(&self.db, self.allow_remote)?;
        // A prefix the connection already has stays, under the fixture's.
        let prefix = format!(
            "{}{}",
            unique_prefix(),
            self.db.table_prefix().unwrap_or_default()
        );
        let db = self.db.clone().with_table_prefix(prefix);
        let seeds = super::seed::plan(&db, self.seeds)?;
        let permits = Arc::new(Semaphore::new(self.concurrency));
        let mut tasks = JoinSet::new();
        let mut made: Vec<String> = Vec::new();
        for (_, schema) in self.schemas {
            if made.iter().any(|name| name == schema.table_name()) {
                continue;
            }
            made.push(schema.table_name().to_owned());
            let db = db.clone();
            let options = self.options.clone().wait(true);
            let permits = Arc::clone(&permits);
            tasks.spawn(async move {
                let name = db.table_name(schema.table_name());
                let _permit = permits
                    .acquire_owned()
                    .await
                    .expect("the semaphore is never closed");
                db.table_for_schema(&schema)
                    .create(options)
                    .await
                    .map(|_| name.clone())
                    .map_err(|e| (name, e))
            });
        }

        let mut created = Vec::new();
        let mut first_error = None;
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok(Ok(name)) => created.push(name),
                Ok(Err((name, error))) => {
                    // Created but failing afterwards (TTL, wait): still ours to delete.
                    if !matches!(
                        error,
                        Error::TableAlreadyExists { .. }
                            | Error::InvalidInput { .. }
                            | Error::InvalidSchema { .. }
                            | Error::EndpointRefused { .. }
                    ) {
                        created.push(name);
                    }
                    first_error.get_or_insert(error);
                }
                Err(join_error) => std::panic::resume_unwind(join_error.into_panic()),
            }
        }
        created.sort();
        // Seeds are written only into a complete fixture.
        let first_error = match first_error {
            None => super::seed::write(&db, seeds, self.concurrency).await.err(),
            some => some,
        };
        let fixture = TestTables {
            db,
            created,
            sweep_prefix: self.sweep_prefix,
        };
        match first_error {
            None => Ok(fixture),
            Some(error) => {
                // Deleting a table that was never created is harmless here:
                // "not found" is ignored by `delete_all`. A server that did
                // not answer the create gets one attempt's time, not the
                // whole wait again.
                let bound = if error.is_no_answer() {
                    fixture
                        .db
                        .client()
                        .config()
                        .timeout_config()
                        .and_then(|t| t.operation_attempt_timeout())
                        .unwrap_or(DROP_TIMEOUT)
                } else {
                    DROP_TIMEOUT
                };
                let _ = tokio::time::timeout(bound, fixture.cleanup()).await;
                Err(error)
            }
        }
    }
}

impl Drop for TestTables {
    fn drop(&mut self) {
        let tables = std::mem::take(&mut self.created);
        let sweep = std::mem::take(&mut self.sweep_prefix);
        if tables.is_empty() && !sweep {
            return;
        }
        // Drop cannot await, and the caller's runtime may be single-threaded
        // and blocked right here, so the deletes run on a thread and runtime
        // of their own.
        let db = self.db.with_fresh_connections();
        let outcome = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime
                .block_on(delete_owned(&db, tables, sweep))
                .map_err(|e| e.to_string())
        })
        .join();
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(error)) => {
                eprintln!("dynamo-model: a test fixture could not delete its tables: {error}")
            }
            Err(_) => eprintln!("dynamo-model: deleting a test fixture's tables panicked"),
        }
    }
}

/// Deletes the fixture's tables: those it created, and with `sweep` every
/// other table under its prefix.
async fn delete_owned(db: &Db, mut tables: Vec<String>, sweep: bool) -> Result<()> {
    if let (true, Some(prefix)) = (sweep, db.table_prefix()) {
        for name in db.list_tables(Some(prefix)).await? {
            if !tables.contains(&name) {
                tables.push(name);
            }
        }
    }
    delete_all(db, tables, DEFAULT_CONCURRENCY, DROP_TIMEOUT).await
}

/// Deletes `tables` concurrently and waits until all are gone. "Not found"
/// counts as done; the first other failure is returned after all were tried.
async fn delete_all(
    db: &Db,
    tables: Vec<String>,
    concurrency: usize,
    timeout: Duration,
) -> Result<()> {
    if tables.is_empty() {
        return Ok(());
    }
    let checked = db.checked_client()?.clone();
    let permits = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut tasks = JoinSet::new();
    for name in tables {
        let client = checked.clone();
        let permits = Arc::clone(&permits);
        tasks.spawn(async move {
            let permit = permits
                .acquire_owned()
                .await
                .expect("the semaphore is never closed");
            match delete::delete_when_settled(&client, &name, timeout).await {
                Ok(_) | Err(Error::TableNotFound { .. }) => {}
                // The fixture's own table, protected by the test: the
                // fixture must still delete what it made.
                Err(Error::DeletionProtected { .. }) => {
                    unprotect(&client, &name, timeout).await?;
                    match delete::delete_when_settled(&client, &name, timeout).await {
                        Ok(_) | Err(Error::TableNotFound { .. }) => {}
                        Err(error) => return Err(error),
                    }
                }
                Err(error) => return Err(error),
            }
            drop(permit);
            wait::until_deleted(&client, &name, timeout).await
        });
    }
    let mut first_error = None;
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(Ok(())) => {}
            Ok(Err(error)) => {
                first_error.get_or_insert(error);
            }
            Err(join_error) => std::panic::resume_unwind(join_error.into_panic()),
        }
    }
    first_error.map_or(Ok(()), Err)
}

/// Turns deletion protection off on one of the fixture's own tables.
async fn unprotect(client: &aws_sdk_dynamodb::Client, name: &str, timeout: Duration) -> Result<()> {
    client
        .update_table()
        .table_name(name)
        .deletion_protection_enabled(false)
        .send()
        .await
        .map_err(|e| Error::sdk(name, "UpdateTable", e))?;
    wait::until_active(client, name, timeout).await.map(|_| ())
}
