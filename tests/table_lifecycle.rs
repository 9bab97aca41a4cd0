//! The table lifecycle on a real server (the embedded backend unless
//! `DYNAMO_MODEL_BACKEND` or `DYNAMODB_ENDPOINT` names another): what
//! CreateTable builds from a model, as DescribeTable reports it, and how
//! exists/wait/delete behave. Where the backend lacks a feature, the test
//! prints a `note:` and checks what the backend does instead.

mod support;
use support::backend;
use support::server;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use dynamo_model::aws_sdk_dynamodb::types::{
    BillingMode, KeySchemaElement, ProjectionType, TableStatus, TimeToLiveStatus,
};
use dynamo_model::{CreateTableOptions, Db, DynamoModel, Error};
use serde::{Deserialize, Serialize};

use backend::{lacks, supports, Feature};

#[derive(DynamoModel, Serialize, Deserialize)]
#[dynamo(table = "orders")]
#[serde(rename_all = "camelCase")]
struct Order {
    #[hash_key]
    customer_id: String,
    #[range_key]
    order_id: u64,
    #[gsi(name = "by_status", hash_key)]
    status: String,
    #[gsi(name = "by_status", range_key)]
    #[lsi(name = "by_created", projection = "keys_only")]
    created_at: i64,
    #[gsi(name = "by_coupon", hash_key, include = ["total"])]
    #[serde(skip_serializing_if = "Option::is_none")]
    coupon: Option<String>,
    #[ttl]
    expires_at: Option<i64>,
    total: f64,
}

#[derive(DynamoModel, Serialize, Deserialize)]
struct UserProfile {
    #[hash_key]
    #[serde(rename = "pk")]
    id: String,
}

/// A model with a multi-attribute GSI key (two partition, two sort attributes).
#[derive(DynamoModel, Serialize, Deserialize)]
#[dynamo(table = "tournament_matches")]
struct TournamentMatch {
    #[hash_key]
    match_id: String,
    #[gsi(name = "by_region_round", hash_key)]
    tournament: String,
    #[gsi(name = "by_region_round", hash_key)]
    region: String,
    #[gsi(name = "by_region_round", range_key)]
    round: u32,
    #[gsi(name = "by_region_round", range_key)]
    bracket: String,
}

fn keys(schema: &[KeySchemaElement]) -> Vec<(String, String)> {
    schema
        .iter()
        .map(|k| {
            (
                k.attribute_name().to_owned(),
                k.key_type().as_str().to_owned(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[tokio::test]
async fn describe_table_reports_what_the_model_declares() {
    let (_scratch, db) = server::scratch_db().await;
    let created = if supports(Feature::Ttl) {
        db.table::<Order>()
            .create(CreateTableOptions::new().wait(true))
            .await
            .unwrap()
    } else {
        // The table is made and ACTIVE; only turning TTL on fails, and says so.
        let err = db
            .table::<Order>()
            .create(CreateTableOptions::new().wait(true))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::TtlNotEnabled { table, attribute, .. }
                if *table == db.table_name("orders") && attribute == "expiresAt"),
            "{err:?}"
        );
        // One sentence: the server's code, not the SDK's Debug dump (dynalite
        // once gave `Error { code: "UnknownOperationException", ... (Unhandled(...`).
        let text = err.to_string();
        assert!(text.contains("is ACTIVE, but enabling TTL"), "{text}");
        for dump in ["Unhandled", "aws_request_id", "ErrorMetadata"] {
            assert!(!text.contains(dump), "{dump} in {text}");
        }
        db.table::<Order>().describe().await.unwrap()
    };
    assert_eq!(created.table_status(), Some(&TableStatus::Active));

    let table = db.table::<Order>().describe().await.unwrap();
    assert_eq!(table.table_name(), Some(db.table_name("orders").as_str()));
    assert_eq!(
        keys(table.key_schema()),
        pairs(&[("customerId", "HASH"), ("orderId", "RANGE")])
    );

    let definitions: BTreeMap<&str, &str> = table
        .attribute_definitions()
        .iter()
        .map(|d| (d.attribute_name(), d.attribute_type().as_str()))
        .collect();
    let expected: BTreeMap<&str, &str> = [
        ("customerId", "S"),
        ("orderId", "N"),
        ("status", "S"),
        ("createdAt", "N"),
        ("coupon", "S"),
    ]
    .into();
    assert_eq!(definitions, expected, "only key attributes, each once");

    let billing = table.billing_mode_summary().and_then(|b| b.billing_mode());
    assert_eq!(billing, Some(&BillingMode::PayPerRequest));

    let gsis: BTreeMap<&str, _> = table
        .global_secondary_indexes()
        .iter()
        .map(|g| (g.index_name().unwrap(), g))
        .collect();
    assert_eq!(gsis.len(), 2);
    let by_status = gsis["by_status"];
    assert_eq!(
        keys(by_status.key_schema()),
        pairs(&[("status", "HASH"), ("createdAt", "RANGE")])
    );
    assert_eq!(
        by_status.projection().unwrap().projection_type(),
        Some(&ProjectionType::All)
    );
    let by_coupon = gsis["by_coupon"];
    assert_eq!(keys(by_coupon.key_schema()), pairs(&[("coupon", "HASH")]));
    let projection = by_coupon.projection().unwrap();
    assert_eq!(projection.projection_type(), Some(&ProjectionType::Include));
    assert_eq!(projection.non_key_attributes(), ["total"]);

    let lsis = table.local_secondary_indexes();
    assert_eq!(lsis.len(), 1);
    assert_eq!(lsis[0].index_name(), Some("by_created"));
    assert_eq!(
        keys(lsis[0].key_schema()),
        pairs(&[("customerId", "HASH"), ("createdAt", "RANGE")])
    );
    assert_eq!(
        lsis[0].projection().unwrap().projection_type(),
        Some(&ProjectionType::KeysOnly)
    );

    let ttl = db
        .client()
        .describe_time_to_live()
        .table_name(db.table_name("orders"))
        .send()
        .await
        .unwrap();
    let ttl = ttl.time_to_live_description().unwrap();
    if supports(Feature::Ttl) {
        assert_eq!(ttl.attribute_name(), Some("expiresAt"));
        assert!(matches!(
            ttl.time_to_live_status(),
            Some(TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling)
        ));
    } else {
        assert_eq!(ttl.time_to_live_status(), Some(&TimeToLiveStatus::Disabled));
        lacks(
            Feature::Ttl,
            "that the create fails with TtlNotEnabled(expiresAt) leaving an ACTIVE table with the \
             model's keys, attributes, GSIs and LSI, and that DescribeTimeToLive says DISABLED",
        );
    }
}

#[tokio::test]
async fn multi_attribute_gsi_keys_keep_field_order() {
    let (_scratch, db) = server::scratch_db().await;
    if !supports(Feature::MultiAttributeGsiKeys) {
        let err = db
            .table::<TournamentMatch>()
            .create(CreateTableOptions::new().wait(true))
            .await
            .unwrap_err();
        assert!(
            matches!(
                &err,
                Error::Sdk {
                    operation: "CreateTable",
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains("ValidationException"), "{err}");
        assert!(
            !db.table::<TournamentMatch>().exists().await.unwrap(),
            "a refused create leaves no table"
        );
        lacks(
            Feature::MultiAttributeGsiKeys,
            "that CreateTable with a 2+2-attribute GSI key is refused with a ValidationException \
             and leaves no table",
        );
        return;
    }
    db.table::<TournamentMatch>()
        .create(CreateTableOptions::new().wait(true))
        .await
        .unwrap();
    let table = db.table::<TournamentMatch>().describe().await.unwrap();
    let gsi = &table.global_secondary_indexes()[0];
    assert_eq!(
        keys(gsi.key_schema()),
        pairs(&[
            ("tournament", "HASH"),
            ("region", "HASH"),
            ("round", "RANGE"),
            ("bracket", "RANGE")
        ])
    );
}

#[tokio::test]
async fn exists_before_and_after_create_and_delete() {
    let (_scratch, db) = server::scratch_db().await;
    assert!(!db.table::<UserProfile>().exists().await.unwrap());
    db.table::<UserProfile>()
        .create(CreateTableOptions::new())
        .await
        .unwrap();
    assert!(db.table::<UserProfile>().exists().await.unwrap());
    db.table::<UserProfile>()
        .wait_active(Duration::from_secs(30))
        .await
        .unwrap();
    db.table::<UserProfile>().delete_table().await.unwrap();
    db.table::<UserProfile>()
        .wait_deleted(Duration::from_secs(30))
        .await
        .unwrap();
    assert!(!db.table::<UserProfile>().exists().await.unwrap());
}

/// `on_wait` sees each status the create polls through, never the last
/// (ACTIVE) one, with a wait that only grows.
#[tokio::test]
async fn on_wait_reports_each_status_the_create_waits_through() {
    let (_scratch, db) = server::scratch_db().await;
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    let created = db
        .table::<UserProfile>()
        .create(
            CreateTableOptions::new()
                .wait(true)
                .on_wait(move |status, waited| {
                    log.lock().unwrap().push((status.to_owned(), waited))
                }),
        )
        .await
        .unwrap();
    assert_eq!(created.table_status(), Some(&TableStatus::Active));
    let seen = seen.lock().unwrap().clone();
    assert!(
        seen.iter().all(|(status, _)| status != "ACTIVE"),
        "{seen:?}"
    );
    assert!(seen.windows(2).all(|w| w[0].1 <= w[1].1), "{seen:?}");
    if supports(Feature::InstantCreate) {
        // The first DescribeTable already says ACTIVE: nothing to report.
        assert!(seen.is_empty(), "{seen:?}");
    } else {
        assert!(
            seen.iter()
                .any(|(status, _)| status.starts_with("CREATING")),
            "{seen:?}"
        );
    }
}

#[tokio::test]
async fn creating_an_existing_table_is_an_error_unless_if_not_exists() {
    let (_scratch, db) = server::scratch_db().await;
    db.table::<UserProfile>()
        .create(CreateTableOptions::new().wait(true))
        .await
        .unwrap();
    let err = db
        .table::<UserProfile>()
        .create(CreateTableOptions::new())
        .await
        .unwrap_err();
    assert!(err.is_table_already_exists(), "{err}");
    assert_eq!(
        err.to_string(),
        format!("table `{}` already exists", db.table_name("user_profile"))
    );

    let table = db
        .table::<UserProfile>()
        .create(CreateTableOptions::new().if_not_exists(true).wait(true))
        .await
        .unwrap();
    assert_eq!(table.table_status(), Some(&TableStatus::Active));
    // A model with TTL: enabling TTL again on an existing table is not an error.
    if supports(Feature::Ttl) {
        db.table::<Order>()
            .create(CreateTableOptions::new().wait(true))
            .await
            .unwrap();
        db.table::<Order>()
            .create(CreateTableOptions::new().if_not_exists(true))
            .await
            .unwrap();
    } else {
        let no_ttl = || CreateTableOptions::new().enable_ttl(false);
        db.table::<Order>()
            .create(no_ttl().wait(true))
            .await
            .unwrap();
        let err = db.table::<Order>().create(no_ttl()).await.unwrap_err();
        assert!(err.is_table_already_exists(), "{err}");
        let table = db
            .table::<Order>()
            .create(no_ttl().if_not_exists(true))
            .await
            .unwrap();
        assert_eq!(table.table_name(), Some(db.table_name("orders").as_str()));
        lacks(
            Feature::Ttl,
            "that a #[ttl] model with enable_ttl(false) is created, refused a second time, \
             and accepted with if_not_exists",
        );
    }
}

#[tokio::test]
async fn deleting_a_missing_table_names_it() {
    let (_scratch, db) = server::scratch_db().await;
    let err = db.table::<UserProfile>().delete_table().await.unwrap_err();
    assert!(err.is_table_not_found(), "{err}");
    assert_eq!(
        err.to_string(),
        format!("table `{}` was not found", db.table_name("user_profile"))
    );
}

#[tokio::test]
async fn waiting_for_a_missing_table_times_out_with_its_last_status() {
    let (_scratch, db) = server::scratch_db().await;
    let started = Instant::now();
    let err = db
        .table::<UserProfile>()
        .wait_active(Duration::from_millis(300))
        .await
        .unwrap_err();
    match &err {
        Error::WaitTimeout {
            table,
            last_status,
            target,
            ..
        } => {
            assert_eq!(*table, db.table_name("user_profile"));
            assert_eq!(last_status, "not found");
            assert_eq!(*target, "ACTIVE");
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the wait stops near its timeout"
    );
    let zero = db
        .table::<UserProfile>()
        .wait_active(Duration::ZERO)
        .await
        .unwrap_err();
    assert!(
        matches!(
            zero,
            Error::InvalidInput {
                option: "wait_timeout",
                ..
            }
        ),
        "{zero}"
    );
}

/// An endpoint nobody listens on: the failure is an error, never "no table".
#[tokio::test]
async fn table_exists_does_not_mistake_a_network_error_for_not_found() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let db = Db::local(format!("http://127.0.0.1:{port}"));
    let err = db.table::<UserProfile>().exists().await.unwrap_err();
    match &err {
        Error::Sdk {
            table, operation, ..
        } => {
            assert_eq!(table.as_deref(), Some("user_profile"));
            assert_eq!(*operation, "DescribeTable");
        }
        other => panic!("expected a transport error, got {other:?}"),
    }
    let text = err.to_string();
    assert!(text.contains("connection refused"), "{text}");
    for dump in ["DispatchFailure", "ConnectorError", "{ source"] {
        assert!(!text.contains(dump), "{dump} in {text}");
    }
    // The causes are in the message once; the SDK's error is at hand.
    assert!(err.sdk_error().is_some());
    assert!(std::error::Error::source(&err).is_none());
    let err = db.table::<UserProfile>().delete_table().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Sdk {
                operation: "DeleteTable",
                ..
            }
        ),
        "{err}"
    );
}

/// Bad options are refused before anything is sent: against an endpoint that
/// accepts no connection, the error is the validation error.
#[tokio::test]
async fn invalid_options_are_refused_before_any_request() {
    let db = Db::local("http://127.0.0.1:9");
    let err = db
        .table::<Order>()
        .create(CreateTableOptions::new().index_capacity("by_status", 1, 1))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidInput {
                option: "index_capacity",
                ..
            }
        ),
        "{err}"
    );
}

/// The model-level API runs on the connection the options name.
#[tokio::test]
async fn model_level_create_uses_the_options_connection() {
    let (_scratch, db) = server::scratch_db().await;
    let table = UserProfile::create_table(CreateTableOptions::new().wait(true).db(&db))
        .await
        .unwrap();
    assert_eq!(
        table.table_name(),
        Some(db.table_name("user_profile").as_str())
    );
    assert!(db.table::<UserProfile>().exists().await.unwrap());
}

/// Creating over a table that is still being deleted: with a wait, it waits
/// for the deletion and creates; without one, it is `TableBeingDeleted`,
/// never `Ok` for a table about to vanish (dynalite with a delete delay once
/// gave `Ok` with status DELETING for `if_not_exists`).
#[tokio::test]
async fn creating_over_a_deleting_table_waits_or_says_so() {
    let (_scratch, db) = server::scratch_db().await;
    let profiles = db.table::<UserProfile>();
    for if_not_exists in [false, true] {
        profiles
            .create(CreateTableOptions::new().wait(true))
            .await
            .unwrap();
        profiles.delete_table().await.unwrap();
        let outcome = profiles
            .create(CreateTableOptions::new().if_not_exists(if_not_exists))
            .await;
        if supports(Feature::InstantDelete) {
            // Gone at once: the create simply succeeds.
            outcome.unwrap();
        } else {
            let err = outcome.unwrap_err();
            assert!(
                matches!(&err, Error::TableBeingDeleted { table } if *table == db.table_name("user_profile")),
                "{err:?}"
            );
            let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
            let log = seen.clone();
            let table = profiles
                .create(
                    CreateTableOptions::new()
                        .if_not_exists(if_not_exists)
                        .wait(true)
                        .wait_timeout(Duration::from_secs(60))
                        .on_wait(move |status, waited| {
                            log.lock().unwrap().push((status.to_owned(), waited))
                        }),
                )
                .await
                .unwrap();
            assert_eq!(table.table_status(), Some(&TableStatus::Active));
            // The wait for the deletion is reported before the wait for
            // ACTIVE, and the time waited runs on through both.
            let seen = seen.lock().unwrap().clone();
            let earlier =
                |(s, _): &(String, Duration)| s.ends_with("(an earlier table of this name)");
            let deleting = seen.iter().take_while(|r| earlier(r)).count();
            assert!(seen[deleting..].iter().all(|r| !earlier(r)), "{seen:?}");
            assert!(seen.windows(2).all(|w| w[0].1 <= w[1].1), "{seen:?}");
            if deleting == 0 {
                // Only if the earlier table was gone by the first poll, 500 ms
                // after dynalite began deleting it.
                println!(
                    "note: the earlier table was gone before the create's first poll; checked the order of the reports instead"
                );
            } else {
                assert_eq!(seen[0].0, "DELETING (an earlier table of this name)");
            }
        }
        assert!(profiles.exists().await.unwrap());
        profiles
            .delete_table_and_wait(Duration::from_secs(60))
            .await
            .unwrap();
    }
    if supports(Feature::InstantDelete) {
        println!(
            "note: {} has no DELETING phase; checked that a create right after a delete succeeds instead",
            backend::backend()
        );
    }
}

/// Every option that takes a `Duration` takes `Duration::MAX` ("as long as
/// it takes") without overflowing: create with a wait, the explicit waits,
/// an update that waits, a plan's apply, delete and wait, and a connection's
/// timeouts.
#[tokio::test]
async fn every_duration_option_takes_duration_max() {
    let (_scratch, db) = server::scratch_db().await;
    let db = db.with_timeouts(Duration::MAX, Duration::MAX);
    let users = db.table::<UserProfile>();
    users
        .create(
            CreateTableOptions::new()
                .wait(true)
                .wait_timeout(Duration::MAX),
        )
        .await
        .unwrap();
    users.wait_active(Duration::MAX).await.unwrap();
    if supports(Feature::DeletionProtection) {
        users
            .update_table(
                dynamo_model::UpdateTableOptions::new()
                    .deletion_protection(false)
                    .wait(true)
                    .wait_timeout(Duration::MAX),
            )
            .await
            .unwrap();
    } else {
        lacks(
            Feature::DeletionProtection,
            "the other Duration options (an update that waits has nothing to change)",
        );
    }
    let plan = users.plan(&CreateTableOptions::new()).await.unwrap();
    let applied = users
        .apply(&plan)
        .wait_timeout(Duration::MAX)
        .await
        .unwrap();
    assert!(applied.is_complete());
    users.delete_table_and_wait(Duration::MAX).await.unwrap();
    assert!(!users.exists().await.unwrap());
}
