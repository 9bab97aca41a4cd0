//! An entity's key, as item calls take it: the values of its key templates'
//! placeholders, `pk`'s then those of `sk` not in `pk`, which the templates
//! render into the table's key attributes. `users.get("u1")`,
//! `orders.get(("c1", created, "o1"))`.

use std::marker::PhantomData;

use super::template::RenderValue;
use super::template_value::TemplateValue;
use crate::item::key::{IntoKey, KeyParts, KeyShape, NoRange, PartitionOf};

/// The key of an entity: `T` is the tuple of the Rust types of its key
/// templates' placeholders (`pk`'s, then those of `sk` not in `pk`), `P`
/// that of `pk`'s alone (what a query of one partition takes), and `R`
/// the sort key's range type: [`EntitySort<S>`] for a sort template whose
/// first placeholder is of type `S` (and not in `pk`), else
/// [`NoRange`]. A model's [`DynamoModel::Key`](crate::DynamoModel::Key)
/// when it is an entity of a shared table. A key of one placeholder is
/// passed as the value itself, of several as a tuple, of none as `()`.
///
/// ```
/// use dynamo_model::{DynamoModel, DynamoTable, EntityKey, EntitySort, ItemKey};
///
/// #[derive(DynamoTable)]
/// #[dynamo(name = "app", hash_key = "pk", range_key = "sk")]
/// struct App;
///
/// #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
/// #[dynamo(table = App, entity = "order", pk = "CUSTOMER#{customer}", sk = "ORDER#{number}")]
/// struct Order { customer: String, number: u32, total: u64 }
///
/// let _: std::marker::PhantomData<EntityKey<(String, u32), (String,), EntitySort<u32>>> =
///     std::marker::PhantomData::<<Order as DynamoModel>::Key>;
/// let key = ItemKey::of::<Order>(&("c1", 7))?;
/// assert_eq!(key.to_string(), r#"pk = "CUSTOMER#c1", sk = "ORDER#0000000007""#);
/// # Ok::<(), dynamo_model::Error>(())
/// ```
pub struct EntityKey<T, P = (), R = NoRange>(Types<(T, P, R)>);

/// Types a marker stands for, owning none of them.
type Types<T> = PhantomData<fn() -> T>;

/// A query of an entity takes its partition template's values
/// ([`PartitionOf`](crate::PartitionOf)), and range conditions on its sort
/// template's first placeholder.
impl<T, P, R> KeyShape for EntityKey<T, P, R> {
    const HAS_RANGE: bool = false;
    type Hash = P;
    type Range = R;
}

/// The range type of a query of an entity whose sort template starts with a
/// placeholder of type `S` (after its constant text): `range_ge(x)` and the
/// like take an `S`, rendered as the template renders it, and only the
/// entity's items come back.
pub struct EntitySort<S>(PhantomData<fn() -> S>);

impl<S> crate::SortKey for EntitySort<S> {}
impl crate::Prefixed for EntitySort<String> {}

/// A Rust value that can stand for a placeholder of type `T`: a `T`, a
/// `&T`, or a `&str` for a `String` placeholder.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a value of key placeholder type `{T}`",
    label = "expected a `{T}` placeholder value",
    note = "an entity's key is the values of its key templates' placeholders (`pk`'s, then `sk`'s), as a tuple when there are several"
)]
pub trait TemplatePart<T> {
    /// The value to render.
    #[doc(hidden)]
    fn render_value(&self) -> &dyn RenderValue;
}

impl<T: TemplateValue> TemplatePart<T> for T {
    fn render_value(&self) -> &dyn RenderValue {
        self
    }
}

impl<T: TemplateValue> TemplatePart<T> for &T {
    fn render_value(&self) -> &dyn RenderValue {
        *self
    }
}

impl TemplatePart<String> for &str {
    fn render_value(&self) -> &dyn RenderValue {
        self
    }
}

impl<P, R> IntoKey<EntityKey<(), P, R>> for () {
    fn parts(&self) -> KeyParts<'_> {
        KeyParts::Template(Vec::new())
    }
}

// A key of one placeholder is its value: written out for `T`, `&T` and
// `&str` rather than over every `TemplatePart`, so that a key read from an
// item (`ItemKey`) can stand for an entity's key too.
impl<T: TemplateValue, P, R> IntoKey<EntityKey<(T,), P, R>> for T {
    fn parts(&self) -> KeyParts<'_> {
        KeyParts::Template(vec![self])
    }
}

impl<T: TemplateValue, P, R> IntoKey<EntityKey<(T,), P, R>> for &T {
    fn parts(&self) -> KeyParts<'_> {
        KeyParts::Template(vec![*self])
    }
}

impl<P, R> IntoKey<EntityKey<(String,), P, R>> for &str {
    fn parts(&self) -> KeyParts<'_> {
        KeyParts::Template(vec![self])
    }
}

impl<T, R> PartitionOf<EntityKey<T, (), R>> for () {
    fn partition(&self) -> KeyParts<'_> {
        KeyParts::Template(Vec::new())
    }
}

impl<T, P: TemplateValue, R> PartitionOf<EntityKey<T, (P,), R>> for P {
    fn partition(&self) -> KeyParts<'_> {
        KeyParts::Template(vec![self])
    }
}

impl<T, P: TemplateValue, R> PartitionOf<EntityKey<T, (P,), R>> for &P {
    fn partition(&self) -> KeyParts<'_> {
        KeyParts::Template(vec![*self])
    }
}

impl<T, R> PartitionOf<EntityKey<T, (String,), R>> for &str {
    fn partition(&self) -> KeyParts<'_> {
        KeyParts::Template(vec![self])
    }
}

macro_rules! tuple_keys {
    ($(($($t:ident $a:ident $i:tt),+))+) => {$(
        impl<$($t, $a: TemplatePart<$t>,)+ P, R> IntoKey<EntityKey<($($t,)+), P, R>> for ($($a,)+) {
            fn parts(&self) -> KeyParts<'_> {
                KeyParts::Template(vec![$(self.$i.render_value()),+])
            }
        }

        impl<$($t, $a: TemplatePart<$t>,)+ T, R> PartitionOf<EntityKey<T, ($($t,)+), R>> for ($($a,)+) {
            fn partition(&self) -> KeyParts<'_> {
                KeyParts::Template(vec![$(self.$i.render_value()),+])
            }
        }
    )+};
}

tuple_keys! {
    (T0 A0 0)
    (T0 A0 0, T1 A1 1)
    (T0 A0 0, T1 A1 1, T2 A2 2)
    (T0 A0 0, T1 A1 1, T2 A2 2, T3 A3 3)
    (T0 A0 0, T1 A1 1, T2 A2 2, T3 A3 3, T4 A4 4)
    (T0 A0 0, T1 A1 1, T2 A2 2, T3 A3 3, T4 A4 4, T5 A5 5)
}

/// A field a template can read: a [`TemplateValue`], or an `Option` of one
/// for an index template (an item without it is left out of the index).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be written into a key template",
    label = "not a key template value",
    note = "a placeholder's field must implement `dynamo_model::TemplateValue` (strings, integers, UUIDs, dates and times), or be an `Option` of one in an index template"
)]
pub trait TemplateField {
    /// The value, `None` when there is none.
    #[doc(hidden)]
    fn template_value(&self) -> Option<&dyn RenderValue>;
}

impl<T: TemplateValue> TemplateField for T {
    fn template_value(&self) -> Option<&dyn RenderValue> {
        Some(self)
    }
}

impl<T: TemplateValue> TemplateField for Option<T> {
    fn template_value(&self) -> Option<&dyn RenderValue> {
        self.as_ref().map(|v| v as &dyn RenderValue)
    }
}

/// A key with a sort key, which an entity's `sk` template can write: the
/// key of a table with a sort key, or an index handle with one.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no sort key, so an entity cannot give it an `sk` template",
    label = "nothing for this `sk` template to write",
    note = "leave the `sk` template out, or give the table definition (or the index) a `range_key`"
)]
pub trait HasSortKey {}

impl<H, R> HasSortKey for crate::HashAndRangeKey<H, R> {}

/// A table definition's index keys are strings.
impl<M, H> HasSortKey for crate::Index<M, H, String> {}

/// Compiles only for a table definition with a sort key.
#[doc(hidden)]
pub fn has_sort_key<T: crate::DynamoTable>()
where
    T::Key: HasSortKey,
{
}

/// Whether a table definition has a sort key, at compile time.
#[doc(hidden)]
pub const fn has_range<T: crate::DynamoTable>() -> bool {
    <T::Key as KeyShape>::HAS_RANGE
}

/// Compiles only for an index handle with a sort key.
#[doc(hidden)]
pub fn index_has_sort_key<I: HasSortKey>(_: &I) {}

/// The typed index handles of a table definition, for its entities.
#[doc(hidden)]
pub fn table_indexes<T: crate::DynamoTable>() -> T::Indexes {
    T::indexes()
}

/// A table key placeholder's value: a [`TemplateValue`] (never an
/// `Option`: a table key is always written).
#[doc(hidden)]
pub fn table_key_value<T: TemplateValue>(value: &T) -> Option<&dyn RenderValue> {
    Some(value)
}

/// The schema of a table definition, for its entities.
#[doc(hidden)]
pub fn table_schema<T: crate::DynamoTable>() -> &'static crate::TableSchema {
    T::schema()
}

/// The key of an entity model: what a collection's variants have.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "a collection's variant must be an entity of a shared table, and its key is `{Self}`",
    label = "not an entity model",
    note = "give the model `#[dynamo(table = App, entity = \"...\", pk = \"...\")]`"
)]
pub trait IsEntityKey {}

impl<T, P, R> IsEntityKey for EntityKey<T, P, R> {}

/// Compiles only for an entity model.
#[doc(hidden)]
pub fn is_entity<M: crate::DynamoModel>()
where
    M::Key: IsEntityKey,
{
}

/// A collection variant's partition placeholders' types (`Self`) are the
/// first variant's (`First`): only then can one partition key value name
/// both entities' items.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "the partition templates of this collection's variants differ: this variant's placeholders are `{Self}`, the first variant's are `{First}`",
    label = "partition placeholders of other types than the first variant's",
    note = "one query reads the collection's partition: every variant's `pk` template must be the same text with placeholders of the same types, in the same order"
)]
pub trait SamePartition<First> {}

impl<T> SamePartition<T> for T {}

/// Compiles only when variant `V`'s partition placeholders are of the
/// types `First`'s are.
#[doc(hidden)]
pub fn same_partition<First, V>()
where
    V: SamePartition<First>,
{
}

/// Whether two partition templates give the same keys from the same values:
/// the same text, placeholders in the same places (their names aside; their
/// types are compared by the compiler).
#[doc(hidden)]
pub const fn same_template(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    loop {
        if i == a.len() || j == b.len() {
            return i == a.len() && j == b.len();
        }
        if a[i] == b'{' && b[j] == b'{' {
            while i < a.len() && a[i] != b'}' {
                i += 1;
            }
            while j < b.len() && b[j] != b'}' {
                j += 1;
            }
            continue;
        }
        if a[i] != b[j] {
            return false;
        }
        i += 1;
        j += 1;
    }
}
