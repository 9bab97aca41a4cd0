//! Reading attributes into plain data.
//!
//! Our own attributes (`dynamo`, `hash_key`, `range_key`, `ttl`, `gsi`, `lsi`)
//! are parsed strictly: an unknown, duplicate or malformed argument is an
//! error naming it. A bad argument is reported and skipped up to the next
//! comma, so the arguments after it are still read and one compile reports
//! them all. serde's attributes are read only for what decides attribute
//! names (`rename_all`, `rename`) and whether a field is stored (`skip`,
//! `flatten`); everything else in them is ignored, and malformed serde
//! attributes are left to serde_derive to report.

use proc_macro2::{Span, TokenTree};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::meta::ParseNestedMeta;
use syn::parse::ParseStream;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Attribute, Ident, LitInt, LitStr, Meta, Path, Token};

use crate::case::RenameRule;
use crate::ctxt::Ctxt;

/// A value and the span to point at when it is wrong.
#[derive(Clone, Debug)]
pub struct Located<T> {
    pub value: T,
    pub span: Span,
}

/// The stored scalar type named by `#[dynamo(type = "...")]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarType {
    S,
    N,
    B,
}

impl ScalarType {
    pub fn as_str(self) -> &'static str {
        match self {
            ScalarType::S => "S",
            ScalarType::N => "N",
            ScalarType::B => "B",
        }
    }
}

/// Global or local secondary index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IndexKind {
    Global,
    Local,
}

impl IndexKind {
    /// The attribute that declares it: `gsi` or `lsi`.
    pub fn attr_name(self) -> &'static str {
        match self {
            IndexKind::Global => "gsi",
            IndexKind::Local => "lsi",
        }
    }

    /// Every argument `#[gsi(...)]` / `#[lsi(...)]` accepts, for the
    /// "unknown argument" message.
    fn accepted_args(self) -> &'static [&'static str] {
        match self {
            IndexKind::Global => &[
                "name",
                "hash_key",
                "range_key",
                "projection",
                "include",
                "read_capacity",
                "write_capacity",
            ],
            IndexKind::Local => &["name", "range_key", "projection", "include"],
        }
    }
}

/// A field's role in one index's key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyRole {
    Hash,
    Range,
}

/// `projection = "..."`. INCLUDE is not spelled out: it is what `include`
/// means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProjectionKind {
    All,
    KeysOnly,
}

impl ProjectionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProjectionKind::All => "all",
            ProjectionKind::KeysOnly => "keys_only",
        }
    }
}

/// Struct-level attributes.
#[derive(Default)]
pub struct ContainerAttrs {
    /// `#[dynamo(table = "...")]`.
    pub table: Option<LitStr>,
    /// `#[dynamo(table = App, entity = "user", pk = "...", ...)]`: an entity
    /// of a shared table's definition.
    pub entity: crate::entity_attr::EntityAttrs,
    /// serde's `rename_all` (or its `serialize = ...` half): the names serde
    /// writes into items, which are the names DynamoDB sees.
    pub rename_all_serialize: RenameRule,
    /// serde's `rename_all` for reading items back.
    pub rename_all_deserialize: RenameRule,
    /// serde's `default` on the struct: a missing field reads as its default.
    pub default: bool,
    /// `shape = N`, `upgrades_from = Older`, `shape_attribute = "..."`.
    pub shape: crate::shape::ShapeAttrs,
}

/// Field-level attributes.
#[derive(Default)]
pub struct FieldAttrs {
    /// `#[hash_key]`: span of the attribute's name.
    pub hash_key: Option<Span>,
    /// `#[range_key]`.
    pub range_key: Option<Span>,
    /// `#[ttl]`.
    pub ttl: Option<Span>,
    /// `#[version]`.
    pub version: Option<Span>,
    /// `#[dynamo(type = "...")]`.
    pub scalar_type: Option<Located<ScalarType>>,
    /// Each `#[gsi(...)]` / `#[lsi(...)]` that parsed well enough to use,
    /// in the order written.
    pub indexes: Vec<IndexAttr>,
    pub serde: SerdeFieldAttrs,
}

/// What serde's field attributes say about the attribute this field becomes.
#[derive(Default)]
pub struct SerdeFieldAttrs {
    /// `rename = "..."` or `rename(serialize = "...")`.
    pub rename_serialize: Option<LitStr>,
    /// `rename = "..."` or `rename(deserialize = "...")`.
    pub rename_deserialize: Option<LitStr>,
    /// `skip` or `skip_serializing`: the field never reaches an item.
    pub skip: Option<Ident>,
    /// `flatten`: the field has no attribute of its own.
    pub flatten: Option<Ident>,
    /// `skip_serializing_if = "..."`: some items are written without it.
    pub skip_serializing_if: Option<Ident>,
    /// `with = "..."` or `serialize_with = "..."`: the stored form is not
    /// the Rust type's own.
    pub with: Option<LitStr>,
    /// `default` or `default = "..."`: an item without the field reads.
    pub default: bool,
}

/// One `#[gsi(...)]` or `#[lsi(...)]` on a field.
#[derive(Clone)]
pub struct IndexAttr {
    pub kind: IndexKind,
    pub name: LitStr,
    /// For an LSI always `Range` (explicit or implied).
    pub role: Located<KeyRole>,
    pub settings: IndexSettings,
}

/// The index-wide arguments, allowed on one field of the index.
#[derive(Clone, Default)]
pub struct IndexSettings {
    /// The first of these arguments written in the attribute, if any.
    pub first_arg: Option<Span>,
    /// Span: the `projection` argument.
    pub projection: Option<Located<ProjectionKind>>,
    /// Span: the `include` argument.
    pub include: Option<Located<Vec<LitStr>>>,
    /// Span: the number.
    pub read_capacity: Option<Located<u64>>,
    /// Span: the number.
    pub write_capacity: Option<Located<u64>>,
}

/// The arguments that set `IndexSettings`.
const SETTINGS: &[&str] = &["projection", "include", "read_capacity", "write_capacity"];

/// Our field attributes, which mean nothing on the struct itself.
const FIELD_ATTRS: &[&str] = &["hash_key", "range_key", "ttl", "version", "gsi", "lsi"];

/// The struct-level arguments, for the "unknown argument" message.
const CONTAINER_ARGS: &[&str] = &[
    "table",
    "entity",
    "pk",
    "sk",
    "<index>(pk = ..., sk = ...)",
    "shape",
    "upgrades_from",
    "shape_attribute",
];

pub fn container_attrs(cx: &Ctxt, attrs: &[Attribute]) -> ContainerAttrs {
    let mut out = ContainerAttrs::default();
    for attr in attrs {
        let path = attr.path();
        if path.is_ident("dynamo") {
            each_arg(cx, attr, |meta| match arg_name(&meta.path).as_str() {
                "table" => {
                    let value = meta.value()?;
                    if value.peek(LitStr) {
                        let table: LitStr = value.parse()?;
                        set_once(&mut out.table, table, &meta.path, "dynamo")
                    } else {
                        let table: Path = value.parse()?;
                        set_once(&mut out.entity.table, table, &meta.path, "dynamo")
                    }
                }
                name if out.shape.parse_arg(name, meta)? => Ok(()),
                name if out.entity.parse_arg(cx, name, meta)? => Ok(()),
                _ => Err(unknown_arg(
                    &meta.path,
                    "struct-level dynamo",
                    CONTAINER_ARGS,
                )),
            });
        } else if path.is_ident("serde") {
            serde_container(attr, &mut out);
        } else if let Some(name) = FIELD_ATTRS.iter().find(|name| path.is_ident(name)) {
            cx.error_spanned_by(
                attr,
                format!("`#[{name}]` belongs on a field, not on the struct"),
            );
        }
    }
    out
}

pub fn field_attrs(cx: &Ctxt, attrs: &[Attribute]) -> FieldAttrs {
    let mut out = FieldAttrs::default();
    for attr in attrs {
        let path = attr.path();
        if path.is_ident("hash_key") {
            flag(cx, attr, "hash_key", &mut out.hash_key);
        } else if path.is_ident("range_key") {
            flag(cx, attr, "range_key", &mut out.range_key);
        } else if path.is_ident("ttl") {
            flag(cx, attr, "ttl", &mut out.ttl);
        } else if path.is_ident("version") {
            flag(cx, attr, "version", &mut out.version);
        } else if path.is_ident("gsi") {
            out.indexes.extend(index_attr(cx, attr, IndexKind::Global));
        } else if path.is_ident("lsi") {
            out.indexes.extend(index_attr(cx, attr, IndexKind::Local));
        } else if path.is_ident("dynamo") {
            each_arg(cx, attr, |meta| match arg_name(&meta.path).as_str() {
                "type" => {
                    let located = scalar_type(meta.value()?)?;
                    set_once(&mut out.scalar_type, located, &meta.path, "dynamo")
                }
                _ => Err(unknown_arg(&meta.path, "field-level dynamo", &["type"])),
            });
        } else if path.is_ident("serde") {
            serde_field(attr, &mut out.serde);
        }
    }
    out
}

/// `"S"`, `"N"` or `"B"` after `type =`.
fn scalar_type(input: ParseStream) -> syn::Result<Located<ScalarType>> {
    let lit: LitStr = input.parse()?;
    let value = match lit.value().as_str() {
        "S" => ScalarType::S,
        "N" => ScalarType::N,
        "B" => ScalarType::B,
        other => {
            return Err(syn::Error::new(
                lit.span(),
                format!("unknown type `{other}`; expected \"S\", \"N\" or \"B\""),
            ))
        }
    };
    Ok(Located {
        value,
        span: lit.span(),
    })
}

/// `#[hash_key]`, `#[range_key]`, `#[ttl]`, `#[version]`: a bare marker,
/// once per field.
fn flag(cx: &Ctxt, attr: &Attribute, name: &str, slot: &mut Option<Span>) {
    if let Meta::List(_) | Meta::NameValue(_) = attr.meta {
        cx.error_spanned_by(&attr.meta, format!("`#[{name}]` takes no arguments"));
    }
    if slot.is_some() {
        cx.error_spanned_by(attr, format!("duplicate `#[{name}]` on this field"));
    } else {
        *slot = Some(attr.path().span());
    }
}

/// `#[gsi(...)]` / `#[lsi(...)]`. `None` when it lacks what makes it usable
/// (a name, a role): that is reported here, and the attribute is left out of
/// the model so it causes no follow-on errors.
fn index_attr(cx: &Ctxt, attr: &Attribute, kind: IndexKind) -> Option<IndexAttr> {
    let attr_name = kind.attr_name();
    if !matches!(attr.meta, Meta::List(_)) {
        let example = match kind {
            IndexKind::Global => "#[gsi(name = \"by_status\", hash_key)]",
            IndexKind::Local => "#[lsi(name = \"by_created\")]",
        };
        cx.error_spanned_by(
            attr,
            format!("`#[{attr_name}]` needs arguments, e.g. {example}"),
        );
        return None;
    }
    let mut args = IndexArgs::default();
    let clean = each_arg(cx, attr, |meta| {
        let result = index_arg(meta, kind, &mut args);
        // Remember where the index settings start, for "given on two fields".
        if result.is_ok()
            && args.settings.first_arg.is_none()
            && SETTINGS.contains(&arg_name(&meta.path).as_str())
        {
            args.settings.first_arg = Some(meta.path.span());
        }
        result
    });
    let IndexArgs {
        name,
        role,
        settings,
    } = args;

    // After a bad argument (often the misspelt name or role), a missing name
    // or role would only repeat the same mistake.
    let Some(name) = name else {
        if clean {
            cx.error_spanned_by(
                attr,
                format!("`#[{attr_name}(...)]` needs the index name: `name = \"...\"`"),
            );
        }
        return None;
    };
    let role = match (role, kind) {
        (Some(role), _) => role,
        (None, IndexKind::Local) => Located {
            value: KeyRole::Range,
            span: attr.path().span(),
        },
        (None, IndexKind::Global) => {
            if !clean {
                return None;
            }
            cx.error_spanned_by(
                attr,
                format!(
                    "`#[gsi(name = \"{}\")]` needs this field's role in the index: add `hash_key` or `range_key`",
                    name.value()
                ),
            );
            return None;
        }
    };
    Some(IndexAttr {
        kind,
        name,
        role,
        settings,
    })
}

/// The arguments of one `#[gsi(...)]` / `#[lsi(...)]` as read so far.
#[derive(Default)]
struct IndexArgs {
    name: Option<LitStr>,
    role: Option<Located<KeyRole>>,
    settings: IndexSettings,
}

/// One argument of `#[gsi(...)]` / `#[lsi(...)]`.
fn index_arg(meta: &ParseNestedMeta, kind: IndexKind, args: &mut IndexArgs) -> syn::Result<()> {
    let attr_name = kind.attr_name();
    let arg = arg_name(&meta.path);
    match arg.as_str() {
        "name" => {
            let lit: LitStr = meta.value()?.parse()?;
            set_once(&mut args.name, lit, &meta.path, attr_name)
        }
        "hash_key" | "range_key" => {
            no_value(meta, &arg)?;
            let this = if arg == "hash_key" { KeyRole::Hash } else { KeyRole::Range };
            if kind == IndexKind::Local && this == KeyRole::Hash {
                return Err(syn::Error::new_spanned(
                    &meta.path,
                    "an LSI's partition key is always the table's #[hash_key]; \
                     #[lsi(name = \"...\")] makes this field the LSI's sort key, so drop `hash_key`",
                ));
            }
            match &args.role {
                Some(prev) if prev.value == this => Err(duplicate_arg(&meta.path, attr_name)),
                Some(_) => Err(syn::Error::new_spanned(
                    &meta.path,
                    "a field is either the `hash_key` or the `range_key` of an index, not both",
                )),
                None => {
                    args.role = Some(Located {
                        value: this,
                        span: meta.path.span(),
                    });
                    Ok(())
                }
            }
        }
        "projection" => {
            let lit: LitStr = meta.value()?.parse()?;
            let value = projection_kind(
                &lit,
                " (for an INCLUDE projection, list the fields: include = [\"field\", ...])",
            )?;
            let located = Located {
                value,
                span: meta.path.span(),
            };
            set_once(&mut args.settings.projection, located, &meta.path, attr_name)
        }
        "include" => {
            let fields = include_list(meta.value()?)?;
            let located = Located {
                value: fields,
                span: meta.path.span(),
            };
            set_once(&mut args.settings.include, located, &meta.path, attr_name)
        }
        "read_capacity" | "write_capacity" if kind == IndexKind::Global => {
            let lit: LitInt = meta.value()?.parse()?;
            // DynamoDB's capacities are 64-bit signed.
            let parsed = lit
                .base10_parse::<u64>()
                .ok()
                .filter(|v| i64::try_from(*v).is_ok())
                .ok_or(());
            let located = Located {
                // A number out of range is reported once, below; the setting
                // still counts as given, so its pair is not reported missing.
                value: *parsed.as_ref().unwrap_or(&1),
                span: lit.span(),
            };
            let slot = if arg == "read_capacity" {
                &mut args.settings.read_capacity
            } else {
                &mut args.settings.write_capacity
            };
            set_once(slot, located, &meta.path, attr_name)?;
            parsed.map(|_| ()).map_err(|_| {
                syn::Error::new(
                    lit.span(),
                    format!("`{arg}` is a number of capacity units from 1 to {}", i64::MAX),
                )
            })
        }
        "read_capacity" | "write_capacity" => Err(syn::Error::new_spanned(
            &meta.path,
            format!("unknown lsi argument `{arg}`: an LSI uses the table's capacity; expected one of: name, range_key, projection, include"),
        )),
        _ => Err(unknown_arg(&meta.path, attr_name, kind.accepted_args())),
    }
}

/// `["total", "status"]` after `include =`.
fn include_list(input: ParseStream) -> syn::Result<Vec<LitStr>> {
    if input.peek(LitStr) {
        return Err(
            input.error("`include` takes a list of field names: include = [\"field\", ...]")
        );
    }
    let content;
    syn::bracketed!(content in input);
    let fields = Punctuated::<LitStr, Token![,]>::parse_terminated(&content)?;
    Ok(fields.into_iter().collect())
}

/// serde's struct attributes: only `rename_all` matters here.
fn serde_container(attr: &Attribute, out: &mut ContainerAttrs) {
    // Errors are serde_derive's to report; ignoring them here avoids
    // reporting one mistake twice.
    let _ = attr.parse_nested_meta(|meta| {
        if meta.path.is_ident("rename_all") {
            if meta.input.peek(Token![=]) {
                let rule = rename_rule(meta.value()?)?;
                out.rename_all_serialize = rule;
                out.rename_all_deserialize = rule;
            } else {
                meta.parse_nested_meta(|inner| {
                    if inner.path.is_ident("serialize") {
                        out.rename_all_serialize = rename_rule(inner.value()?)?;
                    } else if inner.path.is_ident("deserialize") {
                        out.rename_all_deserialize = rename_rule(inner.value()?)?;
                    } else {
                        skip_arg(inner.input);
                    }
                    Ok(())
                })?;
            }
        } else if meta.path.is_ident("default") {
            out.default = true;
            skip_arg(meta.input);
        } else {
            skip_arg(meta.input);
        }
        Ok(())
    });
}

fn rename_rule(input: ParseStream) -> syn::Result<RenameRule> {
    let lit: LitStr = input.parse()?;
    Ok(RenameRule::from_name(&lit.value()).unwrap_or_default())
}

/// serde's field attributes: `rename`, `skip`, `skip_serializing`, `flatten`,
/// `skip_serializing_if`.
fn serde_field(attr: &Attribute, out: &mut SerdeFieldAttrs) {
    // As in `serde_container`, serde_derive reports malformed input.
    let _ = attr.parse_nested_meta(|meta| {
        if meta.path.is_ident("rename") {
            if meta.input.peek(Token![=]) {
                let name: LitStr = meta.value()?.parse()?;
                out.rename_serialize = Some(name.clone());
                out.rename_deserialize = Some(name);
            } else {
                meta.parse_nested_meta(|inner| {
                    if inner.path.is_ident("serialize") {
                        out.rename_serialize = Some(inner.value()?.parse()?);
                    } else if inner.path.is_ident("deserialize") {
                        out.rename_deserialize = Some(inner.value()?.parse()?);
                    } else {
                        skip_arg(inner.input);
                    }
                    Ok(())
                })?;
            }
        } else if meta.path.is_ident("skip") || meta.path.is_ident("skip_serializing") {
            out.skip = meta.path.get_ident().cloned();
        } else if meta.path.is_ident("flatten") {
            out.flatten = meta.path.get_ident().cloned();
        } else if meta.path.is_ident("skip_serializing_if") {
            out.skip_serializing_if = meta.path.get_ident().cloned();
            skip_arg(meta.input);
        } else if meta.path.is_ident("with") || meta.path.is_ident("serialize_with") {
            out.with = Some(meta.value()?.parse()?);
        } else if meta.path.is_ident("default") {
            out.default = true;
            skip_arg(meta.input);
        } else {
            skip_arg(meta.input);
        }
        Ok(())
    });
}

/// Runs `parse_arg` on each argument of a list attribute. A failing argument
/// is reported and skipped, and parsing goes on with the next one. Returns
/// whether every argument was read without error.
pub(crate) fn each_arg(
    cx: &Ctxt,
    attr: &Attribute,
    mut parse_arg: impl FnMut(&ParseNestedMeta) -> syn::Result<()>,
) -> bool {
    let mut clean = true;
    let result = attr.parse_nested_meta(|meta| {
        if let Err(err) = parse_arg(&meta) {
            cx.syn_error(err);
            clean = false;
            skip_arg(meta.input);
        }
        Ok(())
    });
    if let Err(err) = result {
        cx.syn_error(err);
        clean = false;
    }
    clean
}

/// Skips the rest of one argument (`= value`, `(...)`, or what is left of a
/// bad one): every token up to the next top-level comma. Groups are single
/// token trees, so commas inside brackets or parentheses are skipped with
/// them.
pub(crate) fn skip_arg(input: ParseStream) {
    while !input.is_empty() && !input.peek(Token![,]) {
        if input.parse::<TokenTree>().is_err() {
            break;
        }
    }
}

/// A flag argument (`hash_key`) must not be given a value.
fn no_value(meta: &ParseNestedMeta, arg: &str) -> syn::Result<()> {
    if meta.input.is_empty() || meta.input.peek(Token![,]) {
        Ok(())
    } else {
        Err(syn::Error::new_spanned(
            &meta.path,
            format!("`{arg}` takes no value"),
        ))
    }
}

/// `projection = "all"` or `"keys_only"`; `hint` ends the message for
/// anything else.
pub(crate) fn projection_kind(lit: &LitStr, hint: &str) -> syn::Result<ProjectionKind> {
    match lit.value().as_str() {
        "all" => Ok(ProjectionKind::All),
        "keys_only" => Ok(ProjectionKind::KeysOnly),
        other => Err(syn::Error::new(
            lit.span(),
            format!("unknown projection `{other}`; expected \"all\" or \"keys_only\"{hint}"),
        )),
    }
}

/// Stores `value` in `slot`, or reports a duplicate argument.
pub(crate) fn set_once<T>(
    slot: &mut Option<T>,
    value: T,
    path: &Path,
    attr_name: &str,
) -> syn::Result<()> {
    if slot.is_some() {
        return Err(duplicate_arg(path, attr_name));
    }
    *slot = Some(value);
    Ok(())
}

pub(crate) fn duplicate_arg(path: &Path, attr_name: &str) -> syn::Error {
    syn::Error::new_spanned(
        path,
        format!("duplicate {attr_name} argument `{}`", arg_name(path)),
    )
}

pub(crate) fn unknown_arg(path: &Path, attr_name: &str, expected: &[&str]) -> syn::Error {
    let expected = match expected {
        [only] => format!("expected `{only}`"),
        _ => format!("expected one of: {}", expected.join(", ")),
    };
    syn::Error::new_spanned(
        path,
        format!(
            "unknown {attr_name} argument `{}`; {expected}",
            arg_name(path)
        ),
    )
}

/// An argument's name as written (`type`, not `r#type`).
pub(crate) fn arg_name(path: &Path) -> String {
    match path.get_ident() {
        Some(ident) => ident.unraw().to_string(),
        None => path.to_token_stream().to_string().replace(' ', ""),
    }
}
