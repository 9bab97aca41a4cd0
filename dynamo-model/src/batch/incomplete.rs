//! What a batch reports when not every item went through: exactly the keys
//! not written (or read), how many were, the true number of attempts, and
//! each reason as the server gave it; a missing table as itself.

use crate::error::Error;
use crate::item::key::ItemKey;

/// Writes that did not go through, and why.
pub(crate) struct Failure {
    pub(crate) keys: Vec<ItemKey>,
    pub(crate) reason: String,
    /// Attempts made for them.
    pub(crate) attempts: u32,
    /// DynamoDB said the table does not exist.
    pub(crate) table_missing: bool,
}

/// The error for a batch of `count` items with these failures (`None`
/// without failures): [`Error::TableNotFound`] when the table is missing
/// and nothing was done, else [`Error::BatchIncomplete`] with exactly the
/// keys not done, how many were, the most attempts any failure took, and
/// each distinct reason (with its keys, when they are few).
pub(crate) fn incomplete(
    table: String,
    operation: &'static str,
    count: usize,
    failures: Vec<Failure>,
) -> Option<Error> {
    if failures.is_empty() {
        return None;
    }
    let missed: usize = failures.iter().map(|f| f.keys.len()).sum();
    if missed == count && failures.iter().all(|f| f.table_missing) {
        return Some(Error::TableNotFound { table });
    }
    let attempts = failures.iter().map(|f| f.attempts).max().unwrap_or(1);
    let mut reasons: Vec<String> = Vec::new();
    for failure in &failures {
        let reason = if failure.keys.len() <= 3 {
            format!(
                "{}: {}",
                crate::error::quoted(&failure.keys),
                failure.reason
            )
        } else {
            failure.reason.clone()
        };
        if !reasons.contains(&reason) {
            reasons.push(reason);
        }
    }
    Some(Error::BatchIncomplete {
        table,
        operation,
        keys: failures
            .into_iter()
            .flat_map(|f| f.keys)
            .map(|k| k.to_string())
            .collect(),
        done: count.saturating_sub(missed),
        attempts,
        reason: reasons.join("; "),
    })
}
