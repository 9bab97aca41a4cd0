//! A network that misbehaves: every table operation through a fault-injecting
//! proxy in front of the embedded backend.
//!
//! Retryable faults (throttling, `LimitExceededException`, 500s, slow answers,
//! dropped connections) must be ridden out, and the proxy must have seen the
//! extra attempts; a non-retryable fault must come back as a clear error at
//! once; `table_exists` must never say `false` because of a fault; a wait that
//! cannot finish must end in `Error::WaitTimeout` naming the table and its
//! last status; a server that never answers must end in an error, not a hang.
//!
//! Time bounds asserted here are hang guards, generous on purpose, never
//! benchmarks (those are in `benches/`).

mod support;
use support::fault_proxy;
use support::models::{Order, Session, User};

use std::time::{Duration, Instant};

use dynamo_model::aws_sdk_dynamodb::config::retry::RetryConfig;
use dynamo_model::aws_sdk_dynamodb::config::timeout::TimeoutConfig;
use dynamo_model::aws_sdk_dynamodb::types::TableStatus;
use dynamo_model::aws_sdk_dynamodb::Client;
use dynamo_model::testing::TestTables;
use dynamo_model::{CreateTableOptions, Db, Error};

use fault_proxy::{Fault, Rule};
use support::faulty::{client_with, create_directly, isolated_config, setup, Setup, QUICK};

/// Create (with wait), exists, an explicit wait, delete (with wait) and
/// exists again, each with `times` faults on each of its operations.
async fn lifecycle_through(fault: Fault, times: u32) -> Setup {
    let s = setup();
    for operation in ["CreateTable", "DescribeTable", "DeleteTable"] {
        s.proxy
            .add(Rule::new(fault.clone()).on(operation).times(times));
    }
    let created =
        s.db.table::<User>()
            .create(CreateTableOptions::new().wait(true))
            .await
            .unwrap_or_else(|e| panic!("create through {fault:?}: {e}"));
    assert_eq!(created.table_status(), Some(&TableStatus::Active));

    s.proxy
        .add(Rule::new(fault.clone()).on("DescribeTable").times(times));
    assert!(
        s.db.table::<User>()
            .exists()
            .await
            .unwrap_or_else(|e| panic!("exists through {fault:?}: {e}")),
        "table_exists said false through {fault:?}"
    );

    s.proxy
        .add(Rule::new(fault.clone()).on("DescribeTable").times(times));
    let waited =
        s.db.table::<User>()
            .wait_active(Duration::from_secs(10))
            .await
            .unwrap_or_else(|e| panic!("wait through {fault:?}: {e}"));
    assert_eq!(waited.table_status(), Some(&TableStatus::Active));

    s.proxy
        .add(Rule::new(fault.clone()).on("DescribeTable").times(times));
    s.db.table::<User>()
        .delete_table_and_wait(Duration::from_secs(10))
        .await
        .unwrap_or_else(|e| panic!("delete through {fault:?}: {e}"));
    assert!(!s.db.table::<User>().exists().await.unwrap());
    assert!(
        !s.backend.db().table::<User>().exists().await.unwrap(),
        "the table is really gone"
    );
    s
}

/// For faults the client must retry: every fault injected, and each answered
/// by one more attempt.
async fn retried_through(fault: Fault) {
    let times = 2;
    let s = lifecycle_through(fault.clone(), times).await;
    assert_eq!(s.proxy.faults("CreateTable"), times, "{fault:?}");
    assert_eq!(s.proxy.faults("DeleteTable"), times, "{fault:?}");
    assert_eq!(s.proxy.faults("DescribeTable"), 4 * times, "{fault:?}");
    assert_eq!(s.proxy.requests("CreateTable"), times + 1, "{fault:?}");
    assert_eq!(s.proxy.requests("DeleteTable"), times + 1, "{fault:?}");
    // Create's wait, exists, the wait, delete's wait and the final exists:
    // at least five DescribeTable calls that succeeded, plus the faulted ones.
    assert!(
        s.proxy.requests("DescribeTable") >= 4 * times + 5,
        "{fault:?}: {} DescribeTable requests",
        s.proxy.requests("DescribeTable")
    );
}

#[tokio::test]
async fn lifecycle_rides_out_throttling() {
    retried_through(Fault::Throttling).await;
}

#[tokio::test]
async fn lifecycle_rides_out_limit_exceeded() {
    retried_through(Fault::LimitExceeded).await;
}

#[tokio::test]
async fn lifecycle_rides_out_internal_server_errors() {
    retried_through(Fault::InternalServerError).await;
}

#[tokio::test]
async fn lifecycle_rides_out_dropped_connections() {
    retried_through(Fault::DropConnection).await;
}

#[tokio::test]
async fn lifecycle_rides_out_slow_answers() {
    let delay = Duration::from_millis(150);
    let start = Instant::now();
    let s = lifecycle_through(Fault::Slow(delay), 2).await;
    // A slow answer within the attempt timeout is waited for, not retried.
    assert_eq!(s.proxy.requests("CreateTable"), 1);
    assert_eq!(s.proxy.faults("CreateTable"), 1);
    assert_eq!(s.proxy.requests("DeleteTable"), 1);
    assert_eq!(s.proxy.faults("DeleteTable"), 1);
    let describes = s.proxy.requests("DescribeTable");
    let slowed = s.proxy.faults("DescribeTable");
    assert!(
        describes >= 5 && slowed == describes.min(8),
        "{slowed} of {describes} slowed"
    );
    assert!(
        start.elapsed() >= delay * (2 + slowed),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn an_answer_slower_than_the_attempt_timeout_is_retried() {
    let s = setup();
    create_directly::<User>(&s).await;
    let db = client_with(
        &s.proxy,
        RetryConfig::standard()
            .with_max_attempts(3)
            .with_initial_backoff(Duration::from_millis(10)),
        TimeoutConfig::builder()
            .operation_attempt_timeout(Duration::from_millis(300))
            .build(),
    );
    s.proxy
        .add(Rule::new(Fault::Slow(Duration::from_secs(2))).on("DescribeTable"));
    let start = Instant::now();
    assert!(db.table::<User>().exists().await.unwrap());
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(
        s.proxy.requests("DescribeTable"),
        2,
        "timed out once, then answered"
    );
}

#[tokio::test]
async fn a_lost_answer_to_create_is_success_with_if_not_exists() {
    // The server creates the table but the answer never arrives; the retried
    // CreateTable then finds the table there. With `if_not_exists` that is
    // success; the test pins down what happens without it too.
    let s = setup();
    s.proxy
        .add(Rule::new(Fault::DropResponse).on("CreateTable"));
    s.db.table::<User>()
        .create(CreateTableOptions::new().wait(true).if_not_exists(true))
        .await
        .unwrap();
    assert_eq!(s.proxy.requests("CreateTable"), 2);

    s.proxy
        .add(Rule::new(Fault::DropResponse).on("CreateTable"));
    let err =
        s.db.table::<Order>()
            .create(CreateTableOptions::new().wait(true))
            .await
            .unwrap_err();
    assert!(err.is_table_already_exists(), "{err}");
    assert_eq!(err.table(), Some("orders"));
    assert!(s.backend.db().table::<Order>().exists().await.unwrap());
}

#[tokio::test]
async fn non_retryable_faults_fail_at_once_with_a_clear_error() {
    let s = setup();
    let start = Instant::now();

    s.proxy
        .add(Rule::new(Fault::AccessDenied).on("CreateTable").always());
    let err =
        s.db.table::<User>()
            .create(CreateTableOptions::new().wait(true))
            .await
            .unwrap_err();
    let message = err.to_string();
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
    assert_eq!(err.table(), Some("users"));
    assert!(message.contains("AccessDeniedException"), "{message}");
    assert!(message.contains("not authorized"), "{message}");
    assert_eq!(s.proxy.requests("CreateTable"), 1, "not retried");
    s.proxy.clear();

    // A fault on DescribeTable during a wait ends the wait, not the timeout.
    s.proxy
        .add(Rule::new(Fault::AccessDenied).on("DescribeTable").always());
    let err =
        s.db.table::<User>()
            .create(
                CreateTableOptions::new()
                    .wait(true)
                    .wait_timeout(Duration::from_secs(60)),
            )
            .await
            .unwrap_err();
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
    assert!(err.to_string().contains("AccessDeniedException"), "{err}");
    assert_eq!(
        s.proxy.requests("DescribeTable"),
        1,
        "not retried, not polled again"
    );
    s.proxy.clear();

    s.proxy
        .add(Rule::new(Fault::Validation).on("DeleteTable").always());
    let err = s.db.table::<User>().delete_table().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Sdk {
                operation: "DeleteTable",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("ValidationException"), "{err}");
    assert_eq!(s.proxy.requests("DeleteTable"), 1, "not retried");
    assert!(s.backend.db().table::<User>().exists().await.unwrap());

    assert!(start.elapsed() < QUICK, "took {:?}", start.elapsed());
}

#[tokio::test]
async fn table_exists_is_true_through_retryable_faults() {
    let s = setup();
    create_directly::<User>(&s).await;
    for fault in [
        Fault::Throttling,
        Fault::LimitExceeded,
        Fault::InternalServerError,
        Fault::DropConnection,
        Fault::Slow(Duration::from_millis(50)),
    ] {
        let before = s.proxy.requests("DescribeTable");
        s.proxy
            .add(Rule::new(fault.clone()).on("DescribeTable").times(3));
        assert!(
            s.db.table::<User>()
                .exists()
                .await
                .unwrap_or_else(|e| panic!("{fault:?}: {e}")),
            "false through {fault:?}"
        );
        let attempts = s.proxy.requests("DescribeTable") - before;
        // One attempt per retryable fault plus the one answered; a slow
        // answer is just waited for.
        let expected = if matches!(fault, Fault::Slow(_)) {
            1
        } else {
            4
        };
        assert_eq!(attempts, expected, "{fault:?}");
        s.proxy.clear();
    }
}

#[tokio::test]
async fn table_exists_is_an_error_never_false_when_faults_persist() {
    let s = setup();
    create_directly::<User>(&s).await;
    // `Db::local`'s settings (8 attempts, backoff from 20 ms), with a retry
    // quota of its own: these failures spend about 250 tokens of it.
    let db = Db::new(Client::from_conf(isolated_config(&s.proxy).build()));
    let start = Instant::now();
    // On a table that exists (`users`) or not (`sessions`), a fault that does
    // not go away is an error, never `Ok(false)`. (Each retryable fault costs
    // 8 attempts and about 1.3 s of backoff, so it runs once.)
    let cases = [
        (Fault::AccessDenied, true),
        (Fault::AccessDenied, false),
        (Fault::Validation, true),
        (Fault::Validation, false),
        (Fault::Throttling, true),
        (Fault::InternalServerError, false),
        (Fault::DropConnection, true),
        (Fault::LimitExceeded, false),
    ];
    for (fault, on_existing_table) in cases {
        s.proxy
            .add(Rule::new(fault.clone()).on("DescribeTable").always());
        let before = s.proxy.requests("DescribeTable");
        let (answer, name) = if on_existing_table {
            (db.table::<User>().exists().await, "users")
        } else {
            (db.table::<Session>().exists().await, "sessions")
        };
        let attempts = s.proxy.requests("DescribeTable") - before;
        let err = answer.expect_err(&format!("{fault:?} on `{name}` must be an error"));
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
        assert_eq!(err.table(), Some(name));
        let retryable = !matches!(fault, Fault::AccessDenied | Fault::Validation);
        let expected = if retryable {
            dynamo_model::DEFAULT_MAX_ATTEMPTS
        } else {
            1
        };
        assert_eq!(attempts, expected, "{fault:?}");
        s.proxy.clear();
    }
    // Only the server's own "not found" is `false`.
    assert!(!db.table::<Session>().exists().await.unwrap());
    assert!(db.table::<User>().exists().await.unwrap());
    // Four retryable faults, 8 attempts each with backoff from 20 ms up to
    // at most 2.5 s in all.
    assert!(
        start.elapsed() < Duration::from_secs(12),
        "took {:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn a_fixture_rides_out_limit_exceeded_within_its_concurrency_cap() {
    let s = setup();
    // Creates overlap (each is held up 150 ms) but never more than two at once,
    // and the first three get LimitExceededException.
    s.proxy
        .add(Rule::new(Fault::LimitExceeded).on("CreateTable").times(3));
    s.proxy.add(
        Rule::new(Fault::Slow(Duration::from_millis(150)))
            .on("CreateTable")
            .always(),
    );
    s.proxy
        .add(Rule::new(Fault::LimitExceeded).on("DeleteTable").times(2));
    let tables = TestTables::new(&s.db)
        .with::<User>()
        .with::<Order>()
        .with::<Session>()
        .concurrency(2)
        .create()
        .await
        .unwrap();
    assert!(tables.db().table::<User>().exists().await.unwrap());
    assert!(tables.db().table::<Order>().exists().await.unwrap());
    assert!(tables.db().table::<Session>().exists().await.unwrap());
    assert_eq!(
        s.proxy.faults("CreateTable"),
        3 + 3,
        "three refused, three slowed"
    );
    assert_eq!(s.proxy.requests("CreateTable"), 6);
    assert_eq!(
        s.proxy.max_in_flight("CreateTable"),
        2,
        "the cap, and reached"
    );

    let prefix = tables.prefix().to_owned();
    drop(tables);
    assert_eq!(s.proxy.requests("DeleteTable"), 3 + 2);
    let left = s.backend.db().list_tables(Some(&prefix)).await.unwrap();
    assert!(left.is_empty(), "left behind: {left:?}");
}

/// Every failure reads as one sentence: no Debug dump of the SDK's types.
#[tokio::test]
async fn failures_read_as_sentences_not_debug_dumps() {
    let s = setup();
    s.proxy.add(Rule::new(Fault::Html).always());
    let err = s.db.table::<User>().exists().await.unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("the server answered HTTP 200 with `text/html` instead of DynamoDB JSON"),
        "{text}"
    );
    for dump in [
        "Unhandled",
        "ErrorMetadata",
        "SdkBody",
        "Response {",
        "{ source",
    ] {
        assert!(!text.contains(dump), "{dump} in {text}");
    }
    // The SDK's error stays at hand; a report walking the sources does
    // not print the message's causes a second time.
    assert!(err.sdk_error().is_some(), "the SDK error stays at hand");
    assert!(std::error::Error::source(&err).is_none());
}

/// A TTL attribute change is two UpdateTimeToLive calls (off, then on for the
/// new attribute); AWS refuses the second within the hour. The error says so,
/// and that TTL is off now; a new plan then turns it on.
#[tokio::test]
async fn a_refused_ttl_attribute_change_says_ttl_is_off_now() {
    let s = setup();
    let schema = |ttl: &str| {
        dynamo_model::TableSchema::builder("ttl_moves")
            .hash_key("id", dynamo_model::AttributeType::S)
            .ttl(ttl)
            .build()
            .unwrap()
    };
    let (old, new) = (schema("expires_at"), schema("valid_until"));
    s.db.table_for_schema(&old)
        .create(CreateTableOptions::new().wait(true))
        .await
        .unwrap();
    let table = s.db.table_for_schema(&new);
    let plan = table.plan(&CreateTableOptions::new()).await.unwrap();
    assert_eq!(
        plan.changes()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["~ TTL: expires_at -> valid_until"]
    );
    s.proxy.add(
        Rule::new(Fault::TtlChangedTooOften)
            .on("UpdateTimeToLive")
            .after(1),
    );
    let err = table
        .apply(&plan)
        .allow_destructive(true)
        .await
        .unwrap_err();
    let Error::TtlNotEnabled { attribute, .. } = &err else {
        panic!("expected TtlNotEnabled, got {err:?}");
    };
    assert_eq!(attribute, "valid_until");
    let text = err.to_string();
    for part in [
        "TTL on `expires_at` was turned off first and is off now",
        "one TTL change per table an hour",
    ] {
        assert!(text.contains(part), "{part:?} missing from {text}");
    }
    assert_eq!(s.proxy.faults("UpdateTimeToLive"), 1);

    let again = table.plan(&CreateTableOptions::new()).await.unwrap();
    assert_eq!(
        again
            .changes()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["~ TTL: off -> valid_until"]
    );
    let done = table.apply(&again).await.unwrap();
    assert!(done.is_complete(), "{done:?}");
    assert!(table
        .plan(&CreateTableOptions::new())
        .await
        .unwrap()
        .is_empty());
}

/// An encryption update leaves the table ACTIVE with its SSE status UPDATING;
/// apply waits for it to settle before its next change, saying so.
#[tokio::test]
async fn apply_waits_for_an_encryption_update_to_settle() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    let s = setup();
    let table = s.db.table::<Session>();
    table
        .create(CreateTableOptions::new().wait(true))
        .await
        .unwrap();
    let options = CreateTableOptions::new().stream(dynamo_model::StreamView::KeysOnly);
    let plan = table.plan(&options).await.unwrap();
    assert_eq!(plan.changes().len(), 1, "{plan}");

    s.proxy.rewrite_sse_status("UPDATING");
    let cleared = AtomicBool::new(false);
    let statuses = Arc::new(Mutex::new(Vec::new()));
    let log = statuses.clone();
    let apply = async {
        let done = table
            .apply(&plan)
            .on_progress(move |p| {
                if let dynamo_model::plan::Progress::Waiting { status, .. } = p {
                    log.lock().unwrap().push(status.to_string());
                }
            })
            .await;
        (done, cleared.load(Ordering::SeqCst))
    };
    let settle = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        cleared.store(true, Ordering::SeqCst);
        s.proxy.clear();
    };
    let ((done, after_settling), ()) = tokio::join!(apply, settle);
    assert!(done.unwrap().is_complete());
    assert!(
        after_settling,
        "the apply finished while encryption was UPDATING"
    );
    let statuses = statuses.lock().unwrap().clone();
    assert!(
        statuses
            .iter()
            .any(|s| s == "ACTIVE (encryption: UPDATING)"),
        "{statuses:?}"
    );
    assert!(table.plan(&options).await.unwrap().is_empty());
}

/// A shard iterator expires after 15 minutes: the reader gets another from
/// its checkpoint and goes on, losing no change and reading none twice.
#[tokio::test]
async fn an_expired_shard_iterator_is_renewed_and_no_change_is_lost() {
    use dynamo_model::{StartingPosition, StreamView};
    use futures_util::StreamExt;

    let s = setup();
    let tables = TestTables::new(&s.db)
        .options(CreateTableOptions::new().stream(StreamView::NewAndOldImages))
        .with::<User>()
        .create()
        .await
        .unwrap();
    let users = tables.table::<User>();
    let user = |n: u32| User {
        id: format!("u{n}"),
        email: format!("u{n}@example.com"),
    };
    for n in 0..10 {
        users.put(&user(n)).await.unwrap();
    }
    // The first GetRecords reads the ten; the next two find the iterator
    // expired.
    s.proxy.add(
        Rule::new(Fault::ExpiredIterator)
            .on("GetRecords")
            .after(1)
            .times(2),
    );
    let mut changes = std::pin::pin!(users.changes(StartingPosition::TrimHorizon));
    let mut read = Vec::new();
    for round in 0..2 {
        if round == 1 {
            for n in 10..15 {
                users.put(&user(n)).await.unwrap();
            }
        }
        while read.len() < 10 + 5 * round {
            let change = tokio::time::timeout(Duration::from_secs(30), changes.next())
                .await
                .expect("a change within 30 s")
                .expect("the stream goes on")
                .unwrap();
            read.push(change.new_image().unwrap().unwrap().id.clone());
        }
    }
    let expected: Vec<String> = (0..15).map(|n| format!("u{n}")).collect();
    assert_eq!(read, expected);
    assert_eq!(s.proxy.faults("GetRecords"), 2, "both expiries were met");
    assert!(
        tokio::time::timeout(Duration::from_secs(1), changes.next())
            .await
            .is_err(),
        "no change read twice"
    );
}
