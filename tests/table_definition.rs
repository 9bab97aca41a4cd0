//! A table definition shared by several entity types (issue 20, point 1):
//! `#[derive(DynamoTable)]` gives the same `TableSchema` a model gives, so
//! the table is created, planned, exported, locked and made by fixtures
//! through the one path every model takes.

mod support;

use std::collections::HashMap;

use dynamo_model::aws_sdk_dynamodb::types::AttributeValue;
use dynamo_model::{
    AttributeType, CreateTableOptions, Db, DynamoModel, DynamoTable, Format, Projection, RawKey,
    SchemaLock, TableSchema,
};

#[derive(DynamoTable)]
#[dynamo(
    name = "app",
    hash_key = "pk",
    range_key = "sk",
    gsi(name = "gsi1", hash_key = "gsi1pk", range_key = "gsi1sk"),
    gsi(name = "gsi2", hash_key = "gsi2pk", projection = "keys_only"),
    lsi(name = "by_created", range_key = "created"),
    ttl = "expires",
    entity_attribute = "kind"
)]
struct App;

/// The table the backend test makes: App without its TTL, which dynalite
/// lacks (the TTL is checked in the schema, export and lock tests).
#[derive(DynamoTable)]
#[dynamo(
    name = "shared",
    hash_key = "pk",
    range_key = "sk",
    gsi(name = "gsi1", hash_key = "gsi1pk", range_key = "gsi1sk"),
    gsi(name = "gsi2", hash_key = "gsi2pk", projection = "keys_only"),
    lsi(name = "by_created", range_key = "created"),
    entity_attribute = "kind"
)]
struct Shared;

/// Only the partition key; the name from the struct's.
#[derive(DynamoTable)]
#[dynamo(hash_key = "id")]
struct KeyValueStore;

#[test]
fn a_definition_is_the_schema_the_builder_makes() {
    let built = TableSchema::builder("app")
        .hash_key("pk", AttributeType::S)
        .range_key("sk", AttributeType::S)
        .global_index("gsi1", |i| {
            i.hash_key("gsi1pk", AttributeType::S)
                .range_key("gsi1sk", AttributeType::S)
        })
        .global_index("gsi2", |i| {
            i.hash_key("gsi2pk", AttributeType::S)
                .projection(Projection::KeysOnly)
        })
        .local_index("by_created", "created", AttributeType::S, Projection::All)
        .ttl("expires")
        .build()
        .unwrap();
    assert_eq!(App::schema(), &built);
    assert_eq!(App::ENTITY_ATTRIBUTE, "kind");
    assert_eq!(App::indexes().gsi1.name(), "gsi1");
    assert_eq!(App::indexes().by_created.name(), "by_created");

    let plain = KeyValueStore::schema();
    assert_eq!(plain.table_name(), "key_value_store");
    assert!(plain.range_key().is_none());
    assert_eq!(KeyValueStore::ENTITY_ATTRIBUTE, "_type");
}

#[dynamo_model::test(models(Shared))]
async fn a_fixture_makes_the_table_and_it_holds_items_of_any_shape(db: Db) {
    let app = db.table::<Shared>();
    let described = app.describe().await.unwrap();
    let keys: Vec<(String, String)> = described
        .key_schema()
        .iter()
        .map(|k| {
            (
                k.attribute_name().to_owned(),
                k.key_type().as_str().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        keys,
        [("pk".into(), "HASH".into()), ("sk".into(), "RANGE".into())]
    );
    let mut indexes: Vec<&str> = described
        .global_secondary_indexes()
        .iter()
        .filter_map(|g| g.index_name())
        .collect();
    indexes.sort_unstable();
    assert_eq!(indexes, ["gsi1", "gsi2"]);
    assert!(app
        .plan(&CreateTableOptions::new())
        .await
        .unwrap()
        .is_empty());

    // Two entity types' items side by side, as raw attributes.
    let item = |pk: &str, sk: &str, kind: &str| {
        HashMap::from([
            ("pk".to_owned(), AttributeValue::S(pk.into())),
            ("sk".to_owned(), AttributeValue::S(sk.into())),
            ("kind".to_owned(), AttributeValue::S(kind.into())),
        ])
    };
    app.put_attributes(item("CUSTOMER#c1", "PROFILE", "customer"))
        .await
        .unwrap();
    app.put_attributes(item("CUSTOMER#c1", "ORDER#0001", "order"))
        .await
        .unwrap();
    let read = app
        .get_attributes(RawKey::hash("CUSTOMER#c1").range("ORDER#0001"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read["kind"], AttributeValue::S("order".into()));
}

#[test]
fn a_definition_is_exported_and_locked_like_a_model() {
    let template = App::schema()
        .export(Format::CloudFormationJson, &CreateTableOptions::new())
        .unwrap();
    for name in [
        "pk",
        "sk",
        "gsi1pk",
        "gsi1sk",
        "gsi2pk",
        "created",
        "by_created",
        "expires",
    ] {
        assert!(template.contains(name), "{name} in\n{template}");
    }
    let lock = SchemaLock::of(&[App::schema(), KeyValueStore::schema()]);
    let again = SchemaLock::from_json(&lock.to_json()).unwrap();
    assert!(again
        .differences(&[App::schema(), KeyValueStore::schema()])
        .is_empty());
}
