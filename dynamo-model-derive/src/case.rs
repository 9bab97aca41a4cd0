//! Name conversions: serde's `rename_all` rules, reproduced exactly so the
//! attribute names in the schema are the names serde writes into items, and
//! the snake_case default table name.

/// A serde `rename_all` rule, applied to struct fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum RenameRule {
    /// No `rename_all`: field names are used as written.
    #[default]
    None,
    LowerCase,
    UpperCase,
    PascalCase,
    CamelCase,
    SnakeCase,
    ScreamingSnakeCase,
    KebabCase,
    ScreamingKebabCase,
}

/// The spellings serde accepts in `rename_all = "..."`.
const RULES: &[(&str, RenameRule)] = &[
    ("lowercase", RenameRule::LowerCase),
    ("UPPERCASE", RenameRule::UpperCase),
    ("PascalCase", RenameRule::PascalCase),
    ("camelCase", RenameRule::CamelCase),
    ("snake_case", RenameRule::SnakeCase),
    ("SCREAMING_SNAKE_CASE", RenameRule::ScreamingSnakeCase),
    ("kebab-case", RenameRule::KebabCase),
    ("SCREAMING-KEBAB-CASE", RenameRule::ScreamingKebabCase),
];

impl RenameRule {
    /// The rule serde names `name`, or `None` for a spelling serde rejects
    /// (serde_derive reports that one itself).
    pub fn from_name(name: &str) -> Option<Self> {
        RULES
            .iter()
            .find(|(spelling, _)| *spelling == name)
            .map(|(_, rule)| *rule)
    }

    /// The name serde gives a field called `field` (a Rust field name, so
    /// snake_case) under this rule. Same algorithm as serde_derive's
    /// `RenameRule::apply_to_field`, minus its panic on an empty result.
    pub fn apply_to_field(self, field: &str) -> String {
        match self {
            RenameRule::None | RenameRule::LowerCase | RenameRule::SnakeCase => field.to_owned(),
            RenameRule::UpperCase | RenameRule::ScreamingSnakeCase => field.to_ascii_uppercase(),
            RenameRule::PascalCase => {
                let mut pascal = String::with_capacity(field.len());
                let mut capitalize = true;
                for ch in field.chars() {
                    if ch == '_' {
                        capitalize = true;
                    } else if capitalize {
                        pascal.push(ch.to_ascii_uppercase());
                        capitalize = false;
                    } else {
                        pascal.push(ch);
                    }
                }
                pascal
            }
            RenameRule::CamelCase => {
                let pascal = RenameRule::PascalCase.apply_to_field(field);
                let mut chars = pascal.chars();
                match chars.next() {
                    Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
                    None => pascal,
                }
            }
            RenameRule::KebabCase => field.replace('_', "-"),
            RenameRule::ScreamingKebabCase => field.to_ascii_uppercase().replace('_', "-"),
        }
    }
}

/// The default table name of a struct: its name in snake_case
/// (`OrderItem` -> `order_item`). A run of capitals counts as one word, so
/// `HTTPRequestLog` gives `http_request_log` rather than serde's letter-by-letter
/// `h_t_t_p_request_log`: this name is ours, not serde's.
pub fn type_name_to_snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut snake = String::with_capacity(name.len() + 4);
    for (i, &ch) in chars.iter().enumerate() {
        if ch.is_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_is_lower = chars.get(i + 1).is_some_and(|c| c.is_lowercase());
            // A new word starts after a lower-case letter or digit
            // (`orderItem`, `v2Item`), or at the last capital of an acronym
            // that a lower-case word follows (`HTTPRequest`).
            let starts_word = prev.is_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_uppercase() && next_is_lower);
            if starts_word && prev != '_' {
                snake.push('_');
            }
        }
        snake.extend(ch.to_lowercase());
    }
    snake
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_serde_spelling_parses() {
        for (spelling, rule) in RULES {
            assert_eq!(RenameRule::from_name(spelling), Some(*rule));
        }
        assert_eq!(RenameRule::from_name("camelcase"), None);
        assert_eq!(RenameRule::from_name(""), None);
    }

    #[test]
    fn fields_follow_serde() {
        // (rule, "customer_id", "id", "_private")
        let cases = [
            (RenameRule::None, "customer_id", "id", "_private"),
            (RenameRule::LowerCase, "customer_id", "id", "_private"),
            (RenameRule::UpperCase, "CUSTOMER_ID", "ID", "_PRIVATE"),
            (RenameRule::PascalCase, "CustomerId", "Id", "Private"),
            (RenameRule::CamelCase, "customerId", "id", "private"),
            (RenameRule::SnakeCase, "customer_id", "id", "_private"),
            (
                RenameRule::ScreamingSnakeCase,
                "CUSTOMER_ID",
                "ID",
                "_PRIVATE",
            ),
            (RenameRule::KebabCase, "customer-id", "id", "-private"),
            (
                RenameRule::ScreamingKebabCase,
                "CUSTOMER-ID",
                "ID",
                "-PRIVATE",
            ),
        ];
        for (rule, customer_id, id, private) in cases {
            assert_eq!(rule.apply_to_field("customer_id"), customer_id, "{rule:?}");
            assert_eq!(rule.apply_to_field("id"), id, "{rule:?}");
            assert_eq!(rule.apply_to_field("_private"), private, "{rule:?}");
        }
    }

    #[test]
    fn camel_case_of_multi_word_and_odd_names() {
        assert_eq!(RenameRule::CamelCase.apply_to_field("a_b_c"), "aBC");
        assert_eq!(
            RenameRule::CamelCase.apply_to_field("created_at_2"),
            "createdAt2"
        );
        assert_eq!(RenameRule::PascalCase.apply_to_field("x__y"), "XY");
        // serde_derive panics on these; we must not.
        assert_eq!(RenameRule::CamelCase.apply_to_field("_"), "");
        assert_eq!(RenameRule::CamelCase.apply_to_field("été"), "été");
    }

    #[test]
    fn table_names_are_snake_case() {
        assert_eq!(type_name_to_snake_case("Order"), "order");
        assert_eq!(type_name_to_snake_case("OrderItem"), "order_item");
        assert_eq!(
            type_name_to_snake_case("HTTPRequestLog"),
            "http_request_log"
        );
        assert_eq!(type_name_to_snake_case("UserV2"), "user_v2");
        assert_eq!(type_name_to_snake_case("V2Item"), "v2_item");
        assert_eq!(type_name_to_snake_case("ABTest"), "ab_test");
        assert_eq!(type_name_to_snake_case("already_snake"), "already_snake");
        assert_eq!(type_name_to_snake_case("Mixed_Case"), "mixed_case");
        assert_eq!(type_name_to_snake_case("URL"), "url");
    }
}
