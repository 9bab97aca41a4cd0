//! A duration as a person reads it in a message: `850 ms`, `1.5 s`,
//! `2 min 5 s`, `3 h 20 min`; never a count of nanoseconds.

use std::fmt;
use std::time::Duration;

/// Displays a [`Duration`] rounded to what matters at its size.
pub(crate) struct Readable(pub(crate) Duration);

impl fmt::Display for Readable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0;
        let secs = d.as_secs();
        if secs >= 100 * 365 * 24 * 3600 {
            f.write_str("an unbounded time")
        } else if secs >= 3600 {
            write!(f, "{} h {} min", secs / 3600, secs % 3600 / 60)
        } else if secs >= 60 {
            write!(f, "{} min {} s", secs / 60, secs % 60)
        } else if secs >= 10 {
            write!(f, "{secs} s")
        } else if d >= Duration::from_secs(1) {
            let tenths = (d.as_millis() + 50) / 100;
            if tenths.is_multiple_of(10) {
                write!(f, "{} s", tenths / 10)
            } else {
                write!(f, "{}.{} s", tenths / 10, tenths % 10)
            }
        } else if d >= Duration::from_millis(1) {
            write!(f, "{} ms", d.as_millis())
        } else if d.is_zero() {
            f.write_str("0 s")
        } else {
            write!(f, "{} µs", d.as_micros().max(1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_a_person_says_them() {
        let cases = [
            (Duration::ZERO, "0 s"),
            (Duration::from_nanos(1), "1 µs"),
            (Duration::from_millis(850), "850 ms"),
            (Duration::from_millis(1500), "1.5 s"),
            (Duration::from_nanos(1_999_999_999), "2 s"),
            (Duration::from_secs(42), "42 s"),
            (Duration::from_secs(125), "2 min 5 s"),
            (Duration::from_secs(12_000), "3 h 20 min"),
            (Duration::MAX, "an unbounded time"),
        ];
        for (d, text) in cases {
            assert_eq!(Readable(d).to_string(), text, "{d:?}");
        }
    }
}
