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

/// Three entity types in the one table, built by hand (the derive will emit
/// the same data): each item's key attributes and entity attribute are
/// rendered from its fields, and reading checks the entity attribute.
#[dynamo_model::test(models(Shared))]
async fn three_entity_types_share_the_table(db: Db) {
    use dynamo_model::{EntitySchema, RenderValue};
    let customer = EntitySchema::builder_for::<Shared>("customer")
        .pk("CUSTOMER#{id}")
        .sk("PROFILE")
        .index("gsi1", "EMAIL#{email}", Some("CUSTOMER"))
        .build(&["id", "email"])
        .unwrap();
    let order = EntitySchema::builder_for::<Shared>("order")
        .pk("CUSTOMER#{customer}")
        .sk("ORDER#{number}")
        .index("gsi2", "STATUS#{status}", None)
        .build(&["customer", "number", "status"])
        .unwrap();
    let line = EntitySchema::builder_for::<Shared>("line")
        .pk("CUSTOMER#{customer}")
        .sk("LINE#{number}#{sku}")
        .build(&["customer", "number", "sku"])
        .unwrap();

    let app = db.table::<Shared>();
    let write = |entity: &EntitySchema, fields: &[(&str, &dyn RenderValue)]| {
        let value = |name: &str| fields.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
        let mut item: HashMap<String, AttributeValue> =
            entity.key_attributes(&value).unwrap().into_iter().collect();
        for (name, v) in fields {
            let mut text = String::new();
            v.render(&mut text, None).unwrap();
            item.insert((*name).to_owned(), AttributeValue::S(text));
        }
        app.put_attributes(item)
    };
    write(&customer, &[("id", &"c1"), ("email", &"ada@example.com")])
        .await
        .unwrap();
    for number in [2u32, 10, 1] {
        write(
            &order,
            &[("customer", &"c1"), ("number", &number), ("status", &"new")],
        )
        .await
        .unwrap();
    }
    write(
        &line,
        &[("customer", &"c1"), ("number", &2u32), ("sku", &"a#b")],
    )
    .await
    .unwrap();

    // The raw items show the documented key strings and entity attribute.
    let profile = app
        .get_attributes(RawKey::hash("CUSTOMER#c1").range("PROFILE"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        profile["gsi1pk"],
        AttributeValue::S("EMAIL#ada@example.com".into())
    );
    assert_eq!(profile["gsi1sk"], AttributeValue::S("CUSTOMER".into()));
    assert_eq!(profile["kind"], AttributeValue::S("customer".into()));
    customer.check_entity(&profile).unwrap();
    let err = order.check_entity(&profile).unwrap_err();
    assert!(
        err.to_string()
            .contains("is of entity `customer`, not of entity `order`"),
        "{err}"
    );
    let line_item = app
        .get_attributes(RawKey::hash("CUSTOMER#c1").range("LINE#0000000002#a#b"))
        .await
        .unwrap();
    assert!(
        line_item.is_some(),
        "the last placeholder is written as itself"
    );

    // Orders sort by number within the partition, after the profile's
    // prefix, and a begins_with on the order template's prefix finds only
    // them.
    let client = db.client();
    let out = client
        .query()
        .table_name(app.name())
        .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
        .expression_attribute_values(":pk", AttributeValue::S("CUSTOMER#c1".into()))
        .expression_attribute_values(
            ":prefix",
            AttributeValue::S(order.template("sk").unwrap().prefix().into()),
        )
        .send()
        .await
        .unwrap();
    let sks: Vec<String> = out
        .items()
        .iter()
        .map(|i| {
            order.check_entity(i).unwrap();
            i["sk"].as_s().unwrap().clone()
        })
        .collect();
    assert_eq!(
        sks,
        ["ORDER#0000000001", "ORDER#0000000002", "ORDER#0000000010"]
    );
}

#[test]
fn an_entity_that_breaks_the_rules_says_every_problem() {
    use dynamo_model::{EntitySchema, Error};
    let err = EntitySchema::builder(Shared::schema(), "")
        .pk("USER#{id}")
        .index("gsi9", "X", None)
        .index("by_created", "Y#{id}", None)
        .build(&["name"])
        .unwrap_err();
    let Error::InvalidSchema { problems, .. } = &err else {
        panic!("{err:?}")
    };
    for says in [
        "needs a name",
        "needs its template (`sk",
        "no index `gsi9`",
        "is local",
        "`{id}` of key template `USER#{id}` is not a field",
    ] {
        assert!(
            problems.iter().any(|p| p.contains(says)),
            "{says}: {problems:?}"
        );
    }
}
