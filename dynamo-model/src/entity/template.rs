//! A key template (`"ORDER#{created}#{id}"`) rendered into a key attribute's
//! value from its placeholders' values, and read back into them. What a
//! template may hold is decided once, in `dynamo-model-rules`, for the
//! derive and for this runtime alike.

use std::borrow::Cow;

use dynamo_model_rules::Piece;

use super::template_value::{KeyError, TemplateValue};

/// A placeholder's value, as [`KeyTemplate::render`] takes it: any
/// [`TemplateValue`], or a `&str` for a `String` placeholder.
pub trait RenderValue {
    /// Appends the value as [`TemplateValue::write_key`] does.
    fn render(&self, out: &mut String, stop: Option<char>) -> Result<(), KeyError>;

    /// [`TemplateValue::WIDTH`]: the length of every written value of the
    /// type, `None` for text.
    fn width(&self) -> Option<usize>;
}

impl<T: TemplateValue> RenderValue for T {
    fn render(&self, out: &mut String, stop: Option<char>) -> Result<(), KeyError> {
        self.write_key(out, stop)
    }

    fn width(&self) -> Option<usize> {
        T::WIDTH
    }
}

impl RenderValue for &str {
    fn render(&self, out: &mut String, stop: Option<char>) -> Result<(), KeyError> {
        super::template_value::write_text(self, out, stop);
        Ok(())
    }

    fn width(&self) -> Option<usize> {
        None
    }
}

/// A parsed key template.
///
/// ```
/// use dynamo_model::KeyTemplate;
/// let sk = KeyTemplate::parse("ORDER#{created}#{id}").unwrap();
/// assert_eq!(sk.fields().collect::<Vec<_>>(), ["created", "id"]);
/// let key = sk.render(&[&20240501u32, &"a#1"]).unwrap();
/// assert_eq!(key, "ORDER#0020240501#a#1");
/// assert_eq!(sk.split(&key, &[Some(10), None]).unwrap(), ["0020240501", "a#1"]);
/// assert_eq!(sk.prefix(), "ORDER#");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyTemplate {
    text: Cow<'static, str>,
    pieces: Vec<Part>,
}

/// A piece of a parsed template, owned: a template may be built at run time.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Field(String),
}

impl KeyTemplate {
    /// Parses `text`, or says why it is not a template (see
    /// [`dynamo_model_rules::parse_template`]).
    pub fn parse(text: impl Into<Cow<'static, str>>) -> Result<KeyTemplate, KeyError> {
        let text = text.into();
        let pieces = dynamo_model_rules::parse_template(&text)?
            .into_iter()
            .map(|piece| match piece {
                Piece::Text(text) => Part::Text(text.to_owned()),
                Piece::Field(name) => Part::Field(name.to_owned()),
            })
            .collect();
        Ok(KeyTemplate { text, pieces })
    }

    /// The template as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The fields its placeholders name, in order.
    pub fn fields(&self) -> impl Iterator<Item = &str> + '_ {
        self.pieces.iter().filter_map(|piece| match piece {
            Part::Field(name) => Some(name.as_str()),
            Part::Text(_) => None,
        })
    }

    /// The text before the first placeholder: what every key it renders
    /// begins with (for `begins_with` on a sort key).
    pub fn prefix(&self) -> &str {
        match self.pieces.first() {
            Some(Part::Text(text)) => text,
            _ => "",
        }
    }

    /// Whether the template has no placeholder (a constant key, such as
    /// `"PROFILE"`).
    pub fn is_constant(&self) -> bool {
        self.fields().next().is_none()
    }

    /// The character that follows each placeholder (`None` at the end).
    fn stops(&self) -> impl Iterator<Item = Option<char>> + '_ {
        self.pieces
            .iter()
            .enumerate()
            .filter(|(_, piece)| matches!(piece, Part::Field(_)))
            .map(|(i, _)| match self.pieces.get(i + 1) {
                Some(Part::Text(text)) => text.chars().next(),
                _ => None,
            })
    }

    /// The key for these placeholder values, in placeholder order.
    pub fn render(&self, values: &[&dyn RenderValue]) -> Result<String, KeyError> {
        let wanted = self.fields().count();
        if values.len() != wanted {
            return Err(format!(
                "key template `{}` has {wanted} placeholder(s), and {} value(s) were given",
                self.text,
                values.len()
            )
            .into());
        }
        let mut out = String::with_capacity(self.text.len() + 16 * values.len());
        let mut values = values.iter().zip(self.stops());
        for piece in &self.pieces {
            match piece {
                Part::Text(text) => out.push_str(text),
                Part::Field(name) => {
                    let (value, stop) = values.next().expect("counted above");
                    value.render(&mut out, stop).map_err(|why| {
                        format!("field `{name}` of key template `{}`: {why}", self.text)
                    })?;
                }
            }
        }
        Ok(out)
    }

    /// The text of each placeholder in `key`, as rendered: a placeholder of
    /// a fixed width (`widths`, in placeholder order, from
    /// [`TemplateValue::WIDTH`]) by its length, one of text up to the
    /// character that follows it, the last one to the end. Each piece is
    /// read back with [`TemplateValue::read_key`] and the same stop.
    pub fn split<'k>(
        &self,
        key: &'k str,
        widths: &[Option<usize>],
    ) -> Result<Vec<&'k str>, KeyError> {
        let not_rendered = |why: &str| {
            KeyError::from(format!(
                "`{key}` is not a key of template `{}`: {why}",
                self.text
            ))
        };
        let mut rest = key;
        let mut out = Vec::new();
        let mut widths = widths.iter();
        let mut stops = self.stops();
        for piece in &self.pieces {
            match piece {
                Part::Text(text) => {
                    rest = rest
                        .strip_prefix(text)
                        .ok_or_else(|| not_rendered(&format!("`{text}` expected")))?;
                }
                Part::Field(name) => {
                    let width = widths
                        .next()
                        .ok_or_else(|| not_rendered("fewer widths than placeholders"))?;
                    let next = stops.next().flatten();
                    let end = match (width, next) {
                        (Some(width), _) => {
                            if rest.len() < *width || !rest.is_char_boundary(*width) {
                                return Err(not_rendered(&format!(
                                    "`{name}` is not {width} bytes long"
                                )));
                            }
                            *width
                        }
                        (None, Some(stop)) => unescaped_find(rest, stop)
                            .ok_or_else(|| not_rendered(&format!("no `{stop}` after `{name}`")))?,
                        (None, None) => rest.len(),
                    };
                    out.push(&rest[..end]);
                    rest = &rest[end..];
                }
            }
        }
        if rest.is_empty() {
            Ok(out)
        } else {
            Err(not_rendered(&format!("`{rest}` left over")))
        }
    }

    /// The stop of the placeholder at `index`, for
    /// [`TemplateValue::read_key`] on what [`split`](Self::split) gives.
    pub fn stop(&self, index: usize) -> Option<char> {
        self.stops().nth(index).flatten()
    }
}

/// The first `stop` in `text` outside a `%XX` escape: a text value holds
/// its stop only escaped, but an escape may hold the stop's character (a
/// digit, or `A` to `F`).
fn unescaped_find(text: &str, stop: char) -> Option<usize> {
    let mut at = 0;
    while let Some(c) = text[at..].chars().next() {
        if c == stop {
            return Some(at);
        }
        at += if c == '%' {
            3.min(text.len() - at)
        } else {
            c.len_utf8()
        };
        while !text.is_char_boundary(at) {
            at += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_render_and_read_back() {
        let sk = KeyTemplate::parse("ORDER#{created}#{id}").unwrap();
        let key = sk.render(&[&7u8, &"x#y%"]).unwrap();
        assert_eq!(key, "ORDER#007#x#y%");
        let parts = sk.split(&key, &[Some(3), None]).unwrap();
        assert_eq!(parts, ["007", "x#y%"]);
        assert_eq!(u8::read_key(parts[0], sk.stop(0)).unwrap(), 7);
        assert_eq!(String::read_key(parts[1], sk.stop(1)).unwrap(), "x#y%");

        let middle = KeyTemplate::parse("A#{name}#B#{n}").unwrap();
        let key = middle.render(&[&"p#q".to_owned(), &-3i16]).unwrap();
        assert_eq!(key, "A#p%23q#B#32765");
        let parts = middle.split(&key, &[None, Some(5)]).unwrap();
        assert_eq!(String::read_key(parts[0], middle.stop(0)).unwrap(), "p#q");
        assert_eq!(i16::read_key(parts[1], middle.stop(1)).unwrap(), -3);
    }

    #[test]
    fn a_stop_that_an_escape_holds_is_found_outside_escapes() {
        // `3` escapes as `%33`, which holds a `3`.
        let t = KeyTemplate::parse("{a}3{b}").unwrap();
        let key = t.render(&[&"x3".to_owned(), &"y".to_owned()]).unwrap();
        assert_eq!(key, "x%333y");
        let parts = t.split(&key, &[None, None]).unwrap();
        assert_eq!(String::read_key(parts[0], t.stop(0)).unwrap(), "x3");
        assert_eq!(parts[1], "y");
    }

    #[test]
    fn constant_templates_and_wrong_arity() {
        let profile = KeyTemplate::parse("PROFILE").unwrap();
        assert!(profile.is_constant());
        assert_eq!(profile.render(&[]).unwrap(), "PROFILE");
        let err = profile.render(&[&1u8]).unwrap_err();
        assert!(
            err.to_string().contains("0 placeholder(s), and 1 value(s)"),
            "{err}"
        );
        let err = profile.split("PROFILEX", &[]).unwrap_err();
        assert!(err.to_string().contains("`X` left over"), "{err}");
    }
}
