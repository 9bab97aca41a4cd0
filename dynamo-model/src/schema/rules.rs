//! DynamoDB's rules applied to a built [`TableSchema`] (hand-built ones; the
//! derive applies them at compile time). The rules and their wording live in
//! `dynamo-model-rules`, shared with the derive; this file only walks the
//! schema.

use std::collections::BTreeMap;

use dynamo_model_rules::{self as rules, Dialect, IndexKind, KeyRole};

use crate::{AttributeType, KeyAttribute, TableSchema};

pub(crate) use rules::{name_problem, NAME_RULE};

/// Every rule `schema` breaks, in words; empty when it is valid.
pub(crate) fn problems(schema: &TableSchema) -> Vec<String> {
    let mut out = Vec::new();
    out.extend(rules::table_name(schema.table_name()));

    let keys = || {
        std::iter::once(schema.hash_key())
            .chain(schema.range_key())
            .chain(
                schema
                    .global_indexes()
                    .iter()
                    .flat_map(|g| g.hash_keys().iter().chain(g.range_keys())),
            )
            .chain(schema.local_indexes().iter().map(|l| l.range_key()))
    };
    let mut named = std::collections::BTreeSet::new();
    for key in keys() {
        if named.insert(key.name()) {
            out.extend(rules::key_attribute_name(key.name()));
        }
    }

    if let Some(range) = schema.range_key() {
        if range.name() == schema.hash_key().name() && !range.name().is_empty() {
            out.push(rules::key_with_two_roles(range.name(), Dialect::Builder));
        }
    }

    let gsi_names: Vec<&str> = schema.global_indexes().iter().map(|g| g.name()).collect();
    let lsi_names: Vec<&str> = schema.local_indexes().iter().map(|l| l.name()).collect();
    out.extend(rules::excess_index(IndexKind::Global, &gsi_names).map(|(_, m)| m));
    out.extend(rules::excess_index(IndexKind::Local, &lsi_names).map(|(_, m)| m));

    let indexes: Vec<(IndexKind, &str)> = gsi_names
        .iter()
        .map(|n| (IndexKind::Global, *n))
        .chain(lsi_names.iter().map(|n| (IndexKind::Local, *n)))
        .collect();
    let duplicates = rules::duplicate_index_names(&indexes);
    for (position, (_, name)) in indexes.iter().enumerate() {
        out.extend(rules::index_name(name));
        out.extend(
            duplicates
                .iter()
                .filter(|(at, _)| *at == position)
                .map(|(_, m)| m.clone()),
        );
    }

    let table_keys: Vec<&KeyAttribute> = std::iter::once(schema.hash_key())
        .chain(schema.range_key())
        .collect();
    for gsi in schema.global_indexes() {
        let name = gsi.name();
        if gsi.hash_keys().is_empty() {
            out.push(rules::gsi_without_partition_key(name, Dialect::Builder));
        }
        for (keys, role) in [
            (gsi.hash_keys(), KeyRole::Hash),
            (gsi.range_keys(), KeyRole::Range),
        ] {
            out.extend(rules::excess_gsi_key_attribute(name, role, keys.len()).map(|(_, m)| m));
        }
        if let Some(throughput) = gsi.throughput() {
            if let Some(zero) =
                rules::capacity(throughput.read).or(rules::capacity(throughput.write))
            {
                out.push(format!("GSI `{name}`: {zero}"));
            }
        }
        let own: Vec<&KeyAttribute> = gsi.hash_keys().iter().chain(gsi.range_keys()).collect();
        for (i, key) in own.iter().enumerate() {
            if own[..i].iter().any(|k| k.name() == key.name()) {
                out.push(rules::attribute_twice_in_index(
                    key.name(),
                    name,
                    Dialect::Builder,
                ));
            }
        }
        out.extend(included_keys(name, gsi.projection(), &table_keys, &own));
    }
    for lsi in schema.local_indexes() {
        out.extend(included_keys(
            lsi.name(),
            lsi.projection(),
            &table_keys,
            &[lsi.range_key()],
        ));
    }

    let includes: Vec<(&str, usize)> = schema
        .global_indexes()
        .iter()
        .map(|g| (g.name(), g.projection()))
        .chain(
            schema
                .local_indexes()
                .iter()
                .map(|l| (l.name(), l.projection())),
        )
        .map(|(name, projection)| (name, projection.non_key_attributes().count()))
        .collect();
    out.extend(rules::excess_projected_attributes(&includes).map(|(_, m)| m));

    if schema.range_key().is_none() {
        for lsi in schema.local_indexes() {
            out.push(rules::lsi_needs_table_range_key(
                lsi.name(),
                Dialect::Builder,
            ));
        }
    }

    // One attribute, one type: the table defines each key attribute once.
    // (The derive cannot see types, only the Rust types that give them; one
    // field has one type, so this can only break in a hand-built schema.)
    let mut types: BTreeMap<&str, AttributeType> = BTreeMap::new();
    for key in keys() {
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

/// `include` naming a key (the table's, or the index's own), naming one
/// attribute twice, or naming none.
fn included_keys(
    index: &str,
    projection: &crate::Projection,
    table_keys: &[&KeyAttribute],
    own_keys: &[&KeyAttribute],
) -> Vec<String> {
    let mut out = Vec::new();
    if let crate::Projection::Include(names) = projection {
        if names.is_empty() {
            out.push(rules::empty_include(index, Dialect::Builder));
        }
        for (i, name) in names.iter().enumerate() {
            if names[..i].contains(name) {
                out.push(rules::included_twice(name, index, Dialect::Builder));
            }
        }
    }
    out.extend(projection.non_key_attributes().filter_map(|attribute| {
        let role = match table_keys.iter().position(|k| k.name() == attribute) {
            Some(0) => "the table's hash key",
            Some(_) => "the table's range key",
            None if own_keys.iter().any(|k| k.name() == attribute) => "a key of this index",
            None => return None,
        };
        Some(rules::include_of_key(index, attribute, role))
    }));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Projection;

    #[test]
    fn names() {
        assert_eq!(name_problem("users"), None);
        assert_eq!(name_problem("ab").unwrap(), "is too short (2 characters)");
    }

    #[test]
    fn an_include_of_a_key_is_refused() {
        let schema = TableSchema::builder("orders")
            .hash_key("id", AttributeType::S)
            .range_key("at", AttributeType::N)
            .global_index("by_status", |g| {
                g.hash_key("status", AttributeType::S)
                    .include(["id", "status", "total"])
            })
            .local_index(
                "by_total",
                "total",
                AttributeType::N,
                Projection::Include(vec!["at".into()].into()),
            )
            .build()
            .unwrap_err()
            .to_string();
        assert!(
            schema.contains("names `id`, the table's hash key"),
            "{schema}"
        );
        assert!(
            schema.contains("names `status`, a key of this index"),
            "{schema}"
        );
        assert!(
            schema.contains("names `at`, the table's range key"),
            "{schema}"
        );
        assert!(!schema.contains("names `total`"), "{schema}");
    }

    #[test]
    fn the_builder_checks_what_the_derive_checks_on_fields() {
        let err = TableSchema::builder("orders")
            .hash_key("id", AttributeType::S)
            .range_key("id", AttributeType::S)
            .global_index("by_status", |g| {
                g.hash_key("status", AttributeType::S)
                    .range_key("status", AttributeType::S)
                    .include(["total", "total"])
            })
            .global_index("by_coupon", |g| {
                g.hash_key("coupon", AttributeType::S)
                    .projection(Projection::Include(Vec::new().into()))
            })
            .build()
            .unwrap_err()
            .to_string();
        for needle in [
            "attribute `id` cannot be both the table's hash key and its range key",
            "attribute `status` is already part of index `by_status`",
            "`include` of index `by_status` lists attribute `total` twice",
            "`include` of index `by_coupon` needs at least one attribute",
        ] {
            assert!(err.contains(needle), "{needle}: {err}");
        }
    }

    #[test]
    fn key_attribute_names_are_1_to_255_bytes() {
        let long = "k".repeat(256);
        let err = TableSchema::builder("orders")
            .hash_key(long.as_str(), AttributeType::S)
            .build()
            .unwrap_err()
            .to_string();
        assert!(err.contains("256 bytes"), "{err}");
    }
}
