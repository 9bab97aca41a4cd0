//! When a write may be sent again after an attempt whose answer was lost.
//!
//! An attempt that timed out, lost its connection after sending, or got a
//! 5xx may have been applied by the server. Sending it again is safe only
//! when a second application leaves what one does: a plain put or delete,
//! an update that only sets and removes. A write with a condition is resent
//! too, but its second attempt may fail *because of* the first: an
//! `if_not_exists` put finds the item it stored itself. So after a lost
//! answer a failed condition is not believed: the stored item (which
//! DynamoDB returns with the failure) is compared with what this write
//! leaves, and a match is this write's own success. A write that cannot be
//! applied twice harmlessly and has no condition to stop a second
//! application (an `ADD`, an unchecked version bump) is never resent: its
//! lost answer is [`Error::OutcomeUnknown`].
//!
//! The SDK's own retries follow the same rule: for every write that is not
//! free to repeat, [`AmbiguousNotRetried`] forbids the SDK to resend after
//! an attempt that may have reached the server; throttling and refused
//! connections are still retried there, since nothing was applied.

use std::future::Future;

use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::config::interceptors::InterceptorContext;
use aws_sdk_dynamodb::config::retry::{ClassifyRetry, RetryAction};
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;

use super::canonical;
use super::encode::Attributes;
use super::guard::Guard;
use crate::batch::retry::Retry;
use crate::error::Error;

/// How a write may be repeated after an attempt whose answer was lost.
#[derive(Debug, Clone)]
pub(crate) enum Replay {
    /// Twice is once and the answer does not tell them apart: the SDK
    /// retries it as any request.
    Free,
    /// May be sent again; a failed condition after a lost answer is checked
    /// against what the write leaves.
    Checked(Leaves),
    /// Must not be sent twice: why.
    Never(&'static str),
}

impl Replay {
    /// A put: the item itself shows it was stored.
    pub(crate) fn of_put(guard: &Guard, item: &Attributes) -> Replay {
        if guard.is_empty() {
            Replay::Free
        } else {
            Replay::Checked(Leaves::Item(item.clone()))
        }
    }

    /// A delete: its answer changes on a second try (no old item), and an
    /// absent item may be another writer's delete.
    pub(crate) fn of_delete(guard: &Guard, returning_old: bool) -> Replay {
        if guard.is_empty() && !returning_old {
            Replay::Free
        } else {
            Replay::Checked(Leaves::Unknowable(
                "an absent item (another writer's delete looks the same)",
            ))
        }
    }

    /// An update that sets `set`, removes `removed`, adds (`adds`) and
    /// bumps the version attribute `bumps`.
    pub(crate) fn of_update(
        guard: &Guard,
        set: Vec<(String, AttributeValue)>,
        removed: Vec<String>,
        adds: bool,
        bumps: Option<&'static str>,
    ) -> Replay {
        // A version check fails once the first application bumped it.
        let checked = guard.version.as_ref().map(|(_, expected)| expected);
        if checked.is_none() {
            if adds {
                return Replay::Never(
                    "it adds to a number or a set (ADD), and a second application would add again",
                );
            }
            if bumps.is_some() {
                return Replay::Never(
                    "it bumps the `#[version]` without checking it (give `expect_version` to make a resend safe)",
                );
            }
        }
        if guard.is_empty() && bumps.is_none() {
            return Replay::Free;
        }
        if adds {
            return Replay::Checked(Leaves::Unknowable("an ADD (which adds to what was there)"));
        }
        if checked.is_some() {
            // The point of a version check is that no other write came in
            // between; another writer at the same version could leave the
            // same values, so the stored item proves nothing.
            return Replay::Checked(Leaves::Unknowable(
                "a versioned update (another writer's update of the same version could leave the same values)",
            ));
        }
        Replay::Checked(Leaves::Fields { set, removed })
    }
}

/// What a write leaves in the item, to recognise it there.
#[derive(Debug, Clone)]
pub(crate) enum Leaves {
    /// Exactly this item (a put).
    Item(Attributes),
    /// These attributes set, these removed (an unversioned update of SET
    /// and REMOVE actions: a stored item showing them is the state this
    /// write asked for, whoever left it).
    Fields {
        set: Vec<(String, AttributeValue)>,
        removed: Vec<String>,
    },
    /// Something the stored item cannot show: an `ADD` (which adds to what
    /// was there), a delete (an absent item may be another's delete).
    Unknowable(&'static str),
}

impl Leaves {
    /// Whether `stored` is what this write leaves.
    pub(crate) fn shown_by(&self, stored: Option<&Attributes>) -> bool {
        let Some(stored) = stored else {
            return false;
        };
        match self {
            Leaves::Item(item) => canonical::same_item(item, stored),
            Leaves::Fields { set, removed } => {
                set.iter().all(|(name, value)| {
                    stored.get(name).is_some_and(|v| canonical::same(v, value))
                }) && removed.iter().all(|name| !stored.contains_key(name))
            }
            Leaves::Unknowable(_) => false,
        }
    }
}

/// Whether a failed attempt may have been applied by the server: it timed
/// out, lost its connection after connecting, or got a 5xx answer.
pub(crate) fn may_have_applied<E: ProvideErrorMetadata>(err: &SdkError<E, HttpResponse>) -> bool {
    match err {
        SdkError::TimeoutError(_) | SdkError::ResponseError(_) => true,
        SdkError::DispatchFailure(failure) => !failure
            .as_connector_error()
            .is_some_and(|e| never_connected(e)),
        SdkError::ServiceError(service) => service.raw().status().as_u16() >= 500,
        _ => false,
    }
}

/// A connection refused, a host not found, or a connect that timed out: the
/// request never left. (The connector reports a connect timeout and a read
/// timeout, after the request was sent, as the same kind; only its message,
/// "HTTP connect timeout" or "HTTP read timeout", tells them apart.)
fn never_connected(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(err);
    while let Some(err) = next {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::ConnectionRefused {
                return true;
            }
        }
        let text = err.to_string();
        if text.contains("dns error") || text.contains("HTTP connect timeout") {
            return true;
        }
        next = err.source();
    }
    false
}

/// Forbids the SDK to resend a write after an attempt that may have been
/// applied (a transient or server error other than a refused connection).
/// Throttling is left to the SDK: a throttled write was not applied.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct AmbiguousNotRetried;

impl ClassifyRetry for AmbiguousNotRetried {
    // A `RetryForbidden` ends the classification whatever runs after it, so
    // this needs no place among the SDK's classifiers: it judges the attempt
    // itself.
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        let Some(Err(err)) = ctx.output_or_error() else {
            return RetryAction::NoActionIndicated;
        };
        let server_error = ctx.response().is_some_and(|r| r.status().as_u16() >= 500);
        let lost = err.is_timeout_error()
            || err.is_response_error()
            || err
                .as_connector_error()
                .is_some_and(|e| !never_connected(e));
        if lost || server_error {
            RetryAction::RetryForbidden
        } else {
            RetryAction::NoActionIndicated
        }
    }

    fn name(&self) -> &'static str {
        "dynamo-model: a write that may have been applied is not resent"
    }
}

/// The configuration override that puts [`AmbiguousNotRetried`] on one
/// request.
pub(crate) fn no_blind_resend() -> aws_sdk_dynamodb::config::Builder {
    aws_sdk_dynamodb::config::Builder::new().retry_classifier(AmbiguousNotRetried)
}

/// One attempt of `request` (a fluent builder), with [`no_blind_resend`]
/// on it when [`send`] asks for it: the `send` argument of [`send`], for any
/// of the SDK's write builders. The request is built once: an attempt that
/// may be followed by another sends a copy, the last one sends the request
/// itself (for most writes the first attempt is the last).
macro_rules! attempt {
    ($request:expr) => {{
        let mut request = Some($request);
        move |guarded: bool, last: bool| {
            let request = if last {
                request.take()
            } else {
                request.clone()
            }
            .expect("no attempt follows the last");
            async move {
                if guarded {
                    request
                        .customize()
                        .config_override($crate::item::replay::no_blind_resend())
                        .send()
                        .await
                } else {
                    request.send().await
                }
            }
        }
    }};
}
pub(crate) use attempt;

/// The result of a write sent under a [`Replay`] rule.
pub(crate) enum Sent<O> {
    /// The server's answer; `after_lost` when an earlier attempt's answer
    /// was lost (so the answer may not be the first application's).
    Answer { output: O, after_lost: bool },
    /// A resend's condition failed on the item this very write had left:
    /// the write was applied, and this is the item as stored.
    Recognised(Attributes),
}

/// Sends a write by `replay`'s rule: `send(guarded, last)` makes one
/// attempt (`guarded`: with [`no_blind_resend`] on it; `last`: no attempt
/// follows). A lost answer of a
/// [`Replay::Checked`] write is resent (with backoff, up to the
/// connection's attempts); a failed condition after it is recognised as
/// this write's own or reported as [`Error::OutcomeUnknown`]; a lost
/// answer of a [`Replay::Never`] write is [`Error::OutcomeUnknown`].
/// Any other failure is the `guard`'s error for it
/// ([`Guard::write_error`]): nothing was applied.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn send<O, E, F, Fut>(
    client: &Client,
    table: &str,
    key: &super::key::ItemKey,
    operation: &'static str,
    guard: &Guard,
    replay: &Replay,
    returned: impl Fn(&E) -> Option<Attributes>,
    mut send: F,
) -> Result<Sent<O>, Error>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    F: FnMut(bool, bool) -> Fut,
    Fut: Future<Output = Result<O, SdkError<E, HttpResponse>>>,
{
    let guarded = !matches!(replay, Replay::Free);
    let attempts = client
        .config()
        .retry_config()
        .map_or(3, |r| r.max_attempts())
        .max(1);
    let backoff = Retry::default();
    let mut lost: Option<String> = None;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let last = !matches!(replay, Replay::Checked(_)) || attempt >= attempts;
        let err = match send(guarded, last).await {
            Ok(output) => {
                return Ok(Sent::Answer {
                    output,
                    after_lost: lost.is_some(),
                })
            }
            Err(err) => err,
        };
        let unknown = |reason: String, detail: String| Error::OutcomeUnknown {
            table: table.to_owned(),
            key: key.to_string(),
            operation,
            reason,
            detail,
        };
        if guarded && may_have_applied(&err) {
            let reason = crate::error::cause::describe(&err);
            match replay {
                Replay::Never(why) => {
                    return Err(unknown(
                        reason,
                        format!("it was not sent again, because {why}; read the item to see whether it was applied"),
                    ))
                }
                Replay::Checked(_) if attempt < attempts => {
                    lost.get_or_insert(reason);
                    tokio::time::sleep(backoff.delay(attempt)).await;
                    continue;
                }
                Replay::Checked(_) | Replay::Free => {
                    return Err(unknown(
                        reason,
                        format!("it was tried {attempt} time(s), and no answer came back"),
                    ))
                }
            }
        }
        let Some(first) = &lost else {
            return Err(guard
                .write_error(client, table, key, operation, err, &returned)
                .await);
        };
        // An earlier answer was lost: this attempt's failure does not say
        // whether that one was applied, unless the stored item shows it.
        let failed_condition = err
            .as_service_error()
            .is_some_and(|e| e.code() == Some("ConditionalCheckFailedException"));
        let detail = match replay {
            Replay::Checked(leaves) if failed_condition => {
                // Where the backend does not return the item with the
                // failure, it is read.
                let stored = match err.as_service_error().and_then(&returned) {
                    Some(item) => Some(item),
                    None => super::guard::read_stored(client, table, key)
                        .await
                        .flatten(),
                };
                if leaves.shown_by(stored.as_ref()) {
                    return Ok(Sent::Recognised(stored.unwrap_or_default()));
                }
                match leaves {
                    Leaves::Unknowable(what) => format!(
                        "it was sent again and its condition failed, which {what} cannot tell apart from this write's own earlier success"
                    ),
                    _ => "it was sent again and its condition failed on an item this write does not leave: either the first attempt was not applied and the condition is false, or it was and another writer changed the item since".to_owned(),
                }
            }
            _ => format!(
                "it was sent again and that attempt failed: {}",
                crate::error::cause::describe(&err)
            ),
        };
        return Err(unknown(first.clone(), detail));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::item::version::Expected;

    fn n(v: &str) -> AttributeValue {
        AttributeValue::N(v.into())
    }

    #[test]
    fn a_put_is_recognised_by_its_whole_item() {
        let item = Attributes::from([("id".into(), n("1")), ("x".into(), n("2.50"))]);
        let leaves = Leaves::Item(item.clone());
        let stored = Attributes::from([("id".into(), n("1")), ("x".into(), n("2.5"))]);
        assert!(leaves.shown_by(Some(&stored)));
        let other = Attributes::from([("id".into(), n("1")), ("x".into(), n("3"))]);
        assert!(!leaves.shown_by(Some(&other)));
        assert!(!leaves.shown_by(None));
    }

    #[test]
    fn an_update_is_recognised_by_what_it_sets_and_removes() {
        let leaves = Leaves::Fields {
            set: vec![("s".into(), AttributeValue::S("shipped".into()))],
            removed: vec!["coupon".into()],
        };
        let stored = |s: &str, v: &str, coupon: bool| {
            let mut item = Attributes::from([
                ("s".into(), AttributeValue::S(s.into())),
                ("v".into(), n(v)),
                ("other".into(), n("9")),
            ]);
            if coupon {
                item.insert("coupon".into(), AttributeValue::S("X".into()));
            }
            item
        };
        assert!(leaves.shown_by(Some(&stored("shipped", "4", false))));
        assert!(!leaves.shown_by(Some(&stored("new", "4", false))));
        assert!(!leaves.shown_by(Some(&stored("shipped", "4", true))));
        assert!(!Leaves::Unknowable("ADD").shown_by(Some(&stored("shipped", "4", false))));
    }

    #[test]
    fn a_versioned_update_is_never_recognised_by_its_values() {
        let guard = Guard {
            version: Some(("v", Expected::At("3".into()))),
            ..Guard::default()
        };
        let set = vec![("s".to_owned(), AttributeValue::S("shipped".into()))];
        let replay = Replay::of_update(&guard, set, vec![], false, Some("v"));
        let Replay::Checked(leaves) = replay else {
            panic!("a version check makes a resend safe: {replay:?}")
        };
        let stored = Attributes::from([
            ("s".into(), AttributeValue::S("shipped".into())),
            ("v".into(), n("4")),
        ]);
        assert!(!leaves.shown_by(Some(&stored)));
        let unchecked = Replay::of_update(&Guard::default(), vec![], vec![], false, Some("v"));
        assert!(matches!(unchecked, Replay::Never(_)));
        let adds = Replay::of_update(&Guard::default(), vec![], vec![], true, None);
        assert!(matches!(adds, Replay::Never(_)));
    }

    #[test]
    fn only_a_connect_that_never_happened_counts_as_not_sent() {
        let read = std::io::Error::other("HTTP read timeout occurred after 1s");
        let connect = std::io::Error::other("HTTP connect timeout occurred after 1s");
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert!(!never_connected(&read));
        assert!(never_connected(&connect));
        assert!(never_connected(&refused));
    }
}
