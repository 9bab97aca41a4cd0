//! Virtual shards for the fault proxy: the one shard of a local stream
//! shown to the client as several, so that a reader meets what DynamoDB
//! does and the local servers do not (dynoxide's one shard never closes,
//! DynamoDB Local's roll over every 4 hours): a parent shard that closes at
//! a sequence number and a child that appears only then, or sibling shards
//! open side by side, each holding the records of some keys.
//!
//! The proxy rewrites three Streams API calls. DescribeStream lists the
//! virtual shards instead of the real one (a shard that ends with its last
//! sequence number as its end, the others open, with none); GetShardIterator of a virtual
//! shard asks for an iterator of the real one (from the shard's start
//! sequence number for TRIM_HORIZON) and remembers whose it is; GetRecords
//! through such an iterator keeps only the shard's records and, for a
//! shard that ends, answers without a next iterator once the end is read.
//! The servers do not check request signatures, so a rewritten body goes
//! through.

use std::cmp::Ordering;
use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::Mutex;

use serde_json::Value;

use super::{forward, lock, Message, State};

/// One shard as the client sees it.
#[derive(Clone, Debug, Default)]
pub struct VirtualShard {
    id: String,
    parent: Option<String>,
    after: Option<String>,
    until: Option<String>,
    keys_containing: Option<String>,
}

impl VirtualShard {
    /// A shard named `id`, holding every record of the real shard.
    pub fn new(id: &str) -> VirtualShard {
        VirtualShard {
            id: id.to_owned(),
            ..VirtualShard::default()
        }
    }

    /// Its parent shard; listed only once the parent is read to its end, if
    /// the parent ends.
    pub fn parent(mut self, id: &str) -> VirtualShard {
        self.parent = Some(id.to_owned());
        self
    }

    /// Holds only the records after this sequence number.
    pub fn after(mut self, sequence_number: &str) -> VirtualShard {
        self.after = Some(sequence_number.to_owned());
        self
    }

    /// Holds the records up to this sequence number, and then is closed.
    pub fn until(mut self, sequence_number: &str) -> VirtualShard {
        self.until = Some(sequence_number.to_owned());
        self
    }

    /// Holds only the records whose key's JSON contains `text`.
    pub fn keys_containing(mut self, text: &str) -> VirtualShard {
        self.keys_containing = Some(text.to_owned());
        self
    }

    fn holds(&self, record: &Value) -> bool {
        let sequence = sequence_number(record);
        self.after
            .as_deref()
            .is_none_or(|after| compare(sequence, after) == Ordering::Greater)
            && self
                .until
                .as_deref()
                .is_none_or(|until| compare(sequence, until) != Ordering::Greater)
            && self
                .keys_containing
                .as_deref()
                .is_none_or(|text| record["dynamodb"]["Keys"].to_string().contains(text))
    }
}

/// The virtual shards, and what the proxy learnt of them.
#[derive(Default)]
pub(super) struct Shards {
    shards: Vec<VirtualShard>,
    /// Shards read to their end.
    closed: HashSet<String>,
    /// Records whose key contains the text are dated back this many
    /// seconds.
    aged: Option<(String, f64)>,
    /// Whether a record's identity is renamed to the Streams API's
    /// spelling: dynoxide spells it as a Lambda event does (`type`,
    /// `principalId`), the API and its SDK as `Type`, `PrincipalId` (the
    /// SDK reads nothing of dynoxide's, and a TTL remove reads as a
    /// caller's).
    api_identity: bool,
}

/// An iterator of a shard read to its end: GetRecords answers it with
/// nothing and no next iterator.
const CLOSED: &str = "virtual-shard-closed";

/// A virtual shard's iterator: the shard's id, this, and the real one (a
/// server's iterators name a position, not a shard: two shards at one
/// position would get the same).
const TAG: &str = "|virtual|";

fn tagged(shard: &str, iterator: &str) -> String {
    format!("{shard}{TAG}{iterator}")
}

impl Shards {
    pub(super) fn set(&mut self, shards: Vec<VirtualShard>) {
        self.shards = shards;
    }

    pub(super) fn age(&mut self, keys_containing: &str, seconds: u64) {
        self.aged = Some((keys_containing.to_owned(), seconds as f64));
    }

    pub(super) fn spell_identity_as_the_api(&mut self) {
        self.api_identity = true;
    }

    pub(super) fn closed(&self, id: &str) -> bool {
        self.closed.contains(id)
    }

    fn is_active(&self) -> bool {
        !self.shards.is_empty() || self.aged.is_some() || self.api_identity
    }

    fn shard(&self, id: &str) -> Option<&VirtualShard> {
        self.shards.iter().find(|s| s.id == id)
    }

    /// Whether the client may see the shard yet: a child of a shard that
    /// ends appears once that one is read to its end, as in DynamoDB, where
    /// the children of a split come into being then.
    fn listed(&self, shard: &VirtualShard) -> bool {
        shard.parent.as_deref().is_none_or(|parent| {
            self.shard(parent)
                .is_none_or(|p| p.until.is_none() || self.closed.contains(parent))
        })
    }
}

/// Whether the proxy answers this operation itself.
pub(super) fn rewrites(operation: &str, state: &Mutex<State>) -> bool {
    matches!(
        operation,
        "DescribeStream" | "GetShardIterator" | "GetRecords"
    ) && lock(state).shards.is_active()
}

/// Answers a Streams API request over the virtual shards.
pub(super) async fn exchange(
    operation: &str,
    request: &Message,
    upstream: SocketAddr,
    state: &Mutex<State>,
) -> std::io::Result<Message> {
    let invalid = || std::io::Error::from(std::io::ErrorKind::InvalidData);
    let mut body: Value = serde_json::from_slice(&request.body).map_err(|_| invalid())?;
    match operation {
        "DescribeStream" => {
            let mut answer = forward(request, upstream).await?;
            let mut out: Value = serde_json::from_slice(&answer.body).map_err(|_| invalid())?;
            let state = lock(state);
            let shards = &state.shards;
            if let Some(listed) = out["StreamDescription"]["Shards"].as_array_mut() {
                if !shards.shards.is_empty() {
                    let real = listed.first().cloned().unwrap_or(Value::Null);
                    *listed = shards
                        .shards
                        .iter()
                        .filter(|s| shards.listed(s))
                        .map(|s| {
                            let mut shard = real.clone();
                            shard["ShardId"] = s.id.clone().into();
                            match &s.parent {
                                Some(parent) => shard["ParentShardId"] = parent.clone().into(),
                                None => {
                                    if let Some(shard) = shard.as_object_mut() {
                                        shard.remove("ParentShardId");
                                    }
                                }
                            }
                            // A shard that ends is listed closed at its
                            // last record, as DynamoDB lists a closed
                            // shard; the others open, with no end (the
                            // real shard's end, which dynoxide lists for
                            // its open shard, is not theirs).
                            if let Some(range) = shard
                                .get_mut("SequenceNumberRange")
                                .and_then(|r| r.as_object_mut())
                            {
                                match &s.until {
                                    Some(until) => {
                                        range.insert(
                                            "EndingSequenceNumber".to_owned(),
                                            until.clone().into(),
                                        );
                                    }
                                    None => {
                                        range.remove("EndingSequenceNumber");
                                    }
                                }
                            }
                            shard
                        })
                        .collect();
                }
            }
            answer.body = out.to_string().into_bytes();
            Ok(answer)
        }
        "GetShardIterator" => {
            let id = body["ShardId"].as_str().unwrap_or_default().to_owned();
            let Some(shard) = lock(state).shards.shard(&id).cloned() else {
                return forward(request, upstream).await;
            };
            let kind = body["ShardIteratorType"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let past_the_end = match (&shard.until, body["SequenceNumber"].as_str()) {
                (Some(until), Some(sequence)) if kind == "AFTER_SEQUENCE_NUMBER" => {
                    compare(sequence, until) != Ordering::Less
                }
                _ => false,
            };
            if past_the_end {
                return Ok(json_answer(serde_json::json!({ "ShardIterator": CLOSED })));
            }
            body["ShardId"] = real_shard(request, upstream, &body).await?.into();
            if kind == "TRIM_HORIZON" {
                if let Some(after) = &shard.after {
                    body["ShardIteratorType"] = "AFTER_SEQUENCE_NUMBER".into();
                    body["SequenceNumber"] = after.clone().into();
                }
            }
            let mut answer = forward(&with_body(request, &body), upstream).await?;
            let mut out: Value = serde_json::from_slice(&answer.body).map_err(|_| invalid())?;
            if let Some(iterator) = out["ShardIterator"].as_str() {
                out["ShardIterator"] = tagged(&id, iterator).into();
            }
            answer.body = out.to_string().into_bytes();
            Ok(answer)
        }
        _ => {
            let iterator = body["ShardIterator"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            if iterator == CLOSED {
                return Ok(json_answer(serde_json::json!({ "Records": [] })));
            }
            let (id, shard) = match iterator.split_once(TAG) {
                Some((id, real)) => {
                    body["ShardIterator"] = real.into();
                    (id.to_owned(), lock(state).shards.shard(id).cloned())
                }
                None => (String::new(), None),
            };
            let mut answer = forward(&with_body(request, &body), upstream).await?;
            let mut out: Value = serde_json::from_slice(&answer.body).map_err(|_| invalid())?;
            let mut state = lock(state);
            let shards = &mut state.shards;
            if let Some(records) = out["Records"].as_array_mut() {
                if shards.api_identity {
                    for record in records.iter_mut() {
                        if let Some(identity) = record
                            .get_mut("userIdentity")
                            .and_then(|i| i.as_object_mut())
                        {
                            for (from, to) in [("type", "Type"), ("principalId", "PrincipalId")] {
                                if let Some(value) = identity.remove(from) {
                                    identity.insert(to.to_owned(), value);
                                }
                            }
                        }
                    }
                }
                if let Some((text, seconds)) = &shards.aged {
                    for record in records.iter_mut() {
                        if record["dynamodb"]["Keys"]
                            .to_string()
                            .contains(text.as_str())
                        {
                            let at = &mut record["dynamodb"]["ApproximateCreationDateTime"];
                            if let Some(secs) = at.as_f64() {
                                *at = (secs - seconds).into();
                            }
                        }
                    }
                }
                if let Some(shard) = &shard {
                    let ended = shard.until.as_deref().is_some_and(|until| {
                        records
                            .iter()
                            .any(|r| compare(sequence_number(r), until) != Ordering::Less)
                    });
                    records.retain(|r| shard.holds(r));
                    if ended {
                        shards.closed.insert(shard.id.clone());
                        if let Some(out) = out.as_object_mut() {
                            out.remove("NextShardIterator");
                        }
                    }
                }
            }
            if let (Some(_), Some(next)) = (&shard, out["NextShardIterator"].as_str()) {
                out["NextShardIterator"] = tagged(&id, next).into();
            }
            answer.body = out.to_string().into_bytes();
            Ok(answer)
        }
    }
}

/// The id of the stream's real (first) shard.
async fn real_shard(
    request: &Message,
    upstream: SocketAddr,
    body: &Value,
) -> std::io::Result<String> {
    let describe = Message {
        start: request.start.clone(),
        headers: request
            .headers
            .iter()
            .map(|(name, value)| {
                if name.eq_ignore_ascii_case("x-amz-target") {
                    (
                        name.clone(),
                        "DynamoDBStreams_20120810.DescribeStream".into(),
                    )
                } else {
                    (name.clone(), value.clone())
                }
            })
            .collect(),
        body: serde_json::json!({ "StreamArn": body["StreamArn"] })
            .to_string()
            .into_bytes(),
    };
    let answer = forward(&describe, upstream).await?;
    let out: Value = serde_json::from_slice(&answer.body)
        .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidData))?;
    out["StreamDescription"]["Shards"][0]["ShardId"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| std::io::Error::other("the stream has no shard"))
}

fn with_body(request: &Message, body: &Value) -> Message {
    Message {
        start: request.start.clone(),
        headers: request.headers.clone(),
        body: body.to_string().into_bytes(),
    }
}

fn json_answer(body: Value) -> Message {
    Message {
        start: "HTTP/1.1 200 OK".into(),
        headers: vec![("content-type".into(), "application/x-amz-json-1.0".into())],
        body: body.to_string().into_bytes(),
    }
}

fn sequence_number(record: &Value) -> &str {
    record["dynamodb"]["SequenceNumber"]
        .as_str()
        .unwrap_or_default()
}

/// Sequence numbers in numeric order (decimal strings of up to 40 digits).
fn compare(a: &str, b: &str) -> Ordering {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}
