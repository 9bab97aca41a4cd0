//! Item shapes (issue 22, step 1): items stored at older shapes read as the
//! newest struct through every read (get, scan, batch get), a put stores
//! the newest shape, and a shape newer than the code knows is refused.
//! Old items are written by models of the older shapes on the same table.

use dynamo_model::{Db, DynamoModel, Error, ItemShape};
use serde::{Deserialize, Serialize};

#[derive(ItemShape, Deserialize)]
#[dynamo(shape = 1)]
struct OrderV1 {
    id: String,
    total: f64,
}

#[derive(ItemShape, Deserialize)]
#[dynamo(shape = 2, upgrades_from = OrderV1)]
struct OrderV2 {
    id: String,
    cents: u64,
}

impl From<OrderV1> for OrderV2 {
    fn from(old: OrderV1) -> Self {
        OrderV2 {
            id: old.id,
            cents: (old.total * 100.0).round() as u64,
        }
    }
}

#[derive(DynamoModel, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[dynamo(table = "orders", shape = 3, upgrades_from = OrderV2)]
struct Order {
    #[hash_key]
    id: String,
    cents: u64,
    currency: String,
}

impl From<OrderV2> for Order {
    fn from(old: OrderV2) -> Self {
        Order {
            id: old.id,
            cents: old.cents,
            currency: "EUR".into(),
        }
    }
}

/// What code before shapes wrote: no shape attribute (shape 1).
#[derive(DynamoModel, Serialize)]
#[dynamo(table = "orders")]
struct WrittenV1 {
    #[hash_key]
    id: String,
    total: f64,
}

/// What the code of shape 2 wrote.
#[derive(DynamoModel, Serialize, Deserialize)]
#[dynamo(table = "orders", shape = 2)]
struct WrittenV2 {
    #[hash_key]
    id: String,
    cents: u64,
}

/// What newer code writes.
#[derive(DynamoModel, Serialize, Deserialize)]
#[dynamo(table = "orders", shape = 4)]
struct WrittenV4 {
    #[hash_key]
    id: String,
    cents: u64,
    currency: String,
    vat: u64,
}

/// An item's attributes as stored, shape included.
#[derive(Deserialize, Debug, PartialEq)]
struct Stored {
    id: String,
    #[serde(rename = "_shape")]
    shape: Option<u32>,
}

fn order(id: &str, cents: u64) -> Order {
    Order {
        id: id.into(),
        cents,
        currency: "EUR".into(),
    }
}

#[dynamo_model::test(models(Order))]
async fn items_of_every_older_shape_read_as_the_newest(db: Db) {
    db.table::<WrittenV1>()
        .put(&WrittenV1 {
            id: "o1".into(),
            total: 12.5,
        })
        .await
        .unwrap();
    db.table::<WrittenV2>()
        .put(&WrittenV2 {
            id: "o2".into(),
            cents: 700,
        })
        .await
        .unwrap();
    let orders = db.table::<Order>();
    orders.put(&order("o3", 900)).await.unwrap();

    assert_eq!(orders.get("o1").await.unwrap(), Some(order("o1", 1250)));
    assert_eq!(orders.get("o2").await.unwrap(), Some(order("o2", 700)));
    assert_eq!(orders.get("o3").await.unwrap(), Some(order("o3", 900)));
    let mut scanned: Vec<Order> = orders.scan().all().await.unwrap();
    scanned.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(
        scanned,
        [order("o1", 1250), order("o2", 700), order("o3", 900)]
    );
    let mut got: Vec<Order> = orders.batch_get(["o1", "o2", "o3"]).await.unwrap();
    got.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(got, scanned);

    // A put stores the newest shape; a read `as_type` sees the item as
    // stored, with no upgrade.
    orders.put(&order("o1", 1250)).await.unwrap();
    let mut stored: Vec<Stored> = orders.scan().as_type::<Stored>().all().await.unwrap();
    stored.sort_by(|a, b| a.id.cmp(&b.id));
    let shapes: Vec<Option<u32>> = stored.iter().map(|s| s.shape).collect();
    assert_eq!(shapes, [Some(3), Some(2), Some(3)]);
}

#[dynamo_model::test(models(Order))]
async fn an_item_of_a_newer_shape_is_refused_not_guessed(db: Db) {
    db.table::<WrittenV4>()
        .put(&WrittenV4 {
            id: "o9".into(),
            cents: 100,
            currency: "EUR".into(),
            vat: 21,
        })
        .await
        .unwrap();
    let orders = db.table::<Order>();
    let err = orders.get("o9").await.unwrap_err();
    assert!(
        matches!(&err, Error::ShapeUnknown { stored: 4, newest: 3, key: Some(key), .. } if key.contains("o9")),
        "{err}"
    );
    let err = orders.scan().all().await.unwrap_err();
    assert!(
        matches!(&err, Error::ShapeUnknown { stored: 4, .. }),
        "{err}"
    );
    assert_eq!(<Order as ItemShape>::SHAPE, 3);
}
