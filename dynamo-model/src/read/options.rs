//! The settings a Query and a Scan share, and their builder methods, written
//! once (`read_options!` adds them to both builders).

use super::cursor::Cursor;
use crate::item::condition::Node;

#[derive(Default)]
pub(crate) struct ReadOptions {
    pub(crate) filter: Option<Node>,
    pub(crate) projection: Option<Vec<String>>,
    pub(crate) consistent_read: bool,
    pub(crate) page_size: Option<usize>,
    pub(crate) limit: Option<usize>,
    pub(crate) after: Option<Cursor>,
    /// A collection reads items of other entities too, as errors.
    pub(crate) report_unknown_entities: bool,
    /// Read as another type than the model (`as_type`).
    pub(crate) retyped: bool,
}

impl ReadOptions {
    /// Refuses settings that cannot mean what they say, before any request.
    pub(crate) fn check<M: crate::DynamoModel>(&self, table: &str) -> crate::Result<()> {
        // A collection reads whole items of several entities, each as its
        // variant (checked and stripped of the written attributes).
        let collection = M::collection_entities().is_some();
        if collection && self.retyped {
            return Err(crate::Error::invalid(
                table,
                "collection",
                "a collection reads each item as its variant, so it cannot be read `as_type` another type; read a query of one entity as that type",
            ));
        }
        if collection && (self.filter.is_some() || self.projection.is_some()) {
            return Err(crate::Error::invalid(
                table,
                "collection",
                "a collection reads whole items of several entities, so it takes no filter or projection (their fields are its variants'); filter or project a query of one entity",
            ));
        }
        if self.page_size == Some(0) {
            return Err(crate::Error::invalid(
                table,
                "page_size",
                "a page reads at least one item; page_size(0) would read none (leave it unset for DynamoDB's 1 MB pages)",
            ));
        }
        Ok(())
    }
}

/// The shared builder methods, on `impl<..> Builder<..>` with a field
/// `options: ReadOptions` and the model `M`.
macro_rules! read_options {
    (impl<$($generic:ident),*> $builder:ty) => {
        impl<$($generic),*> $builder {
            /// Only items whose stored attributes meet `condition` (applied
            /// by DynamoDB after reading; it does not reduce the read cost).
            pub fn filter(mut self, condition: $crate::Condition<M>) -> Self {
                self.options.filter = Some(match self.options.filter.take() {
                    Some(before) => before.and_node(condition.node),
                    None => condition.node,
                });
                self
            }

            /// For a collection (`#[derive(DynamoCollection)]`): read the
            /// items of entities outside it too, and fail at the first one
            /// with [`Error::WrongEntity`](crate::Error::WrongEntity) naming
            /// its entity, instead of skipping them (by a filter on the
            /// entity attribute). No effect on other models.
            pub fn report_unknown_entities(mut self) -> Self {
                self.options.report_unknown_entities = true;
                self
            }

            /// Read only these fields (Rust names, checked against the model
            /// before the request): DynamoDB's ProjectionExpression. Pair it
            /// with `as_type` and a struct of those fields.
            pub fn project(mut self, fields: &[&str]) -> Self {
                self.options.projection = Some(fields.iter().map(|f| (*f).to_owned()).collect());
                self
            }

            /// A strongly consistent read (the table and its LSIs; a GSI
            /// cannot, and is refused before the request).
            pub fn consistent_read(mut self) -> Self {
                self.options.consistent_read = true;
                self
            }

            /// How many items one request reads (DynamoDB's `Limit`, at least
            /// 1: `page_size(0)` is refused before any request). With a
            /// filter, a page may hold fewer.
            pub fn page_size(mut self, items: usize) -> Self {
                self.options.page_size = Some(items);
                self
            }

            /// At most this many items in all (`stream` and `all` stop
            /// there).
            pub fn limit(mut self, items: usize) -> Self {
                self.options.limit = Some(items);
                self
            }

            /// Start after the page this cursor ends (from `Page::next`).
            pub fn after(mut self, cursor: $crate::Cursor) -> Self {
                self.options.after = Some(cursor);
                self
            }
        }
    };
}
