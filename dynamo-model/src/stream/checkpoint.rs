//! Where a stream reader stands, and whether a checkpoint handed back can
//! stand in the stream as DescribeStream lists it now. The checkpoint is
//! plain data, built with or without the reader (feature `streams`),
//! because the error of a change that could not be read carries one
//! ([`Error::ChangeUnreadable`](crate::Error::ChangeUnreadable)): the
//! place just after that change, so a reader can be resumed past it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Where a reader stands in a stream: per shard, the last change read, or
/// that the shard is read to its end. Serializable, to be saved with the
/// work a change caused and handed back as
/// `StartingPosition::Checkpoint` (feature `streams`): a reader resumed
/// from it loses no change after it, and repeats none before it.
///
/// A reader hands one out with each change (`Change::checkpoint`), and
/// with each change it could not read ([`Error::checkpoint`](crate::Error::checkpoint)):
/// the place just after that change.
///
/// ```
/// let checkpoint: dynamo_model::Checkpoint = serde_json::from_str(
///     r#"{ "stream_arn": "arn:s", "shards": { "a": "done", "b": { "after": "00042" } } }"#,
/// )?;
/// assert_eq!(checkpoint.stream_arn(), "arn:s");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Checkpoint {
    pub(crate) stream_arn: String,
    pub(crate) shards: BTreeMap<String, Mark>,
}

/// How far one shard is read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Mark {
    /// Read up to this sequence number.
    After(String),
    /// Nothing read yet; changes made before this time (epoch seconds,
    /// rounded down to the minute, as some servers round a record's time)
    /// are not wanted: a reader that started at LATEST, resumed.
    Since(u64),
    /// Read to its end (a closed shard).
    Done,
}

impl Checkpoint {
    /// The ARN of the stream it is a position in.
    pub fn stream_arn(&self) -> &str {
        &self.stream_arn
    }
}

/// A shard's sequence numbers as DescribeStream lists them: its first,
/// and its last once it is closed (an open shard has no last).
#[cfg(feature = "streams")]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Range {
    pub(crate) first: Option<String>,
    pub(crate) last: Option<String>,
}

#[cfg(feature = "streams")]
impl Checkpoint {
    /// Why this checkpoint cannot stand in a stream of these shards (id,
    /// range), every reason in words; `None` when it can. Checked before
    /// anything is read, because the servers do not check it: a shard
    /// marked done is never read again (an open one's changes would be
    /// skipped for good), and a sequence number outside its shard's range
    /// is read from silently on some servers (moto), or refused in words
    /// that do not name the checkpoint. A shard the stream no longer lists
    /// (trimmed) is not judged: the server says what it says of it.
    pub(crate) fn refusal<'a>(
        &self,
        listed: impl IntoIterator<Item = (&'a str, &'a Range)>,
    ) -> Option<String> {
        use std::cmp::Ordering::{Greater, Less};
        let listed: BTreeMap<&str, &Range> = listed.into_iter().collect();
        let mut problems = Vec::new();
        for (id, mark) in &self.shards {
            let Some(range) = listed.get(id.as_str()) else {
                continue;
            };
            match mark {
                Mark::Done if range.last.is_none() => problems.push(format!(
                    "it marks shard `{id}` read to its end, and the stream shows that shard open \
                     (no EndingSequenceNumber): resuming would skip its changes for good"
                )),
                Mark::After(at) => {
                    if let Some(first) = &range.first {
                        if sequence_order(at, first) == Some(Less) {
                            problems.push(format!(
                                "its sequence number `{at}` of shard `{id}` is before the shard's first, `{first}`: \
                                 it is not of this shard, or the changes after it were trimmed"
                            ));
                        }
                    }
                    if let Some(last) = &range.last {
                        if sequence_order(at, last) == Some(Greater) {
                            problems.push(format!(
                                "its sequence number `{at}` of shard `{id}` is past the shard's last, `{last}` \
                                 (the shard is closed): it is not of this shard"
                            ));
                        }
                    }
                }
                _ => {}
            }
        }
        (!problems.is_empty()).then(|| {
            format!(
                "{} (the checkpoint was edited, or is of another stream of the same name); \
                 nothing was read",
                problems.join("; ")
            )
        })
    }
}

/// Two sequence numbers in numeric order (decimal strings of up to 40
/// digits, as DynamoDB's are); `None` when either is not one, since a
/// server's own spelling is not for this crate to judge.
#[cfg(feature = "streams")]
pub(crate) fn sequence_order(a: &str, b: &str) -> Option<std::cmp::Ordering> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    if !digits(a) || !digits(b) {
        return None;
    }
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    Some(a.len().cmp(&b.len()).then_with(|| a.cmp(b)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkpoint_is_plain_json() {
        let checkpoint = Checkpoint {
            stream_arn: "arn:s".to_owned(),
            shards: BTreeMap::from([
                ("a".to_owned(), Mark::Done),
                ("b".to_owned(), Mark::After("00042".to_owned())),
                ("c".to_owned(), Mark::Since(1_800_000_000)),
            ]),
        };
        let json = serde_json::to_value(&checkpoint).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "stream_arn": "arn:s",
                "shards": { "a": "done", "b": { "after": "00042" }, "c": { "since": 1800000000 } }
            })
        );
        assert_eq!(
            serde_json::from_value::<Checkpoint>(json).unwrap(),
            checkpoint
        );
    }

    #[cfg(feature = "streams")]
    fn range(first: &str, last: Option<&str>) -> Range {
        Range {
            first: Some(first.to_owned()),
            last: last.map(str::to_owned),
        }
    }

    #[cfg(feature = "streams")]
    fn at(marks: &[(&str, Mark)]) -> Checkpoint {
        Checkpoint {
            stream_arn: "arn:s".to_owned(),
            shards: marks
                .iter()
                .map(|(id, mark)| ((*id).to_owned(), mark.clone()))
                .collect(),
        }
    }

    #[cfg(feature = "streams")]
    #[test]
    fn sequence_numbers_compare_as_numbers() {
        use std::cmp::Ordering::*;
        assert_eq!(sequence_order("9", "10"), Some(Less));
        assert_eq!(sequence_order("00042", "42"), Some(Equal));
        assert_eq!(
            sequence_order("1100000000017454423010", "1100000000017454423009"),
            Some(Greater)
        );
        assert_eq!(sequence_order("abc", "1"), None);
        assert_eq!(sequence_order("", "1"), None);
    }

    #[cfg(feature = "streams")]
    #[test]
    fn a_checkpoint_that_fits_its_shards_is_resumed() {
        let closed = range("100", Some("200"));
        let open = range("201", None);
        let listed = [("closed", &closed), ("open", &open)];
        let fits = at(&[
            ("closed", Mark::Done),
            ("open", Mark::After("250".to_owned())),
            // Trimmed from the stream: the server judges it.
            ("gone", Mark::Done),
        ]);
        assert_eq!(fits.refusal(listed), None);
        let inside = at(&[("closed", Mark::After("200".to_owned()))]);
        assert_eq!(inside.refusal(listed), None);
        let since = at(&[("open", Mark::Since(1_800_000_000))]);
        assert_eq!(since.refusal(listed), None);
    }

    #[cfg(feature = "streams")]
    #[test]
    fn an_open_shard_marked_done_is_refused() {
        let open = range("201", None);
        let why = at(&[("open", Mark::Done)])
            .refusal([("open", &open)])
            .expect("refused");
        assert!(why.contains("shard `open` read to its end"), "{why}");
        assert!(why.contains("no EndingSequenceNumber"), "{why}");
    }

    #[cfg(feature = "streams")]
    #[test]
    fn a_sequence_number_outside_its_shards_range_is_refused() {
        let closed = range("100", Some("200"));
        let open = range("201", None);
        let listed = [("closed", &closed), ("open", &open)];
        let past = at(&[("closed", Mark::After("201".to_owned()))])
            .refusal(listed)
            .expect("past the end");
        assert!(past.contains("past the shard's last, `200`"), "{past}");
        let before = at(&[("open", Mark::After("150".to_owned()))])
            .refusal(listed)
            .expect("before the start");
        assert!(
            before.contains("before the shard's first, `201`"),
            "{before}"
        );
        // Every problem is named, not just the first.
        let both = at(&[
            ("closed", Mark::After("999".to_owned())),
            ("open", Mark::Done),
        ])
        .refusal(listed)
        .unwrap();
        assert!(
            both.contains("`closed`") && both.contains("`open`"),
            "{both}"
        );
        // A server's own spelling is not judged.
        let odd = at(&[("closed", Mark::After("x-1".to_owned()))]);
        assert_eq!(odd.refusal(listed), None);
    }
}
