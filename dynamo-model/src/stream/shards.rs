//! Which shards of a stream to read, and when the stream read has ended:
//! pure state over the shards as last listed and the checkpoint's marks,
//! apart from the requests that fill it (`reader.rs`).

use std::collections::BTreeMap;

use aws_sdk_dynamodbstreams::types::StreamStatus;

use super::checkpoint::{sequence_order, Mark, Range};

pub(super) struct Shard {
    pub(super) parent: Option<String>,
    /// The iterator to read on with; `None`: get one from the mark.
    pub(super) iterator: Option<String>,
    /// A reader at LATEST reads its first shards from their end.
    pub(super) latest: bool,
    /// Its sequence numbers, as last listed.
    pub(super) range: Range,
    /// The sequence number of the last record GetRecords gave of it in
    /// this run (the mark stays put for records older than a LATEST
    /// start).
    pub(super) seen: Option<String>,
    /// Nothing more will come of it, though the server did not close it:
    /// read to its end on a stream that has ended (DynamoDB Local keeps a
    /// disabled stream's shards open), or no longer served.
    pub(super) drained: bool,
}

/// Why the stream read gets no more changes: what
/// [`Error::StreamEnded`] says once its shards are read to their end.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Ended {
    pub(super) reason: String,
    /// The table's stream now, when it is another.
    pub(super) latest: Option<String>,
    /// Shards the server stopped serving before they were read to their
    /// end.
    pub(super) unread: Vec<String>,
}

impl Ended {
    pub(super) fn new(reason: impl Into<String>, latest: Option<&str>) -> Ended {
        Ended {
            reason: reason.into(),
            latest: latest.map(str::to_owned),
            unread: Vec::new(),
        }
    }
}

/// Whether the stream read has ended, from what DescribeTable says of the
/// table's stream (`latest`, and whether it is `on`) and DescribeStream of
/// this one (its status, or why the server would not describe it).
/// DISABLING is not an end yet: changes may still come.
pub(super) fn ended(
    read: &str,
    latest: Option<&str>,
    on: bool,
    status: std::result::Result<Option<&StreamStatus>, &str>,
) -> Option<Ended> {
    match latest {
        Some(latest) if latest != read => {
            return Some(Ended::new(
                "the table's stream was turned off and on again, which made a new stream",
                Some(latest),
            ))
        }
        None => return Some(Ended::new("the table's stream is turned off", None)),
        Some(_) => {}
    }
    match status {
        Ok(Some(StreamStatus::Disabled)) => {
            Some(Ended::new("the stream is turned off (DISABLED)", None))
        }
        Ok(Some(StreamStatus::Enabling | StreamStatus::Enabled | StreamStatus::Disabling)) => None,
        Ok(_) if !on => Some(Ended::new("the table's stream is turned off", None)),
        Err(why) if !on => Some(Ended::new(
            format!(
                "the table's stream is turned off, and the server no longer describes it ({why})"
            ),
            None,
        )),
        _ => None,
    }
}

/// Whether an empty page of a shard with this range, read up to `at`, is
/// its end, on a stream that has ended. The servers that never close a
/// disabled stream's shards list them with no last (DynamoDB Local); a
/// shard listed closed may answer empty pages on the way to its last
/// change (DynamoDB), so it is read on until the server says it is read
/// to its end, or the reader is at its last.
pub(super) fn at_end(range: &Range, at: Option<&str>) -> bool {
    match (&range.last, at) {
        (None, _) => true,
        // A spelling that does not compare is not waited on forever.
        (Some(last), Some(at)) => {
            sequence_order(at, last).is_none_or(|o| o != std::cmp::Ordering::Less)
        }
        (Some(_), None) => false,
    }
}

/// Whether the shard is read as far as it will go: to its end, or drained.
pub(super) fn finished(
    shards: &BTreeMap<String, Shard>,
    marks: &BTreeMap<String, Mark>,
    id: &str,
) -> bool {
    marks.get(id) == Some(&Mark::Done) || shards.get(id).is_some_and(|s| s.drained)
}

/// Whether every shard known is read as far as it will go.
pub(super) fn exhausted(shards: &BTreeMap<String, Shard>, marks: &BTreeMap<String, Mark>) -> bool {
    shards.keys().all(|id| finished(shards, marks, id))
}

/// The shards to read now: those not read as far as they go whose parent
/// is (or is gone from the stream), so that a key's changes come in order.
pub(super) fn readable(
    shards: &BTreeMap<String, Shard>,
    marks: &BTreeMap<String, Mark>,
) -> Vec<String> {
    shards
        .iter()
        .filter(|(id, shard)| {
            !finished(shards, marks, id.as_str())
                && shard.parent.as_ref().is_none_or(|parent| {
                    !shards.contains_key(parent) || finished(shards, marks, parent)
                })
        })
        .map(|(id, _)| id.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shard(parent: Option<&str>) -> Shard {
        Shard {
            parent: parent.map(str::to_owned),
            iterator: None,
            latest: false,
            range: Range::default(),
            seen: None,
            drained: false,
        }
    }

    #[test]
    fn a_child_shard_is_read_only_once_its_parent_is_read_to_its_end() {
        let shards = BTreeMap::from([
            ("a".to_owned(), shard(None)),
            ("b".to_owned(), shard(Some("a"))),
            ("c".to_owned(), shard(Some("b"))),
            // Its parent is gone from the stream (trimmed): read it.
            ("d".to_owned(), shard(Some("gone"))),
        ]);
        let mut marks = BTreeMap::new();
        assert_eq!(readable(&shards, &marks), ["a", "d"]);
        marks.insert("a".to_owned(), Mark::After("5".to_owned()));
        assert_eq!(readable(&shards, &marks), ["a", "d"]);
        marks.insert("a".to_owned(), Mark::Done);
        assert_eq!(readable(&shards, &marks), ["b", "d"]);
        marks.insert("b".to_owned(), Mark::Done);
        marks.insert("d".to_owned(), Mark::Done);
        assert_eq!(readable(&shards, &marks), ["c"]);
    }

    #[test]
    fn a_drained_shard_is_not_read_again_and_the_stream_ends_when_all_are() {
        let mut shards = BTreeMap::from([
            ("a".to_owned(), shard(None)),
            ("b".to_owned(), shard(Some("a"))),
        ]);
        let mut marks = BTreeMap::new();
        assert!(!exhausted(&shards, &marks));
        shards.get_mut("a").unwrap().drained = true;
        assert_eq!(readable(&shards, &marks), ["b"]);
        assert!(!exhausted(&shards, &marks));
        marks.insert("b".to_owned(), Mark::Done);
        assert!(readable(&shards, &marks).is_empty());
        assert!(exhausted(&shards, &marks));
        // A stream with no shard left to read (gone before it was listed).
        assert!(exhausted(&BTreeMap::new(), &marks));
    }

    #[test]
    fn an_empty_page_ends_a_shard_only_where_no_more_can_come() {
        let open = Range {
            first: Some("100".into()),
            last: None,
        };
        let closed = Range {
            first: Some("100".into()),
            last: Some("200".into()),
        };
        // A shard the server never closes (DynamoDB Local, disabled).
        assert!(at_end(&open, None));
        assert!(at_end(&open, Some("150")));
        // A closed one is read on to its last (DynamoDB's empty pages).
        assert!(!at_end(&closed, Some("150")));
        assert!(!at_end(&closed, None));
        assert!(at_end(&closed, Some("200")));
    }

    #[test]
    fn a_stream_ends_when_turned_off_or_replaced_and_not_before() {
        use aws_sdk_dynamodbstreams::types::StreamStatus::{Disabled, Disabling, Enabled};
        let read = "arn:old";
        let on = Ok(Some(&Enabled));
        assert_eq!(ended(read, Some(read), true, on), None);
        // Being turned off: changes may still come.
        assert_eq!(ended(read, Some(read), false, Ok(Some(&Disabling))), None);
        let off = ended(read, Some(read), false, Ok(Some(&Disabled))).unwrap();
        assert!(
            off.reason.contains("DISABLED") && off.latest.is_none(),
            "{off:?}"
        );
        // Turned off and on: the table names the new stream.
        let replaced = ended(read, Some("arn:new"), true, on).unwrap();
        assert_eq!(replaced.latest.as_deref(), Some("arn:new"));
        // The table has none (dynoxide's LatestStreamArn goes with it).
        let none = ended(read, None, false, Err("ResourceNotFoundException")).unwrap();
        assert!(none.latest.is_none(), "{none:?}");
        // A stream the server will not describe, of a table whose stream
        // is off (moto answers a server error; DynamoDB, after 24 hours,
        // ResourceNotFoundException).
        let gone = ended(read, Some(read), false, Err("InternalServerError")).unwrap();
        assert!(gone.reason.contains("InternalServerError"), "{gone:?}");
        // ... and of a table whose stream is on: a failure, not an end.
        assert_eq!(
            ended(read, Some(read), true, Err("InternalServerError")),
            None
        );
        assert!(ended(read, Some(read), false, Ok(None)).is_some());
    }
}
