//! Lambda's DynamoDB stream events decoded into the model (issue 21,
//! point 2): event JSON in the shape AWS documents, for each event name
//! and stream view, a TTL remove, a bad record among good ones, the
//! entities and collections of a shared table, and the partial batch
//! response.

use std::time::{Duration, SystemTime};

use dynamo_model::stream::lambda::{self, Event, Failure};
use dynamo_model::{ChangeKind, DynamoCollection, DynamoModel, DynamoTable, Error};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

#[derive(DynamoModel, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[dynamo(table = "orders")]
struct Order {
    #[hash_key]
    customer: String,
    #[range_key]
    id: u32,
    total: u32,
}

#[derive(DynamoTable)]
#[dynamo(name = "store", hash_key = "pk", range_key = "sk")]
struct Store;

#[derive(DynamoModel, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[dynamo(table = Store, entity = "customer", pk = "CUSTOMER#{id}", sk = "PROFILE")]
struct Customer {
    id: String,
    name: String,
}

#[derive(DynamoModel, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[dynamo(table = Store, entity = "purchase", pk = "CUSTOMER#{customer}", sk = "PURCHASE#{id}")]
struct Purchase {
    customer: String,
    id: u32,
}

#[derive(DynamoCollection, Debug, PartialEq)]
enum CustomerView {
    Profile(Customer),
    Purchase(Purchase),
}

const ARN: &str =
    "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2024-05-01T00:00:00.000";

/// One record as AWS documents it (the Lambda developer guide's
/// DynamoDB event): `images` is `(new, old)`.
fn record(
    name: &str,
    seq: &str,
    view: &str,
    keys: Value,
    images: (Option<Value>, Option<Value>),
) -> Value {
    let mut change = json!({
        "ApproximateCreationDateTime": 1714521600.0,
        "Keys": keys,
        "SequenceNumber": seq,
        "SizeBytes": 59,
        "StreamViewType": view,
    });
    if let Some(new) = images.0 {
        change["NewImage"] = new;
    }
    if let Some(old) = images.1 {
        change["OldImage"] = old;
    }
    json!({
        "eventID": format!("id-{seq}"),
        "eventName": name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "eventSourceARN": ARN,
        "dynamodb": change,
    })
}

fn order_keys(id: u32) -> Value {
    json!({ "customer": { "S": "c1" }, "id": { "N": id.to_string() } })
}

fn order_image(id: u32, total: u32) -> Value {
    json!({ "customer": { "S": "c1" }, "id": { "N": id.to_string() }, "total": { "N": total.to_string() } })
}

fn order(id: u32, total: u32) -> Order {
    Order {
        customer: "c1".into(),
        id,
        total,
    }
}

fn event(records: Vec<Value>) -> Event {
    serde_json::from_value(json!({ "Records": records })).expect("an event in AWS's shape")
}

const BOTH: &str = "NEW_AND_OLD_IMAGES";

#[test]
fn inserts_modifies_removes_and_ttl_removes_are_decoded_into_the_model() {
    let mut ttl = record(
        "REMOVE",
        "4",
        BOTH,
        order_keys(2),
        (None, Some(order_image(2, 5))),
    );
    ttl["userIdentity"] = json!({ "type": "Service", "principalId": "dynamodb.amazonaws.com" });
    let changes = lambda::changes::<Order>(event(vec![
        record(
            "INSERT",
            "1",
            BOTH,
            order_keys(1),
            (Some(order_image(1, 10)), None),
        ),
        record(
            "MODIFY",
            "2",
            BOTH,
            order_keys(1),
            (Some(order_image(1, 20)), Some(order_image(1, 10))),
        ),
        record(
            "REMOVE",
            "3",
            BOTH,
            order_keys(1),
            (None, Some(order_image(1, 20))),
        ),
        ttl,
    ]));
    let changes: Vec<_> = changes.into_iter().map(Result::unwrap).collect();
    let kinds: Vec<ChangeKind> = changes.iter().map(|c| c.kind()).collect();
    assert_eq!(
        kinds,
        [
            ChangeKind::Insert,
            ChangeKind::Modify,
            ChangeKind::Remove,
            ChangeKind::Remove
        ]
    );
    let images: Vec<(Option<Order>, Option<Order>)> =
        changes.iter().map(|c| c.clone().into_images()).collect();
    assert_eq!(
        images,
        [
            (None, Some(order(1, 10))),
            (Some(order(1, 10)), Some(order(1, 20))),
            (Some(order(1, 20)), None),
            (Some(order(2, 5)), None),
        ]
    );
    let seqs: Vec<&str> = changes.iter().map(|c| c.sequence_number()).collect();
    assert_eq!(seqs, ["1", "2", "3", "4"]);
    let ttl: Vec<bool> = changes.iter().map(|c| c.is_ttl_remove()).collect();
    assert_eq!(ttl, [false, false, false, true]);
    assert_eq!(changes[0].key().to_string(), r#"customer = "c1", id = 1"#);
    assert_eq!(changes[0].table(), "orders");
    assert_eq!(
        changes[0].approximate_creation(),
        Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_714_521_600))
    );
    assert_eq!(changes[1].old_image().unwrap(), Some(&order(1, 10)));
    assert_eq!(changes[0].old_image().unwrap(), None);
    assert_eq!(changes[2].new_image().unwrap(), None);
}

#[test]
fn an_image_the_streams_view_lacks_is_a_clear_error() {
    let modify = |view: &str, images| record("MODIFY", "9", view, order_keys(1), images);
    let [new, old, keys]: [_; 3] = lambda::changes::<Order>(event(vec![
        modify("NEW_IMAGE", (Some(order_image(1, 2)), None)),
        modify("OLD_IMAGE", (None, Some(order_image(1, 1)))),
        modify("KEYS_ONLY", (None, None)),
    ]))
    .into_iter()
    .map(Result::unwrap)
    .collect::<Vec<_>>()
    .try_into()
    .unwrap();
    assert_eq!(new.new_image().unwrap(), Some(&order(1, 2)));
    let err = new.old_image().unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { reason, .. } if reason.contains("NEW_IMAGE, which carries no old images")),
        "{err}"
    );
    assert_eq!(old.old_image().unwrap(), Some(&order(1, 1)));
    assert!(old.new_image().is_err());
    assert!(keys.new_image().is_err() && keys.old_image().is_err());
    assert_eq!(keys.key().to_string(), r#"customer = "c1", id = 1"#);
}

#[test]
fn one_bad_record_never_hides_the_others() {
    let bad = json!({ "customer": { "S": "c1" }, "id": { "N": "2" }, "total": { "S": "ten" } });
    let changes = lambda::changes::<Order>(event(vec![
        record(
            "INSERT",
            "1",
            BOTH,
            order_keys(1),
            (Some(order_image(1, 1)), None),
        ),
        record("INSERT", "2", BOTH, order_keys(2), (Some(bad), None)),
        record(
            "INSERT",
            "3",
            BOTH,
            order_keys(3),
            (Some(order_image(3, 3)), None),
        ),
        record(
            "UPSERT",
            "4",
            BOTH,
            order_keys(4),
            (Some(order_image(4, 4)), None),
        ),
    ]));
    assert_eq!(changes.len(), 4);
    assert!(changes[0].is_ok() && changes[2].is_ok());
    let err = changes[1].as_ref().unwrap_err();
    assert!(
        matches!(err, Error::ChangeUnreadable { table, key: Some(key), sequence_number, source, checkpoint: None }
            if table == "orders" && key == r#"customer = "c1", id = 2"#
                && sequence_number == "2" && matches!(**source, Error::Serde { .. })),
        "{err}"
    );
    let err = changes[3].as_ref().unwrap_err();
    assert!(err.to_string().contains("`UPSERT`"), "{err}");
    // Named by its key too, though its event name is not read.
    assert!(
        matches!(err, Error::ChangeUnreadable { key: Some(key), .. } if key == r#"customer = "c1", id = 4"#),
        "{err}"
    );
}

/// A record whose keys are not the model's (another table's stream, a
/// key of the wrong type) still names the item, by the record's own key
/// attributes, and its sequence number (issue: stream errors name the key).
#[test]
fn an_unreadable_record_names_its_key_even_when_the_key_is_not_the_models() {
    let keys = json!({ "customer": { "S": "c1" }, "id": { "S": "not a number" } });
    let image =
        json!({ "customer": { "S": "c1" }, "id": { "S": "not a number" }, "total": { "N": "1" } });
    let changes = lambda::changes::<Order>(event(vec![record(
        "INSERT",
        "77",
        BOTH,
        keys,
        (Some(image), None),
    )]));
    let err = changes[0].as_ref().unwrap_err();
    assert!(
        matches!(err, Error::ChangeUnreadable { key: Some(key), sequence_number, .. }
            if key == r#"customer = "c1", id = "not a number""# && sequence_number == "77"),
        "{err}"
    );
    assert!(
        err.to_string().contains("change `77` of item `customer"),
        "{err}"
    );
}

fn store_record(seq: &str, pk: &str, sk: &str, image: Value) -> Value {
    let keys = json!({ "pk": { "S": pk }, "sk": { "S": sk } });
    let mut image = image;
    image["pk"] = json!({ "S": pk });
    image["sk"] = json!({ "S": sk });
    let mut out = record("INSERT", seq, "NEW_IMAGE", keys, (Some(image), None));
    out["eventSourceARN"] = json!("arn:aws:dynamodb:us-east-1:1:table/store/stream/x");
    out
}

fn store_event() -> Event {
    event(vec![
        store_record(
            "1",
            "CUSTOMER#c1",
            "PROFILE",
            json!({ "_type": { "S": "customer" }, "id": { "S": "c1" }, "name": { "S": "Ada" } }),
        ),
        store_record(
            "2",
            "CUSTOMER#c1",
            "PURCHASE#0000000007",
            json!({ "_type": { "S": "purchase" }, "customer": { "S": "c1" }, "id": { "N": "7" } }),
        ),
        store_record(
            "3",
            "NOTE#n1",
            "NOTE",
            json!({ "_type": { "S": "note" }, "text": { "S": "hi" } }),
        ),
    ])
}

#[test]
fn an_entity_reads_its_own_changes_of_a_shared_tables_stream() {
    let purchases = lambda::changes::<Purchase>(store_event());
    assert_eq!(purchases.len(), 1, "only the purchase's record");
    let change = purchases.into_iter().next().unwrap().unwrap();
    assert_eq!(
        change.new_image().unwrap(),
        Some(&Purchase {
            customer: "c1".into(),
            id: 7
        })
    );
    assert_eq!(change.table(), "store");
    assert_eq!(
        change.key().to_string(),
        r#"pk = "CUSTOMER#c1", sk = "PURCHASE#0000000007""#
    );
}

#[derive(DynamoModel, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[dynamo(table = Store, entity = "note", pk = "NOTE#{id}", sk = "NOTE")]
struct Note {
    id: String,
    text: String,
}

/// One entity's item put over another's at the customer's profile key, as
/// the one MODIFY the shared table's stream records (`old`, `new`: its
/// images, each of its own entity).
fn replaced(old: Value, new: Value) -> Event {
    let keys = json!({ "pk": { "S": "CUSTOMER#c1" }, "sk": { "S": "PROFILE" } });
    let at_key = |mut image: Value| {
        image["pk"] = json!({ "S": "CUSTOMER#c1" });
        image["sk"] = json!({ "S": "PROFILE" });
        image
    };
    let mut out = record(
        "MODIFY",
        "5",
        BOTH,
        keys,
        (Some(at_key(new)), Some(at_key(old))),
    );
    out["eventSourceARN"] = json!("arn:aws:dynamodb:us-east-1:1:table/store/stream/x");
    event(vec![out])
}

fn customer_image() -> Value {
    json!({ "_type": { "S": "customer" }, "id": { "S": "c1" }, "name": { "S": "Ada" } })
}

fn purchase_image() -> Value {
    json!({ "_type": { "S": "purchase" }, "customer": { "S": "c1" }, "id": { "N": "7" } })
}

/// A put of one entity over another's item at its key is one MODIFY with
/// images of two entities. Each model reads its own side (a remove of the
/// customer, an insert of the purchase), a collection of both the modify,
/// and any other entity leaves it out: no model's decode fails on it, so a
/// Lambda shard never stops at the record (until it ages out) for it.
#[tokio::test]
async fn a_put_over_another_entitys_item_is_a_remove_of_one_and_an_insert_of_the_other() {
    let ada = Customer {
        id: "c1".into(),
        name: "Ada".into(),
    };
    let purchase = Purchase {
        customer: "c1".into(),
        id: 7,
    };
    let event = || replaced(customer_image(), purchase_image());

    let removed = lambda::changes::<Customer>(event()).remove(0).unwrap();
    assert_eq!(removed.kind(), ChangeKind::Remove);
    assert_eq!(removed.old_image().unwrap(), Some(&ada));
    assert_eq!(removed.new_image().unwrap(), None);
    assert_eq!(removed.sequence_number(), "5");
    assert_eq!(
        removed.key().to_string(),
        r#"pk = "CUSTOMER#c1", sk = "PROFILE""#
    );

    let inserted = lambda::changes::<Purchase>(event()).remove(0).unwrap();
    assert_eq!(inserted.kind(), ChangeKind::Insert);
    assert_eq!(inserted.old_image().unwrap(), None);
    assert_eq!(inserted.new_image().unwrap(), Some(&purchase));

    let both = lambda::changes::<CustomerView>(event()).remove(0).unwrap();
    assert_eq!(both.kind(), ChangeKind::Modify);
    assert_eq!(
        both.into_images(),
        (
            Some(CustomerView::Profile(ada.clone())),
            Some(CustomerView::Purchase(purchase.clone()))
        )
    );

    assert!(lambda::changes::<Note>(event()).is_empty(), "not a note's");

    // The other way round: a customer put over the purchase's item is an
    // insert of the customer.
    let back = lambda::changes::<Customer>(replaced(purchase_image(), customer_image()))
        .remove(0)
        .unwrap();
    assert_eq!(back.kind(), ChangeKind::Insert);
    assert_eq!(back.into_images(), (None, Some(ada)));

    // And the Lambda batch goes on past it, for every model.
    let handled =
        lambda::for_each_change::<Customer, _, _, String>(event(), |_| async { Ok(()) }).await;
    assert!(handled.failure.is_none(), "{:?}", handled.failure);
    assert!(handled.response.batch_item_failures.is_empty());
}

#[test]
fn a_collection_reads_each_change_as_its_entitys_variant() {
    let changes: Vec<CustomerView> = lambda::changes::<CustomerView>(store_event())
        .into_iter()
        .map(|c| c.unwrap().into_images().1.unwrap())
        .collect();
    assert_eq!(
        changes,
        [
            CustomerView::Profile(Customer {
                id: "c1".into(),
                name: "Ada".into()
            }),
            CustomerView::Purchase(Purchase {
                customer: "c1".into(),
                id: 7
            }),
        ]
    );
}

#[tokio::test]
async fn a_failed_record_is_retried_with_those_after_it_only() {
    let records = || {
        (1..=4)
            .map(|id| {
                record(
                    "INSERT",
                    &id.to_string(),
                    BOTH,
                    order_keys(id),
                    (Some(order_image(id, id)), None),
                )
            })
            .collect::<Vec<_>>()
    };
    let mut handled = Vec::new();
    let out = lambda::for_each_change::<Order, _, _, String>(event(records()), |change| {
        let id = change.new_image().unwrap().unwrap().id;
        handled.push(id);
        async move {
            if id == 3 {
                Err("the downstream service refused order 3".to_owned())
            } else {
                Ok(())
            }
        }
    })
    .await;
    assert_eq!(handled, [1, 2, 3]);
    assert_eq!(
        serde_json::to_value(&out.response).unwrap(),
        json!({ "batchItemFailures": [{ "itemIdentifier": "3" }] })
    );
    assert!(matches!(out.failure, Some((seq, Failure::Handler(_))) if seq == "3"));
    // An unreadable record stops the batch there too.
    let mut bad = records();
    bad[1]["dynamodb"]["NewImage"]["total"] = json!({ "S": "two" });
    let out =
        lambda::for_each_change::<Order, _, _, String>(event(bad), |_| async { Ok(()) }).await;
    assert!(matches!(out.failure, Some((seq, Failure::Unreadable(_))) if seq == "2"));
    // Every record handled: no failures, so Lambda moves on.
    let out =
        lambda::for_each_change::<Order, _, _, String>(event(records()), |_| async { Ok(()) })
            .await;
    assert!(out.response.batch_item_failures.is_empty() && out.failure.is_none());

    // A failed record without a sequence number cannot be named: Lambda
    // retries from the record before it, or, with none before it, the whole
    // batch (an empty identifier); never a success (issue 31, point 11).
    let identifiers = |records: Vec<Value>, fail: u32| {
        let out =
            futures_util::FutureExt::now_or_never(lambda::for_each_change::<Order, _, _, String>(
                event(records),
                |change| {
                    let id = change.new_image().unwrap().unwrap().id;
                    async move {
                        if id == fail {
                            Err(format!("order {id}"))
                        } else {
                            Ok(())
                        }
                    }
                },
            ))
            .unwrap();
        assert!(out.failure.is_some());
        out.response
            .batch_item_failures
            .iter()
            .map(|f| f.item_identifier.clone().unwrap_or_default())
            .collect::<Vec<_>>()
    };
    let mut unnamed = records();
    unnamed[2]["dynamodb"]
        .as_object_mut()
        .unwrap()
        .remove("SequenceNumber");
    assert_eq!(identifiers(unnamed.clone(), 3), ["2"]);
    unnamed[0]["dynamodb"]
        .as_object_mut()
        .unwrap()
        .remove("SequenceNumber");
    assert_eq!(identifiers(unnamed[..1].to_vec(), 1), [""]);
    assert_eq!(identifiers(records(), 2), ["2"]);
}

/// The README's Lambda handler is `examples/lambda_handler.rs`'s, which
/// `cargo test` builds: the README's code compiles.
#[test]
fn the_readme_handler_is_the_example_that_is_built() {
    let root = env!("CARGO_MANIFEST_DIR");
    let example = std::fs::read_to_string(format!("{root}/examples/lambda_handler.rs")).unwrap();
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    let handler = example
        .split("// README: the handler\n")
        .nth(1)
        .and_then(|rest| rest.split("// README: end\n").next())
        .expect("the example marks its handler");
    assert!(handler.contains("async fn handler("));
    assert!(
        readme.contains(handler),
        "README.md's Lambda handler differs from examples/lambda_handler.rs"
    );
}
