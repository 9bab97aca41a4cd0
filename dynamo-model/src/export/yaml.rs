//! A small YAML writer for the CloudFormation template: block mappings and
//! sequences, every string double-quoted (so no value is read as a number,
//! a boolean or a date by YAML's rules).

use std::fmt::Write as _;

use serde_json::Value;

pub(super) fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value, 0, false);
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => serde_json::to_string(s).expect("a string serializes"),
        Value::Null => "null".to_owned(),
        other => other.to_string(),
    }
}

/// Writes `value` at `indent`; `inline` when it follows a `- ` or a key on
/// the same line.
fn write_value(out: &mut String, value: &Value, indent: usize, inline: bool) {
    let pad = " ".repeat(indent);
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (i, (key, v)) in super::order::entries(map).into_iter().enumerate() {
                if !(inline && i == 0) {
                    out.push_str(&pad);
                }
                let _ = write!(
                    out,
                    "{}:",
                    scalar(&Value::String(key.clone())).trim_matches('"')
                );
                match v {
                    Value::Object(m) if !m.is_empty() => {
                        out.push('\n');
                        write_value(out, v, indent + 2, false);
                    }
                    Value::Array(a) if !a.is_empty() => {
                        out.push('\n');
                        write_value(out, v, indent, false);
                    }
                    _ => {
                        let _ = writeln!(out, " {}", flow(v));
                    }
                }
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for item in items {
                out.push_str(&pad);
                out.push_str("- ");
                match item {
                    Value::Object(m) if !m.is_empty() => write_value(out, item, indent + 2, true),
                    _ => {
                        let _ = writeln!(out, "{}", flow(item));
                    }
                }
            }
        }
        other => {
            let _ = writeln!(out, "{pad}{}", flow(other));
        }
    }
}

/// A value on one line: scalars, and empty collections as `{}` / `[]`.
fn flow(value: &Value) -> String {
    match value {
        Value::Object(m) if m.is_empty() => "{}".to_owned(),
        Value::Array(a) if a.is_empty() => "[]".to_owned(),
        other => scalar(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_maps_and_lists() {
        let value = json!({
            "Resources": { "T": { "Type": "AWS::DynamoDB::Table", "Properties": {
                "KeySchema": [{ "AttributeName": "id", "KeyType": "HASH" }],
                "Tags": [],
                "DeletionProtectionEnabled": true,
                "Count": 5
            }}}
        });
        assert_eq!(
            to_yaml(&value),
            "Resources:\n  T:\n    Type: \"AWS::DynamoDB::Table\"\n    Properties:\n      KeySchema:\n      - AttributeName: \"id\"\n        KeyType: \"HASH\"\n      Tags: []\n      DeletionProtectionEnabled: true\n      Count: 5\n"
        );
    }
}
