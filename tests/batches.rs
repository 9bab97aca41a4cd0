//! Batches on a real server: 2,500 items put, read back and deleted in
//! requests of 25 and 100; a key given twice; versioned models refused.

mod support;

use std::collections::HashSet;

use dynamo_model::{Db, DynamoModel, Error};
use serde::{Deserialize, Serialize};

#[derive(DynamoModel, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[dynamo(table = "readings")]
struct Reading {
    #[hash_key]
    sensor: String,
    #[range_key]
    at: u64,
    value: f64,
    note: String,
}

fn reading(i: u64) -> Reading {
    Reading {
        sensor: format!("s{}", i % 10),
        at: i,
        value: i as f64 / 4.0,
        note: "n".repeat(100),
    }
}

#[dynamo_model::test(models(Reading))]
async fn batches_of_2500_items_write_read_and_delete_everything(db: Db) {
    let readings = db.table::<Reading>();
    let items: Vec<Reading> = (0..2500).map(reading).collect();
    assert_eq!(readings.batch_put(&items).await.unwrap(), 2500);

    let keys: Vec<(String, u64)> = items.iter().map(|r| (r.sensor.clone(), r.at)).collect();
    let read = readings.batch_get(keys.clone()).await.unwrap();
    assert_eq!(read, items, "every item, in the order of its key");
    let scanned = readings.scan().segments(4).all().await.unwrap();
    assert_eq!(scanned.len(), 2500);

    // Keys with no item are left out; a key twice is read once.
    let some = readings
        .batch_get([("s1", 1), ("s1", 1), ("s9", 999_999), ("s2", 2)])
        .consistent_read()
        .await
        .unwrap();
    assert_eq!(some, [reading(1), reading(2)]);

    assert_eq!(
        readings
            .batch_delete(keys[..1000].to_vec())
            .concurrency(3)
            .await
            .unwrap(),
        1000
    );
    let left: HashSet<u64> = readings
        .scan()
        .all()
        .await
        .unwrap()
        .iter()
        .map(|r| r.at)
        .collect();
    assert_eq!(left, (1000..2500).collect::<HashSet<_>>());
}

#[dynamo_model::test(models(Reading))]
async fn a_key_twice_in_one_batch_is_one_write_the_last(db: Db) {
    let readings = db.table::<Reading>();
    let mut second = reading(1);
    second.note = "second".into();
    let written = readings
        .batch_put(&[reading(1), reading(2), second.clone()])
        .await
        .unwrap();
    assert_eq!(written, 2);
    assert_eq!(readings.get(("s1", 1)).await.unwrap(), Some(second));
    assert_eq!(readings.batch_put(&[]).await.unwrap(), 0);
}

#[derive(DynamoModel, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[dynamo(table = "accounts")]
struct Account {
    #[hash_key]
    id: String,
    #[version]
    version: u64,
}

#[dynamo_model::test(models(Account))]
async fn a_batch_cannot_check_versions_so_it_is_refused(db: Db) {
    let err = db
        .table::<Account>()
        .batch_put(&[Account {
            id: "a".into(),
            version: 0,
        }])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err}");
    assert!(err.to_string().contains("#[version]"), "{err}");
    assert_eq!(db.table::<Account>().get("a").await.unwrap(), None);
}
