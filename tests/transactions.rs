//! Transactions on a real server: puts, updates, deletes and condition
//! checks across models, all or nothing; a cancelled transaction reports a
//! reason per action; limits and two actions on one item refused before the
//! request; `#[version]` checks inside a transaction.

mod support;
use support::backend::{lacks, supports, Feature};
use support::models::User;

use dynamo_model::{Db, DynamoModel, Error, MAX_TRANSACTION_ACTIONS};
use serde::{Deserialize, Serialize};

#[derive(DynamoModel, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[dynamo(table = "wallets")]
struct Wallet {
    #[hash_key]
    owner: String,
    #[version]
    version: u64,
    balance: i64,
}

fn wallet(owner: &str, balance: i64) -> Wallet {
    Wallet {
        owner: owner.into(),
        version: 0,
        balance,
    }
}

fn user(id: &str) -> User {
    User {
        id: id.into(),
        email: format!("{id}@example.com"),
    }
}

/// On a backend without transactions, says so and checks that the request
/// is an error, not a silent success.
async fn transactions_or_note(db: &Db) -> bool {
    if supports(Feature::Transactions) {
        return true;
    }
    let err = db
        .transact()
        .put(db.table::<User>().put(&user("x")))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Sdk { .. }), "{err:?}");
    assert_eq!(db.table::<User>().get("x").await.unwrap(), None);
    lacks(
        Feature::Transactions,
        "that a transaction is an error and writes nothing",
    );
    false
}

#[dynamo_model::test(models(User, Wallet))]
async fn a_transaction_across_models_writes_everything(db: Db) {
    if !transactions_or_note(&db).await {
        return;
    }
    let (users, wallets) = (db.table::<User>(), db.table::<Wallet>());
    users.put(&user("old")).await.unwrap();
    wallets.put(&wallet("ada", 10)).await.unwrap();
    let f = Wallet::fields();
    db.transact()
        .put(users.put(&user("ada")).if_not_exists())
        .put(wallets.put(&wallet("bob", 5)))
        .update(wallets.update("ada").add(f.balance, 90))
        .delete(users.delete("old"))
        .condition_check(wallets.check("ada", f.balance.eq(10)))
        .await
        .unwrap_err(); // "ada" is updated and checked: two actions on one item
    let err = db
        .transact()
        .update(wallets.update("ada").add(f.balance, 1))
        .condition_check(wallets.check("ada", f.balance.eq(10)))
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("actions 1 and 2 are both on item"),
        "{err}"
    );

    db.transact()
        .put(users.put(&user("ada")).if_not_exists())
        .put(wallets.put(&wallet("bob", 5)))
        .update(wallets.update("ada").add(f.balance, 90))
        .delete(users.delete("old"))
        .condition_check(users.check("ada-missing", User::fields().id.not_exists()))
        .client_token("tx-1")
        .await
        .unwrap();
    assert_eq!(users.get("ada").await.unwrap(), Some(user("ada")));
    assert_eq!(users.get("old").await.unwrap(), None);
    let ada = wallets.get("ada").await.unwrap().unwrap();
    assert_eq!(
        (ada.balance, ada.version),
        (100, 2),
        "updated and its version bumped"
    );
    assert_eq!(wallets.get("bob").await.unwrap().unwrap().version, 1);
}

#[dynamo_model::test(models(User, Wallet))]
async fn a_cancelled_transaction_writes_nothing_and_says_why_per_action(db: Db) {
    if !transactions_or_note(&db).await {
        return;
    }
    let (users, wallets) = (db.table::<User>(), db.table::<Wallet>());
    users.put(&user("ada")).await.unwrap();
    wallets.put(&wallet("ada", 10)).await.unwrap();
    let stale = wallet("ada", 10); // version 0: "new", but one is stored
    let f = Wallet::fields();
    let err = db
        .transact()
        .put(users.put(&user("bob")))
        .update(
            wallets
                .update("ada")
                .add(f.balance, -50)
                .condition(f.balance.ge(50)),
        )
        .put(users.put(&user("ada")).if_not_exists())
        .put(wallets.put(&Wallet {
            owner: "eve".into(),
            ..stale.clone()
        }))
        .await
        .unwrap_err();
    let Error::TransactionCanceled { reasons, .. } = &err else {
        panic!("expected TransactionCanceled, got {err:?}");
    };
    assert_eq!(reasons.len(), 4, "{reasons:?}");
    assert_eq!(reasons[0].code, None, "the first action was fine");
    assert_eq!(reasons[1].code.as_deref(), Some("ConditionalCheckFailed"));
    assert_eq!(reasons[2].code.as_deref(), Some("ConditionalCheckFailed"));
    assert_eq!(reasons[2].key, r#"id = "ada""#);
    assert_eq!(reasons[3].code, None);
    assert!(err.to_string().contains("ConditionalCheckFailed"), "{err}");
    // The error names the table of the first action that failed (wallets),
    // not that of the first action (users).
    assert_eq!(err.table(), Some(wallets.name()));
    assert!(
        err.to_string()
            .starts_with(&format!("transaction on table `{}`", wallets.name())),
        "{err}"
    );
    assert_eq!(users.get("bob").await.unwrap(), None, "nothing written");
    assert_eq!(wallets.get("eve").await.unwrap(), None);
    assert_eq!(wallets.get("ada").await.unwrap().unwrap().balance, 10);

    // A stale version inside a transaction reads as a version conflict.
    let err = db
        .transact()
        .put(wallets.put(&stale))
        .put(users.put(&user("carl")))
        .await
        .unwrap_err();
    let Error::TransactionCanceled { reasons, .. } = &err else {
        panic!("expected TransactionCanceled, got {err:?}");
    };
    assert!(
        reasons[0]
            .message
            .as_deref()
            .unwrap_or_default()
            .contains("version conflict"),
        "{reasons:?}"
    );
}

#[dynamo_model::test(models(User))]
async fn limits_are_checked_before_the_request(db: Db) {
    let users = db.table::<User>();
    let mut tx = db.transact();
    for i in 0..=MAX_TRANSACTION_ACTIONS {
        tx = tx.put(users.put(&user(&format!("u{i}"))));
    }
    let err = tx.await.unwrap_err();
    assert!(
        err.to_string()
            .contains("at most 100 actions, and this one has 101"),
        "{err}"
    );
    let err = db.transact().await.unwrap_err();
    assert!(err.to_string().contains("at least one action"), "{err}");
    assert!(users.scan().all().await.unwrap().is_empty());
}
