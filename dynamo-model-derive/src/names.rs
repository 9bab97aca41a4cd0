//! DynamoDB's naming rule for tables and indexes: 3 to 255 characters, each
//! one of `A-Z a-z 0-9 _ - .`. Checked at compile time so a bad name fails
//! the build instead of the first CreateTable call.

const MIN_LEN: usize = 3;
const MAX_LEN: usize = 255;

/// The rule, for messages.
pub const RULE: &str = "DynamoDB table and index names are 3 to 255 characters of [A-Za-z0-9_.-]";

/// What is wrong with `name` as a table or index name, if anything:
/// "is too short (2 characters)", "contains ` `", ...
pub fn problem(name: &str) -> Option<String> {
    // Characters, not bytes: a non-ASCII character is one bad character,
    // reported as such rather than as extra length.
    if let Some(bad) = name.chars().find(|&c| !is_allowed(c)) {
        return Some(format!("contains {bad:?}"));
    }
    let len = name.len();
    let characters = if len == 1 { "character" } else { "characters" };
    if len < MIN_LEN {
        Some(format!("is too short ({len} {characters})"))
    } else if len > MAX_LEN {
        Some(format!("is too long ({len} {characters})"))
    } else {
        None
    }
}

fn is_allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_names() {
        for name in [
            "abc",
            "orders",
            "Order-Items_v2.prod",
            "by_status",
            "a.b",
            "---",
        ] {
            assert_eq!(problem(name), None, "{name}");
        }
        assert_eq!(problem(&"x".repeat(255)), None);
    }

    #[test]
    fn length_limits() {
        assert_eq!(problem(""), Some("is too short (0 characters)".into()));
        assert_eq!(problem("x"), Some("is too short (1 character)".into()));
        assert_eq!(problem("ab"), Some("is too short (2 characters)".into()));
        assert_eq!(
            problem(&"x".repeat(256)),
            Some("is too long (256 characters)".into())
        );
    }

    #[test]
    fn forbidden_characters() {
        assert_eq!(problem("by status"), Some("contains ' '".into()));
        assert_eq!(problem("orders/2024"), Some("contains '/'".into()));
        assert_eq!(problem("commandé"), Some("contains 'é'".into()));
        assert_eq!(problem("a:b:c"), Some("contains ':'".into()));
    }
}
