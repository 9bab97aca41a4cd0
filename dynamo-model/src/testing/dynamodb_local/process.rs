//! Running: the JVM on a free port, its output kept for errors, and the
//! guarantees that it dies with the test process.

use super::provision::{provision, tail};
use super::*;

pub(super) fn java_program() -> PathBuf {
    let exe = if cfg!(windows) { "java.exe" } else { "java" };
    std::env::var_os("JAVA_HOME")
        .filter(|home| !home.is_empty())
        .map(|home| PathBuf::from(home).join("bin").join(exe))
        .filter(|java| java.is_file())
        .unwrap_or_else(|| PathBuf::from(exe))
}

/// The JVM flags: `DYNAMO_MODEL_JAVA_OPTS` when set, else the defaults.
pub(super) fn jvm_flags(from_env: Option<String>) -> Vec<String> {
    match from_env {
        Some(opts) => opts.split_whitespace().map(str::to_owned).collect(),
        None => DEFAULT_JVM_FLAGS.map(str::to_owned).to_vec(),
    }
}

pub(super) fn free_port() -> io::Result<u16> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
        .local_addr()?
        .port())
}

/// Whether something on `port` answers an HTTP request (DynamoDB Local
/// answers `400 MissingAuthenticationToken` to an unsigned one: it is up).
pub(super) fn answers_http(port: u16) -> bool {
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
pub(super) fn die_with_parent(command: &mut Command) {
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
pub(super) fn die_with_parent(_command: &mut Command) {}

type SpawnJob = Box<dyn FnOnce() -> io::Result<Child> + Send>;
/// A spawn request to the keeper thread: what to run, where to answer.
type SpawnRequest = (SpawnJob, mpsc::Sender<io::Result<Child>>);

/// Spawns on one thread that lives as long as the process. `PR_SET_PDEATHSIG`
/// fires when the *thread* that forked the child exits, and test threads (or
/// a tokio runtime's workers) come and go while a server lives on.
pub(super) fn spawn_from_keeper(mut command: Command) -> io::Result<Child> {
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
pub(super) struct OutputTail {
    bytes: Arc<Mutex<VecDeque<u8>>>,
    open_pipes: Arc<AtomicUsize>,
}

impl OutputTail {
    pub(super) fn drain(&self, pipe: Option<impl Read + Send + 'static>) {
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
    pub(super) fn text(&self, exited: bool) -> String {
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
    pub(super) port: u16,
    child: Mutex<Child>,
    output: OutputTail,
    startup: Duration,
}

pub(super) enum Attempt {
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

    pub(super) fn exit_status(&self) -> Option<std::process::ExitStatus> {
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

/// At a normal exit, kills the shared JVM (where there is no
/// `PR_SET_PDEATHSIG`, this is what stops it; on Linux it is a second line).
#[cfg(unix)]
pub(super) fn kill_at_exit(pid: u32) {
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
pub(super) fn kill_at_exit(_pid: u32) {}

#[cfg(test)]
mod tests {
    use super::*;

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
