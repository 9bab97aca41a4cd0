//! Creates the tables of three models, prints what DynamoDB reports for each,
//! stores an item in each and reads it back by its typed key, and deletes the
//! tables again.
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! Runs on the embedded DynamoDB (nothing to install), or on the endpoint in
//! `DYNAMODB_ENDPOINT` / `AWS_ENDPOINT_URL_DYNAMODB` when one is set.

use std::collections::HashMap;
use std::time::Instant;

use dynamo_model::aws_sdk_dynamodb::types::{KeySchemaElement, Projection, TableDescription};
use dynamo_model::testing::LocalDynamoDb;
use dynamo_model::{CreateTableOptions, Db, DynamoModel, IntoKey};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// Users, found by id or by e-mail address.
#[derive(DynamoModel, Serialize, Deserialize, Debug, PartialEq)]
#[dynamo(table = "users")]
struct User {
    #[hash_key]
    id: String,
    #[range_key]
    created: u64,
    #[gsi(name = "by_email", hash_key)]
    email: String,
}

/// Orders: camelCase attribute names, two GSIs (one sparse), an LSI and a TTL.
#[derive(DynamoModel, Serialize, Deserialize, Debug, PartialEq)]
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

/// Login sessions that expire; binary token digests as keys.
#[derive(DynamoModel, Serialize, Deserialize, Debug, PartialEq)]
struct Session {
    #[hash_key]
    token_digest: serde_bytes::ByteBuf,
    #[ttl]
    expires_at: i64,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let local = LocalDynamoDb::start().await?;
    let db = local.db();
    println!(
        "DynamoDB at {} ({})\n",
        local.endpoint(),
        if local.is_embedded() {
            "embedded"
        } else {
            "from the environment"
        }
    );

    let user = User {
        id: "u1".into(),
        created: 1_764_547_200,
        email: "ada@example.com".into(),
    };
    show(db, user, ("u1", 1_764_547_200)).await?;
    let order = Order {
        customer_id: "c1".into(),
        order_id: 42,
        status: "new".into(),
        created_at: 1_764_547_200,
        coupon: None, // not written: the order stays out of the sparse index by_coupon
        expires_at: None,
        total: 99.5,
    };
    show(db, order, ("c1", 42)).await?;
    let digest = serde_bytes::ByteBuf::from(vec![0xde, 0xad, 0xbe, 0xef]);
    let session = Session {
        token_digest: digest.clone(),
        expires_at: 1_764_550_800,
    };
    show(db, session, digest).await?;
    Ok(())
}

/// Creates `M`'s table, prints it, stores `item` and reads it back by `key`,
/// deletes the table.
async fn show<M, K>(db: &Db, item: M, key: K) -> Result<(), Box<dyn std::error::Error>>
where
    M: DynamoModel + Serialize + DeserializeOwned + PartialEq + std::fmt::Debug + 'static,
    K: IntoKey<M::Key>,
{
    let name = M::schema().table_name();
    println!(
        "{name}: exists before create: {}",
        db.table::<M>().exists().await?
    );
    let started = Instant::now();
    let table = db
        .table::<M>()
        .create(CreateTableOptions::new().wait(true))
        .await?;
    println!(
        "  created and ACTIVE in {:.1} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    print_table(db, &table).await?;

    let items = db.table::<M>();
    items.put(&item).if_not_exists().await?;
    let read = items.get(key).consistent_read().await?;
    assert_eq!(read.as_ref(), Some(&item));
    println!("  stored and read back: {item:?}");

    db.table::<M>().delete_table().await?;
    println!(
        "  exists after delete: {}\n",
        db.table::<M>().exists().await?
    );
    Ok(())
}

async fn print_table(db: &Db, table: &TableDescription) -> Result<(), Box<dyn std::error::Error>> {
    let types: HashMap<&str, &str> = table
        .attribute_definitions()
        .iter()
        .map(|d| (d.attribute_name(), d.attribute_type().as_str()))
        .collect();
    let keys = |schema: &[KeySchemaElement]| -> String {
        schema
            .iter()
            .map(|k| {
                let name = k.attribute_name();
                format!(
                    "{} {name} ({})",
                    k.key_type().as_str(),
                    types.get(name).unwrap_or(&"?")
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let projection = |p: Option<&Projection>| -> String {
        let Some(p) = p else { return "?".into() };
        let kind = p.projection_type().map_or("?", |t| t.as_str());
        match p.non_key_attributes() {
            [] => kind.to_owned(),
            extra => format!("{kind} {}", extra.join(", ")),
        }
    };

    let billing = table
        .billing_mode_summary()
        .and_then(|b| b.billing_mode())
        .map_or("PROVISIONED", |b| b.as_str());
    println!(
        "  status {}, billing {billing}",
        table.table_status().map_or("?", |s| s.as_str())
    );
    println!("  key: {}", keys(table.key_schema()));
    for gsi in table.global_secondary_indexes() {
        println!(
            "  GSI {}: {}; projects {}; {}",
            gsi.index_name().unwrap_or("?"),
            keys(gsi.key_schema()),
            projection(gsi.projection()),
            gsi.index_status().map_or("?", |s| s.as_str())
        );
    }
    for lsi in table.local_secondary_indexes() {
        println!(
            "  LSI {}: {}; projects {}",
            lsi.index_name().unwrap_or("?"),
            keys(lsi.key_schema()),
            projection(lsi.projection())
        );
    }
    let ttl = db
        .client()
        .describe_time_to_live()
        .table_name(table.table_name().unwrap_or_default())
        .send()
        .await?;
    if let Some(ttl) = ttl.time_to_live_description() {
        if let Some(attribute) = ttl.attribute_name() {
            let status = ttl.time_to_live_status().map_or("?", |s| s.as_str());
            println!("  TTL on {attribute}: {status}");
        }
    }
    Ok(())
}
