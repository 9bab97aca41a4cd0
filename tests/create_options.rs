//! Every CreateTable option, as DescribeTable and ListTagsOfResource report it
//! on a real server, plus `if_not_exists` under concurrency and safe deletion.
//! Where the backend lacks an option, the test prints a `note:` and checks
//! that the create still succeeds with the model's table.

mod support;
use support::backend;
use support::server;

use std::time::Duration;

use dynamo_model::aws_sdk_dynamodb::error::ProvideErrorMetadata;
use dynamo_model::aws_sdk_dynamodb::types::{
    BillingMode, SseStatus, SseType, StreamViewType, TableClass as SdkTableClass, TableDescription,
    TableStatus,
};
use dynamo_model::{
    CreateTableOptions, Db, DynamoModel, Encryption, Error, StreamView, TableClass,
};
use serde::Serialize;

use backend::{lacks, supports, Feature};

#[derive(DynamoModel, Serialize)]
#[dynamo(table = "accounts")]
struct Account {
    #[hash_key]
    id: String,
    #[gsi(name = "by_email", hash_key)]
    email: String,
    #[gsi(name = "by_plan", hash_key, read_capacity = 3, write_capacity = 2)]
    plan: String,
}

/// Same table name as `Account`, other keys and indexes.
#[derive(DynamoModel, Serialize)]
#[dynamo(table = "accounts")]
struct AccountV2 {
    #[hash_key]
    tenant: String,
    #[range_key]
    id: u64,
    #[gsi(name = "by_email", hash_key, projection = "keys_only")]
    email: String,
}

async fn create(db: &Db, options: CreateTableOptions) -> TableDescription {
    db.table::<Account>()
        .create(options.wait(true))
        .await
        .unwrap();
    db.table::<Account>().describe().await.unwrap()
}

/// What every create here gives, whatever the backend lacks: an ACTIVE table
/// of that name with the model's key and both GSIs.
fn assert_created(table: &TableDescription, name: &str) {
    assert_eq!(table.table_name(), Some(name));
    assert_eq!(table.table_status(), Some(&TableStatus::Active));
    let key: Vec<(&str, &str)> = table
        .key_schema()
        .iter()
        .map(|k| (k.attribute_name(), k.key_type().as_str()))
        .collect();
    assert_eq!(key, [("id", "HASH")]);
    let mut gsis: Vec<&str> = table
        .global_secondary_indexes()
        .iter()
        .filter_map(|g| g.index_name())
        .collect();
    gsis.sort();
    assert_eq!(gsis, ["by_email", "by_plan"]);
}

fn gsi_capacity(table: &TableDescription, name: &str) -> (Option<i64>, Option<i64>) {
    let gsi = table
        .global_secondary_indexes()
        .iter()
        .find(|g| g.index_name() == Some(name))
        .unwrap();
    let t = gsi.provisioned_throughput().unwrap();
    (t.read_capacity_units(), t.write_capacity_units())
}

#[tokio::test]
async fn provisioned_billing_with_index_capacity_from_option_model_and_table() {
    let (_scratch, db) = server::scratch_db().await;
    let table = create(
        &db,
        CreateTableOptions::new()
            .provisioned(5, 4)
            .index_capacity("by_email", 2, 1),
    )
    .await;
    let billing = table.billing_mode_summary().and_then(|b| b.billing_mode());
    assert!(
        billing.is_none() || billing == Some(&BillingMode::Provisioned),
        "{billing:?}"
    );
    let t = table.provisioned_throughput().unwrap();
    assert_eq!(
        (t.read_capacity_units(), t.write_capacity_units()),
        (Some(5), Some(4))
    );
    assert_eq!(
        gsi_capacity(&table, "by_email"),
        (Some(2), Some(1)),
        "from index_capacity"
    );
    assert_eq!(
        gsi_capacity(&table, "by_plan"),
        (Some(3), Some(2)),
        "from #[gsi(read_capacity, ...)]"
    );

    let (_scratch, db) = server::scratch_db().await;
    let table = create(&db, CreateTableOptions::new().provisioned(7, 6)).await;
    assert_eq!(
        gsi_capacity(&table, "by_email"),
        (Some(7), Some(6)),
        "the table's capacity"
    );
}

#[tokio::test]
async fn on_demand_maximum_throughput() {
    let (_scratch, db) = server::scratch_db().await;
    let table = create(
        &db,
        CreateTableOptions::new()
            .max_on_demand(100, 50)
            .index_max_on_demand("by_email", 10, 5),
    )
    .await;
    assert_eq!(
        table.billing_mode_summary().and_then(|b| b.billing_mode()),
        Some(&BillingMode::PayPerRequest)
    );
    assert_created(&table, &db.table_name("accounts"));
    if supports(Feature::OnDemandThroughput) || table.on_demand_throughput().is_some() {
        let max = table
            .on_demand_throughput()
            .expect("table OnDemandThroughput");
        assert_eq!(
            (max.max_read_request_units(), max.max_write_request_units()),
            (Some(100), Some(50))
        );
    } else {
        lacks(
            Feature::OnDemandThroughput,
            "that the create with maximums succeeds, PAY_PER_REQUEST, with the model's key and GSIs",
        );
    }
    let gsi = table
        .global_secondary_indexes()
        .iter()
        .find(|g| g.index_name() == Some("by_email"))
        .unwrap();
    // The request itself is checked by the unit test of request building.
    if supports(Feature::IndexOnDemandThroughput) || gsi.on_demand_throughput().is_some() {
        let max = gsi.on_demand_throughput().expect("GSI OnDemandThroughput");
        assert_eq!(
            (max.max_read_request_units(), max.max_write_request_units()),
            (Some(10), Some(5))
        );
    } else {
        lacks(
            Feature::IndexOnDemandThroughput,
            "that the GSI given a maximum exists and the create succeeded",
        );
    }
}

#[tokio::test]
async fn table_class() {
    let (_scratch, db) = server::scratch_db().await;
    let table = create(
        &db,
        CreateTableOptions::new().table_class(TableClass::StandardInfrequentAccess),
    )
    .await;
    let class = table.table_class_summary().and_then(|c| c.table_class());
    if supports(Feature::TableClass) || class.is_some() {
        assert_eq!(class, Some(&SdkTableClass::StandardInfrequentAccess));
    } else {
        assert_created(&table, &db.table_name("accounts"));
        lacks(
            Feature::TableClass,
            "that the create with STANDARD_INFREQUENT_ACCESS succeeds with the model's key and GSIs",
        );
    }
}

#[tokio::test]
async fn encryption_aws_managed_and_customer_managed() {
    let (_scratch, db) = server::scratch_db().await;
    let table = create(
        &db,
        CreateTableOptions::new().encryption(Encryption::AwsManaged),
    )
    .await;
    // Whether the backend reflected each setting; where it does not, the
    // create must still succeed with the model's table.
    let mut unreported = Vec::new();
    if supports(Feature::Sse) || table.sse_description().is_some() {
        let sse = table.sse_description().expect("SSEDescription");
        assert_eq!(sse.status(), Some(&SseStatus::Enabled));
        assert_eq!(sse.sse_type(), Some(&SseType::Kms));
    } else {
        assert_created(&table, &db.table_name("accounts"));
        unreported.push("AWS managed");
    }

    let key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let (_scratch, db) = server::scratch_db().await;
    let table = create(
        &db,
        CreateTableOptions::new().encryption(Encryption::CustomerManaged {
            kms_key_id: key.into(),
        }),
    )
    .await;
    if supports(Feature::Sse) || table.sse_description().is_some() {
        let sse = table.sse_description().expect("SSEDescription");
        assert_eq!(sse.sse_type(), Some(&SseType::Kms));
        assert_eq!(sse.kms_master_key_arn(), Some(key));
    } else {
        assert_created(&table, &db.table_name("accounts"));
        unreported.push("customer managed (KMS key ARN)");
    }

    let (_scratch, db) = server::scratch_db().await;
    let table = create(
        &db,
        CreateTableOptions::new().encryption(Encryption::AwsOwned),
    )
    .await;
    let owned = table
        .sse_description()
        .is_none_or(|sse| sse.sse_type().is_none());
    assert!(
        owned,
        "AWS owned keys report no KMS SSE: {:?}",
        table.sse_description()
    );
    assert_created(&table, &db.table_name("accounts"));
    if !unreported.is_empty() {
        lacks(
            Feature::Sse,
            &format!(
                "that creates with {} encryption succeed with the model's key and GSIs, \
                 and that AWS owned reports no KMS SSE",
                unreported.join(" and ")
            ),
        );
    }
}

#[tokio::test]
async fn tags() {
    let (_scratch, db) = server::scratch_db().await;
    let table = create(
        &db,
        CreateTableOptions::new()
            .tag("env", "test")
            .tag("team", "billing"),
    )
    .await;
    let listed = db
        .client()
        .list_tags_of_resource()
        .resource_arn(table.table_arn().unwrap())
        .send()
        .await;
    match listed {
        Ok(tags) if supports(Feature::Tags) || !tags.tags().is_empty() => {
            let mut tags: Vec<(&str, &str)> =
                tags.tags().iter().map(|t| (t.key(), t.value())).collect();
            tags.sort();
            assert_eq!(tags, [("env", "test"), ("team", "billing")]);
        }
        Ok(_) => {
            assert_created(&table, &db.table_name("accounts"));
            lacks(
                Feature::Tags,
                "that the create with two tags succeeds with the model's key and GSIs, \
                 and that ListTagsOfResource answers for its ARN (with no tags)",
            );
        }
        Err(err) if !supports(Feature::Tags) => {
            let code = err.as_service_error().and_then(|e| e.code());
            assert_eq!(code, Some("UnknownOperationException"), "{err:?}");
            assert_created(&table, &db.table_name("accounts"));
            lacks(
                Feature::Tags,
                "that the create with two tags succeeds with the model's key and GSIs \
                 (ListTagsOfResource is an UnknownOperationException)",
            );
        }
        Err(err) => panic!("ListTagsOfResource failed: {err:?}"),
    }
}

#[tokio::test]
async fn stream() {
    let (_scratch, db) = server::scratch_db().await;
    let table = create(
        &db,
        CreateTableOptions::new().stream(StreamView::NewAndOldImages),
    )
    .await;
    if !supports(Feature::Streams) && table.stream_specification().is_none() {
        assert!(table.latest_stream_arn().is_none());
        assert_created(&table, &db.table_name("accounts"));
        lacks(
            Feature::Streams,
            "that the create with NEW_AND_OLD_IMAGES succeeds with the model's key and GSIs",
        );
        return;
    }
    let spec = table.stream_specification().expect("StreamSpecification");
    assert!(spec.stream_enabled());
    assert_eq!(
        spec.stream_view_type(),
        Some(&StreamViewType::NewAndOldImages)
    );
    assert!(table.latest_stream_arn().is_some());
}

#[tokio::test]
async fn deletion_protection_refuses_delete_and_keeps_the_table() {
    let (_scratch, db) = server::scratch_db().await;
    let table = create(&db, CreateTableOptions::new().deletion_protection(true)).await;
    if !supports(Feature::DeletionProtection) && table.deletion_protection_enabled() != Some(true) {
        assert_created(&table, &db.table_name("accounts"));
        db.table::<Account>()
            .delete_table_and_wait(Duration::from_secs(30))
            .await
            .unwrap();
        assert!(!db.table::<Account>().exists().await.unwrap());
        lacks(
            Feature::DeletionProtection,
            "that the create succeeds and, the setting being dropped, that DeleteTable deletes the table",
        );
        return;
    }
    assert_eq!(table.deletion_protection_enabled(), Some(true));

    let err = db.table::<Account>().delete_table().await.unwrap_err();
    assert!(matches!(err, Error::DeletionProtected { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!("table `{}` has deletion protection on and was not deleted; turn deletion protection off first", db.table_name("accounts"))
    );
    assert!(
        db.table::<Account>().exists().await.unwrap(),
        "the table stays"
    );

    db.client()
        .update_table()
        .table_name(db.table_name("accounts"))
        .deletion_protection_enabled(false)
        .send()
        .await
        .unwrap();
    db.table::<Account>()
        .delete_table_and_wait(Duration::from_secs(30))
        .await
        .unwrap();
    assert!(!db.table::<Account>().exists().await.unwrap());
}

#[tokio::test]
async fn ten_concurrent_if_not_exists_creates_all_succeed() {
    let (_scratch, db) = server::scratch_db().await;
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move {
                db.table::<Account>()
                    .create(CreateTableOptions::new().if_not_exists(true).wait(true))
                    .await
            })
        })
        .collect();
    for task in tasks {
        let table = task.await.unwrap().unwrap();
        assert_eq!(table.table_name(), Some(db.table_name("accounts").as_str()));
    }
    // Every page: a shared endpoint may hold more than one page of tables.
    let tables: Vec<String> = db
        .client()
        .list_tables()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<_, _>>()
        .await
        .unwrap();
    let ours = tables
        .iter()
        .filter(|n| **n == db.table_name("accounts"))
        .count();
    assert_eq!(ours, 1);
}

/// A model with `#[ttl]`: racing creates must not trip over "TimeToLive is
/// already enabled" (20 concurrent creates once gave 7 failures without a
/// wait and 17 with one on DynamoDB Local).
#[tokio::test]
async fn twenty_concurrent_if_not_exists_creates_of_a_ttl_model_all_succeed() {
    #[derive(DynamoModel, Serialize)]
    #[dynamo(table = "sessions")]
    struct Session {
        #[hash_key]
        token: String,
        #[ttl]
        expires_at: i64,
    }
    let (_scratch, db) = server::scratch_db().await;
    let ttl = supports(Feature::Ttl);
    for wait in [false, true] {
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let db = db.clone();
                tokio::spawn(async move {
                    db.table::<Session>()
                        .create(
                            CreateTableOptions::new()
                                .if_not_exists(true)
                                .wait(wait)
                                .enable_ttl(ttl),
                        )
                        .await
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        if ttl {
            let described = db
                .client()
                .describe_time_to_live()
                .table_name(db.table_name("sessions"))
                .send()
                .await
                .unwrap();
            let ttl = described.time_to_live_description().unwrap();
            assert_eq!(ttl.attribute_name(), Some("expires_at"));
        }
        db.table::<Session>()
            .delete_table_and_wait(Duration::from_secs(60))
            .await
            .unwrap();
    }
    if !ttl {
        lacks(
            Feature::Ttl,
            "that 20 concurrent if_not_exists creates with enable_ttl(false) all succeed",
        );
    }
}

/// TTL on an attribute that is not the model's is a mismatch naming both.
#[tokio::test]
async fn ttl_on_another_attribute_is_a_schema_mismatch() {
    #[derive(DynamoModel, Serialize)]
    #[dynamo(table = "sessions")]
    struct Session {
        #[hash_key]
        token: String,
        #[ttl]
        expires_at: i64,
    }
    if !supports(Feature::Ttl) {
        lacks(
            Feature::Ttl,
            "nothing here (TTL on another attribute cannot exist without TTL; the other backends check it)",
        );
        return;
    }
    let (_scratch, db) = server::scratch_db().await;
    let schema = dynamo_model::TableSchema::builder("sessions")
        .hash_key("token", dynamo_model::AttributeType::S)
        .ttl("valid_until")
        .build()
        .unwrap();
    db.table_for_schema(&schema)
        .create(CreateTableOptions::new().wait(true))
        .await
        .unwrap();
    let err = db
        .table::<Session>()
        .create(CreateTableOptions::new().if_not_exists(true))
        .await
        .unwrap_err();
    let Error::SchemaMismatch { differences, .. } = &err else {
        panic!("expected a mismatch, got {err:?}");
    };
    assert_eq!(
        differences,
        &["TTL is on for attribute `valid_until`, but the model's #[ttl] attribute is `expires_at`"]
    );
}

#[tokio::test]
async fn if_not_exists_lists_every_difference_from_an_existing_table() {
    let (_scratch, db) = server::scratch_db().await;
    db.table::<Account>()
        .create(CreateTableOptions::new().wait(true))
        .await
        .unwrap();
    let err = db
        .table::<AccountV2>()
        .create(CreateTableOptions::new().if_not_exists(true))
        .await
        .unwrap_err();
    let Error::SchemaMismatch { table, differences } = &err else {
        panic!("expected a schema mismatch, got {err:?}");
    };
    assert_eq!(*table, db.table_name("accounts"));
    assert_eq!(
        differences,
        &[
            "partition key: the model has tenant S, the table has id S",
            "sort key: the model has id N, the table has none",
            "GSI by_email: the model has (email S, KEYS_ONLY), the table has (email S, ALL)",
            "GSI by_plan (plan S, ALL) is on the table, not in the model",
        ]
    );
    // The existing table is left alone.
    assert!(db.table::<Account>().exists().await.unwrap());
}
