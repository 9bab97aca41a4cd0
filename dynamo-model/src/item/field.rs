//! Typed field paths: `Order::fields().status` is a [`Field`] that knows its
//! model, its Rust type and its role, so that updates and conditions built
//! from it are checked by the compiler. The derive emits one per stored
//! field, as data; what a path may be used for is written here once, as
//! trait bounds whose messages say what is wrong in the model's terms.

use std::collections::{BTreeSet, HashSet};
use std::fmt;
use std::marker::PhantomData;

use serde::Serialize;

/// The path of one stored field of model `M`, of Rust type `T`, with role
/// `R` ([`Attribute`], [`TableKey`], [`Version`] or [`Encoded`]). Made by
/// the derive: `Order::fields().status`.
///
/// ```
/// use dynamo_model::DynamoModel;
///
/// #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
/// struct Order {
///     #[hash_key]
///     id: String,
///     status: String,
/// }
/// let f = Order::fields();
/// assert_eq!(f.status.attribute(), "status");
/// ```
pub struct Field<M, T, R = Attribute> {
    name: &'static str,
    attribute: &'static str,
    marker: PhantomData<Marker<M, T, R>>,
}

/// Ties a path to its model, type and role without owning any (so a path is
/// `Copy`, `Send` and `Sync` whatever they are).
type Marker<M, T, R> = fn() -> (M, T, R);

impl<M, T, R> Field<M, T, R> {
    /// A path to the attribute `attribute` of the Rust field `name`. Used by
    /// the derive; a hand-made path is checked like any other.
    #[doc(hidden)]
    pub const fn new(name: &'static str, attribute: &'static str) -> Self {
        Field {
            name,
            attribute,
            marker: PhantomData,
        }
    }

    /// The Rust field name.
    ///
    /// ```
    /// # use dynamo_model::DynamoModel;
    /// # #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
    /// # #[serde(rename_all = "camelCase")]
    /// # struct Order { #[hash_key] id: String, created_at: i64 }
    /// assert_eq!(Order::fields().created_at.name(), "created_at");
    /// ```
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The attribute name in items (after serde renames).
    ///
    /// ```
    /// # use dynamo_model::DynamoModel;
    /// # #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
    /// # #[serde(rename_all = "camelCase")]
    /// # struct Order { #[hash_key] id: String, created_at: i64 }
    /// assert_eq!(Order::fields().created_at.attribute(), "createdAt");
    /// ```
    pub fn attribute(&self) -> &'static str {
        self.attribute
    }
}

impl<M, T, R> Clone for Field<M, T, R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M, T, R> Copy for Field<M, T, R> {}

impl<M, T, R> fmt::Debug for Field<M, T, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Field({} as `{}`)", self.name, self.attribute)
    }
}

/// Role of an ordinary attribute: it can be set, compared and (if it is an
/// `Option`) removed.
#[derive(Debug, Clone, Copy)]
pub enum Attribute {}

/// Role of the table's hash or range key: it can be compared, never set.
#[derive(Debug, Clone, Copy)]
pub enum TableKey {}

/// Role of the `#[version]` field: the library bumps it, so it is never set
/// by hand.
#[derive(Debug, Clone, Copy)]
pub enum Version {}

/// Role of a field written through `serde(with = ...)` or
/// `serialize_with`: its stored form is not its Rust type's, so a typed
/// value cannot stand for it (use the `_by_name` forms with the stored
/// value).
#[derive(Debug, Clone, Copy)]
pub enum Encoded {}

/// Roles an update may write.
#[diagnostic::on_unimplemented(
    message = "an update cannot write a `{Self}` field",
    label = "not writable by `set`, `remove` or `add`",
    note = "a table key cannot change (put a new item and delete the old one); a `#[version]` field is bumped by the library; a `serde(with = ...)` field is written with `set_by_name`"
)]
pub trait Writable {}
impl Writable for Attribute {}

/// Roles whose typed values mean what the item stores.
#[diagnostic::on_unimplemented(
    message = "this field is written through `serde(with = ...)`: a typed value would not match what the item stores",
    label = "no typed values for this field",
    note = "use the `_by_name` forms with the value as it is stored"
)]
pub trait TypedValues {}
impl TypedValues for Attribute {}
impl TypedValues for TableKey {}
impl TypedValues for Version {}

/// A Rust value that stands for a value of field type `T`: `T` itself, a
/// reference to one, `&str` for `String`, or a plain value for an
/// `Option` field.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a value of this field's type `{T}`",
    label = "expected a `{T}` here",
    note = "a field of type `T` takes a `T`, a `&T`, a `&str` where `T` is `String`, and an `Option<T>` field also takes a plain `T`"
)]
pub trait ValueOf<T> {
    /// The value to encode.
    #[doc(hidden)]
    fn encodable(&self) -> &dyn erased::Encodable;
}

/// Object-safe serde: values of any type kept until the request is built.
#[doc(hidden)]
pub mod erased {
    use aws_sdk_dynamodb::types::AttributeValue;

    /// Something serde_dynamo can encode.
    pub trait Encodable {
        /// The attribute value, or serde's reason.
        fn encode(&self) -> Result<AttributeValue, String>;
    }

    impl<T: serde::Serialize + ?Sized> Encodable for T {
        fn encode(&self) -> Result<AttributeValue, String> {
            serde_dynamo::to_attribute_value(self).map_err(|err| err.to_string())
        }
    }
}

impl<T: Serialize> ValueOf<T> for T {
    fn encodable(&self) -> &dyn erased::Encodable {
        self
    }
}

impl<T: Serialize> ValueOf<T> for &T {
    fn encodable(&self) -> &dyn erased::Encodable {
        *self
    }
}

impl<T: Serialize> ValueOf<Option<T>> for T {
    fn encodable(&self) -> &dyn erased::Encodable {
        self
    }
}

impl ValueOf<String> for &str {
    fn encodable(&self) -> &dyn erased::Encodable {
        self
    }
}

impl ValueOf<Option<String>> for &str {
    fn encodable(&self) -> &dyn erased::Encodable {
        self
    }
}

/// Field types `remove` accepts: an `Option`, whose `None` is an item
/// without the attribute.
#[diagnostic::on_unimplemented(
    message = "`remove` needs an `Option` field, and this field is a `{Self}`",
    label = "this field always has a value, so removing it would leave an item serde cannot read back",
    note = "make the field an `Option<_>` (with `#[serde(skip_serializing_if = \"Option::is_none\")]`), or `set` a new value"
)]
pub trait Removable {}
impl<T> Removable for Option<T> {}

/// How DynamoDB's ADD treats a field type.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddKind {
    /// Adds to a number.
    Number,
    /// Adds elements to a set.
    Set,
}

/// Field types `add` accepts: numbers (ADD adds) and sets (ADD unions).
#[diagnostic::on_unimplemented(
    message = "`add` needs a number or a set field, and this field is a `{Self}`",
    label = "DynamoDB's ADD only adds to numbers and sets",
    note = "use `set` to replace the value"
)]
pub trait Addable {
    /// Number or set.
    #[doc(hidden)]
    const KIND: AddKind;
}

macro_rules! addable_numbers {
    ($($ty:ty),*) => {$(
        impl Addable for $ty { const KIND: AddKind = AddKind::Number; }
    )*};
}
addable_numbers!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, f32, f64);
#[cfg(feature = "rust_decimal")]
addable_numbers!(rust_decimal::Decimal);

impl<T, S> Addable for HashSet<T, S> {
    const KIND: AddKind = AddKind::Set;
}
impl<T> Addable for BTreeSet<T> {
    const KIND: AddKind = AddKind::Set;
}
impl<T: Addable> Addable for Option<T> {
    const KIND: AddKind = T::KIND;
}

/// Field types `begins_with` accepts: strings (and binaries, which
/// DynamoDB also compares by prefix).
#[diagnostic::on_unimplemented(
    message = "`begins_with` needs a string field, and this field is a `{Self}`",
    label = "only strings have a prefix"
)]
pub trait Prefixed {}
impl Prefixed for String {}
impl Prefixed for Box<str> {}
impl Prefixed for &str {}
impl<T: Prefixed> Prefixed for Option<T> {}

/// Field types `contains` accepts, with the type of what they contain:
/// strings (a substring), lists and sets (an element).
#[diagnostic::on_unimplemented(
    message = "`contains` needs a string, list or set field, and this field is a `{Self}`",
    label = "nothing to look inside"
)]
pub trait Container {
    /// A substring or an element.
    type Element;
}
impl Container for String {
    type Element = String;
}
impl<T> Container for Vec<T> {
    type Element = T;
}
impl<T, S> Container for HashSet<T, S> {
    type Element = T;
}
impl<T> Container for BTreeSet<T> {
    type Element = T;
}
impl<T: Container> Container for Option<T> {
    type Element = T::Element;
}
