//! Entity models of one shared table (issue 20, points 2, 4, 5 and 7): the
//! derive's `#[dynamo(table = Store, entity = ..., pk = ..., sk = ...)]`
//! writes the key attributes and the entity attribute from the templates on
//! every put, batch, transaction and seed, renders keys for get, delete and
//! update, and refuses to read an item of another entity.

mod support;

use support::backend::{lacks, supports, Feature};

use std::collections::HashMap;

use dynamo_model::aws_sdk_dynamodb::types::AttributeValue;
use dynamo_model::{Db, DynamoModel, DynamoTable, EntityKey, Error, ItemKey, RawKey};
use serde::{Deserialize, Serialize};

/// The shared table. No TTL, which dynalite lacks.
#[derive(DynamoTable)]
#[dynamo(
    name = "store",
    hash_key = "pk",
    range_key = "sk",
    gsi(name = "gsi1", hash_key = "gsi1pk", range_key = "gsi1sk"),
    gsi(name = "gsi2", hash_key = "gsi2pk", projection = "keys_only")
)]
struct Store;

#[derive(DynamoModel, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[dynamo(
    table = Store,
    entity = "customer",
    pk = "CUSTOMER#{id}",
    sk = "PROFILE",
    gsi1(pk = "EMAIL#{email}", sk = "CUSTOMER")
)]
struct Customer {
    id: String,
    name: String,
    email: String,
}

#[derive(DynamoModel, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[dynamo(
    table = Store,
    entity = "order",
    pk = "CUSTOMER#{customer}",
    sk = "ORDER#{created}#{id}",
    gsi1(pk = "STATUS#{status}", sk = "{created}")
)]
struct Order {
    customer: String,
    created: i64,
    id: String,
    /// `None` leaves the order out of `gsi1`.
    status: Option<String>,
    total: u32,
}

#[derive(DynamoModel, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[dynamo(table = Store, entity = "line", pk = "ORDER#{order}", sk = "LINE#{line}")]
struct Line {
    order: String,
    line: u16,
    sku: String,
    quantity: u32,
}

/// An entity whose field is stored under the entity attribute's name: a
/// rule only the table's definition shows, so `entity()` says it.
#[derive(DynamoModel, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[dynamo(table = Store, entity = "clash", pk = "CLASH#{id}", sk = "CLASH")]
struct Clash {
    id: String,
    #[serde(rename = "_type")]
    kind: String,
}

fn ada() -> Customer {
    Customer {
        id: "c1".into(),
        name: "Ada".into(),
        email: "ada@example.com".into(),
    }
}

fn order(id: &str, created: i64, status: Option<&str>) -> Order {
    Order {
        customer: "c1".into(),
        created,
        id: id.into(),
        status: status.map(Into::into),
        total: 10,
    }
}

fn line(order: &str, line: u16) -> Line {
    Line {
        order: order.into(),
        line,
        sku: format!("sku#{line}"),
        quantity: 1,
    }
}

fn s(text: &str) -> AttributeValue {
    AttributeValue::S(text.into())
}

/// The stored item of a key, as raw attributes.
async fn raw(db: &Db, pk: &str, sk: &str) -> Option<HashMap<String, AttributeValue>> {
    db.table::<Store>()
        .get_attributes(RawKey::hash(pk).range(sk))
        .await
        .unwrap()
}

#[test]
fn an_entity_is_keyed_by_its_templates_placeholders() {
    let _: std::marker::PhantomData<EntityKey<(String,)>> =
        std::marker::PhantomData::<<Customer as DynamoModel>::Key>;
    let _: std::marker::PhantomData<EntityKey<(String, i64, String)>> =
        std::marker::PhantomData::<<Order as DynamoModel>::Key>;
    assert_eq!(Customer::schema(), Store::schema());
    let key = ItemKey::of::<Order>(&("c1", -5, "o#1")).unwrap();
    // Signed integers are sign-flipped and padded; the last placeholder is
    // written as itself.
    assert_eq!(
        key.to_string(),
        r#"pk = "CUSTOMER#c1", sk = "ORDER#09223372036854775803#o#1""#
    );
    let entity = Order::entity().unwrap().unwrap();
    assert_eq!(entity.key_fields(), ["customer", "created", "id"]);
    assert_eq!(entity.entity_attribute(), "_type");

    let err = Clash::entity().unwrap().unwrap_err();
    assert!(
        matches!(&err, Error::InvalidSchema { problems, .. }
            if problems.iter().any(|p| p.contains("field `kind` is stored under `_type`"))),
        "{err}"
    );
    // The same error at every use, before any request.
    let err = ItemKey::of::<Clash>(&"x").unwrap_err();
    assert!(matches!(err, Error::InvalidSchema { .. }), "{err}");
}

#[dynamo_model::test(models(Store))]
async fn each_write_renders_the_key_attributes_and_the_entity_attribute(db: Db) {
    let customers = db.table::<Customer>();
    let orders = db.table::<Order>();
    customers.put(&ada()).await.unwrap();
    orders.put(&order("o1", 100, Some("new"))).await.unwrap();
    orders.put(&order("o2", 200, None)).await.unwrap();

    // The documented key strings, the entity attribute, and the fields as
    // plain attributes, as boto3 or PynamoDB would read them.
    let profile = raw(&db, "CUSTOMER#c1", "PROFILE").await.unwrap();
    let expected: HashMap<String, AttributeValue> = [
        ("pk", s("CUSTOMER#c1")),
        ("sk", s("PROFILE")),
        ("gsi1pk", s("EMAIL#ada@example.com")),
        ("gsi1sk", s("CUSTOMER")),
        ("_type", s("customer")),
        ("id", s("c1")),
        ("name", s("Ada")),
        ("email", s("ada@example.com")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    assert_eq!(profile, expected);
    let o1 = raw(&db, "CUSTOMER#c1", "ORDER#09223372036854775908#o1")
        .await
        .unwrap();
    assert_eq!(o1["gsi1pk"], s("STATUS#new"));
    assert_eq!(o1["gsi1sk"], s("09223372036854775908"));
    assert_eq!(o1["_type"], s("order"));
    assert_eq!(o1["created"], AttributeValue::N("100".into()));
    // No status: out of the index, both of its keys left out.
    let o2 = raw(&db, "CUSTOMER#c1", "ORDER#09223372036854776008#o2")
        .await
        .unwrap();
    assert!(!o2.contains_key("gsi1pk") && !o2.contains_key("gsi1sk"));
    assert_eq!(o2["status"], AttributeValue::Null(true));

    // Typed reads by the placeholders' values.
    assert_eq!(customers.get("c1").await.unwrap(), Some(ada()));
    assert_eq!(
        orders.get(("c1", 100, "o1")).await.unwrap(),
        Some(order("o1", 100, Some("new")))
    );
    assert_eq!(orders.get(("c1", 100, "o2")).await.unwrap(), None);
    let key = orders.key_of(&order("o2", 200, None)).unwrap();
    assert_eq!(
        key.to_string(),
        r#"pk = "CUSTOMER#c1", sk = "ORDER#09223372036854776008#o2""#
    );
    // A key read from an item stands for the entity's key.
    assert_eq!(
        orders.get(&key).await.unwrap(),
        Some(order("o2", 200, None))
    );

    orders.delete(("c1", 200, "o2")).await.unwrap();
    assert!(raw(&db, "CUSTOMER#c1", "ORDER#09223372036854776008#o2")
        .await
        .is_none());
    orders
        .delete_item(&order("o1", 100, Some("new")))
        .await
        .unwrap();
    assert_eq!(orders.get(("c1", 100, "o1")).await.unwrap(), None);
    // The profile in the same partition is untouched.
    assert!(customers.get("c1").await.unwrap().is_some());
}

#[dynamo_model::test(models(Store))]
async fn an_item_of_another_entity_is_never_read_as_this_one(db: Db) {
    let store = db.table::<Store>();
    // An item at an order's key that says it is a customer, and one that
    // says nothing.
    for (sk, kind) in [
        ("ORDER#09223372036854775908#o1", Some("customer")),
        ("ORDER#09223372036854775908#o2", None),
    ] {
        let mut item = HashMap::from([
            ("pk".to_owned(), s("CUSTOMER#c1")),
            ("sk".to_owned(), s(sk)),
            ("customer".to_owned(), s("c1")),
            ("created".to_owned(), AttributeValue::N("100".into())),
            ("id".to_owned(), s("o1")),
            ("status".to_owned(), AttributeValue::Null(true)),
            ("total".to_owned(), AttributeValue::N("1".into())),
        ]);
        if let Some(kind) = kind {
            item.insert("_type".to_owned(), s(kind));
        }
        store.put_attributes(item).await.unwrap();
    }
    let orders = db.table::<Order>();
    let err = orders.get(("c1", 100, "o1")).await.unwrap_err();
    match &err {
        Error::WrongEntity {
            expected,
            found,
            attribute,
            key,
            ..
        } => {
            assert_eq!(expected, "order");
            assert_eq!(found.as_deref(), Some("customer"));
            assert_eq!(attribute, "_type");
            assert_eq!(
                key.as_deref(),
                Some(r#"pk = "CUSTOMER#c1", sk = "ORDER#09223372036854775908#o1""#)
            );
        }
        other => panic!("{other}"),
    }
    assert!(
        err.to_string()
            .contains("is of entity `customer`, not of entity `order` (attribute `_type`)"),
        "{err}"
    );
    let err = orders.get(("c1", 100, "o2")).await.unwrap_err();
    assert!(err.to_string().contains("is of no entity"), "{err}");
    let err = orders.batch_get([("c1", 100, "o1")]).await.unwrap_err();
    assert!(matches!(err, Error::WrongEntity { .. }), "{err}");

    // Writes at that key leave the other entity's item as it is.
    let f = Order::fields();
    let err = orders
        .update(("c1", 100, "o1"))
        .set(f.total, 99)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ConditionFailed { .. }), "{err}");
    let err = orders.delete(("c1", 100, "o1")).await.unwrap_err();
    assert!(matches!(err, Error::ConditionFailed { .. }), "{err}");
    let kept = raw(&db, "CUSTOMER#c1", "ORDER#09223372036854775908#o1")
        .await
        .unwrap();
    assert_eq!(kept["total"], AttributeValue::N("1".into()));
    assert_eq!(kept["_type"], s("customer"));
    // Deleting a missing item stays a no-op.
    orders.delete(("c1", 1, "nothing")).await.unwrap();
}

#[dynamo_model::test(models(Store))]
async fn a_scan_of_an_entity_reads_only_its_items(db: Db) {
    db.table::<Customer>().put(&ada()).await.unwrap();
    let orders = db.table::<Order>();
    for (id, created) in [("o1", 1), ("o2", 2)] {
        orders.put(&order(id, created, Some("new"))).await.unwrap();
    }
    db.table::<Line>().put(&line("o1", 1)).await.unwrap();
    let mut read = orders.scan().all().await.unwrap();
    read.sort_by_key(|o| o.created);
    assert_eq!(
        read,
        [order("o1", 1, Some("new")), order("o2", 2, Some("new"))]
    );
    assert_eq!(db.table::<Customer>().scan().all().await.unwrap(), [ada()]);
    let f = Order::fields();
    let filtered = orders.scan().filter(f.id.eq("o2")).all().await.unwrap();
    assert_eq!(filtered, [order("o2", 2, Some("new"))]);
    let by_status = orders.scan_index("gsi1").all().await.unwrap();
    assert_eq!(by_status.len(), 2);

    // An index that does not project the entity attribute cannot tell the
    // entities apart: refused before any request.
    let err = orders.scan_index("gsi2").all().await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { reason, .. }
            if reason.contains("does not project the entity attribute `_type`")),
        "{err}"
    );
}

#[dynamo_model::test(models(Store))]
async fn an_update_sets_fields_and_never_creates_an_entity_item(db: Db) {
    let orders = db.table::<Order>();
    orders.put(&order("o1", 100, Some("new"))).await.unwrap();
    let f = Order::fields();
    let updated = orders
        .update(("c1", 100, "o1"))
        .set(f.total, 25)
        .await
        .unwrap();
    assert_eq!(updated.total, 25);
    let stored = raw(&db, "CUSTOMER#c1", "ORDER#09223372036854775908#o1")
        .await
        .unwrap();
    assert_eq!(stored["_type"], s("order"));
    assert_eq!(stored["total"], AttributeValue::N("25".into()));

    // A missing item is not created half-made (without its placeholder
    // fields and entity attribute).
    let err = orders
        .update(("c1", 7, "missing"))
        .set(f.total, 1)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::ItemNotFound { lacking, .. } if lacking.contains(&"_type".to_owned())),
        "{err}"
    );
    let err = orders
        .update(("c1", 7, "missing"))
        .set(f.total, 1)
        .upsert()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err}");
    assert!(
        raw(&db, "CUSTOMER#c1", "ORDER#09223372036854775815#missing")
            .await
            .is_none()
    );
}

#[dynamo_model::test(models(Store))]
async fn batches_span_the_entities_of_the_table(db: Db) {
    let lines = db.table::<Line>();
    let all: Vec<Line> = (1..=30).map(|n| line("o1", n)).collect();
    assert_eq!(lines.batch_put(&all).await.unwrap(), 30);
    let read = lines
        .batch_get((1..=30u16).map(|n| ("o1", n)))
        .await
        .unwrap();
    assert_eq!(read, all);
    lines
        .batch_delete((1..=10u16).map(|n| ("o1", n)))
        .await
        .unwrap();
    assert_eq!(lines.scan().all().await.unwrap().len(), 20);
}

#[dynamo_model::test(models(Store))]
async fn a_transaction_spans_the_entities_of_the_table(db: Db) {
    let lines = db.table::<Line>();
    for n in [11, 12, 13] {
        lines.put(&line("o1", n)).await.unwrap();
    }
    let (customers, orders) = (db.table::<Customer>(), db.table::<Order>());
    if !supports(Feature::Transactions) {
        let err = db.transact().put(customers.put(&ada())).await.unwrap_err();
        assert!(matches!(err, Error::Sdk { .. }), "{err:?}");
        assert_eq!(customers.get("c1").await.unwrap(), None);
        lacks(
            Feature::Transactions,
            "that a transaction of entities is an error and writes nothing",
        );
        return;
    }
    db.transact()
        .put(customers.put(&ada()).if_not_exists())
        .put(orders.put(&order("o9", 9, Some("new"))))
        .update(lines.update(("o1", 11)).set(Line::fields().quantity, 3))
        .delete(lines.delete(("o1", 12)))
        .condition_check(lines.check(("o1", 13), Line::fields().quantity.eq(1)))
        .await
        .unwrap();
    assert_eq!(customers.get("c1").await.unwrap(), Some(ada()));
    assert_eq!(
        orders.get(("c1", 9, "o9")).await.unwrap(),
        Some(order("o9", 9, Some("new")))
    );
    assert_eq!(
        lines.get(("o1", 11)).await.unwrap().map(|l| l.quantity),
        Some(3)
    );
    assert_eq!(lines.get(("o1", 12)).await.unwrap(), None);
    let stored = raw(&db, "CUSTOMER#c1", "PROFILE").await.unwrap();
    assert_eq!(stored["_type"], s("customer"));
}

fn seed_orders() -> Vec<Order> {
    vec![order("o1", 1, Some("new")), order("o2", 2, None)]
}

fn seed_customers() -> Vec<Customer> {
    vec![ada()]
}

/// Seeds of two entities go to the one table their definition makes.
#[dynamo_model::test(models(Customer, Order), items(seed_customers, seed_orders))]
async fn fixtures_seed_entities_into_their_shared_table(db: Db) {
    assert_eq!(db.table::<Customer>().get("c1").await.unwrap(), Some(ada()));
    let o2 = raw(&db, "CUSTOMER#c1", "ORDER#09223372036854775810#o2")
        .await
        .unwrap();
    assert_eq!(o2["_type"], s("order"));
}
