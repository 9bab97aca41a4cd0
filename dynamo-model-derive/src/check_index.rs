//! DynamoDB's rules about secondary indexes, checked on the model.

use std::collections::HashSet;

use crate::attr::{IndexKind, KeyRole};
use crate::ctxt::Ctxt;
use crate::model::{Index, Model};
use crate::names;

/// DynamoDB's limits (CreateTable).
const MAX_GSIS: usize = 20;
const MAX_LSIS: usize = 5;
/// A GSI key has up to 4 partition-key and 4 sort-key attributes.
const MAX_GSI_KEY_ATTRIBUTES: usize = 4;
/// DynamoDB's limit on `NonKeyAttributes`, summed over all of a table's
/// indexes (an attribute projected into two indexes counts twice).
const MAX_PROJECTED_ATTRIBUTES: usize = 100;

pub fn check(cx: &Ctxt, model: &Model) {
    index_counts(cx, model);
    let table_has_range_key = model.range_keys().next().is_some();
    for (position, index) in model.indexes.iter().enumerate() {
        name(cx, model, position, index);
        one_role_per_field(cx, model, index);
        match index.kind {
            IndexKind::Global => gsi_key(cx, index),
            IndexKind::Local => lsi_key(cx, model, index, table_has_range_key),
        }
        settings(cx, model, index);
    }
    projected_attribute_total(cx, model);
}

fn projected_attribute_total(cx: &Ctxt, model: &Model) {
    let mut total = 0;
    for index in &model.indexes {
        for member in &index.members {
            let Some(include) = &member.attr.settings.include else {
                continue;
            };
            let before = total;
            total += include.value.len();
            if before <= MAX_PROJECTED_ATTRIBUTES && total > MAX_PROJECTED_ATTRIBUTES {
                cx.error_at(
                    include.span,
                    format!(
                        "`include` of index `{}` brings the table's projected non-key attributes to {total}; \
                         DynamoDB allows {MAX_PROJECTED_ATTRIBUTES} in all, summed over every index",
                        index.name()
                    ),
                );
            }
        }
    }
}

fn index_counts(cx: &Ctxt, model: &Model) {
    for (kind, max) in [(IndexKind::Global, MAX_GSIS), (IndexKind::Local, MAX_LSIS)] {
        if let Some(extra) = model.indexes_of(kind).nth(max) {
            cx.error_spanned_by(
                &extra.name,
                format!(
                    "a table has at most {max} {label}s, and `{}` is number {}",
                    extra.name(),
                    max + 1,
                    label = kind.label()
                ),
            );
        }
    }
}

fn name(cx: &Ctxt, model: &Model, position: usize, index: &Index) {
    let name = index.name();
    if let Some(problem) = names::problem(&name) {
        cx.error_spanned_by(
            &index.name,
            format!("index name `{name}` {problem}; {}", names::RULE),
        );
    }
    // Indexes of one kind with the same name were merged into one index, so
    // a clash here is a GSI and an LSI sharing a name.
    if let Some(earlier) = model.indexes[..position].iter().find(|i| i.name() == name) {
        cx.error_spanned_by(
            &index.name,
            format!(
                "index name `{name}` is already used by a {} of this table; index names must be unique \
                 across GSIs and LSIs",
                earlier.kind.label()
            ),
        );
    }
}

/// Two annotations for the same index on one field.
fn one_role_per_field(cx: &Ctxt, model: &Model, index: &Index) {
    let mut seen = HashSet::new();
    for member in &index.members {
        if !seen.insert(member.field) {
            cx.error_spanned_by(
                &member.attr.name,
                format!(
                    "field `{}` is already part of index `{}`; a field has one role per index",
                    model.fields[member.field].rust_name,
                    index.name()
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
            format!(
                "GSI `{name}` has no partition key: add #[gsi(name = \"{name}\", hash_key)] to the field \
                 that is its hash key"
            ),
        );
    }
    for (role, which) in [
        (KeyRole::Hash, "partition-key"),
        (KeyRole::Range, "sort-key"),
    ] {
        if let Some(extra) = index.members_with(role).nth(MAX_GSI_KEY_ATTRIBUTES) {
            cx.error_at(
                extra.attr.role.span,
                format!(
                    "GSI `{name}` has more than {MAX_GSI_KEY_ATTRIBUTES} {which} attributes; DynamoDB allows \
                     up to {MAX_GSI_KEY_ATTRIBUTES} (a multi-attribute key, in field order)"
                ),
            );
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
            format!(
                "LSI `{name}` needs a table with a #[range_key]: DynamoDB only allows local secondary \
                 indexes on tables whose primary key has a sort key"
            ),
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
            if capacity.value == 0 {
                cx.error_at(capacity.span, "a capacity must be at least 1");
            }
        }

        if let Some(include) = &settings.include {
            if include.value.is_empty() {
                cx.error_at(
                    include.span,
                    "`include` needs at least one field; for no extra attributes use `projection = \"keys_only\"`",
                );
            }
            included_fields(cx, model, &include.value);
        }
    }
}

/// `include = [...]` names Rust fields that serde stores, each once.
fn included_fields(cx: &Ctxt, model: &Model, include: &[syn::LitStr]) {
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
                if !seen.insert(field.rust_name.as_str()) {
                    cx.error_spanned_by(lit, format!("`include` lists field `{wanted}` twice"));
                }
            }
        }
    }
}
