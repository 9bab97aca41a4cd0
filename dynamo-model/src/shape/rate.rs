//! How fast a backfill reads and writes: a rate in capacity units a
//! second (given, or a share of a provisioned table's capacity), held by
//! limiters that each request waits on and pays into with what DynamoDB
//! says it consumed (or an estimate from the item sizes).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_dynamodb::types::{BillingMode, TableDescription};
use tokio::time::Instant;

use crate::error::{Error, Result};
use crate::item::encode::{item_size, Attributes};

/// How fast a backfill may read and write.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RateLimit {
    /// This share (0 to 1) of the table's provisioned read and write
    /// capacity (a provisioned table only).
    Fraction(f64),
    /// At most this many read units and this many write units a second
    /// (any table, and the way to limit one on demand).
    UnitsPerSecond(f64),
}

/// Read units of a scanned page where the server did not say: 4 KB per
/// unit, eventually consistent (half).
pub(super) fn read_estimate(items: &[Attributes]) -> f64 {
    let bytes: usize = items.iter().map(item_size).sum();
    (bytes as f64 / 4096.0).ceil().max(1.0) / 2.0
}

/// Write units of a put where the server did not say: 1 KB per unit.
pub(super) fn write_estimate(bytes: usize) -> f64 {
    (bytes as f64 / 1024.0).ceil().max(1.0)
}

/// A rate refused before any request: a fraction not above 0 and at most
/// 1, or a number of units a second that is not positive.
pub(super) fn check_rate(table: &str, rate: Option<RateLimit>) -> Result<()> {
    match rate {
        Some(RateLimit::Fraction(fraction)) if !(fraction > 0.0 && fraction <= 1.0) => {
            Err(Error::invalid(
                table,
                "rate_limit",
                format!(
                    "a fraction of the table's capacity is above 0 and at most 1, not {fraction}"
                ),
            ))
        }
        Some(RateLimit::UnitsPerSecond(units)) if !(units > 0.0 && units.is_finite()) => {
            Err(Error::invalid(
                table,
                "rate_limit",
                format!("a rate is a positive number of units a second, not {units}"),
            ))
        }
        _ => Ok(()),
    }
}

/// The read and write limiters of a rate, on the table `description`
/// describes (the backfill describes it once, for its identity too).
pub(super) fn limiters(
    table: &str,
    description: &TableDescription,
    rate: Option<RateLimit>,
) -> Result<(Option<Limiter>, Option<Limiter>)> {
    check_rate(table, rate)?;
    let (reads, writes) = match rate {
        None => return Ok((None, None)),
        Some(RateLimit::UnitsPerSecond(units)) => (units, units),
        Some(RateLimit::Fraction(fraction)) => {
            let on_demand = description
                .billing_mode_summary
                .as_ref()
                .and_then(|b| b.billing_mode.as_ref())
                == Some(&BillingMode::PayPerRequest);
            let throughput = description.provisioned_throughput.as_ref();
            let (r, w) = (
                throughput.and_then(|t| t.read_capacity_units).unwrap_or(0),
                throughput.and_then(|t| t.write_capacity_units).unwrap_or(0),
            );
            if on_demand || r == 0 || w == 0 {
                return Err(Error::invalid(
                    table,
                    "rate_limit",
                    "the table is on demand (no provisioned capacity to take a fraction of): give `RateLimit::UnitsPerSecond`",
                ));
            }
            (fraction * r as f64, fraction * w as f64)
        }
    };
    for units in [reads, writes] {
        if !(units > 0.0 && units.is_finite()) {
            return Err(Error::invalid(
                table,
                "rate_limit",
                format!("a rate is a positive number of units a second, not {units}"),
            ));
        }
    }
    Ok((Some(Limiter::new(reads)), Some(Limiter::new(writes))))
}

/// Holds requests to `rate` units a second: each request waits until the
/// units spent before it are paid for.
#[derive(Clone)]
pub(super) struct Limiter {
    rate: f64,
    next: Arc<Mutex<Instant>>,
}

impl Limiter {
    pub(super) fn new(rate: f64) -> Self {
        Limiter {
            rate,
            next: Arc::new(Mutex::new(Instant::now())),
        }
    }

    pub(super) async fn wait(&self) {
        let next = *self.next.lock().unwrap_or_else(|e| e.into_inner());
        tokio::time::sleep_until(next).await;
    }

    pub(super) fn spend(&self, units: f64) {
        let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
        let from = (*next).max(Instant::now());
        *next = from + Duration::from_secs_f64(units / self.rate);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_limiter_holds_the_rate() {
        let limiter = Limiter::new(10.0);
        let start = Instant::now();
        for _ in 0..5 {
            limiter.wait().await;
            limiter.spend(4.0);
        }
        // 4 units paid 4 times at 10 a second before the fifth request.
        assert_eq!(start.elapsed(), Duration::from_millis(1600));
    }

    #[test]
    fn a_rate_out_of_range_is_refused_without_a_table() {
        for rate in [
            RateLimit::Fraction(0.0),
            RateLimit::Fraction(1.5),
            RateLimit::UnitsPerSecond(0.0),
            RateLimit::UnitsPerSecond(f64::INFINITY),
        ] {
            assert!(check_rate("t", Some(rate)).is_err(), "{rate:?}");
        }
        assert!(check_rate("t", Some(RateLimit::Fraction(1.0))).is_ok());
        assert!(check_rate("t", None).is_ok());
    }

    #[test]
    fn estimates_round_up() {
        assert_eq!(write_estimate(10), 1.0);
        assert_eq!(write_estimate(1025), 2.0);
        assert_eq!(read_estimate(&[]), 0.5);
    }
}
