//! Key templates (`"USER#{id}"`, `"ORDER#{created}#{id}"`): text with
//! placeholders naming fields, which the runtime renders into a key
//! attribute's value. The derive checks a template with [`parse_template`]
//! at compile time; the runtime parses the same text with it, so the two
//! never disagree on what a template means.

/// One piece of a key template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Text written as it is.
    Text(&'a str),
    /// A placeholder: the field (by its Rust name) whose value goes here.
    Field(&'a str),
}

/// Splits a key template into its pieces, or says why it is not one.
///
/// A placeholder is `{field}`, a Rust field name. Two placeholders must be
/// separated by text (`"{a}#{b}"`, not `"{a}{b}"`), since the key must be
/// read back into the values it was made of; a field appears at most once;
/// the text cannot hold `{` or `}`, and the text after a placeholder cannot
/// start with `%` (the escape character of text values).
///
/// ```
/// use dynamo_model_rules::{parse_template, Piece};
/// assert_eq!(
///     parse_template("ORDER#{created}#{id}").unwrap(),
///     [Piece::Text("ORDER#"), Piece::Field("created"), Piece::Text("#"), Piece::Field("id")]
/// );
/// assert!(parse_template("{a}{b}").unwrap_err().contains("separated"));
/// ```
pub fn parse_template(template: &str) -> Result<Vec<Piece<'_>>, String> {
    if template.is_empty() {
        return Err("a key template cannot be empty".to_owned());
    }
    let mut pieces = Vec::new();
    let mut rest = template;
    while !rest.is_empty() {
        match rest.find(['{', '}']) {
            Some(0) if rest.starts_with('}') => {
                return Err(format!(
                    "`}}` without an opening `{{` in key template `{template}` (its text cannot hold braces)"
                ));
            }
            Some(0) => {
                let Some(end) = rest.find('}') else {
                    return Err(format!(
                        "`{{` without a closing `}}` in key template `{template}`"
                    ));
                };
                let name = &rest[1..end];
                if let Some(problem) = placeholder_problem(name) {
                    return Err(format!(
                        "placeholder `{{{name}}}` in key template `{template}` {problem}"
                    ));
                }
                if matches!(pieces.last(), Some(Piece::Field(_))) {
                    return Err(format!(
                        "placeholders in key template `{template}` must be separated by text (e.g. `{{a}}#{{b}}`), so that a key can be read back into its values"
                    ));
                }
                if pieces.contains(&Piece::Field(name)) {
                    return Err(format!(
                        "field `{name}` appears twice in key template `{template}`"
                    ));
                }
                pieces.push(Piece::Field(name));
                rest = &rest[end + 1..];
            }
            Some(at) => {
                push_text(&mut pieces, &rest[..at], template)?;
                rest = &rest[at..];
            }
            None => {
                push_text(&mut pieces, rest, template)?;
                rest = "";
            }
        }
    }
    Ok(pieces)
}

/// Text after a placeholder cannot start with `%`: a text value is written
/// with `%` escaped as `%25`, and a `%` right after it could not be told
/// from that escape (`{a}%{b}` would give `x%25%z` for both `x%`, `z` and
/// `x`, `25%z`).
fn push_text<'a>(pieces: &mut Vec<Piece<'a>>, text: &'a str, template: &str) -> Result<(), String> {
    if let (Some(Piece::Field(name)), true) = (pieces.last(), text.starts_with('%')) {
        return Err(format!(
            "the text after placeholder `{{{name}}}` in key template `{template}` cannot start with `%`, which escapes characters in keys; use another separator (e.g. `#`)"
        ));
    }
    pieces.push(Piece::Text(text));
    Ok(())
}

fn placeholder_problem(name: &str) -> Option<&'static str> {
    let mut chars = name.chars();
    match chars.next() {
        None => Some("is empty: name a field"),
        Some(c) if !(c.is_ascii_alphabetic() || c == '_') => {
            Some("is not a field name (a Rust identifier)")
        }
        _ if chars.any(|c| !(c.is_ascii_alphanumeric() || c == '_')) => {
            Some("is not a field name (a Rust identifier)")
        }
        _ => None,
    }
}

/// The fields a template's placeholders name, in order.
///
/// ```
/// assert_eq!(dynamo_model_rules::template_fields("ORDER#{created}#{id}").unwrap(), ["created", "id"]);
/// ```
pub fn template_fields(template: &str) -> Result<Vec<&str>, String> {
    Ok(parse_template(template)?
        .into_iter()
        .filter_map(|piece| match piece {
            Piece::Field(name) => Some(name),
            Piece::Text(_) => None,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_split_into_text_and_fields() {
        assert_eq!(parse_template("PROFILE").unwrap(), [Piece::Text("PROFILE")]);
        assert_eq!(parse_template("{id}").unwrap(), [Piece::Field("id")]);
        assert_eq!(
            parse_template("USER#{id}").unwrap(),
            [Piece::Text("USER#"), Piece::Field("id")]
        );
        assert_eq!(
            parse_template("{a}-x").unwrap(),
            [Piece::Field("a"), Piece::Text("-x")]
        );
    }

    #[test]
    fn malformed_templates_say_what_is_wrong() {
        let cases = [
            ("", "cannot be empty"),
            ("USER#{id", "without a closing"),
            ("USER#}id", "without an opening"),
            ("{}", "is empty"),
            ("{1a}", "not a field name"),
            ("{a-b}", "not a field name"),
            ("{a}{b}", "separated by text"),
            ("{a}#{a}", "appears twice"),
            ("{a}%{b}", "cannot start with `%`"),
        ];
        for (template, says) in cases {
            let err = parse_template(template).unwrap_err();
            assert!(err.contains(says), "{template}: {err}");
        }
    }
}
