//! What a Query or Scan needs once checked: the request's parts, ready to
//! send for any start key, and how to read its items.

use std::future::Future;
use std::pin::Pin;

use aws_sdk_dynamodb::operation::query::QueryError;
use aws_sdk_dynamodb::operation::scan::ScanError;
use aws_sdk_dynamodb::Client;

use super::cursor::ReadKind;
use super::options::ReadOptions;
use super::page::{PageSource, RawPage, ReadFailure, ReadItem};
use crate::error::{Error, Result};
use crate::item::encode::Attributes;
use crate::item::expression::{Names, Values};
use crate::item::key::ItemKey;
use crate::{EntitySchema, Projection, TableSchema};

/// The parts Query and Scan share.
pub(crate) struct Request {
    pub(crate) client: Client,
    /// As sent, with the connection's prefix.
    pub(crate) table: String,
    /// As the model names it, for cursors.
    pub(crate) schema_table: String,
    /// The table's keys, to name an item that does not read.
    pub(crate) schema: &'static TableSchema,
    pub(crate) index: Option<String>,
    /// The index's projection, to explain a failed read.
    pub(crate) projection: Projection,
    pub(crate) read: ModelRead,
    pub(crate) names: Option<Names>,
    pub(crate) values: Option<Values>,
    pub(crate) consistent_read: bool,
    pub(crate) kind: Kind,
}

pub(crate) enum Kind {
    Query {
        key_condition: String,
        descending: bool,
        /// No key meets the conditions: no request, no items.
        nothing: bool,
    },
    Scan {
        segment: Option<(i32, i32)>,
    },
}

impl Request {
    fn place_name(&self) -> String {
        match &self.index {
            Some(index) => format!("index `{index}` of table `{}`", self.table),
            None => format!("table `{}`", self.table),
        }
    }
}

impl PageSource for Request {
    fn fetch(
        &self,
        start: Option<Attributes>,
        limit: Option<i32>,
    ) -> Pin<Box<dyn Future<Output = Result<RawPage>> + Send + '_>> {
        Box::pin(async move {
            match &self.kind {
                Kind::Query { nothing: true, .. } => Ok((Vec::new(), None)),
                Kind::Query {
                    key_condition,
                    descending,
                    ..
                } => {
                    let out = self
                        .client
                        .query()
                        .table_name(&self.table)
                        .set_index_name(self.index.clone())
                        .key_condition_expression(key_condition)
                        .set_filter_expression(self.read.filter.clone())
                        .set_projection_expression(self.read.projection_expression.clone())
                        .set_expression_attribute_names(self.names.clone())
                        .set_expression_attribute_values(self.values.clone())
                        .set_exclusive_start_key(start)
                        .set_limit(limit)
                        .scan_index_forward(!descending)
                        .consistent_read(self.consistent_read)
                        .send()
                        .await
                        .map_err(|err| match err.as_service_error() {
                            Some(QueryError::ResourceNotFoundException(_)) => {
                                Error::TableNotFound {
                                    table: self.table.clone(),
                                }
                            }
                            _ => Error::sdk(&self.table, "Query", err),
                        })?;
                    Ok((out.items.unwrap_or_default(), out.last_evaluated_key))
                }
                Kind::Scan { segment } => {
                    let out = self
                        .client
                        .scan()
                        .table_name(&self.table)
                        .set_index_name(self.index.clone())
                        .set_filter_expression(self.read.filter.clone())
                        .set_projection_expression(self.read.projection_expression.clone())
                        .set_expression_attribute_names(self.names.clone())
                        .set_expression_attribute_values(self.values.clone())
                        .set_exclusive_start_key(start)
                        .set_limit(limit)
                        .set_segment(segment.map(|s| s.0))
                        .set_total_segments(segment.map(|s| s.1))
                        .consistent_read(self.consistent_read)
                        .send()
                        .await
                        .map_err(|err| match err.as_service_error() {
                            Some(ScanError::ResourceNotFoundException(_)) => Error::TableNotFound {
                                table: self.table.clone(),
                            },
                            _ => Error::sdk(&self.table, "Scan", err),
                        })?;
                    Ok((out.items.unwrap_or_default(), out.last_evaluated_key))
                }
            }
        })
    }

    fn place(&self) -> (&str, Option<&str>, ReadKind) {
        let kind = match self.kind {
            Kind::Query { .. } => ReadKind::Query,
            Kind::Scan { .. } => ReadKind::Scan,
        };
        (&self.schema_table, self.index.as_deref(), kind)
    }

    fn decode<T: ReadItem>(&self, mut item: Attributes) -> Result<T> {
        // The key values, kept apart: the item goes into serde, and an item
        // that does not read must be findable in a big table. Every index
        // projects the table's keys.
        let found = [
            item.get(self.schema.hash_key().name()).cloned(),
            self.schema
                .range_key()
                .and_then(|r| item.get(r.name()))
                .cloned(),
        ];
        let key = || {
            ItemKey::from_found(self.schema, &self.table, found.clone())
                .ok()
                .map(|key| key.to_string())
        };
        // `entity_read` refused an index without the entity attribute, and
        // `shape_read` one without the shape attribute.
        if self.read.entity.is_some() || self.read.shapes.is_some() {
            item = crate::item::encode::ready_to_read(
                &self.table,
                key,
                self.read.entity,
                self.read.shapes,
                item,
            )?;
        }
        T::read_item(&self.table, item).map_err(|failure| {
            let mut reason = match failure {
                ReadFailure::Serde(reason) => reason,
                ReadFailure::Error(err) => return with_key(err, key),
            };
            match &self.projection {
                Projection::All => {}
                Projection::KeysOnly => {
                    reason = format!(
                        "{} projects only key attributes (KEYS_ONLY), so its items lack the other fields of `{}`; \
                         read them with `.as_type::<T>()` into a struct of the key fields: {reason}",
                        self.place_name(),
                        short_type_name::<T>()
                    )
                }
                Projection::Include(names) => {
                    reason = format!(
                        "{} projects only the keys and {}, so its items may lack other fields of `{}`; \
                         read them with `.as_type::<T>()` into a struct of those fields: {reason}",
                        self.place_name(),
                        names.join(", "),
                        short_type_name::<T>()
                    )
                }
            }
            Error::Serde {
                table: self.table.clone(),
                key: key(),
                reason,
            }
        })
    }
}

/// The ProjectionExpression of `fields` (Rust names), checked against the
/// model.
fn projection(
    table: &str,
    fields: Option<&[String]>,
    infos: &[crate::FieldInfo],
    p: &mut crate::item::expression::Placeholders,
) -> Result<Option<String>> {
    let Some(fields) = fields else {
        return Ok(None);
    };
    if fields.is_empty() {
        return Err(Error::invalid(
            table,
            "project",
            "name at least one field to read",
        ));
    }
    let mut names = Vec::with_capacity(fields.len());
    for field in fields {
        let info = crate::item::fields::find(infos, field)
            .map_err(|reason| Error::invalid(table, "project", reason))?;
        names.push(p.name(info.attribute()));
    }
    Ok(Some(names.join(", ")))
}

/// The expressions of a query or scan of model `M`, past its key condition.
pub(crate) struct ModelRead {
    pub(crate) filter: Option<String>,
    pub(crate) projection_expression: Option<String>,
    /// The entity read, for a model that is one of a shared table's: each
    /// item must be of it.
    pub(crate) entity: Option<&'static EntitySchema>,
    /// The model's shapes, for a read of the model (not `as_type`): each
    /// item is upgraded to the newest.
    pub(crate) shapes: Option<crate::Shapes>,
}

/// The caller's filter and projection, checked against the model, with what
/// an entity of a shared table and a shaped model add to them.
pub(crate) fn model_read<M: crate::DynamoModel>(
    table: &str,
    index: Option<&str>,
    projected: &Projection,
    options: &ReadOptions,
    p: &mut crate::item::expression::Placeholders,
) -> Result<ModelRead> {
    let filter = options
        .filter
        .as_ref()
        .map(|f| f.render(p, Some(M::field_infos())))
        .transpose()
        .map_err(|reason| Error::invalid(table, "filter", reason))?;
    let projection_expression =
        projection(table, options.projection.as_deref(), M::field_infos(), p)?;
    let (filter, projection_expression, entity) = entity_read::<M>(
        table,
        index,
        projected,
        filter,
        projection_expression,
        options.report_unknown_entities,
        p,
    )?;
    let (projection_expression, shapes) = shape_read::<M>(
        table,
        index,
        projected,
        projection_expression,
        options.retyped,
        p,
    )?;
    Ok(ModelRead {
        filter,
        projection_expression,
        entity,
        shapes,
    })
}

/// What a read of model `M` adds for an entity of a shared table, which
/// holds other entities' items too: a filter on the entity attribute (and
/// the caller's `filter`), and the entity attribute in a projection, so
/// each item read can be checked.
fn entity_read<M: crate::DynamoModel>(
    table: &str,
    index: Option<&str>,
    projected: &Projection,
    filter: Option<String>,
    projection: Option<String>,
    report_unknown: bool,
    p: &mut crate::item::expression::Placeholders,
) -> Result<(
    Option<String>,
    Option<String>,
    Option<&'static EntitySchema>,
)> {
    // The entity read, or a collection's entities.
    let (entity, entities) = match (M::entity(), M::collection_entities()) {
        (Some(entity), _) => {
            let entity = entity?;
            (Some(entity), vec![entity])
        }
        // A collection (which `ReadOptions::check` keeps from filters and
        // projections).
        (None, Some(entities)) => (None, entities?),
        (None, None) => return Ok((filter, projection, None)),
    };
    let Some(first) = entities.first() else {
        return Ok((filter, projection, entity));
    };
    // An index without the entity attribute cannot tell one entity's items
    // from another's: a filter on it would match nothing.
    let carries = match projected {
        Projection::All => true,
        Projection::KeysOnly => false,
        Projection::Include(names) => names.iter().any(|n| n == first.entity_attribute()),
    };
    if !carries {
        let names: Vec<&str> = entities.iter().map(|e| e.name()).collect();
        return Err(Error::invalid(
            table,
            "index",
            format!(
                "index `{}` does not project the entity attribute `{}`, so its items cannot be read as entity `{}` (a filter on the attribute would match none); read it through the table definition, or project the attribute",
                index.unwrap_or_default(),
                first.entity_attribute(),
                names.join(" | ")
            ),
        ));
    }
    // A collection asked to report other entities reads them all.
    let filtered = !(report_unknown && entity.is_none());
    if !filtered && projection.is_none() {
        return Ok((filter, projection, None));
    }
    let attribute = p.name(first.entity_attribute());
    let projection = projection.map(|names| format!("{names}, {attribute}"));
    if !filtered {
        return Ok((filter, projection, None));
    }
    let values: Vec<String> = entities
        .iter()
        .map(|e| {
            p.value(aws_sdk_dynamodb::types::AttributeValue::S(
                e.name().to_owned(),
            ))
        })
        .collect();
    let is = entity_is(&attribute, &values);
    let filter = Some(match filter {
        Some(filter) => format!("({is}) AND ({filter})"),
        None => is,
    });
    Ok((filter, projection, entity))
}

/// What a read of model `M` adds for a shaped model: the shape attribute in
/// a projection, so each item read is upgraded from its own shape. A read
/// `as_type` reads the attributes as stored, with no upgrade; an index
/// that does not project the attribute cannot be read as the model (its
/// items would all look like shape 1).
fn shape_read<M: crate::DynamoModel>(
    table: &str,
    index: Option<&str>,
    projected: &Projection,
    projection: Option<String>,
    retyped: bool,
    p: &mut crate::item::expression::Placeholders,
) -> Result<(Option<String>, Option<crate::Shapes>)> {
    let Some(shapes) = M::SHAPES.filter(|_| !retyped) else {
        return Ok((projection, None));
    };
    let carries = match projected {
        Projection::All => true,
        Projection::KeysOnly => false,
        Projection::Include(names) => names.iter().any(|n| n == shapes.attribute()),
    };
    if !carries {
        return Err(Error::invalid(
            table,
            "index",
            format!(
                "index `{}` does not project the shape attribute `{}`, so the shape of its items is unknown and they cannot be read as the model; project the attribute, or read a struct of the projected fields with `.as_type::<T>()`",
                index.unwrap_or_default(),
                shapes.attribute(),
            ),
        ));
    }
    let projection = projection.map(|names| format!("{names}, {}", p.name(shapes.attribute())));
    Ok((projection, Some(shapes)))
}

/// DynamoDB's `IN` takes at most 100 values.
const IN_VALUES: usize = 100;

/// The condition that the entity attribute is one of `values`
/// (placeholders): `=` for one, `IN` for more, `OR`s of `IN`s past 100.
fn entity_is(attribute: &str, values: &[String]) -> String {
    match values {
        [one] => format!("{attribute} = {one}"),
        several => several
            .chunks(IN_VALUES)
            .map(|chunk| format!("{attribute} IN ({})", chunk.join(", ")))
            .collect::<Vec<_>>()
            .join(" OR "),
    }
}

fn short_type_name<T>() -> &'static str {
    let name = std::any::type_name::<T>();
    name.rsplit("::").next().unwrap_or(name)
}

/// A collection's own error (an item of no variant) names the key where it
/// could not.
fn with_key(mut err: Error, key: impl Fn() -> Option<String>) -> Error {
    if let Error::WrongEntity {
        key: found @ None, ..
    }
    | Error::Serde {
        key: found @ None, ..
    }
    | Error::ShapeUnknown {
        key: found @ None, ..
    } = &mut err
    {
        *found = key();
    }
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_entity_filter_keeps_each_in_within_dynamodbs_limit() {
        let values = |n: usize| (0..n).map(|i| format!(":v{i}")).collect::<Vec<_>>();
        assert_eq!(entity_is("#t", &values(1)), "#t = :v0");
        assert_eq!(entity_is("#t", &values(2)), "#t IN (:v0, :v1)");
        let many = entity_is("#t", &values(201));
        let ins: Vec<&str> = many.split(" OR ").collect();
        assert_eq!(ins.len(), 3);
        assert_eq!(ins[0].matches(':').count(), 100);
        assert_eq!(ins[1].matches(':').count(), 100);
        assert_eq!(ins[2], "#t IN (:v200)");
    }
}
