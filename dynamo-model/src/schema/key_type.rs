//! Which DynamoDB scalar type (S, N or B) a Rust type is stored as.
//!
//! The derive asks these traits, never the spelling of a type, so a newtype of
//! your own can be a key once it implements [`KeyType`], and a type that cannot
//! be a key is a compile error pointing at the field.

use crate::AttributeType;

/// A Rust type that serde stores as a DynamoDB string, number or binary, and
/// so can be a table or index key.
///
/// Implement it for your own key newtypes:
///
/// ```
/// use dynamo_model::{AttributeType, KeyType};
///
/// #[derive(serde::Serialize, serde::Deserialize)]
/// #[serde(transparent)]
/// struct CustomerId(String);
///
/// impl KeyType for CustomerId {
///     const ATTRIBUTE_TYPE: AttributeType = AttributeType::S;
/// }
/// assert_eq!(<CustomerId as KeyType>::ATTRIBUTE_TYPE, AttributeType::S);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a DynamoDB key: keys must be S (string), N (number) or B (binary)",
    label = "this key field's type is not stored as S, N or B",
    note = "implement `dynamo_model::KeyType` for it, or name the stored type with `#[dynamo(type = \"S\")]` (or \"N\", \"B\") on the field"
)]
pub trait KeyType {
    /// The scalar type serde gives values of this type in an item.
    ///
    /// ```
    /// use dynamo_model::{AttributeType, KeyType};
    /// assert_eq!(<u64 as KeyType>::ATTRIBUTE_TYPE, AttributeType::N);
    /// assert_eq!(<String as KeyType>::ATTRIBUTE_TYPE, AttributeType::S);
    /// ```
    const ATTRIBUTE_TYPE: AttributeType;
}

/// A type allowed as an index key: any [`KeyType`], or an `Option` of one
/// (items where it is `None` are left out of the index: a sparse index).
///
/// ```
/// use dynamo_model::{AttributeType, DynamoModel, IndexKeyType};
///
/// #[derive(DynamoModel, serde::Serialize)]
/// struct Order {
///     #[hash_key]
///     id: String,
///     #[gsi(name = "by_coupon", hash_key)]
///     #[serde(skip_serializing_if = "Option::is_none")] // `None` is no attribute, not NULL
///     coupon: Option<String>, // orders without a coupon stay out of the index
/// }
/// assert!(Order::schema().has_index("by_coupon"));
/// assert_eq!(<Option<String> as IndexKeyType>::ATTRIBUTE_TYPE, AttributeType::S);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a DynamoDB index key: keys must be S (string), N (number) or B (binary)",
    label = "this index key field's type is not stored as S, N or B",
    note = "implement `dynamo_model::KeyType` for it, or name the stored type with `#[dynamo(type = \"S\")]` (or \"N\", \"B\") on the field"
)]
pub trait IndexKeyType {
    /// The scalar type of the present value.
    ///
    /// ```
    /// use dynamo_model::{AttributeType, IndexKeyType};
    /// assert_eq!(<Option<u32> as IndexKeyType>::ATTRIBUTE_TYPE, AttributeType::N);
    /// ```
    const ATTRIBUTE_TYPE: AttributeType;
}

impl<T: KeyType> IndexKeyType for T {
    const ATTRIBUTE_TYPE: AttributeType = T::ATTRIBUTE_TYPE;
}

impl<T: KeyType> IndexKeyType for Option<T> {
    const ATTRIBUTE_TYPE: AttributeType = T::ATTRIBUTE_TYPE;
}

/// A type allowed for the `#[ttl]` field: a number of seconds since the Unix
/// epoch, optionally absent.
///
/// ```
/// use dynamo_model::DynamoModel;
///
/// #[derive(DynamoModel, serde::Serialize)]
/// struct Session {
///     #[hash_key]
///     token: String,
///     #[ttl]
///     expires_at: Option<i64>, // `None`: the item never expires
/// }
/// assert_eq!(Session::schema().ttl_attribute(), Some("expires_at"));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot hold a TTL: `#[ttl]` needs a number field (seconds since the Unix epoch)",
    label = "the `#[ttl]` field must be stored as a number (N)",
    note = "use an integer such as `i64` or `Option<i64>`, or `#[dynamo(type = \"N\")]` if serde stores it as a number"
)]
pub trait TtlType {}

macro_rules! key_types {
    ($attribute_type:ident: $($ty:ty),* $(,)?) => {
        $(impl KeyType for $ty {
            const ATTRIBUTE_TYPE: AttributeType = AttributeType::$attribute_type;
        })*
    };
}

macro_rules! ttl_types {
    ($($ty:ty),* $(,)?) => {
        $(impl TtlType for $ty {}
          impl TtlType for Option<$ty> {})*
    };
}

key_types!(S: String, str, &str, Box<str>, std::rc::Rc<str>, std::sync::Arc<str>, std::borrow::Cow<'_, str>);
// No i128/u128: DynamoDB numbers hold 38 significant digits (u128::MAX has
// 39) and serde_dynamo refuses them, so an item could never be written.
key_types!(N: i8, i16, i32, i64, isize, u8, u16, u32, u64, usize, f32, f64);
key_types!(
    N: std::num::NonZeroI8,
    std::num::NonZeroI16,
    std::num::NonZeroI32,
    std::num::NonZeroI64,
    std::num::NonZeroIsize,
    std::num::NonZeroU8,
    std::num::NonZeroU16,
    std::num::NonZeroU32,
    std::num::NonZeroU64,
    std::num::NonZeroUsize,
);
key_types!(B: aws_sdk_dynamodb::primitives::Blob);

ttl_types!(i32, i64, isize, u32, u64, usize, f64);

#[cfg(feature = "uuid")]
key_types!(S: uuid::Uuid);

#[cfg(feature = "chrono")]
key_types!(
    S: chrono::DateTime<chrono::Utc>,
    chrono::DateTime<chrono::FixedOffset>,
    chrono::NaiveDateTime,
    chrono::NaiveDate,
);

#[cfg(feature = "time")]
key_types!(S: time::OffsetDateTime, time::PrimitiveDateTime, time::UtcDateTime, time::Date);

#[cfg(feature = "rust_decimal")]
key_types!(N: rust_decimal::Decimal);

#[cfg(feature = "bytes")]
key_types!(B: bytes::Bytes);

#[cfg(feature = "serde_bytes")]
key_types!(B: serde_bytes::ByteBuf, serde_bytes::Bytes, &serde_bytes::Bytes);

#[cfg(test)]
mod tests {
    use super::*;

    fn key<T: KeyType + ?Sized>() -> AttributeType {
        T::ATTRIBUTE_TYPE
    }
    fn index_key<T: IndexKeyType>() -> AttributeType {
        T::ATTRIBUTE_TYPE
    }

    #[test]
    fn std_types_map_to_their_scalar_type() {
        assert_eq!(key::<String>(), AttributeType::S);
        assert_eq!(key::<&str>(), AttributeType::S);
        assert_eq!(key::<std::borrow::Cow<'static, str>>(), AttributeType::S);
        assert_eq!(key::<u64>(), AttributeType::N);
        assert_eq!(key::<f32>(), AttributeType::N);
        assert_eq!(key::<std::num::NonZeroU32>(), AttributeType::N);
        assert_eq!(
            key::<aws_sdk_dynamodb::primitives::Blob>(),
            AttributeType::B
        );
    }

    #[test]
    fn option_is_an_index_key_of_its_inner_type() {
        assert_eq!(index_key::<Option<String>>(), AttributeType::S);
        assert_eq!(index_key::<Option<i64>>(), AttributeType::N);
        assert_eq!(index_key::<u8>(), AttributeType::N);
    }
}
