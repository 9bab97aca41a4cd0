//! Query: the items of one hash key value (of the table, a GSI or an LSI),
//! with a range condition, a filter, either order, as pages, a stream or
//! all at once.

use std::marker::PhantomData;

use aws_sdk_dynamodb::types::AttributeValue;
use futures_core::Stream;
use futures_util::TryStreamExt;
use serde::Serialize;

use super::cursor::ReadKind;
use super::index::Index;
use super::options::ReadOptions;
use super::page::{self, Page};
use super::source::{Kind, Request};
use crate::error::{Error, Result};

use crate::entity::key::{EntitySort, TemplatePart};
use crate::entity::template::RenderValue;
use crate::item::expression::Placeholders;
use crate::item::field::erased::Encodable;
use crate::item::field::Prefixed;
use crate::item::key::{IndexHash, KeyPart, KeyParts, KeyShape, PartitionOf, SortKey};
use crate::{DynamoModel, IndexKeyType, KeyAttribute, Projection, Table};

/// The range key type of an index named by a string: its conditions are
/// checked when the query is sent.
#[derive(Debug, Clone, Copy)]
pub enum Named {}

impl SortKey for Named {}
impl Prefixed for Named {}

/// Any serde value stands for a by-name index's range key.
impl<T: Serialize> KeyPart<Named> for T {
    fn encodable(&self) -> &dyn Encodable {
        self
    }
}

impl<M, T> Query<M, Named, T> {
    /// The value of the next partition key attribute, for an index whose
    /// partition key has several attributes (in the order of the key).
    pub fn and_hash(mut self, value: impl Serialize) -> Self {
        self.hash.push(value.encode());
        self
    }

    /// Equality on the next sort key attribute, for an index whose sort key
    /// has several attributes: a range condition then applies to the one
    /// after.
    pub fn and_range_eq(mut self, value: impl Serialize) -> Self {
        self.range_prefix.push(value.encode());
        self
    }
}

/// A Query on its way: add conditions and settings, then `send()` for one
/// page, `stream()` for every item, or `all()`. `R` is the range key type
/// of what is queried, `T` what the items are read as.
#[must_use = "a query does nothing until it is sent"]
pub struct Query<M, R, T = M> {
    table: Table<M>,
    index: Option<String>,
    /// The partition key values, one per partition key attribute.
    hash: Vec<Result<AttributeValue, String>>,
    /// Equality on the leading sort key attributes (multi-attribute keys).
    range_prefix: Vec<Result<AttributeValue, String>>,
    range: Option<(RangeOp, Vec<Result<AttributeValue, String>>)>,
    descending: bool,
    options: ReadOptions,
    marker: PhantomData<fn() -> (R, T)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RangeOp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
    Between,
    BeginsWith,
    /// A range no key meets (an entity's `range_between(5, 3)`): answered
    /// with no items, without a request.
    Nothing,
}

impl<M: DynamoModel> Table<M> {
    /// A query of the items with this hash key value, typed from the model.
    ///
    /// ```
    /// use dynamo_model::testing::LocalDynamoDb;
    /// use dynamo_model::{CreateTableOptions, DynamoModel};
    ///
    /// #[derive(DynamoModel, serde::Serialize, serde::Deserialize, Debug)]
    /// struct Order {
    ///     #[hash_key]
    ///     customer: String,
    ///     #[range_key]
    ///     id: u64,
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = LocalDynamoDb::embedded()?;
    /// let orders = local.db().table::<Order>();
    /// orders.create(CreateTableOptions::new().wait(true)).await?;
    /// for id in 1..=5 {
    ///     orders.put(&Order { customer: "c1".into(), id }).await?;
    /// }
    /// let recent: Vec<Order> = orders.query("c1").range_ge(3).descending().all().await?;
    /// assert_eq!(recent.iter().map(|o| o.id).collect::<Vec<_>>(), [5, 4, 3]);
    /// let page = orders.query("c1").page_size(2).send().await?;
    /// assert_eq!(page.items.len(), 2);
    /// let rest = orders.query("c1").after(page.next.unwrap()).all().await?;
    /// assert_eq!(rest.len(), 3);
    /// # Ok(()) }
    /// ```
    pub fn query(&self, hash: impl PartitionOf<M::Key>) -> Query<M, <M::Key as KeyShape>::Range> {
        let hash = partition_value::<M>(None, hash.partition());
        Query::new(self, None, hash)
    }

    /// A query of a secondary index, typed from the model:
    /// `orders.query_index(Order::indexes().by_status, "shipped")`. An
    /// entity's index handle takes its index partition template's values
    /// and ranges over its index sort template, as [`query`](Self::query)
    /// does for the table's.
    pub fn query_index<H: IndexHash, R>(
        &self,
        index: Index<M, H, R>,
        hash: impl PartitionOf<H::Shape>,
    ) -> Query<M, R> {
        let hash = partition_value::<M>(Some(index.name()), hash.partition());
        Query::new(self, Some(index.name().to_owned()), hash)
    }

    /// A query of the index named `index`, for names known only at run time:
    /// an unknown index, a range condition on an index without a sort key,
    /// or a value of the wrong type is [`Error::InvalidInput`] before any
    /// request.
    pub fn query_index_named(&self, index: &str, hash: impl Serialize) -> Query<M, Named> {
        Query::new(self, Some(index.to_owned()), hash.encode())
    }
}

impl<M, R, T> Query<M, R, T> {
    fn new(table: &Table<M>, index: Option<String>, hash: Result<AttributeValue, String>) -> Self {
        Query {
            table: table.clone(),
            index,
            hash: vec![hash],
            range_prefix: Vec::new(),
            range: None,
            descending: false,
            options: ReadOptions::default(),
            marker: PhantomData,
        }
    }

    /// Highest range key first.
    pub fn descending(mut self) -> Self {
        self.descending = true;
        self
    }

    /// Read the items as `U` instead: a struct of the projected fields, for
    /// a KEYS_ONLY or INCLUDE index.
    pub fn as_type<U>(self) -> Query<M, R, U> {
        let mut options = self.options;
        options.retyped = true;
        Query {
            table: self.table,
            index: self.index,
            hash: self.hash,
            range_prefix: self.range_prefix,
            range: self.range,
            descending: self.descending,
            options,
            marker: PhantomData,
        }
    }
}

read_options!(impl<M, R, T> Query<M, R, T>);

/// A value a range condition on sort key type `Self` takes: a value of the
/// key's type, or for an entity's sort template ([`EntitySort`]) a value
/// of its first placeholder's type, rendered as the template renders it.
#[diagnostic::on_unimplemented(
    message = "`{V}` is not a value of sort key type `{Self}`",
    label = "expected a `{Self}` value",
    note = "a range condition takes a value of the sort key's type (a `&str` for a `String`); an entity's, one of its sort template's first placeholder"
)]
pub trait RangeOf<V> {
    /// The value, to encode or to render.
    #[doc(hidden)]
    fn range_value(value: &V) -> RangeValue<'_>;
}

/// A range condition's value, as [`RangeOf`] gives it.
#[doc(hidden)]
pub enum RangeValue<'a> {
    /// A sort key value.
    Encoded(&'a dyn Encodable),
    /// A placeholder value of an entity's sort template.
    Rendered(&'a dyn RenderValue),
}

impl<R: IndexKeyType, V: KeyPart<R>> RangeOf<V> for R {
    fn range_value(value: &V) -> RangeValue<'_> {
        RangeValue::Encoded(value.encodable())
    }
}

impl<V: KeyPart<Named>> RangeOf<V> for Named {
    fn range_value(value: &V) -> RangeValue<'_> {
        RangeValue::Encoded(value.encodable())
    }
}

impl<S, V: TemplatePart<S>> RangeOf<V> for EntitySort<S> {
    fn range_value(value: &V) -> RangeValue<'_> {
        RangeValue::Rendered(value.render_value())
    }
}

impl<M: DynamoModel, R, T> Query<M, R, T> {
    /// The range condition; an entity's is rendered into the sort key
    /// bounds its template gives (a bad one reported when sent).
    fn range(mut self, op: RangeOp, values: Vec<RangeValue<'_>>) -> Self {
        let mut encoded = Vec::with_capacity(values.len());
        let mut rendered = Vec::new();
        for value in values {
            match value {
                RangeValue::Encoded(value) => encoded.push(value.encode()),
                RangeValue::Rendered(value) => rendered.push(value),
            }
        }
        if rendered.is_empty() {
            self.range = Some((op, encoded));
            return self;
        }
        let lowered = match M::entity() {
            Some(Ok(entity)) => entity.sort_condition(self.index.as_deref(), Some((op, &rendered))),
            Some(Err(err)) => Err(err.to_string()),
            None => Err("the range was given as an entity's template values, and the model is not an entity".to_owned()),
        };
        // `None`: a range every key meets, no condition at all.
        self.range = match lowered {
            Ok(Some((op, bounds))) => Some((
                op,
                bounds
                    .into_iter()
                    .map(|b| Ok(AttributeValue::S(b)))
                    .collect(),
            )),
            Ok(None) => None,
            Err(why) => Some((op, vec![Err(why)])),
        };
        self
    }

    // The `SortKey` bound is on each method, so that its message is the error.
    /// Range key equal to `value`.
    pub fn range_eq<V>(self, value: V) -> Self
    where
        R: SortKey + RangeOf<V>,
    {
        self.range(RangeOp::Eq, vec![R::range_value(&value)])
    }
    /// Range key less than `value`.
    pub fn range_lt<V>(self, value: V) -> Self
    where
        R: SortKey + RangeOf<V>,
    {
        self.range(RangeOp::Lt, vec![R::range_value(&value)])
    }
    /// Range key at most `value`.
    pub fn range_le<V>(self, value: V) -> Self
    where
        R: SortKey + RangeOf<V>,
    {
        self.range(RangeOp::Le, vec![R::range_value(&value)])
    }
    /// Range key more than `value`.
    pub fn range_gt<V>(self, value: V) -> Self
    where
        R: SortKey + RangeOf<V>,
    {
        self.range(RangeOp::Gt, vec![R::range_value(&value)])
    }
    /// Range key at least `value`.
    pub fn range_ge<V>(self, value: V) -> Self
    where
        R: SortKey + RangeOf<V>,
    {
        self.range(RangeOp::Ge, vec![R::range_value(&value)])
    }
    /// Range key from `low` to `high`, both included.
    pub fn range_between<V>(self, low: V, high: V) -> Self
    where
        R: SortKey + RangeOf<V>,
    {
        self.range(
            RangeOp::Between,
            vec![R::range_value(&low), R::range_value(&high)],
        )
    }
    /// Range key starting with `prefix` (string and binary keys).
    pub fn range_begins_with<V>(self, prefix: V) -> Self
    where
        R: SortKey + Prefixed + RangeOf<V>,
    {
        self.range(RangeOp::BeginsWith, vec![R::range_value(&prefix)])
    }
}

/// The partition key value of a query of the table or of `index`: the
/// value given, or rendered from an entity's partition template.
fn partition_value<M: DynamoModel>(
    index: Option<&str>,
    parts: KeyParts<'_>,
) -> Result<AttributeValue, String> {
    match parts {
        KeyParts::Attributes(value, _) => value.encode(),
        KeyParts::Template(values) => match M::partition_entity() {
            Some(Ok(entity)) => entity.partition_of(index, &values),
            Some(Err(err)) => Err(err.to_string()),
            None => Err(
                "the partition was given as an entity's template values, and the model is not an entity"
                    .to_owned(),
            ),
        },
    }
}

/// Refuses a cursor whose start key lies in another partition than the
/// query's (DynamoDB would refuse the request with a bare
/// ValidationException): a cursor continues the query that made it.
fn same_partition(
    table: &str,
    start: &crate::item::encode::Attributes,
    partition: &[(String, AttributeValue)],
) -> Result<()> {
    for (name, value) in partition {
        let Some(at) = start.get(name) else {
            continue;
        };
        if !crate::item::canonical::same(at, value) {
            return Err(Error::invalid(
                table,
                "cursor",
                format!(
                    "invalid page cursor: it continues a query of partition `{name} = {}`, and this query is of `{name} = {}`",
                    crate::item::key::short(at),
                    crate::item::key::short(value)
                ),
            ));
        }
    }
    Ok(())
}

/// The partition and sort key attributes (several for a GSI with a
/// multi-attribute key), the projection, and whether it is a GSI.
type Target<'s> = (
    Vec<&'s KeyAttribute>,
    Vec<&'s KeyAttribute>,
    Projection,
    bool,
);

fn key_of_target<'s>(
    table: &str,
    schema: &'s crate::TableSchema,
    index: Option<&str>,
) -> Result<Target<'s>> {
    let Some(index) = index else {
        return Ok((
            vec![schema.hash_key()],
            schema.range_key().into_iter().collect(),
            Projection::All,
            false,
        ));
    };
    if let Some(gsi) = schema.global_indexes().iter().find(|g| g.name() == index) {
        return Ok((
            gsi.hash_keys().iter().collect(),
            gsi.range_keys().iter().collect(),
            gsi.projection().clone(),
            true,
        ));
    }
    if let Some(lsi) = schema.local_indexes().iter().find(|l| l.name() == index) {
        return Ok((
            vec![schema.hash_key()],
            vec![lsi.range_key()],
            lsi.projection().clone(),
            false,
        ));
    }
    let known: Vec<&str> = schema
        .global_indexes()
        .iter()
        .map(|g| g.name())
        .chain(schema.local_indexes().iter().map(|l| l.name()))
        .collect();
    Err(Error::invalid(
        table,
        "index",
        format!(
            "the table has no index `{index}` (its indexes: {})",
            if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            }
        ),
    ))
}

/// The value, checked against the key attribute's type.
pub(crate) fn key_value(
    table: &str,
    key: &KeyAttribute,
    value: Result<AttributeValue, String>,
) -> Result<AttributeValue> {
    let value = value.map_err(|reason| {
        Error::invalid(table, "key", format!("key `{}`: {reason}", key.name()))
    })?;
    crate::item::key::check_type(table, key.name(), key.attribute_type(), &value)?;
    Ok(value)
}

/// A checked query: the request, its start key, page size and limit.
type Prepared = (
    Request,
    Option<crate::item::encode::Attributes>,
    Option<usize>,
    Option<usize>,
);

impl<M: DynamoModel, R, T> Query<M, R, T> {
    fn prepare(mut self) -> Result<Prepared> {
        let name = self.table.name().to_owned();
        let schema = M::schema();
        // An entity's query reads only its own keys: its sort template's
        // prefix (or constant key) in the table or the index, unless a
        // range says more.
        if let (None, Some(entity)) = (&self.range, M::entity()) {
            let whole = entity?
                .sort_condition(self.index.as_deref(), None)
                .map_err(|why| Error::invalid(&name, "range condition", why))?;
            self.range = whole.map(|(op, bounds)| {
                (
                    op,
                    bounds
                        .into_iter()
                        .map(|b| Ok(AttributeValue::S(b)))
                        .collect(),
                )
            });
        }
        let (hash_keys, range_keys, projection, global) =
            key_of_target(&name, schema, self.index.as_deref())?;
        if global && self.options.consistent_read {
            return Err(Error::invalid(
                &name,
                "consistent_read",
                "a global secondary index cannot be read with strong consistency",
            ));
        }
        let target = self
            .index
            .as_deref()
            .map_or("the table".to_owned(), |i| format!("index `{i}`"));
        let names =
            |keys: &[&KeyAttribute]| keys.iter().map(|k| k.name()).collect::<Vec<_>>().join(", ");
        if self.hash.len() != hash_keys.len() {
            return Err(Error::invalid(
                &name,
                "key",
                format!(
                    "{target} has {} partition key attribute(s) ({}), and {} value(s) were given; \
                     give one per attribute, in order, with `and_hash`",
                    hash_keys.len(),
                    names(&hash_keys),
                    self.hash.len()
                ),
            ));
        }
        let sort_used = self.range_prefix.len() + usize::from(self.range.is_some());
        if sort_used > range_keys.len() {
            return Err(Error::invalid(
                &name,
                "range condition",
                if range_keys.is_empty() {
                    format!("{target} has no range (sort) key to compare")
                } else {
                    format!(
                        "{target} has {} sort key attribute(s) ({}), and conditions on {sort_used} were given",
                        range_keys.len(),
                        names(&range_keys)
                    )
                },
            ));
        }
        self.options.check::<M>(&name)?;
        let mut p = Placeholders::default();
        let mut conditions = Vec::new();
        let mut partition = Vec::with_capacity(hash_keys.len());
        let partition_count = hash_keys.len();
        let equalities = hash_keys
            .iter()
            .zip(self.hash)
            .chain(range_keys.iter().zip(self.range_prefix));
        for (at, (key, value)) in equalities.enumerate() {
            let value = key_value(&name, key, value)?;
            if at < partition_count {
                partition.push((key.name().to_owned(), value.clone()));
            }
            conditions.push(format!("{} = {}", p.name(key.name()), p.value(value)));
        }
        let nothing = matches!(self.range, Some((RangeOp::Nothing, _)));
        if let Some((op, values)) = self.range.filter(|_| !nothing) {
            let range_key = range_keys[sort_used - 1];
            let attribute = p.name(range_key.name());
            let mut placeholders = Vec::new();
            for value in values {
                placeholders.push(p.value(key_value(&name, range_key, value)?));
            }
            let mut values = placeholders.into_iter();
            let first = values.next().unwrap_or_default();
            conditions.push(match op {
                RangeOp::Eq => format!("{attribute} = {first}"),
                RangeOp::Lt => format!("{attribute} < {first}"),
                RangeOp::Le => format!("{attribute} <= {first}"),
                RangeOp::Gt => format!("{attribute} > {first}"),
                RangeOp::Ge => format!("{attribute} >= {first}"),
                RangeOp::BeginsWith => format!("begins_with({attribute}, {first})"),
                RangeOp::Between => {
                    let second = values.next().unwrap_or_default();
                    format!("{attribute} BETWEEN {first} AND {second}")
                }
                RangeOp::Nothing => unreachable!("a range of no key is not sent"),
            });
        }
        let key_condition = conditions.join(" AND ");
        let read = super::source::model_read::<M>(
            &name,
            self.index.as_deref(),
            &projection,
            &self.options,
            &mut p,
        )?;
        let start = self
            .options
            .after
            .map(|cursor| {
                cursor.start_key(schema.table_name(), self.index.as_deref(), ReadKind::Query)
            })
            .transpose()
            .map_err(|err| Error::invalid(&name, "cursor", err.to_string()))?;
        if let Some(start) = &start {
            same_partition(&name, start, &partition)?;
        }
        let (names, values) = p.into_parts();
        let request = Request {
            client: self.table.client()?.clone(),
            table: name,
            schema_table: schema.table_name().to_owned(),
            schema,
            index: self.index,
            projection,
            read,
            names,
            values,
            consistent_read: self.options.consistent_read,
            kind: Kind::Query {
                key_condition,
                descending: self.descending,
                nothing,
            },
        };
        Ok((request, start, self.options.page_size, self.options.limit))
    }
}

impl<M: DynamoModel, R, T: super::page::ReadItem + Send + 'static> Query<M, R, T> {
    /// One page (at most the page size, or the limit, of items) and the
    /// cursor of the next.
    pub async fn send(self) -> Result<Page<T>> {
        let (request, start, page_size, limit) = self.prepare()?;
        page::one_page(&request, start, page_size, limit).await
    }

    /// Every item, fetched a page at a time as the stream is read: memory
    /// holds one page however many items match.
    pub fn stream(self) -> impl Stream<Item = Result<T>> + Send + 'static {
        let prepared = self.prepare();
        futures_util::stream::once(async move { prepared })
            .map_ok(|(request, start, page_size, limit)| {
                page::stream(request, start, page_size, limit)
            })
            .try_flatten()
    }

    /// Every item, collected.
    pub async fn all(self) -> Result<Vec<T>> {
        self.stream().try_collect().await
    }
}
