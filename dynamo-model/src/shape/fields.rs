//! The attribute names a shape's struct reads, as its `Deserialize` lists
//! them: serde's derive hands a struct's field names (renames applied) to
//! `deserialize_struct`, so a deserializer that only records them learns
//! which attributes code of that shape may write. The backfill asks that
//! none it did not read has appeared since (a field an older writer set
//! between the scan and the rewrite would otherwise be overwritten away).

use serde::de::{self, DeserializeOwned, Deserializer, Visitor};
use serde::forward_to_deserialize_any;

/// The attribute names of `T`'s fields, or `None` when its `Deserialize`
/// reads no plain struct (a `flatten`ed field makes it read a map; a
/// hand-written impl may read anything). `#[serde(rename = "t")] total`
/// is `"t"`.
pub(crate) fn field_names<T: DeserializeOwned>() -> Option<&'static [&'static str]> {
    let mut names = None;
    // The recorder always refuses to produce a value: only what it saw counts.
    let _ = T::deserialize(FieldRecorder(&mut names));
    names
}

/// A deserializer that records the field names it is asked for, then
/// fails.
struct FieldRecorder<'a>(&'a mut Option<&'static [&'static str]>);

impl<'de> Deserializer<'de> for FieldRecorder<'_> {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("only field names are read"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        *self.0 = Some(fields);
        Err(de::Error::custom("only field names are read"))
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct Renamed {
        id: String,
        #[serde(rename = "t")]
        total: f64,
        note: Option<String>,
    }

    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct Flattened {
        id: String,
        #[serde(flatten)]
        rest: HashMap<String, String>,
    }

    #[test]
    fn a_structs_field_names_are_its_attributes() {
        assert_eq!(field_names::<Renamed>(), Some(&["id", "t", "note"][..]));
    }

    #[test]
    fn a_flattened_struct_or_no_struct_has_none() {
        assert_eq!(field_names::<Flattened>(), None);
        assert_eq!(field_names::<HashMap<String, String>>(), None);
        assert_eq!(field_names::<u32>(), None);
    }
}
