//! Emitting the impl. The output is data only: a `'static` `TableSchema`
//! and `schema()` returning it. What the runtime does with a schema is
//! written once in `dynamo-model`, so the generated code stays the same size
//! however many operations the library grows.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::DeriveInput;

use crate::attr::{IndexKind, KeyRole, ProjectionKind, ScalarType};
use crate::check;
use crate::ctxt::Ctxt;
use crate::entity;
use crate::fields;
use crate::indexes;
use crate::model::{Field, Index, Model};
use crate::types;

/// The whole pipeline: parse, check, then emit, or emit every error found.
pub fn derive(input: &DeriveInput) -> TokenStream {
    let cx = Ctxt::new();
    let model = Model::from_ast(&cx, input);
    if let Some(model) = &model {
        check::check(&cx, model);
    }
    match (cx.check(), model) {
        (Ok(()), Some(model)) => expand(&model),
        (Err(errors), _) => {
            let errors = errors.to_compile_error();
            let fallback = fallback(input);
            quote!(#errors #fallback)
        }
        // `from_ast` gives no model only after reporting why.
        (Ok(()), None) => fallback(input),
    }
}

/// With errors, the impl still exists, so the struct's other uses
/// (`Order::schema()`, `db.table::<Order>().create()`) do not add a second
/// wave of "trait not implemented" errors that hide the real ones.
fn fallback(input: &DeriveInput) -> TokenStream {
    model_fallback(input, "#[derive(DynamoModel)] failed to compile")
}

/// The `DynamoModel` impl emitted in place of the real one when a derive
/// reported errors.
pub(crate) fn model_fallback(input: &DeriveInput, failed: &str) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    quote! {
        #[automatically_derived]
        impl #impl_generics ::dynamo_model::DynamoModel for #ident #ty_generics #where_clause {
            type Key = ::dynamo_model::HashKey<()>;
            type Fields = ();
            type Indexes = ();
            fn schema() -> &'static ::dynamo_model::TableSchema {
                ::core::unreachable!(#failed)
            }
            fn fields() -> Self::Fields {}
            fn indexes() -> Self::Indexes {}
            fn field_infos() -> &'static [::dynamo_model::FieldInfo] {
                &[]
            }
        }
    }
}

/// The parts of a `'static` `TableSchema`, each already emitted.
pub(crate) struct SchemaParts<G, L> {
    pub table_name: String,
    pub hash_key: TokenStream,
    /// An `Option<KeyAttribute>` expression.
    pub range_key: TokenStream,
    pub global_indexes: G,
    pub local_indexes: L,
    /// An `Option<&str>` expression.
    pub ttl: TokenStream,
}

/// `static SCHEMA: TableSchema = TableSchema::new(...); &SCHEMA`, the body
/// of `schema()` after any compile-time checks.
pub(crate) fn schema_static<G, L>(parts: SchemaParts<G, L>) -> TokenStream
where
    G: Iterator<Item = TokenStream>,
    L: Iterator<Item = TokenStream>,
{
    let SchemaParts {
        table_name,
        hash_key,
        range_key,
        global_indexes,
        local_indexes,
        ttl,
    } = parts;
    // Slices of values with destructors (`KeyAttribute` holds a `Cow`)
    // cannot be borrowed as temporaries inside a `static` initializer, so
    // each slice is a `const` of its own, declared in a block where it is
    // used.
    quote! {
        static SCHEMA: ::dynamo_model::TableSchema = ::dynamo_model::TableSchema::new(
            #table_name,
            #hash_key,
            #range_key,
            {
                const GLOBAL_INDEXES: &[::dynamo_model::GlobalSecondaryIndex] = &[#(#global_indexes),*];
                GLOBAL_INDEXES
            },
            {
                const LOCAL_INDEXES: &[::dynamo_model::LocalSecondaryIndex] = &[#(#local_indexes),*];
                LOCAL_INDEXES
            },
            #ttl,
        );
        &SCHEMA
    }
}

fn expand(model: &Model) -> TokenStream {
    let ident = model.ident();
    let (impl_generics, ty_generics, where_clause) = model.input.generics.split_for_impl();
    let self_ty = static_self_type(model);

    let (key, schema, entity_methods) = match &model.entity {
        Some(entity) => (
            entity::key_shape(model, entity, &self_ty),
            entity::schema(entity),
            entity::methods(model, entity),
        ),
        None => (
            key_shape(model, &self_ty),
            table_schema(model, &self_ty),
            TokenStream::new(),
        ),
    };
    let fields = fields::Fields::new(model, &self_ty);
    let fields_struct = fields.definition();
    let fields_ident = &fields.ident;
    let fields_value = fields.value();
    let field_infos = fields.infos();
    let version_check = fields.version_check();
    let indexes = indexes::Indexes::new(model, &self_ty);
    let indexes_struct = indexes.definition();
    let indexes_ident = &indexes.ident;
    let indexes_value = indexes.value();

    let (item_shape, shapes) = match model.shape_number {
        Some(n) => {
            let attribute = model.shape.attribute_name();
            (
                model.shape.item_shape_impl(model.input, n),
                quote! {
                    const SHAPES: ::core::option::Option<::dynamo_model::Shapes> =
                        ::core::option::Option::Some(::dynamo_model::Shapes::of::<Self>(#attribute));

                    fn read_shape(
                        stored: u32,
                        item: ::std::collections::HashMap<
                            ::std::string::String,
                            ::dynamo_model::aws_sdk_dynamodb::types::AttributeValue,
                        >,
                    ) -> ::core::result::Result<Self, ::std::string::String> {
                        ::dynamo_model::read_shape::<Self>(stored, item)
                    }
                },
            )
        }
        None => (TokenStream::new(), TokenStream::new()),
    };

    quote! {
        #fields_struct

        #indexes_struct

        #item_shape

        #[automatically_derived]
        impl #impl_generics ::dynamo_model::DynamoModel for #ident #ty_generics #where_clause {
            type Key = #key;
            type Fields = #fields_ident;
            type Indexes = #indexes_ident;
            #shapes

            fn fields() -> Self::Fields {
                #fields_value
            }

            fn indexes() -> Self::Indexes {
                #indexes_value
            }

            fn field_infos() -> &'static [::dynamo_model::FieldInfo] {
                #version_check
                #field_infos
            }

            fn schema() -> &'static ::dynamo_model::TableSchema {
                #schema
            }

            #entity_methods
        }
    }
}

/// The body of `schema()` of a model with a table of its own: the key
/// types' checks, then the `static` schema.
fn table_schema(model: &Model, self_ty: &TokenStream) -> TokenStream {
    let key_types = model
        .fields
        .iter()
        .enumerate()
        .filter(|(_, field)| field.is_key())
        .map(|(position, field)| key_type_const(position, field, self_ty));
    let ttl_check = ttl_check(model, self_ty);

    let table_name = &model.table_name.value;
    let Some(hash_key) = model.fields.iter().position(|f| f.attrs.hash_key.is_some()) else {
        unreachable!("`check` reports a model without #[hash_key]");
    };
    let hash_key = key_attribute(model, hash_key);
    let range_key = match model
        .fields
        .iter()
        .position(|f| f.attrs.range_key.is_some())
    {
        Some(position) => {
            let key = key_attribute(model, position);
            quote!(::core::option::Option::Some(#key))
        }
        None => quote!(::core::option::Option::None),
    };
    let global_indexes = model
        .indexes_of(IndexKind::Global)
        .map(|index| global_index(model, index));
    let local_indexes = model
        .indexes_of(IndexKind::Local)
        .map(|index| local_index(model, index));
    let ttl = match model.ttl_fields().next() {
        Some(field) => {
            let name = &field.attribute_name;
            quote!(::core::option::Option::Some(#name))
        }
        None => quote!(::core::option::Option::None),
    };
    let schema = schema_static(SchemaParts {
        table_name: table_name.clone(),
        hash_key,
        range_key,
        global_indexes,
        local_indexes,
        ttl,
    });
    quote! {
        #(#key_types)*
        #ttl_check
        #schema
    }
}

/// `HashKey<H>` or `HashAndRangeKey<H, R>`, from the key fields' types.
fn key_shape(model: &Model, self_ty: &TokenStream) -> TokenStream {
    let ty = |field: &Field| types::for_static(field.ty, self_ty);
    let hash = model.hash_keys().next().map(ty);
    match model.range_keys().next().map(ty) {
        Some(range) => quote!(::dynamo_model::HashAndRangeKey<#hash, #range>),
        None => quote!(::dynamo_model::HashKey<#hash>),
    }
}

/// The struct's type as the `static` can name it: lifetimes as `'static`.
/// (Type and const parameters were refused by `check`.)
fn static_self_type(model: &Model) -> TokenStream {
    let ident = model.ident();
    let generics = &model.input.generics;
    if generics.params.is_empty() {
        return quote!(#ident);
    }
    let lifetimes = generics.lifetimes().map(|_| quote!('static));
    quote!(#ident<#(#lifetimes),*>)
}

fn key_type_ident(position: usize) -> Ident {
    format_ident!("__DYNAMO_MODEL_KEY_TYPE_{}", position)
}

/// `const __DYNAMO_MODEL_KEY_TYPE_<n>: AttributeType = <Ty as KeyType>::ATTRIBUTE_TYPE;`
///
/// One constant per key field, so a type that cannot be a key is one error
/// however many indexes use the field. The trait is spanned on the field's
/// type: the error, with the trait's `on_unimplemented` message, points at
/// the field. A table key must be a `KeyType`; an index-only key may also be
/// an `Option` of one (`IndexKeyType`).
fn key_type_const(position: usize, field: &Field, self_ty: &TokenStream) -> TokenStream {
    let name = key_type_ident(position);
    let value = match &field.attrs.scalar_type {
        Some(scalar) => scalar_type(scalar.value),
        None => {
            let ty = types::for_static(field.ty, self_ty);
            let span = field.ty.span();
            let key_trait = if field.is_table_key() {
                quote_spanned!(span=> ::dynamo_model::KeyType)
            } else {
                quote_spanned!(span=> ::dynamo_model::IndexKeyType)
            };
            quote_spanned!(span=> <#ty as #key_trait>::ATTRIBUTE_TYPE)
        }
    };
    quote!(const #name: ::dynamo_model::AttributeType = #value;)
}

fn scalar_type(scalar: ScalarType) -> TokenStream {
    let variant = format_ident!("{}", scalar.as_str());
    quote!(::dynamo_model::AttributeType::#variant)
}

/// Refuses, at compile time, a `#[ttl]` field whose type is not stored as a
/// number: naming `ttl_is_a_number::<Ty>` requires `Ty: TtlType`, whose
/// `on_unimplemented` message explains the rule at the field's type. Nothing
/// runs. Skipped when `#[dynamo(type = "N")]` vouches for the stored type.
fn ttl_check(model: &Model, self_ty: &TokenStream) -> Option<TokenStream> {
    let field = model.ttl_fields().next()?;
    if field.attrs.scalar_type.is_some() {
        return None;
    }
    let ty = types::for_static(field.ty, self_ty);
    Some(quote_spanned! {field.ty.span()=>
        const _: () = {
            fn ttl_is_a_number<T: ?::core::marker::Sized + ::dynamo_model::TtlType>() {}
            let _ = ttl_is_a_number::<#ty>;
        };
    })
}

fn key_attribute(model: &Model, position: usize) -> TokenStream {
    let name = &model.fields[position].attribute_name;
    let attribute_type = key_type_ident(position);
    quote!(::dynamo_model::KeyAttribute::new(#name, #attribute_type))
}

fn key_slice(model: &Model, index: &Index, role: KeyRole) -> TokenStream {
    let keys = index
        .members_with(role)
        .map(|member| key_attribute(model, member.field));
    quote!({
        const KEYS: &[::dynamo_model::KeyAttribute] = &[#(#keys),*];
        KEYS
    })
}

fn global_index(model: &Model, index: &Index) -> TokenStream {
    let name = index.name();
    let hash_keys = key_slice(model, index, KeyRole::Hash);
    let range_keys = key_slice(model, index, KeyRole::Range);
    let projection = projection(model, index);
    let settings = index_settings(index);
    let throughput =
        match settings.and_then(|s| s.read_capacity.as_ref().zip(s.write_capacity.as_ref())) {
            Some((read, write)) => {
                let (read, write) = (read.value, write.value);
                quote!(::core::option::Option::Some(::dynamo_model::Throughput::new(#read, #write)))
            }
            None => quote!(::core::option::Option::None),
        };
    quote!(::dynamo_model::GlobalSecondaryIndex::new(#name, #hash_keys, #range_keys, #projection, #throughput))
}

fn local_index(model: &Model, index: &Index) -> TokenStream {
    let name = index.name();
    let range_key = key_attribute(model, index.members[0].field);
    let projection = projection(model, index);
    quote!(::dynamo_model::LocalSecondaryIndex::new(#name, #range_key, #projection))
}

/// The settings of the index: those of the one field that gives any.
fn index_settings(index: &Index) -> Option<&crate::attr::IndexSettings> {
    index
        .members
        .iter()
        .map(|member| &member.attr.settings)
        .find(|settings| settings.first_arg.is_some())
}

fn projection(model: &Model, index: &Index) -> TokenStream {
    let Some(settings) = index_settings(index) else {
        return quote!(::dynamo_model::Projection::All);
    };
    if let Some(include) = &settings.include {
        // `include` lists Rust field names; the index stores attribute names.
        let names = include
            .value
            .iter()
            .filter_map(|lit| model.field_named(&lit.value()))
            .map(|field| &field.attribute_name);
        return quote!(::dynamo_model::Projection::Include(::std::borrow::Cow::Borrowed(&[
            #(::std::borrow::Cow::Borrowed(#names)),*
        ])));
    }
    match settings.projection.as_ref().map(|p| p.value) {
        Some(ProjectionKind::KeysOnly) => quote!(::dynamo_model::Projection::KeysOnly),
        Some(ProjectionKind::All) | None => quote!(::dynamo_model::Projection::All),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The output for a small model is data only: the key's shape, the
    /// field paths, the field descriptions and a `static` schema.
    #[test]
    fn emits_data_and_nothing_else() {
        let input: DeriveInput = syn::parse_quote! {
            #[serde(rename_all = "camelCase")]
            pub struct Order<'a> {
                #[hash_key]
                customer_id: &'a str,
                #[gsi(name = "by_coupon", hash_key, include = ["total"])]
                #[serde(skip_serializing_if = "Option::is_none")]
                coupon: Option<String>,
                #[ttl]
                expires_at: i64,
                pub total: f64,
            }
        };
        let schema = quote! {
            fn schema() -> &'static ::dynamo_model::TableSchema {
                const __DYNAMO_MODEL_KEY_TYPE_0: ::dynamo_model::AttributeType =
                    <&'static str as ::dynamo_model::KeyType>::ATTRIBUTE_TYPE;
                const __DYNAMO_MODEL_KEY_TYPE_1: ::dynamo_model::AttributeType =
                    <Option<String> as ::dynamo_model::IndexKeyType>::ATTRIBUTE_TYPE;
                const _: () = {
                    fn ttl_is_a_number<T: ?::core::marker::Sized + ::dynamo_model::TtlType>() {}
                    let _ = ttl_is_a_number::<i64>;
                };
                static SCHEMA: ::dynamo_model::TableSchema = ::dynamo_model::TableSchema::new(
                    "order",
                    ::dynamo_model::KeyAttribute::new("customerId", __DYNAMO_MODEL_KEY_TYPE_0),
                    ::core::option::Option::None,
                    {
                        const GLOBAL_INDEXES: &[::dynamo_model::GlobalSecondaryIndex] = &[
                            ::dynamo_model::GlobalSecondaryIndex::new(
                                "by_coupon",
                                {
                                    const KEYS: &[::dynamo_model::KeyAttribute] = &[
                                        ::dynamo_model::KeyAttribute::new("coupon", __DYNAMO_MODEL_KEY_TYPE_1)
                                    ];
                                    KEYS
                                },
                                {
                                    const KEYS: &[::dynamo_model::KeyAttribute] = &[];
                                    KEYS
                                },
                                ::dynamo_model::Projection::Include(::std::borrow::Cow::Borrowed(&[
                                    ::std::borrow::Cow::Borrowed("total")
                                ])),
                                ::core::option::Option::None
                            )
                        ];
                        GLOBAL_INDEXES
                    },
                    {
                        const LOCAL_INDEXES: &[::dynamo_model::LocalSecondaryIndex] = &[];
                        LOCAL_INDEXES
                    },
                    ::core::option::Option::Some("expiresAt"),
                );
                &SCHEMA
            }
        };
        let output = derive(&input).to_string();
        assert!(output.contains(&schema.to_string()), "{output}");
        let expected_parts = [
            quote!(
                type Key = ::dynamo_model::HashKey<&'static str>;
            ),
            quote!(
                type Fields = OrderFields;
            ),
            quote!(pub struct OrderFields),
            quote!(customer_id: ::dynamo_model::Field<Order<'static>, &'static str, ::dynamo_model::role::TableKey>),
            quote!(pub total: ::dynamo_model::Field<Order<'static>, f64, ::dynamo_model::role::Attribute>),
            quote!(coupon: ::dynamo_model::Field::new("coupon", "coupon")),
            quote!(::dynamo_model::FieldInfo::new(
                "expires_at",
                "expiresAt",
                ::dynamo_model::FieldRole::Attribute,
                false,
                || {}
            )),
        ];
        for part in expected_parts {
            let part = part.to_string();
            // The field descriptions are compared up to their stored-kind probe.
            let part = part.split(" || ").next().unwrap_or(&part);
            assert!(output.contains(part), "missing `{part}` in {output}");
        }
        assert!(output.contains(r#"FieldInfo :: new ("coupon" , "coupon" , :: dynamo_model :: FieldRole :: Attribute , true"#), "{output}");
        // No request code: every operation lives in the runtime.
        for runtime_only in ["put_item", "get_item", "update_item", "send"] {
            assert!(!output.contains(runtime_only), "{runtime_only} in {output}");
        }
    }

    /// With errors, the errors come with a placeholder impl, so uses of the
    /// model elsewhere do not pile more errors on top.
    #[test]
    fn errors_come_with_a_fallback_impl() {
        let input: DeriveInput = syn::parse_quote! {
            struct Order {
                id: String,
            }
        };
        let output = derive(&input).to_string();
        assert!(output.contains("compile_error"), "{output}");
        assert!(
            output.contains("impl :: dynamo_model :: DynamoModel for Order"),
            "{output}"
        );
        assert!(output.contains("unreachable"), "{output}");
    }
}
