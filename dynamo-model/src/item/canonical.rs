//! Values as DynamoDB tells them apart: a number is the same number however
//! it is written (`1`, `1.0`, `1e0`, `+01`, and `-0` is `0`), and a set is
//! the same set in any order. The server answers with its own spelling of a
//! number, so a key sent and the key an answer carries are matched by this,
//! never by their text.

use std::fmt::Write as _;

use aws_sdk_dynamodb::types::AttributeValue;

/// A decimal number as DynamoDB writes it (`-12.50e3`), read in one pass
/// without allocating. The canonical text, the checks of what DynamoDB can
/// store and the range checks of integer fields are all worked out from it.
pub(crate) struct Decimal<'a> {
    pub(crate) negative: bool,
    /// The significant digits, with any `.` among them still in place
    /// (empty for zero).
    significant: &'a [u8],
    /// How many significant digits (0 for zero).
    pub(crate) precision: usize,
    /// The power of ten of the first significant digit.
    pub(crate) magnitude: i64,
}

impl<'a> Decimal<'a> {
    /// `None` when `text` is not a number (NaN, `inf`, `1e`, `1.2.3`).
    pub(crate) fn parse(text: &'a str) -> Option<Self> {
        let bytes = text.as_bytes();
        let (negative, unsigned) = match bytes.first()? {
            b'-' => (true, &bytes[1..]),
            b'+' => (false, &bytes[1..]),
            _ => (false, bytes),
        };
        let (mantissa, exponent) = match unsigned.iter().position(|b| matches!(b, b'e' | b'E')) {
            Some(at) => (&unsigned[..at], parse_exponent(&unsigned[at + 1..])?),
            None => (unsigned, 0),
        };
        // Digits read, digits before the point, and the first and last
        // significant digit as (position in `mantissa`, digit number).
        let (mut seen_point, mut digits, mut whole) = (false, 0i64, 0i64);
        let (mut first, mut last) = (None::<(usize, i64)>, (0, 0));
        for (at, &b) in mantissa.iter().enumerate() {
            match b {
                b'.' if !seen_point => seen_point = true,
                b'0'..=b'9' => {
                    if b != b'0' {
                        first.get_or_insert((at, digits));
                        last = (at, digits);
                    }
                    digits += 1;
                    if !seen_point {
                        whole += 1;
                    }
                }
                _ => return None,
            }
        }
        if digits == 0 {
            return None;
        }
        Some(match first {
            None => Decimal {
                negative: false,
                significant: &[],
                precision: 0,
                magnitude: 0,
            },
            Some((at, number)) => Decimal {
                negative,
                significant: &mantissa[at..=last.0],
                precision: (last.1 - number + 1) as usize,
                magnitude: whole - number - 1 + exponent,
            },
        })
    }

    pub(crate) fn is_zero(&self) -> bool {
        self.precision == 0
    }

    /// The significant digits, as ASCII.
    pub(crate) fn digits(&self) -> impl Iterator<Item = u8> + '_ {
        self.significant.iter().copied().filter(|b| *b != b'.')
    }

    /// The power of ten of the last significant digit: negative when the
    /// number is not whole.
    pub(crate) fn last_power(&self) -> i64 {
        self.magnitude + 1 - self.precision as i64
    }
}

fn parse_exponent(text: &[u8]) -> Option<i64> {
    let digits = text
        .strip_prefix(b"+")
        .or_else(|| text.strip_prefix(b"-"))
        .unwrap_or(text);
    if digits.is_empty() || digits.len() > 6 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(text).ok()?.parse().ok()
}

/// The canonical text of a DynamoDB number: sign, significant digits and
/// the power of ten of the last (`-12e3` for `-12000`, `0` for any zero);
/// `None` when `text` is not a number at all. Equal numbers give equal text
/// whatever their spelling.
pub(crate) fn number(text: &str) -> Option<String> {
    let decimal = Decimal::parse(text.trim())?;
    if decimal.is_zero() {
        return Some("0".to_owned());
    }
    let mut out = String::with_capacity(decimal.precision + 8);
    if decimal.negative {
        out.push('-');
    }
    out.extend(decimal.digits().map(char::from));
    let _ = write!(out, "e{}", decimal.last_power());
    Some(out)
}

/// Whether two numbers' texts are the same number (the texts themselves
/// when either is not a number).
pub(crate) fn same_number(a: &str, b: &str) -> bool {
    a == b
        || match (number(a), number(b)) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        }
}

/// Whether two values are the same DynamoDB value: numbers by value, sets
/// in any order, lists and maps element by element.
pub(crate) fn same(a: &AttributeValue, b: &AttributeValue) -> bool {
    use AttributeValue as V;
    match (a, b) {
        (V::N(a), V::N(b)) => same_number(a, b),
        (V::Ns(a), V::Ns(b)) => {
            let canon = |set: &[String]| {
                let mut all: Vec<String> = set
                    .iter()
                    .map(|n| number(n).unwrap_or_else(|| n.clone()))
                    .collect();
                all.sort();
                all
            };
            canon(a) == canon(b)
        }
        (V::Ss(a), V::Ss(b)) => sorted(a) == sorted(b),
        (V::Bs(a), V::Bs(b)) => sorted_bytes(a) == sorted_bytes(b),
        (V::L(a), V::L(b)) => a.len() == b.len() && a.iter().zip(b).all(|(a, b)| same(a, b)),
        (V::M(a), V::M(b)) => {
            a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

fn sorted_bytes(set: &[aws_smithy_types::Blob]) -> Vec<&[u8]> {
    let mut all: Vec<&[u8]> = set.iter().map(|b| b.as_ref()).collect();
    all.sort_unstable();
    all
}

fn sorted(set: &[String]) -> Vec<&str> {
    let mut all: Vec<&str> = set.iter().map(String::as_str).collect();
    all.sort_unstable();
    all
}

/// Whether two items hold the same attributes with the same values.
pub(crate) fn same_item(
    a: &std::collections::HashMap<String, AttributeValue>,
    b: &std::collections::HashMap<String, AttributeValue>,
) -> bool {
    a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| same(v, w)))
}

/// A key value's identity, for matching keys: the type, then the canonical
/// number, the string, or the bytes in hex (two keys of the same length are
/// still two keys).
pub(crate) fn key_value(out: &mut String, value: &AttributeValue) {
    match value {
        AttributeValue::N(n) => {
            out.push('N');
            out.push_str(&number(n).unwrap_or_else(|| n.clone()));
        }
        AttributeValue::S(s) => {
            out.push('S');
            let _ = write!(out, "{}:", s.len());
            out.push_str(s);
        }
        AttributeValue::B(b) => {
            out.push('B');
            for byte in b.as_ref() {
                let _ = write!(out, "{byte:02x}");
            }
        }
        other => {
            let _ = write!(out, "{other:?}");
        }
    }
    out.push('\u{0}');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_numbers_have_one_text() {
        let forms = [
            (
                "100",
                &["1e2", "1E+2", "100.0", "0100", "+100", "1000e-1", "0.1e3"][..],
            ),
            (
                "0",
                &["-0", "0.0", "-0.0", "0e10", "+0", "000", ".0", "0."][..],
            ),
            ("1.5", &["1.50", "15e-1", "0.15e1", "01.5"][..]),
            ("-0.001", &["-1e-3", "-0.0010", "-.001"][..]),
            (
                "12345678901234567890123456789012345678",
                &["1.2345678901234567890123456789012345678e37"][..],
            ),
        ];
        for (first, others) in forms {
            let canon = number(first).unwrap();
            for other in others {
                assert_eq!(
                    number(other).as_deref(),
                    Some(canon.as_str()),
                    "{other} vs {first}"
                );
            }
        }
        assert_eq!(number("-12000").as_deref(), Some("-12e3"));
        assert_eq!(number("0.5").as_deref(), Some("5e-1"));
    }

    #[test]
    fn different_numbers_differ() {
        let distinct = [
            "1",
            "-1",
            "10",
            "0.1",
            "1.0000000000000000000000000000000000001",
            "2",
            "1e-130",
            "1e125",
            "0",
        ];
        for (i, a) in distinct.iter().enumerate() {
            for b in &distinct[i + 1..] {
                assert_ne!(number(a), number(b), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn non_numbers_are_none() {
        for bad in [
            "", "-", ".", "e5", "1e", "1.2.3", "abc", "1e+", "0x10", "NaN", "inf",
        ] {
            assert_eq!(number(bad), None, "{bad}");
        }
    }

    /// Every way an integer or a float prints gives the canonical number of
    /// its value: a property over many values and their spellings.
    #[test]
    fn spellings_of_one_value_agree_over_many_values() {
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..5_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let int = (x % 2_000_001) as i64 - 1_000_000;
            let canon = number(&int.to_string()).unwrap();
            for spelling in [
                format!("{int}.0"),
                format!("{int}.000"),
                format!("{}e0", int),
                format!("{}0e-1", int),
                format!("{:e}", int as f64),
            ] {
                assert_eq!(number(&spelling).unwrap(), canon, "{spelling} vs {int}");
            }
            let float = f64::from_bits(x);
            if float.is_finite() {
                let canon = number(&float.to_string()).unwrap();
                assert_eq!(number(&format!("{float:e}")).unwrap(), canon, "{float}");
                assert_eq!(number(&format!("{float:E}")).unwrap(), canon, "{float}");
            }
            // Two different integers never share a text.
            let other = int + 1 + (x % 7) as i64;
            assert_ne!(number(&other.to_string()).unwrap(), canon);
        }
    }

    #[test]
    fn values_compare_as_dynamodb_does() {
        use AttributeValue as V;
        assert!(same(&V::N("1.0".into()), &V::N("1".into())));
        assert!(!same(&V::N("1.1".into()), &V::N("1".into())));
        assert!(same(
            &V::Ss(vec!["a".into(), "b".into()]),
            &V::Ss(vec!["b".into(), "a".into()])
        ));
        assert!(same(
            &V::Ns(vec!["1".into(), "2.0".into()]),
            &V::Ns(vec!["2".into(), "1e0".into()])
        ));
        assert!(same(
            &V::L(vec![V::N("-0".into())]),
            &V::L(vec![V::N("0".into())])
        ));
        assert!(!same(&V::S("1".into()), &V::N("1".into())));
    }

    #[test]
    fn key_identities_keep_binaries_and_strings_apart() {
        let id = |v: AttributeValue| {
            let mut out = String::new();
            key_value(&mut out, &v);
            out
        };
        use aws_smithy_types::Blob;
        assert_ne!(
            id(AttributeValue::B(Blob::new(vec![1, 2]))),
            id(AttributeValue::B(Blob::new(vec![3, 4])))
        );
        assert_eq!(
            id(AttributeValue::N("-0.0".into())),
            id(AttributeValue::N("0".into()))
        );
        assert_ne!(
            id(AttributeValue::S("1".into())),
            id(AttributeValue::N("1".into()))
        );
    }
}
