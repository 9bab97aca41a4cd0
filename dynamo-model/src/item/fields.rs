//! What the model says about each stored field, as data the derive emits:
//! its Rust and attribute names, its role, and the kind of value serde
//! stores for it. The by-name forms (`set_by_name`, [`Condition::path`])
//! are checked against it before any request.
//!
//! [`Condition::path`]: crate::Condition::path

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::marker::PhantomData;

use aws_sdk_dynamodb::types::AttributeValue;

/// A stored field of a model. Emitted by the derive (see
/// [`DynamoModel::field_infos`](crate::DynamoModel::field_infos)).
///
/// ```
/// use dynamo_model::{DynamoModel, FieldRole};
/// # #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
/// # #[serde(rename_all = "camelCase")]
/// # struct Order { #[hash_key] id: String, created_at: i64 }
/// let created = Order::field_infos().iter().find(|f| f.name() == "created_at").unwrap();
/// assert_eq!(created.attribute(), "createdAt");
/// assert_eq!(created.role(), FieldRole::Attribute);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct FieldInfo {
    pub(crate) name: &'static str,
    pub(crate) attribute: &'static str,
    pub(crate) role: FieldRole,
    pub(crate) optional: bool,
    pub(crate) kind: fn() -> ValueKind,
    pub(crate) set: Option<SetKind>,
    /// `#[serde(default)]` (on the field or the struct): an item without it
    /// still reads.
    pub(crate) defaulted: bool,
    /// The numbers the field's Rust type holds, where it is a number type.
    pub(crate) numbers: fn() -> Option<NumberRange>,
}

/// The numbers a Rust number type holds: a value outside them is refused
/// before it is written (it would be stored, then fail every read).
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberRange {
    /// Whole numbers from `min` to `max`.
    Integer {
        ty: &'static str,
        min: i128,
        max: u128,
    },
    /// `f32`: up to about 3.4e38 in size.
    F32,
    /// `f64`.
    F64,
}

impl NumberRange {
    fn type_name(self) -> &'static str {
        match self {
            NumberRange::Integer { ty, .. } => ty,
            NumberRange::F32 => "f32",
            NumberRange::F64 => "f64",
        }
    }

    /// The largest value, for a version at its end.
    pub(crate) fn max(self) -> Option<u128> {
        match self {
            NumberRange::Integer { max, .. } => Some(max),
            _ => None,
        }
    }

    /// Whether the number `text` is one this type holds; `whole_only`
    /// checks only that it is whole and no larger than the type's span
    /// (for an ADD, whose value is a change, not the value stored).
    pub(crate) fn admits(self, text: &str, whole_only: bool) -> Result<(), String> {
        let ty = self.type_name();
        let float: f64 = text
            .trim()
            .parse()
            .map_err(|_| format!("`{text}` is not a number"))?;
        match self {
            NumberRange::F32 if float.is_finite() && float.abs() > f64::from(f32::MAX) => {
                Err(format!("`{text}` is larger than an `f32` holds"))
            }
            NumberRange::F32 | NumberRange::F64 => Ok(()),
            NumberRange::Integer { min, max, .. } => {
                let decimal = super::canonical::Decimal::parse(text.trim())
                    .ok_or_else(|| format!("`{text}` is not a number"))?;
                if decimal.last_power() < 0 {
                    return Err(format!(
                        "`{text}` is not a whole number, and `{ty}` holds only whole numbers"
                    ));
                }
                let negative = decimal.negative;
                let out_of_range =
                    || format!("`{text}` is outside what `{ty}` holds ({min} to {max})");
                if decimal.magnitude >= 39 {
                    return Err(out_of_range());
                }
                let digits = decimal.digits().try_fold(0u128, |n, d| {
                    n.checked_mul(10)?.checked_add(u128::from(d - b'0'))
                });
                let magnitude = digits
                    .and_then(|n| {
                        n.checked_mul(10u128.checked_pow(decimal.last_power().max(0) as u32)?)
                    })
                    .ok_or_else(out_of_range)?;
                let span = max.max(min.unsigned_abs());
                let fits = match (whole_only, negative) {
                    (true, _) => magnitude <= span,
                    (false, false) => magnitude <= max,
                    (false, true) => min < 0 && magnitude <= min.unsigned_abs(),
                };
                if fits {
                    Ok(())
                } else {
                    Err(out_of_range())
                }
            }
        }
    }
}

/// What a field is to the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldRole {
    /// The table's hash or range key.
    TableKey,
    /// The `#[version]` field.
    Version,
    /// Written through `serde(with = ...)`: no typed values.
    Encoded,
    /// Any other stored field (index keys included).
    Attribute,
}

/// The kind of DynamoDB value serde stores for a Rust type; `Any` where the
/// library cannot tell (a struct of your own, a `serde(with)` field).
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    S,
    N,
    B,
    Bool,
    L,
    M,
    Any,
}

impl ValueKind {
    fn name(self) -> &'static str {
        match self {
            ValueKind::S => "a string (S)",
            ValueKind::N => "a number (N)",
            ValueKind::B => "a binary (B)",
            ValueKind::Bool => "a boolean (BOOL)",
            ValueKind::L => "a list (L)",
            ValueKind::M => "a map (M)",
            ValueKind::Any => "any value",
        }
    }
}

/// A set type a field is stored as (`serde_dynamo::string_set`, ...).
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetKind {
    S,
    N,
    B,
}

impl FieldInfo {
    #[doc(hidden)]
    pub const fn new(
        name: &'static str,
        attribute: &'static str,
        role: FieldRole,
        optional: bool,
        kind: fn() -> ValueKind,
    ) -> Self {
        FieldInfo {
            name,
            attribute,
            role,
            optional,
            kind,
            set: None,
            defaulted: false,
            numbers: || None,
        }
    }

    /// The numbers the field's type holds (from the derive's probe).
    #[doc(hidden)]
    pub const fn numbers(mut self, numbers: fn() -> Option<NumberRange>) -> Self {
        self.numbers = numbers;
        self
    }

    /// The numbers the field's type holds, if it is a number type.
    pub(crate) fn number_range(&self) -> Option<NumberRange> {
        (self.numbers)()
    }

    /// Refuses a number `value` the field's Rust type cannot hold (a
    /// negative or fractional value for a `u32`, one over its maximum).
    /// `change`: the value is an ADD's change, not the value stored.
    pub(crate) fn check_number(&self, value: &AttributeValue, change: bool) -> Result<(), String> {
        let (Some(range), AttributeValue::N(text)) = (self.number_range(), value) else {
            return Ok(());
        };
        range
            .admits(text, change)
            .map_err(|why| format!("field `{}`: {why}", self.name))
    }

    /// Read as its default when the item lacks it (`#[serde(default)]`).
    #[doc(hidden)]
    pub const fn defaulted(mut self) -> Self {
        self.defaulted = true;
        self
    }

    /// Whether an item without this field cannot be read into the model:
    /// a stored field that is neither a key, the version (which every write
    /// sets), an `Option`, nor `#[serde(default)]`.
    ///
    /// ```
    /// use dynamo_model::DynamoModel;
    /// # #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
    /// # struct Order {
    /// #     #[hash_key] id: String,
    /// #     status: String,
    /// #     #[serde(skip_serializing_if = "Option::is_none")] coupon: Option<String>,
    /// #     #[serde(default)] retries: u32,
    /// # }
    /// let required: Vec<&str> = Order::field_infos().iter().filter(|f| f.is_required()).map(|f| f.name()).collect();
    /// assert_eq!(required, ["status"]);
    /// ```
    pub fn is_required(&self) -> bool {
        matches!(self.role, FieldRole::Attribute | FieldRole::Encoded)
            && !self.optional
            && !self.defaulted
    }

    /// Stored as a DynamoDB set through serde_dynamo's set modules.
    #[doc(hidden)]
    pub const fn stored_as_set(mut self, set: SetKind) -> Self {
        self.set = Some(set);
        self
    }

    /// The Rust field name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The attribute name in items.
    pub fn attribute(&self) -> &'static str {
        self.attribute
    }

    /// The field's role.
    pub fn role(&self) -> FieldRole {
        self.role
    }

    /// Whether the field is an `Option`.
    pub fn is_optional(&self) -> bool {
        self.optional
    }

    /// Whether `value` can be what serde stores for this field.
    pub(crate) fn check_value(&self, value: &AttributeValue) -> Result<(), String> {
        let (kind, optional) = ((self.kind)(), self.optional);
        let found = match value {
            AttributeValue::S(_) => ValueKind::S,
            AttributeValue::N(_) => ValueKind::N,
            AttributeValue::B(_) => ValueKind::B,
            AttributeValue::Bool(_) => ValueKind::Bool,
            AttributeValue::L(_) => ValueKind::L,
            AttributeValue::M(_) => ValueKind::M,
            AttributeValue::Null(_) if optional => return Ok(()),
            AttributeValue::Ss(_) | AttributeValue::Ns(_) | AttributeValue::Bs(_)
                if self.set.is_some() =>
            {
                return Ok(())
            }
            _ => {
                return Err(format!(
                    "field `{}` is stored as {}, and the value given is {}",
                    self.name,
                    kind.name(),
                    value_kind(value)
                ))
            }
        };
        let set_as_list = self.set.is_some() && found == ValueKind::L;
        if kind == ValueKind::Any || kind == found || set_as_list {
            Ok(())
        } else {
            Err(format!(
                "field `{}` is stored as {}, and the value given is {}",
                self.name,
                kind.name(),
                value_kind(value)
            ))
        }
    }
}

fn value_kind(value: &AttributeValue) -> &'static str {
    match value {
        AttributeValue::S(_) => ValueKind::S.name(),
        AttributeValue::N(_) => ValueKind::N.name(),
        AttributeValue::B(_) => ValueKind::B.name(),
        AttributeValue::Bool(_) => ValueKind::Bool.name(),
        AttributeValue::L(_) => ValueKind::L.name(),
        AttributeValue::M(_) => ValueKind::M.name(),
        AttributeValue::Null(_) => "null (NULL)",
        AttributeValue::Ss(_) => "a string set (SS)",
        AttributeValue::Ns(_) => "a number set (NS)",
        AttributeValue::Bs(_) => "a binary set (BS)",
        _ => "a value of an unknown type",
    }
}

/// The field of Rust name `name`, or why there is none.
pub(crate) fn find<'f>(fields: &'f [FieldInfo], name: &str) -> Result<&'f FieldInfo, String> {
    fields.iter().find(|f| f.name == name).ok_or_else(|| {
        let known: Vec<&str> = fields.iter().map(|f| f.name).collect();
        format!(
            "the model has no field `{name}` (its stored fields: {})",
            known.join(", ")
        )
    })
}

/// The kind of value serde stores for a Rust type (through the derive's
/// probe, which falls back to `Any` for types not listed here).
#[doc(hidden)]
pub trait StoredKind {
    const KIND: ValueKind;
    /// The numbers the type holds, for number types.
    const NUMBERS: Option<NumberRange> = None;
}

macro_rules! stored {
    ($kind:ident: $($ty:ty),*) => {$(
        impl StoredKind for $ty { const KIND: ValueKind = ValueKind::$kind; }
    )*};
}
macro_rules! integers {
    ($($ty:ident),*) => {$(
        impl StoredKind for $ty {
            const KIND: ValueKind = ValueKind::N;
            const NUMBERS: Option<NumberRange> = Some(NumberRange::Integer {
                ty: stringify!($ty),
                min: $ty::MIN as i128,
                max: $ty::MAX as u128,
            });
        }
    )*};
}
stored!(S: String, str, Box<str>, char, std::borrow::Cow<'_, str>);
integers!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize);
impl StoredKind for f32 {
    const KIND: ValueKind = ValueKind::N;
    const NUMBERS: Option<NumberRange> = Some(NumberRange::F32);
}
impl StoredKind for f64 {
    const KIND: ValueKind = ValueKind::N;
    const NUMBERS: Option<NumberRange> = Some(NumberRange::F64);
}
stored!(Bool: bool);
#[cfg(feature = "uuid")]
stored!(S: uuid::Uuid);
#[cfg(feature = "rust_decimal")]
stored!(N: rust_decimal::Decimal);
#[cfg(feature = "bytes")]
stored!(B: bytes::Bytes);
#[cfg(feature = "serde_bytes")]
stored!(B: serde_bytes::ByteBuf);
stored!(B: aws_smithy_types::Blob);
#[cfg(feature = "chrono")]
impl<Tz: chrono::TimeZone> StoredKind for chrono::DateTime<Tz> {
    const KIND: ValueKind = ValueKind::S;
}

impl<T: StoredKind + ?Sized> StoredKind for &T {
    const KIND: ValueKind = T::KIND;
    const NUMBERS: Option<NumberRange> = T::NUMBERS;
}
impl<T: StoredKind> StoredKind for Option<T> {
    const KIND: ValueKind = T::KIND;
    const NUMBERS: Option<NumberRange> = T::NUMBERS;
}
impl<T> StoredKind for Vec<T> {
    const KIND: ValueKind = ValueKind::L;
}
impl<T> StoredKind for VecDeque<T> {
    const KIND: ValueKind = ValueKind::L;
}
impl<T, S> StoredKind for HashSet<T, S> {
    const KIND: ValueKind = ValueKind::L;
}
impl<T> StoredKind for BTreeSet<T> {
    const KIND: ValueKind = ValueKind::L;
}
impl<K, V, S> StoredKind for HashMap<K, V, S> {
    const KIND: ValueKind = ValueKind::M;
}
impl<K, V> StoredKind for BTreeMap<K, V> {
    const KIND: ValueKind = ValueKind::M;
}

/// Autoref probe: `(&KindProbe::<T>::new()).stored_kind()` is `T`'s
/// [`StoredKind`] when it has one, `Any` otherwise (method resolution tries
/// the `KindProbe` impl, which needs the trait, before the `&KindProbe`
/// one).
#[doc(hidden)]
pub struct KindProbe<T: ?Sized>(PhantomData<fn() -> *const T>);

impl<T: ?Sized> KindProbe<T> {
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Self {
        KindProbe(PhantomData)
    }
}

#[doc(hidden)]
pub trait KnownKind {
    fn stored_kind(&self) -> ValueKind;
    fn number_range(&self) -> Option<NumberRange>;
}

impl<T: StoredKind + ?Sized> KnownKind for KindProbe<T> {
    fn stored_kind(&self) -> ValueKind {
        T::KIND
    }
    fn number_range(&self) -> Option<NumberRange> {
        T::NUMBERS
    }
}

#[doc(hidden)]
pub trait UnknownKind {
    fn stored_kind(&self) -> ValueKind;
    fn number_range(&self) -> Option<NumberRange>;
}

impl<T: ?Sized> UnknownKind for &KindProbe<T> {
    fn stored_kind(&self) -> ValueKind {
        ValueKind::Any
    }
    fn number_range(&self) -> Option<NumberRange> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::needless_borrow)] // the borrow is the probe
    fn the_probe_knows_std_types_and_falls_back_to_any() {
        struct Mine;
        assert_eq!((&KindProbe::<String>::new()).stored_kind(), ValueKind::S);
        assert_eq!(
            (&KindProbe::<Option<u8>>::new()).stored_kind(),
            ValueKind::N
        );
        assert_eq!((&KindProbe::<Mine>::new()).stored_kind(), ValueKind::Any);
    }

    #[test]
    #[allow(clippy::needless_borrow)] // the borrow is the probe
    fn numbers_are_checked_against_the_rust_type() {
        let u32s = (&KindProbe::<u32>::new()).number_range().unwrap();
        assert!(u32s.admits("4294967295", false).is_ok());
        assert!(u32s.admits("4.294967295e9", false).is_ok());
        for (bad, says) in [
            ("-1", "outside"),
            ("4294967296", "outside"),
            ("1.5", "not a whole number"),
            ("1e40", "outside"),
        ] {
            let err = u32s.admits(bad, false).unwrap_err();
            assert!(err.contains(says) && err.contains("u32"), "{bad}: {err}");
        }
        // An ADD's change may be negative, not fractional.
        assert!(u32s.admits("-1", true).is_ok());
        assert!(u32s.admits("0.5", true).is_err());
        let i8s = (&KindProbe::<Option<i8>>::new()).number_range().unwrap();
        assert!(i8s.admits("-128", false).is_ok());
        assert!(i8s.admits("-129", false).is_err());
        let u128s = (&KindProbe::<u128>::new()).number_range().unwrap();
        assert!(u128s.admits(&u128::MAX.to_string(), false).is_ok());
        let f32s = (&KindProbe::<f32>::new()).number_range().unwrap();
        assert!(f32s.admits("1.5", false).is_ok());
        assert!(f32s.admits("1e39", false).is_err());
        assert_eq!((&KindProbe::<String>::new()).number_range(), None);
    }

    #[test]
    fn values_are_checked_against_the_stored_kind() {
        let total = FieldInfo::new("total", "total", FieldRole::Attribute, false, || {
            ValueKind::N
        });
        assert!(total.check_value(&AttributeValue::N("1".into())).is_ok());
        let err = total
            .check_value(&AttributeValue::S("x".into()))
            .unwrap_err();
        assert_eq!(
            err,
            "field `total` is stored as a number (N), and the value given is a string (S)"
        );
        assert!(total.check_value(&AttributeValue::Null(true)).is_err());
        let coupon = FieldInfo::new("coupon", "coupon", FieldRole::Attribute, true, || {
            ValueKind::S
        });
        assert!(coupon.check_value(&AttributeValue::Null(true)).is_ok());
        let tags = FieldInfo::new("tags", "tags", FieldRole::Attribute, false, || ValueKind::L)
            .stored_as_set(SetKind::S);
        assert!(tags
            .check_value(&AttributeValue::Ss(vec!["a".into()]))
            .is_ok());
    }
}
