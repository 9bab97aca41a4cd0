//! Reading a table's changes in tests: the next few, each mapped to what a
//! test compares, with hang guards (never benchmarks).

use std::time::Duration;

use dynamo_model::Change;
use futures_util::{Stream, StreamExt};

/// The next `n` changes, each as `seen` maps it; panics when one takes
/// over a minute, the stream ends or a change is an error.
pub async fn take_changes<M, S, T>(
    changes: &mut S,
    n: usize,
    mut seen: impl FnMut(Change<M>) -> T,
) -> Vec<T>
where
    S: Stream<Item = dynamo_model::Result<Change<M>>> + Unpin,
{
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let change = tokio::time::timeout(Duration::from_secs(60), changes.next())
            .await
            .unwrap_or_else(|_| panic!("no change within a minute; {} of {n} read", out.len()))
            .expect("the stream does not end")
            .unwrap();
        out.push(seen(change));
    }
    out
}

/// Nothing more comes within two seconds: no change was read twice.
pub async fn nothing_more<M, S>(changes: &mut S)
where
    S: Stream<Item = dynamo_model::Result<Change<M>>> + Unpin,
{
    let extra = tokio::time::timeout(Duration::from_secs(2), changes.next()).await;
    assert!(
        extra.is_err(),
        "a change read twice: {:?}",
        extra.map(|c| c.map(|c| c.map(|c| c.key().to_string())))
    );
}
