//! What `#[derive(DynamoModel)]` produces: the exact `TableSchema` of each
//! model, checked without any network. Where serde is involved, the item
//! serde writes is checked too: every key attribute the schema declares is
//! in it, under that name and with that type.

use std::borrow::Cow;

mod support;
use support::expected::{assert_keys_match_item, gsi, include, key};

use dynamo_model::{
    AttributeType, DynamoModel, KeyType, LocalSecondaryIndex, Projection, TableSchema,
};
use serde::{Deserialize, Serialize};

use AttributeType::{B, N, S};

// ---------------------------------------------------------------------------
// The model of the design document: every kind of annotation at once.

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

#[test]
fn design_example() {
    let expected = TableSchema::from_parts(
        "orders",
        key("customerId", S),
        Some(key("orderId", N)),
        vec![
            gsi(
                "by_status",
                &[("status", S)],
                &[("createdAt", N)],
                Projection::All,
                None,
            ),
            gsi(
                "by_coupon",
                &[("coupon", S)],
                &[],
                include(&["total"]),
                None,
            ),
        ],
        vec![LocalSecondaryIndex::from_parts(
            "by_created",
            key("createdAt", N),
            Projection::KeysOnly,
        )],
        Some("expiresAt".to_owned()),
    );
    assert_eq!(Order::schema(), &expected);

    let order = Order {
        customer_id: "c-1".into(),
        order_id: 7,
        status: "open".into(),
        created_at: 1_700_000_000,
        coupon: Some("SPRING".into()),
        expires_at: Some(1_800_000_000),
        total: 12.5,
    };
    assert_keys_match_item(&order);
}

#[test]
fn schema_is_one_static() {
    assert!(std::ptr::eq(Order::schema(), Order::schema()));
}

// ---------------------------------------------------------------------------
// Table names.

#[derive(DynamoModel)]
#[allow(dead_code)]
struct OrderItem {
    #[hash_key]
    id: String,
}

#[derive(DynamoModel)]
#[allow(dead_code)]
struct HTTPRequestLog {
    #[hash_key]
    id: String,
}

#[derive(DynamoModel)]
#[allow(dead_code)]
#[dynamo(table = "Prod.Orders-v2")]
struct Renamed {
    #[hash_key]
    id: String,
}

#[test]
fn default_table_name_is_snake_case() {
    assert_eq!(OrderItem::schema().table_name(), "order_item");
    assert_eq!(HTTPRequestLog::schema().table_name(), "http_request_log");
    assert_eq!(Renamed::schema().table_name(), "Prod.Orders-v2");
}

#[test]
fn minimal_model_has_only_a_hash_key() {
    let expected = TableSchema::from_parts("order_item", key("id", S), None, vec![], vec![], None);
    assert_eq!(OrderItem::schema(), &expected);
}

// ---------------------------------------------------------------------------
// serde renames: every `rename_all` case, on both table keys.

macro_rules! rename_all_case {
    ($test:ident, $case:tt, $hash:literal, $range:literal) => {
        #[test]
        fn $test() {
            #[derive(DynamoModel, Serialize)]
            #[serde(rename_all = $case)]
            struct Model {
                #[hash_key]
                customer_id: String,
                #[range_key]
                order_number: u32,
            }
            let schema = Model::schema();
            assert_eq!(schema.hash_key(), &key($hash, S));
            assert_eq!(schema.range_key(), Some(&key($range, N)));
            assert_keys_match_item(&Model {
                customer_id: "c".into(),
                order_number: 1,
            });
        }
    };
}

rename_all_case!(
    rename_all_lowercase,
    "lowercase",
    "customer_id",
    "order_number"
);
rename_all_case!(
    rename_all_uppercase,
    "UPPERCASE",
    "CUSTOMER_ID",
    "ORDER_NUMBER"
);
rename_all_case!(
    rename_all_pascal_case,
    "PascalCase",
    "CustomerId",
    "OrderNumber"
);
rename_all_case!(
    rename_all_camel_case,
    "camelCase",
    "customerId",
    "orderNumber"
);
rename_all_case!(
    rename_all_snake_case,
    "snake_case",
    "customer_id",
    "order_number"
);
rename_all_case!(
    rename_all_screaming_snake_case,
    "SCREAMING_SNAKE_CASE",
    "CUSTOMER_ID",
    "ORDER_NUMBER"
);
rename_all_case!(
    rename_all_kebab_case,
    "kebab-case",
    "customer-id",
    "order-number"
);
rename_all_case!(
    rename_all_screaming_kebab_case,
    "SCREAMING-KEBAB-CASE",
    "CUSTOMER-ID",
    "ORDER-NUMBER"
);

/// `rename_all(serialize = ..., deserialize = ...)`: the written names are
/// the attribute names. Field-level renames win over `rename_all`, and other
/// serde arguments are ignored.
#[derive(DynamoModel, Serialize, Deserialize)]
#[serde(
    rename_all(serialize = "PascalCase", deserialize = "snake_case"),
    deny_unknown_fields
)]
struct SerdeNames {
    #[hash_key]
    #[serde(rename = "PK")]
    customer_id: String,
    #[range_key]
    #[serde(rename(serialize = "SK", deserialize = "SK"))]
    sort_key: String,
    #[gsi(name = "by_status", hash_key)]
    #[serde(default, alias = "state")]
    status_code: String,
    #[serde(skip)]
    #[allow(dead_code)]
    cache: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none", rename(deserialize = "note"))]
    note: Option<String>,
}

#[test]
fn serde_renames_decide_attribute_names() {
    let expected = TableSchema::from_parts(
        "serde_names",
        key("PK", S),
        Some(key("SK", S)),
        vec![gsi(
            "by_status",
            &[("StatusCode", S)],
            &[],
            Projection::All,
            None,
        )],
        vec![],
        None,
    );
    assert_eq!(SerdeNames::schema(), &expected);
    assert_keys_match_item(&SerdeNames {
        customer_id: "c".into(),
        sort_key: "s".into(),
        status_code: "open".into(),
        cache: None,
        note: None,
    });
}

/// Raw identifiers are named without `r#`, by serde and by us; `include`
/// may name them either way.
#[derive(DynamoModel, Serialize)]
struct RawIdents {
    #[hash_key]
    r#type: String,
    #[range_key]
    r#match: u64,
    #[gsi(name = "by_loop", hash_key, include = ["in", "r#override"])]
    r#loop: String,
    r#override: bool,
    r#in: u8,
}

#[test]
fn raw_identifiers() {
    let expected = TableSchema::from_parts(
        "raw_idents",
        key("type", S),
        Some(key("match", N)),
        vec![gsi(
            "by_loop",
            &[("loop", S)],
            &[],
            include(&["in", "override"]),
            None,
        )],
        vec![],
        None,
    );
    assert_eq!(RawIdents::schema(), &expected);
    assert_keys_match_item(&RawIdents {
        r#type: "t".into(),
        r#match: 1,
        r#loop: "l".into(),
        r#override: true,
        r#in: 1,
    });
}

// ---------------------------------------------------------------------------
// Key types.

/// Borrowed keys: the static schema names them with `'static` lifetimes.
#[derive(DynamoModel, Serialize)]
struct Borrowed<'a, 'b> {
    #[hash_key]
    id: &'a str,
    #[range_key]
    name: Cow<'b, str>,
    #[gsi(name = "by_label", hash_key)]
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<&'a str>,
}

#[test]
fn lifetimes_in_key_types() {
    let expected = TableSchema::from_parts(
        "borrowed",
        key("id", S),
        Some(key("name", S)),
        vec![gsi("by_label", &[("label", S)], &[], Projection::All, None)],
        vec![],
        None,
    );
    assert_eq!(Borrowed::schema(), &expected);
    let text = String::from("x");
    assert_keys_match_item(&Borrowed {
        id: &text,
        name: Cow::Borrowed("n"),
        label: Some("l"),
    });
}

/// A key newtype of the user's own.
#[derive(Serialize, Deserialize)]
#[serde(transparent)]
struct CustomerId(u64);

impl KeyType for CustomerId {
    const ATTRIBUTE_TYPE: AttributeType = AttributeType::N;
}

#[derive(DynamoModel, Serialize)]
struct Customer {
    #[hash_key]
    id: CustomerId,
    #[gsi(name = "by_referrer", hash_key)]
    #[serde(skip_serializing_if = "Option::is_none")]
    referrer: Option<CustomerId>,
}

#[test]
fn newtype_keys_use_their_key_type() {
    let expected = TableSchema::from_parts(
        "customer",
        key("id", N),
        None,
        vec![gsi(
            "by_referrer",
            &[("referrer", N)],
            &[],
            Projection::All,
            None,
        )],
        vec![],
        None,
    );
    assert_eq!(Customer::schema(), &expected);
    assert_keys_match_item(&Customer {
        id: CustomerId(1),
        referrer: Some(CustomerId(2)),
    });
}

/// A timestamp serde writes as a number: no `KeyType`/`TtlType` for
/// `SystemTime`, so `#[dynamo(type = "N")]` says what it is stored as.
mod epoch_seconds {
    use std::time::{SystemTime, UNIX_EPOCH};

    pub fn serialize<S: serde::Serializer>(t: &SystemTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(t.duration_since(UNIX_EPOCH).unwrap().as_secs())
    }
}

#[derive(DynamoModel, Serialize)]
struct Event {
    #[hash_key]
    #[dynamo(type = "S")]
    #[serde(serialize_with = "as_text")]
    id: [u8; 4],
    #[range_key]
    #[dynamo(type = "N")]
    #[serde(with = "epoch_seconds")]
    at: std::time::SystemTime,
    #[ttl]
    #[dynamo(type = "N")]
    #[serde(with = "epoch_seconds")]
    expires: std::time::SystemTime,
    #[gsi(name = "by_payload", hash_key)]
    #[dynamo(type = "B")]
    #[serde(serialize_with = "as_bytes")]
    payload: Vec<u8>,
}

fn as_text<S: serde::Serializer>(id: &[u8; 4], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format!("{id:?}"))
}

fn as_bytes<S: serde::Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_bytes(bytes)
}

#[test]
fn type_override() {
    let expected = TableSchema::from_parts(
        "event",
        key("id", S),
        Some(key("at", N)),
        vec![gsi(
            "by_payload",
            &[("payload", B)],
            &[],
            Projection::All,
            None,
        )],
        vec![],
        Some("expires".to_owned()),
    );
    assert_eq!(Event::schema(), &expected);
    assert_keys_match_item(&Event {
        id: *b"abcd",
        at: std::time::SystemTime::now(),
        expires: std::time::SystemTime::now(),
        payload: vec![1, 2, 3],
    });
    // An index keyed by a field whose stored type is named is queried by
    // its handle like any other (its type needs no `KeyType`).
    let events = dynamo_model::Db::local("http://127.0.0.1:1").table::<Event>();
    let _query = events.query_index(Event::indexes().by_payload, vec![1u8, 2]);
}

/// Each scalar family, and the optional key types behind features.
#[derive(DynamoModel)]
#[allow(dead_code)]
struct Scalars {
    #[hash_key]
    id: uuid::Uuid,
    #[range_key]
    at: chrono::DateTime<chrono::Utc>,
    #[gsi(name = "by_amount", hash_key)]
    amount: rust_decimal::Decimal,
    #[gsi(name = "by_amount", range_key)]
    small: std::num::NonZeroU8,
    #[gsi(name = "by_blob", hash_key)]
    blob: bytes::Bytes,
    #[gsi(name = "by_blob", range_key)]
    float: f32,
    #[gsi(name = "by_text", hash_key)]
    text: Box<str>,
    #[ttl]
    ttl: u64,
}

#[test]
fn key_types_of_common_scalars() {
    let expected = TableSchema::from_parts(
        "scalars",
        key("id", S),
        Some(key("at", S)),
        vec![
            gsi(
                "by_amount",
                &[("amount", N)],
                &[("small", N)],
                Projection::All,
                None,
            ),
            gsi(
                "by_blob",
                &[("blob", B)],
                &[("float", N)],
                Projection::All,
                None,
            ),
            gsi("by_text", &[("text", S)], &[], Projection::All, None),
        ],
        vec![],
        Some("ttl".to_owned()),
    );
    assert_eq!(Scalars::schema(), &expected);
}

/// The schema is reachable through the trait, e.g. from generic code.
fn table_of<M: DynamoModel>() -> &'static str {
    M::schema().table_name()
}

#[test]
fn usable_through_the_trait() {
    assert_eq!(table_of::<Order>(), "orders");
    assert_eq!(table_of::<Borrowed<'_, '_>>(), "borrowed");
}
