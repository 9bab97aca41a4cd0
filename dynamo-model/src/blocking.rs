//! The sync API (feature `blocking`): one adaptor, [`Blocking::sync`], turns
//! any operation of this crate (present or future) into a blocking call, for
//! `fn main`, plain `#[test]`s and scripts.
//!
//! `.sync()` runs the operation on one runtime kept for the whole process, so
//! pooled connections stay with the runtime that drives them. It works
//! where tokio allows blocking: outside any runtime, in `spawn_blocking`,
//! in `block_in_place`, and on a multi-threaded runtime's worker (through
//! `block_in_place`). On a current-thread runtime's own thread, where
//! blocking would stall the runtime (or make tokio panic), it returns
//! [`Error::BlockingInsideRuntime`] instead and sends nothing.
//!
//! ```
//! use dynamo_model::blocking::Blocking;
//! use dynamo_model::testing::LocalDynamoDb;
//! use dynamo_model::{CreateTableOptions, DynamoModel};
//!
//! #[derive(DynamoModel, serde::Serialize)]
//! struct User {
//!     #[hash_key]
//!     id: String,
//! }
//!
//! fn main() -> dynamo_model::Result<()> {
//!     let local = LocalDynamoDb::embedded()?;
//!     let users = local.db().table::<User>();
//!     users.create(CreateTableOptions::new().wait(true)).sync()?;
//!     assert!(users.exists().sync()?);
//!     users.delete_table().sync()?;
//!     Ok(())
//! }
//! ```

use std::future::IntoFuture;
use std::sync::OnceLock;

use futures_core::Stream;

use crate::error::{Error, Result};
use crate::Db;

/// Blocking form of any operation: `.sync()` on what an operation returns
/// (its future, or a request builder that can be awaited) runs it to the end
/// on the process-wide blocking runtime.
///
/// ```
/// use dynamo_model::blocking::Blocking;
/// # use dynamo_model::{CreateTableOptions, DynamoModel};
/// # #[derive(DynamoModel, serde::Serialize)]
/// # struct User { #[hash_key] id: String }
/// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
/// let db = local.db();
/// db.table::<User>().create(CreateTableOptions::new()).sync()?;
/// assert_eq!(db.list_tables(None).sync()?, ["user"]);
/// # Ok::<(), dynamo_model::Error>(())
/// ```
pub trait Blocking<T>: IntoFuture<Output = Result<T>> + Sized {
    /// Runs the operation and blocks until it is done. On a current-thread
    /// runtime's own thread, where blocking would stall that runtime, it is
    /// [`Error::BlockingInsideRuntime`] and nothing is sent; on a
    /// multi-threaded runtime and in `spawn_blocking` it blocks, as tokio
    /// allows there (see the module docs).
    ///
    /// ```
    /// use dynamo_model::blocking::Blocking;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let db = dynamo_model::Db::local("http://127.0.0.1:1");
    /// let err = db.table_named("users").exists().sync().unwrap_err();
    /// assert!(matches!(err, dynamo_model::Error::BlockingInsideRuntime { .. }), "{err}");
    /// # }
    /// ```
    fn sync(self) -> Result<T> {
        block_on(operation_name(std::any::type_name::<Self>()), self)
    }
}

impl<F, T> Blocking<T> for F where F: IntoFuture<Output = Result<T>> {}

/// Blocking form of any stream of this crate (a query's or a scan's
/// `stream()`, a table's `changes()`): `.sync_iter()` makes it an
/// [`Iterator`], each `next()` waiting on the process-wide blocking runtime
/// as [`Blocking::sync`] does, with the same rules. A stream that never
/// ends (a table's changes) is an iterator that never returns `None`; on a
/// current-thread runtime's own thread the first `next()` is
/// [`Error::BlockingInsideRuntime`], and then the iterator ends.
///
/// ```
/// use dynamo_model::blocking::{Blocking, BlockingStream};
/// # use dynamo_model::{CreateTableOptions, DynamoModel};
/// # #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
/// # struct User { #[hash_key] id: String }
/// let local = dynamo_model::testing::LocalDynamoDb::embedded()?;
/// let users = local.db().table::<User>();
/// users.create(CreateTableOptions::new()).sync()?;
/// users.put(&User { id: "u1".into() }).sync()?;
/// let ids: Vec<String> = users
///     .scan()
///     .stream()
///     .sync_iter()
///     .map(|user| user.map(|u| u.id))
///     .collect::<dynamo_model::Result<_>>()?;
/// assert_eq!(ids, ["u1"]);
/// # Ok::<(), dynamo_model::Error>(())
/// ```
pub trait BlockingStream<T>: Stream<Item = Result<T>> + Sized {
    /// The stream as a blocking iterator.
    fn sync_iter(self) -> SyncIter<Self> {
        SyncIter {
            stream: Some(Box::pin(self)),
        }
    }
}

impl<S, T> BlockingStream<T> for S where S: Stream<Item = Result<T>> {}

/// A stream read as an [`Iterator`] ([`BlockingStream::sync_iter`]).
pub struct SyncIter<S> {
    /// `None` once the stream ended or blocking was refused.
    stream: Option<std::pin::Pin<Box<S>>>,
}

impl<S, T> Iterator for SyncIter<S>
where
    S: Stream<Item = Result<T>>,
{
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        use futures_util::StreamExt;
        let stream = self.stream.as_mut()?;
        // A stream's type names no operation (an `Unfold<..>`): name the
        // adaptor.
        let name = "BlockingStream::sync_iter".to_owned();
        match block_on(name, async { Ok(stream.next().await) }) {
            Ok(Some(item)) => Some(item),
            Ok(None) => {
                self.stream = None;
                None
            }
            Err(refused) => {
                self.stream = None;
                Some(Err(refused))
            }
        }
    }
}

/// Runs `future` to completion on the process-wide runtime.
///
/// Outside any runtime it simply blocks. Inside one it blocks only where
/// tokio allows it: on a multi-threaded runtime through `block_in_place`
/// (which hands the worker's other tasks to another thread, and is a no-op
/// on a `spawn_blocking` thread), and on a current-thread runtime only from
/// its blocking pool (`spawn_blocking`). On a current-thread runtime's own
/// thread, blocking would stall every task of that runtime, the server of a
/// test included, so it is refused.
fn block_on<T>(operation: String, future: impl IntoFuture<Output = Result<T>>) -> Result<T> {
    use tokio::runtime::RuntimeFlavor;
    let Ok(handle) = tokio::runtime::Handle::try_current() else {
        return runtime()?.block_on(future.into_future());
    };
    match handle.runtime_flavor() {
        RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(|| runtime()?.block_on(future.into_future()))
        }
        RuntimeFlavor::CurrentThread if on_blocking_pool_thread() => {
            runtime()?.block_on(future.into_future())
        }
        _ => Err(Error::BlockingInsideRuntime { operation }),
    }
}

/// Whether this thread is one of a tokio blocking pool's. A current-thread
/// runtime runs its tasks on the thread that called `block_on` (the user's
/// thread, e.g. a test's) and its `spawn_blocking` closures on pool threads
/// with tokio's default name, `tokio-rt-worker` (`tokio-runtime-worker`
/// before tokio 1.44). A runtime whose threads were renamed is refused: the
/// safe side. Known limit: a current-thread runtime started *inside* another
/// runtime's `spawn_blocking` thread runs on a thread of that name, and a
/// `.sync()` on it makes tokio panic ("Cannot start a runtime from within a
/// runtime"); such nesting is rare and nothing is sent before the panic.
fn on_blocking_pool_thread() -> bool {
    matches!(
        std::thread::current().name(),
        Some("tokio-rt-worker" | "tokio-runtime-worker")
    )
}

fn runtime() -> Result<&'static tokio::runtime::Runtime> {
    static RUNTIME: OnceLock<std::io::Result<tokio::runtime::Runtime>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .thread_name("dynamo-model-blocking")
                .enable_all()
                .build()
        })
        .as_ref()
        .map_err(|e| Error::BlockingRuntime {
            source: std::io::Error::new(e.kind(), e.to_string()),
        })
}

/// `Type::method` from the type name of an operation's future, e.g.
/// `dynamo_model::table::Table<app::User>::create::{{closure}}` gives
/// `Table::create`: what a person called, for the error message.
fn operation_name(type_name: &str) -> String {
    let segments: Vec<String> = top_level_segments(type_name)
        .into_iter()
        .filter(|s| !s.is_empty() && !s.starts_with('{'))
        .map(|segment| match segment.strip_prefix("<impl ") {
            // `<impl dynamo_model::table::Table<M>>`: the type the method is on.
            Some(inner) => {
                let inner = inner.strip_suffix('>').unwrap_or(inner);
                let path = top_level_segments(inner);
                path.last()
                    .map_or_else(String::new, |s| without_generics(s))
            }
            None => without_generics(&segment),
        })
        .collect();
    match segments.as_slice() {
        [.., owner, method] => format!("{owner}::{method}"),
        [one] => one.clone(),
        [] => type_name.to_owned(),
    }
}

/// `a::b<c::d>::e` as `["a", "b<c::d>", "e"]`: split on `::` outside `<>`.
fn top_level_segments(path: &str) -> Vec<String> {
    let mut segments = vec![String::new()];
    let mut depth = 0usize;
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '<' => depth += 1,
            '>' => depth = depth.saturating_sub(1),
            ':' if depth == 0 && chars.peek() == Some(&':') => {
                chars.next();
                segments.push(String::new());
                continue;
            }
            _ => {}
        }
        segments.last_mut().expect("never empty").push(c);
    }
    segments
}

fn without_generics(segment: &str) -> String {
    segment
        .split('<')
        .next()
        .unwrap_or(segment)
        .trim()
        .to_owned()
}

impl Db {
    /// [`Db::from_env`] for sync code.
    ///
    /// ```no_run
    /// let db = dynamo_model::Db::sync_from_env()?;
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn sync_from_env() -> Result<Db> {
        block_on("Db::from_env".to_owned(), async {
            Ok(Db::from_env().await)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_are_named_as_a_person_calls_them() {
        assert_eq!(
            operation_name("dynamo_model::table::Table<app::User>::create::{{closure}}"),
            "Table::create"
        );
        assert_eq!(
            operation_name("dynamo_model::model::DynamoModel::create_table::{{closure}}"),
            "DynamoModel::create_table"
        );
        assert_eq!(
            operation_name("dynamo_model::db::Db::list_tables::{{closure}}"),
            "Db::list_tables"
        );
        assert_eq!(operation_name("Put<'_, app::Order>"), "Put");
        assert_eq!(
            operation_name(
                "dynamo_model::table::describe::<impl dynamo_model::table::Table<app::User>>::exists::{{closure}}"
            ),
            "Table::exists"
        );
    }

    #[tokio::test]
    async fn inside_a_runtime_it_is_an_error_not_a_panic() {
        async fn op() -> Result<u8> {
            Ok(1)
        }
        let err = op().sync().unwrap_err();
        assert!(
            matches!(&err, Error::BlockingInsideRuntime { operation } if operation.ends_with("op")),
            "{err}"
        );
        assert_eq!(err.table(), None);
    }

    #[tokio::test]
    async fn a_stream_inside_a_runtime_is_one_error_then_ends() {
        let mut items = futures_util::stream::iter([Ok::<u8, Error>(1)]).sync_iter();
        let err = items.next().unwrap().unwrap_err();
        assert!(
            matches!(&err, Error::BlockingInsideRuntime { operation } if operation == "BlockingStream::sync_iter"),
            "{err}"
        );
        assert!(items.next().is_none());
    }

    #[test]
    fn outside_a_runtime_a_stream_is_an_iterator() {
        let items = futures_util::stream::iter([Ok::<u8, Error>(1), Ok(2)]).sync_iter();
        assert_eq!(items.collect::<Result<Vec<_>>>().unwrap(), [1, 2]);
    }

    #[test]
    fn outside_a_runtime_it_runs() {
        async fn op() -> Result<u8> {
            Ok(7)
        }
        assert_eq!(op().sync().unwrap(), 7);
    }
}
