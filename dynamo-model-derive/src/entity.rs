//! An entity of a shared table (`#[dynamo(table = App, entity = "user",
//! pk = "USER#{id}", sk = "PROFILE", gsi1(pk = ..., sk = ...))]`): read from
//! the struct's attributes, checked where the derive can see the culprit,
//! and emitted as data. What needs the table's definition is checked by the
//! compiler through the table's types (its index handles, its key shape), or
//! by the runtime's `EntitySchema::build`, which applies the one rule of
//! `dynamo_model_rules::entity_problems`.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Ident, LitStr, Path};

use crate::ctxt::Ctxt;
use crate::entity_attr::EntityAttrs;
use crate::indexes::Handle;
use crate::model::{Field, Model};
use crate::types;

pub struct Entity {
    /// The table definition's type.
    pub table: Path,
    pub name: LitStr,
    pub templates: Vec<Template>,
}

/// One key template, parsed.
pub struct Template {
    /// `None` for the table's keys; the index's field in the table's typed
    /// index handles otherwise.
    pub index: Option<Ident>,
    /// `pk` or `sk`.
    pub role: &'static str,
    pub literal: LitStr,
    /// Its placeholders, in order.
    pub fields: Vec<String>,
}

impl Entity {
    /// The template of `role` (`pk`, `sk`) of the table (`index: None`) or
    /// of an index.
    pub fn template(&self, index: Option<&Ident>, role: &str) -> Option<&Template> {
        self.templates
            .iter()
            .find(|t| t.index.as_ref() == index && t.role == role)
    }

    /// `None` for a model with a table of its own, or when the entity's
    /// arguments are too broken to use (reported).
    pub fn from_attrs(
        cx: &Ctxt,
        ident: &Ident,
        attrs: EntityAttrs,
        table: Option<&LitStr>,
    ) -> Option<Entity> {
        let EntityAttrs {
            table: definition,
            name,
            pk,
            sk,
            indexes,
        } = attrs;
        let given = name.is_some() || pk.is_some() || sk.is_some();
        let Some(definition) = definition else {
            // `foo(...)` alone on a model of its own is a misspelt argument.
            if !given {
                for index in &indexes {
                    cx.error_spanned_by(
                        &index.index,
                        format!(
                            "unknown struct-level dynamo argument `{}`; expected `table` (an index template, `<index>(pk = ..., sk = ...)`, belongs to an entity of a shared table)",
                            index.index
                        ),
                    );
                }
            }
            if given {
                cx.error_spanned_by(
                    ident,
                    "an entity names the table definition it shares: `#[dynamo(table = App, entity = \"...\", pk = \"...\")]`, where `App` derives `DynamoTable`",
                );
            }
            return None;
        };
        if let Some(table) = table {
            cx.error_spanned_by(table, "`table` is given twice");
        }
        let Some(name) = name else {
            cx.error_spanned_by(
                &definition,
                "a model of a shared table is an entity: give its name, written on its items, with `entity = \"...\"`",
            );
            return None;
        };
        if name.value().is_empty() {
            cx.error_spanned_by(&name, "an entity needs a name, written on its items");
        }
        let Some(pk) = pk else {
            cx.error_spanned_by(
                &name,
                "an entity needs a `pk` template: how its items' partition key is written, e.g. `pk = \"USER#{id}\"`",
            );
            return None;
        };
        let mut templates = vec![Template::new(cx, None, "pk", pk)];
        templates.extend(sk.map(|sk| Template::new(cx, None, "sk", sk)));
        for index in indexes {
            if index.pk.is_none() && index.sk.is_none() {
                cx.error_spanned_by(
                    &index.index,
                    "an index template gives `pk = \"...\"`, `sk = \"...\"` or both",
                );
            }
            for (role, literal) in [("pk", index.pk), ("sk", index.sk)] {
                if let Some(literal) = literal {
                    templates.push(Template::new(cx, Some(index.index.clone()), role, literal));
                }
            }
        }
        Some(Entity {
            table: definition,
            name,
            templates,
        })
    }

    /// The table's `pk` and `sk` templates.
    fn table_templates(&self) -> impl Iterator<Item = &Template> {
        self.templates.iter().filter(|t| t.index.is_none())
    }

    /// The fields an item's key is given by: `pk`'s placeholders, then
    /// `sk`'s not in `pk` (the runtime's `EntitySchema::key_fields`).
    pub fn key_fields(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for field in self.table_templates().flat_map(|t| &t.fields) {
            if !out.contains(&field.as_str()) {
                out.push(field);
            }
        }
        out
    }

    /// Whether any template reads the field.
    pub fn reads(&self, rust_name: &str) -> bool {
        self.templates
            .iter()
            .any(|t| t.fields.iter().any(|f| f == rust_name))
    }

    pub fn in_table_key(&self, rust_name: &str) -> bool {
        self.table_templates()
            .any(|t| t.fields.iter().any(|f| f == rust_name))
    }
}

impl Template {
    fn new(cx: &Ctxt, index: Option<Ident>, role: &'static str, literal: LitStr) -> Template {
        let fields = match dynamo_model_rules::parse_template(&literal.value()) {
            Ok(pieces) => pieces
                .into_iter()
                .filter_map(|piece| match piece {
                    dynamo_model_rules::Piece::Field(name) => Some(name.to_owned()),
                    dynamo_model_rules::Piece::Text(_) => None,
                })
                .collect(),
            Err(message) => {
                cx.error_spanned_by(&literal, message);
                Vec::new()
            }
        };
        Template {
            index,
            role,
            literal,
            fields,
        }
    }

    fn describe(&self) -> String {
        match &self.index {
            None => format!("`{}` template", self.role),
            Some(index) => format!("`{index}({} = ...)` template", self.role),
        }
    }
}

/// The rules the derive can check itself: placeholders are stored fields,
/// and no field claims a key of its own (an entity's keys are written from
/// its templates).
pub fn check(cx: &Ctxt, model: &Model, entity: &Entity) {
    for template in &entity.templates {
        for placeholder in &template.fields {
            match model.field_named(placeholder) {
                None => cx.error_spanned_by(
                    &template.literal,
                    format!(
                        "placeholder `{{{placeholder}}}` of the {} is not a field of `{}`",
                        template.describe(),
                        model.ident()
                    ),
                ),
                Some(field) if !field.is_stored() => cx.error_spanned_by(
                    &template.literal,
                    format!(
                        "placeholder `{{{placeholder}}}` of the {} is a field serde does not store as an attribute of its own (`skip` or `flatten`), so the item could not be read back with it",
                        template.describe()
                    ),
                ),
                Some(_) => {}
            }
        }
    }
    for field in &model.fields {
        let claimed = [
            (field.attrs.hash_key, "#[hash_key]"),
            (field.attrs.range_key, "#[range_key]"),
            (field.attrs.ttl, "#[ttl]"),
        ];
        for (span, attr) in claimed {
            if let Some(span) = span {
                cx.error_at(
                    span,
                    format!(
                        "`{attr}` has no place on a field of an entity: the table definition `{}` declares its keys and TTL, and the entity's key templates write them",
                        path_text(&entity.table)
                    ),
                );
            }
        }
        for index in &field.attrs.indexes {
            cx.error_spanned_by(
                &index.name,
                format!(
                    "an entity's fields are not index keys: give the index's templates on the struct, `#[dynamo(..., {}(pk = \"...\", sk = \"...\"))]`",
                    index.name.value()
                ),
            );
        }
    }
}

fn path_text(path: &Path) -> String {
    quote!(#path).to_string().replace(' ', "")
}

/// `type Key = EntityKey<(..), (..), R>;`: the key fields' types, those of
/// `pk`, and the range type of a query (the first `sk` placeholder's, when
/// it is not in `pk`).
pub fn key_shape(model: &Model, entity: &Entity, self_ty: &TokenStream) -> TokenStream {
    let ty = |name: &str| {
        model
            .field_named(name)
            .map(|field| types::for_static(field.ty, self_ty))
    };
    let all = entity.key_fields().into_iter().filter_map(ty);
    let pk = entity
        .template(None, "pk")
        .map_or(&[][..], |t| &t.fields[..]);
    let partition = pk.iter().filter_map(|name| ty(name));
    let range = range_type(pk, entity.template(None, "sk"), &ty);
    quote!(::dynamo_model::EntityKey<(#(#all,)*), (#(#partition,)*), #range>)
}

/// The range type of a query over `sk`: [`EntitySort`] of its first
/// placeholder's type when that is not in the partition (`pk`), else
/// `NoRange`.
fn range_type(
    pk: &[String],
    sk: Option<&Template>,
    ty: &dyn Fn(&str) -> Option<TokenStream>,
) -> TokenStream {
    let sort = sk
        .and_then(|t| t.fields.first())
        .filter(|first| !pk.contains(first))
        .and_then(|first| ty(first));
    match sort {
        Some(sort) => quote!(::dynamo_model::EntitySort<#sort>),
        None => quote!(::dynamo_model::NoRange),
    }
}

/// The typed handles of the indexes the entity writes keys of, for
/// `query_index`: `(field, name, partition type, range type)`. The
/// partition type is an [`EntityKey`] of the index partition template's
/// placeholder types (an `Option` field's inner type: a query names a
/// partition by a value), the range type that of its sort template. The
/// types are named as written: their checks are the templates' own.
pub fn index_handles_typed(model: &Model, entity: &Entity, self_ty: &TokenStream) -> Vec<Handle> {
    let table = &entity.table;
    let ty = |name: &str| {
        model
            .field_named(name)
            .map(|field| types::for_static(types::option_inner(field.ty), self_ty))
    };
    let mut out: Vec<Handle> = Vec::new();
    for index in entity.templates.iter().filter_map(|t| t.index.as_ref()) {
        if out.iter().any(|h| &h.field == index) {
            continue;
        }
        // A local index (only an `sk` template) is partitioned as the table.
        let pk = entity
            .template(Some(index), "pk")
            .or_else(|| entity.template(None, "pk"))
            .map_or(&[][..], |t| &t.fields[..]);
        let partition = pk.iter().filter_map(|name| ty(name));
        let range = range_type(pk, entity.template(Some(index), "sk"), &ty);
        let name = quote!(::dynamo_model::Index::name(
            &::dynamo_model::__private::table_indexes::<#table>().#index
        ));
        out.push(Handle {
            field: index.clone(),
            doc: format!(
                "The `{}` index of the table definition, as this entity's templates write it.",
                syn::ext::IdentExt::unraw(index)
            ),
            name,
            hash: quote!(::dynamo_model::EntityKey<(), (#(#partition,)*), #range>),
            range,
        });
    }
    out
}

/// The table's schema: the definition's.
pub fn schema(entity: &Entity) -> TokenStream {
    let table = &entity.table;
    quote_spanned!(table.span()=> ::dynamo_model::__private::table_schema::<#table>())
}

/// `fn entity()` and `fn template_value()`.
pub fn methods(model: &Model, entity: &Entity) -> TokenStream {
    let table = &entity.table;
    let name = &entity.name;
    let sort_checks = sort_checks(entity);
    let indexes = index_handles(entity);
    let templates = entity.templates.iter().map(|t| builder_call(entity, t));
    let fields = model.fields.iter().filter(|f| f.is_stored()).map(|f| {
        let (name, attribute) = (&f.rust_name, &f.attribute_name);
        quote!((#name, #attribute))
    });
    let lookups = model
        .fields
        .iter()
        .filter(|f| entity.reads(&f.rust_name))
        .map(|field| {
            let rust_name = &field.rust_name;
            let value = field_value(entity, field);
            quote!(#rust_name => #value,)
        });
    let pk = entity.template(None, "pk").map(|t| &t.literal);
    quote! {
        const ENTITY_PK: &'static str = #pk;

        fn entity() -> ::core::option::Option<::dynamo_model::Result<&'static ::dynamo_model::EntitySchema>> {
            static ENTITY: ::dynamo_model::__private::EntityCell = ::dynamo_model::__private::EntityCell::new();
            ::core::option::Option::Some(::dynamo_model::__private::built_entity(&ENTITY, || {
                #indexes
                #sort_checks
                ::dynamo_model::EntitySchema::builder_for::<#table>(#name)
                    #(#templates)*
                    .build_stored(&[#(#fields),*])
            }))
        }

        fn template_value(&self, field: &str) -> ::core::option::Option<&dyn ::dynamo_model::RenderValue> {
            match field {
                #(#lookups)*
                _ => ::core::option::Option::None,
            }
        }
    }
}

/// A placeholder field's value, which also checks its type at the field's
/// type: a `TemplateValue` in a table key, or an `Option` of one too in an
/// index key (an item without it is out of the index).
fn field_value(entity: &Entity, field: &Field) -> TokenStream {
    let span = field.ty.span();
    let mut ident = field.ident.clone();
    ident.set_span(span);
    let read = if entity.in_table_key(&field.rust_name) {
        quote_spanned!(span=> ::dynamo_model::__private::table_key_value)
    } else {
        quote_spanned!(span=> ::dynamo_model::TemplateField::template_value)
    };
    quote_spanned!(span=> #read(&self.#ident))
}

/// An `sk` template needs a sort key to write, and a table with one needs
/// an `sk` template: checked on the table's key shape and index handles.
fn sort_checks(entity: &Entity) -> TokenStream {
    let table = &entity.table;
    let mut out = TokenStream::new();
    let mut table_sk = false;
    for template in entity.templates.iter().filter(|t| t.role == "sk") {
        let span = template.literal.span();
        match &template.index {
            None => {
                table_sk = true;
                let table = respanned(quote!(#table), span);
                out.extend(quote_spanned! {span=>
                    ::dynamo_model::__private::has_sort_key::<#table>();
                });
            }
            Some(index) => {
                let mut handle = handle_ident(index);
                handle.set_span(Span::call_site().located_at(span));
                out.extend(quote_spanned! {span=>
                    ::dynamo_model::__private::index_has_sort_key(&#handle);
                });
            }
        }
    }
    if !table_sk {
        let message = format!(
            "entity `{}` has no `sk` template, and its table `{}` has a sort key: add `sk = \"...\"`",
            entity.name.value(),
            path_text(table)
        );
        let span = entity.name.span();
        out.extend(quote_spanned! {span=>
            const _: () = ::core::assert!(
                !::dynamo_model::__private::has_range::<#table>(),
                #message
            );
        });
    }
    out
}

/// `tokens` pointing at `span`, so that an error about them points there.
fn respanned(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut token| {
            if let proc_macro2::TokenTree::Group(group) = &token {
                let mut inner =
                    proc_macro2::Group::new(group.delimiter(), respanned(group.stream(), span));
                inner.set_span(span);
                token = proc_macro2::TokenTree::Group(inner);
            } else {
                token.set_span(span);
            }
            token
        })
        .collect()
}

fn handle_ident(index: &Ident) -> Ident {
    use syn::ext::IdentExt;
    Ident::new(
        &format!("__dynamo_model_index_{}", index.unraw()),
        Span::call_site(),
    )
}

/// `let __index = <App as DynamoModel>::indexes().gsi1;`: an index the
/// table does not declare is "no field `gsi2` on type `AppIndexes`" at
/// the name written.
fn index_handles(entity: &Entity) -> TokenStream {
    let table = &entity.table;
    let mut seen: Vec<&Ident> = Vec::new();
    let mut out = TokenStream::new();
    for index in entity.templates.iter().filter_map(|t| t.index.as_ref()) {
        if seen.contains(&index) {
            continue;
        }
        seen.push(index);
        let handle = handle_ident(index);
        let indexes =
            quote_spanned!(index.span()=> ::dynamo_model::__private::table_indexes::<#table>());
        out.extend(quote! {
            let #handle = #indexes.#index;
        });
    }
    out
}

/// The builder call of one template: `.pk("...")`, `.index(name, pk, sk)`.
fn builder_call(entity: &Entity, template: &Template) -> TokenStream {
    let literal = &template.literal;
    let Some(index) = &template.index else {
        let role = Ident::new(template.role, Span::call_site());
        return quote!(.#role(#literal));
    };
    let handle = handle_ident(index);
    let name = quote!(::dynamo_model::Index::name(&#handle));
    // An index's two templates are given in one call; an `sk` alone is a
    // local index's (its partition key is the table's).
    let sibling = |role: &str| entity.template(Some(index), role).map(|t| &t.literal);
    match (template.role, sibling("sk")) {
        ("pk", Some(sk)) => quote!(.index(#name, #literal, ::core::option::Option::Some(#sk))),
        ("pk", None) => quote!(.index(#name, #literal, ::core::option::Option::None)),
        (_, _) if sibling("pk").is_some() => TokenStream::new(),
        _ => quote!(.local_index(#name, #literal)),
    }
}
