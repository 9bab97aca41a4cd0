//! Batches: BatchWriteItem and BatchGetItem over any number of items, split
//! at DynamoDB's limits (25 writes, 100 reads per request), several requests
//! in flight, and whatever DynamoDB leaves unprocessed retried with jittered
//! backoff. Nothing is lost silently: when retries run out, the error lists
//! exactly the keys not written or read.

pub(crate) mod checked_delete;
pub(crate) mod get;
pub(crate) mod incomplete;
pub(crate) mod retry;
pub(crate) mod write;

use retry::Retry;

/// Requests of one batch in flight at once, by default.
pub const DEFAULT_BATCH_CONCURRENCY: usize = 8;

/// Concurrency and retries of one batch call.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    pub(crate) concurrency: usize,
    pub(crate) retry: Retry,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            concurrency: DEFAULT_BATCH_CONCURRENCY,
            retry: Retry::default(),
        }
    }
}
