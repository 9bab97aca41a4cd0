//! dynoxide, an in-memory DynamoDB on SQLite, served on a loopback port.
//!
//! It runs on a thread and runtime of its own, not the caller's: a test's
//! runtime may be single-threaded and blocked (for example in a `Drop` that
//! waits for tables to be deleted), and the server must keep answering.

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::oneshot;

/// How long dropping the server waits for open requests to finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

pub(crate) struct EmbeddedServer {
    addr: SocketAddr,
    /// The server's database, shared with it (for the TTL sweep).
    database: dynoxide::Database,
    stop: Option<oneshot::Sender<()>>,
    stopped: mpsc::Receiver<()>,
    thread: Option<JoinHandle<()>>,
}

impl EmbeddedServer {
    pub(crate) fn start() -> std::io::Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let database =
            dynoxide::Database::memory().map_err(|e| std::io::Error::other(e.to_string()))?;
        let served_database = database.clone();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (stop, stop_signal) = oneshot::channel::<()>();
        let (stopped_tx, stopped) = mpsc::channel();

        let thread = std::thread::Builder::new()
            .name(format!("dynoxide-{}", addr.port()))
            .spawn(move || {
                let served = runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener)
                        .map_err(|e| format!("cannot serve on {addr}: {e}"))?;
                    dynoxide::server::serve_with_shutdown(listener, served_database, async {
                        let _ = stop_signal.await;
                    })
                    .await
                });
                if let Err(err) = served {
                    tracing::error!(%addr, "embedded DynamoDB stopped: {err}");
                }
                let _ = stopped_tx.send(());
            })?;

        Ok(EmbeddedServer {
            addr,
            database,
            stop: Some(stop),
            stopped,
            thread: Some(thread),
        })
    }

    pub(crate) fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Deletes the expired items of every table with TTL on, as DynamoDB's
    /// TTL does (the stream records name the DynamoDB service); how many.
    pub(crate) fn sweep_ttl(&self) -> std::io::Result<usize> {
        self.database
            .sweep_ttl()
            .map_err(|e| std::io::Error::other(e.to_string()))
    }
}

impl Drop for EmbeddedServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        // A client that keeps a request open would hold the graceful shutdown
        // forever; past the grace period the thread is left to end with the
        // process rather than hanging the test.
        if self.stopped.recv_timeout(SHUTDOWN_GRACE).is_ok() {
            if let Some(thread) = self.thread.take() {
                let _ = thread.join();
            }
        }
    }
}
