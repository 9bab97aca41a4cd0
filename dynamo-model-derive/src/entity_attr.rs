//! The struct-level arguments that make a model an entity of a shared
//! table: `table = App, entity = "user", pk = "...", sk = "...",
//! gsi1(pk = "...", sk = "...")`, read as `attr` reads every argument.

use syn::meta::ParseNestedMeta;
use syn::{Ident, LitStr, Path};

use crate::attr::{arg_name, duplicate_arg, set_once, skip_arg, unknown_arg};
use crate::ctxt::Ctxt;

/// What makes a model an entity of a shared table.
#[derive(Default)]
pub struct EntityAttrs {
    /// `table = App`: the table definition's type.
    pub table: Option<Path>,
    /// `entity = "user"`.
    pub name: Option<LitStr>,
    /// `pk = "USER#{id}"`.
    pub pk: Option<LitStr>,
    /// `sk = "PROFILE"`.
    pub sk: Option<LitStr>,
    /// `gsi1(pk = "...", sk = "...")`, in the order written.
    pub indexes: Vec<IndexTemplates>,
}

impl EntityAttrs {
    /// Reads `meta` when it is one of the entity's arguments (`name` is its
    /// name as written): `Ok(false)` for any other argument. `table = App`
    /// (a path) is read by the caller, which also reads `table = "..."`.
    pub fn parse_arg(
        &mut self,
        cx: &Ctxt,
        name: &str,
        meta: &ParseNestedMeta,
    ) -> syn::Result<bool> {
        match name {
            "entity" => {
                let name: LitStr = meta.value()?.parse()?;
                set_once(&mut self.name, name, &meta.path, "dynamo")
            }
            "pk" => {
                let template: LitStr = meta.value()?.parse()?;
                set_once(&mut self.pk, template, &meta.path, "dynamo")
            }
            "sk" => {
                let template: LitStr = meta.value()?.parse()?;
                set_once(&mut self.sk, template, &meta.path, "dynamo")
            }
            _ if meta.input.peek(syn::token::Paren) && meta.path.get_ident().is_some() => {
                let index = meta.path.get_ident().expect("checked").clone();
                if self.indexes.iter().any(|i| i.index == index) {
                    return Err(duplicate_arg(&meta.path, "dynamo"));
                }
                let mut templates = IndexTemplates {
                    index,
                    pk: None,
                    sk: None,
                };
                // `gsi1()`: no templates, which the entity reports.
                let empty = meta
                    .input
                    .fork()
                    .parse::<proc_macro2::Group>()
                    .is_ok_and(|g| g.stream().is_empty());
                if empty {
                    meta.input.parse::<proc_macro2::Group>()?;
                    self.indexes.push(templates);
                    return Ok(true);
                }
                meta.parse_nested_meta(|inner| {
                    let parsed = match arg_name(&inner.path).as_str() {
                        "pk" => inner.value().and_then(|v| v.parse()).and_then(|t| {
                            set_once(&mut templates.pk, t, &inner.path, "index template")
                        }),
                        "sk" => inner.value().and_then(|v| v.parse()).and_then(|t| {
                            set_once(&mut templates.sk, t, &inner.path, "index template")
                        }),
                        _ => Err(unknown_arg(&inner.path, "index template", &["pk", "sk"])),
                    };
                    // Reported, then skipped: the arguments after it are
                    // still read.
                    if let Err(err) = parsed {
                        cx.syn_error(err);
                        skip_arg(inner.input);
                    }
                    Ok(())
                })?;
                self.indexes.push(templates);
                Ok(())
            }
            _ => return Ok(false),
        }
        .map(|()| true)
    }

    /// Whether the struct is meant as an entity (index templates alone are
    /// misspelt arguments of a model of its own).
    pub fn is_given(&self) -> bool {
        self.table.is_some() || self.name.is_some() || self.pk.is_some() || self.sk.is_some()
    }
}

/// `gsi1(pk = "...", sk = "...")`: the templates of an index's keys, the
/// index named by its field in the table's typed index handles.
pub struct IndexTemplates {
    pub index: Ident,
    pub pk: Option<LitStr>,
    pub sk: Option<LitStr>,
}
