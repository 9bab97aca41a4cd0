//! `#[derive(DynamoTable)]`: a table definition that several entity models
//! share (single-table design). The same pipeline as the model derive:
//! parse the `#[dynamo(...)]` arguments, check them against DynamoDB's rules
//! (`dynamo-model-rules`, collecting every error), emit a `'static`
//! `TableSchema` and the `DynamoModel` and `DynamoTable` impls, as data.
//!
//! ```text
//! #[derive(DynamoTable)]
//! #[dynamo(name = "app", hash_key = "pk", range_key = "sk",
//!          gsi(name = "gsi1", hash_key = "gsi1pk", range_key = "gsi1sk"),
//!          lsi(name = "lsi1", range_key = "lsi1sk"), ttl = "expires")]
//! struct App;
//! ```

use dynamo_model_rules::{Dialect, IndexKind};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::spanned::Spanned;
use syn::{DeriveInput, LitStr};

use crate::attr::{
    each_arg, projection_kind, set_once, skip_arg, unknown_arg, Located, ProjectionKind,
};
use crate::case;
use crate::ctxt::Ctxt;

/// The default name of the attribute that tells an item's entity type.
const DEFAULT_ENTITY_ATTRIBUTE: &str = "_type";

const TABLE_ARGS: &[&str] = &[
    "name",
    "hash_key",
    "range_key",
    "gsi",
    "lsi",
    "ttl",
    "entity_attribute",
];
const GSI_ARGS: &[&str] = &["name", "hash_key", "range_key", "projection"];
const LSI_ARGS: &[&str] = &["name", "range_key", "projection"];

/// One `gsi(...)` or `lsi(...)` of the definition.
struct IndexDef {
    kind: IndexKind,
    /// The whole `gsi(...)`, for errors about the index as a whole.
    span: Span,
    name: Option<LitStr>,
    hash_key: Option<LitStr>,
    range_key: Option<LitStr>,
    projection: Option<Located<ProjectionKind>>,
}

/// The definition as written.
#[derive(Default)]
struct TableDef {
    name: Option<LitStr>,
    hash_key: Option<LitStr>,
    range_key: Option<LitStr>,
    indexes: Vec<IndexDef>,
    ttl: Option<LitStr>,
    entity_attribute: Option<LitStr>,
}

/// The whole pipeline: parse, check, then emit, or emit every error found.
pub fn derive(input: &DeriveInput) -> TokenStream {
    let cx = Ctxt::new();
    let def = parse(&cx, input);
    check(&cx, input, &def);
    match cx.check() {
        Ok(()) => expand(input, &def),
        Err(errors) => {
            let errors = errors.to_compile_error();
            let fallback = fallback(input);
            quote!(#errors #fallback)
        }
    }
}

fn parse(cx: &Ctxt, input: &DeriveInput) -> TableDef {
    let mut def = TableDef::default();
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("dynamo")) {
        each_arg(cx, attr, |meta| {
            let path = &meta.path;
            if path.is_ident("name") {
                set_once(&mut def.name, meta.value()?.parse()?, path, "dynamo")
            } else if path.is_ident("hash_key") {
                set_once(&mut def.hash_key, meta.value()?.parse()?, path, "dynamo")
            } else if path.is_ident("range_key") {
                set_once(&mut def.range_key, meta.value()?.parse()?, path, "dynamo")
            } else if path.is_ident("ttl") {
                set_once(&mut def.ttl, meta.value()?.parse()?, path, "dynamo")
            } else if path.is_ident("entity_attribute") {
                set_once(
                    &mut def.entity_attribute,
                    meta.value()?.parse()?,
                    path,
                    "dynamo",
                )
            } else if path.is_ident("gsi") || path.is_ident("lsi") {
                let kind = if path.is_ident("gsi") {
                    IndexKind::Global
                } else {
                    IndexKind::Local
                };
                def.indexes.push(parse_index(cx, kind, meta)?);
                Ok(())
            } else {
                Err(unknown_arg(path, "DynamoTable", TABLE_ARGS))
            }
        });
    }
    def
}

fn parse_index(
    cx: &Ctxt,
    kind: IndexKind,
    meta: &syn::meta::ParseNestedMeta,
) -> syn::Result<IndexDef> {
    let attr_name = match kind {
        IndexKind::Global => "gsi",
        IndexKind::Local => "lsi",
    };
    let mut index = IndexDef {
        kind,
        span: meta.path.span(),
        name: None,
        hash_key: None,
        range_key: None,
        projection: None,
    };
    meta.parse_nested_meta(|inner| {
        let path = &inner.path;
        let result = if path.is_ident("name") {
            set_once(&mut index.name, inner.value()?.parse()?, path, attr_name)
        } else if path.is_ident("hash_key") && kind == IndexKind::Global {
            set_once(
                &mut index.hash_key,
                inner.value()?.parse()?,
                path,
                attr_name,
            )
        } else if path.is_ident("range_key") {
            set_once(
                &mut index.range_key,
                inner.value()?.parse()?,
                path,
                attr_name,
            )
        } else if path.is_ident("projection") {
            let lit: LitStr = inner.value()?.parse()?;
            let value = projection_kind(&lit, "")?;
            set_once(
                &mut index.projection,
                Located {
                    value,
                    span: lit.span(),
                },
                path,
                attr_name,
            )
        } else if path.is_ident("hash_key") {
            Err(syn::Error::new_spanned(
                path,
                "an LSI's partition key is the table's hash key; give only its `range_key`",
            ))
        } else {
            Err(unknown_arg(
                path,
                attr_name,
                match kind {
                    IndexKind::Global => GSI_ARGS,
                    IndexKind::Local => LSI_ARGS,
                },
            ))
        };
        if let Err(err) = result {
            cx.syn_error(err);
            skip_arg(inner.input);
        }
        Ok(())
    })?;
    Ok(index)
}

fn check(cx: &Ctxt, input: &DeriveInput, def: &TableDef) {
    let is_unit =
        matches!(&input.data, syn::Data::Struct(s) if matches!(s.fields, syn::Fields::Unit));
    if !is_unit {
        cx.error_spanned_by(
            &input.ident,
            "#[derive(DynamoTable)] goes on a unit struct (`struct App;`): a table definition holds no item of its own (its items are those of the entity models stored in it)",
        );
    }
    if !input.generics.params.is_empty() {
        cx.error_spanned_by(
            &input.generics,
            "a table definition cannot be generic: its schema is one `static`",
        );
    }
    let (name, span) = table_name(input, def);
    let message = if def.name.is_none() {
        dynamo_model_rules::default_table_name(&name, "#[dynamo(name = \"...\")]")
    } else {
        dynamo_model_rules::table_name(&name)
    };
    if let Some(message) = message {
        cx.error_at(span, message);
    }
    match &def.hash_key {
        None => cx.error_spanned_by(
            &input.ident,
            "a table definition needs its partition key: #[dynamo(hash_key = \"pk\", ...)]",
        ),
        Some(key) => check_key_name(cx, key),
    }
    if let Some(key) = &def.range_key {
        check_key_name(cx, key);
        if def
            .hash_key
            .as_ref()
            .is_some_and(|h| h.value() == key.value())
        {
            cx.error_at(
                key.span(),
                dynamo_model_rules::key_with_two_roles(&key.value(), Dialect::Builder),
            );
        }
    }
    for name in [&def.ttl, &def.entity_attribute].into_iter().flatten() {
        if name.value().is_empty() {
            cx.error_at(name.span(), "an attribute name cannot be empty");
        }
    }
    let mut named: Vec<(IndexKind, String, Span)> = Vec::new();
    for index in &def.indexes {
        let Some(name) = &index.name else {
            cx.error_at(index.span, "an index needs its `name = \"...\"`");
            continue;
        };
        let value = name.value();
        if let Some(problem) = dynamo_model_rules::index_name(&value) {
            cx.error_at(name.span(), problem);
        }
        if index.kind == IndexKind::Global && index.hash_key.is_none() {
            cx.error_at(
                index.span,
                format!(
                    "{}: add `hash_key = \"...\"`",
                    dynamo_model_rules::gsi_without_partition_key(&value, Dialect::Builder)
                ),
            );
        }
        if index.kind == IndexKind::Local && index.range_key.is_none() {
            cx.error_at(
                index.span,
                format!("LSI `{value}` needs its sort key: add `range_key = \"...\"`"),
            );
        }
        if index.kind == IndexKind::Local && def.range_key.is_none() {
            cx.error_at(
                name.span(),
                dynamo_model_rules::lsi_needs_table_range_key(&value, Dialect::Builder),
            );
        }
        if let (Some(hash), Some(range)) = (&index.hash_key, &index.range_key) {
            if hash.value() == range.value() {
                cx.error_at(
                    range.span(),
                    dynamo_model_rules::attribute_twice_in_index(
                        &range.value(),
                        &value,
                        Dialect::Builder,
                    ),
                );
            }
        }
        for key in [&index.hash_key, &index.range_key].into_iter().flatten() {
            check_key_name(cx, key);
        }
        named.push((index.kind, value, name.span()));
    }
    check_other_attributes(cx, def);
    let kinds: Vec<(IndexKind, &str)> = named.iter().map(|(k, n, _)| (*k, n.as_str())).collect();
    for (position, message) in dynamo_model_rules::duplicate_index_names(&kinds) {
        cx.error_at(named[position].2, message);
    }
    for kind in [IndexKind::Global, IndexKind::Local] {
        let of_kind: Vec<&(IndexKind, String, Span)> =
            named.iter().filter(|(k, ..)| *k == kind).collect();
        let names: Vec<&str> = of_kind.iter().map(|(_, n, _)| n.as_str()).collect();
        if let Some((position, message)) = dynamo_model_rules::excess_index(kind, &names) {
            cx.error_at(of_kind[position].2, message);
        }
    }
}

/// The TTL and the entity attribute are not key attributes (keys here are
/// strings; DynamoDB's TTL reads a number), and not each other.
fn check_other_attributes(cx: &Ctxt, def: &TableDef) {
    let keys: Vec<String> = [&def.hash_key, &def.range_key]
        .into_iter()
        .flatten()
        .chain(
            def.indexes
                .iter()
                .flat_map(|i| [&i.hash_key, &i.range_key].into_iter().flatten()),
        )
        .map(LitStr::value)
        .collect();
    for (what, attribute) in [("TTL", &def.ttl), ("entity", &def.entity_attribute)] {
        let Some(attribute) = attribute else { continue };
        // An empty name is reported as such.
        if !attribute.value().is_empty() && keys.contains(&attribute.value()) {
            cx.error_at(
                attribute.span(),
                format!(
                    "the {what} attribute `{}` is also a key attribute; a table definition's keys are strings written from key templates, so it needs an attribute of its own",
                    attribute.value()
                ),
            );
        }
    }
    let entity = def
        .entity_attribute
        .as_ref()
        .map_or_else(|| DEFAULT_ENTITY_ATTRIBUTE.to_owned(), LitStr::value);
    if let Some(ttl) = def.ttl.as_ref().filter(|ttl| ttl.value() == entity) {
        cx.error_at(
            ttl.span(),
            format!("the TTL attribute `{entity}` is also the entity attribute; give each its own"),
        );
    }
}

/// The table's name: `name = "..."`, or the struct's name in snake_case.
fn table_name(input: &DeriveInput, def: &TableDef) -> (String, Span) {
    match &def.name {
        Some(name) => (name.value(), name.span()),
        None => (
            case::type_name_to_snake_case(&syn::ext::IdentExt::unraw(&input.ident).to_string()),
            input.ident.span(),
        ),
    }
}

fn check_key_name(cx: &Ctxt, key: &LitStr) {
    if let Some(problem) = dynamo_model_rules::key_attribute_name(&key.value()) {
        cx.error_at(key.span(), problem);
    }
}

/// With errors, the impls still exist, so the definition's other uses do
/// not add a second wave of "trait not implemented" errors.
fn fallback(input: &DeriveInput) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let model = crate::expand::model_fallback(input, "#[derive(DynamoTable)] failed to compile");
    quote! {
        #model
        #[automatically_derived]
        impl #impl_generics ::dynamo_model::DynamoTable for #ident #ty_generics #where_clause {
            const ENTITY_ATTRIBUTE: &'static str = "_type";
        }
    }
}

fn key(name: &LitStr) -> TokenStream {
    quote!(::dynamo_model::KeyAttribute::new(#name, ::dynamo_model::AttributeType::S))
}

fn keys(name: Option<&LitStr>) -> TokenStream {
    let keys = name.map(key).into_iter();
    quote!({
        const KEYS: &[::dynamo_model::KeyAttribute] = &[#(#keys),*];
        KEYS
    })
}

fn projection(index: &IndexDef) -> TokenStream {
    match index.projection.as_ref().map(|p| p.value) {
        Some(ProjectionKind::KeysOnly) => quote!(::dynamo_model::Projection::KeysOnly),
        _ => quote!(::dynamo_model::Projection::All),
    }
}

fn expand(input: &DeriveInput, def: &TableDef) -> TokenStream {
    let ident = &input.ident;
    let vis = &input.vis;
    let table_name = table_name(input, def).0;
    let hash_key = key(def.hash_key.as_ref().expect("checked"));
    let range_key = match &def.range_key {
        Some(range) => {
            let range = key(range);
            quote!(::core::option::Option::Some(#range))
        }
        None => quote!(::core::option::Option::None),
    };
    let index_name = |index: &IndexDef| index.name.as_ref().expect("checked").value();
    let global_indexes = def
        .indexes
        .iter()
        .filter(|i| i.kind == IndexKind::Global)
        .map(|index| {
            let name = index_name(index);
            let hash = keys(index.hash_key.as_ref());
            let range = keys(index.range_key.as_ref());
            let projection = projection(index);
            quote!(::dynamo_model::GlobalSecondaryIndex::new(#name, #hash, #range, #projection, ::core::option::Option::None))
        });
    let local_indexes = def
        .indexes
        .iter()
        .filter(|i| i.kind == IndexKind::Local)
        .map(|index| {
            let name = index_name(index);
            let range = key(index.range_key.as_ref().expect("checked"));
            let projection = projection(index);
            quote!(::dynamo_model::LocalSecondaryIndex::new(#name, #range, #projection))
        });
    let ttl = match &def.ttl {
        Some(ttl) => quote!(::core::option::Option::Some(#ttl)),
        None => quote!(::core::option::Option::None),
    };
    let entity_attribute = def
        .entity_attribute
        .as_ref()
        .map_or_else(|| DEFAULT_ENTITY_ATTRIBUTE.to_owned(), LitStr::value);
    let key_shape = if def.range_key.is_some() {
        quote!(::dynamo_model::HashAndRangeKey<::std::string::String, ::std::string::String>)
    } else {
        quote!(::dynamo_model::HashKey<::std::string::String>)
    };

    // Typed index handles, as a model's: one per index, named after it.
    let indexes_ident = format_ident!("{}Indexes", ident);
    // Two names that map to one Rust name (`by-status`, `by.status`): the
    // first gets the handle, as in a model.
    let mut index_fields: Vec<(syn::Ident, String, TokenStream)> = Vec::new();
    for index in &def.indexes {
        let name = index_name(index);
        let field = crate::indexes::field_ident(&name);
        if index_fields.iter().any(|(f, ..)| f == &field) {
            continue;
        }
        let range = if index.range_key.is_some() {
            quote!(::std::string::String)
        } else {
            quote!(::dynamo_model::NoRange)
        };
        index_fields.push((field, name, range));
    }
    let index_defs = index_fields.iter().map(|(field, name, range)| {
        let doc = format!("Index `{name}`.");
        quote! {
            #[doc = #doc]
            pub #field: ::dynamo_model::Index<#ident, ::std::string::String, #range>
        }
    });
    let index_values = index_fields
        .iter()
        .map(|(field, name, _)| quote!(#field: ::dynamo_model::Index::new(#name)));
    let indexes_doc = format!(
        "Typed handles on the indexes of table definition [`{ident}`], from `{ident}::indexes()`."
    );

    let schema = crate::expand::schema_static(crate::expand::SchemaParts {
        table_name,
        hash_key,
        range_key,
        global_indexes,
        local_indexes,
        ttl,
    });
    quote! {
        #[doc = #indexes_doc]
        #[derive(Clone, Copy)]
        #[allow(dead_code, non_snake_case)]
        #vis struct #indexes_ident {
            #(#index_defs,)*
        }

        #[automatically_derived]
        impl ::dynamo_model::DynamoModel for #ident {
            type Key = #key_shape;
            type Fields = ();
            type Indexes = #indexes_ident;

            fn fields() -> Self::Fields {}

            fn indexes() -> Self::Indexes {
                #indexes_ident { #(#index_values,)* }
            }

            fn field_infos() -> &'static [::dynamo_model::FieldInfo] {
                &[]
            }

            fn schema() -> &'static ::dynamo_model::TableSchema {
                #schema
            }
        }

        #[automatically_derived]
        impl ::dynamo_model::DynamoTable for #ident {
            const ENTITY_ATTRIBUTE: &'static str = #entity_attribute;
        }
    }
}
