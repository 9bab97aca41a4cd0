//! Pages: one answer of a Query or Scan as items plus a cursor, and the
//! stream that fetches pages on demand (one page in memory at a time,
//! however many items there are).

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;

use futures_core::Stream;
use serde::de::DeserializeOwned;

/// What a query or scan reads its items as: any serde type (the model, or
/// a struct of projected fields), or a collection of entities
/// (`#[derive(DynamoCollection)]`), read by each item's entity attribute.
pub trait ReadItem: Sized {
    /// The item, or why not: serde's reason, which the read explains, or
    /// an error of its own.
    #[doc(hidden)]
    fn read_item(table: &str, item: Attributes) -> std::result::Result<Self, ReadFailure>;

    /// The same, from a stream record's image (a serde_dynamo item, as the
    /// Lambda event carries it).
    #[doc(hidden)]
    fn read_image(
        table: &str,
        image: serde_dynamo::Item,
    ) -> std::result::Result<Self, ReadFailure> {
        Self::read_item(table, image.into())
    }
}

/// Why an item could not be read.
#[doc(hidden)]
pub enum ReadFailure {
    /// serde's reason.
    Serde(String),
    /// An error to report as it is.
    Error(crate::Error),
}

impl<T: DeserializeOwned> ReadItem for T {
    fn read_item(_table: &str, item: Attributes) -> std::result::Result<Self, ReadFailure> {
        serde_dynamo::from_item(item).map_err(|err| ReadFailure::Serde(err.to_string()))
    }

    fn read_image(
        _table: &str,
        image: serde_dynamo::Item,
    ) -> std::result::Result<Self, ReadFailure> {
        serde_dynamo::from_item(image).map_err(|err| ReadFailure::Serde(err.to_string()))
    }
}

use super::cursor::{Cursor, ReadKind};
use crate::error::{Error, Result};
use crate::item::encode::Attributes;

/// One page of results: the items, and where the next page starts (`None`
/// on the last page).
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// The cursor of the next page: pass it to `.after(cursor)`.
    pub next: Option<Cursor>,
}

/// What a Query or Scan request answers: items and the LastEvaluatedKey.
pub(crate) type RawPage = (Vec<Attributes>, Option<Attributes>);

/// A request that can fetch one page from a start key.
pub(crate) trait PageSource: Send + Sync + 'static {
    fn fetch(
        &self,
        start: Option<Attributes>,
        limit: Option<i32>,
    ) -> Pin<Box<dyn Future<Output = Result<RawPage>> + Send + '_>>;

    /// The table name cursors carry (without the connection's prefix), the
    /// index, if any, and the kind of read.
    fn place(&self) -> (&str, Option<&str>, ReadKind);

    /// Reads one item into `T`, with a clear error where the item cannot be
    /// (a KEYS_ONLY index read into the whole model).
    fn decode<T: ReadItem>(&self, item: Attributes) -> Result<T>;
}

/// Page size to ask for: the page size, but never more than what is still
/// wanted.
fn request_limit(page_size: Option<usize>, remaining: Option<usize>) -> Option<i32> {
    let n = match (page_size, remaining) {
        (Some(p), Some(r)) => p.min(r),
        (Some(p), None) => p,
        (None, Some(r)) => r,
        (None, None) => return None,
    };
    Some(i32::try_from(n).unwrap_or(i32::MAX).max(1))
}

/// One page.
pub(crate) async fn one_page<S: PageSource, T: ReadItem>(
    source: &S,
    start: Option<Attributes>,
    page_size: Option<usize>,
    limit: Option<usize>,
) -> Result<Page<T>> {
    let (items, last) = source.fetch(start, request_limit(page_size, limit)).await?;
    let (table, index, kind) = source.place();
    let next = last
        .filter(|key| !key.is_empty())
        .map(|key| cursor(table, index, kind, &key))
        .transpose()?;
    let items = items
        .into_iter()
        .map(|item| source.decode(item))
        .collect::<Result<Vec<T>>>()?;
    Ok(Page { items, next })
}

fn cursor(table: &str, index: Option<&str>, kind: ReadKind, key: &Attributes) -> Result<Cursor> {
    Cursor::new(table, index, kind, key).ok_or_else(|| {
        Error::invalid(
            table,
            "response",
            "the server's LastEvaluatedKey holds a value that is not a key",
        )
    })
}

struct State<S> {
    source: S,
    start: Option<Attributes>,
    buffer: VecDeque<Attributes>,
    page_size: Option<usize>,
    remaining: Option<usize>,
    done: bool,
}

/// Every item from `start` on, fetching a page when the last one is used
/// up, and stopping after `limit` items.
pub(crate) fn stream<S: PageSource, T: ReadItem + Send + 'static>(
    source: S,
    start: Option<Attributes>,
    page_size: Option<usize>,
    limit: Option<usize>,
) -> impl Stream<Item = Result<T>> + Send + 'static {
    let state = State {
        source,
        start,
        buffer: VecDeque::new(),
        page_size,
        remaining: limit,
        done: limit == Some(0),
    };
    futures_util::stream::unfold(state, |mut state| async move {
        loop {
            if state.remaining == Some(0) {
                return None;
            }
            if let Some(item) = state.buffer.pop_front() {
                if let Some(remaining) = &mut state.remaining {
                    *remaining -= 1;
                }
                let item = state.source.decode(item);
                if item.is_err() {
                    state.done = true;
                    state.buffer.clear();
                    state.remaining = Some(0);
                }
                return Some((item, state));
            }
            if state.done {
                return None;
            }
            let limit = request_limit(state.page_size, state.remaining);
            match state.source.fetch(state.start.take(), limit).await {
                Ok((items, last)) => {
                    state.buffer.extend(items);
                    match last.filter(|key| !key.is_empty()) {
                        Some(key) => state.start = Some(key),
                        None => state.done = true,
                    }
                }
                Err(err) => {
                    state.done = true;
                    state.remaining = Some(0);
                    return Some((Err(err), state));
                }
            }
        }
    })
}
