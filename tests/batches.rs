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

#[derive(DynamoModel, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[dynamo(table = "measures")]
struct Measure {
    #[hash_key]
    x: f64,
    label: String,
}

/// Numbers the server spells its own way (`0` for `-0`, `100` for `1e2`)
/// are matched to their keys by value: nothing requested and present is
/// left out of a batch_get.
#[dynamo_model::test(models(Measure))]
async fn batch_get_matches_number_keys_by_value_not_by_text(db: Db) {
    let measures = db.table::<Measure>();
    let mut xs = vec![
        -0.0,
        1.0,
        100.0,
        1e2 + 0.5,
        0.1,
        1e-100,
        1.5e125,
        -2.5,
        123_456_789.125,
        9_007_199_254_740_993.0,
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..190 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let magnitude = 10f64.powi((seed % 60) as i32 - 30);
        let sign = if seed & 1 == 0 { 1.0 } else { -1.0 };
        xs.push(sign * magnitude * ((seed >> 12) % 1_000_000) as f64 / 1_000.0);
    }
    xs.sort_by(f64::total_cmp);
    xs.dedup_by(|a, b| a == b); // -0.0 == 0.0: DynamoDB's rule too
    let items: Vec<Measure> = xs
        .iter()
        .map(|&x| Measure {
            x,
            label: format!("{x:e}"),
        })
        .collect();
    assert_eq!(measures.batch_put(&items).await.unwrap(), items.len());
    let read = measures.batch_get(xs.clone()).await.unwrap();
    assert_eq!(read.len(), xs.len(), "every key requested and present");
    for (item, x) in read.iter().zip(&xs) {
        assert_eq!(item.x, *x);
    }
    // -0.0 and 0.0 are one key: read once, found although stored as `0`.
    let zero = measures.batch_get([-0.0, 0.0]).await.unwrap();
    assert_eq!(zero.len(), 1);
    assert_eq!(zero[0].x, 0.0);
}

#[derive(DynamoModel, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[dynamo(table = "blobs")]
struct Blob {
    #[hash_key]
    id: serde_bytes::ByteBuf,
    n: u32,
}

/// Two binary keys of one length are two keys (their display, `<2 bytes>`,
/// is the same): a batch neither merges their writes nor their reads.
#[dynamo_model::test(models(Blob))]
async fn binary_keys_of_one_length_stay_apart_in_batches(db: Db) {
    let blobs = db.table::<Blob>();
    let items: Vec<Blob> = (0..50u8)
        .map(|i| Blob {
            id: serde_bytes::ByteBuf::from(vec![i, 255 - i]),
            n: i.into(),
        })
        .collect();
    assert_eq!(blobs.batch_put(&items).await.unwrap(), 50);
    assert_eq!(blobs.scan().all().await.unwrap().len(), 50);
    let read = blobs
        .batch_get(items.iter().map(|b| b.id.clone()))
        .await
        .unwrap();
    assert_eq!(read, items);
}

/// A batch on a table that does not exist is `TableNotFound`, after one
/// attempt, not "items not written after 10 attempts".
#[dynamo_model::test(models(Reading))]
async fn a_batch_on_a_missing_table_is_table_not_found(db: Db) {
    let missing = db.with_table_prefix("no_such_table_").table::<Reading>();
    let err = missing
        .batch_put(&[reading(1), reading(2)])
        .await
        .unwrap_err();
    assert!(err.is_table_not_found(), "{err}");
    let err = missing.batch_delete([("s1", 1)]).await.unwrap_err();
    assert!(err.is_table_not_found(), "{err}");
    let err = missing.batch_get([("s1", 1)]).await.unwrap_err();
    assert!(err.is_table_not_found(), "{err}");
}
