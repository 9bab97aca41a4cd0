//! Item shapes (issue 22, step 1): items stored at older shapes read as the
//! newest struct through every read (get, query, scan, batch get, a stream
//! over DynamoDB Streams and a Lambda event), a put stores
//! the newest shape, and a shape newer than the code knows is refused.
//! Old items are written by models of the older shapes on the same table.

mod support;

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

/// An item as code before shapes wrote it.
async fn put_v1(db: &Db, id: &str, total: f64) {
    db.table::<WrittenV1>()
        .put(&WrittenV1 {
            id: id.into(),
            total,
        })
        .await
        .unwrap();
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
    put_v1(&db, "o1", 12.5).await;
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
    for expected in &scanned {
        let queried: Vec<Order> = orders.query(expected.id.as_str()).all().await.unwrap();
        assert_eq!(queried, std::slice::from_ref(expected));
    }

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

    // Nor is it rewritten: an update says the item is newer (not older),
    // and a put of this older code fails its condition on the shape
    // attribute instead of storing shape 3 over shape 4 (issue 31, point 10).
    let err = orders
        .update("o9")
        .set(Order::fields().cents, 1u64)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::ShapeUnknown { stored: 4, newest: 3, key: Some(key), .. } if key.contains("o9")),
        "{err:?}"
    );
    assert!(err.to_string().contains("written by newer code"), "{err}");
    let err = orders.put(&order("o9", 5)).await.unwrap_err();
    assert!(
        matches!(
            &err,
            Error::ShapeUnknown {
                stored: 4,
                newest: 3,
                ..
            }
        ),
        "{err:?}"
    );
    if support::backend::supports(support::backend::Feature::Transactions) {
        let err = db
            .transact()
            .put(orders.put(&order("o9", 5)))
            .await
            .unwrap_err();
        let Error::TransactionCanceled { reasons, .. } = &err else {
            panic!("{err:?}")
        };
        let message = reasons[0].message.as_deref().unwrap_or_default();
        assert!(message.contains("newer than this code's 3"), "{err}");
    }
    let stored: Vec<Stored> = orders.scan().as_type::<Stored>().all().await.unwrap();
    assert_eq!(
        stored,
        [Stored {
            id: "o9".into(),
            shape: Some(4)
        }],
        "the newer item is as newer code left it"
    );
    // An item of an older or the same shape is put over as ever.
    put_v1(&db, "o1", 1.0).await;
    orders.put(&order("o1", 100)).await.unwrap();
    orders.put(&order("o1", 200)).await.unwrap();
    assert_eq!(orders.get("o1").await.unwrap(), Some(order("o1", 200)));
}

/// An update of an item at an older shape is refused, leaving it as it is
/// (an update would mix two shapes); one at the newest shape goes through,
/// and an upsert that creates the item stores the newest shape.
#[dynamo_model::test(models(Order))]
async fn an_update_of_an_older_item_is_refused_and_writes_nothing(db: Db) {
    put_v1(&db, "o1", 12.5).await;
    let orders = db.table::<Order>();
    let f = Order::fields();
    let err = orders.update("o1").set(f.cents, 1u64).await.unwrap_err();
    assert!(
        matches!(&err, Error::ShapeOutdated { stored: 1, newest: 3, key, .. } if key.contains("o1")),
        "{err}"
    );
    assert_eq!(orders.get("o1").await.unwrap(), Some(order("o1", 1250)));

    // Upgraded by a put, it updates.
    orders.put(&order("o1", 1250)).await.unwrap();
    let updated = orders.update("o1").set(f.cents, 1u64).await.unwrap();
    assert_eq!(updated, order("o1", 1));

    let created = orders
        .update("o5")
        .set(f.cents, 5u64)
        .set(f.currency, "USD")
        .upsert()
        .await
        .unwrap();
    assert_eq!(created.cents, 5);
    let stored: Vec<Stored> = orders.scan().as_type::<Stored>().all().await.unwrap();
    assert!(stored.iter().all(|s| s.shape == Some(3)), "{stored:?}");
}

/// In a transaction too: the update's outcome says the item is at an
/// older shape, and nothing of the transaction is written.
#[dynamo_model::test(models(Order))]
async fn a_transaction_updating_an_older_item_is_canceled_and_says_why(db: Db) {
    use support::backend::{lacks, supports, Feature};
    put_v1(&db, "o1", 12.5).await;
    let orders = db.table::<Order>();
    let f = Order::fields();
    if !supports(Feature::Transactions) {
        let err = db
            .transact()
            .update(orders.update("o1").set(f.cents, 1u64))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Sdk { .. }), "{err:?}");
        lacks(
            Feature::Transactions,
            "that a transaction with the update is an error and writes nothing",
        );
    } else {
        let err = db
            .transact()
            .put(orders.put(&order("o9", 900)))
            .update(orders.update("o1").set(f.cents, 1u64))
            .await
            .unwrap_err();
        let Error::TransactionCanceled { reasons, .. } = &err else {
            panic!("{err:?}");
        };
        assert_eq!(reasons[1].code.as_deref(), Some("ConditionalCheckFailed"));
        let message = reasons[1].message.as_deref().unwrap_or_default();
        assert!(
            message.contains("stored at shape 1, older than the model's 3"),
            "{err}"
        );
        assert_eq!(orders.get("o9").await.unwrap(), None);
    }
    assert_eq!(orders.get("o1").await.unwrap(), Some(order("o1", 1250)));
}

/// A stream change of a shaped model decodes each image from its own
/// shape (here a Lambda event: an old image at shape 1, a new one at 3).
#[test]
fn a_change_decodes_each_image_from_its_shape() {
    use dynamo_model::stream::lambda::{self, Event};
    let event: Event = serde_json::from_value(serde_json::json!({ "Records": [{
        "eventID": "1", "eventName": "MODIFY", "eventVersion": "1.1",
        "eventSource": "aws:dynamodb", "awsRegion": "us-east-1",
        "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000",
        "dynamodb": {
            "Keys": { "id": { "S": "o1" } },
            "OldImage": { "id": { "S": "o1" }, "total": { "N": "12.5" } },
            "NewImage": { "id": { "S": "o1" }, "cents": { "N": "1300" }, "currency": { "S": "EUR" }, "_shape": { "N": "3" } },
            "SequenceNumber": "100", "SizeBytes": 60, "StreamViewType": "NEW_AND_OLD_IMAGES"
        }
    }]}))
    .unwrap();
    let changes = lambda::changes::<Order>(event);
    let change = changes.into_iter().next().unwrap().unwrap();
    assert_eq!(change.old_image().unwrap(), Some(&order("o1", 1250)));
    assert_eq!(change.new_image().unwrap(), Some(&order("o1", 1300)));
}

/// A table's stream read over the DynamoDB Streams API decodes each image
/// from its own shape: a shape-1 item written by old code, then overwritten
/// by the model, reads as an insert of the upgraded item and a modify from
/// it. dynalite has no streams (see `tests/streams.rs` for its error).
#[dynamo_model::test(models(Order), stream = NewAndOldImages)]
async fn a_stream_read_decodes_each_image_from_its_shape(db: Db) {
    use dynamo_model::{ChangeKind, StartingPosition};
    use support::backend::{lacks, supports, Feature};
    if !supports(Feature::Streams) {
        lacks(
            Feature::Streams,
            "the shaped decode of Lambda events (a_change_decodes_each_image_from_its_shape)",
        );
        return;
    }
    put_v1(&db, "o1", 12.5).await;
    let orders = db.table::<Order>();
    orders.put(&order("o1", 1300)).await.unwrap();
    let mut changes = Box::pin(orders.changes(StartingPosition::TrimHorizon));
    let seen = support::changes::take_changes(&mut changes, 2, |change| {
        (
            change.kind(),
            change.old_image().unwrap().cloned(),
            change.new_image().unwrap().cloned(),
        )
    })
    .await;
    assert_eq!(
        seen,
        [
            (ChangeKind::Insert, None, Some(order("o1", 1250))),
            (
                ChangeKind::Modify,
                Some(order("o1", 1250)),
                Some(order("o1", 1300))
            ),
        ]
    );
    support::changes::nothing_more(&mut changes).await;
}

/// The shape attribute is configurable: `shape_attribute = "_v"`.
#[dynamo_model::test(models(Order))]
async fn the_shape_attribute_is_named_by_the_model(db: Db) {
    #[derive(ItemShape, Deserialize)]
    #[dynamo(shape = 1)]
    struct NoteV1 {
        id: String,
    }

    #[derive(DynamoModel, Serialize, Deserialize, Debug, PartialEq)]
    #[dynamo(table = "orders", shape = 2, upgrades_from = NoteV1, shape_attribute = "_v")]
    struct Note {
        #[hash_key]
        id: String,
        pages: u32,
    }

    impl From<NoteV1> for Note {
        fn from(old: NoteV1) -> Self {
            Note {
                id: old.id,
                pages: 1,
            }
        }
    }

    #[derive(Deserialize)]
    struct StoredV {
        id: String,
        #[serde(rename = "_v")]
        v: Option<u32>,
        #[serde(rename = "_shape")]
        shape: Option<u32>,
    }

    let notes = db.table::<Note>();
    put_v1(&db, "n1", 1.0).await;
    assert_eq!(
        notes.get("n1").await.unwrap(),
        Some(Note {
            id: "n1".into(),
            pages: 1
        })
    );
    notes
        .put(&Note {
            id: "n2".into(),
            pages: 3,
        })
        .await
        .unwrap();
    let stored: Vec<StoredV> = notes.scan().as_type::<StoredV>().all().await.unwrap();
    let n2 = stored.iter().find(|s| s.id == "n2").unwrap();
    assert_eq!((n2.v, n2.shape), (Some(2), None));
}
