//! Scan: every item of the table or an index, with a filter, as pages, a
//! stream or all at once; in parallel over N segments merged into one
//! stream.

use std::marker::PhantomData;

use futures_core::Stream;
use futures_util::{StreamExt, TryStreamExt};

use super::cursor::ReadKind;
use super::options::ReadOptions;
use super::page::{self, Page};
use super::source::{Kind, Request};
use crate::error::{Error, Result};
use crate::item::expression::Placeholders;
use crate::{DynamoModel, Projection, Table};

/// A Scan on its way. Made by [`Table::scan`].
#[must_use = "a scan does nothing until it is sent"]
pub struct Scan<M, T = M> {
    table: Table<M>,
    index: Option<String>,
    options: ReadOptions,
    segments: u32,
    concurrency: usize,
    marker: PhantomData<fn() -> T>,
}

/// Segments of a parallel scan read at once, by default: as many requests
/// in flight as a batch has.
pub const DEFAULT_SCAN_CONCURRENCY: usize = crate::DEFAULT_BATCH_CONCURRENCY;

impl<M: DynamoModel> Table<M> {
    /// A scan of the whole table.
    ///
    /// ```
    /// # use dynamo_model::testing::LocalDynamoDb;
    /// # use dynamo_model::{CreateTableOptions, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize, serde::Deserialize, Debug)]
    /// # struct User { #[hash_key] id: u32 }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> dynamo_model::Result<()> {
    /// let local = LocalDynamoDb::embedded()?;
    /// let users = local.db().table::<User>();
    /// users.create(CreateTableOptions::new().wait(true)).await?;
    /// for id in 0..10 {
    ///     users.put(&User { id }).await?;
    /// }
    /// // Four segments read in parallel, merged (`.stream()` gives them as
    /// // a `Stream` instead of collecting).
    /// let all: Vec<User> = users.scan().segments(4).all().await?;
    /// assert_eq!(all.len(), 10);
    /// # Ok(()) }
    /// ```
    pub fn scan(&self) -> Scan<M> {
        Scan {
            table: self.clone(),
            index: None,
            options: ReadOptions::default(),
            segments: 1,
            concurrency: DEFAULT_SCAN_CONCURRENCY,
            marker: PhantomData,
        }
    }

    /// A scan of the index named `index` (GSI or LSI).
    pub fn scan_index(&self, index: &str) -> Scan<M> {
        let mut scan = self.scan();
        scan.index = Some(index.to_owned());
        scan
    }
}

read_options!(impl<M, T> Scan<M, T>);

impl<M, T> Scan<M, T> {
    /// Read in `n` parallel segments (DynamoDB's parallel scan), merged into
    /// one stream; every item is seen once. At most
    /// [`concurrency`](Self::concurrency) segments are read at once (a
    /// segment is read to its end before the next starts), so a thousand
    /// segments on a small table are not a thousand requests at once.
    pub fn segments(mut self, n: u32) -> Self {
        self.segments = n;
        self
    }

    /// How many segments are read at once (default
    /// [`DEFAULT_SCAN_CONCURRENCY`](crate::DEFAULT_SCAN_CONCURRENCY); 0 is
    /// refused before any request).
    pub fn concurrency(mut self, segments: usize) -> Self {
        self.concurrency = segments;
        self
    }

    /// Read the items as `U` instead.
    pub fn as_type<U>(self) -> Scan<M, U> {
        let mut options = self.options;
        options.retyped = true;
        Scan {
            table: self.table,
            index: self.index,
            options,
            segments: self.segments,
            concurrency: self.concurrency,
            marker: PhantomData,
        }
    }
}

impl<M: DynamoModel, T> Scan<M, T> {
    /// One request per segment, checked before any is sent.
    fn prepare(&self) -> Result<Vec<(Request, Option<crate::item::encode::Attributes>)>> {
        let name = self.table.name().to_owned();
        let schema = M::schema();
        if !(1..=1_000_000).contains(&self.segments) {
            return Err(Error::invalid(
                &name,
                "segments",
                format!("a scan has 1 to 1,000,000 segments, not {}", self.segments),
            ));
        }
        self.options.check::<M>(&name)?;
        if self.concurrency == 0 {
            return Err(Error::invalid(
                &name,
                "concurrency",
                "a scan reads at least one segment at a time",
            ));
        }
        if self.segments > 1 && self.options.after.is_some() {
            return Err(Error::invalid(
                &name,
                "after",
                "a cursor continues one segment; a parallel scan cannot start from it",
            ));
        }
        let projection = match &self.index {
            None => Projection::All,
            Some(index) => {
                if let Some(gsi) = schema.global_indexes().iter().find(|g| g.name() == index) {
                    if self.options.consistent_read {
                        return Err(Error::invalid(
                            &name,
                            "consistent_read",
                            "a global secondary index cannot be read with strong consistency",
                        ));
                    }
                    gsi.projection().clone()
                } else if let Some(lsi) = schema.local_indexes().iter().find(|l| l.name() == index)
                {
                    lsi.projection().clone()
                } else {
                    return Err(Error::invalid(
                        &name,
                        "index",
                        format!("the table has no index `{index}`"),
                    ));
                }
            }
        };
        let start = self
            .options
            .after
            .clone()
            .map(|cursor| {
                cursor.start_key(schema.table_name(), self.index.as_deref(), ReadKind::Scan)
            })
            .transpose()
            .map_err(|err| Error::invalid(&name, "cursor", err.to_string()))?;
        let client = self.table.client()?.clone();
        let total = self.segments;
        (0..total)
            .map(|segment| {
                let mut p = Placeholders::default();
                let read = super::source::model_read::<M>(
                    &name,
                    self.index.as_deref(),
                    &projection,
                    &self.options,
                    &mut p,
                )?;
                let (names, values) = p.into_parts();
                let request = Request {
                    client: client.clone(),
                    table: name.clone(),
                    schema_table: schema.table_name().to_owned(),
                    schema,
                    index: self.index.clone(),
                    projection: projection.clone(),
                    read,
                    names,
                    values,
                    consistent_read: self.options.consistent_read,
                    kind: Kind::Scan {
                        segment: (total > 1).then_some((segment as i32, total as i32)),
                    },
                };
                Ok((request, start.clone()))
            })
            .collect()
    }
}

impl<M: DynamoModel, T: super::page::ReadItem + Send + 'static> Scan<M, T> {
    /// One page of the first segment and the cursor of the next.
    pub async fn send(self) -> Result<Page<T>> {
        let mut requests = self.prepare()?;
        let (request, start) = requests.swap_remove(0);
        page::one_page(&request, start, self.options.page_size, self.options.limit).await
    }

    /// Every item, a page at a time per segment; with several segments,
    /// their streams are read in parallel and merged.
    pub fn stream(self) -> impl Stream<Item = Result<T>> + Send + 'static {
        let prepared = self.prepare();
        let (page_size, limit) = (self.options.page_size, self.options.limit);
        let concurrency = self.concurrency;
        futures_util::stream::once(async move { prepared })
            .map_ok(move |requests| {
                let segments = requests.into_iter().map(move |(request, start)| {
                    page::stream::<_, T>(request, start, page_size, None).boxed()
                });
                futures_util::stream::iter(segments).flatten_unordered(concurrency)
            })
            .try_flatten()
            .take(limit.unwrap_or(usize::MAX))
    }

    /// Every item, collected.
    pub async fn all(self) -> Result<Vec<T>> {
        self.stream().try_collect().await
    }
}
