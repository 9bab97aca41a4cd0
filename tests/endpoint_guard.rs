//! The fixture guard judges exactly the endpoint the SDK will call, as
//! aws-config resolves it: the service-specific setting wins over the global
//! one, in the environment and in the profile file. Every connection here
//! carries an interceptor that counts requests and stops each one before it
//! is transmitted, so even a broken guard could not send traffic to the
//! non-loopback addresses below.
//!
//! One test function, because it sets process-wide environment variables.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use dynamo_model::aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef;
use dynamo_model::aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use dynamo_model::testing::TestTables;
use dynamo_model::{BoxError, Db, Error};

mod support;
use support::models::User;

#[derive(Debug, Clone, Default)]
struct StopAndCount(Arc<AtomicUsize>);

impl Intercept for StopAndCount {
    fn name(&self) -> &'static str {
        "StopAndCount"
    }

    fn read_before_transmit(
        &self,
        _: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Err("stopped by the test before transmitting".into())
    }
}

const VARS: [&str; 4] = [
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_DYNAMODB",
    "DYNAMO_MODEL_ALLOW_REMOTE_FIXTURES",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
];

/// `Db::from_env` with exactly `vars` set (and a profile file of
/// `profile`), with the stopping interceptor; the count of requests.
async fn db_from(vars: &[(&str, &str)], profile: &str) -> (Db, Arc<AtomicUsize>) {
    let dir = std::env::temp_dir().join(format!("dynamo-model-guard-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("config");
    std::fs::write(&config, profile).unwrap();
    std::fs::write(dir.join("credentials"), "").unwrap();
    // SAFETY of the environment: this binary has one test, run on one thread.
    for var in VARS {
        std::env::remove_var(var);
    }
    std::env::set_var("AWS_CONFIG_FILE", &config);
    std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", dir.join("credentials"));
    std::env::set_var("AWS_REGION", "us-east-1");
    std::env::set_var("AWS_ACCESS_KEY_ID", "test");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "test");
    std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
    for (name, value) in vars {
        std::env::set_var(name, value);
    }
    let counter = StopAndCount::default();
    let requests = Arc::clone(&counter.0);
    (Db::from_env().await.with_interceptor(counter), requests)
}

async fn refused_without_a_request(db: &Db, requests: &AtomicUsize, endpoint: &str) {
    assert_eq!(db.endpoint(), Some(endpoint));
    let err = TestTables::new(db)
        .with::<User>()
        .create()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::EndpointRefused { endpoint: Some(e), .. } if e == endpoint),
        "{err:?}"
    );
    let err = TestTables::remove_leftovers(db).await.unwrap_err();
    assert!(matches!(err, Error::EndpointRefused { .. }), "{err:?}");
    assert_eq!(
        requests.load(Ordering::SeqCst),
        0,
        "a request was attempted"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn the_guard_judges_the_endpoint_the_sdk_calls() {
    // The service-specific variable wins over the global one.
    let (db, requests) = db_from(
        &[
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:1"),
            ("AWS_ENDPOINT_URL_DYNAMODB", "http://10.1.2.3:8000"),
        ],
        "[default]\n",
    )
    .await;
    refused_without_a_request(&db, &requests, "http://10.1.2.3:8000").await;

    // Only the service-specific variable, on loopback: allowed, and the
    // fixture does send (to the interceptor, which stops it).
    let (db, requests) = db_from(
        &[("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:1")],
        "[default]\n",
    )
    .await;
    assert_eq!(db.endpoint(), Some("http://127.0.0.1:1"));
    let err = TestTables::new(&db)
        .with::<User>()
        .create()
        .await
        .unwrap_err();
    assert!(!matches!(err, Error::EndpointRefused { .. }), "{err:?}");
    assert!(requests.load(Ordering::SeqCst) > 0);

    // The profile: the dynamodb entry of its services section wins over
    // its global endpoint_url.
    let profile = "[default]\n\
                   endpoint_url = http://127.0.0.1:1\n\
                   services = local\n\
                   \n\
                   [services local]\n\
                   dynamodb =\n  endpoint_url = http://10.1.2.3:8000\n";
    let (db, requests) = db_from(&[], profile).await;
    refused_without_a_request(&db, &requests, "http://10.1.2.3:8000").await;

    // The profile's global endpoint alone, not loopback: refused too.
    let (db, requests) = db_from(&[], "[default]\nendpoint_url = http://10.1.2.3:8000\n").await;
    refused_without_a_request(&db, &requests, "http://10.1.2.3:8000").await;
}
