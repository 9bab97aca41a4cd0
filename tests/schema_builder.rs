//! Schemas built by hand: DynamoDB's rules (written once, in
//! `dynamo-model-rules`, for the derive and the builder alike), and the same
//! table operations as a model.

mod support;
use support::backend;

use std::time::Duration;

use backend::{lacks, supports, Feature};
use dynamo_model::AttributeType::{N, S};
use dynamo_model::{CreateTableOptions, Error, Projection, TableSchema};

fn problems(result: dynamo_model::Result<TableSchema>) -> Vec<String> {
    match result {
        Err(Error::InvalidSchema { problems, .. }) => problems,
        other => panic!("expected an invalid schema, got {other:?}"),
    }
}

/// For each rule: the sentence the builder refuses with.
#[test]
fn every_rule_is_refused_and_all_problems_are_reported_at_once() {
    let mut twenty_one = TableSchema::builder("orders").hash_key("pk", S);
    for i in 1..=21 {
        twenty_one =
            twenty_one.global_index(format!("gsi_{i}"), |g| g.hash_key(format!("k{i}"), S));
    }
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            problems(TableSchema::builder("my orders").hash_key("pk", S).build()),
            "table name `my orders` contains ' '; DynamoDB table and index names are 3 to 255 characters of [A-Za-z0-9_.-]",
        ),
        (
            problems(TableSchema::builder("ab").hash_key("pk", S).build()),
            "table name `ab` is too short (2 characters); DynamoDB table and index names are 3 to 255 characters",
        ),
        (problems(twenty_one.build()), "a table has at most 20 GSIs, and `gsi_21` is number 21"),
        (
            problems(
                TableSchema::builder("orders")
                    .hash_key("pk", S)
                    .global_index("by_created", |g| g.range_key("created", N))
                    .build(),
            ),
            "GSI `by_created` has no partition key",
        ),
        (
            problems(
                TableSchema::builder("orders")
                    .hash_key("pk", S)
                    .global_index("by_everything", |g| {
                        (0..5).fold(g, |g, i| g.hash_key(format!("h{i}"), S))
                    })
                    .build(),
            ),
            "GSI `by_everything` has more than 4 partition-key attributes; DynamoDB allows up to 4 (a multi-attribute key, in field order)",
        ),
        (
            problems(
                TableSchema::builder("orders")
                    .hash_key("pk", S)
                    .local_index("by_created", "created", N, Projection::All)
                    .build(),
            ),
            "DynamoDB only allows local secondary indexes on tables whose primary key has a sort key",
        ),
        (
            problems(
                TableSchema::builder("orders")
                    .hash_key("pk", S)
                    .range_key("sk", N)
                    .global_index("by_date", |g| g.hash_key("date", S))
                    .local_index("by_date", "date2", N, Projection::All)
                    .build(),
            ),
            "index name `by_date` is already used by a GSI of this table; index names must be unique across GSIs and LSIs",
        ),
        (
            problems(
                TableSchema::builder("orders")
                    .hash_key("pk", S)
                    .global_index("by_a", |g| g.hash_key("a", S).include((0..51).map(|i| format!("f{i:02}"))))
                    .global_index("by_b", |g| g.hash_key("b", S).include((0..51).map(|i| format!("f{i:02}"))))
                    .build(),
            ),
            "`include` of index `by_b` brings the table's projected non-key attributes to 102; DynamoDB allows 100 in all, summed over every index",
        ),
        (
            problems(
                TableSchema::builder("orders")
                    .hash_key("pk", S)
                    .global_index("by_a", |g| g.hash_key("a", S).include(["pk", "total"]))
                    .build(),
            ),
            "`include` of index `by_a` names `pk`, the table's hash key; key attributes are always projected into every index",
        ),
        (
            problems(TableSchema::builder("orders").hash_key("k".repeat(256), S).build()),
            "is 256 bytes long; DynamoDB key attribute names are 1 to 255 bytes",
        ),
    ];
    for (problems, sentence) in cases {
        assert!(
            problems.iter().any(|p| p.contains(sentence)),
            "the builder does not say `{sentence}`: {problems:?}"
        );
    }

    // Every problem at once, as the derive reports every error of a struct.
    let all = problems(
        TableSchema::builder("x")
            .range_key("sk", N)
            .range_key("sk2", N)
            .global_index("g", |g| g.range_key("sk", S))
            .ttl("sk")
            .build(),
    );
    assert_eq!(
        all,
        [
            "a table needs a partition key: set one with `hash_key`",
            "a table has at most one range key, and it is already `sk` (multi-attribute keys exist only for GSIs)",
            "table name `x` is too short (1 character); DynamoDB table and index names are 3 to 255 characters of [A-Za-z0-9_.-]",
            "index name `g` is too short (1 character); DynamoDB table and index names are 3 to 255 characters of [A-Za-z0-9_.-]",
            "GSI `g` has no partition key",
            "attribute `sk` is used as a key with type N and with type S; an attribute has one type",
        ]
    );
}

#[test]
fn a_hand_built_schema_from_parts_is_checked_before_create() {
    let schema = TableSchema::from_parts(
        "x",
        dynamo_model::KeyAttribute::new("id", S),
        None,
        vec![],
        vec![],
        None,
    );
    let db = dynamo_model::Db::local("http://127.0.0.1:9");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let err = runtime
        .block_on(
            db.table_for_schema(&schema)
                .create(CreateTableOptions::new()),
        )
        .unwrap_err();
    assert!(matches!(err, Error::InvalidSchema { .. }), "{err}");
}

#[tokio::test]
async fn hand_built_schemas_go_through_the_same_operations_by_name() {
    let (_scratch, db) = support::server::scratch_db().await;
    let builder = TableSchema::builder("orders")
        .hash_key("customerId", S)
        .range_key("orderId", N)
        .global_index("by_status", |g| g.hash_key("status", S).include(["total"]))
        .local_index("by_created", "createdAt", N, Projection::KeysOnly);
    let builder = if supports(Feature::Ttl) {
        builder.ttl("expiresAt")
    } else {
        lacks(Feature::Ttl, "the same schema without a TTL attribute");
        builder
    };
    let schema = builder.build().unwrap();
    assert!(!db.table_named("orders").exists().await.unwrap());
    db.table_for_schema(&schema)
        .create(CreateTableOptions::new().wait(true))
        .await
        .unwrap();
    assert!(db.table_named("orders").exists().await.unwrap());
    let table = db
        .table_named("orders")
        .wait_active(Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(table.table_name(), Some(db.table_name("orders").as_str()));
    let described = db.table_named("orders").describe().await.unwrap();
    assert_eq!(
        described.global_secondary_indexes()[0]
            .projection()
            .unwrap()
            .non_key_attributes(),
        ["total"]
    );
    assert_eq!(described.local_secondary_indexes().len(), 1);
    db.table_named("orders").delete_table().await.unwrap();
    db.table_named("orders")
        .wait_deleted(Duration::from_secs(10))
        .await
        .unwrap();
    assert!(!db.table_named("orders").exists().await.unwrap());
    let err = db.table_named("orders").delete_table().await.unwrap_err();
    assert!(err.is_table_not_found());
}
