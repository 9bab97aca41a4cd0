//! The type table's invariant, on a real server: for every Rust type a key can
//! have, the attribute type the table declares equals the type serde gives the
//! key in the item, and an item written through the items API (`put`, and
//! `get` by the item's key) reads back equal and is stored exactly as
//! serde_dynamo encodes it, also through a sparse (`Option`) index key of the
//! same type.

mod support;

use std::collections::HashMap;

use dynamo_model::aws_sdk_dynamodb::types::AttributeValue;
use dynamo_model::{AttributeType, CreateTableOptions, Db, DynamoModel};
use serde::{de::DeserializeOwned, Deserialize, Serialize};

/// The scalar type of a stored attribute value (None for L, M, BOOL, ...).
fn stored_type(value: &AttributeValue) -> Option<AttributeType> {
    match value {
        AttributeValue::S(_) => Some(AttributeType::S),
        AttributeValue::N(_) => Some(AttributeType::N),
        AttributeValue::B(_) => Some(AttributeType::B),
        _ => None,
    }
}

/// Creates `M`'s table, checks declared == stored type for `key` and `alt`,
/// writes `item`, reads it back by key, and checks it is equal.
async fn round_trip<M>(db: &Db, item: M)
where
    M: DynamoModel + Serialize + DeserializeOwned + PartialEq + std::fmt::Debug + 'static,
    for<'k> &'k dynamo_model::ItemKey: dynamo_model::IntoKey<M::Key>,
{
    let table = db
        .table::<M>()
        .create(CreateTableOptions::new().wait(true))
        .await
        .unwrap();
    let declared: HashMap<&str, &str> = table
        .attribute_definitions()
        .iter()
        .map(|d| (d.attribute_name(), d.attribute_type().as_str()))
        .collect();
    let stored: HashMap<String, AttributeValue> = serde_dynamo::to_item(&item).unwrap();
    for attribute in ["key", "alt"] {
        let inferred = M::schema()
            .key_attributes()
            .into_iter()
            .find(|k| k.name() == attribute)
            .unwrap()
            .attribute_type();
        assert_eq!(
            declared[attribute],
            inferred.as_str(),
            "{attribute}: declared vs inferred"
        );
        assert_eq!(
            stored_type(&stored[attribute]),
            Some(inferred),
            "{attribute}: serde stored {:?}, the table declares {inferred}",
            stored[attribute]
        );
    }

    let table_name = table.table_name().unwrap().to_owned();
    let handle = db.table::<M>();
    handle.put(&item).await.unwrap();
    let key = handle.key_of(&item).unwrap();
    let read = handle.get(&key).consistent_read().await.unwrap();
    assert_eq!(
        read.as_ref(),
        Some(&item),
        "read back through the items API"
    );
    let raw = db
        .client()
        .get_item()
        .table_name(&table_name)
        .key("key", stored["key"].clone())
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item
        .expect("the item just written");
    assert_eq!(raw, stored, "stored exactly as serde_dynamo encodes it");

    // The sparse index holds the item, found by the Option key's value.
    let in_index = db
        .client()
        .scan()
        .table_name(&table_name)
        .index_name("by_alt")
        .send()
        .await
        .unwrap();
    assert_eq!(in_index.count(), 1);
}

macro_rules! key_type_round_trip {
    ($($test:ident: $ty:ty = $value:expr $(, serde($($serde:tt)*))? ;)*) => {$(
        #[tokio::test]
        async fn $test() {
            #[derive(DynamoModel, Serialize, Deserialize, Debug, PartialEq)]
            struct Item {
                #[hash_key]
                $(#[serde($($serde)*)])?
                key: $ty,
                #[gsi(name = "by_alt", hash_key)]
                #[serde(default)]
                #[serde(skip_serializing_if = "Option::is_none")]
                alt: Option<Wrapped>,
            }
            // `alt` carries the same type through a newtype so that a
            // `serde(with)` adapter applies to it as well.
            #[derive(Serialize, Deserialize, Debug, PartialEq)]
            #[serde(transparent)]
            struct Wrapped($(#[serde($($serde)*)])? $ty);
            impl dynamo_model::KeyType for Wrapped {
                const ATTRIBUTE_TYPE: AttributeType = <$ty as dynamo_model::KeyType>::ATTRIBUTE_TYPE;
            }

            let (_scratch, db) = support::server::scratch_db().await;
            round_trip(&db, Item { key: $value, alt: Some(Wrapped($value)) }).await;
        }
    )*};
}

key_type_round_trip! {
    string: String = String::from("user#1");
    boxed_str: Box<str> = Box::from("user#1");
    cow_str: std::borrow::Cow<'static, str> = std::borrow::Cow::Borrowed("user#1");
    arc_str: std::sync::Arc<str> = std::sync::Arc::from("user#1");
    i8_key: i8 = -8;
    i16_key: i16 = -16;
    i32_key: i32 = -32;
    i64_key: i64 = i64::MIN;
    isize_key: isize = -1;
    u8_key: u8 = 8;
    u16_key: u16 = 16;
    u32_key: u32 = 32;
    u64_key: u64 = u64::MAX;
    usize_key: usize = 7;
    f32_key: f32 = 1.5;
    f64_key: f64 = -2.25;
    nonzero_key: std::num::NonZeroU64 = std::num::NonZeroU64::new(42).unwrap();
    nonzero_signed_key: std::num::NonZeroI32 = std::num::NonZeroI32::new(-42).unwrap();
    uuid_key: uuid::Uuid = uuid::Uuid::from_u128(0x1234_5678_9abc_def0_1234_5678_9abc_def0);
    chrono_utc_key: chrono::DateTime<chrono::Utc> =
        chrono::DateTime::from_timestamp(1_700_000_000, 5).unwrap();
    chrono_naive_key: chrono::NaiveDate = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    time_key: time::OffsetDateTime = time::macros::datetime!(2026-11-23 14:00:00 UTC),
        serde(with = "time::serde::rfc3339");
    decimal_key: rust_decimal::Decimal = rust_decimal::Decimal::new(12345, 2),
        serde(with = "rust_decimal::serde::float");
    byte_buf_key: serde_bytes::ByteBuf = serde_bytes::ByteBuf::from(vec![0_u8, 1, 2, 255]);
    bytes_key: bytes::Bytes = bytes::Bytes::from_static(&[0, 1, 2, 255]);
    blob_key: dynamo_model::aws_sdk_dynamodb::primitives::Blob =
        dynamo_model::aws_sdk_dynamodb::primitives::Blob::new(vec![0_u8, 1, 2, 255]),
        serde(with = "dynamo_model::blob_serde");
}

/// `&str` keys serialize like `String`; a borrowed model cannot be read back
/// through serde_dynamo, so only the write side is checked.
#[tokio::test]
async fn borrowed_str_key_is_stored_as_s() {
    #[derive(DynamoModel, Serialize)]
    struct Borrowed<'a> {
        #[hash_key]
        key: &'a str,
    }
    let (_scratch, db) = support::server::scratch_db().await;
    assert_eq!(
        Borrowed::schema().hash_key().attribute_type(),
        AttributeType::S
    );
    let table = db
        .table::<Borrowed>()
        .create(CreateTableOptions::new().wait(true))
        .await
        .unwrap();
    let item: HashMap<String, AttributeValue> =
        serde_dynamo::to_item(Borrowed { key: "k" }).unwrap();
    assert_eq!(item["key"], AttributeValue::S("k".into()));
    db.client()
        .put_item()
        .table_name(table.table_name().unwrap())
        .set_item(Some(item))
        .send()
        .await
        .unwrap();
}

/// `#[dynamo(type = "...")]` names the stored type when `serde(with)` changes it.
#[tokio::test]
async fn type_override_matches_a_serde_with_adapter() {
    #[derive(DynamoModel, Serialize, Deserialize, Debug, PartialEq)]
    struct Event {
        #[hash_key]
        #[dynamo(type = "N")]
        #[serde(with = "time::serde::timestamp")]
        key: time::OffsetDateTime,
        #[gsi(name = "by_alt", hash_key)]
        #[dynamo(type = "S")]
        #[serde(with = "time::serde::rfc3339::option")]
        #[serde(skip_serializing_if = "Option::is_none")]
        alt: Option<time::OffsetDateTime>,
    }
    let (_scratch, db) = support::server::scratch_db().await;
    let at = time::macros::datetime!(2026-11-23 14:00:00 UTC);
    round_trip(
        &db,
        Event {
            key: at,
            alt: Some(at),
        },
    )
    .await;
}
