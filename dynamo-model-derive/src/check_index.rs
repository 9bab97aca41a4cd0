//! DynamoDB's rules about secondary indexes, checked on the model.

use std::collections::HashSet;

use dynamo_model_rules::{self as rules, Dialect};

use crate::attr::{IndexKind, KeyRole};
use crate::ctxt::Ctxt;
use crate::model::{Index, Model};

pub fn check(cx: &Ctxt, model: &Model) {
    index_counts(cx, model);
    let table_has_range_key = model.range_keys().next().is_some();
    let kinds_and_names: Vec<(rules::IndexKind, String)> = model
        .indexes
        .iter()
        .map(|i| (rule_kind(i.kind), i.name()))
        .collect();
    let kinds_and_names: Vec<(rules::IndexKind, &str)> = kinds_and_names
        .iter()
        .map(|(k, n)| (*k, n.as_str()))
        .collect();
    let duplicates = rules::duplicate_index_names(&kinds_and_names);
    for (position, index) in model.indexes.iter().enumerate() {
        name(cx, index);
        for (_, message) in duplicates.iter().filter(|(at, _)| *at == position) {
            cx.error_spanned_by(&index.name, message);
        }
        one_role_per_field(cx, model, index);
        match index.kind {
            IndexKind::Global => gsi_key(cx, index),
            IndexKind::Local => lsi_key(cx, model, index, table_has_range_key),
        }
        settings(cx, model, index);
    }
    projected_attribute_total(cx, model);
}

fn rule_kind(kind: IndexKind) -> rules::IndexKind {
    match kind {
        IndexKind::Global => rules::IndexKind::Global,
        IndexKind::Local => rules::IndexKind::Local,
    }
}

fn projected_attribute_total(cx: &Ctxt, model: &Model) {
    let mut spans = Vec::new();
    let mut includes = Vec::new();
    for index in &model.indexes {
        for member in &index.members {
            if let Some(include) = &member.attr.settings.include {
                spans.push(include.span);
                includes.push((index.name(), include.value.len()));
            }
        }
    }
    let includes: Vec<(&str, usize)> = includes.iter().map(|(n, c)| (n.as_str(), *c)).collect();
    if let Some((at, message)) = rules::excess_projected_attributes(&includes) {
        cx.error_at(spans[at], message);
    }
}

fn index_counts(cx: &Ctxt, model: &Model) {
    for kind in [IndexKind::Global, IndexKind::Local] {
        let indexes: Vec<&Index> = model.indexes_of(kind).collect();
        let names: Vec<String> = indexes.iter().map(|i| i.name()).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        if let Some((at, message)) = rules::excess_index(rule_kind(kind), &names) {
            cx.error_spanned_by(&indexes[at].name, message);
        }
    }
}

/// Indexes of one kind with the same name were merged into one index, so a
/// duplicate name (checked in `check`) is a GSI and an LSI sharing it.
fn name(cx: &Ctxt, index: &Index) {
    if let Some(message) = rules::index_name(&index.name()) {
        cx.error_spanned_by(&index.name, message);
    }
}

/// Two annotations for the same index on one field.
fn one_role_per_field(cx: &Ctxt, model: &Model, index: &Index) {
    let mut seen = HashSet::new();
    for member in &index.members {
        if !seen.insert(member.field) {
            cx.error_spanned_by(
                &member.attr.name,
                rules::attribute_twice_in_index(
                    &model.fields[member.field].rust_name,
                    &index.name(),
                    Dialect::Attribute,
                ),
            );
        }
    }
}

fn gsi_key(cx: &Ctxt, index: &Index) {
    let name = index.name();
    if index.members_with(KeyRole::Hash).next().is_none() {
        cx.error_spanned_by(
            &index.name,
            rules::gsi_without_partition_key(&name, Dialect::Attribute),
        );
    }
    for (role, rule_role) in [
        (KeyRole::Hash, rules::KeyRole::Hash),
        (KeyRole::Range, rules::KeyRole::Range),
    ] {
        let members: Vec<_> = index.members_with(role).collect();
        if let Some((at, message)) =
            rules::excess_gsi_key_attribute(&name, rule_role, members.len())
        {
            cx.error_at(members[at].attr.role.span, message);
        }
    }
}

fn lsi_key(cx: &Ctxt, model: &Model, index: &Index, table_has_range_key: bool) {
    let name = index.name();
    let sort_key = &model.fields[index.members[0].field];
    for extra in &index.members[1..] {
        if extra.field == index.members[0].field {
            continue; // reported by `one_role_per_field`
        }
        cx.error_spanned_by(
            &extra.attr.name,
            format!(
                "LSI `{name}` already has its sort key, field `{}`; an LSI has exactly one sort key \
                 (its partition key is the table's hash key)",
                sort_key.rust_name
            ),
        );
    }
    if !table_has_range_key {
        cx.error_spanned_by(
            &index.name,
            rules::lsi_needs_table_range_key(&name, Dialect::Attribute),
        );
    }
}

/// Projection, include and capacities: on one field of the index, and
/// consistent with each other.
fn settings(cx: &Ctxt, model: &Model, index: &Index) {
    let name = index.name();
    let mut given_on: Option<&str> = None;
    for member in &index.members {
        let settings = &member.attr.settings;
        let Some(span) = settings.first_arg else {
            continue;
        };
        let field = &model.fields[member.field].rust_name;
        match given_on {
            Some(first) => cx.error_at(
                span,
                format!(
                    "the settings of index `{name}` are already given on field `{first}`; give projection, \
                     include and capacities on one field of the index"
                ),
            ),
            None => given_on = Some(field),
        }

        if let (Some(projection), Some(include)) = (&settings.projection, &settings.include) {
            cx.error_at(
                include.span,
                format!(
                    "`include` makes the projection INCLUDE, which contradicts `projection = \"{}\"`; \
                     keep one of them",
                    projection.value.as_str()
                ),
            );
        }

        match (&settings.read_capacity, &settings.write_capacity) {
            (Some(read), None) => cx.error_at(
                read.span,
                "`read_capacity` needs `write_capacity` too: a provisioned index declares both",
            ),
            (None, Some(write)) => cx.error_at(
                write.span,
                "`write_capacity` needs `read_capacity` too: a provisioned index declares both",
            ),
            _ => {}
        }
        for capacity in [&settings.read_capacity, &settings.write_capacity]
            .into_iter()
            .flatten()
        {
            if let Some(message) = rules::capacity(capacity.value) {
                cx.error_at(capacity.span, message);
            }
        }

        if let Some(include) = &settings.include {
            if include.value.is_empty() {
                cx.error_at(
                    include.span,
                    rules::empty_include(&name, Dialect::Attribute),
                );
            }
            included_fields(cx, model, index, &include.value);
        }
    }
}

/// `include = [...]` names Rust fields that serde stores, each once.
fn included_fields(cx: &Ctxt, model: &Model, index: &Index, include: &[syn::LitStr]) {
    let mut seen = HashSet::new();
    for lit in include {
        let wanted = lit.value();
        match model.field_named(&wanted) {
            None => cx.error_spanned_by(
                lit,
                format!(
                    "`include` names `{wanted}`, but the struct has no such field (include lists Rust \
                     field names)"
                ),
            ),
            Some(field) if !field.is_stored() => cx.error_spanned_by(
                lit,
                format!("field `{wanted}` is not stored as an attribute of its own (serde skips or flattens it)"),
            ),
            Some(field) => {
                let own_key = index
                    .members
                    .iter()
                    .any(|m| model.fields[m.field].rust_name == field.rust_name);
                let key_role = if field.attrs.hash_key.is_some() {
                    Some("the table's hash key")
                } else if field.attrs.range_key.is_some() {
                    Some("the table's range key")
                } else if own_key {
                    Some("a key of this index")
                } else {
                    None
                };
                if let Some(role) = key_role {
                    cx.error_spanned_by(lit, rules::include_of_key(&index.name(), &wanted, role));
                }
                if !seen.insert(field.rust_name.as_str()) {
                    cx.error_spanned_by(
                        lit,
                        rules::included_twice(&wanted, &index.name(), Dialect::Attribute),
                    );
                }
            }
        }
    }
}
