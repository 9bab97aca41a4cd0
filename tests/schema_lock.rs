//! The schema lock: written from model v1, it passes the check for v1 and
//! fails for v2, naming each difference and whether DynamoDB can make it in
//! place or it needs a new table. No server is involved.

use dynamo_model::{DynamoModel, SchemaLock};

mod v1 {
    use dynamo_model::DynamoModel;

    #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
    #[dynamo(table = "orders")]
    pub struct Order {
        #[hash_key]
        pub customer: String,
        #[range_key]
        pub id: u64,
        #[gsi(name = "by_status", hash_key)]
        pub status: String,
        #[gsi(name = "by_total", hash_key)]
        pub total: u64,
        #[lsi(name = "by_day")]
        pub day: u32,
    }

    #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
    #[dynamo(table = "users")]
    pub struct User {
        #[hash_key]
        pub id: String,
    }
}

mod v2 {
    use dynamo_model::DynamoModel;

    /// A GSI added, one dropped, one with a new projection, TTL turned on,
    /// an LSI changed and the range key's type changed.
    #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
    #[dynamo(table = "orders")]
    pub struct Order {
        #[hash_key]
        pub customer: String,
        #[range_key]
        pub id: String,
        #[gsi(name = "by_status", hash_key, projection = "keys_only")]
        pub status: String,
        #[gsi(name = "by_coupon", hash_key)]
        #[serde(skip_serializing_if = "Option::is_none")]
        pub coupon: Option<String>,
        #[lsi(name = "by_day", projection = "keys_only")]
        pub day: u32,
        #[ttl]
        pub expires_at: i64,
    }

    #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
    #[dynamo(table = "sessions")]
    pub struct Session {
        #[hash_key]
        pub token: String,
    }
}

fn lock_path(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("locks");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn a_lock_passes_its_own_models_and_names_every_difference_of_others() {
    let path = lock_path("schema.lock.json");
    SchemaLock::write(&path, &[v1::Order::schema(), v1::User::schema()]).unwrap();
    SchemaLock::check(&path, &[v1::Order::schema(), v1::User::schema()]).unwrap();
    // The order of the models does not matter.
    SchemaLock::check(&path, &[v1::User::schema(), v1::Order::schema()]).unwrap();

    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(r#""range_key": "id N""#), "{text}");

    let lock = SchemaLock::from_json(&text).unwrap();
    let differences: Vec<String> = lock
        .differences(&[v2::Order::schema(), v2::Session::schema()])
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        differences,
        [
            "orders: range_key: id N -> id S (needs a new table)",
            r#"orders: GSI by_status: {"hash":["status S"],"projection":"ALL","range":[]} -> {"hash":["status S"],"projection":"KEYS_ONLY","range":[]} (drop and re-add) (in place)"#,
            "orders: GSI by_total: dropped (in place)",
            r#"orders: GSI by_coupon: added {"hash":["coupon S"],"projection":"ALL","range":[]} (in place)"#,
            r#"orders: LSI by_day: {"projection":"ALL","range":"day N"} -> {"projection":"KEYS_ONLY","range":"day N"} (needs a new table)"#,
            "orders: TTL: none -> expires_at (in place)",
            "users: no longer among the models (removed) (in place)",
            "sessions: new model (not in the lock) (in place)",
        ]
    );
    let err = SchemaLock::check(&path, &[v2::Order::schema(), v2::Session::schema()]).unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("differ from") && message.contains("in 8 place(s)"),
        "{message}"
    );
    assert!(
        message.contains("range_key: id N -> id S (needs a new table)"),
        "{message}"
    );
}

#[test]
fn a_damaged_or_missing_lock_is_a_clear_error() {
    let err = SchemaLock::from_json("{}").unwrap_err();
    assert!(
        err.to_string().contains("not a schema lock of version 1"),
        "{err}"
    );
    let err = SchemaLock::from_json("not json").unwrap_err();
    assert!(err.to_string().contains("not JSON"), "{err}");
    // A lock that parses as JSON but not whole as a lock is no lock: read
    // leniently, `"items": "oops"` would record nothing and pass.
    let text = SchemaLock::of(&[v1::User::schema()])
        .with_items(&[dynamo_model::ItemLayout::of::<v1::User>()])
        .to_json();
    let start = text.find(r#""items": {"#).unwrap();
    let damaged = format!("{}\"items\": \"oops\"\n}}\n", &text[..start]);
    let err = SchemaLock::from_json(&damaged).unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("damaged: invalid type: string \"oops\", expected a map at line"),
        "{message}"
    );
    let path = lock_path("damaged.json");
    std::fs::write(&path, &damaged).unwrap();
    let err = SchemaLock::check(&path, &[v1::User::schema()]).unwrap_err();
    assert!(err.to_string().contains("damaged"), "{err}");
    let misspelt = text.replacen(r#""ttl""#, r#""tll""#, 1);
    let err = SchemaLock::from_json(&misspelt).unwrap_err();
    assert!(err.to_string().contains("unknown field `tll`"), "{err}");
    let err = SchemaLock::check(lock_path("missing.json"), &[v1::User::schema()]).unwrap_err();
    assert!(
        err.to_string().contains("write it with SchemaLock::write"),
        "{err}"
    );
}

/// The lock records each model's item layout (shape and stored fields):
/// a field that items stored before lack, added without a new shape, is a
/// difference that needs a new shape; an optional one is not; a new shape
/// is the one difference of its model.
#[test]
fn a_field_change_without_a_new_shape_fails_the_check_and_says_so() {
    use dynamo_model::ItemLayout;

    mod before {
        #[derive(dynamo_model::DynamoModel, serde::Serialize, serde::Deserialize)]
        #[dynamo(table = "tickets")]
        pub struct Ticket {
            #[hash_key]
            pub id: String,
            pub cents: u64,
        }
    }
    mod required {
        #[derive(dynamo_model::DynamoModel, serde::Serialize, serde::Deserialize)]
        #[dynamo(table = "tickets")]
        pub struct Ticket {
            #[hash_key]
            pub id: String,
            pub cents: u64,
            pub currency: String,
        }
    }
    mod optional {
        #[derive(dynamo_model::DynamoModel, serde::Serialize, serde::Deserialize)]
        #[dynamo(table = "tickets")]
        pub struct Ticket {
            #[hash_key]
            pub id: String,
            pub cents: u64,
            pub currency: Option<String>,
        }
    }
    mod shaped {
        #[derive(dynamo_model::ItemShape, serde::Deserialize)]
        #[dynamo(shape = 1)]
        pub struct TicketV1 {
            pub id: String,
            pub cents: u64,
        }

        #[derive(dynamo_model::DynamoModel, serde::Serialize, serde::Deserialize)]
        #[dynamo(table = "tickets", shape = 2, upgrades_from = TicketV1)]
        pub struct Ticket {
            #[hash_key]
            pub id: String,
            pub cents: u64,
            pub currency: String,
        }

        impl From<TicketV1> for Ticket {
            fn from(old: TicketV1) -> Self {
                Ticket {
                    id: old.id,
                    cents: old.cents,
                    currency: "EUR".into(),
                }
            }
        }
    }

    let text = SchemaLock::of(&[before::Ticket::schema()])
        .with_items(&[ItemLayout::of::<before::Ticket>()])
        .to_json();
    let lock = SchemaLock::from_json(&text).unwrap();
    assert!(lock
        .item_differences(&[ItemLayout::of::<before::Ticket>()])
        .is_empty());

    let differences = lock.item_differences(&[ItemLayout::of::<required::Ticket>()]);
    assert_eq!(differences.len(), 1, "{differences:?}");
    assert!(differences[0].needs_new_shape);
    assert_eq!(
        differences[0].to_string(),
        "tickets: model `Ticket`: field `currency` (S) added, which items stored before lack, so they no longer read: give `Ticket` a new shape that fills it (`shape = N, upgrades_from = ..`), or make the field `Option` or `#[serde(default)]` (needs a new shape)"
    );

    let differences = lock.item_differences(&[ItemLayout::of::<optional::Ticket>()]);
    assert_eq!(differences.len(), 1, "{differences:?}");
    assert!(!differences[0].needs_new_shape, "{}", differences[0]);

    let differences = lock.item_differences(&[ItemLayout::of::<shaped::Ticket>()]);
    assert_eq!(differences.len(), 1, "{differences:?}");
    assert_eq!(
        differences[0].to_string(),
        "tickets: model `Ticket`: shape none -> 2 (in place)"
    );

    // A lock written before layouts were recorded checks none.
    let old =
        SchemaLock::from_json(&SchemaLock::of(&[before::Ticket::schema()]).to_json()).unwrap();
    assert!(old
        .item_differences(&[ItemLayout::of::<required::Ticket>()])
        .is_empty());
}
