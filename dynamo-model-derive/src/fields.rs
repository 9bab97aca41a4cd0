//! Emitting the typed field paths: a `<Model>Fields` struct with one
//! `Field<Model, T, Role>` per stored field, and the `FieldInfo` data the
//! runtime checks by-name calls against. Data only, one entry per field.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use crate::model::{Field, Model};
use crate::types;

pub struct Fields<'m, 'a> {
    pub ident: Ident,
    model: &'m Model<'a>,
    self_ty: &'m TokenStream,
}

/// What a field is, as the runtime's role type and `FieldRole` variant.
enum Role {
    TableKey,
    Version,
    Encoded,
    Attribute,
}

impl Role {
    fn of(field: &Field) -> Role {
        // A field an entity's key is written from cannot be set by an
        // update, which would leave the key attributes behind.
        if field.is_table_key() || field.in_template {
            Role::TableKey
        } else if field.attrs.version.is_some() {
            Role::Version
        } else if field.attrs.serde.with.is_some() && set_kind(field).is_none() {
            Role::Encoded
        } else {
            Role::Attribute
        }
    }

    fn name(&self) -> Ident {
        format_ident!(
            "{}",
            match self {
                Role::TableKey => "TableKey",
                Role::Version => "Version",
                Role::Encoded => "Encoded",
                Role::Attribute => "Attribute",
            }
        )
    }
}

/// The DynamoDB set a `serde(with = "serde_dynamo::string_set")` (or
/// `number_set`, `binary_set`) field is stored as.
fn set_kind(field: &Field) -> Option<Ident> {
    let with = field.attrs.serde.with.as_ref()?.value();
    let module = with.rsplit("::").next()?;
    let kind = match module {
        "string_set" => "S",
        "number_set" => "N",
        "binary_set" => "B",
        _ => return None,
    };
    Some(format_ident!("{}", kind))
}

impl<'m, 'a> Fields<'m, 'a> {
    pub fn new(model: &'m Model<'a>, self_ty: &'m TokenStream) -> Self {
        Fields {
            ident: format_ident!("{}Fields", model.ident()),
            model,
            self_ty,
        }
    }

    fn stored(&self) -> impl Iterator<Item = &Field<'a>> {
        self.model.fields.iter().filter(|f| f.is_stored())
    }

    /// `pub struct OrderFields { pub status: Field<Order, String, Attribute>, ... }`
    pub fn definition(&self) -> TokenStream {
        let model_ident = self.model.ident();
        let vis = &self.model.input.vis;
        let ident = &self.ident;
        let self_ty = self.self_ty;
        let fields = self.stored().map(|field| {
            let vis = field.vis;
            let name = field.ident;
            let ty = types::for_static(field.ty, self_ty);
            let role = Role::of(field).name();
            let doc = format!(
                "The path of field `{}` (attribute `{}`).",
                field.rust_name, field.attribute_name
            );
            quote! {
                #[doc = #doc]
                #vis #name: ::dynamo_model::Field<#self_ty, #ty, ::dynamo_model::role::#role>
            }
        });
        let doc = format!(
            "Typed field paths of [`{model_ident}`], from `{model_ident}::fields()`: for updates and conditions."
        );
        quote! {
            #[doc = #doc]
            #[derive(Clone, Copy)]
            #[allow(dead_code)] // a model rarely uses every path
            #vis struct #ident {
                #(#fields,)*
            }
        }
    }

    /// `OrderFields { status: Field::new("status", "status"), ... }`
    pub fn value(&self) -> TokenStream {
        let ident = &self.ident;
        let fields = self.stored().map(|field| {
            let name = field.ident;
            let rust = &field.rust_name;
            let attribute = &field.attribute_name;
            quote!(#name: ::dynamo_model::Field::new(#rust, #attribute))
        });
        quote!(#ident { #(#fields,)* })
    }

    /// `static FIELDS: &[FieldInfo] = &[...]; FIELDS`
    pub fn infos(&self) -> TokenStream {
        let self_ty = self.self_ty;
        let infos = self.stored().map(|field| {
            let rust = &field.rust_name;
            let attribute = &field.attribute_name;
            let role = Role::of(field);
            let role_variant = role.name();
            let optional = types::is_option(field.ty);
            // The kind of value and the numbers the field's type holds, both
            // from the type's probe, where the type is what is stored (not
            // through `serde(with)` or a type override).
            let probe = |method: TokenStream| {
                let ty = types::for_static(field.ty, self_ty);
                quote!(|| {
                    #[allow(unused_imports)]
                    use ::dynamo_model::__private::{KnownKind as _, UnknownKind as _};
                    (&::dynamo_model::__private::KindProbe::<#ty>::new()).#method()
                })
            };
            let (kind, numbers) = match (&role, &field.attrs.scalar_type) {
                (Role::Encoded, _) => (quote!(|| ::dynamo_model::__private::ValueKind::Any), None),
                (_, Some(scalar)) => {
                    let variant = format_ident!("{}", scalar.value.as_str());
                    (quote!(|| ::dynamo_model::__private::ValueKind::#variant), None)
                }
                _ => (probe(quote!(stored_kind)), Some(probe(quote!(number_range)))),
            };
            let info = quote! {
                ::dynamo_model::FieldInfo::new(#rust, #attribute, ::dynamo_model::FieldRole::#role_variant, #optional, #kind)
            };
            let info = match numbers {
                Some(numbers) => quote!(#info.numbers(#numbers)),
                None => info,
            };
            let info = match set_kind(field) {
                Some(set) => quote!(#info.stored_as_set(::dynamo_model::__private::SetKind::#set)),
                None => info,
            };
            if field.attrs.serde.default {
                quote!(#info.defaulted())
            } else {
                info
            }
        });
        quote! {
            static FIELDS: &[::dynamo_model::FieldInfo] = &[#(#infos),*];
            FIELDS
        }
    }

    /// Refuses a `#[version]` field that is not a whole number, through the
    /// `VersionType` bound spanned on its type.
    pub fn version_check(&self) -> Option<TokenStream> {
        let field = self
            .model
            .fields
            .iter()
            .find(|f| f.attrs.version.is_some())?;
        let ty = types::for_static(field.ty, self.self_ty);
        Some(quote_spanned! {field.ty.span()=>
            const _: () = {
                fn version_is_a_whole_number<T: ?::core::marker::Sized + ::dynamo_model::VersionType>() {}
                let _ = version_is_a_whole_number::<#ty>;
            };
        })
    }
}
