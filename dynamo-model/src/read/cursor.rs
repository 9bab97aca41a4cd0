//! Page cursors: where the next page of a query or scan starts, as an opaque
//! string a service can hand to its client and take back. It carries the
//! table (without any connection prefix), the index, whether a query or a
//! scan made it, and the key of the last item read, with a checksum: a
//! cursor that was edited, or made for another table, index or kind of read,
//! is refused before any request (and a query refuses one of another
//! partition, see `Query`). Cursors of version 1 (before the kind) are still
//! read. (The checksum detects
//! accidents and casual edits; it is not a signature: a cursor reveals the
//! key of the item it stops at.)

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;

/// Where the next page starts. `Display` / `FromStr` give its string form,
/// and serde (de)serializes it as that string.
///
/// ```
/// use dynamo_model::Cursor;
/// let text = "dm1.not-a-real-cursor";
/// assert!(text.parse::<Cursor>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cursor(String);

/// Why a cursor string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid page cursor: {0}")]
pub struct InvalidCursor(String);

const VERSION: &str = "dm2.";
/// Cursors made before they carried the kind of read: still accepted.
const VERSION_1: &str = "dm1.";

/// Which read made a cursor: its key means a place in that read only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReadKind {
    Query,
    Scan,
}

impl ReadKind {
    fn letter(self) -> &'static str {
        match self {
            ReadKind::Query => "q",
            ReadKind::Scan => "s",
        }
    }

    fn name(self) -> &'static str {
        match self {
            ReadKind::Query => "a query",
            ReadKind::Scan => "a scan",
        }
    }
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Cursor {
    type Err = InvalidCursor;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        decode_fields(s)?;
        Ok(Cursor(s.to_owned()))
    }
}

impl serde::Serialize for Cursor {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Cursor {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// FNV-1a, 64 bits: stable across Rust versions and machines, unlike std's
/// hasher.
fn checksum(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The fields: table, index ("" for the table), then name, type and value
/// of each key attribute, sorted by name; separated by NUL, which no name
/// or S value here may hold... and so is escaped by hex-encoding the whole.
fn fields(
    table: &str,
    index: Option<&str>,
    key: &HashMap<String, AttributeValue>,
) -> Option<Vec<String>> {
    let mut out = vec![table.to_owned(), index.unwrap_or_default().to_owned()];
    let mut names: Vec<&String> = key.keys().collect();
    names.sort();
    for name in names {
        let (kind, value) = match &key[name] {
            AttributeValue::S(s) => ("S", hex(s.as_bytes())),
            AttributeValue::N(n) => ("N", hex(n.as_bytes())),
            AttributeValue::B(b) => ("B", hex(b.as_ref())),
            _ => return None,
        };
        out.push(hex(name.as_bytes()));
        out.push(kind.to_owned());
        out.push(value);
    }
    Some(out)
}

impl Cursor {
    /// The cursor after `key` (a LastEvaluatedKey) of a `kind` read of
    /// `table` / `index`.
    pub(crate) fn new(
        table: &str,
        index: Option<&str>,
        kind: ReadKind,
        key: &HashMap<String, AttributeValue>,
    ) -> Option<Cursor> {
        let mut parts: Vec<String> = fields(table, index, key)?
            .iter()
            .enumerate()
            .map(|(i, field)| {
                if i < 2 {
                    hex(field.as_bytes())
                } else {
                    field.clone()
                }
            })
            .collect();
        parts.insert(2, kind.letter().to_owned());
        let body = parts.join(".");
        let sum = checksum(body.as_bytes());
        Some(Cursor(format!("{VERSION}{body}.{sum:016x}")))
    }

    /// The start key, if the cursor was made by a `kind` read of `table` /
    /// `index`.
    pub(crate) fn start_key(
        &self,
        table: &str,
        index: Option<&str>,
        kind: ReadKind,
    ) -> Result<HashMap<String, AttributeValue>, InvalidCursor> {
        let (cursor_table, cursor_index, cursor_kind, key) = decode_fields(&self.0)?;
        let wanted_index = index.unwrap_or_default();
        if cursor_table != table || cursor_index != wanted_index {
            let place = |t: &str, i: &str| {
                if i.is_empty() {
                    format!("table `{t}`")
                } else {
                    format!("index `{i}` of table `{t}`")
                }
            };
            return Err(InvalidCursor(format!(
                "it was made for {}, not {}",
                place(&cursor_table, &cursor_index),
                place(table, wanted_index)
            )));
        }
        if let Some(made_by) = cursor_kind.filter(|made_by| *made_by != kind) {
            return Err(InvalidCursor(format!(
                "it was made by {}, and continues only that; {} cannot start from it",
                made_by.name(),
                kind.name()
            )));
        }
        Ok(key)
    }
}

type Decoded = (
    String,
    String,
    Option<ReadKind>,
    HashMap<String, AttributeValue>,
);

fn decode_fields(text: &str) -> Result<Decoded, InvalidCursor> {
    let bad = |why: &str| InvalidCursor(why.to_owned());
    let (body, versioned) = match text.strip_prefix(VERSION) {
        Some(body) => (body, true),
        None => (
            text.strip_prefix(VERSION_1)
                .ok_or_else(|| bad("it is not a dynamo-model cursor (or of another version)"))?,
            false,
        ),
    };
    let (body, sum) = body
        .rsplit_once('.')
        .ok_or_else(|| bad("it is cut short"))?;
    if sum.len() != 16
        || !sum.bytes().all(|b| b.is_ascii_hexdigit())
        || u64::from_str_radix(sum, 16).ok() != Some(checksum(body.as_bytes()))
    {
        return Err(bad("its checksum does not match: it was changed or cut"));
    }
    let mut parts: Vec<&str> = body.split('.').collect();
    let kind = if versioned {
        if parts.len() < 3 {
            return Err(bad("it is malformed"));
        }
        Some(match parts.remove(2) {
            "q" => ReadKind::Query,
            "s" => ReadKind::Scan,
            _ => return Err(bad("it is malformed")),
        })
    } else {
        None
    };
    // A table, an index, and at least one key attribute.
    if parts.len() < 5 || !(parts.len() - 2).is_multiple_of(3) {
        return Err(bad("it is malformed"));
    }
    let text_of = |hexed: &str| {
        unhex(hexed)
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(|| bad("it is malformed"))
    };
    let table = text_of(parts[0])?;
    let index = text_of(parts[1])?;
    let mut key = HashMap::new();
    for chunk in parts[2..].chunks(3) {
        let name = text_of(chunk[0])?;
        let value = match chunk[1] {
            "S" => AttributeValue::S(text_of(chunk[2])?),
            "N" => AttributeValue::N(text_of(chunk[2])?),
            "B" => AttributeValue::B(Blob::new(
                unhex(chunk[2]).ok_or_else(|| bad("it is malformed"))?,
            )),
            _ => return Err(bad("it is malformed")),
        };
        key.insert(name, value);
    }
    Ok((table, index, kind, key))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> HashMap<String, AttributeValue> {
        HashMap::from([
            ("customer".to_owned(), AttributeValue::S("c.1/ü".into())),
            ("id".to_owned(), AttributeValue::N("42".into())),
            (
                "blob".to_owned(),
                AttributeValue::B(Blob::new(vec![0, 255])),
            ),
        ])
    }

    #[test]
    fn a_cursor_round_trips_through_its_string() {
        let cursor = Cursor::new("orders", Some("by_status"), ReadKind::Query, &key()).unwrap();
        let back: Cursor = cursor.to_string().parse().unwrap();
        assert_eq!(
            back.start_key("orders", Some("by_status"), ReadKind::Query)
                .unwrap(),
            key()
        );
    }

    #[test]
    fn an_edited_cursor_or_one_of_another_table_is_refused() {
        let cursor = Cursor::new("orders", None, ReadKind::Scan, &key())
            .unwrap()
            .to_string();
        let mut edited = cursor.clone().into_bytes();
        let at = edited.len() / 2;
        edited[at] = if edited[at] == b'a' { b'b' } else { b'a' };
        let err = String::from_utf8(edited)
            .unwrap()
            .parse::<Cursor>()
            .unwrap_err();
        assert!(err.to_string().contains("checksum"), "{err}");
        let parsed: Cursor = cursor.parse().unwrap();
        let err = parsed.start_key("users", None, ReadKind::Scan).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid page cursor: it was made for table `orders`, not table `users`"
        );
        assert!(parsed
            .start_key("orders", Some("by_status"), ReadKind::Scan)
            .is_err());
        assert!("hello".parse::<Cursor>().is_err());
        // A scan's cursor does not start a query.
        let err = parsed
            .start_key("orders", None, ReadKind::Query)
            .unwrap_err();
        assert!(err.to_string().contains("made by a scan"), "{err}");
    }

    #[test]
    fn a_crafted_cursor_with_a_short_checksum_or_no_key_is_refused() {
        let body = format!("{}..q", hex(b"orders"));
        let sum = checksum(body.as_bytes());
        let keyless = format!("{VERSION}{body}.{sum:016x}");
        assert!(keyless.parse::<Cursor>().is_err(), "no key attribute");
        let cursor = Cursor::new("orders", None, ReadKind::Query, &key())
            .unwrap()
            .to_string();
        let (body, sum) = cursor.rsplit_once('.').unwrap();
        let value = u64::from_str_radix(sum, 16).unwrap();
        for odd in [
            format!("+{:x}", value),
            format!("{value:x}").trim_start_matches('0').to_owned(),
        ] {
            if odd.len() == 16 {
                continue;
            }
            assert!(format!("{body}.{odd}").parse::<Cursor>().is_err(), "{odd}");
        }
    }

    #[test]
    fn a_version_1_cursor_is_still_read_by_either_kind() {
        let v2 = Cursor::new("orders", None, ReadKind::Query, &key())
            .unwrap()
            .to_string();
        // The same cursor as version 1 wrote it: no kind, its own checksum.
        let body = v2.strip_prefix(VERSION).unwrap();
        let (body, _) = body.rsplit_once('.').unwrap();
        let mut parts: Vec<&str> = body.split('.').collect();
        parts.remove(2);
        let body = parts.join(".");
        let v1 = format!("{VERSION_1}{body}.{:016x}", checksum(body.as_bytes()));
        let cursor: Cursor = v1.parse().unwrap();
        for kind in [ReadKind::Query, ReadKind::Scan] {
            assert_eq!(cursor.start_key("orders", None, kind).unwrap(), key());
        }
    }
}
