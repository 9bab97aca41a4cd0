//! An update of an item that does not exist, on a real server. DynamoDB
//! creates the item from the update's actions alone; an update that does not
//! set every required field would make an item the model cannot read back
//! (and `get` of that key, and every scan, would fail from then on). So such
//! an update requires the item to exist and fails with `ItemNotFound`,
//! writing nothing; one that sets every required field creates a whole item;
//! `upsert()` asks for creation and is refused before any request when it
//! would not make a whole item.

mod support;
use support::backend::{lacks, supports, Feature};

use dynamo_model::{Db, DynamoModel, Error};
use serde::{Deserialize, Serialize};

#[derive(DynamoModel, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[dynamo(table = "profiles")]
struct Profile {
    #[hash_key]
    id: String,
    name: String,
    #[serde(default)]
    visits: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    bio: Option<String>,
}

#[derive(DynamoModel, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[dynamo(table = "counted")]
#[serde(default)]
struct Counted {
    #[hash_key]
    id: String,
    hits: u64,
    label: String,
}

impl Default for Counted {
    fn default() -> Self {
        Counted {
            id: String::new(),
            hits: 0,
            label: "none".into(),
        }
    }
}

fn ada() -> Profile {
    Profile {
        id: "p1".into(),
        name: "Ada".into(),
        visits: 0,
        bio: None,
    }
}

#[dynamo_model::test(models(Profile))]
async fn an_update_that_would_make_a_partial_item_needs_the_item(db: Db) {
    let profiles = db.table::<Profile>();
    let f = Profile::fields();
    let err = profiles
        .update("ghost")
        .set(f.bio, "hello")
        .add(f.visits, 1)
        .await
        .unwrap_err();
    match &err {
        Error::ItemNotFound { key, lacking, .. } => {
            assert_eq!(key, r#"id = "ghost""#);
            assert_eq!(lacking, &["name"]);
        }
        other => panic!("expected ItemNotFound, got {other:?}"),
    }
    assert!(err.to_string().contains("`name`"), "{err}");
    assert_eq!(
        profiles.get("ghost").await.unwrap(),
        None,
        "nothing written"
    );
    assert!(profiles.scan().all().await.unwrap().is_empty());

    // On an item that exists, the same update is an ordinary one.
    profiles.put(&ada()).await.unwrap();
    let updated = profiles
        .update("p1")
        .set(f.bio, "hello")
        .add(f.visits, 1)
        .await
        .unwrap();
    assert_eq!((updated.bio.as_deref(), updated.visits), (Some("hello"), 1));

    // By name, the same rule.
    let err = profiles
        .update("ghost")
        .set_by_name("bio", "x")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ItemNotFound { .. }), "{err}");
}

#[dynamo_model::test(models(Profile))]
async fn an_update_that_sets_every_required_field_creates_a_whole_item(db: Db) {
    let profiles = db.table::<Profile>();
    let f = Profile::fields();
    let made = profiles.update("p2").set(f.name, "Grace").await.unwrap();
    assert_eq!(
        made,
        Profile {
            id: "p2".into(),
            name: "Grace".into(),
            visits: 0,
            bio: None,
        }
    );
    let made = profiles
        .update("p3")
        .set(f.name, "Edsger")
        .upsert()
        .await
        .unwrap();
    assert_eq!(made.name, "Edsger");
    assert_eq!(profiles.scan().all().await.unwrap().len(), 2);
}

#[dynamo_model::test(models(Profile))]
async fn an_upsert_that_would_make_a_partial_item_is_refused_before_the_request(db: Db) {
    let profiles = db.table::<Profile>();
    let f = Profile::fields();
    let err = profiles
        .update("p1")
        .set(f.bio, "x")
        .upsert()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err}");
    assert!(err.to_string().contains("`name`"), "{err}");
    let err = profiles
        .update("p1")
        .set(f.name, "x")
        .upsert()
        .if_exists()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("choose one"), "{err}");
    assert!(profiles.scan().all().await.unwrap().is_empty());
}

#[dynamo_model::test(models(Profile))]
async fn with_a_condition_a_missing_item_is_still_named_as_missing(db: Db) {
    let profiles = db.table::<Profile>();
    let f = Profile::fields();
    let err = profiles
        .update("ghost")
        .set(f.bio, "x")
        .condition(f.visits.lt(10))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ItemNotFound { .. }), "{err}");
    // The item exists and the condition is false: the condition failed.
    profiles.put(&ada()).await.unwrap();
    let err = profiles
        .update("p1")
        .set(f.bio, "x")
        .condition(f.visits.gt(10))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ConditionFailed { .. }), "{err}");
}

#[dynamo_model::test(models(Profile))]
async fn in_a_transaction_the_update_needs_the_item_too(db: Db) {
    if !supports(Feature::Transactions) {
        lacks(
            Feature::Transactions,
            "the same rule outside one (the other tests)",
        );
        return;
    }
    let profiles = db.table::<Profile>();
    let f = Profile::fields();
    let err = db
        .transact()
        .update(profiles.update("ghost").set(f.bio, "x"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::TransactionCanceled { .. }), "{err}");
    assert!(err.to_string().contains("does not set `name`"), "{err}");
    assert_eq!(profiles.get("ghost").await.unwrap(), None);
}

/// `#[serde(default)]` on the struct: every field reads without its
/// attribute, so any update may create the item.
#[dynamo_model::test(models(Counted))]
async fn a_model_whose_fields_all_default_is_created_by_any_update(db: Db) {
    let counted = db.table::<Counted>();
    let f = Counted::fields();
    let made = counted.update("c").add(f.hits, 3).await.unwrap();
    assert_eq!((made.hits, made.label.as_str()), (3, "none"));
}
