//! Listing (all pages), updating tables, and replicas on the connection.

mod support;
use support::backend;
use support::models::Account;
use support::server;

use std::time::Duration;

use dynamo_model::aws_sdk_dynamodb::types::{BillingMode, StreamViewType};

use backend::{backend, lacks, supports, Backend, Feature};
use dynamo_model::AttributeType::S;
use dynamo_model::{CreateTableOptions, Db, Error, StreamView, TableSchema, UpdateTableOptions};

#[tokio::test]
async fn list_tables_follows_every_page_and_filters_by_prefix() {
    let (_scratch, db) = server::scratch_db().await;
    // ListTables answers at most 100 names a page.
    let names: Vec<String> = (0..130).map(|i| format!("listed_{i:03}")).collect();
    for name in &names {
        let schema = TableSchema::builder(name.clone())
            .hash_key("id", S)
            .build()
            .unwrap();
        db.table_for_schema(&schema)
            .create(CreateTableOptions::new())
            .await
            .unwrap();
    }
    let ours = db
        .list_tables(Some(&db.table_name("listed_")))
        .await
        .unwrap();
    assert_eq!(ours.len(), 130);
    assert_eq!(ours[0], db.table_name("listed_000"));
    assert_eq!(ours[129], db.table_name("listed_129"));
    let all = db.list_tables(None).await.unwrap();
    assert!(all.len() >= 130);
    assert!(db
        .list_tables(Some("no_such_prefix_"))
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn update_billing_and_capacity() {
    let (_scratch, db) = server::scratch_db().await;
    db.table::<Account>()
        .create(CreateTableOptions::new().wait(true))
        .await
        .unwrap();

    let table = db
        .table::<Account>()
        .update_table(
            UpdateTableOptions::new()
                .provisioned(5, 4)
                .index_capacity("by_email", 2, 1)
                .wait(true),
        )
        .await
        .unwrap();
    let capacity = table.provisioned_throughput().unwrap();
    assert_eq!(
        (
            capacity.read_capacity_units(),
            capacity.write_capacity_units()
        ),
        (Some(5), Some(4))
    );
    assert_gsi_capacity(&table, (2, 1));
    let billing = table
        .billing_mode_summary()
        .and_then(|b| b.billing_mode())
        .cloned();
    assert!(
        billing.is_none() || billing == Some(BillingMode::Provisioned),
        "{billing:?}"
    );

    let table = db
        .table::<Account>()
        .update_table(
            UpdateTableOptions::new()
                .index_capacity("by_email", 3, 3)
                .wait(true),
        )
        .await
        .unwrap();
    assert_gsi_capacity(&table, (3, 3));

    let table = db
        .table::<Account>()
        .update_table(UpdateTableOptions::new().on_demand().wait(true))
        .await
        .unwrap();
    assert_eq!(
        table.billing_mode_summary().and_then(|b| b.billing_mode()),
        Some(&BillingMode::PayPerRequest)
    );
}

#[tokio::test]
async fn update_stream_and_deletion_protection() {
    let (_scratch, db) = server::scratch_db().await;
    db.table::<Account>()
        .create(CreateTableOptions::new().wait(true))
        .await
        .unwrap();

    if supports(Feature::Streams) {
        let table = db
            .table::<Account>()
            .update_table(
                UpdateTableOptions::new()
                    .stream(StreamView::NewImage)
                    .wait(true),
            )
            .await
            .unwrap();
        let stream = table.stream_specification().unwrap();
        assert!(stream.stream_enabled());
        assert_eq!(stream.stream_view_type(), Some(&StreamViewType::NewImage));
        let table = db
            .table_named("accounts")
            .update_table(UpdateTableOptions::new().disable_stream().wait(true))
            .await
            .unwrap();
        assert!(!table
            .stream_specification()
            .is_some_and(|s| s.stream_enabled()));
    } else {
        lacks(Feature::Streams, "that the table takes other updates");
    }

    if supports(Feature::DeletionProtection) {
        let table = db
            .table::<Account>()
            .update_table(
                UpdateTableOptions::new()
                    .deletion_protection(true)
                    .wait(true),
            )
            .await
            .unwrap();
        assert_eq!(table.deletion_protection_enabled(), Some(true));
        assert!(matches!(
            db.table::<Account>().delete_table().await,
            Err(Error::DeletionProtected { .. })
        ));
        assert!(
            db.table::<Account>().exists().await.unwrap(),
            "the table stays"
        );
        let table = db
            .table_named("accounts")
            .update_table(
                UpdateTableOptions::new()
                    .deletion_protection(false)
                    .wait(true),
            )
            .await
            .unwrap();
        assert_eq!(table.deletion_protection_enabled(), Some(false));
    } else {
        lacks(Feature::DeletionProtection, "that the table can be deleted");
    }
    db.table::<Account>()
        .delete_table_and_wait(Duration::from_secs(60))
        .await
        .unwrap();
}

/// The GSI's capacity after an update, where the backend applies GSI
/// capacity updates (the request itself is pinned by `update.rs`'s tests).
fn assert_gsi_capacity(
    table: &dynamo_model::aws_sdk_dynamodb::types::TableDescription,
    expected: (i64, i64),
) {
    if !supports(Feature::IndexCapacityUpdates) {
        lacks(Feature::IndexCapacityUpdates, "the table's capacity");
        return;
    }
    let gsi = table.global_secondary_indexes()[0]
        .provisioned_throughput()
        .unwrap();
    assert_eq!(
        (
            gsi.read_capacity_units().unwrap_or(0),
            gsi.write_capacity_units().unwrap_or(0)
        ),
        expected
    );
}

#[tokio::test]
async fn update_validation_comes_before_any_request() {
    let db = Db::local("http://127.0.0.1:9");
    for (options, option) in [
        (UpdateTableOptions::new(), "update"),
        (UpdateTableOptions::new().provisioned(0, 1), "provisioned"),
        (
            UpdateTableOptions::new()
                .on_demand()
                .index_capacity("by_email", 1, 1),
            "index_capacity",
        ),
    ] {
        let err = db
            .table::<Account>()
            .update_table(options)
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::InvalidInput { option: o, .. } if *o == option),
            "{err}"
        );
    }
    let (_scratch, db) = server::scratch_db().await;
    db.table::<Account>()
        .create(CreateTableOptions::new().provisioned(1, 1).wait(true))
        .await
        .unwrap();
    let err = db
        .table::<Account>()
        .update_table(UpdateTableOptions::new().index_capacity("by_nothing", 1, 1))
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("no global secondary index `by_nothing`"),
        "{err}"
    );
}

#[tokio::test]
async fn replicas_are_checked_first_and_an_emulator_without_them_says_so() {
    let db = Db::local("http://127.0.0.1:9");
    let err = db
        .table::<Account>()
        .create(
            CreateTableOptions::new()
                .replicas(["eu-west-1"])
                .stream(StreamView::KeysOnly),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidInput {
                option: "replicas",
                ..
            }
        ),
        "{err}"
    );
    let err = db
        .table::<Account>()
        .add_replicas(&["not a region"])
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidInput {
                option: "replicas",
                ..
            }
        ),
        "{err}"
    );
    let err = db
        .table::<Account>()
        .add_replicas(&["us-east-1"])
        .await
        .unwrap_err();
    assert!(err.to_string().contains("own region"), "{err}");

    if supports(Feature::Replicas) {
        let (_scratch, db) = server::scratch_db().await;
        db.table::<Account>()
            .create(CreateTableOptions::new().wait(true))
            .await
            .unwrap();
        let table = db
            .table::<Account>()
            .add_replicas(&["eu-west-1"])
            .await
            .unwrap();
        assert_eq!(table.replicas().len(), 1);
        return;
    }
    if backend() == Backend::Moto {
        // moto accepts ReplicaUpdates and never lists the replica: the wait
        // for it would run to its timeout.
        lacks(Feature::Replicas, "the validation of regions only");
        return;
    }
    // The others refuse ReplicaUpdates (or, dynalite, the stream update
    // before it): add_replicas must fail loudly, not report success.
    let (_scratch, db) = server::scratch_db().await;
    db.table::<Account>()
        .create(CreateTableOptions::new().wait(true))
        .await
        .unwrap();
    let err = db
        .table::<Account>()
        .add_replicas(&["eu-west-1"])
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Sdk {
                operation: "UpdateTable",
                ..
            }
        ),
        "{err}"
    );
    lacks(
        Feature::Replicas,
        "that add_replicas returns the server's refusal",
    );
    if supports(Feature::Streams) {
        // The stream replication needs was turned on before the refusal.
        let table = db.table::<Account>().describe().await.unwrap();
        let stream = table.stream_specification().unwrap();
        assert_eq!(
            stream.stream_view_type(),
            Some(&StreamViewType::NewAndOldImages)
        );
    }
}

#[tokio::test]
async fn waiting_named_tables_uses_the_prefix() {
    let (_scratch, db) = server::scratch_db().await;
    db.table::<Account>()
        .create(CreateTableOptions::new())
        .await
        .unwrap();
    let table = db
        .table_named("accounts")
        .wait_active(Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(table.table_name(), Some(db.table_name("accounts").as_str()));
}

/// URL schemes are case-insensitive: `HTTP://` reaches the server as
/// `http://` does.
#[tokio::test]
async fn an_upper_case_scheme_is_the_same_endpoint() {
    let local = dynamo_model::testing::LocalDynamoDb::start().await.unwrap();
    let endpoint = local.endpoint().to_owned();
    let Some(rest) = endpoint.strip_prefix("http://") else {
        return; // an https endpoint from the environment: nothing to rewrite
    };
    let shouted = Db::local(format!("HTTP://{rest}"));
    assert!(!shouted.table_named("no_such_table").exists().await.unwrap());
}
