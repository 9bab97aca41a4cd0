//! How a batch retries what DynamoDB left unprocessed (or refused with a
//! throttling or transient error): up to a number of attempts, waiting a
//! jittered, exponentially growing delay between them ("full jitter", as
//! the AWS SDKs back off), so that many writers do not retry in step.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Retry settings of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Retry {
    pub(crate) attempts: u32,
    pub(crate) base: Duration,
    pub(crate) cap: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            attempts: DEFAULT_BATCH_ATTEMPTS,
            base: Duration::from_millis(25),
            cap: Duration::from_secs(2),
        }
    }
}

/// Attempts per chunk by default: the first and up to 9 retries of what is
/// left (each retry usually leaves less).
pub const DEFAULT_BATCH_ATTEMPTS: u32 = 10;

impl Retry {
    /// The wait before retry `n` (1 for the first retry): uniform in
    /// `0..=min(cap, base * 2^n)`.
    pub(crate) fn delay(&self, n: u32) -> Duration {
        let ceiling = self
            .base
            .saturating_mul(1u32.checked_shl(n.min(20)).unwrap_or(u32::MAX))
            .min(self.cap);
        let nanos = ceiling.as_nanos() as u64;
        if nanos == 0 {
            return Duration::ZERO;
        }
        Duration::from_nanos(random() % (nanos + 1))
    }
}

/// A small, fast, non-cryptographic random number (xorshift), seeded from
/// the clock and a counter: enough to spread retries apart.
fn random() -> u64 {
    static STATE: AtomicU64 = AtomicU64::new(0);
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mut x = STATE.fetch_add(0x9e37_79b9_7f4a_7c15, Ordering::Relaxed) ^ seed;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    x
}

/// Whether a failed batch request is worth sending again (one rule with
/// [`Error::is_retryable`](crate::Error::is_retryable)).
pub(crate) use crate::error::cause::is_retryable;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_up_to_the_cap_and_are_jittered() {
        let retry = Retry::default();
        for n in 1..30 {
            assert!(retry.delay(n) <= retry.cap);
        }
        let first: Vec<Duration> = (0..50).map(|_| retry.delay(1)).collect();
        assert!(first.iter().all(|d| *d <= Duration::from_millis(50)));
        assert!(first.windows(2).any(|w| w[0] != w[1]), "jittered");
    }
}
