//! Item shapes: `shape = N`, `upgrades_from = Older` and `shape_attribute =
//! "..."` in `#[dynamo(...)]`, on a model (`DynamoModel`) or an older
//! struct (`ItemShape`). Parsed and checked here; emitted as an
//! `ItemShape` impl and, for a model, the `SHAPES` data. That a chain
//! has no gap and no cycle is checked by the compiler: each shape asserts,
//! in a constant, that the one it upgrades from is one less.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned;
use syn::{DeriveInput, LitInt, LitStr, Path};

use crate::attr::{arg_name, each_arg, set_once, unknown_arg};
use crate::ctxt::Ctxt;

/// The shape arguments of one struct.
#[derive(Default)]
pub struct ShapeAttrs {
    /// `shape = N`, and the literal's span.
    pub shape: Option<(u32, Span)>,
    /// `upgrades_from = Older`.
    pub upgrades_from: Option<Path>,
    /// `shape_attribute = "_v"` (models only).
    pub attribute: Option<LitStr>,
    /// `shape = ...` was written, even if its value was refused.
    pub shape_written: bool,
}

impl ShapeAttrs {
    /// Takes `name` if it is a shape argument: whether it was.
    pub fn parse_arg(&mut self, name: &str, meta: &ParseNestedMeta) -> syn::Result<bool> {
        match name {
            "shape" => {
                self.shape_written = true;
                let lit: LitInt = meta.value()?.parse()?;
                let n: u32 = lit.base10_parse()?;
                if n == 0 {
                    return Err(syn::Error::new(
                        lit.span(),
                        "shapes count from 1 (an item without the shape attribute is shape 1)",
                    ));
                }
                set_once(&mut self.shape, (n, lit.span()), &meta.path, "dynamo")?;
            }
            "upgrades_from" => {
                let path: Path = meta.value()?.parse()?;
                set_once(&mut self.upgrades_from, path, &meta.path, "dynamo")?;
            }
            "shape_attribute" => {
                let lit: LitStr = meta.value()?.parse()?;
                if lit.value().is_empty() {
                    return Err(syn::Error::new(
                        lit.span(),
                        "the shape attribute needs a name",
                    ));
                }
                set_once(&mut self.attribute, lit, &meta.path, "dynamo")?;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Reports arguments that make no sense together; the shape number,
    /// when the struct has shapes at all.
    pub fn check(&self, cx: &Ctxt) -> Option<u32> {
        match (&self.shape, &self.upgrades_from) {
            (None, Some(path)) => {
                cx.error_spanned_by(path, "`upgrades_from` needs the struct's own `shape = N`");
                None
            }
            (None, None) => {
                if let Some(attribute) = &self.attribute {
                    cx.error_spanned_by(attribute, "`shape_attribute` needs `shape = N`");
                }
                None
            }
            (Some((1, span)), Some(_)) => {
                cx.error_at(*span, "shape 1 is the first: it upgrades from nothing (drop `upgrades_from`, or number this shape after the one it upgrades from)");
                None
            }
            (Some((n, _)), _) => Some(*n),
        }
    }

    /// The stored attribute's name.
    pub fn attribute_name(&self) -> String {
        self.attribute
            .as_ref()
            .map_or_else(|| "_shape".to_owned(), LitStr::value)
    }

    /// The `ItemShape` impl of `input` at shape `n`, and the chain's check.
    pub fn item_shape_impl(&self, input: &DeriveInput, n: u32) -> TokenStream {
        let ident = &input.ident;
        let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
        let (older, from_older, chain_check) = match &self.upgrades_from {
            Some(path) => {
                let message = format!(
                    "`{ident}` is shape {n} and upgrades from `{}`, which is not shape {}: along `upgrades_from` each shape is one more than the one before (a gap or a cycle in the chain)",
                    arg_name(path),
                    n - 1
                );
                let from = quote_spanned!(path.span()=> ::core::convert::From::from(older));
                let check = quote_spanned! {path.span()=>
                    const _: () = {
                        if <#path as ::dynamo_model::ItemShape>::SHAPE + 1 != #n {
                            ::core::panic!(#message)
                        }
                    };
                };
                (quote!(#path), from, check)
            }
            None => (
                quote!(::dynamo_model::FirstShape),
                quote!(match older {}),
                TokenStream::new(),
            ),
        };
        quote! {
            #[automatically_derived]
            impl #impl_generics ::dynamo_model::ItemShape for #ident #ty_generics #where_clause {
                const SHAPE: u32 = #n;
                type Older = #older;
                fn from_older(older: Self::Older) -> Self {
                    #from_older
                }
            }
            #chain_check
        }
    }
}

/// `#[derive(ItemShape)]`: an older shape of a model, kept to read old
/// items.
pub fn derive(input: &DeriveInput) -> TokenStream {
    let cx = Ctxt::new();
    let mut attrs = ShapeAttrs::default();
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("dynamo")) {
        each_arg(&cx, attr, |meta| {
            let name = arg_name(&meta.path);
            if name != "shape_attribute" && attrs.parse_arg(&name, meta)? {
                return Ok(());
            }
            Err(unknown_arg(
                &meta.path,
                "item-shape dynamo",
                &["shape", "upgrades_from"],
            ))
        });
    }
    let shape = attrs.check(&cx);
    if !attrs.shape_written {
        cx.error_at(
            input.ident.span(),
            "an item shape needs its number: `#[dynamo(shape = N)]` (and `upgrades_from = Older` after the first)",
        );
    }
    match (cx.check(), shape) {
        (Ok(()), Some(n)) => attrs.item_shape_impl(input, n),
        (Err(errors), _) => errors.to_compile_error(),
        (Ok(()), None) => TokenStream::new(),
    }
}
