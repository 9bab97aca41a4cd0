//! The models the item benchmarks share: an order of about 1 KB and a tiny
//! item, with the key a hand-written SDK call sends for each.

use std::collections::HashMap;

use dynamo_model::aws_sdk_dynamodb::types::AttributeValue;
use dynamo_model::{DynamoModel, DynamoTable};
use serde::{Deserialize, Serialize};

/// An order of about 1 KB, as a service would store it.
#[derive(DynamoModel, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[dynamo(table = "bench_orders")]
#[serde(rename_all = "camelCase")]
pub struct Order {
    #[hash_key]
    pub customer_id: String,
    #[range_key]
    pub order_id: u64,
    #[gsi(name = "by_status", hash_key)]
    pub status: String,
    pub total: f64,
    pub retries: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon: Option<String>,
    pub lines: Vec<Line>,
    pub note: String,
}

/// The shared table `EntityOrder` is an entity of: string keys and one
/// index, as `Order`'s table has.
#[derive(DynamoTable)]
#[dynamo(
    name = "bench_app",
    hash_key = "pk",
    range_key = "sk",
    gsi(name = "gsi1", hash_key = "gsi1pk")
)]
pub struct BenchApp;

/// `Order` as one entity of a shared table: the same fields, its keys and
/// index key written from templates, its name in `_type`.
#[derive(DynamoModel, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[dynamo(table = BenchApp, entity = "order", pk = "CUSTOMER#{customer_id}",
         sk = "ORDER#{order_id}", gsi1(pk = "STATUS#{status}"))]
#[serde(rename_all = "camelCase")]
pub struct EntityOrder {
    pub customer_id: String,
    pub order_id: u64,
    pub status: String,
    pub total: f64,
    pub retries: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon: Option<String>,
    pub lines: Vec<Line>,
    pub note: String,
}

/// The entity's stored item as a model of its own table: the key
/// attributes and entity attribute are plain fields the caller fills, as a
/// single-table design without entity models is written. What the entity is
/// measured against for "the same item in a one-model table".
#[derive(DynamoModel, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[dynamo(table = "bench_keyed")]
#[serde(rename_all = "camelCase")]
pub struct KeyedOrder {
    #[hash_key]
    #[serde(rename = "pk")]
    pub pk: String,
    #[range_key]
    #[serde(rename = "sk")]
    pub sk: String,
    #[gsi(name = "gsi1", hash_key)]
    #[serde(rename = "gsi1pk")]
    pub gsi1pk: String,
    #[serde(rename = "_type")]
    pub entity: String,
    pub customer_id: String,
    pub order_id: u64,
    pub status: String,
    pub total: f64,
    pub retries: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon: Option<String>,
    pub lines: Vec<Line>,
    pub note: String,
}

pub fn keyed_order(i: u64) -> KeyedOrder {
    let o = order(i);
    KeyedOrder {
        pk: format!("CUSTOMER#{}", o.customer_id),
        sk: format!("ORDER#{:020}", o.order_id),
        gsi1pk: format!("STATUS#{}", o.status),
        entity: "order".to_owned(),
        customer_id: o.customer_id,
        order_id: o.order_id,
        status: o.status,
        total: o.total,
        retries: o.retries,
        coupon: o.coupon,
        lines: o.lines,
        note: o.note,
    }
}

pub fn entity_order(i: u64) -> EntityOrder {
    let o = order(i);
    EntityOrder {
        customer_id: o.customer_id,
        order_id: o.order_id,
        status: o.status,
        total: o.total,
        retries: o.retries,
        coupon: o.coupon,
        lines: o.lines,
        note: o.note,
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Line {
    pub sku: String,
    pub quantity: u32,
    pub price: f64,
}

/// The smallest useful item: a key and one number (about 20 bytes), where
/// the library's own work per item weighs most against the encoding.
#[derive(DynamoModel, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[dynamo(table = "bench_tiny")]
pub struct Tiny {
    #[hash_key]
    pub id: String,
    pub n: u32,
}

pub fn tiny(i: u64) -> Tiny {
    Tiny {
        id: format!("t{i}"),
        n: i as u32,
    }
}

/// A model the benchmark runs, with its key as the SDK call by hand sends it.
pub trait Bench:
    DynamoModel + Serialize + serde::de::DeserializeOwned + Send + Sync + 'static
{
    fn raw_key(&self) -> HashMap<String, AttributeValue>;

    /// The item as a hand-written call stores it.
    fn raw_item(&self) -> HashMap<String, AttributeValue> {
        serde_dynamo::to_item(self).unwrap()
    }
}

impl Bench for Order {
    fn raw_key(&self) -> HashMap<String, AttributeValue> {
        HashMap::from([
            (
                "customerId".to_owned(),
                AttributeValue::S(self.customer_id.clone()),
            ),
            (
                "orderId".to_owned(),
                AttributeValue::N(self.order_id.to_string()),
            ),
        ])
    }
}

impl Bench for EntityOrder {
    fn raw_key(&self) -> HashMap<String, AttributeValue> {
        HashMap::from([
            (
                "pk".to_owned(),
                AttributeValue::S(format!("CUSTOMER#{}", self.customer_id)),
            ),
            (
                "sk".to_owned(),
                AttributeValue::S(format!("ORDER#{:020}", self.order_id)),
            ),
        ])
    }

    /// With the key attributes and entity attribute written by hand, as a
    /// single-table design without the library writes them.
    fn raw_item(&self) -> HashMap<String, AttributeValue> {
        let mut item: HashMap<String, AttributeValue> = serde_dynamo::to_item(self).unwrap();
        item.extend(self.raw_key());
        item.insert(
            "gsi1pk".to_owned(),
            AttributeValue::S(format!("STATUS#{}", self.status)),
        );
        item.insert("_type".to_owned(), AttributeValue::S("order".to_owned()));
        item
    }
}

impl Bench for KeyedOrder {
    fn raw_key(&self) -> HashMap<String, AttributeValue> {
        HashMap::from([
            ("pk".to_owned(), AttributeValue::S(self.pk.clone())),
            ("sk".to_owned(), AttributeValue::S(self.sk.clone())),
        ])
    }
}

impl Bench for Tiny {
    fn raw_key(&self) -> HashMap<String, AttributeValue> {
        HashMap::from([("id".to_owned(), AttributeValue::S(self.id.clone()))])
    }
}

pub fn order(i: u64) -> Order {
    Order {
        customer_id: format!("customer-{}", i % 97),
        order_id: i,
        status: "new".into(),
        total: 123.45,
        retries: 0,
        coupon: i.is_multiple_of(2).then(|| "WELCOME".into()),
        lines: (0..8)
            .map(|n| Line {
                sku: format!("sku-{n:04}-{i}"),
                quantity: n + 1,
                price: 9.99,
            })
            .collect(),
        note: "x".repeat(600),
    }
}

/// PutItem of `item` as written by hand: serde_dynamo and the SDK.
pub async fn put_by_hand<M: Bench>(
    client: &dynamo_model::aws_sdk_dynamodb::Client,
    table: &str,
    item: &M,
) {
    let attributes = item.raw_item();
    client
        .put_item()
        .table_name(table)
        .set_item(Some(attributes))
        .send()
        .await
        .unwrap();
}

/// GetItem of `item`'s key as written by hand, decoded by serde_dynamo.
pub async fn get_by_hand<M: Bench>(
    client: &dynamo_model::aws_sdk_dynamodb::Client,
    table: &str,
    item: &M,
) -> M {
    let read = client
        .get_item()
        .table_name(table)
        .set_key(Some(item.raw_key()))
        .send()
        .await
        .unwrap();
    serde_dynamo::from_item(read.item.unwrap()).unwrap()
}
