//! Emitting the typed index handles: an `<Model>Indexes` struct with one
//! `Index<Model, HashType, RangeType>` per index whose hash key is a single
//! attribute (named after the index: `by_status`), so that queries of an
//! index are typed like queries of the table. Data only.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use crate::attr::{IndexKind, KeyRole};
use crate::model::{Index, Model};
use crate::types;

/// One typed index handle: its field, its name (an expression: an
/// entity's index is named by its table definition's handle), and its
/// hash and range key types.
pub struct Handle {
    pub field: Ident,
    pub doc: String,
    pub name: TokenStream,
    pub hash: TokenStream,
    pub range: TokenStream,
}

pub struct Indexes<'m, 'a> {
    pub ident: Ident,
    model: &'m Model<'a>,
    self_ty: &'m TokenStream,
}

/// The field name for an index name: characters a Rust name cannot hold
/// become `_`, and a name that is still not an identifier gets `index_`.
pub(crate) fn field_ident(index: &str) -> Ident {
    let mut name: String = index
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if syn::parse_str::<Ident>(&name).is_err() {
        name = format!("index_{name}");
    }
    format_ident!("{}", name)
}

impl<'m, 'a> Indexes<'m, 'a> {
    pub fn new(model: &'m Model<'a>, self_ty: &'m TokenStream) -> Self {
        Indexes {
            ident: format_ident!("{}Indexes", model.ident()),
            model,
            self_ty,
        }
    }

    /// The typed handle of each index.
    fn typed(&self) -> Vec<Handle> {
        if let Some(entity) = &self.model.entity {
            return crate::entity::index_handles_typed(self.model, entity, self.self_ty);
        }
        let ty = |position: usize| types::for_static(self.model.fields[position].ty, self.self_ty);
        let no_range = quote!(::dynamo_model::NoRange);
        let mut out: Vec<Handle> = Vec::new();
        for index in &self.model.indexes {
            let Some((hash, range)) = self.key_types(index, &ty, &no_range) else {
                continue;
            };
            let field = field_ident(&index.name());
            if out.iter().any(|h| h.field == field) {
                continue;
            }
            let name = index.name();
            out.push(Handle {
                field,
                doc: format!("Index `{name}`."),
                name: quote!(#name),
                hash,
                range,
            });
        }
        out
    }

    fn key_types(
        &self,
        index: &Index,
        ty: &dyn Fn(usize) -> TokenStream,
        no_range: &TokenStream,
    ) -> Option<(TokenStream, TokenStream)> {
        match index.kind {
            IndexKind::Global => {
                let hashes: Vec<_> = index.members_with(KeyRole::Hash).collect();
                let ranges: Vec<_> = index.members_with(KeyRole::Range).collect();
                if hashes.len() != 1 || ranges.len() > 1 {
                    return None;
                }
                let range = ranges
                    .first()
                    .map_or_else(|| no_range.clone(), |m| ty(m.field));
                Some((ty(hashes[0].field), range))
            }
            IndexKind::Local => {
                let hash = self
                    .model
                    .fields
                    .iter()
                    .position(|f| f.attrs.hash_key.is_some())?;
                Some((ty(hash), ty(index.members.first()?.field)))
            }
        }
    }

    /// `pub struct OrderIndexes { pub by_status: Index<Order, String, i64>, ... }`
    pub fn definition(&self) -> TokenStream {
        let model_ident = self.model.ident();
        let vis = &self.model.input.vis;
        let ident = &self.ident;
        let self_ty = self.self_ty;
        let fields = self.typed().into_iter().map(|handle| {
            let Handle {
                field,
                doc,
                hash,
                range,
                ..
            } = handle;
            quote! {
                #[doc = #doc]
                pub #field: ::dynamo_model::Index<#self_ty, #hash, #range>
            }
        });
        let doc = format!(
            "Typed handles on the indexes of [`{model_ident}`], from `{model_ident}::indexes()`: for queries."
        );
        quote! {
            #[doc = #doc]
            #[derive(Clone, Copy)]
            #[allow(dead_code, non_snake_case)] // a model rarely queries every index
            #vis struct #ident {
                #(#fields,)*
            }
        }
    }

    /// `OrderIndexes { by_status: Index::new("by_status"), ... }`
    pub fn value(&self) -> TokenStream {
        let ident = &self.ident;
        let fields = self
            .typed()
            .into_iter()
            .map(|Handle { field, name, .. }| quote!(#field: ::dynamo_model::Index::new(#name)));
        quote!(#ident { #(#fields,)* })
    }
}
