//! Typed index handles: `Order::indexes().by_status` is an
//! [`Index<Order, String, i64>`](Index) (hash key type, range key type), so
//! a query of it takes a `String` and range conditions on an `i64`, and a
//! range condition on an index without a sort key does not compile. The
//! derive emits one per index with a single-attribute hash key; indexes with
//! multi-attribute keys are queried by name.

use std::fmt;
use std::marker::PhantomData;

/// A secondary index of model `M`, with hash key type `H` and range key type
/// `R` ([`NoRange`](crate::NoRange) for none).
///
/// ```
/// use dynamo_model::DynamoModel;
///
/// #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
/// struct Order {
///     #[hash_key]
///     id: String,
///     #[gsi(name = "by_status", hash_key)]
///     status: String,
///     #[gsi(name = "by_status", range_key)]
///     created: i64,
/// }
/// assert_eq!(Order::indexes().by_status.name(), "by_status");
/// ```
pub struct Index<M, H, R> {
    name: &'static str,
    marker: PhantomData<Marker<M, H, R>>,
}

type Marker<M, H, R> = fn() -> (M, H, R);

impl<M, H, R> Index<M, H, R> {
    #[doc(hidden)]
    pub const fn new(name: &'static str) -> Self {
        Index {
            name,
            marker: PhantomData,
        }
    }

    /// The index name.
    pub fn name(&self) -> &'static str {
        self.name
    }
}

impl<M, H, R> Clone for Index<M, H, R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M, H, R> Copy for Index<M, H, R> {}

impl<M, H, R> fmt::Debug for Index<M, H, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Index({})", self.name)
    }
}
