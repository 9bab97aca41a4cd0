//! DynamoDB's rules for a table schema, written once.
//!
//! `#[derive(DynamoModel)]` reports a broken rule as a compile error on the
//! culprit's span; `TableSchema::builder` reports it as
//! `Error::InvalidSchema`. Both call the functions here, which decide whether
//! a rule is broken and say so in words; the callers only walk their own
//! representation (fields with spans, or a built schema) and say where.
//!
//! The two callers speak of the same thing in their user's terms: the
//! derive's user writes `#[range_key]` on a field, the builder's user calls
//! `range_key(..)`. [`Dialect`] holds those few words, so a message exists
//! once with a slot for them.
//!
//! ```
//! use dynamo_model_rules::{name_problem, Dialect, IndexKind};
//! assert_eq!(name_problem("ab").unwrap(), "is too short (2 characters)");
//! let extra = dynamo_model_rules::excess_index(IndexKind::Local, &["a1", "a2", "a3", "a4", "a5", "a6"]);
//! assert_eq!(extra.unwrap().0, 5);
//! assert!(dynamo_model_rules::lsi_needs_table_range_key("by_total", Dialect::Builder).contains("range key"));
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod entity;
mod template;
pub use entity::{entity_problems, role_index, KeySlot};
pub use template::{parse_template, template_fields, Piece};

/// At most this many GSIs per table.
pub const MAX_GLOBAL_INDEXES: usize = 20;
/// At most this many LSIs per table.
pub const MAX_LOCAL_INDEXES: usize = 5;
/// At most this many partition-key (and as many sort-key) attributes per GSI.
pub const MAX_GSI_KEY_ATTRIBUTES: usize = 4;
/// At most this many projected non-key attributes, summed over all indexes
/// (an attribute projected into two indexes counts twice).
pub const MAX_PROJECTED_ATTRIBUTES: usize = 100;
/// A key attribute's name is 1 to this many bytes (UTF-8).
pub const MAX_KEY_ATTRIBUTE_NAME_BYTES: usize = 255;

const MIN_NAME_LEN: usize = 3;
const MAX_NAME_LEN: usize = 255;

/// The naming rule for tables and indexes, for messages.
pub const NAME_RULE: &str =
    "DynamoDB table and index names are 3 to 255 characters of [A-Za-z0-9_.-]";

/// A capacity of zero.
pub const ZERO_CAPACITY: &str = "a capacity must be at least 1";

/// Who is told: the derive's user (attributes on fields) or the builder's
/// (method calls). Only the words for keys and the TTL differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// `#[derive(DynamoModel)]`: `#[hash_key]`, `#[range_key]`, `#[ttl]`, fields.
    Attribute,
    /// `TableSchema::builder`: `hash_key(..)`, `range_key(..)`, `ttl(..)`, attributes.
    Builder,
}

impl Dialect {
    fn hash_key(self) -> &'static str {
        match self {
            Dialect::Attribute => "#[hash_key]",
            Dialect::Builder => "hash key",
        }
    }

    fn range_key(self) -> &'static str {
        match self {
            Dialect::Attribute => "#[range_key]",
            Dialect::Builder => "range key",
        }
    }

    fn ttl(self) -> &'static str {
        match self {
            Dialect::Attribute => "#[ttl] attribute",
            Dialect::Builder => "TTL attribute",
        }
    }

    /// How the first holder of a role is named: a field or an attribute.
    fn holder(self, name: &str) -> String {
        match self {
            Dialect::Attribute => format!("field `{name}`"),
            Dialect::Builder => format!("`{name}`"),
        }
    }
}

/// A global or a local secondary index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IndexKind {
    /// A GSI.
    Global,
    /// An LSI.
    Local,
}

impl IndexKind {
    /// `GSI` or `LSI`.
    ///
    /// ```
    /// assert_eq!(dynamo_model_rules::IndexKind::Local.label(), "LSI");
    /// ```
    pub fn label(self) -> &'static str {
        match self {
            IndexKind::Global => "GSI",
            IndexKind::Local => "LSI",
        }
    }

    /// How many indexes of this kind a table may have.
    ///
    /// ```
    /// assert_eq!(dynamo_model_rules::IndexKind::Global.limit(), 20);
    /// ```
    pub fn limit(self) -> usize {
        match self {
            IndexKind::Global => MAX_GLOBAL_INDEXES,
            IndexKind::Local => MAX_LOCAL_INDEXES,
        }
    }
}

/// The partition or the sort key of an index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyRole {
    /// Partition (hash) key.
    Hash,
    /// Sort (range) key.
    Range,
}

/// What is wrong with `name` as a table or index name, if anything:
/// "is too short (2 characters)", "contains ' '", ...
///
/// ```
/// use dynamo_model_rules::name_problem;
/// assert_eq!(name_problem("users"), None);
/// assert_eq!(name_problem("my table").unwrap(), "contains ' '");
/// ```
pub fn name_problem(name: &str) -> Option<String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    // Checked before every request: a good name costs one pass over its
    // bytes (a byte of a non-ASCII character is never allowed).
    if (MIN_NAME_LEN..=MAX_NAME_LEN).contains(&name.len())
        && name.bytes().all(|b| allowed(char::from(b)))
    {
        return None;
    }
    // Characters, not bytes: a non-ASCII character is one bad character,
    // reported as such rather than as extra length.
    if let Some(bad) = name.chars().find(|&c| !allowed(c)) {
        return Some(format!("contains {bad:?}"));
    }
    let len = name.len();
    let characters = if len == 1 { "character" } else { "characters" };
    if len < MIN_NAME_LEN {
        Some(format!("is too short ({len} {characters})"))
    } else if len > MAX_NAME_LEN {
        Some(format!("is too long ({len} {characters})"))
    } else {
        None
    }
}

/// The table name rule.
///
/// ```
/// assert_eq!(
///     dynamo_model_rules::table_name("x").unwrap(),
///     "table name `x` is too short (1 character); DynamoDB table and index names are 3 to 255 characters of [A-Za-z0-9_.-]"
/// );
/// ```
pub fn table_name(name: &str) -> Option<String> {
    name_problem(name).map(|problem| format!("table name `{name}` {problem}; {NAME_RULE}"))
}

/// The table name rule for a name the derive made (the struct name in
/// snake_case); `how_to_name` is the attribute that names the table.
///
/// ```
/// let message = dynamo_model_rules::default_table_name("a", "#[dynamo(table = \"...\")]").unwrap();
/// assert!(message.starts_with("the default table name `a` (the struct name in snake_case) is too short"));
/// ```
pub fn default_table_name(name: &str, how_to_name: &str) -> Option<String> {
    name_problem(name).map(|problem| {
        format!(
            "the default table name `{name}` (the struct name in snake_case) {problem}; {NAME_RULE}. \
             Name the table with {how_to_name}"
        )
    })
}

/// The index name rule.
///
/// ```
/// assert!(dynamo_model_rules::index_name("by status").unwrap().starts_with("index name `by status` contains ' '"));
/// ```
pub fn index_name(name: &str) -> Option<String> {
    name_problem(name).map(|problem| format!("index name `{name}` {problem}; {NAME_RULE}"))
}

/// A key attribute's name: 1 to 255 bytes.
///
/// ```
/// assert!(dynamo_model_rules::key_attribute_name("pk").is_none());
/// assert!(dynamo_model_rules::key_attribute_name("").unwrap().contains("empty"));
/// assert!(dynamo_model_rules::key_attribute_name(&"x".repeat(256)).unwrap().contains("256 bytes"));
/// ```
pub fn key_attribute_name(name: &str) -> Option<String> {
    if name.is_empty() {
        Some(
            "a key attribute has an empty name; DynamoDB key attribute names are 1 to 255 bytes"
                .into(),
        )
    } else if name.len() > MAX_KEY_ATTRIBUTE_NAME_BYTES {
        Some(format!(
            "key attribute name `{}...` is {} bytes long; DynamoDB key attribute names are 1 to \
             {MAX_KEY_ATTRIBUTE_NAME_BYTES} bytes",
            name.chars().take(16).collect::<String>(),
            name.len()
        ))
    } else {
        None
    }
}

/// No partition key at all.
///
/// ```
/// use dynamo_model_rules::{missing_hash_key, Dialect};
/// assert!(missing_hash_key(Dialect::Attribute).contains("#[hash_key]"));
/// ```
pub fn missing_hash_key(dialect: Dialect) -> String {
    match dialect {
        Dialect::Attribute => {
            "DynamoModel needs a partition key: mark one field with #[hash_key]".to_owned()
        }
        Dialect::Builder => "a table needs a partition key: set one with `hash_key`".to_owned(),
    }
}

/// The message for each table key or TTL given more than once, by position
/// in `holders` (the names in the order given): every one after the first.
///
/// ```
/// use dynamo_model_rules::{extra_table_keys, Dialect, TableRole};
/// let extra = extra_table_keys(TableRole::RangeKey, &["a", "b"], Dialect::Builder);
/// assert_eq!(extra[0].0, 1);
/// assert!(extra[0].1.starts_with("a table has at most one range key, and it is already `a`"));
/// ```
pub fn extra_table_keys(
    role: TableRole,
    holders: &[&str],
    dialect: Dialect,
) -> Vec<(usize, String)> {
    let Some((first, rest)) = holders.split_first() else {
        return Vec::new();
    };
    let holder = dialect.holder(first);
    let message = match role {
        TableRole::HashKey => format!(
            "a table has exactly one {}, and it is already {holder} (multi-attribute keys exist only for GSIs)",
            dialect.hash_key()
        ),
        TableRole::RangeKey => format!(
            "a table has at most one {}, and it is already {holder} (multi-attribute keys exist only for GSIs)",
            dialect.range_key()
        ),
        TableRole::Ttl => format!(
            "a table has at most one {}, and it is already {holder}",
            dialect.ttl()
        ),
    };
    (1..=rest.len()).map(|i| (i, message.clone())).collect()
}

/// A role of which a table has one: its hash key, range key, TTL attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableRole {
    /// The table's partition key.
    HashKey,
    /// The table's sort key.
    RangeKey,
    /// The TTL attribute.
    Ttl,
}

/// The first index of `kind` beyond DynamoDB's limit, by position in `names`
/// (that kind's indexes in order), with the message.
///
/// ```
/// use dynamo_model_rules::{excess_index, IndexKind};
/// let names: Vec<String> = (0..21).map(|i| format!("gsi_{i}")).collect();
/// let names: Vec<&str> = names.iter().map(String::as_str).collect();
/// let (at, message) = excess_index(IndexKind::Global, &names).unwrap();
/// assert_eq!((at, message.as_str()), (20, "a table has at most 20 GSIs, and `gsi_20` is number 21"));
/// ```
pub fn excess_index(kind: IndexKind, names: &[&str]) -> Option<(usize, String)> {
    let max = kind.limit();
    names.get(max).map(|extra| {
        (
            max,
            format!(
                "a table has at most {max} {}s, and `{extra}` is number {}",
                kind.label(),
                max + 1
            ),
        )
    })
}

/// Every index whose name an earlier one already has, by position in
/// `indexes` (all of the table's, in order), with the message.
///
/// ```
/// use dynamo_model_rules::{duplicate_index_names, IndexKind::*};
/// let dup = duplicate_index_names(&[(Global, "by_status"), (Local, "by_status")]);
/// assert_eq!(dup[0].0, 1);
/// assert!(dup[0].1.contains("already used by a GSI"));
/// ```
pub fn duplicate_index_names(indexes: &[(IndexKind, &str)]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (position, (_, name)) in indexes.iter().enumerate() {
        if let Some((earlier, _)) = indexes[..position].iter().find(|(_, n)| n == name) {
            out.push((
                position,
                format!(
                    "index name `{name}` is already used by a {} of this table; index names must be unique \
                     across GSIs and LSIs",
                    earlier.label()
                ),
            ));
        }
    }
    out
}

/// A GSI without a partition key.
///
/// ```
/// use dynamo_model_rules::{gsi_without_partition_key, Dialect};
/// assert_eq!(gsi_without_partition_key("by_x", Dialect::Builder), "GSI `by_x` has no partition key");
/// ```
pub fn gsi_without_partition_key(name: &str, dialect: Dialect) -> String {
    match dialect {
        Dialect::Attribute => format!(
            "GSI `{name}` has no partition key: add #[gsi(name = \"{name}\", hash_key)] to the field \
             that is its hash key"
        ),
        Dialect::Builder => format!("GSI `{name}` has no partition key"),
    }
}

/// The first key attribute of a GSI beyond the limit for its role, by
/// position among that role's attributes, with the message.
///
/// ```
/// use dynamo_model_rules::{excess_gsi_key_attribute, KeyRole};
/// assert!(excess_gsi_key_attribute("g", KeyRole::Range, 4).is_none());
/// assert_eq!(excess_gsi_key_attribute("g", KeyRole::Range, 5).unwrap().0, 4);
/// ```
pub fn excess_gsi_key_attribute(
    name: &str,
    role: KeyRole,
    count: usize,
) -> Option<(usize, String)> {
    let which = match role {
        KeyRole::Hash => "partition-key",
        KeyRole::Range => "sort-key",
    };
    (count > MAX_GSI_KEY_ATTRIBUTES).then(|| {
        (
            MAX_GSI_KEY_ATTRIBUTES,
            format!(
                "GSI `{name}` has more than {MAX_GSI_KEY_ATTRIBUTES} {which} attributes; DynamoDB allows \
                 up to {MAX_GSI_KEY_ATTRIBUTES} (a multi-attribute key, in field order)"
            ),
        )
    })
}

/// An LSI on a table without a sort key.
///
/// ```
/// use dynamo_model_rules::{lsi_needs_table_range_key, Dialect};
/// assert!(lsi_needs_table_range_key("l", Dialect::Attribute).starts_with("LSI `l` needs a table with a #[range_key]"));
/// ```
pub fn lsi_needs_table_range_key(name: &str, dialect: Dialect) -> String {
    let range_key = match dialect {
        Dialect::Attribute => "a #[range_key]",
        Dialect::Builder => "a range key",
    };
    format!(
        "LSI `{name}` needs a table with {range_key}: DynamoDB only allows local secondary \
         indexes on tables whose primary key has a sort key"
    )
}

/// A read or write capacity of zero.
///
/// ```
/// assert_eq!(dynamo_model_rules::capacity(0), Some(dynamo_model_rules::ZERO_CAPACITY));
/// assert_eq!(dynamo_model_rules::capacity(1), None);
/// ```
pub fn capacity(units: u64) -> Option<&'static str> {
    (units == 0).then_some(ZERO_CAPACITY)
}

/// The index whose `include` takes the table's projected non-key attributes
/// past DynamoDB's limit, by position in `includes` (each index's name and
/// its number of included attributes, in order), with the message.
///
/// ```
/// let (at, message) = dynamo_model_rules::excess_projected_attributes(&[("a", 60), ("b", 50)]).unwrap();
/// assert_eq!(at, 1);
/// assert!(message.contains("to 110"));
/// ```
pub fn excess_projected_attributes(includes: &[(&str, usize)]) -> Option<(usize, String)> {
    let mut total = 0;
    for (position, (name, count)) in includes.iter().enumerate() {
        total += count;
        if total > MAX_PROJECTED_ATTRIBUTES {
            return Some((
                position,
                format!(
                    "`include` of index `{name}` brings the table's projected non-key attributes to {total}; \
                     DynamoDB allows {MAX_PROJECTED_ATTRIBUTES} in all, summed over every index"
                ),
            ));
        }
    }
    None
}

/// An `include` that names a key attribute of the table or of the index
/// itself: keys are always projected, and DynamoDB refuses them in
/// `NonKeyAttributes`.
///
/// ```
/// let message = dynamo_model_rules::include_of_key("by_status", "id", "the table's hash key");
/// assert!(message.contains("always projected"));
/// ```
pub fn include_of_key(index: &str, attribute: &str, role: &str) -> String {
    format!(
        "`include` of index `{index}` names `{attribute}`, {role}; key attributes are always projected \
         into every index, so list only non-key attributes"
    )
}

/// One attribute as both the table's hash and range key.
///
/// ```
/// use dynamo_model_rules::{key_with_two_roles, Dialect};
/// assert!(key_with_two_roles("id", Dialect::Builder).contains("both the table's hash key and its range key"));
/// ```
pub fn key_with_two_roles(name: &str, dialect: Dialect) -> String {
    format!(
        "{} cannot be both the table's {} and its {}",
        subject(name, dialect),
        dialect.hash_key(),
        dialect.range_key()
    )
}

/// One attribute given two roles in one index.
///
/// ```
/// use dynamo_model_rules::{attribute_twice_in_index, Dialect};
/// assert_eq!(
///     attribute_twice_in_index("status", "by_status", Dialect::Attribute),
///     "field `status` is already part of index `by_status`; a field has one role per index"
/// );
/// ```
pub fn attribute_twice_in_index(name: &str, index: &str, dialect: Dialect) -> String {
    let one = match dialect {
        Dialect::Attribute => "a field",
        Dialect::Builder => "an attribute",
    };
    format!(
        "{} is already part of index `{index}`; {one} has one role per index",
        subject(name, dialect)
    )
}

/// An `include` with nothing in it.
///
/// ```
/// use dynamo_model_rules::{empty_include, Dialect};
/// assert!(empty_include("by_status", Dialect::Builder).contains("Projection::KeysOnly"));
/// ```
pub fn empty_include(index: &str, dialect: Dialect) -> String {
    match dialect {
        Dialect::Attribute => "`include` needs at least one field; for no extra attributes use \
                               `projection = \"keys_only\"`"
            .to_owned(),
        Dialect::Builder => format!(
            "`include` of index `{index}` needs at least one attribute; for no extra attributes use \
             `Projection::KeysOnly`"
        ),
    }
}

/// A name listed twice in one `include`.
///
/// ```
/// use dynamo_model_rules::{included_twice, Dialect};
/// assert_eq!(included_twice("total", "by_status", Dialect::Attribute), "`include` lists field `total` twice");
/// ```
pub fn included_twice(name: &str, index: &str, dialect: Dialect) -> String {
    match dialect {
        Dialect::Attribute => format!("`include` lists field `{name}` twice"),
        Dialect::Builder => format!("`include` of index `{index}` lists attribute `{name}` twice"),
    }
}

fn subject(name: &str, dialect: Dialect) -> String {
    match dialect {
        Dialect::Attribute => format!("field `{name}`"),
        Dialect::Builder => format!("attribute `{name}`"),
    }
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
            assert_eq!(name_problem(name), None, "{name}");
        }
        assert_eq!(name_problem(&"x".repeat(255)), None);
    }

    #[test]
    fn length_limits() {
        assert_eq!(name_problem(""), Some("is too short (0 characters)".into()));
        assert_eq!(name_problem("x"), Some("is too short (1 character)".into()));
        assert_eq!(
            name_problem(&"x".repeat(256)),
            Some("is too long (256 characters)".into())
        );
    }

    #[test]
    fn forbidden_characters() {
        assert_eq!(name_problem("orders/2024"), Some("contains '/'".into()));
        assert_eq!(name_problem("commandé"), Some("contains 'é'".into()));
    }

    #[test]
    fn key_attribute_names_count_bytes() {
        assert!(key_attribute_name(&"é".repeat(127)).is_none()); // 254 bytes
        assert!(key_attribute_name(&"é".repeat(128)).is_some()); // 256 bytes
        assert!(key_attribute_name(&"x".repeat(255)).is_none());
    }

    #[test]
    fn only_the_indexes_past_the_limit_are_reported() {
        assert!(excess_index(IndexKind::Local, &["a", "b", "c", "d", "e"]).is_none());
        assert!(excess_projected_attributes(&[("a", 100)]).is_none());
        assert_eq!(
            excess_projected_attributes(&[("a", 100), ("b", 1), ("c", 5)])
                .unwrap()
                .0,
            1
        );
    }

    #[test]
    fn extra_table_keys_name_the_first_holder_in_each_dialect() {
        let attr = extra_table_keys(TableRole::HashKey, &["id", "b", "c"], Dialect::Attribute);
        assert_eq!(attr.iter().map(|(i, _)| *i).collect::<Vec<_>>(), [1, 2]);
        assert!(attr[0]
            .1
            .starts_with("a table has exactly one #[hash_key], and it is already field `id`"));
        let ttl = extra_table_keys(TableRole::Ttl, &["a", "b"], Dialect::Builder);
        assert_eq!(
            ttl[0].1,
            "a table has at most one TTL attribute, and it is already `a`"
        );
        assert!(extra_table_keys(TableRole::Ttl, &["a"], Dialect::Builder).is_empty());
    }
}
