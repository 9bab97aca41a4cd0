//! Serde support for `aws_sdk_dynamodb::primitives::Blob`, which has no serde
//! implementation of its own in a normal build.
//!
//! Use it on a field with `#[serde(with = "dynamo_model::blob_serde")]`; the
//! value is stored as DynamoDB binary (B), matching the key type inferred for
//! `Blob`.
//!
//! ```
//! use dynamo_model::aws_sdk_dynamodb::primitives::Blob;
//!
//! #[derive(dynamo_model::DynamoModel, serde::Serialize, serde::Deserialize)]
//! struct Attachment {
//!     #[hash_key]
//!     #[serde(with = "dynamo_model::blob_serde")]
//!     digest: Blob,
//! }
//! ```

use std::fmt;

use aws_sdk_dynamodb::primitives::Blob;
use serde::de::{self, SeqAccess, Visitor};
use serde::{Deserializer, Serializer};

/// Serializes the blob as bytes.
///
/// ```
/// use dynamo_model::aws_sdk_dynamodb::primitives::Blob;
///
/// #[derive(serde::Serialize)]
/// struct Upload {
///     #[serde(serialize_with = "dynamo_model::blob_serde::serialize")]
///     body: Blob,
/// }
/// ```
pub fn serialize<S: Serializer>(blob: &Blob, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_bytes(blob.as_ref())
}

/// Deserializes bytes (or a sequence of byte values) into a blob.
///
/// ```
/// use serde::de::value::{BytesDeserializer, Error};
///
/// let blob = dynamo_model::blob_serde::deserialize(BytesDeserializer::<Error>::new(b"\x01\x02"))?;
/// assert_eq!(blob.as_ref(), [1, 2]);
/// # Ok::<(), Error>(())
/// ```
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Blob, D::Error> {
    deserializer.deserialize_byte_buf(BlobVisitor)
}

struct BlobVisitor;

impl<'de> Visitor<'de> for BlobVisitor {
    type Value = Blob;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("binary data")
    }

    fn visit_bytes<E: de::Error>(self, bytes: &[u8]) -> Result<Blob, E> {
        Ok(Blob::new(bytes))
    }

    fn visit_byte_buf<E: de::Error>(self, bytes: Vec<u8>) -> Result<Blob, E> {
        Ok(Blob::new(bytes))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Blob, A::Error> {
        let mut bytes = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(byte) = seq.next_element::<u8>()? {
            bytes.push(byte);
        }
        Ok(Blob::new(bytes))
    }
}
