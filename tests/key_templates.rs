//! Key templates (issue 20, point 3): values written into keys keep their
//! order where the placeholder ends the key, never collide, and read back.
//! Property tests against Rust's own ordering, first on the text alone,
//! then on a real backend: a range query between two rendered bounds
//! returns exactly the items whose value lies in the range, in order.

mod support;

use std::fmt::Debug;

use dynamo_model::{Db, DynamoModel, KeyTemplate, RenderValue, TemplateValue};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use serde::{Deserialize, Serialize};

fn render_one<T: TemplateValue + RenderValue>(template: &KeyTemplate, value: &T) -> String {
    template.render(&[value]).unwrap()
}

/// The last placeholder's value, read back from a key.
fn read_last<T: TemplateValue>(template: &KeyTemplate, key: &str) -> T {
    let parts = template.split(key, &[T::WIDTH]).unwrap();
    T::read_key(parts[0], template.stop(0)).unwrap()
}

fn order_and_round_trip<T>(a: T, b: T)
where
    T: TemplateValue + RenderValue + Ord + Debug + PartialEq,
{
    let template = KeyTemplate::parse("V#{v}").unwrap();
    let (ka, kb) = (render_one(&template, &a), render_one(&template, &b));
    assert_eq!(
        a.cmp(&b),
        ka.as_bytes().cmp(kb.as_bytes()),
        "{a:?} {b:?}: {ka} {kb}"
    );
    assert_eq!(read_last::<T>(&template, &ka), a);
    if let Some(width) = T::WIDTH {
        assert_eq!(ka.len(), "V#".len() + width);
    }
}

proptest! {
    #[test]
    fn signed_integers_sort_as_their_keys(a: i64, b: i64) { order_and_round_trip(a, b) }
    #[test]
    fn small_signed_integers_sort_as_their_keys(a: i8, b: i8) { order_and_round_trip(a, b) }
    #[test]
    fn i32_sort_as_their_keys(a: i32, b: i32) { order_and_round_trip(a, b) }
    #[test]
    fn i128_sort_as_their_keys(a: i128, b: i128) { order_and_round_trip(a, b) }
    #[test]
    fn unsigned_integers_sort_as_their_keys(a: u64, b: u64) { order_and_round_trip(a, b) }
    #[test]
    fn u16_sort_as_their_keys(a: u16, b: u16) { order_and_round_trip(a, b) }
    #[test]
    fn strings_at_the_end_sort_as_themselves(a: String, b: String) { order_and_round_trip(a, b) }
    #[test]
    fn uuids_sort_as_their_keys(a: u128, b: u128) {
        order_and_round_trip(uuid::Uuid::from_u128(a), uuid::Uuid::from_u128(b))
    }
    #[test]
    fn chrono_times_sort_as_their_keys(a in times(), b in times()) {
        order_and_round_trip(chrono_time(a), chrono_time(b))
    }
    #[test]
    fn dates_sort_as_their_keys(a in 0i64..3_652_059, b in 0i64..3_652_059) {
        let day = |n: i64| chrono::NaiveDate::from_ymd_opt(0, 1, 1).unwrap() + chrono::TimeDelta::try_days(n).unwrap();
        order_and_round_trip(day(a), day(b))
    }
    #[test]
    fn time_date_times_sort_by_instant_whatever_their_offset(
        a in times(), b in times(), offset_a in -86_399i32..86_400, offset_b in -86_399i32..86_400
    ) {
        let at = |t: (i64, u32), offset: i32| {
            time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(t.0) * 1_000_000_000 + i128::from(t.1))
                .unwrap()
                .to_offset(time::UtcOffset::from_whole_seconds(offset).unwrap())
        };
        let (a, b) = (at(a, offset_a), at(b, offset_b));
        // Keys compare instants: equal instants at two offsets give one key.
        let template = KeyTemplate::parse("T#{t}").unwrap();
        let (ka, kb) = (render_one(&template, &a), render_one(&template, &b));
        prop_assert_eq!(a.cmp(&b), ka.cmp(&kb));
        prop_assert_eq!(read_last::<time::OffsetDateTime>(&template, &ka), a);
    }

    /// Strings anywhere but at the end are escaped: two fields never run
    /// into each other, whatever they hold and whatever character follows
    /// the placeholder, even one that escapes hold (a digit, `A` to `F`).
    #[test]
    fn any_stop_keeps_keys_apart(
        stop in prop::sample::select(vec!['#', '3', 'F', '€', 'a']),
        a in "[a-c#3F%€]{0,6}", b in "[a-c#3F%€]{0,6}", c in "[a-c#3F%€]{0,6}", d in "[a-c#3F%€]{0,6}"
    ) {
        let text: &'static str = Box::leak(format!("A#{{a}}{stop}{{b}}").into_boxed_str());
        let template = KeyTemplate::parse(text).unwrap();
        let k1 = template.render(&[&a, &b]).unwrap();
        let k2 = template.render(&[&c, &d]).unwrap();
        prop_assert_eq!(k1 == k2, (&a, &b) == (&c, &d), "{} {}", k1, k2);
        let parts = template.split(&k1, &[None, None]).unwrap();
        prop_assert_eq!(String::read_key(parts[0], template.stop(0)).unwrap(), a);
        prop_assert_eq!(String::read_key(parts[1], template.stop(1)).unwrap(), b);
    }

    /// Fixed-width values need no escape: a number, then a string that
    /// holds the delimiter.
    #[test]
    fn fixed_width_then_text_reads_back(n: i32, s in "[#%a]{0,5}") {
        let template = KeyTemplate::parse("ORDER#{n}#{s}").unwrap();
        let key = template.render(&[&n, &s]).unwrap();
        let parts = template.split(&key, &[i32::WIDTH, None]).unwrap();
        prop_assert_eq!(i32::read_key(parts[0], template.stop(0)).unwrap(), n);
        prop_assert_eq!(String::read_key(parts[1], template.stop(1)).unwrap(), s);
    }
}

/// Seconds and nanoseconds of instants from year 0 to 9999.
fn times() -> impl Strategy<Value = (i64, u32)> + Clone {
    (-62_167_219_200i64..253_402_300_799, 0u32..1_000_000_000)
}

fn chrono_time((seconds, nanos): (i64, u32)) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(seconds, nanos).unwrap()
}

#[test]
fn years_that_four_digits_cannot_hold_are_refused() {
    let template = KeyTemplate::parse("T#{t}").unwrap();
    let late = chrono::NaiveDate::from_ymd_opt(10_000, 1, 1).unwrap();
    let err = template.render(&[&late]).unwrap_err();
    assert!(
        err.to_string().contains("year 10000 cannot be in a key"),
        "{err}"
    );
    let early = chrono::NaiveDate::from_ymd_opt(-1, 1, 1).unwrap();
    assert!(template.render(&[&early]).is_err());

    // A leap second would be one digit wider and sort before its second.
    let leap = chrono::NaiveDate::from_ymd_opt(2016, 12, 31)
        .unwrap()
        .and_hms_nano_opt(23, 59, 59, 1_500_000_000)
        .unwrap()
        .and_utc();
    let err = template.render(&[&leap]).unwrap_err();
    assert!(err.to_string().contains("leap second"), "{err}");

    // An offset that puts the instant past year 9999 in UTC is refused, not
    // a panic.
    let last = time::macros::datetime!(9999-12-31 23:30 -01:00);
    assert!(template.render(&[&last]).is_err());
}

/// One item per value, its sort key rendered from the value.
#[derive(DynamoModel, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[dynamo(table = "rendered_keys")]
struct Rendered {
    #[hash_key]
    pk: String,
    #[range_key]
    sk: String,
}

/// Samples `count` values of `strategy`, deterministically, with the edges
/// of the type among them.
fn sample<T: Debug>(strategy: impl Strategy<Value = T>, count: usize, edges: Vec<T>) -> Vec<T> {
    let mut runner = TestRunner::new(Config {
        rng_algorithm: proptest::test_runner::RngAlgorithm::ChaCha,
        ..Config::default()
    });
    let mut out = edges;
    while out.len() < count {
        out.push(strategy.new_tree(&mut runner).unwrap().current());
    }
    out
}

/// Writes one item per value under partition `name`, then for `ranges`
/// pairs of sampled bounds checks that a query between the rendered bounds
/// gives exactly the values in the range, in Rust's order.
async fn ranges_match_rust_order<T>(db: &Db, name: &str, mut values: Vec<T>, bounds: Vec<(T, T)>)
where
    T: TemplateValue + RenderValue + Ord + Clone + Debug,
{
    let table = db.table::<Rendered>();
    let template = KeyTemplate::parse("V#{v}").unwrap();
    values.sort();
    values.dedup();
    let items: Vec<Rendered> = values
        .iter()
        .map(|v| Rendered {
            pk: name.to_owned(),
            sk: render_one(&template, v),
        })
        .collect();
    table.batch_put(&items).await.unwrap();
    for (a, b) in bounds {
        let (low, high) = if a <= b { (a, b) } else { (b, a) };
        let read: Vec<T> = table
            .query(name.to_owned())
            .range_between(render_one(&template, &low), render_one(&template, &high))
            .all()
            .await
            .unwrap()
            .into_iter()
            .map(|item| read_last::<T>(&template, &item.sk))
            .collect();
        let expected: Vec<T> = values
            .iter()
            .filter(|v| low <= **v && **v <= high)
            .cloned()
            .collect();
        assert_eq!(read, expected, "{name}: {low:?} ..= {high:?}");
    }
}

fn pairs<T: Debug + Clone>(
    strategy: impl Strategy<Value = T> + Clone,
    count: usize,
) -> Vec<(T, T)> {
    sample((strategy.clone(), strategy), count, vec![])
}

#[dynamo_model::test(models(Rendered))]
async fn range_queries_on_rendered_keys_follow_rust_order(db: Db) {
    let n = 120;
    ranges_match_rust_order(
        &db,
        "i64",
        sample(any::<i64>(), n, vec![i64::MIN, -1, 0, 1, i64::MAX]),
        [(i64::MIN, -1), (-1, 1), (0, i64::MAX)]
            .into_iter()
            .chain(pairs(any::<i64>(), 12))
            .collect(),
    )
    .await;
    ranges_match_rust_order(
        &db,
        "small-i64",
        sample(-50i64..50, n, vec![]),
        pairs(-60i64..60, 12),
    )
    .await;
    ranges_match_rust_order(
        &db,
        "u64",
        sample(any::<u64>(), n, vec![0, 1, 9, 10, u64::MAX - 1, u64::MAX]),
        [(0, u64::MAX), (u64::MAX, u64::MAX)]
            .into_iter()
            .chain(pairs(any::<u64>(), 12))
            .collect(),
    )
    .await;
    ranges_match_rust_order(
        &db,
        "i32",
        sample(any::<i32>(), n, vec![i32::MIN, 0, i32::MAX]),
        pairs(any::<i32>(), 12),
    )
    .await;
    ranges_match_rust_order(
        &db,
        "string",
        sample(
            "[a-z#%€ ]{1,8}",
            n,
            vec!["a".into(), "a#".into(), "a%".into(), "€".into()],
        ),
        pairs("[a-z#%€ ]{1,8}", 12),
    )
    .await;
    ranges_match_rust_order(
        &db,
        "uuid",
        sample(
            any::<u128>().prop_map(uuid::Uuid::from_u128),
            n,
            vec![uuid::Uuid::nil(), uuid::Uuid::max()],
        ),
        pairs(any::<u128>().prop_map(uuid::Uuid::from_u128), 12),
    )
    .await;
    ranges_match_rust_order(
        &db,
        "chrono",
        sample(times().prop_map(chrono_time), n, vec![]),
        pairs(times().prop_map(chrono_time), 12),
    )
    .await;
}
