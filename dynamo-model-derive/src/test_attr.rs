//! `#[dynamo_model::test(models(User, Order), items(users, orders))]`: an
//! async test that gets a `Db` aimed at fresh tables of those models, seeded
//! with the items the `items` functions return. The expansion only hands the
//! models' schemas, the seed calls and the test body to
//! `dynamo_model::testing::run_seeded_test`, which owns the runtime, the
//! server, the fixture and the cleanup.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{ItemFn, Path, Token};

use crate::ctxt::Ctxt;

pub fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let cx = Ctxt::new();
    let Args {
        models,
        items,
        stream,
    } = parse_args(&cx, args);
    let function = match syn::parse2::<ItemFn>(item.clone()) {
        Ok(function) => Some(function),
        Err(error) => {
            cx.syn_error(error);
            None
        }
    };
    if let Some(function) = &function {
        check_signature(&cx, function);
    }
    match (cx.check(), function) {
        (Ok(()), Some(function)) => emit(&models, &items, stream.as_ref(), function),
        (Err(errors), _) => {
            let errors = errors.to_compile_error();
            quote!(#errors #item)
        }
        (Ok(()), None) => item,
    }
}

struct Args {
    models: Vec<Path>,
    /// Functions returning the seed items of one model each.
    items: Vec<Path>,
    /// `stream = NewAndOldImages`: the tables' stream view.
    stream: Option<syn::Ident>,
}

/// `models(A, B, path::C)`, `items(f, g)` and `stream = <StreamView>`; no
/// arguments at all means a test without tables.
fn parse_args(cx: &Ctxt, args: TokenStream) -> Args {
    let mut out = Args {
        models: Vec::new(),
        items: Vec::new(),
        stream: None,
    };
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("stream") {
            // A `StreamView` variant: a wrong one is the compiler's "no
            // variant" at it.
            out.stream = Some(meta.value()?.parse()?);
            return Ok(());
        }
        let list = if meta.path.is_ident("models") {
            &mut out.models
        } else if meta.path.is_ident("items") {
            &mut out.items
        } else {
            return Err(meta.error(
                "unknown dynamo_model::test argument; expected `models(Model, ...)`, `items(function, ...)` or `stream = NewAndOldImages`",
            ));
        };
        let content;
        syn::parenthesized!(content in meta.input);
        list.extend(Punctuated::<Path, Token![,]>::parse_terminated(&content)?);
        Ok(())
    });
    if let Err(error) = parser.parse2(args) {
        cx.syn_error(error);
    }
    out
}

fn check_signature(cx: &Ctxt, function: &ItemFn) {
    let signature = &function.sig;
    if signature.asyncness.is_none() {
        cx.error_spanned_by(
            signature.fn_token,
            "#[dynamo_model::test] needs an `async fn`",
        );
    }
    if signature.inputs.len() > 1 {
        cx.error_spanned_by(
            &signature.inputs,
            "#[dynamo_model::test] functions take at most one argument, the `dynamo_model::Db` of the test's tables",
        );
    }
    if !signature.generics.params.is_empty() {
        cx.error_spanned_by(
            &signature.generics,
            "#[dynamo_model::test] functions cannot be generic",
        );
    }
}

fn emit(
    models: &[Path],
    items: &[Path],
    stream: Option<&syn::Ident>,
    function: ItemFn,
) -> TokenStream {
    let ItemFn {
        attrs,
        vis,
        sig,
        block,
    } = function;
    let name = &sig.ident;
    // By type, so that entity models of one table share it.
    let models = models
        .iter()
        .map(|model| quote_spanned!(model.span()=> .with::<#model>()));
    let seeds = items.iter();
    let options = stream.map(|view| {
        quote_spanned! {view.span()=>
            .options(::dynamo_model::CreateTableOptions::new().stream(::dynamo_model::StreamView::#view))
        }
    });
    let body = if sig.inputs.is_empty() {
        quote!(|_db: ::dynamo_model::Db| #name())
    } else {
        quote!(#name)
    };
    quote! {
        #[::core::prelude::v1::test]
        #(#attrs)*
        #vis fn #name() {
            #sig #block
            ::dynamo_model::testing::run_seeded_test(
                &[],
                |fixture| fixture #options #(#models)* #(.with_items(#seeds()))*,
                #body,
            )
        }
    }
}
