//! Every refused setting is refused before any request: against an endpoint
//! where nothing listens, each call returns its validation error at once
//! (a request would have ended in a connection error after retries instead).

use std::time::{Duration, Instant};

use dynamo_model::{
    CreateTableOptions, Db, DynamoModel, Encryption, Error, StreamView, UpdateTableOptions,
};

#[derive(DynamoModel, serde::Serialize)]
#[dynamo(table = "orders")]
struct Order {
    #[hash_key]
    customer: String,
    #[range_key]
    id: u64,
    #[gsi(name = "by_status", hash_key)]
    status: String,
    #[lsi(name = "by_total")]
    total: u64,
}

fn nowhere() -> Db {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    Db::local(format!("http://127.0.0.1:{port}"))
}

fn expect_refusal(
    result: dynamo_model::Result<impl std::fmt::Debug>,
    option: &str,
    started: Instant,
) -> String {
    let elapsed = started.elapsed();
    match result {
        Err(Error::InvalidInput {
            option: o,
            reason,
            table,
        }) if o == option => {
            assert_eq!(table, "orders");
            assert!(
                elapsed < Duration::from_millis(500),
                "{option}: took {elapsed:?}, so something was sent"
            );
            reason
        }
        other => panic!("{option}: expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn create_table_settings() {
    let db = nowhere();
    let long_key = "k".repeat(129);
    let cases: Vec<(CreateTableOptions, &str, &str)> = vec![
        (
            CreateTableOptions::new().index_capacity("by_status", 1, 1),
            "index_capacity",
            "needs a provisioned table",
        ),
        // Regions were once checked after CreateTable, leaving a table behind.
        (
            CreateTableOptions::new().replicas(["not a region"]),
            "replicas",
            "not a region name",
        ),
        (
            CreateTableOptions::new().replicas([""]),
            "replicas",
            "not a region name",
        ),
        (
            CreateTableOptions::new().replicas(["eu-west-1", "eu-west-1"]),
            "replicas",
            "twice",
        ),
        (
            CreateTableOptions::new().replicas(["us-east-1"]),
            "replicas",
            "own region",
        ),
        (
            CreateTableOptions::new().provisioned(0, 1),
            "provisioned",
            "at least 1",
        ),
        (
            CreateTableOptions::new()
                .provisioned(1, 1)
                .index_capacity("by_status", 0, 1),
            "index_capacity",
            "at least 1",
        ),
        (
            CreateTableOptions::new()
                .provisioned(1, 1)
                .index_capacity("nope", 1, 1),
            "index_capacity",
            "no global secondary index `nope`",
        ),
        (
            CreateTableOptions::new()
                .provisioned(1, 1)
                .index_capacity("by_total", 1, 1),
            "index_capacity",
            "local secondary index",
        ),
        (
            CreateTableOptions::new()
                .provisioned(1, 1)
                .max_on_demand(5, 5),
            "max_on_demand",
            "on-demand tables only",
        ),
        (
            CreateTableOptions::new().max_on_demand(0, 5),
            "max_on_demand",
            "at least 1",
        ),
        (
            CreateTableOptions::new().encryption(Encryption::CustomerManaged {
                kms_key_id: String::new(),
            }),
            "encryption",
            "empty",
        ),
        (
            CreateTableOptions::new().encryption(Encryption::CustomerManaged {
                kms_key_id: "my key".into(),
            }),
            "encryption",
            "white space",
        ),
        (
            CreateTableOptions::new().tag(long_key.as_str(), "v"),
            "tag",
            "1 to 128",
        ),
        (
            CreateTableOptions::new().tag("aws:created-by", "v"),
            "tag",
            "reserved",
        ),
        (
            (0..51).fold(CreateTableOptions::new(), |o, i| {
                o.tag(format!("k{i}"), "v")
            }),
            "tag",
            "at most 50",
        ),
        (
            CreateTableOptions::new()
                .wait(true)
                .wait_timeout(Duration::ZERO),
            "wait_timeout",
            "zero",
        ),
        (
            CreateTableOptions::new()
                .replicas(["eu-west-1"])
                .stream(StreamView::KeysOnly),
            "replicas",
            "new and old images",
        ),
    ];
    for (options, option, needle) in cases {
        let started = Instant::now();
        let reason = expect_refusal(db.table::<Order>().create(options).await, option, started);
        assert!(reason.contains(needle), "{option}: {reason}");
    }
}

#[tokio::test]
async fn update_and_wait_settings() {
    let db = nowhere();
    let started = Instant::now();
    expect_refusal(
        db.table::<Order>()
            .update_table(UpdateTableOptions::new())
            .await,
        "update",
        started,
    );
    let started = Instant::now();
    expect_refusal(
        db.table::<Order>().wait_active(Duration::ZERO).await,
        "wait_timeout",
        started,
    );
    let started = Instant::now();
    expect_refusal(
        db.table::<Order>().add_replicas(&["moon-base-1"]).await,
        "replicas",
        started,
    );
}

#[tokio::test]
async fn a_prefix_that_makes_the_table_name_too_long() {
    let db = nowhere().with_table_prefix("p".repeat(250));
    let started = Instant::now();
    let result = db.table::<Order>().create(CreateTableOptions::new()).await;
    assert!(started.elapsed() < Duration::from_millis(500));
    match result {
        Err(Error::InvalidInput {
            option: "table_prefix",
            reason,
            ..
        }) => {
            assert!(reason.contains("is too long (256 characters)"), "{reason}")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// A malformed endpoint is an error on first use, never a panic, and nothing
/// is sent.
#[tokio::test]
async fn a_malformed_endpoint_is_an_error_not_a_panic() {
    for endpoint in ["", "not a url", "http://", "http://127.0.0.1:notaport"] {
        let db = Db::local(endpoint);
        let err = db.table::<Order>().exists().await.unwrap_err();
        let Error::EndpointRefused {
            endpoint: e,
            reason,
        } = &err
        else {
            panic!("{endpoint:?}: expected EndpointRefused, got {err:?}");
        };
        assert_eq!(e.as_deref(), Some(endpoint));
        assert!(!reason.is_empty());
        let err = db.list_tables(None).await.unwrap_err();
        assert!(matches!(err, Error::EndpointRefused { .. }), "{err}");
        let err = db
            .table::<Order>()
            .create(CreateTableOptions::new())
            .await
            .unwrap_err();
        assert!(matches!(err, Error::EndpointRefused { .. }), "{err}");
    }
}

/// A table name DynamoDB refuses is refused before any request, by name too
/// (`describe_table_named("")` once read `(ConstructionFailure(...`).
#[tokio::test]
async fn a_bad_table_name_is_refused_before_any_request() {
    let db = nowhere();
    for name in ["", "ab", "my table"] {
        let started = Instant::now();
        let err = db.table_named(name).describe().await.unwrap_err();
        assert!(
            matches!(
                &err,
                Error::InvalidInput {
                    option: "table name",
                    ..
                }
            ),
            "{name:?}: {err:?}"
        );
        assert!(err.to_string().contains("3 to 255 characters"), "{err}");
        assert!(started.elapsed() < Duration::from_millis(500));
    }
}
