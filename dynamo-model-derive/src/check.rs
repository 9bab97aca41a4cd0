//! DynamoDB's rules about the table and its fields, checked on the model.
//! Every broken rule is reported; none stops the others from being checked.
//! The index rules are in `check_index`.

use std::collections::HashMap;

use syn::GenericParam;

use crate::attr::ScalarType;
use crate::check_index;
use crate::ctxt::Ctxt;
use crate::model::Model;
use crate::types;
use dynamo_model_rules::{self as rules, Dialect, TableRole};

pub fn check(cx: &Ctxt, model: &Model) {
    no_type_parameters(cx, model);
    if model.entity_broken {
        return;
    }
    if let Some(entity) = &model.entity {
        // The table definition holds the keys and indexes; the entity's
        // templates write them.
        crate::entity::check(cx, model, entity);
        serde_keeps_keys(cx, model);
        version(cx, model);
        type_overrides(cx, model);
        unique_attribute_names(cx, model);
        return;
    }
    table_name(cx, model);
    table_keys(cx, model);
    ttl(cx, model);
    version(cx, model);
    sparse_index_keys(cx, model);
    type_overrides(cx, model);
    serde_keeps_keys(cx, model);
    unique_attribute_names(cx, model);
    key_attribute_names(cx, model);
    check_index::check(cx, model);
}

/// DynamoDB's limit on a key attribute's name, after serde renames.
fn key_attribute_names(cx: &Ctxt, model: &Model) {
    for field in model.fields.iter().filter(|f| f.is_key()) {
        if let Some(message) = rules::key_attribute_name(&field.attribute_name) {
            cx.error_spanned_by(
                field.ident,
                format!("field `{}`: {message}", field.rust_name),
            );
        }
    }
}

/// The schema is one `static` for the type, so it cannot depend on type or
/// const parameters. Lifetimes do not change the schema and are allowed.
fn no_type_parameters(cx: &Ctxt, model: &Model) {
    for param in &model.input.generics.params {
        let what = match param {
            GenericParam::Type(_) => "generic type parameters",
            GenericParam::Const(_) => "const generic parameters",
            GenericParam::Lifetime(_) => continue,
        };
        cx.error_spanned_by(
            param,
            format!(
                "DynamoModel does not support {what}; the schema is a single `static` shared by every \
                 instantiation, so key types must be concrete (lifetime parameters are fine)"
            ),
        );
    }
}

fn table_name(cx: &Ctxt, model: &Model) {
    let name = &model.table_name;
    let message = if name.is_default {
        rules::default_table_name(&name.value, "#[dynamo(table = \"...\")]")
    } else {
        rules::table_name(&name.value)
    };
    if let Some(message) = message {
        cx.error_at(name.span, message);
    }
}

fn table_keys(cx: &Ctxt, model: &Model) {
    let hash_keys: Vec<_> = model.hash_keys().collect();
    if hash_keys.is_empty() {
        cx.error_spanned_by(model.ident(), rules::missing_hash_key(Dialect::Attribute));
    }
    let names: Vec<&str> = hash_keys.iter().map(|f| f.rust_name.as_str()).collect();
    for (i, message) in rules::extra_table_keys(TableRole::HashKey, &names, Dialect::Attribute) {
        cx.error_at(hash_keys[i].attrs.hash_key.expect("hash key"), message);
    }

    let range_keys: Vec<_> = model.range_keys().collect();
    let names: Vec<&str> = range_keys.iter().map(|f| f.rust_name.as_str()).collect();
    for (i, message) in rules::extra_table_keys(TableRole::RangeKey, &names, Dialect::Attribute) {
        cx.error_at(range_keys[i].attrs.range_key.expect("range key"), message);
    }

    for field in &model.fields {
        if let (Some(_), Some(range)) = (field.attrs.hash_key, field.attrs.range_key) {
            cx.error_at(
                range,
                rules::key_with_two_roles(&field.rust_name, Dialect::Attribute),
            );
        }
        if field.is_table_key() && types::is_option(field.ty) {
            cx.error_spanned_by(
                field.ty,
                format!(
                    "a table key cannot be an `Option`: every item must have {}. \
                     `Option` is only allowed on index keys, where it makes a sparse index",
                    field.role()
                ),
            );
        }
    }
}

fn ttl(cx: &Ctxt, model: &Model) {
    let ttl_fields: Vec<_> = model.ttl_fields().collect();
    let names: Vec<&str> = ttl_fields.iter().map(|f| f.rust_name.as_str()).collect();
    for (i, message) in rules::extra_table_keys(TableRole::Ttl, &names, Dialect::Attribute) {
        cx.error_at(ttl_fields[i].attrs.ttl.expect("ttl"), message);
    }
    for field in ttl_fields {
        if let Some(ty) = &field.attrs.scalar_type {
            if ty.value != ScalarType::N {
                cx.error_at(
                    ty.span,
                    format!(
                        "a #[ttl] attribute is a number (seconds since the Unix epoch), so it cannot be \
                         `type = \"{}\"`",
                        ty.value.as_str()
                    ),
                );
            }
        }
    }
}

/// `#[version]`: one field, not a key, stored by serde (that it is a
/// number is checked through the `VersionType` bound).
fn version(cx: &Ctxt, model: &Model) {
    let fields: Vec<_> = model
        .fields
        .iter()
        .filter(|f| f.attrs.version.is_some())
        .collect();
    for extra in fields.iter().skip(1) {
        cx.error_at(
            extra.attrs.version.expect("version"),
            format!(
                "a second #[version] field (`{}`): a model has one version, and `{}` is it",
                extra.rust_name, fields[0].rust_name
            ),
        );
    }
    for field in fields {
        let span = field.attrs.version.expect("version");
        if field.is_key() {
            cx.error_at(
                span,
                format!(
                    "field `{}` is {} and cannot be the #[version]: a key never changes, and a version changes on every write",
                    field.rust_name,
                    field.role()
                ),
            );
        }
        if !field.is_stored() {
            cx.error_at(
                span,
                format!(
                    "field `{}` is the #[version], but serde does not store it as an attribute of its own",
                    field.rust_name
                ),
            );
        }
    }
}

/// serde writes `None` as NULL unless told to skip it, and DynamoDB refuses
/// NULL for an index key: an `Option` index key needs
/// `skip_serializing_if`, so that plain serde_dynamo writes are right too.
fn sparse_index_keys(cx: &Ctxt, model: &Model) {
    for field in &model.fields {
        if field.is_table_key() || field.attrs.indexes.is_empty() || !types::is_option(field.ty) {
            continue;
        }
        if field.attrs.serde.skip_serializing_if.is_none() && field.attrs.serde.skip.is_none() {
            cx.error_spanned_by(
                field.ty,
                format!(
                    "field `{}` is {} and an `Option`: serde writes `None` as NULL, which DynamoDB refuses for an index key; \
                     add #[serde(skip_serializing_if = \"Option::is_none\")] so that an item without it is left out of the index",
                    field.rust_name,
                    field.role()
                ),
            );
        }
    }
}

/// `#[dynamo(type = ...)]` names a key's or the TTL's stored type; anywhere
/// else it would silently do nothing.
fn type_overrides(cx: &Ctxt, model: &Model) {
    for field in &model.fields {
        if let Some(ty) = &field.attrs.scalar_type {
            if !field.is_key() && field.attrs.ttl.is_none() {
                cx.error_at(
                    ty.span,
                    format!(
                        "#[dynamo(type = ...)] only applies to key and #[ttl] fields, and field `{}` is neither",
                        field.rust_name
                    ),
                );
            }
        }
    }
}

/// A key (or the TTL) must be in every item serde writes, under one name.
fn serde_keeps_keys(cx: &Ctxt, model: &Model) {
    for field in &model.fields {
        // An entity's table key is written from these fields.
        let key_like = field.is_key() || field.in_table_template;
        if !key_like && field.attrs.ttl.is_none() {
            continue;
        }
        let serde = &field.attrs.serde;
        // An entity's placeholder left out is reported at its template.
        let skip = serde.skip.as_ref().filter(|_| !field.in_template);
        let flatten = serde.flatten.as_ref().filter(|_| !field.in_template);
        if let Some(skip) = skip {
            cx.error_spanned_by(
                skip,
                format!(
                    "field `{}` is {}, but #[serde({skip})] leaves it out of the items serde writes",
                    field.rust_name,
                    field.role()
                ),
            );
        }
        // On an index key it is how a sparse index is written (`Option` with
        // `skip_serializing_if = "Option::is_none"`); on a table key it
        // writes items DynamoDB refuses.
        if let (Some(skip_if), true) = (
            &serde.skip_serializing_if,
            field.is_table_key() || field.in_table_template,
        ) {
            cx.error_spanned_by(
                skip_if,
                format!(
                    "field `{}` is {}, which every item must have, but #[serde(skip_serializing_if = ...)] \
                     can leave it out; drop it (it is fine on index keys, for a sparse index)",
                    field.rust_name,
                    field.role()
                ),
            );
        }
        if let Some(flatten) = flatten {
            cx.error_spanned_by(
                flatten,
                format!(
                    "field `{}` is {}, but #[serde(flatten)] spreads its contents over the item \
                     instead of storing it as one attribute",
                    field.rust_name,
                    field.role()
                ),
            );
        }
        // A name that differs only through `rename_all(serialize, deserialize)`
        // is accepted (the written name is the key); a field-level rename
        // that gives the key two names is a mistake worth stopping.
        let renamed = serde
            .rename_serialize
            .as_ref()
            .or(serde.rename_deserialize.as_ref());
        if let Some(rename) = renamed {
            if key_like && field.attribute_name != field.deserialize_name {
                cx.error_spanned_by(
                    rename,
                    format!(
                        "field `{}` is {}, so it needs one attribute name, but serde writes it as `{}` \
                         and reads it as `{}`",
                        field.rust_name,
                        field.role(),
                        field.attribute_name,
                        field.deserialize_name
                    ),
                );
            }
        }
    }
}

/// Two fields serde writes under the same name would overwrite each other in
/// the item; for keys, the table would define one attribute twice.
fn unique_attribute_names(cx: &Ctxt, model: &Model) {
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for field in model.fields.iter().filter(|f| f.is_stored()) {
        match seen.get(field.attribute_name.as_str()) {
            Some(first) => cx.error_spanned_by(
                field.ident,
                format!(
                    "fields `{first}` and `{}` both have the attribute name `{}` (after serde renames); \
                     attribute names must be unique",
                    field.rust_name, field.attribute_name
                ),
            ),
            None => {
                seen.insert(&field.attribute_name, &field.rust_name);
            }
        }
    }
}
