//! A fault-injecting HTTP/1.1 proxy for tests, on a loopback port in front of
//! a DynamoDB endpoint (the embedded backend).
//!
//! Include it from a test file with
//!
//! ```ignore
//! #[path = "support/fault_proxy.rs"]
//! mod fault_proxy;
//! use fault_proxy::{Fault, FaultProxy, Rule};
//! ```
//!
//! Rules say which requests get a [`Fault`]: the first N requests, optionally
//! only those of one operation (the `X-Amz-Target` header, e.g.
//! `DescribeTable`). A request no rule claims is forwarded unchanged, except
//! that DescribeTable answers can have their table or index status rewritten
//! (a table that never becomes ACTIVE), and a stream's one shard can be shown
//! as several ([`VirtualShard`]: a split, siblings). Every request is counted per
//! operation, and so is every fault injected, so a test can check that the
//! client made the attempts it should have.
//!
//! The proxy runs on a thread and runtime of its own, like the embedded
//! backend: a test's runtime may be blocked (a fixture's `Drop` deleting
//! tables through the proxy) and the proxy must keep answering. It speaks just
//! enough HTTP/1.1 for the AWS SDK: requests framed by `Content-Length`,
//! answers by `Content-Length` or chunked; one fresh upstream connection per
//! forwarded request.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

#[path = "virtual_shards.rs"]
mod virtual_shards;
pub use virtual_shards::VirtualShard;

/// What the proxy does to a request a rule claims.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// HTTP 400 `ThrottlingException` (retryable: throttling).
    Throttling,
    /// HTTP 400 `LimitExceededException` (too many control-plane calls at
    /// once; dynamo-model retries it as throttling).
    LimitExceeded,
    /// HTTP 500 `InternalServerError` (retryable: transient).
    InternalServerError,
    /// Waits this long, then forwards the request.
    Slow(Duration),
    /// Reads the request and closes the connection without answering; the
    /// request never reaches the server.
    DropConnection,
    /// Forwards the request (the server acts on it), then closes the
    /// connection instead of passing the answer on: the answer is lost.
    DropResponse,
    /// Reads the request and never answers, keeping the connection open.
    NoAnswer,
    /// HTTP 400 `AccessDeniedException` (not retryable).
    AccessDenied,
    /// HTTP 400 `ValidationException` (not retryable).
    Validation,
    /// HTTP 400 `ValidationException` as UpdateTimeToLive answers a second
    /// TTL change within the hour.
    TtlChangedTooOften,
    /// HTTP 400 `ExpiredIteratorException`, as GetRecords answers a shard
    /// iterator over 15 minutes old.
    ExpiredIterator,
    /// HTTP 200 with an HTML page, as a captive portal or a wrong port
    /// (a web server) answers.
    Html,
    /// For BatchWriteItem / BatchGetItem: forwards only the first half of
    /// each table's requests (at least one) and answers the rest as
    /// `UnprocessedItems` / `UnprocessedKeys`, as DynamoDB does when a batch
    /// exceeds the throughput. Other operations are forwarded unchanged.
    HalfUnprocessed,
    /// For BatchWriteItem / BatchGetItem: forwards nothing and answers every
    /// request as unprocessed.
    AllUnprocessed,
}

impl Fault {
    /// The canned answer, for the faults that are one: (status line, `__type`, message).
    fn canned(&self) -> Option<(&'static str, &'static str, &'static str)> {
        Some(match self {
            Fault::Throttling => (
                "400 Bad Request",
                "com.amazonaws.dynamodb.v20120810#ThrottlingException",
                "Rate of requests exceeds the allowed throughput (injected by the fault proxy)",
            ),
            Fault::LimitExceeded => (
                "400 Bad Request",
                "com.amazonaws.dynamodb.v20120810#LimitExceededException",
                "Subscriber limit exceeded: too many tables being created or deleted at once (injected by the fault proxy)",
            ),
            Fault::InternalServerError => (
                "500 Internal Server Error",
                "com.amazonaws.dynamodb.v20120810#InternalServerError",
                "Internal server error (injected by the fault proxy)",
            ),
            Fault::AccessDenied => (
                "400 Bad Request",
                "com.amazon.coral.service#AccessDeniedException",
                "User is not authorized to perform this action (injected by the fault proxy)",
            ),
            Fault::Validation => (
                "400 Bad Request",
                "com.amazon.coral.validate#ValidationException",
                "1 validation error detected (injected by the fault proxy)",
            ),
            Fault::ExpiredIterator => (
                "400 Bad Request",
                "com.amazonaws.dynamodb.v20120810#ExpiredIteratorException",
                "Iterator expired. The iterator was created 15 minutes ago (injected by the fault proxy)",
            ),
            Fault::TtlChangedTooOften => (
                "400 Bad Request",
                "com.amazon.coral.validate#ValidationException",
                "Time to live has been modified multiple times within a fixed interval (injected by the fault proxy)",
            ),
            _ => return None,
        })
    }
}

/// Which requests get a fault: the first `times` (or all) of `operation` (or
/// of any operation).
#[derive(Clone, Debug)]
pub struct Rule {
    fault: Fault,
    operation: Option<String>,
    needle: Option<String>,
    remaining: Option<u32>,
    skip: u32,
}

impl Rule {
    /// `fault` for the next request of any operation (narrow it with
    /// [`on`](Self::on), widen it with [`times`](Self::times) or
    /// [`always`](Self::always)).
    pub fn new(fault: Fault) -> Rule {
        Rule {
            fault,
            operation: None,
            needle: None,
            remaining: Some(1),
            skip: 0,
        }
    }

    /// Lets the first `n` matching requests through unharmed (and past any
    /// later rule).
    pub fn after(mut self, n: u32) -> Rule {
        self.skip = n;
        self
    }

    /// Only requests of this operation, e.g. `"DescribeTable"`.
    pub fn on(mut self, operation: &str) -> Rule {
        self.operation = Some(operation.to_owned());
        self
    }

    /// Only requests whose body contains `text` (an item's value, say: a
    /// batch request that carries it).
    pub fn containing(mut self, text: &str) -> Rule {
        self.needle = Some(text.to_owned());
        self
    }

    /// The next `n` matching requests.
    pub fn times(mut self, n: u32) -> Rule {
        self.remaining = Some(n);
        self
    }

    /// Every matching request from now on.
    pub fn always(mut self) -> Rule {
        self.remaining = None;
        self
    }

    fn claims(&self, operation: &str, body: &[u8]) -> bool {
        self.remaining != Some(0)
            && self.operation.as_deref().is_none_or(|op| op == operation)
            && self.needle.as_deref().is_none_or(|needle| {
                body.windows(needle.len().max(1))
                    .any(|w| w == needle.as_bytes())
            })
    }
}

#[derive(Default)]
struct State {
    rules: Vec<Rule>,
    requests: HashMap<String, u32>,
    faults: HashMap<String, u32>,
    in_flight: HashMap<String, u32>,
    max_in_flight: HashMap<String, u32>,
    table_status: Option<String>,
    index_status: Option<(String, String)>,
    sse_status: Option<String>,
    shards: virtual_shards::Shards,
}

impl State {
    /// Counts a request and returns the fault it gets, if any.
    fn admit(&mut self, operation: &str, body: &[u8]) -> Option<Fault> {
        *self.requests.entry(operation.to_owned()).or_default() += 1;
        let rule = self.rules.iter_mut().find(|r| r.claims(operation, body))?;
        if rule.skip > 0 {
            rule.skip -= 1;
            return None;
        }
        if let Some(n) = &mut rule.remaining {
            *n -= 1;
        }
        let fault = rule.fault.clone();
        *self.faults.entry(operation.to_owned()).or_default() += 1;
        Some(fault)
    }
}

/// The proxy. Stops (and drops every open connection) when dropped.
pub struct FaultProxy {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl FaultProxy {
    /// Starts a proxy on a free loopback port in front of `upstream`
    /// (`http://127.0.0.1:PORT`).
    pub fn start(upstream: &str) -> FaultProxy {
        let upstream: SocketAddr = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .unwrap_or_else(|e| {
                panic!("the fault proxy needs an http://IP:PORT upstream, not {upstream}: {e}")
            });
        let listener =
            std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind the fault proxy");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let addr = listener.local_addr().expect("the proxy's address");
        let state = Arc::new(Mutex::new(State::default()));
        let (stop, stopped) = oneshot::channel::<()>();
        let shared = Arc::clone(&state);
        let thread = std::thread::Builder::new()
            .name(format!("fault-proxy-{}", addr.port()))
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("the fault proxy's runtime");
                runtime.block_on(async move {
                    let listener = TcpListener::from_std(listener).expect("tokio listener");
                    let accept = async {
                        loop {
                            let Ok((client, _)) = listener.accept().await else {
                                continue;
                            };
                            let _ = client.set_nodelay(true);
                            tokio::spawn(serve(client, upstream, Arc::clone(&shared)));
                        }
                    };
                    tokio::select! {
                        _ = accept => {}
                        _ = stopped => {}
                    }
                });
                // Dropping the runtime cancels every connection task, also the
                // ones holding a connection open without answering.
            })
            .expect("spawn the fault proxy");
        FaultProxy {
            addr,
            state,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// The proxy's endpoint URL, for `Db::local`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a rule; earlier rules are tried first.
    pub fn add(&self, rule: Rule) -> &Self {
        self.state().rules.push(rule);
        self
    }

    /// Removes every rule and status rewrite (counts stay).
    pub fn clear(&self) {
        let mut state = self.state();
        state.rules.clear();
        state.table_status = None;
        state.index_status = None;
        state.sse_status = None;
    }

    /// Makes every DescribeTable answer report this `TableStatus`.
    pub fn rewrite_table_status(&self, status: &str) {
        self.state().table_status = Some(status.to_owned());
    }

    /// Makes every DescribeTable answer report this `IndexStatus` for the GSI
    /// named `index`.
    pub fn rewrite_index_status(&self, index: &str, status: &str) {
        self.state().index_status = Some((index.to_owned(), status.to_owned()));
    }

    /// Makes every DescribeTable answer report this `SSEDescription.Status`
    /// (an encryption change under way, while the table stays ACTIVE).
    pub fn rewrite_sse_status(&self, status: &str) {
        self.state().sse_status = Some(status.to_owned());
    }

    /// Shows the stream's one shard as these shards (see
    /// [`VirtualShard`]).
    pub fn virtual_shards(&self, shards: Vec<VirtualShard>) {
        self.state().shards.set(shards);
    }

    /// Dates the stream records of keys whose JSON contains `text` back by
    /// `seconds`: changes made long ago, as a reader sees them.
    pub fn age_records(&self, keys_containing: &str, seconds: u64) {
        self.state().shards.age(keys_containing, seconds);
    }

    /// Spells a stream record's identity as the Streams API does
    /// (`Type`, `PrincipalId`), where dynoxide spells it as a Lambda event
    /// does: its TTL removes then read as DynamoDB's do.
    pub fn spell_identity_as_the_api(&self) {
        self.state().shards.spell_identity_as_the_api();
    }

    /// Whether a reader has read the virtual shard `id` to its end.
    pub fn shard_closed(&self, id: &str) -> bool {
        self.state().shards.closed(id)
    }

    /// Requests seen for `operation` (faulted or not).
    pub fn requests(&self, operation: &str) -> u32 {
        self.state().requests.get(operation).copied().unwrap_or(0)
    }

    /// Requests seen, all operations together.
    pub fn total_requests(&self) -> u32 {
        self.state().requests.values().sum()
    }

    /// Faults injected into requests of `operation`.
    pub fn faults(&self, operation: &str) -> u32 {
        self.state().faults.get(operation).copied().unwrap_or(0)
    }

    /// Requests of `operation` in flight now (being delayed or forwarded).
    pub fn in_flight(&self, operation: &str) -> u32 {
        self.state().in_flight.get(operation).copied().unwrap_or(0)
    }

    /// The most requests of `operation` that were in flight at once (being
    /// delayed or forwarded; canned answers are not counted).
    pub fn max_in_flight(&self, operation: &str) -> u32 {
        self.state()
            .max_in_flight
            .get(operation)
            .copied()
            .unwrap_or(0)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A request or an answer: its head (start line and headers, without the
/// blank line) and its body.
struct Message {
    start: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Message {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The bytes on the wire, framed by `Content-Length`.
    fn to_bytes(&self) -> Vec<u8> {
        let mut out = format!("{}\r\n", self.start);
        for (name, value) in &self.headers {
            let framing = ["content-length", "transfer-encoding", "x-amz-crc32"];
            if !framing.iter().any(|f| name.eq_ignore_ascii_case(f)) {
                out.push_str(&format!("{name}: {value}\r\n"));
            }
        }
        out.push_str(&format!("content-length: {}\r\n\r\n", self.body.len()));
        let mut bytes = out.into_bytes();
        bytes.extend_from_slice(&self.body);
        bytes
    }
}

/// Reads one message; `None` on a clean end of stream before it starts.
async fn read_message<R: AsyncBufReadExt + Unpin>(
    reader: &mut R,
) -> std::io::Result<Option<Message>> {
    let mut start = String::new();
    if reader.read_line(&mut start).await? == 0 {
        return Ok(None);
    }
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    let mut message = Message {
        start: start.trim_end_matches(['\r', '\n']).to_owned(),
        headers,
        body: Vec::new(),
    };
    let chunked = message
        .header("transfer-encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"));
    if chunked {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).await?;
            let size = usize::from_str_radix(size.trim().split(';').next().unwrap_or("0"), 16)
                .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidData))?;
            let mut chunk = vec![0; size + 2]; // the chunk and its CRLF
            reader.read_exact(&mut chunk).await?;
            if size == 0 {
                break; // (no trailers from these servers)
            }
            message.body.extend_from_slice(&chunk[..size]);
        }
    } else if let Some(length) = message.header("content-length") {
        let length: usize = length
            .parse()
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidData))?;
        message.body = vec![0; length];
        reader.read_exact(&mut message.body).await?;
    }
    Ok(Some(message))
}

/// Serves one client connection, request after request.
async fn serve(client: TcpStream, upstream: SocketAddr, state: Arc<Mutex<State>>) {
    let (read, mut write) = client.into_split();
    let mut reader = BufReader::new(read);
    while let Ok(Some(request)) = read_message(&mut reader).await {
        let operation = request
            .header("x-amz-target")
            .and_then(|t| t.rsplit('.').next())
            .unwrap_or("(none)")
            .to_owned();
        let fault = lock(&state).admit(&operation, &request.body);
        let answer = match fault {
            Some(Fault::DropConnection) => return,
            Some(Fault::NoAnswer) => {
                // Hold the connection (and so the client) until the proxy stops.
                std::future::pending::<()>().await;
                return;
            }
            Some(Fault::Html) => Message {
                start: "HTTP/1.1 200 OK".into(),
                headers: vec![("content-type".into(), "text/html".into())],
                body: b"<html><body>Welcome to nginx!</body></html>".to_vec(),
            },
            Some(ref fault) if fault.canned().is_some() => canned_answer(fault),
            other => {
                let answer = {
                    let _flight = InFlight::enter(&state, &operation);
                    if let Some(Fault::Slow(delay)) = other {
                        tokio::time::sleep(delay).await;
                    }
                    match &other {
                        Some(fault @ (Fault::HalfUnprocessed | Fault::AllUnprocessed))
                            if operation.starts_with("Batch") =>
                        {
                            partial_batch(&request, upstream, fault == &Fault::AllUnprocessed).await
                        }
                        _ if virtual_shards::rewrites(&operation, &state) => {
                            virtual_shards::exchange(&operation, &request, upstream, &state).await
                        }
                        _ => forward(&request, upstream).await,
                    }
                };
                if other == Some(Fault::DropResponse) {
                    return;
                }
                match answer {
                    Ok(mut answer) => {
                        if operation == "DescribeTable" {
                            rewrite_statuses(&mut answer, &lock(&state));
                        }
                        answer
                    }
                    // The upstream failed: pass that on as a dropped connection.
                    Err(_) => return,
                }
            }
        };
        if write.write_all(&answer.to_bytes()).await.is_err() {
            return;
        }
    }
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|e| e.into_inner())
}

/// Counts a forwarded request as in flight while it lives.
struct InFlight<'a> {
    state: &'a Mutex<State>,
    operation: &'a str,
}

impl<'a> InFlight<'a> {
    fn enter(state: &'a Mutex<State>, operation: &'a str) -> Self {
        let mut s = lock(state);
        let now = {
            let n = s.in_flight.entry(operation.to_owned()).or_default();
            *n += 1;
            *n
        };
        let max = s.max_in_flight.entry(operation.to_owned()).or_default();
        *max = (*max).max(now);
        InFlight { state, operation }
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if let Some(n) = lock(self.state).in_flight.get_mut(self.operation) {
            *n -= 1;
        }
    }
}

fn canned_answer(fault: &Fault) -> Message {
    let (status, error_type, message) = fault.canned().expect("a canned fault");
    Message {
        start: format!("HTTP/1.1 {status}"),
        headers: vec![
            ("content-type".into(), "application/x-amz-json-1.0".into()),
            ("x-amzn-requestid".into(), "fault-proxy".into()),
        ],
        body: serde_json::json!({ "__type": error_type, "message": message })
            .to_string()
            .into_bytes(),
    }
}

/// Sends `request` to the upstream on a fresh connection and reads its answer.
async fn forward(request: &Message, upstream: SocketAddr) -> std::io::Result<Message> {
    let mut stream = TcpStream::connect(upstream).await?;
    stream.set_nodelay(true)?;
    stream.write_all(&request.to_bytes()).await?;
    let mut reader = BufReader::new(stream);
    read_message(&mut reader)
        .await?
        .ok_or_else(|| std::io::ErrorKind::UnexpectedEof.into())
}

/// Forwards part of a batch (nothing with `none`, else the first half of
/// each table's requests) and answers the rest as unprocessed. The SDK's
/// request signature covers the body, which the local servers do not check.
async fn partial_batch(
    request: &Message,
    upstream: SocketAddr,
    none: bool,
) -> std::io::Result<Message> {
    use serde_json::{json, Map, Value};
    let invalid = || std::io::Error::from(std::io::ErrorKind::InvalidData);
    let mut body: Value = serde_json::from_slice(&request.body).map_err(|_| invalid())?;
    let write = body
        .get("RequestItems")
        .and_then(|r| r.as_object())
        .is_some_and(|tables| tables.values().all(|v| v.is_array()));
    let tables = body
        .get_mut("RequestItems")
        .and_then(|r| r.as_object_mut())
        .ok_or_else(invalid)?;
    let mut left = Map::new();
    for (table, requests) in tables.iter_mut() {
        // BatchWriteItem: a list per table; BatchGetItem: {"Keys": [...], ...}.
        let list = if write {
            requests.as_array_mut()
        } else {
            requests.get_mut("Keys").and_then(|k| k.as_array_mut())
        }
        .ok_or_else(invalid)?;
        let keep = if none { 0 } else { list.len().div_ceil(2) };
        let rest: Vec<Value> = list.split_off(keep);
        if rest.is_empty() {
            continue;
        }
        let unprocessed = if write {
            Value::Array(rest)
        } else {
            let mut keys = requests.clone();
            keys["Keys"] = Value::Array(rest);
            keys
        };
        left.insert(table.clone(), unprocessed);
    }
    tables.retain(|_, requests| {
        let list = if write {
            requests.as_array()
        } else {
            requests.get("Keys").and_then(|k| k.as_array())
        };
        list.is_some_and(|l| !l.is_empty())
    });
    let forwarded_nothing = tables.is_empty();
    let mut answer = if forwarded_nothing {
        Message {
            start: "HTTP/1.1 200 OK".into(),
            headers: vec![("content-type".into(), "application/x-amz-json-1.0".into())],
            body: if write {
                json!({})
            } else {
                json!({ "Responses": {} })
            }
            .to_string()
            .into_bytes(),
        }
    } else {
        let forwarded = Message {
            start: request.start.clone(),
            headers: request.headers.clone(),
            body: body.to_string().into_bytes(),
        };
        forward(&forwarded, upstream).await?
    };
    let mut out: Value = serde_json::from_slice(&answer.body).map_err(|_| invalid())?;
    let field = if write {
        "UnprocessedItems"
    } else {
        "UnprocessedKeys"
    };
    let merged = out
        .as_object_mut()
        .ok_or_else(invalid)?
        .entry(field)
        .or_insert_with(|| Value::Object(Map::new()));
    if let Some(merged) = merged.as_object_mut() {
        for (table, rest) in left {
            match (merged.get_mut(&table), rest) {
                (Some(Value::Array(existing)), Value::Array(rest)) => existing.extend(rest),
                (Some(existing), rest) if existing.get("Keys").is_some() => {
                    if let (Some(Value::Array(keys)), Some(Value::Array(more))) =
                        (existing.get_mut("Keys"), rest.get("Keys").cloned())
                    {
                        keys.extend(more);
                    }
                }
                (_, rest) => {
                    merged.insert(table, rest);
                }
            }
        }
    }
    answer.body = out.to_string().into_bytes();
    Ok(answer)
}

/// Applies the configured TableStatus / IndexStatus / SSE status rewrites
/// to a DescribeTable answer.
fn rewrite_statuses(answer: &mut Message, state: &State) {
    if state.table_status.is_none() && state.index_status.is_none() && state.sse_status.is_none() {
        return;
    }
    let Ok(mut body) = serde_json::from_slice::<serde_json::Value>(&answer.body) else {
        return;
    };
    let Some(table) = body.get_mut("Table").and_then(|t| t.as_object_mut()) else {
        return;
    };
    if let Some(status) = &state.table_status {
        table.insert("TableStatus".into(), status.clone().into());
    }
    if let Some(status) = &state.sse_status {
        let sse = table
            .entry("SSEDescription")
            .or_insert_with(|| serde_json::json!({}));
        sse["Status"] = status.clone().into();
    }
    if let Some((index, status)) = &state.index_status {
        let gsis = table
            .get_mut("GlobalSecondaryIndexes")
            .and_then(|g| g.as_array_mut())
            .into_iter()
            .flatten();
        for gsi in gsis {
            if gsi.get("IndexName").and_then(|n| n.as_str()) == Some(index.as_str()) {
                gsi["IndexStatus"] = status.clone().into();
            }
        }
    }
    answer.body = body.to_string().into_bytes();
}
