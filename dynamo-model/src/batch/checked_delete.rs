//! `batch_delete` of an entity of a shared table: one conditional
//! DeleteItem per key, several in flight. BatchWriteItem takes no
//! condition, so a batch delete by key alone would remove whatever item
//! has the key, also another entity's where two templates meet; a
//! DeleteItem with the entity's own condition (as `delete` sends) removes
//! only an item of this entity, or nothing. It costs the same write units
//! as a batch (DynamoDB bills a batch per item), in more requests.

use futures_util::StreamExt;

use super::incomplete::Failure;
use crate::error::Error;
use crate::item::key::ItemKey;
use crate::{DynamoModel, Table};

/// DeleteItem requests of one checked batch delete in flight at once, by
/// default.
pub const DEFAULT_CHECKED_DELETE_CONCURRENCY: usize = 32;

/// Deletes each key's item if it is of `M`'s entity (or there is none);
/// the keys whose item is of another entity, or that failed, come back
/// with the reason.
pub(crate) async fn delete_each<M: DynamoModel + 'static>(
    table: &Table<M>,
    keys: Vec<ItemKey>,
    concurrency: usize,
) -> Vec<Failure> {
    futures_util::stream::iter(keys)
        .map(|key| {
            let delete = table.delete_prepared(Ok(key.clone()));
            async move { delete.await.err().map(|err| failure(key, err)) }
        })
        .buffer_unordered(concurrency)
        .filter_map(std::future::ready)
        .collect()
        .await
}

fn failure(key: ItemKey, err: Error) -> Failure {
    let (reason, table_missing) = match err {
        // The only condition of a plain delete is the entity's.
        Error::ConditionFailed { .. } => (
            "the item at this key is of another entity (or of none), so it was left as it is (`any_entity()` deletes by key alone)".to_owned(),
            false,
        ),
        Error::TableNotFound { .. } => ("the table does not exist".to_owned(), true),
        other => (other.to_string(), false),
    };
    Failure {
        keys: vec![key],
        reason,
        attempts: 1,
        table_missing,
    }
}
