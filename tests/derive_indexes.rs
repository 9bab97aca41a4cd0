//! What `#[derive(DynamoModel)]` produces for indexes: multi-attribute GSI
//! keys in field order, projections, capacities, LSIs, and DynamoDB's index
//! limits, checked on the exact `TableSchema`, without any network.

mod support;
use support::expected::{assert_keys_match_item, gsi, include, key};

use dynamo_model::{
    AttributeType, DynamoModel, LocalSecondaryIndex, Projection, TableSchema, Throughput,
};
use serde::Serialize;

use AttributeType::{N, S};

/// Multi-attribute GSI keys are in field order, whatever fields lie between.
#[derive(DynamoModel, Serialize)]
#[serde(rename_all = "camelCase")]
struct Tournament {
    #[hash_key]
    match_id: String,
    #[gsi(name = "by_region", hash_key)]
    region: String,
    #[gsi(name = "by_region", range_key)]
    #[gsi(name = "by_player", range_key)]
    score: u32,
    #[gsi(name = "by_region", hash_key)]
    #[gsi(name = "by_player", hash_key)]
    season: u16,
    #[gsi(name = "by_region", range_key)]
    round: u8,
    #[gsi(name = "by_player", hash_key)]
    player_id: String,
    #[gsi(name = "by_region", hash_key)]
    division: String,
    #[gsi(name = "by_region", hash_key)]
    bracket: String,
    #[gsi(name = "by_region", range_key)]
    played_at: i64,
    #[gsi(name = "by_region", range_key)]
    table_no: u16,
}

#[test]
fn multi_attribute_gsi_keys_in_field_order() {
    let expected = TableSchema::from_parts(
        "tournament",
        key("matchId", S),
        None,
        vec![
            gsi(
                "by_region",
                &[
                    ("region", S),
                    ("season", N),
                    ("division", S),
                    ("bracket", S),
                ],
                &[("score", N), ("round", N), ("playedAt", N), ("tableNo", N)],
                Projection::All,
                None,
            ),
            gsi(
                "by_player",
                &[("season", N), ("playerId", S)],
                &[("score", N)],
                Projection::All,
                None,
            ),
        ],
        vec![],
        None,
    );
    assert_eq!(Tournament::schema(), &expected);
}

/// Projections and capacities given on any one field of the index; the
/// table's keys may also be index keys; `include` lists Rust names and the
/// schema gets attribute names.
#[derive(DynamoModel, Serialize)]
#[dynamo(table = "messages")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
struct Message {
    #[hash_key]
    #[gsi(name = "by_thread", range_key)]
    sender_id: String,
    #[range_key]
    sent_at: i64,
    #[gsi(name = "by_thread", hash_key, read_capacity = 3, write_capacity = 4)]
    thread_id: String,
    #[gsi(name = "by_topic", hash_key)]
    topic: String,
    #[gsi(name = "by_topic", range_key, projection = "keys_only")]
    #[lsi(name = "by_priority", include = ["body", "thread_id"])]
    priority: u8,
    #[lsi(name = "by_read", range_key, projection = "all")]
    #[serde(skip_serializing_if = "Option::is_none")]
    read_at: Option<i64>,
    #[gsi(name = "by_flag", hash_key, include = ["body"], write_capacity = 1, read_capacity = 1)]
    #[serde(skip_serializing_if = "Option::is_none")]
    flag: Option<String>,
    body: String,
}

#[test]
fn projections_capacities_and_local_indexes() {
    let expected = TableSchema::from_parts(
        "messages",
        key("SENDER_ID", S),
        Some(key("SENT_AT", N)),
        vec![
            gsi(
                "by_thread",
                &[("THREAD_ID", S)],
                &[("SENDER_ID", S)],
                Projection::All,
                Some(Throughput::new(3, 4)),
            ),
            gsi(
                "by_topic",
                &[("TOPIC", S)],
                &[("PRIORITY", N)],
                Projection::KeysOnly,
                None,
            ),
            gsi(
                "by_flag",
                &[("FLAG", S)],
                &[],
                include(&["BODY"]),
                Some(Throughput::new(1, 1)),
            ),
        ],
        vec![
            LocalSecondaryIndex::from_parts(
                "by_priority",
                key("PRIORITY", N),
                include(&["BODY", "THREAD_ID"]),
            ),
            LocalSecondaryIndex::from_parts("by_read", key("READ_AT", N), Projection::All),
        ],
        None,
    );
    assert_eq!(Message::schema(), &expected);
    assert_keys_match_item(&Message {
        sender_id: "s".into(),
        sent_at: 1,
        thread_id: "t".into(),
        topic: "x".into(),
        priority: 2,
        read_at: Some(3),
        flag: Some("f".into()),
        body: "b".into(),
    });
}

/// Up to DynamoDB's limits: 20 GSIs and 5 LSIs are accepted.
#[derive(DynamoModel)]
#[allow(dead_code)]
struct AtTheLimits {
    #[hash_key]
    id: String,
    #[range_key]
    sort: String,
    #[lsi(name = "lsi_1")]
    l1: u8,
    #[lsi(name = "lsi_2")]
    l2: u8,
    #[lsi(name = "lsi_3")]
    l3: u8,
    #[lsi(name = "lsi_4")]
    l4: u8,
    #[lsi(name = "lsi_5")]
    #[gsi(name = "gsi_01", hash_key)]
    #[gsi(name = "gsi_02", hash_key)]
    #[gsi(name = "gsi_03", hash_key)]
    #[gsi(name = "gsi_04", hash_key)]
    #[gsi(name = "gsi_05", hash_key)]
    #[gsi(name = "gsi_06", hash_key)]
    #[gsi(name = "gsi_07", hash_key)]
    #[gsi(name = "gsi_08", hash_key)]
    #[gsi(name = "gsi_09", hash_key)]
    #[gsi(name = "gsi_10", hash_key)]
    l5: u8,
    #[gsi(name = "gsi_11", hash_key)]
    #[gsi(name = "gsi_12", hash_key)]
    #[gsi(name = "gsi_13", hash_key)]
    #[gsi(name = "gsi_14", hash_key)]
    #[gsi(name = "gsi_15", hash_key)]
    #[gsi(name = "gsi_16", hash_key)]
    #[gsi(name = "gsi_17", hash_key)]
    #[gsi(name = "gsi_18", hash_key)]
    #[gsi(name = "gsi_19", hash_key)]
    #[gsi(name = "gsi_20", hash_key)]
    g: String,
}

#[test]
fn twenty_gsis_and_five_lsis_are_allowed() {
    let schema = AtTheLimits::schema();
    assert_eq!(schema.global_indexes().len(), 20);
    assert_eq!(schema.local_indexes().len(), 5);
    assert_eq!(schema.global_indexes()[0].hash_keys(), &[key("l5", N)]);
    assert_eq!(schema.global_indexes()[19].hash_keys(), &[key("g", S)]);
    assert_eq!(schema.global_indexes()[19].name(), "gsi_20");
}
