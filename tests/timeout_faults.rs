//! A server that stalls or never finishes: every wait must end in
//! `Error::WaitTimeout` naming the table and its last status, within its
//! timeout plus one attempt, and a server that never answers must end in an
//! error, not a hang. Through the fault-injecting proxy in front of the
//! embedded backend (the setup of `tests/faults.rs`).
//!
//! Time bounds asserted here are hang guards, generous on purpose, never
//! benchmarks (those are in `benches/`).

mod support;
use support::fault_proxy::{Fault, Rule};
use support::faulty::{client_with, create_directly, setup, QUICK};
use support::models::User;

use std::time::{Duration, Instant};

use dynamo_model::aws_sdk_dynamodb::config::retry::RetryConfig;
use dynamo_model::aws_sdk_dynamodb::config::timeout::TimeoutConfig;
use dynamo_model::testing::TestTables;
use dynamo_model::{CreateTableOptions, Db, Error};

#[tokio::test]
async fn a_table_stuck_creating_ends_in_a_wait_timeout_naming_it() {
    let s = setup();
    s.proxy.rewrite_table_status("CREATING");
    let start = Instant::now();
    let err =
        s.db.table::<User>()
            .create(
                CreateTableOptions::new()
                    .wait(true)
                    .wait_timeout(Duration::from_millis(700)),
            )
            .await
            .unwrap_err();
    let elapsed = start.elapsed();
    match &err {
        Error::WaitTimeout {
            table,
            target,
            last_status,
            waited,
        } => {
            assert_eq!(table, "users");
            assert_eq!(*target, "ACTIVE");
            assert_eq!(last_status, "CREATING");
            assert!(*waited >= Duration::from_millis(700), "{waited:?}");
        }
        other => panic!("expected a wait timeout, got {other:?}"),
    }
    let message = err.to_string();
    assert!(
        message.contains("`users`") && message.contains("CREATING"),
        "{message}"
    );
    assert!(
        elapsed >= Duration::from_millis(700) && elapsed < QUICK,
        "{elapsed:?}"
    );
    // It polled more than once: the wait backs off, it does not give up early.
    assert!(
        s.proxy.requests("DescribeTable") >= 5,
        "{}",
        s.proxy.requests("DescribeTable")
    );
}

#[tokio::test]
async fn a_gsi_stuck_creating_ends_in_a_wait_timeout_naming_it() {
    let s = setup();
    create_directly::<User>(&s).await;
    s.proxy.rewrite_index_status("by_email", "CREATING");
    let err =
        s.db.table::<User>()
            .wait_active(Duration::from_millis(500))
            .await
            .unwrap_err();
    match &err {
        Error::WaitTimeout {
            table, last_status, ..
        } => {
            assert_eq!(table, "users");
            assert_eq!(last_status, "ACTIVE (index by_email: CREATING)");
        }
        other => panic!("expected a wait timeout, got {other:?}"),
    }
    assert!(err.to_string().contains("by_email"), "{err}");
}

#[tokio::test]
async fn a_table_that_is_never_deleted_ends_in_a_wait_timeout() {
    let s = setup();
    create_directly::<User>(&s).await;
    let err =
        s.db.table::<User>()
            .wait_deleted(Duration::from_millis(400))
            .await
            .unwrap_err();
    match &err {
        Error::WaitTimeout {
            table,
            target,
            last_status,
            ..
        } => {
            assert_eq!(table, "users");
            assert_eq!(*target, "deleted");
            assert_eq!(last_status, "ACTIVE");
        }
        other => panic!("expected a wait timeout, got {other:?}"),
    }
}

#[tokio::test]
async fn a_server_that_never_answers_is_an_error_not_a_hang() {
    let s = setup();
    let db = client_with(
        &s.proxy,
        RetryConfig::standard()
            .with_max_attempts(3)
            .with_initial_backoff(Duration::from_millis(10)),
        TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(1))
            .operation_attempt_timeout(Duration::from_millis(300))
            .operation_timeout(Duration::from_secs(3))
            .build(),
    );
    s.proxy.add(Rule::new(Fault::NoAnswer).always());
    let start = Instant::now();
    let err = db.table::<User>().exists().await.unwrap_err();
    let elapsed = start.elapsed();
    assert!(elapsed < QUICK, "took {elapsed:?}");
    assert!(
        matches!(
            err,
            Error::Sdk {
                operation: "DescribeTable",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().to_lowercase().contains("timeout"), "{err}");
    assert_eq!(
        s.proxy.requests("DescribeTable"),
        3,
        "every attempt timed out"
    );

    let err = db
        .table::<User>()
        .create(CreateTableOptions::new().wait(true))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Sdk {
                operation: "CreateTable",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(start.elapsed() < QUICK * 2, "took {:?}", start.elapsed());
}

#[test]
fn db_local_bounds_every_attempt_and_operation() {
    // The bound the test above relies on, as `Db::local` sets it: a server
    // that never answers costs at most 5 s per attempt and 15 s in all.
    let db = Db::local("http://127.0.0.1:1");
    let config = db.client().config();
    let timeouts = config.timeout_config().expect("timeouts are configured");
    assert_eq!(timeouts.connect_timeout(), Some(Duration::from_secs(3)));
    assert_eq!(
        timeouts.operation_attempt_timeout(),
        Some(dynamo_model::LOCAL_ATTEMPT_TIMEOUT)
    );
    assert_eq!(
        timeouts.operation_timeout(),
        Some(dynamo_model::LOCAL_OPERATION_TIMEOUT)
    );
    assert_eq!(dynamo_model::LOCAL_ATTEMPT_TIMEOUT, Duration::from_secs(5));
    assert_eq!(
        dynamo_model::LOCAL_OPERATION_TIMEOUT,
        Duration::from_secs(15)
    );
    let retry = config.retry_config().expect("a retry policy is configured");
    assert_eq!(retry.max_attempts(), dynamo_model::DEFAULT_MAX_ATTEMPTS);
}

#[tokio::test]
async fn a_wait_is_bounded_by_its_timeout_even_when_a_poll_stalls() {
    let s = setup();
    create_directly::<User>(&s).await;
    let db = client_with(
        &s.proxy,
        RetryConfig::standard()
            .with_max_attempts(3)
            .with_initial_backoff(Duration::from_millis(10)),
        TimeoutConfig::builder()
            .operation_attempt_timeout(Duration::from_secs(1))
            .operation_timeout(Duration::from_secs(3))
            .build(),
    );
    s.proxy
        .add(Rule::new(Fault::NoAnswer).on("DescribeTable").always());
    let start = Instant::now();
    let err = db
        .table::<User>()
        .wait_active(Duration::from_millis(300))
        .await
        .unwrap_err();
    let elapsed = start.elapsed();
    assert!(matches!(err, Error::WaitTimeout { .. }), "{err}");
    assert!(
        elapsed < Duration::from_millis(1300),
        "a 300 ms wait took {elapsed:?}"
    );
}

/// A silent server once cost 120 s per operation whatever the caller asked
/// (a create with a 2 s wait, a delete_table_and_wait of 3 s, a fixture 240 s).
/// Now an operation with a wait timeout ends by that timeout plus one
/// attempt, and a fixture's cleanup after a create that got no answer takes
/// one attempt's time, not the whole wait again.
#[tokio::test]
async fn a_silent_server_costs_the_wait_timeout_plus_one_attempt() {
    let s = setup();
    let attempt = Duration::from_millis(300);
    let db = Db::local(s.proxy.endpoint()).with_timeouts(attempt, Duration::from_secs(30));
    s.proxy.add(Rule::new(Fault::NoAnswer).always());
    let slack = Duration::from_millis(700);

    let wait = Duration::from_secs(1);
    let start = Instant::now();
    let err = db
        .table::<User>()
        .create(CreateTableOptions::new().wait(true).wait_timeout(wait))
        .await
        .unwrap_err();
    let took = start.elapsed();
    assert!(took < wait + attempt + slack, "create took {took:?}");
    assert!(
        matches!(&err, Error::WaitTimeout { last_status, .. } if last_status.contains("did not finish")),
        "{err:?}"
    );

    let start = Instant::now();
    let err = db
        .table::<User>()
        .delete_table_and_wait(wait)
        .await
        .unwrap_err();
    let took = start.elapsed();
    assert!(
        took < wait + attempt + slack,
        "delete_table_and_wait took {took:?}"
    );
    assert!(matches!(err, Error::WaitTimeout { .. }), "{err:?}");

    // A fixture: the create's own request times out (the operation timeout
    // of this connection), then cleanup gets one attempt.
    let db = Db::local(s.proxy.endpoint()).with_timeouts(attempt, Duration::from_secs(1));
    let start = Instant::now();
    let err = TestTables::new(&db)
        .with::<User>()
        .create()
        .await
        .unwrap_err();
    let took = start.elapsed();
    assert!(
        took < Duration::from_secs(1) + attempt + slack * 2,
        "fixture took {took:?}: {err}"
    );
}
