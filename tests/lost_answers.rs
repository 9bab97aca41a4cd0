//! Writes whose answer is lost: the fault proxy in front of the embedded
//! backend forwards the first request of a write (the server applies it) and
//! drops its answer. No write may be applied twice because of it, and none
//! may be reported as its opposite: a write that was applied is never
//! `ConditionFailed` ("nothing was written"), and one whose outcome cannot
//! be known says so (`Error::OutcomeUnknown`).
//!
//! The rule (README, "Timeouts and retries"): a write that leaves the same
//! item when applied twice is sent again; a write whose condition fails on
//! the resend is checked against the stored item, and a match is its own
//! success; a write that would apply twice (an `add`, an unchecked version
//! bump) is not sent again.

mod support;
use support::backend::{lacks, supports, Feature};
use support::fault_proxy::{Fault, FaultProxy, Rule};
use support::faulty::through_proxy;

use dynamo_model::testing::{LocalDynamoDb, TestTables};
use dynamo_model::{Db, DynamoModel, Error};
use serde::{Deserialize, Serialize};

#[derive(DynamoModel, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[dynamo(table = "counters")]
struct Counter {
    #[hash_key]
    id: String,
    count: u64,
    status: String,
}

#[derive(DynamoModel, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[dynamo(table = "accounts")]
struct Account {
    #[hash_key]
    id: String,
    #[version]
    version: u64,
    balance: i64,
    note: String,
}

fn counter(id: &str) -> Counter {
    Counter {
        id: id.into(),
        count: 0,
        status: "new".into(),
    }
}

/// The proxy (dropped first) in front of the backend under test, with this
/// test's own tables; `db` goes through the proxy, `direct` does not.
struct Setup {
    proxy: FaultProxy,
    db: Db,
    direct: Db,
    _tables: TestTables,
    _backend: LocalDynamoDb,
}

async fn with_tables() -> Setup {
    let backend = LocalDynamoDb::start().await.expect("start the backend");
    let tables = TestTables::new(backend.db())
        .with::<Counter>()
        .with::<Account>()
        .create()
        .await
        .expect("create the tables");
    let (proxy, db) = through_proxy(&backend, &tables);
    let direct = tables.db().clone();
    Setup {
        proxy,
        db,
        direct,
        _tables: tables,
        _backend: backend,
    }
}

/// The next request of `operation` reaches the server, and its answer is lost.
fn lose_next_answer(s: &Setup, operation: &str) {
    s.proxy
        .add(Rule::new(Fault::DropResponse).on(operation).times(1));
}

async fn stored_counter(s: &Setup, id: &str) -> Option<Counter> {
    s.direct.table::<Counter>().get(id).await.unwrap()
}

async fn stored_account(s: &Setup, id: &str) -> Option<Account> {
    s.direct.table::<Account>().get(id).await.unwrap()
}

fn is_unknown(err: &Error) -> bool {
    matches!(err, Error::OutcomeUnknown { .. })
}

#[tokio::test]
async fn an_add_whose_answer_is_lost_is_applied_once_and_says_its_outcome_is_unknown() {
    let s = with_tables().await;
    let counters = s.db.table::<Counter>();
    counters.put(&counter("c")).await.unwrap();
    let f = Counter::fields();
    lose_next_answer(&s, "UpdateItem");
    let err = counters.update("c").add(f.count, 1).await.unwrap_err();
    assert!(is_unknown(&err), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("ADD") && text.contains("not sent again"),
        "{text}"
    );
    assert_eq!(
        stored_counter(&s, "c").await.unwrap().count,
        1,
        "applied once"
    );
    assert_eq!(s.proxy.requests("UpdateItem"), 1, "never resent");
    // Without a lost answer it is an ordinary update.
    let after = counters.update("c").add(f.count, 1).await.unwrap();
    assert_eq!(after.count, 2);
}

#[tokio::test]
async fn a_set_whose_answer_is_lost_is_resent_and_succeeds() {
    let s = with_tables().await;
    let counters = s.db.table::<Counter>();
    counters.put(&counter("c")).await.unwrap();
    let f = Counter::fields();
    lose_next_answer(&s, "UpdateItem");
    let updated = counters.update("c").set(f.status, "shipped").await.unwrap();
    assert_eq!(updated.status, "shipped");
    assert_eq!(s.proxy.requests("UpdateItem"), 2);
}

#[tokio::test]
async fn a_conditional_set_that_its_own_first_attempt_made_false_is_a_success() {
    let s = with_tables().await;
    let counters = s.db.table::<Counter>();
    counters.put(&counter("c")).await.unwrap();
    let f = Counter::fields();
    lose_next_answer(&s, "UpdateItem");
    // The resend finds status "shipped", so its condition fails: on the
    // item this very update left.
    let updated = counters
        .update("c")
        .set(f.status, "shipped")
        .condition(f.status.eq("new"))
        .await
        .unwrap();
    assert_eq!(updated.status, "shipped");
    assert_eq!(s.proxy.requests("UpdateItem"), 2);
    // A condition that is false from the start is still ConditionFailed.
    let err = counters
        .update("c")
        .set(f.status, "lost")
        .condition(f.status.eq("new"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ConditionFailed { .. }), "{err}");
}

#[tokio::test]
async fn a_put_if_not_exists_whose_answer_is_lost_is_a_success_not_a_condition_failure() {
    let s = with_tables().await;
    let counters = s.db.table::<Counter>();
    lose_next_answer(&s, "PutItem");
    counters.put(&counter("c")).if_not_exists().await.unwrap();
    assert_eq!(stored_counter(&s, "c").await, Some(counter("c")));
    assert_eq!(s.proxy.requests("PutItem"), 2);
    // Another item there from the start: a true condition failure.
    let err = counters
        .put(&Counter {
            status: "other".into(),
            ..counter("c")
        })
        .if_not_exists()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ConditionFailed { .. }), "{err}");
}

#[tokio::test]
async fn a_lost_request_then_a_failed_condition_on_another_item_is_unknown_not_condition_failed() {
    let s = with_tables().await;
    s.direct
        .table::<Counter>()
        .put(&Counter {
            status: "someone else's".into(),
            ..counter("c")
        })
        .await
        .unwrap();
    // The first attempt never reaches the server; this call cannot know
    // that, so the resend's failed condition is not believed.
    s.proxy
        .add(Rule::new(Fault::DropConnection).on("PutItem").times(1));
    let err =
        s.db.table::<Counter>()
            .put(&counter("c"))
            .if_not_exists()
            .await
            .unwrap_err();
    assert!(is_unknown(&err), "{err}");
    assert!(err.to_string().contains("another writer"), "{err}");
    assert_eq!(
        stored_counter(&s, "c").await.unwrap().status,
        "someone else's"
    );
}

#[tokio::test]
async fn plain_puts_and_deletes_are_resent() {
    let s = with_tables().await;
    let counters = s.db.table::<Counter>();
    lose_next_answer(&s, "PutItem");
    counters.put(&counter("c")).await.unwrap();
    assert_eq!(stored_counter(&s, "c").await, Some(counter("c")));
    lose_next_answer(&s, "DeleteItem");
    counters.delete("c").await.unwrap();
    assert_eq!(stored_counter(&s, "c").await, None);
    assert_eq!(s.proxy.requests("DeleteItem"), 2);
}

#[tokio::test]
async fn a_delete_that_cannot_tell_its_own_work_from_anothers_says_so() {
    let s = with_tables().await;
    let counters = s.db.table::<Counter>();
    counters.put(&counter("a")).await.unwrap();
    counters.put(&counter("b")).await.unwrap();
    // if_exists: the resend finds no item, which this delete or another made.
    lose_next_answer(&s, "DeleteItem");
    let err = counters.delete("a").if_exists().await.unwrap_err();
    assert!(is_unknown(&err), "{err}");
    assert_eq!(stored_counter(&s, "a").await, None);
    // returning_old: the resend returns nothing, and "there was no item"
    // would be false.
    lose_next_answer(&s, "DeleteItem");
    let err = counters.delete("b").returning_old().await.unwrap_err();
    assert!(is_unknown(&err), "{err}");
    assert!(err.to_string().contains("gone"), "{err}");
    assert_eq!(stored_counter(&s, "b").await, None);
}

#[tokio::test]
async fn versioned_writes_whose_answer_is_lost_bump_the_version_once() {
    let s = with_tables().await;
    let accounts = s.db.table::<Account>();
    let new = Account {
        id: "a".into(),
        version: 0,
        balance: 10,
        note: "opened".into(),
    };
    // A first put (version 0 -> 1).
    lose_next_answer(&s, "PutItem");
    accounts.put(&new).await.unwrap();
    let stored = stored_account(&s, "a").await.unwrap();
    assert_eq!(stored.version, 1);
    // A put of version 1 (-> 2).
    lose_next_answer(&s, "PutItem");
    accounts
        .put(&Account {
            balance: 20,
            ..stored
        })
        .await
        .unwrap();
    let stored = stored_account(&s, "a").await.unwrap();
    assert_eq!((stored.version, stored.balance), (2, 20));
    // An update that checks the version it read (-> 3) is sent again and
    // cannot apply twice; its failed check on the resend is not taken as its
    // own success, since another writer at version 2 could leave the same
    // values: the outcome is unknown, and it was applied once.
    let f = Account::fields();
    lose_next_answer(&s, "UpdateItem");
    let err = accounts
        .update("a")
        .set(f.note, "checked")
        .expect_version(2)
        .await
        .unwrap_err();
    assert!(is_unknown(&err), "{err}");
    let stored = stored_account(&s, "a").await.unwrap();
    assert_eq!((stored.version, stored.note.as_str()), (3, "checked"));
    assert_eq!(s.proxy.requests("UpdateItem"), 2);
    // With no answer lost, the same kind of update simply succeeds.
    let updated = accounts
        .update("a")
        .set(f.note, "checked again")
        .expect_version(3)
        .await
        .unwrap();
    assert_eq!(updated.version, 4);
    // An update that does not check it would bump it twice: not resent.
    lose_next_answer(&s, "UpdateItem");
    let err = accounts
        .update("a")
        .set(f.note, "unchecked")
        .await
        .unwrap_err();
    assert!(is_unknown(&err), "{err}");
    assert!(err.to_string().contains("expect_version"), "{err}");
    assert_eq!(stored_account(&s, "a").await.unwrap().version, 5);
    // An add with the version checked cannot apply twice, but the stored
    // item cannot show whether the add was this call's.
    lose_next_answer(&s, "UpdateItem");
    let err = accounts
        .update("a")
        .add(f.balance, 5)
        .expect_version(5)
        .await
        .unwrap_err();
    assert!(is_unknown(&err), "{err}");
    let stored = stored_account(&s, "a").await.unwrap();
    assert_eq!((stored.version, stored.balance), (6, 25), "applied once");
    // A versioned delete: the resend finds the item gone.
    lose_next_answer(&s, "DeleteItem");
    let err = accounts.delete_item(&stored).await.unwrap_err();
    assert!(is_unknown(&err), "{err}");
    assert_eq!(stored_account(&s, "a").await, None);
}

#[tokio::test]
async fn a_transaction_whose_answer_is_lost_is_applied_once() {
    // The SDK gives every TransactWriteItems a ClientRequestToken, so its
    // own retry is recognised by the server as the same transaction.
    let s = with_tables().await;
    if !supports(Feature::Transactions) {
        lacks(
            Feature::Transactions,
            "nothing more (the other write kinds)",
        );
        return;
    }
    let counters = s.db.table::<Counter>();
    counters.put(&counter("c")).await.unwrap();
    let f = Counter::fields();
    lose_next_answer(&s, "TransactWriteItems");
    s.db.transact()
        .update(counters.update("c").add(f.count, 1))
        .await
        .unwrap();
    assert_eq!(
        s.proxy.requests("TransactWriteItems"),
        2,
        "the SDK sent it again"
    );
    let count = stored_counter(&s, "c").await.unwrap().count;
    if supports(Feature::TransactionTokens) {
        assert_eq!(count, 1, "applied once");
    } else {
        assert_eq!(
            count, 2,
            "moto applies it twice: if it stops, update the backend table"
        );
        lacks(
            Feature::TransactionTokens,
            "that the SDK sent the same transaction again (and the server applied it twice)",
        );
    }
}

#[tokio::test]
async fn a_batch_whose_answer_is_lost_writes_each_item_once() {
    let s = with_tables().await;
    let counters = s.db.table::<Counter>();
    let items: Vec<Counter> = (0..60).map(|i| counter(&format!("c{i}"))).collect();
    s.proxy
        .add(Rule::new(Fault::DropResponse).on("BatchWriteItem").times(2));
    assert_eq!(counters.batch_put(&items).await.unwrap(), 60);
    let mut all = s.direct.table::<Counter>().scan().all().await.unwrap();
    all.sort_by(|a, b| a.id.cmp(&b.id));
    let mut want = items.clone();
    want.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(all, want);
}
