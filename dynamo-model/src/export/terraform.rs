//! A Terraform `aws_dynamodb_table` resource (AWS provider), in HCL.

use std::fmt::Write as _;

use aws_sdk_dynamodb::types::{KeySchemaElement, KeyType, Projection};

use super::Spec;

/// A quoted HCL string.
fn q(s: &str) -> String {
    serde_json::to_string(s)
        .expect("a string serializes")
        .replace("${", "$${")
        .replace("%{", "%%{")
}

/// `orders` -> `orders`; a name Terraform cannot take gets `_`s.
fn resource_name(table: &str) -> String {
    let mut name: String = table
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        name.insert(0, '_');
    }
    name
}

fn keys(schema: &[KeySchemaElement], kind: KeyType) -> Vec<&str> {
    schema
        .iter()
        .filter(|k| *k.key_type() == kind)
        .map(|k| k.attribute_name())
        .collect()
}

fn projection(out: &mut String, projection: Option<&Projection>) {
    let Some(p) = projection else { return };
    if let Some(kind) = p.projection_type() {
        let _ = writeln!(out, "    projection_type    = {}", q(kind.as_str()));
    }
    if !p.non_key_attributes().is_empty() {
        let names: Vec<String> = p.non_key_attributes().iter().map(|n| q(n)).collect();
        let _ = writeln!(out, "    non_key_attributes = [{}]", names.join(", "));
    }
}

pub(super) fn resource(spec: &Spec) -> String {
    let r = &spec.request;
    let table = r.get_table_name().clone().unwrap_or_default();
    let key_schema = r.get_key_schema().clone().unwrap_or_default();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# DynamoDB table `{table}`, exported by dynamo-model from its model."
    );
    let _ = writeln!(
        out,
        "resource \"aws_dynamodb_table\" {} {{",
        q(&resource_name(&table))
    );
    let _ = writeln!(out, "  name         = {}", q(&table));
    if let Some(mode) = r.get_billing_mode() {
        let _ = writeln!(out, "  billing_mode = {}", q(mode.as_str()));
    }
    if let Some(hash) = keys(&key_schema, KeyType::Hash).first() {
        let _ = writeln!(out, "  hash_key     = {}", q(hash));
    }
    if let Some(range) = keys(&key_schema, KeyType::Range).first() {
        let _ = writeln!(out, "  range_key    = {}", q(range));
    }
    if let Some(t) = r.get_provisioned_throughput() {
        let _ = writeln!(out, "  read_capacity  = {}", t.read_capacity_units());
        let _ = writeln!(out, "  write_capacity = {}", t.write_capacity_units());
    }
    if let Some(class) = r.get_table_class() {
        let _ = writeln!(out, "  table_class = {}", q(class.as_str()));
    }
    if let Some(enabled) = r.get_deletion_protection_enabled() {
        let _ = writeln!(out, "  deletion_protection_enabled = {enabled}");
    }
    if let Some(stream) = r.get_stream_specification() {
        let _ = writeln!(out, "  stream_enabled   = {}", stream.stream_enabled());
        if let Some(view) = stream.stream_view_type() {
            let _ = writeln!(out, "  stream_view_type = {}", q(view.as_str()));
        }
    }
    if let Some(t) = r.get_on_demand_throughput() {
        out.push_str("\n  on_demand_throughput {\n");
        if let Some(n) = t.max_read_request_units() {
            let _ = writeln!(out, "    max_read_request_units  = {n}");
        }
        if let Some(n) = t.max_write_request_units() {
            let _ = writeln!(out, "    max_write_request_units = {n}");
        }
        out.push_str("  }\n");
    }
    for d in r.get_attribute_definitions().iter().flatten() {
        let _ = write!(
            out,
            "\n  attribute {{\n    name = {}\n    type = {}\n  }}\n",
            q(d.attribute_name()),
            q(d.attribute_type().as_str())
        );
    }
    for index in r.get_global_secondary_indexes().iter().flatten() {
        out.push_str("\n  global_secondary_index {\n");
        let _ = writeln!(out, "    name               = {}", q(index.index_name()));
        let hashes = keys(index.key_schema(), KeyType::Hash);
        let ranges = keys(index.key_schema(), KeyType::Range);
        if hashes.len() == 1 && ranges.len() <= 1 {
            let _ = writeln!(out, "    hash_key           = {}", q(hashes[0]));
            if let Some(range) = ranges.first() {
                let _ = writeln!(out, "    range_key          = {}", q(range));
            }
        } else {
            // Multi-attribute keys: the provider's key_schema blocks.
            for k in index.key_schema() {
                let _ = write!(
                    out,
                    "    key_schema {{\n      attribute_name = {}\n      key_type       = {}\n    }}\n",
                    q(k.attribute_name()),
                    q(k.key_type().as_str())
                );
            }
        }
        projection(&mut out, index.projection());
        if let Some(t) = index.provisioned_throughput() {
            let _ = writeln!(out, "    read_capacity      = {}", t.read_capacity_units());
            let _ = writeln!(out, "    write_capacity     = {}", t.write_capacity_units());
        }
        if let Some(t) = index.on_demand_throughput() {
            out.push_str("    on_demand_throughput {\n");
            if let Some(n) = t.max_read_request_units() {
                let _ = writeln!(out, "      max_read_request_units  = {n}");
            }
            if let Some(n) = t.max_write_request_units() {
                let _ = writeln!(out, "      max_write_request_units = {n}");
            }
            out.push_str("    }\n");
        }
        out.push_str("  }\n");
    }
    for index in r.get_local_secondary_indexes().iter().flatten() {
        out.push_str("\n  local_secondary_index {\n");
        let _ = writeln!(out, "    name               = {}", q(index.index_name()));
        if let Some(range) = keys(index.key_schema(), KeyType::Range).first() {
            let _ = writeln!(out, "    range_key          = {}", q(range));
        }
        projection(&mut out, index.projection());
        out.push_str("  }\n");
    }
    if let Some(attribute) = &spec.ttl_attribute {
        let _ = write!(
            out,
            "\n  ttl {{\n    attribute_name = {}\n    enabled        = true\n  }}\n",
            q(attribute)
        );
    }
    if spec.point_in_time_recovery {
        out.push_str("\n  point_in_time_recovery {\n    enabled = true\n  }\n");
    }
    if let Some(sse) = r.get_sse_specification() {
        out.push_str("\n  server_side_encryption {\n");
        let _ = writeln!(out, "    enabled     = {}", sse.enabled().unwrap_or(false));
        if let Some(key) = sse.kms_master_key_id() {
            let _ = writeln!(out, "    kms_key_arn = {}", q(key));
        }
        out.push_str("  }\n");
    }
    if let Some(tags) = r.get_tags() {
        out.push_str("\n  tags = {\n");
        for t in tags {
            let _ = writeln!(out, "    {} = {}", q(t.key()), q(t.value()));
        }
        out.push_str("  }\n");
    }
    if spec.capacity_autoscaled {
        // Terraform would otherwise set the units back on every apply. GSI
        // capacity sits inside the index blocks, which cannot be ignored
        // one attribute at a time.
        out.push_str(
            "\n  lifecycle {\n    ignore_changes = [read_capacity, write_capacity]\n  }\n",
        );
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_quoted_and_interpolation_escaped() {
        assert_eq!(q("a\"b${x}"), r#""a\"b$${x}""#);
        assert_eq!(resource_name("1orders.v2"), "_1orders_v2");
    }
}
