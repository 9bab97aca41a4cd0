//! How a Rust value is written into a key template's placeholder: so that
//! distinct values never give the same key, every key reads back into the
//! values it was made of, and, where the placeholder ends the key, keys sort
//! as the values do (DynamoDB compares string keys by their UTF-8 bytes).
//! The table of encodings is on [`TemplateValue`].
//!
//! Floats cannot be in a key template: their text does not sort.

/// Why a value cannot be written into a key, a key does not read back into
/// values, or a text is not a key template.
///
/// ```
/// use dynamo_model::{KeyError, TemplateValue};
/// let err: KeyError = u8::read_key("256", None).unwrap_err();
/// assert!(err.to_string().contains("out of range"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct KeyError(String);

impl KeyError {
    /// An error saying `reason`: what an implementation of
    /// [`TemplateValue`] returns.
    pub fn new(reason: impl Into<String>) -> KeyError {
        KeyError(reason.into())
    }
}

impl From<String> for KeyError {
    fn from(reason: String) -> Self {
        KeyError(reason)
    }
}

impl From<&str> for KeyError {
    fn from(reason: &str) -> Self {
        KeyError(reason.to_owned())
    }
}

/// A Rust value that can fill a placeholder of a key template. Implemented
/// for `String`, every integer type, and (behind features) UUIDs, dates and
/// date-times; implement it for a newtype by writing its inner value.
///
/// Within one template, distinct values never give the same key, every key
/// reads back into its values, and where the placeholder ends the key, keys
/// sort as the values do (DynamoDB compares string keys by their UTF-8
/// bytes). Two templates of one table can meet where a string ends one of
/// them: `ORDER#{id}` with `id = "1#ITEM#7"` is the key `ORDER#{id}#ITEM#{n}`
/// gives for `("1", 7)`; give such templates distinct text after their
/// common part, or keep such ids out (the entity attribute tells the items
/// apart when they are read):
///
/// | type | written as | example |
/// |---|---|---|
/// | `String` | itself at the end of a key; elsewhere with `%` and the character after the placeholder escaped as `%XX` (UTF-8 bytes in hex) | `a#b` before `#`: `a%23b` |
/// | unsigned integers | zero-padded to the width of the type's largest value | `42u32`: `0000000042` |
/// | signed integers | the value plus 2^(bits-1) (the sign bit flipped), zero-padded: negative values sort before positive ones | `-1i8`: `127`, `0i8`: `128` |
/// | `uuid::Uuid` (feature `uuid`) | hyphenated, lower case | `67e55044-10b1-426f-9247-bb680e5fe0c8` |
/// | `chrono::DateTime<Utc>`, `time::OffsetDateTime` (features) | UTC, nanoseconds, fixed width, years 0 to 9999 | `2024-05-01T12:00:00.000000000Z` |
/// | `chrono::NaiveDate`, `time::Date` (features) | `YYYY-MM-DD`, years 0 to 9999 | `2024-05-01` |
///
/// Floats cannot be in a key template: their text does not sort.
///
/// ```
/// use dynamo_model::TemplateValue;
/// let mut key = String::new();
/// 42u32.write_key(&mut key, None).unwrap();
/// assert_eq!(key, "0000000042");
/// assert_eq!(u32::read_key(&key, None).unwrap(), 42);
///
/// let mut key = String::new();
/// "a#b".to_owned().write_key(&mut key, Some('#')).unwrap();
/// assert_eq!(key, "a%23b");
/// assert_eq!(String::read_key(&key, Some('#')).unwrap(), "a#b");
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be written into a key template",
    label = "not a key template value",
    note = "a placeholder's field must implement `dynamo_model::TemplateValue`: strings, integers, UUIDs, dates and times (floats cannot be in a key: their text does not sort); implement it for a newtype by writing its inner value"
)]
pub trait TemplateValue: Sized {
    /// The length of every written value, for types written at one width
    /// (read back by length); `None` for text (read back up to the
    /// character that follows the placeholder).
    const WIDTH: Option<usize>;

    /// Appends the value to `out`. `stop` is the character that follows the
    /// placeholder in the template (`None` where the placeholder ends the
    /// key): a value of variable width must not contain it unescaped.
    fn write_key(&self, out: &mut String, stop: Option<char>) -> Result<(), KeyError>;

    /// Reads back what [`write_key`](Self::write_key) wrote, with the same
    /// `stop`.
    fn read_key(text: &str, stop: Option<char>) -> Result<Self, KeyError>;
}

/// Writes `text` for a placeholder followed by `stop`: `%` and `stop` as
/// `%XX` per UTF-8 byte, so the first `stop` after the placeholder ends it.
/// At the end of a key the text is written as it is, so it sorts as itself.
pub(crate) fn write_text(text: &str, out: &mut String, stop: Option<char>) {
    let Some(stop) = stop else {
        out.push_str(text);
        return;
    };
    for c in text.chars() {
        if c == '%' || c == stop {
            let mut bytes = [0; 4];
            for byte in c.encode_utf8(&mut bytes).bytes() {
                out.push('%');
                out.push(hex_digit(byte >> 4));
                out.push(hex_digit(byte & 0xF));
            }
        } else {
            out.push(c);
        }
    }
}

fn hex_digit(nibble: u8) -> char {
    char::from_digit(u32::from(nibble), 16)
        .expect("a nibble is a hex digit")
        .to_ascii_uppercase()
}

/// Reads back what [`write_text`] wrote, and only that: text it would not
/// write (an escape it does not make, lower-case hex) is refused, so one
/// value has one key.
pub(crate) fn read_text(text: &str, stop: Option<char>) -> Result<String, String> {
    if stop.is_none() {
        return Ok(text.to_owned());
    }
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&byte, tail)) = rest.split_first() {
        if byte == b'%' {
            let hex = tail
                .get(..2)
                .and_then(|h| std::str::from_utf8(h).ok())
                .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| format!("`{text}` has a `%` not followed by two hex digits"))?;
            bytes.push(hex);
            rest = &tail[2..];
        } else {
            bytes.push(byte);
            rest = tail;
        }
    }
    let value =
        String::from_utf8(bytes).map_err(|_| format!("`{text}` does not unescape to UTF-8"))?;
    let mut again = String::with_capacity(text.len());
    write_text(&value, &mut again, stop);
    if again != text {
        return Err(format!(
            "`{text}` is not a key text as written (`{again}` is)"
        ));
    }
    Ok(value)
}

impl TemplateValue for String {
    const WIDTH: Option<usize> = None;

    fn write_key(&self, out: &mut String, stop: Option<char>) -> Result<(), KeyError> {
        write_text(self, out, stop);
        Ok(())
    }

    fn read_key(text: &str, stop: Option<char>) -> Result<Self, KeyError> {
        Ok(read_text(text, stop)?)
    }
}

/// The number of decimal digits of `max`.
const fn digits(mut max: u128) -> usize {
    let mut n = 1;
    while max >= 10 {
        max /= 10;
        n += 1;
    }
    n
}

fn read_digits(text: &str, width: usize) -> Result<u128, String> {
    if text.len() != width || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("`{text}` is not {width} digits"));
    }
    text.parse::<u128>()
        .map_err(|_| format!("`{text}` is not a number"))
}

macro_rules! unsigned_values {
    ($($ty:ty),*) => {$(
        impl TemplateValue for $ty {
            const WIDTH: Option<usize> = Some(digits(<$ty>::MAX as u128));

            fn write_key(&self, out: &mut String, _stop: Option<char>) -> Result<(), KeyError> {
                use std::fmt::Write as _;
                let width = digits(<$ty>::MAX as u128);
                write!(out, "{:0width$}", self).expect("writing to a String");
                Ok(())
            }

            fn read_key(text: &str, _stop: Option<char>) -> Result<Self, KeyError> {
                let value = read_digits(text, digits(<$ty>::MAX as u128))?;
                <$ty>::try_from(value)
                    .map_err(|_| format!("`{text}` is out of range for {}", stringify!($ty)).into())
            }
        }
    )*};
}

macro_rules! signed_values {
    ($($ty:ty => $unsigned:ty),*) => {$(
        impl TemplateValue for $ty {
            const WIDTH: Option<usize> = Some(digits(<$unsigned>::MAX as u128));

            fn write_key(&self, out: &mut String, stop: Option<char>) -> Result<(), KeyError> {
                // Flipping the sign bit maps MIN..=MAX onto 0..=unsigned MAX
                // in order.
                let shifted = (*self as $unsigned) ^ (1 << (<$unsigned>::BITS - 1));
                shifted.write_key(out, stop)
            }

            fn read_key(text: &str, stop: Option<char>) -> Result<Self, KeyError> {
                let shifted = <$unsigned>::read_key(text, stop)?;
                Ok((shifted ^ (1 << (<$unsigned>::BITS - 1))) as $ty)
            }
        }
    )*};
}

unsigned_values!(u8, u16, u32, u64, u128);
signed_values!(i8 => u8, i16 => u16, i32 => u32, i64 => u64, i128 => u128);

/// `usize` and `isize` are written as `u64` and `i64`, so a key does not
/// depend on the platform that wrote it.
macro_rules! platform_values {
    ($($ty:ty => $wide:ty),*) => {$(
        impl TemplateValue for $ty {
            const WIDTH: Option<usize> = <$wide as TemplateValue>::WIDTH;

            fn write_key(&self, out: &mut String, stop: Option<char>) -> Result<(), KeyError> {
                <$wide>::try_from(*self)
                    .map_err(|_| format!("{self} does not fit in {}", stringify!($wide)))?
                    .write_key(out, stop)
            }

            fn read_key(text: &str, stop: Option<char>) -> Result<Self, KeyError> {
                let wide = <$wide>::read_key(text, stop)?;
                <$ty>::try_from(wide)
                    .map_err(|_| format!("`{text}` is out of range for {}", stringify!($ty)).into())
            }
        }
    )*};
}

platform_values!(usize => u64, isize => i64);

#[cfg(feature = "uuid")]
impl TemplateValue for uuid::Uuid {
    const WIDTH: Option<usize> = Some(36);

    fn write_key(&self, out: &mut String, _stop: Option<char>) -> Result<(), KeyError> {
        let mut buffer = uuid::Uuid::encode_buffer();
        out.push_str(self.hyphenated().encode_lower(&mut buffer));
        Ok(())
    }

    fn read_key(text: &str, _stop: Option<char>) -> Result<Self, KeyError> {
        let uuid =
            uuid::Uuid::try_parse(text).map_err(|e| format!("`{text}` is not a UUID: {e}"))?;
        let mut buffer = uuid::Uuid::encode_buffer();
        if uuid.hyphenated().encode_lower(&mut buffer) != text {
            return Err(format!("`{text}` is not a key UUID (hyphenated, lower case)").into());
        }
        Ok(uuid)
    }
}

/// A date-time written in UTC at a fixed width: `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`.
#[cfg(any(feature = "chrono", feature = "time"))]
const DATE_TIME_WIDTH: usize = 30;

/// Refuses a year that four digits cannot hold in order.
#[cfg(any(feature = "chrono", feature = "time"))]
fn check_year(year: i32) -> Result<(), String> {
    if (0..=9999).contains(&year) {
        Ok(())
    } else {
        Err(format!(
            "year {year} cannot be in a key: keys sort by text, which keeps the order of years 0 to 9999"
        ))
    }
}

#[cfg(any(feature = "chrono", feature = "time"))]
fn write_date(out: &mut String, year: i32, month: u32, day: u32) -> Result<(), String> {
    use std::fmt::Write as _;
    check_year(year)?;
    write!(out, "{year:04}-{month:02}-{day:02}").expect("writing to a String");
    Ok(())
}

#[cfg(any(feature = "chrono", feature = "time"))]
#[allow(clippy::too_many_arguments)]
fn write_date_time(
    out: &mut String,
    year: i32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    nanos: u32,
) -> Result<(), String> {
    use std::fmt::Write as _;
    write_date(out, year, month, day)?;
    write!(out, "T{hour:02}:{minute:02}:{second:02}.{nanos:09}Z").expect("writing to a String");
    Ok(())
}

/// The numbers of a fixed-width text of `shape` (`9` is a digit, any other
/// character itself), at `fields`; `what` names it in the error.
#[cfg(any(feature = "chrono", feature = "time"))]
fn read_shaped<const N: usize>(
    text: &str,
    shape: &str,
    what: &str,
    fields: [std::ops::Range<usize>; N],
) -> Result<[u32; N], String> {
    let fits = text.len() == shape.len()
        && text.bytes().zip(shape.bytes()).all(|(b, s)| match s {
            b'9' => b.is_ascii_digit(),
            _ => b == s,
        });
    if !fits {
        return Err(format!("`{text}` is not a key {what}"));
    }
    Ok(fields.map(|range| text[range].parse::<u32>().expect("digits")))
}

/// The fields of a fixed-width date-time.
#[cfg(any(feature = "chrono", feature = "time"))]
fn read_date_time(text: &str) -> Result<[u32; 7], String> {
    read_shaped(
        text,
        "9999-99-99T99:99:99.999999999Z",
        "date-time (YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ)",
        [0..4, 5..7, 8..10, 11..13, 14..16, 17..19, 20..29],
    )
}

#[cfg(any(feature = "chrono", feature = "time"))]
fn read_date(text: &str) -> Result<[u32; 3], String> {
    read_shaped(text, "9999-99-99", "date (YYYY-MM-DD)", [0..4, 5..7, 8..10])
}

#[cfg(feature = "chrono")]
impl TemplateValue for chrono::DateTime<chrono::Utc> {
    const WIDTH: Option<usize> = Some(DATE_TIME_WIDTH);

    fn write_key(&self, out: &mut String, _stop: Option<char>) -> Result<(), KeyError> {
        use chrono::{Datelike, Timelike};
        if self.nanosecond() >= 1_000_000_000 {
            return Err(format!(
                "{self} is a leap second, which a key at a fixed width cannot hold in order"
            )
            .into());
        }
        Ok(write_date_time(
            out,
            self.year(),
            self.month(),
            self.day(),
            self.hour(),
            self.minute(),
            self.second(),
            self.nanosecond(),
        )?)
    }

    fn read_key(text: &str, _stop: Option<char>) -> Result<Self, KeyError> {
        let [y, mo, d, h, mi, s, ns] = read_date_time(text)?;
        chrono::NaiveDate::from_ymd_opt(y as i32, mo, d)
            .and_then(|date| date.and_hms_nano_opt(h, mi, s, ns))
            .map(|naive| naive.and_utc())
            .ok_or_else(|| format!("`{text}` is not a valid date-time").into())
    }
}

#[cfg(feature = "chrono")]
impl TemplateValue for chrono::NaiveDate {
    const WIDTH: Option<usize> = Some(10);

    fn write_key(&self, out: &mut String, _stop: Option<char>) -> Result<(), KeyError> {
        use chrono::Datelike;
        Ok(write_date(out, self.year(), self.month(), self.day())?)
    }

    fn read_key(text: &str, _stop: Option<char>) -> Result<Self, KeyError> {
        let [y, m, d] = read_date(text)?;
        chrono::NaiveDate::from_ymd_opt(y as i32, m, d)
            .ok_or_else(|| format!("`{text}` is not a valid date").into())
    }
}

#[cfg(feature = "time")]
impl TemplateValue for time::OffsetDateTime {
    const WIDTH: Option<usize> = Some(DATE_TIME_WIDTH);

    fn write_key(&self, out: &mut String, _stop: Option<char>) -> Result<(), KeyError> {
        let utc = self
            .checked_to_offset(time::UtcOffset::UTC)
            .ok_or_else(|| format!("{self} has no UTC date that a key can hold"))?;
        Ok(write_date_time(
            out,
            utc.year(),
            u32::from(u8::from(utc.month())),
            u32::from(utc.day()),
            u32::from(utc.hour()),
            u32::from(utc.minute()),
            u32::from(utc.second()),
            utc.nanosecond(),
        )?)
    }

    fn read_key(text: &str, _stop: Option<char>) -> Result<Self, KeyError> {
        let [y, mo, d, h, mi, s, ns] = read_date_time(text)?;
        let invalid = |_| format!("`{text}` is not a valid date-time");
        let month = time::Month::try_from(mo as u8).map_err(invalid)?;
        let date = time::Date::from_calendar_date(y as i32, month, d as u8).map_err(invalid)?;
        let clock = time::Time::from_hms_nano(h as u8, mi as u8, s as u8, ns).map_err(invalid)?;
        Ok(time::PrimitiveDateTime::new(date, clock).assume_utc())
    }
}

#[cfg(feature = "time")]
impl TemplateValue for time::Date {
    const WIDTH: Option<usize> = Some(10);

    fn write_key(&self, out: &mut String, _stop: Option<char>) -> Result<(), KeyError> {
        Ok(write_date(
            out,
            self.year(),
            u32::from(u8::from(self.month())),
            u32::from(self.day()),
        )?)
    }

    fn read_key(text: &str, _stop: Option<char>) -> Result<Self, KeyError> {
        let [y, m, d] = read_date(text)?;
        let invalid = |_| format!("`{text}` is not a valid date");
        let month = time::Month::try_from(m as u8).map_err(invalid)?;
        Ok(time::Date::from_calendar_date(y as i32, month, d as u8).map_err(invalid)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written<T: TemplateValue>(value: &T, stop: Option<char>) -> String {
        let mut out = String::new();
        value.write_key(&mut out, stop).unwrap();
        out
    }

    #[test]
    fn integers_are_fixed_width_and_signed_ones_sign_flipped() {
        assert_eq!(written(&42u32, None), "0000000042");
        assert_eq!(written(&u64::MAX, None), "18446744073709551615");
        assert_eq!(written(&0u64, None), "00000000000000000000");
        assert_eq!(written(&i8::MIN, None), "000");
        assert_eq!(written(&-1i8, None), "127");
        assert_eq!(written(&0i8, None), "128");
        assert_eq!(written(&i8::MAX, None), "255");
        assert_eq!(written(&i64::MIN, None), "00000000000000000000");
        assert_eq!(written(&i64::MAX, None), "18446744073709551615");
        for value in [i64::MIN, -1, 0, 1, i64::MAX] {
            assert_eq!(i64::read_key(&written(&value, None), None).unwrap(), value);
        }
        assert!(u8::read_key("256", None)
            .unwrap_err()
            .to_string()
            .contains("out of range"));
        assert!(u8::read_key("12", None)
            .unwrap_err()
            .to_string()
            .contains("3 digits"));
    }

    #[test]
    fn text_escapes_only_the_stop_and_the_escape() {
        assert_eq!(written(&"a#b%c".to_owned(), Some('#')), "a%23b%25c");
        assert_eq!(written(&"a#b%c".to_owned(), None), "a#b%c");
        assert_eq!(written(&"x€y".to_owned(), Some('€')), "x%E2%82%ACy");
        for text in ["", "plain", "a#b", "%", "%23", "€#€", "##"] {
            for stop in [Some('#'), Some('€'), None] {
                let back = String::read_key(&written(&text.to_owned(), stop), stop).unwrap();
                assert_eq!(back, text, "{stop:?}");
            }
        }
        assert!(String::read_key("a%2", Some('#')).is_err());
        assert!(String::read_key("a%FF", Some('#')).is_err());
        // Only what the writer writes: one value, one key.
        for other in ["a%2a", "a%61", "a%+3", "a#b"] {
            assert!(String::read_key(other, Some('#')).is_err(), "{other}");
        }
    }

    #[test]
    fn platform_integers_are_written_as_64_bits() {
        assert_eq!(written(&7usize, None), written(&7u64, None));
        assert_eq!(written(&-7isize, None), written(&-7i64, None));
        assert_eq!(usize::read_key(&written(&7usize, None), None).unwrap(), 7);
    }
}
