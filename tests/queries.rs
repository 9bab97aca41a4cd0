//! Query and Scan on a real server: every range condition on the table, a
//! GSI and an LSI; filters; descending order; pagination across pages with
//! the cursor round-tripped through a string (and refused when edited or
//! from elsewhere); a sparse GSI; a KEYS_ONLY index read into a partial
//! type; a parallel scan that sees every item exactly once.

mod support;

use std::collections::HashMap;
use std::time::Duration;

use dynamo_model::{Cursor, Db, DynamoModel, Error, Query};
use futures_util::{StreamExt, TryStreamExt};
use serde::{Deserialize, Serialize};

#[derive(DynamoModel, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[dynamo(table = "events")]
struct Event {
    #[hash_key]
    stream: String,
    #[range_key]
    seq: String,
    #[gsi(name = "by_kind", hash_key)]
    kind: String,
    #[gsi(name = "by_kind", range_key)]
    #[lsi(name = "by_at", projection = "keys_only")]
    at: i64,
    #[lsi(name = "by_label")]
    label: String,
    #[gsi(name = "by_tag", hash_key)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tag: Option<String>,
    body: String,
}

/// What the KEYS_ONLY LSI `by_at` holds: the table's keys and its own.
#[derive(Deserialize, Debug, PartialEq)]
struct EventKeys {
    stream: String,
    seq: String,
    at: i64,
}

fn event(stream: &str, i: u32) -> Event {
    Event {
        stream: stream.into(),
        seq: format!("{i:02}"),
        kind: if i.is_multiple_of(2) { "even" } else { "odd" }.into(),
        at: i64::from(i) * 10,
        label: format!("L{}-{i:02}", i / 10),
        tag: i.is_multiple_of(5).then(|| "fives".into()),
        body: "x".repeat(50),
    }
}

async fn seed(db: &Db, n: u32) {
    let events = db.table::<Event>();
    for i in 0..n {
        events.put(&event("s1", i)).await.unwrap();
    }
    events.put(&event("s2", 0)).await.unwrap();
}

fn seqs(events: &[Event]) -> Vec<u32> {
    events.iter().map(|e| e.seq.parse().unwrap()).collect()
}

/// A GSI is eventually consistent: retry the read for a few seconds until it
/// shows `expected`.
async fn eventually(read: impl Fn() -> Query<Event, i64>, expected: &[u32]) -> Vec<u32> {
    let mut got = Vec::new();
    for _ in 0..50 {
        got = seqs(&read().all().await.unwrap());
        if got == expected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    got
}

#[dynamo_model::test(models(Event))]
async fn every_range_condition_on_the_table(db: Db) {
    seed(&db, 20).await;
    let events = db.table::<Event>();
    let q = || events.query("s1");
    assert_eq!(seqs(&q().all().await.unwrap()), (0..20).collect::<Vec<_>>());
    assert_eq!(seqs(&q().range_eq("07").all().await.unwrap()), [7]);
    assert_eq!(seqs(&q().range_lt("03").all().await.unwrap()), [0, 1, 2]);
    assert_eq!(seqs(&q().range_le("02").all().await.unwrap()), [0, 1, 2]);
    assert_eq!(seqs(&q().range_gt("17").all().await.unwrap()), [18, 19]);
    assert_eq!(seqs(&q().range_ge("18").all().await.unwrap()), [18, 19]);
    assert_eq!(
        seqs(&q().range_between("05", "07").all().await.unwrap()),
        [5, 6, 7]
    );
    assert_eq!(
        seqs(&q().range_begins_with("1").all().await.unwrap()),
        (10..20).collect::<Vec<_>>()
    );
    assert_eq!(
        seqs(&q().range_lt("03").descending().all().await.unwrap()),
        [2, 1, 0]
    );
    assert_eq!(
        seqs(&q().consistent_read().limit(3).all().await.unwrap()),
        [0, 1, 2]
    );
    // A filter from the typed field paths, on top of the key condition.
    let f = Event::fields();
    assert_eq!(
        seqs(
            &q().range_lt("10")
                .filter(f.kind.eq("odd").and(f.at.gt(40)))
                .all()
                .await
                .unwrap()
        ),
        [5, 7, 9]
    );
    assert_eq!(seqs(&events.query("s2").all().await.unwrap()), [0]);
    assert!(events.query("none").all().await.unwrap().is_empty());
}

#[dynamo_model::test(models(Event))]
async fn every_range_condition_on_a_gsi_and_an_lsi(db: Db) {
    seed(&db, 20).await;
    let events = db.table::<Event>();
    let by_kind = Event::indexes().by_kind;
    let odd = || events.query_index(by_kind, "odd");
    assert_eq!(
        eventually(odd, &[1, 3, 5, 7, 9, 11, 13, 15, 17, 19])
            .await
            .len(),
        10
    );
    let check = |q: Query<Event, i64>, expected: Vec<u32>| async move {
        assert_eq!(seqs(&q.all().await.unwrap()), expected);
    };
    check(odd().range_eq(30), vec![3]).await;
    check(odd().range_lt(30), vec![1]).await;
    check(odd().range_le(30), vec![1, 3]).await;
    check(odd().range_gt(170), vec![19]).await;
    check(odd().range_ge(170), vec![17, 19]).await;
    check(odd().range_between(50, 90), vec![5, 7, 9]).await;
    check(odd().range_le(30).descending(), vec![3, 1]).await;

    // The LSI `by_label` (ALL projection), strongly consistent.
    let by_label = Event::indexes().by_label;
    let q = || events.query_index(by_label, "s1").consistent_read();
    let run = |q: Query<Event, String>| async move { seqs(&q.all().await.unwrap()) };
    assert_eq!(run(q().range_eq("L0-03")).await, [3]);
    assert_eq!(run(q().range_lt("L0-02")).await, [0, 1]);
    assert_eq!(run(q().range_le("L0-01")).await, [0, 1]);
    assert_eq!(run(q().range_gt("L1-18")).await, [19]);
    assert_eq!(run(q().range_ge("L1-18")).await, [18, 19]);
    assert_eq!(
        run(q().range_between("L0-08", "L1-11")).await,
        [8, 9, 10, 11]
    );
    assert_eq!(
        run(q().range_begins_with("L1")).await,
        (10..20).collect::<Vec<_>>()
    );

    // A GSI cannot be read consistently: refused before the request.
    let err = odd().consistent_read().all().await.unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err}");
}

#[dynamo_model::test(models(Event))]
async fn a_sparse_gsi_holds_only_the_items_with_its_key(db: Db) {
    seed(&db, 20).await;
    let events = db.table::<Event>();
    let mut tagged = Vec::new();
    for _ in 0..50 {
        tagged = seqs(
            &events
                .query_index(Event::indexes().by_tag, "fives")
                .all()
                .await
                .unwrap(),
        );
        tagged.sort();
        if tagged.len() == 5 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // 0, 5, 10, 15 of s1 and 0 of s2.
    assert_eq!(tagged, [0, 0, 5, 10, 15]);
    let scanned = events.scan_index("by_tag").all().await.unwrap();
    assert_eq!(scanned.len(), 5, "the index holds no item without a tag");
}

#[dynamo_model::test(models(Event))]
async fn a_keys_only_index_reads_into_a_partial_type_with_a_clear_error_otherwise(db: Db) {
    seed(&db, 3).await;
    let events = db.table::<Event>();
    let err = events
        .query_index(Event::indexes().by_at, "s1")
        .all()
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("projects only key attributes (KEYS_ONLY)") && message.contains("as_type"),
        "{message}"
    );
    let keys: Vec<EventKeys> = events
        .query_index(Event::indexes().by_at, "s1")
        .range_ge(10)
        .as_type::<EventKeys>()
        .all()
        .await
        .unwrap();
    assert_eq!(
        keys,
        [
            EventKeys {
                stream: "s1".into(),
                seq: "01".into(),
                at: 10
            },
            EventKeys {
                stream: "s1".into(),
                seq: "02".into(),
                at: 20
            },
        ]
    );
}

/// An item that does not read is named by its key, on every read path, so
/// it can be found in a big table (issue 31, point 7).
#[dynamo_model::test(models(Event))]
async fn an_item_that_does_not_read_is_named_by_its_key(db: Db) {
    use dynamo_model::aws_sdk_dynamodb::types::AttributeValue;
    seed(&db, 3).await;
    db.table_named("events")
        .put_attributes(HashMap::from([
            ("stream".to_owned(), AttributeValue::S("s1".into())),
            ("seq".to_owned(), AttributeValue::S("99".into())),
            ("kind".to_owned(), AttributeValue::S("odd".into())),
            ("at".to_owned(), AttributeValue::N("990".into())),
            ("label".to_owned(), AttributeValue::S("L9".into())),
            ("body".to_owned(), AttributeValue::N("7".into())),
        ]))
        .await
        .unwrap();
    let events = db.table::<Event>();
    let named = |err: Error| match &err {
        Error::Serde { key, .. } => {
            assert_eq!(
                key.as_deref(),
                Some(r#"stream = "s1", seq = "99""#),
                "{err}"
            );
            assert!(
                err.to_string().contains(r#"`stream = "s1", seq = "99"`"#),
                "{err}"
            );
        }
        other => panic!("{other:?}"),
    };
    named(events.query("s1").all().await.unwrap_err());
    named(events.scan().all().await.unwrap_err());
    named(events.scan().segments(3).all().await.unwrap_err());
    named(
        events
            .query_index(Event::indexes().by_kind, "odd")
            .all()
            .await
            .unwrap_err(),
    );
    named(events.get(("s1", "99")).await.unwrap_err());
}

#[dynamo_model::test(models(Event))]
async fn pages_follow_each_other_through_a_cursor_string(db: Db) {
    seed(&db, 23).await;
    let events = db.table::<Event>();
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut query = events.query("s1").page_size(5);
        if let Some(text) = &cursor {
            query = query.after(text.parse::<Cursor>().unwrap());
        }
        let page = query.send().await.unwrap();
        pages += 1;
        assert!(page.items.len() <= 5);
        seen.extend(seqs(&page.items));
        match page.next {
            // Through a string, as a service hands it to a client and back,
            // and through serde.
            Some(next) => {
                let json = serde_json::to_string(&next).unwrap();
                let back: Cursor = serde_json::from_str(&json).unwrap();
                cursor = Some(back.to_string());
            }
            None => break,
        }
        assert!(pages < 20, "the pages never end");
    }
    assert!(pages >= 5, "{pages} pages");
    assert_eq!(
        seen,
        (0..23).collect::<Vec<_>>(),
        "every item once, in order"
    );

    // The stream reads the same items page by page; `limit` caps the total.
    let streamed: Vec<Event> = events
        .query("s1")
        .page_size(4)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(seqs(&streamed), (0..23).collect::<Vec<_>>());
    let first_seven = events
        .query("s1")
        .page_size(4)
        .limit(7)
        .all()
        .await
        .unwrap();
    assert_eq!(seqs(&first_seven), (0..7).collect::<Vec<_>>());

    // An edited cursor, or one of another index or table, is refused before
    // any request.
    let page = events.query("s1").page_size(5).send().await.unwrap();
    let text = page.next.unwrap().to_string();
    let tampered = text.replacen("dm2.", "dm2.00", 1);
    assert!(tampered.parse::<Cursor>().is_err());
    let cursor: Cursor = text.parse().unwrap();
    let err = events
        .query_index(Event::indexes().by_kind, "odd")
        .after(cursor.clone())
        .send()
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("was made for table `events`, not index `by_kind`"),
        "{err}"
    );
    let err = db
        .table::<support::models::User>()
        .scan()
        .after(cursor)
        .send()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("invalid cursor"), "{err}");
}

#[dynamo_model::test(models(Event))]
async fn a_parallel_scan_sees_every_item_exactly_once(db: Db) {
    seed(&db, 40).await;
    let events = db.table::<Event>();
    for segments in [1, 3, 8] {
        let items: Vec<Event> = events
            .scan()
            .segments(segments)
            .page_size(7)
            .stream()
            .try_collect()
            .await
            .unwrap();
        let mut counts: HashMap<(String, String), usize> = HashMap::new();
        for e in &items {
            *counts.entry((e.stream.clone(), e.seq.clone())).or_default() += 1;
        }
        assert_eq!(items.len(), 41, "{segments} segments");
        assert!(
            counts.values().all(|n| *n == 1),
            "{segments} segments: duplicates"
        );
    }
    let f = Event::fields();
    let odd = events
        .scan()
        .filter(f.kind.eq("odd"))
        .segments(2)
        .all()
        .await
        .unwrap();
    assert_eq!(odd.len(), 20);
    assert_eq!(events.scan().limit(5).stream().count().await, 5);
}

#[dynamo_model::test(models(Event))]
async fn by_name_index_queries_are_checked_before_the_request(db: Db) {
    seed(&db, 4).await;
    let events = db.table::<Event>();
    let mut odd = Vec::new();
    for _ in 0..50 {
        odd = seqs(
            &events
                .query_index_named("by_kind", "odd")
                .range_ge(0)
                .all()
                .await
                .unwrap(),
        );
        if odd.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(odd, [1, 3]);
    let err = events
        .query_index_named("by_knd", "odd")
        .all()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no index `by_knd`"), "{err}");
    let err = events
        .query_index_named("by_tag", "fives")
        .range_eq("x")
        .all()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no range (sort) key"), "{err}");
    let err = events
        .query_index_named("by_kind", "odd")
        .range_eq("ten")
        .all()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("key `at` is of type N"), "{err}");
    let err = events
        .query_index_named("by_kind", 7)
        .all()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("key `kind` is of type S"), "{err}");
}

/// Only some fields, by Rust name: DynamoDB sends only those.
#[derive(Deserialize, Debug, PartialEq)]
struct Labels {
    seq: String,
    label: String,
    body: Option<String>,
}

#[dynamo_model::test(models(Event))]
async fn a_projection_reads_only_the_fields_named(db: Db) {
    seed(&db, 3).await;
    let events = db.table::<Event>();
    let labels = events
        .query("s1")
        .project(&["seq", "label"])
        .as_type::<Labels>()
        .all()
        .await
        .unwrap();
    assert_eq!(
        labels,
        (0..3)
            .map(|i| Labels {
                seq: format!("{i:02}"),
                label: format!("L0-{i:02}"),
                body: None,
            })
            .collect::<Vec<_>>()
    );
    let scanned = events
        .scan()
        .project(&["label"])
        .as_type::<HashMap<String, String>>()
        .all()
        .await
        .unwrap();
    assert!(
        scanned
            .iter()
            .all(|m| m.len() == 1 && m.contains_key("label")),
        "{scanned:?}"
    );
    let err = events
        .query("s1")
        .project(&["lable"])
        .all()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no field `lable`"), "{err}");
}

/// A GSI with a multi-attribute key (2 partition + 2 sort attributes).
#[derive(DynamoModel, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[dynamo(table = "visits")]
struct Visit {
    #[hash_key]
    id: u32,
    #[gsi(name = "by_place", hash_key)]
    region: String,
    #[gsi(name = "by_place", hash_key)]
    city: String,
    #[gsi(name = "by_place", range_key)]
    day: u32,
    #[gsi(name = "by_place", range_key)]
    hour: u32,
}

#[tokio::test]
async fn a_multi_attribute_gsi_is_queried_with_every_partition_value() {
    use support::backend::{lacks, supports, Feature};
    if !supports(Feature::MultiAttributeGsiKeys) {
        lacks(
            Feature::MultiAttributeGsiKeys,
            "the other query tests (no table with such an index can be made)",
        );
        return;
    }
    let (_scratch, db) = support::server::scratch_db().await;
    let visits = db.table::<Visit>();
    visits
        .create(dynamo_model::CreateTableOptions::new().wait(true))
        .await
        .unwrap();
    let mut id = 0;
    for city in ["paris", "lyon"] {
        for day in 1..=3 {
            for hour in [9, 12, 18] {
                id += 1;
                let visit = Visit {
                    id,
                    region: "eu".into(),
                    city: city.into(),
                    day,
                    hour,
                };
                visits.put(&visit).await.unwrap();
            }
        }
    }
    let q = || visits.query_index_named("by_place", "eu").and_hash("paris");
    let mut all = Vec::new();
    for _ in 0..50 {
        all = q().all().await.unwrap();
        if all.len() == 9 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(all.len(), 9);
    assert!(all.iter().all(|v| v.city == "paris"));
    let day2_afternoon = q().and_range_eq(2).range_ge(12).all().await.unwrap();
    let mut hours: Vec<u32> = day2_afternoon.iter().map(|v| v.hour).collect();
    hours.sort();
    assert_eq!(hours, [12, 18]);
    assert!(day2_afternoon.iter().all(|v| v.day == 2));
    let from_day2 = q().range_ge(2).all().await.unwrap();
    assert_eq!(from_day2.len(), 6);

    let err = visits
        .query_index_named("by_place", "eu")
        .all()
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("2 partition key attribute(s) (region, city), and 1 value(s)"),
        "{err}"
    );
    let err = q()
        .and_range_eq(1)
        .and_range_eq(9)
        .range_eq(1)
        .all()
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("conditions on 3 were given"),
        "{err}"
    );
}

/// A cursor continues the read that made it: a query of another partition,
/// or a scan, refuses it before any request (DynamoDB would answer a bare
/// ValidationException, or start the scan somewhere meaningless).
#[dynamo_model::test(models(Event))]
async fn a_cursor_is_refused_by_another_partition_and_by_a_scan(db: Db) {
    seed(&db, 6).await;
    let events = db.table::<Event>();
    for i in 0..3 {
        events.put(&event("s2", i)).await.unwrap();
    }
    let page = events.query("s1").page_size(2).send().await.unwrap();
    let cursor = page.next.expect("more pages");
    let err = events
        .query("s2")
        .after(cursor.clone())
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err}");
    assert!(
        err.to_string().contains("partition `stream = \"s1\"`"),
        "{err}"
    );
    let err = events
        .scan()
        .after(cursor.clone())
        .send()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("made by a query"), "{err}");
    // The query it came from still takes it.
    let next = events
        .query("s1")
        .after(cursor)
        .page_size(2)
        .send()
        .await
        .unwrap();
    assert_eq!(next.items.len(), 2);
    // And a scan's cursor does not start a query.
    let scanned = events.scan().page_size(2).send().await.unwrap();
    let err = events
        .query("s1")
        .after(scanned.next.expect("more pages"))
        .send()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("made by a scan"), "{err}");
}

#[dynamo_model::test(models(Event))]
async fn a_page_size_of_zero_is_refused(db: Db) {
    let events = db.table::<Event>();
    let err = events.query("s1").page_size(0).send().await.unwrap_err();
    assert!(err.to_string().contains("page_size(0)"), "{err}");
    let err = events.scan().page_size(0).all().await.unwrap_err();
    assert!(err.to_string().contains("page_size(0)"), "{err}");
    let err = events
        .scan()
        .segments(4)
        .concurrency(0)
        .all()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("at least one segment"), "{err}");
}

/// 200 segments on a small table are read a few at a time, not as 200
/// requests at once; every item is still seen once.
#[tokio::test]
async fn many_segments_are_read_a_bounded_number_at_a_time() {
    use support::fault_proxy::{Fault, Rule};
    let local = dynamo_model::testing::LocalDynamoDb::start().await.unwrap();
    let tables = dynamo_model::testing::TestTables::new(local.db())
        .with::<Event>()
        .create()
        .await
        .unwrap();
    seed(tables.db(), 30).await;
    let (proxy, db) = support::faulty::through_proxy(&local, &tables);
    proxy.add(
        Rule::new(Fault::Slow(Duration::from_millis(20)))
            .on("Scan")
            .always(),
    );
    let all = db
        .table::<Event>()
        .scan()
        .segments(200)
        .all()
        .await
        .unwrap();
    assert_eq!(all.len(), 31, "30 of s1 and one of s2");
    let mut keys: Vec<(&str, &str)> = all
        .iter()
        .map(|e| (e.stream.as_str(), e.seq.as_str()))
        .collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 31, "each item once");
    assert!(proxy.requests("Scan") >= 200);
    let most = proxy.max_in_flight("Scan");
    assert!(
        most <= dynamo_model::DEFAULT_SCAN_CONCURRENCY as u32,
        "{most} Scan requests were in flight at once"
    );
}
