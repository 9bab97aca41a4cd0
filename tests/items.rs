//! Items through the `Table<M>` handle, on a real server: put, get, delete
//! and update through serde, conditions (nothing overwritten when one
//! fails), reserved-word attribute names, sparse index keys, by-name
//! updates checked before the request, the 400 KB limit, and the
//! model-free attribute-map calls.

mod support;

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use dynamo_model::aws_sdk_dynamodb::types::AttributeValue;
use dynamo_model::{
    AttributeType, Condition, CreateTableOptions, Db, DynamoModel, Error, RawKey, TableSchema,
};
use serde::{Deserialize, Serialize};

/// DESIGN's order, with reserved words (`status`, `name`, `date`) as
/// attribute names.
#[derive(DynamoModel, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[dynamo(table = "orders")]
#[serde(rename_all = "camelCase")]
struct Order {
    #[hash_key]
    customer_id: String,
    #[range_key]
    order_id: u64,
    #[gsi(name = "by_status", hash_key)]
    status: String,
    #[gsi(name = "by_coupon", hash_key, include = ["total"])]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    coupon: Option<String>,
    total: f64,
    retries: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(default)]
    date: Option<String>,
    #[serde(
        with = "serde_dynamo::string_set",
        default,
        skip_serializing_if = "HashSet::is_empty"
    )]
    tags: HashSet<String>,
    notes: Vec<String>,
}

fn order(customer: &str, id: u64) -> Order {
    Order {
        customer_id: customer.into(),
        order_id: id,
        status: "new".into(),
        coupon: Some("WELCOME".into()),
        total: 120.0,
        retries: 0,
        name: None,
        date: Some("2026-12-01".into()),
        tags: HashSet::from(["gift".to_owned()]),
        notes: vec!["leave at door".into()],
    }
}

/// The stored attributes, read with the SDK itself.
async fn stored(db: &Db, customer: &str, id: u64) -> Option<HashMap<String, AttributeValue>> {
    db.client()
        .get_item()
        .table_name(db.table::<Order>().name())
        .key("customerId", AttributeValue::S(customer.into()))
        .key("orderId", AttributeValue::N(id.to_string()))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item
}

/// The order ids the GSI `by_coupon` holds for `coupon`, as a query of the
/// index shows them (polled briefly: GSIs are eventually consistent).
async fn in_coupon_index(db: &Db, coupon: &str, expected: &[u64]) -> Vec<u64> {
    let mut ids = Vec::new();
    for _ in 0..50 {
        let out = db
            .client()
            .query()
            .table_name(db.table::<Order>().name())
            .index_name("by_coupon")
            .key_condition_expression("coupon = :c")
            .expression_attribute_values(":c", AttributeValue::S(coupon.into()))
            .send()
            .await
            .unwrap();
        ids = out
            .items()
            .iter()
            .map(|item| item["orderId"].as_n().unwrap().parse().unwrap())
            .collect();
        ids.sort();
        if ids == expected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    ids
}

#[dynamo_model::test(models(Order))]
async fn put_and_get_round_trip_through_serde(db: Db) {
    let orders = db.table::<Order>();
    let o = order("c1", 1);
    orders.put(&o).await.unwrap();
    assert_eq!(orders.get(("c1", 1)).await.unwrap(), Some(o.clone()));
    assert_eq!(
        orders.get(("c1", 1)).consistent_read().await.unwrap(),
        Some(o.clone())
    );
    assert_eq!(orders.get(("c1", 2)).await.unwrap(), None);
    // `&String` and the key read from an item work as keys too.
    let customer = String::from("c1");
    assert!(orders.get((&customer, 1)).await.unwrap().is_some());
    let key = orders.key_of(&o).unwrap();
    assert_eq!(key.to_string(), r#"customerId = "c1", orderId = 1"#);
    assert!(orders.get(&key).await.unwrap().is_some());

    // Stored as serde_dynamo encodes it: a set as SS, a list as L.
    let item = stored(&db, "c1", 1).await.unwrap();
    assert_eq!(item["tags"], AttributeValue::Ss(vec!["gift".into()]));
    assert!(matches!(item["notes"], AttributeValue::L(_)));
    assert!(!item.contains_key("name"), "a skipped None is absent");
}

#[dynamo_model::test(models(Order))]
async fn a_none_index_key_is_left_out_and_the_item_leaves_the_index(db: Db) {
    let orders = db.table::<Order>();
    let with_coupon = order("c1", 1);
    let without = Order {
        coupon: None,
        ..order("c1", 2)
    };
    orders.put(&with_coupon).await.unwrap();
    orders.put(&without).await.unwrap();
    assert!(!stored(&db, "c1", 2).await.unwrap().contains_key("coupon"));
    assert_eq!(orders.get(("c1", 2)).await.unwrap(), Some(without));
    assert_eq!(in_coupon_index(&db, "WELCOME", &[1]).await, [1]);

    // An update to None is a REMOVE: the item leaves the index.
    let f = Order::fields();
    let updated = orders.update(("c1", 1)).set(f.coupon, None).await.unwrap();
    assert_eq!(updated.coupon, None);
    assert!(!stored(&db, "c1", 1).await.unwrap().contains_key("coupon"));
    assert_eq!(
        in_coupon_index(&db, "WELCOME", &[]).await,
        Vec::<u64>::new()
    );

    // And setting it again puts it back.
    orders
        .update(("c1", 2))
        .set(f.coupon, "SPRING")
        .await
        .unwrap();
    assert_eq!(in_coupon_index(&db, "SPRING", &[2]).await, [2]);
}

#[dynamo_model::test(models(Order))]
async fn conditions_pass_or_fail_and_a_failure_overwrites_nothing(db: Db) {
    let orders = db.table::<Order>();
    let f = Order::fields();
    let first = order("c1", 1);
    orders.put(&first).if_not_exists().await.unwrap();

    let second = Order {
        total: 1.0,
        ..order("c1", 1)
    };
    let err = orders.put(&second).if_not_exists().await.unwrap_err();
    match &err {
        Error::ConditionFailed { table, key } => {
            assert_eq!(table, orders.name());
            assert_eq!(key, r#"customerId = "c1", orderId = 1"#);
        }
        other => panic!("expected ConditionFailed, got {other:?}"),
    }
    assert_eq!(err.table(), Some(orders.name()));
    assert_eq!(orders.get(("c1", 1)).await.unwrap(), Some(first.clone()));

    // if_exists on a missing item: nothing is created.
    let missing = order("c1", 9);
    assert!(matches!(
        orders.put(&missing).if_exists().await,
        Err(Error::ConditionFailed { .. })
    ));
    assert_eq!(orders.get(("c1", 9)).await.unwrap(), None);

    // A general condition, failing then passing.
    let cancel = Order {
        status: "cancelled".into(),
        ..first.clone()
    };
    let big_and_open = f.total.gt(500.0).and(f.status.ne("cancelled"));
    assert!(matches!(
        orders.put(&cancel).condition(big_and_open).await,
        Err(Error::ConditionFailed { .. })
    ));
    assert_eq!(orders.get(("c1", 1)).await.unwrap(), Some(first.clone()));
    let cond = f
        .total
        .between(100.0, 200.0)
        .and(f.status.begins_with("ne"))
        .and(f.tags.contains("gift"))
        .and(f.notes.size().eq(1))
        .and(f.name.not_exists())
        .and(f.date.exists())
        .and(f.coupon.eq("WELCOME").or(f.retries.ge(3)).not().not());
    orders.put(&cancel).condition(cond).await.unwrap();
    assert_eq!(
        orders.get(("c1", 1)).await.unwrap().unwrap().status,
        "cancelled"
    );

    // By name, where the name is only known at run time.
    let by_name = Condition::<Order>::path("status").eq("cancelled");
    orders.delete(("c1", 1)).condition(by_name).await.unwrap();
    assert_eq!(orders.get(("c1", 1)).await.unwrap(), None);
}

#[dynamo_model::test(models(Order))]
async fn updates_of_every_kind_with_reserved_word_names(db: Db) {
    let orders = db.table::<Order>();
    let f = Order::fields();
    orders.put(&order("c1", 1)).await.unwrap();

    let updated = orders
        .update(("c1", 1))
        .set(f.status, "shipped") // reserved word
        .set(f.name, "gift for Ada") // reserved word, Option field given a plain value
        .set(f.date, None::<String>) // reserved word, to None
        .add(f.retries, 2)
        .add(f.tags, HashSet::from(["fragile".to_owned()]))
        .remove(f.coupon)
        .set(f.notes, vec!["ring twice".to_owned()])
        .if_exists()
        .await
        .unwrap();
    assert_eq!(updated.status, "shipped");
    assert_eq!(updated.name.as_deref(), Some("gift for Ada"));
    assert_eq!(updated.date, None);
    assert_eq!(updated.retries, 2);
    assert_eq!(
        updated.tags,
        HashSet::from(["gift".to_owned(), "fragile".to_owned()])
    );
    assert_eq!(updated.coupon, None);
    assert_eq!(updated.notes, ["ring twice"]);
    assert_eq!(orders.get(("c1", 1)).await.unwrap(), Some(updated.clone()));

    // A number added to a missing attribute starts from 0, a condition
    // guards the update, and a failed one writes nothing.
    let err = orders
        .update(("c1", 1))
        .add(f.retries, 1)
        .condition(f.status.eq("new"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ConditionFailed { .. }), "{err:?}");
    assert_eq!(orders.get(("c1", 1)).await.unwrap(), Some(updated));

    // if_exists: an update never creates the item.
    let err = orders
        .update(("c1", 7))
        .set(f.status, "x")
        .if_exists()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ConditionFailed { .. }), "{err:?}");
    assert_eq!(orders.get(("c1", 7)).await.unwrap(), None);

    // By name.
    let by_name = orders
        .update(("c1", 1))
        .set_by_name("status", "returned")
        .add_by_name("retries", 1)
        .remove_by_name("name")
        .await
        .unwrap();
    assert_eq!(
        (by_name.status.as_str(), by_name.retries, by_name.name),
        ("returned", 3, None)
    );
}

#[dynamo_model::test(models(Order))]
async fn by_name_misuse_is_refused_before_any_request(db: Db) {
    let orders = db.table::<Order>();
    orders.put(&order("c1", 1)).await.unwrap();
    let before = orders.get(("c1", 1)).await.unwrap();
    let cases: Vec<(dynamo_model::Update<Order>, &str)> = vec![
        (
            orders.update(("c1", 1)).set_by_name("statuss", "x"),
            "no field `statuss`",
        ),
        (
            orders.update(("c1", 1)).set_by_name("customer_id", "c2"),
            "key of the table",
        ),
        (
            orders.update(("c1", 1)).set_by_name("total", "lots"),
            "stored as a number (N)",
        ),
        (
            orders.update(("c1", 1)).remove_by_name("status"),
            "not an `Option`",
        ),
        (
            orders.update(("c1", 1)).add_by_name("status", 1),
            "number or a set",
        ),
        (orders.update(("c1", 1)), "at least one"),
    ];
    for (update, expected) in cases {
        let err = update.await.unwrap_err();
        assert!(
            matches!(err, Error::InvalidInput { .. }) && err.to_string().contains(expected),
            "{expected}: {err}"
        );
    }
    let err = orders
        .put(&order("c1", 1))
        .condition(Condition::path("totl").gt(1))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no field `totl`"), "{err}");
    assert_eq!(orders.get(("c1", 1)).await.unwrap(), before);
}

#[dynamo_model::test(models(Order))]
async fn delete_by_key_or_of_a_held_item(db: Db) {
    let orders = db.table::<Order>();
    let o = order("c1", 1);
    orders.put(&o).await.unwrap();
    assert_eq!(
        orders.delete(("c1", 1)).returning_old().await.unwrap(),
        Some(o.clone())
    );
    assert_eq!(
        orders.delete(("c1", 1)).returning_old().await.unwrap(),
        None
    );
    assert!(matches!(
        orders.delete(("c1", 1)).if_exists().await,
        Err(Error::ConditionFailed { .. })
    ));
    orders.put(&o).await.unwrap();
    orders.delete_item(&o).await.unwrap();
    assert_eq!(orders.get(("c1", 1)).await.unwrap(), None);
}

#[dynamo_model::test(models(Order))]
async fn an_item_over_400_kb_is_refused_before_the_request(db: Db) {
    let orders = db.table::<Order>();
    let big = Order {
        notes: vec!["x".repeat(200 * 1024), "y".repeat(201 * 1024)],
        ..order("c1", 1)
    };
    let err = orders.put(&big).await.unwrap_err();
    match &err {
        Error::ItemTooLarge {
            table, key, size, ..
        } => {
            assert_eq!(table, orders.name());
            assert_eq!(key, r#"customerId = "c1", orderId = 1"#);
            assert!(*size > 400 * 1024, "{size}");
        }
        other => panic!("expected ItemTooLarge, got {other:?}"),
    }
    assert_eq!(orders.get(("c1", 1)).await.unwrap(), None);
}

#[dynamo_model::test]
async fn model_free_calls_by_table_name(db: Db) {
    let schema = TableSchema::builder("audit")
        .hash_key("stream", AttributeType::S)
        .range_key("seq", AttributeType::N)
        .build()
        .unwrap();
    let scratch = db.table_for_schema(&schema);
    scratch
        .create(CreateTableOptions::new().wait(true))
        .await
        .unwrap();
    let audit = db.table_named("audit");
    let entry = HashMap::from([
        ("stream".to_owned(), AttributeValue::S("s1".into())),
        ("seq".to_owned(), AttributeValue::N("7".into())),
        ("what".to_owned(), AttributeValue::S("login".into())),
    ]);
    audit.put_attributes(entry.clone()).await.unwrap();
    let key = || RawKey::hash("s1").range(7);
    assert_eq!(
        audit.get_attributes(key()).await.unwrap(),
        Some(entry.clone())
    );

    // The key is checked against the table's (read once) before a request.
    let err = audit.get_attributes(RawKey::hash("s1")).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("a hash and a range key (stream, seq)"),
        "{err}"
    );
    let err = audit
        .get_attributes(RawKey::hash("s1").range("seven"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("key `seq` is of type N"), "{err}");
    let mut no_key = entry.clone();
    no_key.remove("seq");
    let err = audit.put_attributes(no_key).await.unwrap_err();
    assert!(err.to_string().contains("no key attribute `seq`"), "{err}");

    assert_eq!(audit.delete_attributes(key()).await.unwrap(), Some(entry));
    assert_eq!(audit.get_attributes(key()).await.unwrap(), None);
    scratch.delete_table().await.unwrap();
}

#[derive(DynamoModel, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[dynamo(table = "gauges")]
struct Gauge {
    #[hash_key]
    id: String,
    count: u32,
    small: i8,
    ratio: f32,
}

/// A value the field's Rust type cannot hold would be stored, then fail
/// every read of the item: it is refused before the request, naming the
/// field and the type.
#[dynamo_model::test(models(Gauge))]
async fn values_a_fields_type_cannot_hold_are_refused_before_the_request(db: Db) {
    let gauges = db.table::<Gauge>();
    let gauge = Gauge {
        id: "g".into(),
        count: 5,
        small: 1,
        ratio: 0.5,
    };
    gauges.put(&gauge).await.unwrap();
    let refusals: [(&str, f64, &str); 5] = [
        ("count", -1.0, "`u32`"),
        ("count", 1.5, "not a whole number"),
        ("count", 4_294_967_296.0, "`u32`"),
        ("small", 200.0, "`i8`"),
        ("ratio", 1e39, "`f32`"),
    ];
    for (field, value, says) in refusals {
        let err = gauges
            .update("g")
            .set_by_name(field, value)
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::InvalidInput { .. }),
            "{field} = {value}: {err}"
        );
        let text = err.to_string();
        assert!(text.contains(says) && text.contains(field), "{text}");
    }
    // An ADD is a change: a negative one to a u32 is a decrement, a
    // fractional one is refused.
    let after = gauges.update("g").add_by_name("count", -1).await.unwrap();
    assert_eq!(after.count, 4);
    let err = gauges
        .update("g")
        .add_by_name("count", 0.5)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not a whole number"), "{err}");
    assert_eq!(
        gauges.get("g").await.unwrap().unwrap().count,
        4,
        "still reads"
    );
}

#[derive(DynamoModel, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[dynamo(table = "oddities")]
struct Oddity {
    #[hash_key]
    id: String,
    #[gsi(name = "by_code", hash_key)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    code: Option<String>,
    reading: f64,
    #[serde(with = "serde_dynamo::string_set", default)]
    labels: HashSet<String>,
}

#[derive(DynamoModel, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[dynamo(table = "huge_numbers")]
struct Huge {
    #[hash_key]
    id: String,
    big: i128,
}

/// Values DynamoDB refuses never reach it: each is refused before the
/// request, naming the attribute and the item, and an encoding failure is
/// worded as one (not as an item that "does not match the model").
#[dynamo_model::test(models(Oddity, Huge))]
async fn values_dynamodb_refuses_are_refused_before_the_request(db: Db) {
    let oddities = db.table::<Oddity>();
    let fine = Oddity {
        id: "o".into(),
        code: None,
        reading: 1.5,
        labels: HashSet::from(["a".to_owned()]),
    };
    oddities.put(&fine).await.unwrap();
    let cases: Vec<(Oddity, &str)> = vec![
        (
            Oddity {
                reading: f64::NAN,
                ..fine.clone()
            },
            "not a number",
        ),
        (
            Oddity {
                reading: f64::INFINITY,
                ..fine.clone()
            },
            "not a number",
        ),
        (
            Oddity {
                reading: 1e200,
                ..fine.clone()
            },
            "outside the range",
        ),
        (
            Oddity {
                labels: HashSet::new(),
                ..fine.clone()
            },
            "empty set",
        ),
        (
            Oddity {
                code: Some(String::new()),
                ..fine.clone()
            },
            "index key `code`",
        ),
        (
            Oddity {
                id: String::new(),
                ..fine.clone()
            },
            "key `id` is empty",
        ),
    ];
    for (item, says) in cases {
        let err = oddities.put(&item).await.unwrap_err();
        assert!(matches!(err, Error::InvalidInput { .. }), "{item:?}: {err}");
        assert!(err.to_string().contains(says), "{item:?}: {err}");
    }
    let err = oddities.get("").await.unwrap_err();
    assert!(err.to_string().contains("key `id` is empty"), "{err}");
    let f = Oddity::fields();
    let err = oddities
        .update("o")
        .set(f.reading, f64::NAN)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not a number"), "{err}");
    assert_eq!(
        oddities.get("o").await.unwrap(),
        Some(fine),
        "nothing written"
    );

    let err = db
        .table::<Huge>()
        .put(&Huge {
            id: "h".into(),
            big: 1,
        })
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Encode { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("cannot be encoded") && text.contains("128-bit"),
        "{text}"
    );
}

/// DynamoDB's key size limits (2,048 bytes for a partition key, 1,024 for
/// a sort key) are checked before any request, naming the key attribute:
/// the server's message names neither, and moto answers a `get` of such a
/// key with no item (issue 31, point 11).
#[dynamo_model::test(models(Order))]
async fn a_key_over_dynamodbs_size_limit_is_refused_before_the_request(db: Db) {
    let orders = db.table::<Order>();
    let longest = "c".repeat(2048);
    orders.put(&order(&longest, 1)).await.unwrap();
    assert!(orders.get((longest.as_str(), 1)).await.unwrap().is_some());
    let over = "c".repeat(2049);
    let refused = |err: Error| {
        assert!(
            matches!(err, Error::InvalidInput { option: "key", .. }),
            "{err:?}"
        );
        let message = err.to_string();
        assert!(
            message.contains("partition key `customerId` is 2049 bytes")
                && message.contains("limit of 2048 bytes"),
            "{message}"
        );
    };
    refused(orders.put(&order(&over, 1)).await.unwrap_err());
    refused(orders.get((over.as_str(), 1)).await.unwrap_err());
    refused(orders.delete((over.as_str(), 1)).await.unwrap_err());
    refused(
        orders
            .update((over.as_str(), 1))
            .set(Order::fields().retries, 1)
            .await
            .unwrap_err(),
    );
    refused(orders.batch_get([(over.as_str(), 1)]).await.unwrap_err());
    refused(orders.batch_put(&[order(&over, 1)]).await.unwrap_err());
}
