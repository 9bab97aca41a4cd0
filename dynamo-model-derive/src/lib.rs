//! The `#[derive(DynamoModel)]` macro of `dynamo-model`; use it through the
//! `dynamo_model` crate, which re-exports it.
//!
//! A pipeline in the manner of serde_derive: `attr` reads attributes,
//! `model` builds the struct's view (attribute names, indexes), `check` and
//! `check_index` enforce DynamoDB's rules, collecting every error in a
//! `ctxt::Ctxt` so all of them are reported at once, and `expand` emits a
//! `'static` schema. `case` and `types` are the pure helpers; DynamoDB's schema rules
//! themselves live in `dynamo-model-rules`, shared with the runtime.

mod attr;
mod case;
mod check;
mod check_index;
mod collection;
mod ctxt;
mod entity;
mod entity_attr;
mod expand;
mod fields;
mod indexes;
mod model;
mod shape;
mod table_def;

mod test_attr;
mod types;

use proc_macro::TokenStream;

/// Derives `dynamo_model::DynamoModel`: the struct describes a DynamoDB
/// table, and `schema()` returns it as a `'static` `TableSchema` (table name,
/// keys with their attribute types, indexes, projections, TTL attribute).
/// Nothing else is generated; every operation lives in `dynamo_model`.
///
/// # Struct attributes
///
/// | attribute | meaning |
/// |---|---|
/// | `#[dynamo(table = "orders")]` | The table name. Default: the struct's name in snake_case (`OrderItem` gives `order_item`). |
/// | `#[serde(rename_all = "...")]` | Read, not required: attribute names are the names serde writes (`rename_all` or its `serialize = "..."` half). All of serde's cases are supported. |
///
/// # Entities of a shared table
///
/// `#[dynamo(table = App, entity = "user", pk = "USER#{id}", sk = "PROFILE",
/// gsi1(pk = "EMAIL#{email}", sk = "USER"))]` makes the struct one entity
/// type of the table that `App` (a `#[derive(DynamoTable)]`) defines. Its
/// items' key attributes are written from the templates, whose placeholders
/// are field names, and its name is written in the table's entity attribute
/// (`_type` by default); the fields stay plain attributes. Its
/// `DynamoModel::Key` is `EntityKey<(..), (..), R>`: the placeholders of
/// `pk`, then those of `sk` not in `pk` (`users.get("u1")`,
/// `orders.get(("c1", 7))`); those of `pk` alone for a query of one
/// partition (`orders.query("c1")`, which reads only the entity's keys);
/// and `R = EntitySort<S>` when the `sk` template starts with a placeholder
/// of type `S` (after its text), for typed ranges on it
/// (`orders.query("c1").range_ge(created)`).
///
/// | argument | meaning |
/// |---|---|
/// | `table = App` | The table definition (a type deriving `DynamoTable`). |
/// | `entity = "user"` | The entity's name, written on its items and checked on every read. |
/// | `pk = "USER#{id}"` | The template of the table's partition key. Required. |
/// | `sk = "PROFILE"` | The template of the table's sort key; required when the table has one, refused when it has none. |
/// | `gsi1(pk = "...", sk = "...")` | The templates of index `gsi1`'s keys, the index named as the table's typed handle names it (`App::indexes().gsi1`). An `Option` field in them leaves an item without it out of the index. `sk` alone: a local index's sort key. |
///
/// Checked at compile time, at the culprit: each placeholder is a stored
/// field of a `TemplateValue` type (an `Option` of one only in an index
/// template), each template parses, each index is one the table declares, an
/// `sk` template has a sort key to write and a table with a sort key has an
/// `sk` template; fields take no `#[hash_key]`, `#[range_key]`, `#[gsi]`,
/// `#[lsi]` or `#[ttl]` (the table definition declares them). A field a
/// template reads cannot be set by an update (its key would be left
/// behind). The rules that need the table's attributes (two templates
/// writing one attribute, a local index's partition template) are checked
/// by `DynamoModel::entity()` at first use, as `Error::InvalidSchema`.
///
/// # Field attributes
///
/// | attribute | meaning |
/// |---|---|
/// | `#[hash_key]` | The table's partition key. Exactly one field. |
/// | `#[range_key]` | The table's sort key. At most one field. |
/// | `#[gsi(name = "by_status", hash_key)]` | The field is a partition-key attribute of global secondary index `by_status`. Several fields with `hash_key` (up to 4) form a multi-attribute key, in field order. |
/// | `#[gsi(name = "by_status", range_key)]` | The field is a sort-key attribute of that GSI (up to 4, in field order). |
/// | `#[lsi(name = "by_created")]` | The field is the sort key of local secondary index `by_created`, whose partition key is the table's `#[hash_key]`. `range_key` may be written; `hash_key` may not. The table needs a `#[range_key]`. |
/// | `#[ttl]` | The attribute DynamoDB's time to live reads: a number of seconds since the Unix epoch (`i64`, `u64`, `Option<i64>`, ...). At most one field. |
/// | `#[dynamo(type = "S")]` | The stored type (`"S"`, `"N"` or `"B"`) of a key or TTL field, instead of inferring it from the Rust type; for fields serialized with `#[serde(with = "...")]` and the like. |
/// | `#[serde(rename = "...")]` | Read, not required: the field's attribute name. A key field must have the same name for serializing and deserializing. |
///
/// A field may be in several indexes (one `#[gsi]`/`#[lsi]` per index), and
/// a table key may also be an index key.
///
/// # Index settings
///
/// Given on any one field of the index (at most one):
///
/// | argument | meaning |
/// |---|---|
/// | `projection = "all"` | Project every attribute (the default). |
/// | `projection = "keys_only"` | Project only the key attributes. |
/// | `include = ["total", "status"]` | An `INCLUDE` projection of these fields. Rust field names; the index gets their attribute names. Not with `projection`. |
/// | `read_capacity = 5, write_capacity = 5` | GSI only: the index's provisioned capacity, both or neither, at least 1. |
///
/// # Key types
///
/// A key's attribute type comes from the field's Rust type through the
/// `dynamo_model::KeyType` trait (`String`, `&str`, `Cow<str>` are `S`;
/// integers, floats and `NonZero*` are `N`; binary types are `B`; implement
/// the trait for your own newtypes). An index key may be an `Option` of a key
/// type: items without it are left out of the index (a sparse index). A table
/// key may not be an `Option`. A type that cannot be a key is a compile error
/// pointing at the field's type.
///
/// Lifetime parameters are allowed (`&'a str` keys); type and const
/// parameters are not, because the schema is one `static`.
///
/// # Errors
///
/// Every broken rule of a struct is reported in the same compile, each at
/// the attribute or field at fault: a missing or second `#[hash_key]`, a
/// second `#[range_key]`, unsupported key types, `Option` table keys, indexes
/// without a partition key or with too many key attributes, LSIs with more
/// than one field or on a table without a sort key, more than 20 GSIs or 5
/// LSIs, duplicate index names, table and index names outside DynamoDB's rule
/// (3 to 255 characters of `A-Z a-z 0-9 _ - .`), two fields with the same
/// attribute name, a `#[ttl]` that is not a number, keys that serde skips or
/// flattens, and unknown, duplicate or malformed arguments.
#[proc_macro_derive(
    DynamoModel,
    attributes(dynamo, hash_key, range_key, gsi, lsi, ttl, version)
)]
pub fn derive_dynamo_model(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    expand::derive(&input).into()
}

/// Derives `dynamo_model::DynamoTable` (and `DynamoModel`) for a table
/// definition that several entity models share (single-table design): a
/// unit struct naming the table's physical key attributes (always strings)
/// and its indexes. Its schema is a `'static` `TableSchema`, as a model's
/// is, so `db.table::<App>()` creates, plans, applies, exports and locks it,
/// and fixtures take it (`models(App)`).
///
/// ```text
/// #[derive(DynamoTable)]
/// #[dynamo(name = "app", hash_key = "pk", range_key = "sk",
///          gsi(name = "gsi1", hash_key = "gsi1pk", range_key = "gsi1sk"),
///          lsi(name = "by_created", range_key = "created"), ttl = "expires")]
/// struct App;
/// ```
///
/// | argument | meaning |
/// |---|---|
/// | `name = "app"` | The table name. Default: the struct's name in snake_case. |
/// | `hash_key = "pk"` | The partition key attribute (type S). Required. |
/// | `range_key = "sk"` | The sort key attribute (type S). |
/// | `gsi(name = "...", hash_key = "...", range_key = "...", projection = "all" \| "keys_only")` | A global secondary index with string keys; `range_key` and `projection` optional (default: all). |
/// | `lsi(name = "...", range_key = "...", projection = ...)` | A local secondary index (needs the table's `range_key`). |
/// | `ttl = "expires"` | The time-to-live attribute. |
/// | `entity_attribute = "_type"` | The attribute naming each item's entity type (default `_type`). |
///
/// Every broken rule is reported in one compile at the argument at fault:
/// a missing `hash_key`, a struct with fields, names outside DynamoDB's
/// rules, duplicate index names, too many indexes, an LSI on a table
/// without a sort key, unknown or duplicate arguments.
#[proc_macro_derive(DynamoTable, attributes(dynamo))]
pub fn derive_dynamo_table(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    table_def::derive(&input).into()
}

/// Derives `dynamo_model::ItemShape` for an older shape of a model, kept in
/// code to read the items stored at it: `#[dynamo(shape = 2, upgrades_from
/// = OrderV1)]` (no `upgrades_from` for shape 1), with `From<OrderV1> for
/// OrderV2`. The model itself names its shape in its `#[dynamo(...)]`
/// (`shape = 3, upgrades_from = OrderV2`). Each shape must be one more than
/// the one it upgrades from: a gap or a cycle does not compile. (Compiled
/// examples: `dynamo_model::ItemShape`.)
///
/// ```text
/// use dynamo_model::ItemShape;
///
/// #[derive(ItemShape, serde::Deserialize)]
/// #[dynamo(shape = 1)]
/// struct OrderV1 { id: String, total: f64 }
///
/// assert_eq!(<OrderV1 as ItemShape>::SHAPE, 1);
/// ```
#[proc_macro_derive(ItemShape, attributes(dynamo))]
pub fn derive_item_shape(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    shape::derive(&input).into()
}

/// Derives a collection: an enum of entity models of one shared table, one
/// newtype variant per entity (`enum CustomerView { Profile(Customer),
/// Order(Order) }`), read by one query of a partition,
/// `db.table::<CustomerView>().query("c1")`, each item as the variant its
/// entity attribute names. Items of entities outside the enum are skipped
/// (a filter on the entity attribute), or reported as
/// `Error::WrongEntity` with `.report_unknown_entities()`.
///
/// Checked at compile time, at each variant: it is an entity model; its
/// partition template is the first variant's (the same text, placeholders
/// of the same types in the same places), so that one partition holds
/// them all. A collection has no item key: get, put and delete are its
/// variants'; a put of a collection that derives `Serialize` is refused
/// before any request. It reads its items itself, so it cannot derive
/// `Deserialize` too: rustc reports that as E0119, "conflicting
/// implementations of trait `ReadItem`" (a derive cannot see the derives
/// beside it to say so itself).
#[proc_macro_derive(DynamoCollection)]
pub fn derive_dynamo_collection(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    collection::derive(&input).into()
}

/// An async test that runs against fresh tables of the given models:
/// `#[dynamo_model::test(models(User, Order))] async fn t(db: Db) { ... }`.
///
/// Each test gets a local DynamoDB (the embedded one, or the endpoint in
/// `DYNAMODB_ENDPOINT`), its own prefixed tables, and a `Db` aimed at them;
/// the tables are deleted when the test ends, also when it panics. The
/// function may return `()` or a `Result<(), E: Debug>`, and may take no
/// argument. Use it through `dynamo_model::test` (feature `testing`).
///
/// `items(f, ...)` seeds the tables before the test starts: each `f` is a
/// function returning the items of one model (any `IntoIterator` of them;
/// the model's table is added if `models` does not list it), written as
/// `TestTables::with_items` writes them:
/// `#[dynamo_model::test(models(User), items(two_users))]`.
///
/// `stream = NewAndOldImages` (a `StreamView`) turns the tables' stream on,
/// to read the test's changes with `Table::changes` (feature `streams`; on
/// the backends with streams: the embedded one, DynamoDB Local and moto).
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    test_attr::expand(args.into(), item.into()).into()
}
