//! A range on an entity's sort template, as a key condition on the sort key
//! attribute: `created >= x` on `ORDER#{created}#{id}` is
//! `sk BETWEEN "ORDER#<x>" AND "ORDER$"`. The bounds are strings a key of
//! the entity sorts between exactly when its value is in the range: the
//! template's constant prefix keeps other entities' keys out (the entity
//! filter drops any key that equals a bound), and values sort as their keys
//! do where they are fixed-width or end the key.

use super::template::{KeyTemplate, RenderValue};
use crate::read::query::RangeOp;

/// DynamoDB's limit on a sort key's length, in bytes: every key is at most
/// this long, so a bound padded to it is above every key it begins.
const MAX_SORT_KEY: usize = 1024;

/// The greatest character, in UTF-8 byte order as in code point order.
const MAX_CHAR: char = char::MAX;

/// The sort key condition of a query of the entity without a range: the
/// key itself for a constant template, else its constant prefix (none when
/// the template starts with a placeholder).
pub(crate) fn whole(sk: &KeyTemplate) -> Option<(RangeOp, Vec<String>)> {
    if sk.is_constant() {
        return Some((RangeOp::Eq, vec![sk.text().to_owned()]));
    }
    let prefix = sk.prefix();
    (!prefix.is_empty()).then(|| (RangeOp::BeginsWith, vec![prefix.to_owned()]))
}

/// `op` with `values` on the first placeholder of `sk` (named `field`), as
/// a condition on the sort key; why not, for a range the keys' order does
/// not follow.
pub(crate) fn condition(
    sk: &KeyTemplate,
    field: &str,
    op: RangeOp,
    values: &[&dyn RenderValue],
) -> Result<Option<(RangeOp, Vec<String>)>, String> {
    // The placeholder ends the key: keys are exactly prefix + value.
    let last = sk.fields().count() == 1 && sk.text().ends_with('}');
    let fixed = values.iter().all(|v| v.width().is_some());
    if op != RangeOp::BeginsWith && op != RangeOp::Eq && !last && !fixed {
        return Err(format!(
            "a range on `{field}` needs keys that sort as its values do: a fixed-width value (integers, UUIDs, dates) or the template's last placeholder, and `{field}` is text followed by more of the key in `{}`",
            sk.text()
        ));
    }
    let prefix = sk.prefix();
    let stop = sk.stop(0);
    let at = |value: &dyn RenderValue| -> Result<String, String> {
        let mut key = prefix.to_owned();
        value
            .render(&mut key, stop)
            .map_err(|why| format!("`{field}`: {why}"))?;
        if key.len() > MAX_SORT_KEY {
            return Err(format!(
                "`{field}` renders a sort key of {} bytes, over DynamoDB's limit of {MAX_SORT_KEY}",
                key.len()
            ));
        }
        Ok(key)
    };
    // Every key whose value is at most `value`, inclusive.
    let high = |value: &dyn RenderValue| at(value).map(|key| if last { key } else { padded(key) });
    let value = |i: usize| -> Result<&dyn RenderValue, String> {
        values
            .get(i)
            .copied()
            .ok_or_else(|| "a range needs its values".to_owned())
    };
    let upper = successor(prefix);
    // `prefix..=bound`, or `<= bound` where the prefix is empty.
    let up_to = |bound: String| match prefix.is_empty() {
        true => (RangeOp::Le, vec![bound]),
        false => (RangeOp::Between, vec![prefix.to_owned(), bound]),
    };
    // `bound..` within the prefix, or `>= bound` where it has no successor.
    let from = |bound: String| match &upper {
        Some(upper) => (RangeOp::Between, vec![bound, upper.clone()]),
        None => (RangeOp::Ge, vec![bound]),
    };
    let condition = match op {
        RangeOp::Eq if last => (RangeOp::Eq, vec![at(value(0)?)?]),
        // A value not at the end is followed by the rest of the key; fixed
        // width, or text up to its (escaped) stop, it is found by prefix.
        RangeOp::Eq => {
            let mut key = at(value(0)?)?;
            if !fixed {
                key.extend(stop);
            }
            (RangeOp::BeginsWith, vec![key])
        }
        RangeOp::BeginsWith => (RangeOp::BeginsWith, vec![at(value(0)?)?]),
        RangeOp::Ge => from(at(value(0)?)?),
        RangeOp::Le => up_to(high(value(0)?)?),
        RangeOp::Lt => up_to(predecessor(&at(value(0)?)?)),
        // Text at the end: the least key above it is itself and the least
        // character (within the longest key; else nothing extends it).
        RangeOp::Gt if last && !fixed => {
            let key = at(value(0)?)?;
            if key.is_empty() {
                return Ok(None);
            }
            let least_above = match key.len() < MAX_SORT_KEY {
                true => Some(format!("{key}\0")),
                false => successor(&key),
            };
            match least_above {
                Some(bound) => from(bound),
                None => (RangeOp::Nothing, Vec::new()),
            }
        }
        RangeOp::Gt => match successor(&at(value(0)?)?) {
            Some(bound) => from(bound),
            None => (RangeOp::Nothing, Vec::new()),
        },
        RangeOp::Between => (RangeOp::Between, vec![at(value(0)?)?, high(value(1)?)?]),
        RangeOp::Nothing => (RangeOp::Nothing, Vec::new()),
    };
    // DynamoDB refuses an empty string in a key condition, and bounds the
    // wrong way round; no key is empty (only a template with no prefix
    // renders an empty bound).
    let nothing = Some((RangeOp::Nothing, Vec::new()));
    Ok(match condition {
        (RangeOp::Between, bounds) if bounds[0] > bounds[1] => nothing,
        (RangeOp::Between, bounds) if bounds[0].is_empty() => match bounds[1].is_empty() {
            true => nothing,
            false => Some((RangeOp::Le, vec![bounds[1].clone()])),
        },
        (RangeOp::BeginsWith | RangeOp::Ge | RangeOp::Gt, bounds) if bounds[0].is_empty() => None,
        (RangeOp::Eq | RangeOp::Le | RangeOp::Lt, bounds) if bounds[0].is_empty() => nothing,
        condition => Some(condition),
    })
}

/// `key` followed by the greatest characters up to the longest sort key:
/// above every key that begins with `key`.
fn padded(mut key: String) -> String {
    while key.len() + MAX_CHAR.len_utf8() <= MAX_SORT_KEY {
        key.push(MAX_CHAR);
    }
    // The last one to three bytes: the greatest character of that length.
    match MAX_SORT_KEY.saturating_sub(key.len()) {
        3 => key.push('\u{FFFF}'),
        2 => key.push('\u{07FF}'),
        1 => key.push('\u{007F}'),
        _ => {}
    }
    key
}

/// The least string above every string that begins with `text`: its last
/// character that can grow, grown, and what follows it dropped. `None` for
/// an empty text (or one of greatest characters only), which has none.
fn successor(text: &str) -> Option<String> {
    let mut chars: Vec<char> = text.chars().collect();
    while let Some(last) = chars.pop() {
        if let Some(next) = next_char(last) {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// The greatest string below `key` among sort keys: its last character
/// lowered, then padded to the longest sort key.
fn predecessor(key: &str) -> String {
    let mut chars: Vec<char> = key.chars().collect();
    match chars.pop().map(previous_char) {
        // The least character: the key without it is just below.
        Some(None) | None => chars.into_iter().collect(),
        Some(Some(previous)) => {
            chars.push(previous);
            padded(chars.into_iter().collect())
        }
    }
}

/// The next character, across the surrogate gap; `None` after the greatest.
fn next_char(c: char) -> Option<char> {
    match c {
        '\u{D7FF}' => Some('\u{E000}'),
        MAX_CHAR => None,
        c => char::from_u32(c as u32 + 1),
    }
}

/// The previous character, across the surrogate gap; `None` before the
/// least.
fn previous_char(c: char) -> Option<char> {
    match c {
        '\u{E000}' => Some('\u{D7FF}'),
        '\0' => None,
        c => char::from_u32(c as u32 - 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sk(text: &'static str) -> KeyTemplate {
        KeyTemplate::parse(text).unwrap()
    }

    #[test]
    fn a_query_without_a_range_reads_the_entity_by_its_prefix() {
        assert_eq!(
            whole(&sk("PROFILE")),
            Some((RangeOp::Eq, vec!["PROFILE".to_owned()]))
        );
        assert_eq!(
            whole(&sk("ORDER#{created}#{id}")),
            Some((RangeOp::BeginsWith, vec!["ORDER#".to_owned()]))
        );
        assert_eq!(whole(&sk("{created}")), None);
    }

    #[test]
    fn bounds_keep_to_the_prefix_and_the_range() {
        let t = sk("ORDER#{n}#{id}");
        let c = |op, values: &[&dyn RenderValue]| condition(&t, "n", op, values).unwrap().unwrap();
        assert_eq!(
            c(RangeOp::Ge, &[&5u8]),
            (RangeOp::Between, vec!["ORDER#005".into(), "ORDER$".into()])
        );
        assert_eq!(
            c(RangeOp::Gt, &[&5u8]),
            (RangeOp::Between, vec!["ORDER#006".into(), "ORDER$".into()])
        );
        let (op, bounds) = c(RangeOp::Le, &[&5u8]);
        assert_eq!((op, bounds[0].as_str()), (RangeOp::Between, "ORDER#"));
        assert!(bounds[1].starts_with("ORDER#005\u{10FFFF}") && bounds[1].len() == 1024);
        let (_, bounds) = c(RangeOp::Lt, &[&5u8]);
        assert!(bounds[1].starts_with("ORDER#004\u{10FFFF}"));
        // Empty ranges are no request at all.
        assert_eq!(c(RangeOp::Between, &[&5u8, &4u8]).0, RangeOp::Nothing);
        assert_eq!(
            condition(&sk("TAG#{name}"), "name", RangeOp::Lt, &[&""])
                .unwrap()
                .unwrap()
                .0,
            RangeOp::Nothing
        );
        assert_eq!(
            c(RangeOp::Eq, &[&5u8]),
            (RangeOp::BeginsWith, vec!["ORDER#005".into()])
        );
        let err = condition(&sk("ORDER#{name}#{id}"), "name", RangeOp::Ge, &[&"a"]).unwrap_err();
        assert!(err.contains("fixed-width"), "{err}");
        // Text before more of the key is found up to its escaped stop.
        assert_eq!(
            condition(&sk("ORDER#{name}#{id}"), "name", RangeOp::Eq, &[&"a#b"]).unwrap(),
            Some((RangeOp::BeginsWith, vec!["ORDER#a%23b#".into()]))
        );
    }

    #[test]
    fn text_at_the_end_is_bounded_by_itself() {
        let t = sk("USER#{name}");
        let c =
            |op, values: &[&dyn RenderValue]| condition(&t, "name", op, values).unwrap().unwrap();
        assert_eq!(
            c(RangeOp::Le, &[&"bob"]),
            (RangeOp::Between, vec!["USER#".into(), "USER#bob".into()])
        );
        assert_eq!(
            c(RangeOp::Gt, &[&"bob"]),
            (RangeOp::Between, vec!["USER#bob\0".into(), "USER$".into()])
        );
        assert_eq!(
            c(RangeOp::Between, &[&"a", &"c"]),
            (RangeOp::Between, vec!["USER#a".into(), "USER#c".into()])
        );
        // No prefix: one-sided conditions.
        let bare = sk("{name}");
        let c = |op, values: &[&dyn RenderValue]| condition(&bare, "name", op, values).unwrap();
        assert_eq!(
            c(RangeOp::Ge, &[&"m"]),
            Some((RangeOp::Ge, vec!["m".into()]))
        );
        assert_eq!(c(RangeOp::Lt, &[&"m"]).unwrap().0, RangeOp::Le);
        // An empty value with no prefix: every key, or none.
        assert_eq!(c(RangeOp::Ge, &[&""]), None);
        assert_eq!(c(RangeOp::BeginsWith, &[&""]), None);
        assert_eq!(c(RangeOp::Gt, &[&""]), None);
        assert_eq!(c(RangeOp::Le, &[&""]).unwrap().0, RangeOp::Nothing);
        assert_eq!(c(RangeOp::Eq, &[&""]).unwrap().0, RangeOp::Nothing);
        assert_eq!(
            c(RangeOp::Between, &[&"", &"m"]),
            Some((RangeOp::Le, vec!["m".into()]))
        );
        // Padding fills the longest key to the byte.
        let long = "x".repeat(1000);
        let (_, bounds) = condition(&sk("T#{name}"), "name", RangeOp::Lt, &[&long.as_str()])
            .unwrap()
            .unwrap();
        assert_eq!(bounds[1].len(), 1024);
        let err = condition(
            &sk("T#{name}"),
            "name",
            RangeOp::Eq,
            &[&"x".repeat(1030).as_str()],
        )
        .unwrap_err();
        assert!(err.contains("over DynamoDB's limit"), "{err}");
    }

    #[test]
    fn successors_and_predecessors_step_over_the_surrogates() {
        assert_eq!(successor("ab").as_deref(), Some("ac"));
        assert_eq!(successor("a\u{D7FF}").as_deref(), Some("a\u{E000}"));
        assert_eq!(successor("a\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(successor(""), None);
        assert!(predecessor("ab").starts_with("aa\u{10FFFF}"));
        assert_eq!(predecessor("ab\0"), "ab");
    }
}
