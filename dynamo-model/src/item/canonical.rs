//! Values as DynamoDB tells them apart: a number is the same number however
//! it is written (`1`, `1.0`, `1e0`, `+01`, and `-0` is `0`), and a set is
//! the same set in any order. The server answers with its own spelling of a
//! number, so a key sent and the key an answer carries are matched by this,
//! never by their text.

use std::fmt::Write as _;

use aws_sdk_dynamodb::types::AttributeValue;

/// The canonical text of a DynamoDB number: sign, significant digits and
/// exponent (`-12e3` for `-12000`, `0` for any zero); `None` when `text` is
/// not a number at all.
///
/// The value is `0.d1d2... × 10^exponent` before it is printed, so that
/// equal numbers give equal text whatever their length.
pub(crate) fn number(text: &str) -> Option<String> {
    let text = text.trim();
    let (negative, unsigned) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (&unsigned[..at], parse_exponent(&unsigned[at + 1..])?),
        None => (unsigned, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    if !whole
        .bytes()
        .chain(fraction.bytes())
        .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let digits: String = whole.chars().chain(fraction.chars()).collect();
    let leading = digits.bytes().take_while(|b| *b == b'0').count();
    let significant = digits[leading..].trim_end_matches('0');
    if significant.is_empty() {
        return Some("0".to_owned());
    }
    // Position of the decimal point relative to the first significant digit.
    let point = whole.len() as i64 - leading as i64 + exponent;
    let mut out = String::with_capacity(significant.len() + 8);
    if negative {
        out.push('-');
    }
    out.push_str(significant);
    let _ = write!(out, "e{}", point - significant.len() as i64);
    Some(out)
}

fn parse_exponent(text: &str) -> Option<i64> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() > 6 {
        return None;
    }
    text.parse().ok()
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
