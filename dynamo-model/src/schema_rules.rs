//! DynamoDB's rules for a table schema, checked at run time for schemas built
//! by hand. The derive checks the same rules at compile time, with the same
//! wording (`tests/schema_builder.rs` holds the two side by side).

use std::collections::BTreeMap;

use crate::{AttributeType, TableSchema};

/// At most this many GSIs per table.
pub const MAX_GLOBAL_INDEXES: usize = 20;
/// At most this many LSIs per table.
pub const MAX_LOCAL_INDEXES: usize = 5;
/// At most this many partition-key (and as many sort-key) attributes per GSI.
pub const MAX_GSI_KEY_ATTRIBUTES: usize = 4;
/// At most this many projected non-key attributes, summed over all indexes.
pub const MAX_PROJECTED_ATTRIBUTES: usize = 100;

/// The naming rule, for messages.
pub const NAME_RULE: &str =
    "DynamoDB table and index names are 3 to 255 characters of [A-Za-z0-9_.-]";

pub(crate) const EMPTY_HASH_KEY: &str = "the partition key has an empty attribute name";

/// What is wrong with `name` as a table or index name, if anything.
pub(crate) fn name_problem(name: &str) -> Option<String> {
    if let Some(bad) = name
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
    {
        return Some(format!("contains {bad:?}"));
    }
    let len = name.len();
    let characters = if len == 1 { "character" } else { "characters" };
    if len < 3 {
        Some(format!("is too short ({len} {characters})"))
    } else if len > 255 {
        Some(format!("is too long ({len} {characters})"))
    } else {
        None
    }
}

/// Every rule `schema` breaks, in words; empty when it is valid.
pub(crate) fn problems(schema: &TableSchema) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(problem) = name_problem(schema.table_name()) {
        out.push(format!(
            "table name `{}` {problem}; {NAME_RULE}",
            schema.table_name()
        ));
    }
    if schema.hash_key().name().is_empty() {
        out.push(EMPTY_HASH_KEY.to_owned());
    }

    for (label, count, max, names) in [
        (
            "GSI",
            schema.global_indexes().len(),
            MAX_GLOBAL_INDEXES,
            schema
                .global_indexes()
                .iter()
                .map(|g| g.name())
                .collect::<Vec<_>>(),
        ),
        (
            "LSI",
            schema.local_indexes().len(),
            MAX_LOCAL_INDEXES,
            schema.local_indexes().iter().map(|l| l.name()).collect(),
        ),
    ] {
        if count > max {
            out.push(format!(
                "a table has at most {max} {label}s, and `{}` is number {}",
                names[max],
                max + 1
            ));
        }
    }

    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    let indexes = schema
        .global_indexes()
        .iter()
        .map(|g| (g.name(), "GSI"))
        .chain(schema.local_indexes().iter().map(|l| (l.name(), "LSI")));
    for (name, label) in indexes {
        if let Some(problem) = name_problem(name) {
            out.push(format!("index name `{name}` {problem}; {NAME_RULE}"));
        }
        match seen.get(name) {
            Some(earlier) => out.push(format!(
                "index name `{name}` is already used by a {earlier} of this table; index names must be unique \
                 across GSIs and LSIs"
            )),
            None => {
                seen.insert(name, label);
            }
        }
    }

    for gsi in schema.global_indexes() {
        let name = gsi.name();
        if gsi.hash_keys().is_empty() {
            out.push(format!("GSI `{name}` has no partition key"));
        }
        for (keys, which) in [
            (gsi.hash_keys(), "partition-key"),
            (gsi.range_keys(), "sort-key"),
        ] {
            if keys.len() > MAX_GSI_KEY_ATTRIBUTES {
                out.push(format!(
                    "GSI `{name}` has more than {MAX_GSI_KEY_ATTRIBUTES} {which} attributes; DynamoDB allows \
                     up to {MAX_GSI_KEY_ATTRIBUTES} (a multi-attribute key, in field order)"
                ));
            }
        }
        if let Some(throughput) = gsi.throughput() {
            if throughput.read == 0 || throughput.write == 0 {
                out.push(format!("GSI `{name}`: a capacity must be at least 1"));
            }
        }
    }
    let mut projected = 0;
    let projections = schema
        .global_indexes()
        .iter()
        .map(|g| (g.name(), g.projection()))
        .chain(
            schema
                .local_indexes()
                .iter()
                .map(|l| (l.name(), l.projection())),
        );
    for (name, projection) in projections {
        let before = projected;
        projected += projection.non_key_attributes().count();
        if before <= MAX_PROJECTED_ATTRIBUTES && projected > MAX_PROJECTED_ATTRIBUTES {
            out.push(format!(
                "`include` of index `{name}` brings the table's projected non-key attributes to {projected}; \
                 DynamoDB allows {MAX_PROJECTED_ATTRIBUTES} in all, summed over every index"
            ));
        }
    }
    if schema.range_key().is_none() {
        for lsi in schema.local_indexes() {
            out.push(format!(
                "LSI `{}` needs a table with a range key: DynamoDB only allows local secondary \
                 indexes on tables whose primary key has a sort key",
                lsi.name()
            ));
        }
    }

    // One attribute, one type: the table defines each key attribute once.
    let mut types: BTreeMap<&str, AttributeType> = BTreeMap::new();
    let keys = std::iter::once(schema.hash_key())
        .chain(schema.range_key())
        .chain(
            schema
                .global_indexes()
                .iter()
                .flat_map(|g| g.hash_keys().iter().chain(g.range_keys())),
        )
        .chain(schema.local_indexes().iter().map(|l| l.range_key()));
    for key in keys {
        match types.get(key.name()) {
            Some(first) if *first != key.attribute_type() => out.push(format!(
                "attribute `{}` is used as a key with type {first} and with type {}; an attribute has one type",
                key.name(),
                key.attribute_type()
            )),
            Some(_) => {}
            None => {
                types.insert(key.name(), key.attribute_type());
            }
        }
    }
    if let Some(ttl) = schema.ttl_attribute() {
        if let Some(kind) = types.get(ttl).filter(|t| **t != AttributeType::N) {
            out.push(format!(
                "a TTL attribute is a number (seconds since the Unix epoch), so it cannot be \
                 `{ttl}`, a key of type {kind}"
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(name_problem("users"), None);
        assert_eq!(name_problem("a.b-c_1"), None);
        assert_eq!(name_problem("ab").unwrap(), "is too short (2 characters)");
        assert_eq!(
            name_problem(&"x".repeat(256)).unwrap(),
            "is too long (256 characters)"
        );
        assert_eq!(name_problem("my table").unwrap(), "contains ' '");
    }
}
