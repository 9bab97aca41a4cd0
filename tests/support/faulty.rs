//! The fault tests' setup: the fault-injecting proxy in front of an
//! embedded backend, with a connection through it, and clients on the proxy
//! with retry and timeout settings (and a retry quota) of their own.

use std::time::Duration;

use dynamo_model::aws_sdk_dynamodb::config::retry::{RetryConfig, RetryPartition};
use dynamo_model::aws_sdk_dynamodb::config::timeout::TimeoutConfig;
use dynamo_model::aws_sdk_dynamodb::Client;
use dynamo_model::testing::{LocalDynamoDb, TestTables};
use dynamo_model::{CreateTableOptions, Db, DynamoModel};

use super::fault_proxy::FaultProxy;

/// Upper bound for anything that must fail "quickly": a hang guard.
pub const QUICK: Duration = Duration::from_secs(5);

/// The proxy (declared first, so dropped first) in front of an embedded
/// backend, and `Db::local` on the proxy.
pub struct Setup {
    pub proxy: FaultProxy,
    pub db: Db,
    pub backend: LocalDynamoDb,
}

pub fn setup() -> Setup {
    let backend = LocalDynamoDb::embedded().expect("start the embedded backend");
    let proxy = FaultProxy::start(backend.endpoint());
    let db = Db::local(proxy.endpoint());
    Setup { proxy, db, backend }
}

/// A proxy in front of the backend under test (any of the four), and
/// `Db::local` on it with `tables`' prefix, so that it reaches that fixture's
/// tables.
pub fn through_proxy(local: &LocalDynamoDb, tables: &TestTables) -> (FaultProxy, Db) {
    let proxy = FaultProxy::start(local.endpoint());
    let prefix = tables.db().table_prefix().unwrap_or_default().to_owned();
    let db = Db::local(proxy.endpoint()).with_table_prefix(prefix);
    (proxy, db)
}

/// A client on the proxy configured like `Db::local`, but with its own
/// retry and timeout settings (to keep timeout tests fast).
pub fn client_with(proxy: &FaultProxy, retry: RetryConfig, timeouts: TimeoutConfig) -> Db {
    let config = isolated_config(proxy)
        .retry_config(retry)
        .timeout_config(timeouts)
        .build();
    Db::new(Client::from_conf(config))
}

/// `Db::local`'s configuration with a retry quota of its own.
///
/// The SDK bounds retries with a token bucket (500 tokens; a retry of a
/// throttling error costs 5, of a 5xx or a transport error 10; an operation
/// whose retries all fail keeps none back) shared by every client of the
/// process with the same retry partition, `Db::local`'s included. A test that
/// makes operations fail after all their retries on purpose uses this, so that
/// it cannot empty the bucket the other tests of this binary rely on.
pub fn isolated_config(proxy: &FaultProxy) -> dynamo_model::aws_sdk_dynamodb::config::Builder {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let partition = format!("faults-test-{}", NEXT.fetch_add(1, Ordering::Relaxed));
    Db::local(proxy.endpoint())
        .client()
        .config()
        .to_builder()
        .retry_partition(RetryPartition::new(partition))
}

pub async fn create_directly<M: DynamoModel>(s: &Setup) {
    s.backend
        .db()
        .table::<M>()
        .create(CreateTableOptions::new().wait(true))
        .await
        .expect("create on the backend directly");
}
