//! Model-level calls without a connection use `Db::set_default`. In a test
//! binary of its own, because the default connection is process-wide.

mod support;
use support::backend;

use dynamo_model::{CreateTableOptions, Db, DynamoModel};

use backend::{lacks, supports, Feature};

#[derive(DynamoModel, serde::Serialize, serde::Deserialize, Debug, PartialEq)]
#[dynamo(table = "default_connection_users")]
struct User {
    #[hash_key]
    id: String,
    #[range_key]
    created: u64,
    #[gsi(name = "by_email", hash_key)]
    email: String,
}

#[tokio::test]
async fn model_level_api_runs_on_the_default_connection() {
    let scratch = support::server::scratch().await;
    Db::set_default(scratch.db().clone());

    assert!(!User::table_exists().await.unwrap());
    User::create_table(CreateTableOptions::new().wait(true))
        .await
        .unwrap();
    assert!(User::table_exists().await.unwrap());
    let table = User::describe_table().await.unwrap();
    assert_eq!(table.global_secondary_indexes().len(), 1);
    User::wait_for_table_active(std::time::Duration::from_secs(10))
        .await
        .unwrap();

    // Items at model level, on the same default connection.
    let ada = User {
        id: "u1".into(),
        created: 7,
        email: "ada@example.com".into(),
    };
    ada.put().await.unwrap();
    assert_eq!(User::get(("u1", 7)).await.unwrap().as_ref(), Some(&ada));
    let err = User::table()
        .await
        .put(&ada)
        .if_not_exists()
        .await
        .unwrap_err();
    assert!(
        matches!(err, dynamo_model::Error::ConditionFailed { .. }),
        "{err}"
    );
    User::delete(("u1", 7)).await.unwrap();
    assert_eq!(User::get(("u1", 7)).await.unwrap(), None);
    User::delete_table().await.unwrap();
    if !supports(Feature::InstantDelete) {
        // The table is DELETING for a while: it still exists until then.
        scratch
            .db()
            .table::<User>()
            .wait_deleted(std::time::Duration::from_secs(30))
            .await
            .unwrap();
        lacks(
            Feature::InstantDelete,
            "that the model-level table_exists says false once the deletion finished",
        );
    }
    assert!(!User::table_exists().await.unwrap());
}
