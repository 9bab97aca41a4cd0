//! The struct as the derive sees it: its fields with their attribute names
//! (after serde renames) and parsed attributes, and its indexes grouped by
//! name. Built from the syntax tree with every attribute error reported;
//! `check` then enforces DynamoDB's rules on it, and `expand` reads it only
//! when no error was found.

use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::{Data, DeriveInput, Fields, Ident, LitStr, Type};

use crate::attr::{self, FieldAttrs, IndexAttr, IndexKind, KeyRole};
use crate::case;
use crate::ctxt::Ctxt;
use crate::entity::Entity;

pub struct Model<'a> {
    pub input: &'a DeriveInput,
    pub table_name: TableName,
    pub fields: Vec<Field<'a>>,
    /// GSIs and LSIs, in the order their names first appear.
    pub indexes: Vec<Index>,
    /// Set for an entity of a shared table (`table = App, entity = ...`).
    pub entity: Option<Entity>,
    /// Entity arguments were written, too broken to make an entity of
    /// (reported): the struct is checked no further.
    pub entity_broken: bool,
    /// `shape = N, upgrades_from = ...`, and `N` when they are sound.
    pub shape: crate::shape::ShapeAttrs,
    pub shape_number: Option<u32>,
}

pub struct TableName {
    pub value: String,
    /// The `table = "..."` literal, or the struct's name for the default.
    pub span: Span,
    /// Derived from the struct's name rather than written.
    pub is_default: bool,
}

pub struct Field<'a> {
    pub ident: &'a Ident,
    pub vis: &'a syn::Visibility,
    pub ty: &'a Type,
    /// The Rust name without `r#`.
    pub rust_name: String,
    /// The attribute name serde writes into items.
    pub attribute_name: String,
    /// The attribute name serde reads back.
    pub deserialize_name: String,
    pub attrs: FieldAttrs,
    /// An entity's key template reads it.
    pub in_template: bool,
    /// An entity's `pk` or `sk` template reads it: every item has it.
    pub in_table_template: bool,
}

/// One index: every field annotated with its name.
pub struct Index {
    pub kind: IndexKind,
    /// The name literal of the first field that mentions the index.
    pub name: LitStr,
    /// In field order, which is key-attribute order for multi-attribute keys.
    pub members: Vec<IndexMember>,
}

pub struct IndexMember {
    /// Position in `Model::fields`.
    pub field: usize,
    pub attr: IndexAttr,
}

impl<'a> Model<'a> {
    /// `None` when the input is not a struct with named fields (reported).
    pub fn from_ast(cx: &Ctxt, input: &'a DeriveInput) -> Option<Self> {
        let mut container = attr::container_attrs(cx, &input.attrs);
        let entity_given = container.entity.is_given();
        let entity = Entity::from_attrs(
            cx,
            &input.ident,
            std::mem::take(&mut container.entity),
            container.table.as_ref(),
        );
        let named = match &input.data {
            Data::Struct(data) => match &data.fields {
                Fields::Named(named) => named,
                Fields::Unnamed(fields) => {
                    cx.error_spanned_by(
                        fields,
                        "DynamoModel needs a struct with named fields: each field becomes an item attribute named after it, and a tuple struct's fields have no names",
                    );
                    return None;
                }
                Fields::Unit => {
                    cx.error_spanned_by(
                        &input.ident,
                        "DynamoModel needs a struct with named fields: a unit struct has no fields to key the table on",
                    );
                    return None;
                }
            },
            Data::Enum(data) => {
                cx.error_spanned_by(
                    data.enum_token,
                    "DynamoModel can only be derived for a struct with named fields, not an enum",
                );
                return None;
            }
            Data::Union(data) => {
                cx.error_spanned_by(
                    data.union_token,
                    "DynamoModel can only be derived for a struct with named fields, not a union",
                );
                return None;
            }
        };

        let fields: Vec<Field> = named
            .named
            .iter()
            .map(|field| {
                let ident = field.ident.as_ref().expect("named field");
                let mut attrs = attr::field_attrs(cx, &field.attrs);
                attrs.serde.default |= container.default;
                // serde applies `rename_all` to the name without `r#`.
                let rust_name = ident.unraw().to_string();
                let attribute_name = match &attrs.serde.rename_serialize {
                    Some(name) => name.value(),
                    None => container.rename_all_serialize.apply_to_field(&rust_name),
                };
                let deserialize_name = match &attrs.serde.rename_deserialize {
                    Some(name) => name.value(),
                    None => container.rename_all_deserialize.apply_to_field(&rust_name),
                };
                Field {
                    in_template: entity.as_ref().is_some_and(|e| e.reads(&rust_name)),
                    in_table_template: entity.as_ref().is_some_and(|e| e.in_table_key(&rust_name)),
                    ident,
                    vis: &field.vis,
                    ty: &field.ty,
                    rust_name,
                    attribute_name,
                    deserialize_name,
                    attrs,
                }
            })
            .collect();

        let table_name = match &container.table {
            Some(lit) => TableName {
                value: lit.value(),
                span: lit.span(),
                is_default: false,
            },
            None => TableName {
                value: case::type_name_to_snake_case(&input.ident.unraw().to_string()),
                span: input.ident.span(),
                is_default: true,
            },
        };

        let indexes = group_indexes(&fields);
        let shape = std::mem::take(&mut container.shape);
        let shape_number = shape.check(cx);
        if shape_number.is_some() {
            let attribute = shape.attribute_name();
            for field in fields.iter().filter(|f| f.attribute_name == attribute) {
                cx.error_spanned_by(
                    field.ident,
                    format!("attribute `{attribute}` holds each item's shape; name this field's attribute otherwise, or the shape attribute (`shape_attribute = \"...\"`)"),
                );
            }
        }
        Some(Model {
            input,
            table_name,
            fields,
            indexes,
            entity_broken: entity_given && entity.is_none(),
            entity,
            shape,
            shape_number,
        })
    }

    pub fn ident(&self) -> &'a Ident {
        &self.input.ident
    }

    /// Fields marked `#[hash_key]` (one, unless that rule is broken).
    pub fn hash_keys(&self) -> impl Iterator<Item = &Field<'a>> {
        self.fields.iter().filter(|f| f.attrs.hash_key.is_some())
    }

    /// Fields marked `#[range_key]`.
    pub fn range_keys(&self) -> impl Iterator<Item = &Field<'a>> {
        self.fields.iter().filter(|f| f.attrs.range_key.is_some())
    }

    /// Fields marked `#[ttl]`.
    pub fn ttl_fields(&self) -> impl Iterator<Item = &Field<'a>> {
        self.fields.iter().filter(|f| f.attrs.ttl.is_some())
    }

    pub fn indexes_of(&self, kind: IndexKind) -> impl Iterator<Item = &Index> {
        self.indexes.iter().filter(move |index| index.kind == kind)
    }

    /// The field named `name` in Rust (`r#` optional).
    pub fn field_named(&self, name: &str) -> Option<&Field<'a>> {
        let name = name.strip_prefix("r#").unwrap_or(name);
        self.fields.iter().find(|f| f.rust_name == name)
    }
}

impl Field<'_> {
    pub fn is_table_key(&self) -> bool {
        self.attrs.hash_key.is_some() || self.attrs.range_key.is_some()
    }

    /// A key of the table or of an index: it needs an attribute definition.
    pub fn is_key(&self) -> bool {
        self.is_table_key() || !self.attrs.indexes.is_empty()
    }

    /// Whether serde stores it as an attribute of its own.
    pub fn is_stored(&self) -> bool {
        self.attrs.serde.skip.is_none() && self.attrs.serde.flatten.is_none()
    }

    /// What the field is for, in messages: "the table's hash key", ...
    pub fn role(&self) -> String {
        if self.attrs.hash_key.is_some() {
            "the table's hash key".to_owned()
        } else if self.attrs.range_key.is_some() {
            "the table's range key".to_owned()
        } else if let Some(index) = self.attrs.indexes.first() {
            format!("a key of index `{}`", index.name.value())
        } else if self.in_table_template {
            "read by the entity's key template".to_owned()
        } else if self.attrs.ttl.is_some() {
            "the TTL attribute".to_owned()
        } else {
            "an attribute".to_owned()
        }
    }
}

impl Index {
    pub fn name(&self) -> String {
        self.name.value()
    }

    pub fn members_with(&self, role: KeyRole) -> impl Iterator<Item = &IndexMember> {
        self.members
            .iter()
            .filter(move |member| member.attr.role.value == role)
    }
}

/// Gathers the index attributes of all fields into indexes, by kind and name.
/// A GSI and an LSI of the same name stay two indexes, so that `check` can
/// report the clash.
fn group_indexes(fields: &[Field]) -> Vec<Index> {
    let mut indexes: Vec<Index> = Vec::new();
    for (position, field) in fields.iter().enumerate() {
        for attr in &field.attrs.indexes {
            let member = IndexMember {
                field: position,
                attr: attr.clone(),
            };
            let name = attr.name.value();
            match indexes
                .iter_mut()
                .find(|index| index.kind == attr.kind && index.name.value() == name)
            {
                Some(index) => index.members.push(member),
                None => indexes.push(Index {
                    kind: attr.kind,
                    name: attr.name.clone(),
                    members: vec![member],
                }),
            }
        }
    }
    indexes
}
