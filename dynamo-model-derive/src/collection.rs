//! `#[derive(DynamoCollection)]` on an enum of entity models of one shared
//! table, each variant a newtype of one entity: emits the variants as data
//! (their entities, their table, how each wraps its value) and the checks,
//! at each variant, that one partition can hold them all.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, Type};

use crate::ctxt::Ctxt;

pub fn derive(input: &DeriveInput) -> TokenStream {
    let cx = Ctxt::new();
    let variants = variants(&cx, input);
    match (cx.check(), variants) {
        (Ok(()), Some(variants)) => expand(input, &variants),
        (Err(errors), _) => {
            let errors = errors.to_compile_error();
            let fallback = crate::expand::model_fallback(
                input,
                "#[derive(DynamoCollection)] failed to compile",
            );
            quote!(#errors #fallback)
        }
        (Ok(()), None) => TokenStream::new(),
    }
}

/// Each variant's name and entity type.
fn variants<'a>(cx: &Ctxt, input: &'a DeriveInput) -> Option<Vec<(&'a syn::Ident, &'a Type)>> {
    let Data::Enum(data) = &input.data else {
        cx.error_spanned_by(
            &input.ident,
            "DynamoCollection is derived for an enum of entity models: `enum CustomerView { Profile(Customer), Order(Order) }`",
        );
        return None;
    };
    if !input.generics.params.is_empty() {
        cx.error_spanned_by(
            &input.generics,
            "a collection cannot have generic parameters",
        );
    }
    let mut out: Vec<(&syn::Ident, &Type)> = Vec::new();
    for variant in &data.variants {
        match &variant.fields {
            Fields::Unnamed(fields) if fields.unnamed.len() == 1 => {
                let ty = &fields.unnamed[0].ty;
                let text = quote!(#ty).to_string();
                if let Some((other, _)) = out.iter().find(|(_, t)| quote!(#t).to_string() == text) {
                    cx.error_spanned_by(
                        ty,
                        format!("variants `{other}` and `{}` are both `{text}`: each entity is one variant", variant.ident),
                    );
                }
                out.push((&variant.ident, ty));
            }
            _ => cx.error_spanned_by(
                variant,
                format!(
                    "variant `{}` holds one entity model, as `{}(Customer)`",
                    variant.ident, variant.ident
                ),
            ),
        }
    }
    if data.variants.is_empty() {
        cx.error_spanned_by(&input.ident, "a collection has at least one variant");
    }
    Some(out)
}

fn expand(input: &DeriveInput, variants: &[(&syn::Ident, &Type)]) -> TokenStream {
    let ident = &input.ident;
    let Some((first_name, first)) = variants.first() else {
        return TokenStream::new();
    };
    let model = quote!(::dynamo_model::DynamoModel);
    let checks = variants.iter().map(|(name, ty)| {
        let span = ty.span();
        let entity_check = quote_spanned! {span=>
            ::dynamo_model::__private::is_entity::<#ty>();
        };
        if name == first_name {
            return entity_check;
        }
        // A format string: braces in the type names are doubled.
        let message = format!(
            "variants `{}` (`{}`) and `{}` (`{}`) write their partition keys from different templates, so one partition cannot hold both",
            first_name.unraw(),
            quote!(#first).to_string().replace(' ', ""),
            name.unraw(),
            quote!(#ty).to_string().replace(' ', "")
        )
        .replace('{', "{{")
        .replace('}', "}}");
        quote_spanned! {span=>
            #entity_check
            ::dynamo_model::__private::same_partition::<
                <<#first as #model>::Key as ::dynamo_model::KeyShape>::Hash,
                <<#ty as #model>::Key as ::dynamo_model::KeyShape>::Hash,
            >();
            const _: () = ::core::assert!(
                ::dynamo_model::__private::same_template(
                    <#first as #model>::ENTITY_PK,
                    <#ty as #model>::ENTITY_PK,
                ),
                #message
            );
        }
    });
    let entries = variants.iter().map(|(name, ty)| {
        let text = name.unraw().to_string();
        quote! {
            ::dynamo_model::__private::Variant {
                name: #text,
                entity: <#ty as #model>::entity,
                schema: <#ty as #model>::schema,
                decode: |table, item| {
                    ::dynamo_model::__private::decode_entity::<#ty>(table, item).map(#ident::#name)
                },
            }
        }
    });
    quote! {
        #[automatically_derived]
        impl #model for #ident {
            type Key = ::dynamo_model::CollectionKey<
                <<#first as #model>::Key as ::dynamo_model::KeyShape>::Hash,
            >;
            type Fields = ();
            type Indexes = ();

            fn schema() -> &'static ::dynamo_model::TableSchema {
                #(#checks)*
                <#first as #model>::schema()
            }

            fn fields() -> Self::Fields {}

            fn indexes() -> Self::Indexes {}

            fn field_infos() -> &'static [::dynamo_model::FieldInfo] {
                &[]
            }

            fn partition_entity() -> ::core::option::Option<::dynamo_model::Result<&'static ::dynamo_model::EntitySchema>> {
                <#first as #model>::entity()
            }

            fn collection_entities() -> ::core::option::Option<::dynamo_model::Result<::std::vec::Vec<&'static ::dynamo_model::EntitySchema>>> {
                ::dynamo_model::__private::collection_entities::<Self>()
            }

            fn variants() -> &'static [::dynamo_model::__private::Variant<Self>] {
                const VARIANTS: &[::dynamo_model::__private::Variant<#ident>] = &[#(#entries),*];
                VARIANTS
            }
        }

        #[automatically_derived]
        impl ::dynamo_model::__private::ReadItem for #ident {
            fn read_item(
                table: &str,
                item: ::std::collections::HashMap<::std::string::String, ::dynamo_model::aws_sdk_dynamodb::types::AttributeValue>,
            ) -> ::core::result::Result<Self, ::dynamo_model::__private::ReadFailure> {
                ::dynamo_model::__private::decode_collection::<Self>(table, item)
                    .map_err(::dynamo_model::__private::ReadFailure::Error)
            }
        }
    }
}
