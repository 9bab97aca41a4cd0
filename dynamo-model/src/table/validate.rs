//! Checks that run before any request is sent, so that a bad setting is a
//! specific error naming the option instead of a round trip and a vague
//! `ValidationException`.

use std::time::Duration;

use super::options::{CreateTableOptions, Encryption, StreamView};
use crate::error::{Error, Result};
use crate::TableSchema;

const MAX_TAGS: usize = 50;
const MAX_TAG_KEY_CHARS: usize = 128;
const MAX_TAG_VALUE_CHARS: usize = 256;

/// A wait needs some time to succeed in.
pub(crate) fn wait_timeout(table: &str, timeout: Duration) -> Result<()> {
    if timeout.is_zero() {
        return Err(Error::invalid(
            table,
            "wait_timeout",
            "a wait timeout of zero can never succeed; give it more than zero",
        ));
    }
    Ok(())
}

/// Every check of [`CreateTableOptions`] against the model it creates.
pub(crate) fn create_options(
    table: &str,
    schema: &TableSchema,
    options: &CreateTableOptions,
) -> Result<()> {
    capacity(table, schema, options)?;
    if let Some(Encryption::CustomerManaged { kms_key_id }) = &options.encryption {
        kms_key(table, kms_key_id)?;
    }
    tags(table, &options.tags)?;
    if !options.replicas.is_empty() {
        if let Some(view) = options.stream.filter(|v| *v != StreamView::NewAndOldImages) {
            return Err(Error::invalid(
                table,
                "replicas",
                format!(
                    "global tables replicate through a stream of new and old images, and `stream` asks for {view:?}"
                ),
            ));
        }
    }
    wait_timeout(table, options.wait_timeout)
}

fn capacity(table: &str, schema: &TableSchema, options: &CreateTableOptions) -> Result<()> {
    match options.provisioned {
        None => {
            if options.capacity_autoscaled {
                return Err(Error::invalid(
                    table,
                    "capacity_autoscaled",
                    "auto scaling manages provisioned capacity, and this table is on-demand; \
                     call `provisioned(read, write)` with the capacity to start from",
                ));
            }
            if let Some(index) = options.index_capacity.keys().next() {
                return Err(Error::invalid(
                    table,
                    "index_capacity",
                    format!(
                        "capacity for index `{index}` needs a provisioned table; \
                         call `provisioned(read, write)` or drop `index_capacity` for on-demand billing"
                    ),
                ));
            }
        }
        Some(throughput) => {
            nonzero(table, "provisioned", "the table", throughput)?;
            let on_demand_option = if options.max_on_demand.is_some() {
                Some("max_on_demand")
            } else if !options.index_max_on_demand.is_empty() {
                Some("index_max_on_demand")
            } else {
                None
            };
            if let Some(option) = on_demand_option {
                return Err(Error::invalid(
                    table,
                    option,
                    "on-demand maximum throughput applies to on-demand tables only, \
                     and this table is `provisioned`",
                ));
            }
        }
    }
    if let Some(throughput) = options.max_on_demand {
        nonzero(table, "max_on_demand", "the table", throughput)?;
    }
    for (option, per_index) in [
        ("index_capacity", &options.index_capacity),
        ("index_max_on_demand", &options.index_max_on_demand),
    ] {
        for (index, throughput) in per_index {
            known_global_index(table, schema, option, index)?;
            nonzero(table, option, &format!("index `{index}`"), *throughput)?;
        }
    }
    Ok(())
}

/// Per-index throughput only makes sense for a GSI the model has.
fn known_global_index(
    table: &str,
    schema: &TableSchema,
    option: &'static str,
    index: &str,
) -> Result<()> {
    if schema.global_indexes().iter().any(|g| g.name() == index) {
        return Ok(());
    }
    let reason = if schema.local_indexes().iter().any(|l| l.name() == index) {
        format!("`{index}` is a local secondary index, which shares the table's throughput")
    } else {
        let known: Vec<&str> = schema.global_indexes().iter().map(|g| g.name()).collect();
        let known = if known.is_empty() {
            "none".to_owned()
        } else {
            known.join(", ")
        };
        format!("the model has no global secondary index `{index}` (it has: {known})")
    };
    Err(Error::invalid(table, option, reason))
}

pub(crate) fn nonzero(
    table: &str,
    option: &'static str,
    what: &str,
    throughput: crate::Throughput,
) -> Result<()> {
    if throughput.read == 0 || throughput.write == 0 {
        return Err(Error::invalid(
            table,
            option,
            format!(
                "read and write units of {what} must be at least 1 (got read {}, write {})",
                throughput.read, throughput.write
            ),
        ));
    }
    Ok(())
}

/// A KMS key is named by key id (a UUID or a multi-Region `mrk-` id), key
/// ARN, alias name (`alias/...`) or alias ARN.
fn kms_key(table: &str, id: &str) -> Result<()> {
    let refuse = |why: &str| {
        Err(Error::invalid(
            table,
            "encryption",
            format!("KMS key id `{id}` {why}"),
        ))
    };
    if id.trim().is_empty() {
        return Err(Error::invalid(
            table,
            "encryption",
            "the KMS key id of `Encryption::CustomerManaged` is empty",
        ));
    }
    if id.len() > 2048 || id.chars().any(char::is_whitespace) {
        return refuse("contains white space or is longer than 2048 characters");
    }
    let resource = if let Some(rest) = id.strip_prefix("arn:") {
        // arn:partition:kms:region:account:key/... or :alias/...
        let parts: Vec<&str> = rest.splitn(5, ':').collect();
        let well_formed = parts.len() == 5
            && !parts[0].is_empty()
            && parts[1] == "kms"
            && !parts[2].is_empty()
            && parts[3].len() == 12
            && parts[3].bytes().all(|b| b.is_ascii_digit());
        if !well_formed {
            return refuse(
                "is not a KMS ARN (arn:PARTITION:kms:REGION:ACCOUNT:key/ID or :alias/NAME)",
            );
        }
        parts[4]
    } else {
        id
    };
    if let Some(alias) = resource.strip_prefix("alias/") {
        let ok = !alias.is_empty()
            && !alias.starts_with("aws/")
            && alias
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"/_-".contains(&b));
        return if ok {
            Ok(())
        } else {
            refuse("is not a valid alias: `alias/` then letters, digits, `/`, `_`, `-`, and not an `aws/` alias")
        };
    }
    let key = resource.strip_prefix("key/").unwrap_or(resource);
    if is_uuid(key) || is_multi_region_key(key) {
        Ok(())
    } else {
        refuse("is neither a key id (UUID or mrk-...), a key ARN, an alias nor an alias ARN")
    }
}

fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, len)| g.len() == len && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn is_multi_region_key(s: &str) -> bool {
    s.strip_prefix("mrk-")
        .is_some_and(|hex| hex.len() == 32 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn tags(table: &str, tags: &[(String, String)]) -> Result<()> {
    let refuse = |reason: String| Err(Error::invalid(table, "tag", reason));
    if tags.len() > MAX_TAGS {
        return refuse(format!(
            "{} tags given; DynamoDB allows at most {MAX_TAGS} per table",
            tags.len()
        ));
    }
    for (i, (key, value)) in tags.iter().enumerate() {
        let key_chars = key.chars().count();
        if key_chars == 0 || key_chars > MAX_TAG_KEY_CHARS {
            return refuse(format!("tag key `{key}` must be 1 to {MAX_TAG_KEY_CHARS} characters long (it has {key_chars})"));
        }
        if value.chars().count() > MAX_TAG_VALUE_CHARS {
            return refuse(format!(
                "the value of tag `{key}` is longer than {MAX_TAG_VALUE_CHARS} characters"
            ));
        }
        if key.to_ascii_lowercase().starts_with("aws:") {
            return refuse(format!(
                "tag key `{key}` uses the prefix `aws:`, which is reserved for AWS"
            ));
        }
        for text in [key, value] {
            if let Some(bad) = text.chars().find(|c| !is_tag_char(*c)) {
                return refuse(format!(
                    "tag `{key}` contains `{bad}`; tags allow letters, digits, spaces and _ . : / = + - @"
                ));
            }
        }
        if tags[..i].iter().any(|(earlier, _)| earlier == key) {
            return refuse(format!("tag key `{key}` is given twice"));
        }
    }
    Ok(())
}

fn is_tag_char(c: char) -> bool {
    c.is_alphanumeric() || c.is_whitespace() || "_.:/=+-@".contains(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        AttributeType, GlobalSecondaryIndex, KeyAttribute, LocalSecondaryIndex, Projection,
    };

    fn schema() -> TableSchema {
        TableSchema::from_parts(
            "orders",
            KeyAttribute::new("pk", AttributeType::S),
            Some(KeyAttribute::new("sk", AttributeType::N)),
            vec![GlobalSecondaryIndex::from_parts(
                "by_status",
                vec![KeyAttribute::new("status", AttributeType::S)],
                vec![],
                Projection::All,
                None,
            )],
            vec![LocalSecondaryIndex::from_parts(
                "by_created",
                KeyAttribute::new("created", AttributeType::N),
                Projection::KeysOnly,
            )],
            None,
        )
    }

    fn check(options: CreateTableOptions) -> Result<()> {
        create_options("orders", &schema(), &options)
    }

    fn refused(options: CreateTableOptions) -> (&'static str, String) {
        match check(options) {
            Err(Error::InvalidInput { option, reason, .. }) => (option, reason),
            other => panic!("expected InvalidInput, got {other:?}"),
        }
    }

    #[test]
    fn defaults_and_full_settings_pass() {
        check(CreateTableOptions::new()).unwrap();
        check(
            CreateTableOptions::new()
                .provisioned(5, 5)
                .index_capacity("by_status", 1, 1)
                .encryption(Encryption::CustomerManaged {
                    kms_key_id: "alias/my-key".into(),
                })
                .tag("env", "prod")
                .tag("owner", "team@example.com"),
        )
        .unwrap();
    }

    #[test]
    fn autoscaled_capacity_needs_provisioned_billing() {
        let (option, reason) = refused(CreateTableOptions::new().capacity_autoscaled(true));
        assert_eq!(option, "capacity_autoscaled");
        assert!(reason.contains("provisioned(read, write)"), "{reason}");
        check(
            CreateTableOptions::new()
                .provisioned(5, 5)
                .capacity_autoscaled(true),
        )
        .unwrap();
    }

    #[test]
    fn index_capacity_needs_provisioned_billing() {
        let (option, reason) = refused(CreateTableOptions::new().index_capacity("by_status", 1, 1));
        assert_eq!(option, "index_capacity");
        assert!(reason.contains("provisioned"), "{reason}");
    }

    #[test]
    fn zero_capacity_is_refused() {
        assert_eq!(
            refused(CreateTableOptions::new().provisioned(0, 5)).0,
            "provisioned"
        );
        let (option, reason) = refused(CreateTableOptions::new().provisioned(5, 5).index_capacity(
            "by_status",
            3,
            0,
        ));
        assert_eq!(option, "index_capacity");
        assert!(reason.contains("by_status"), "{reason}");
    }

    #[test]
    fn capacity_for_an_unknown_or_local_index_is_refused() {
        let (_, reason) = refused(CreateTableOptions::new().provisioned(5, 5).index_capacity(
            "by_nothing",
            1,
            1,
        ));
        assert!(
            reason.contains("no global secondary index `by_nothing`")
                && reason.contains("by_status"),
            "{reason}"
        );
        let (_, reason) = refused(CreateTableOptions::new().provisioned(5, 5).index_capacity(
            "by_created",
            1,
            1,
        ));
        assert!(reason.contains("local secondary index"), "{reason}");
    }

    #[test]
    fn on_demand_maximums_need_on_demand_billing_and_known_indexes() {
        check(
            CreateTableOptions::new()
                .max_on_demand(100, 50)
                .index_max_on_demand("by_status", 10, 5),
        )
        .unwrap();
        assert_eq!(
            refused(
                CreateTableOptions::new()
                    .provisioned(1, 1)
                    .max_on_demand(100, 50)
            )
            .0,
            "max_on_demand"
        );
        assert_eq!(
            refused(
                CreateTableOptions::new()
                    .provisioned(1, 1)
                    .index_max_on_demand("by_status", 1, 1)
            )
            .0,
            "index_max_on_demand"
        );
        assert_eq!(
            refused(CreateTableOptions::new().max_on_demand(0, 50)).0,
            "max_on_demand"
        );
        let (option, reason) = refused(CreateTableOptions::new().index_max_on_demand("nope", 1, 1));
        assert_eq!(option, "index_max_on_demand");
        assert!(
            reason.contains("no global secondary index `nope`"),
            "{reason}"
        );
    }

    #[test]
    fn kms_key_forms() {
        for good in [
            "1234abcd-12ab-34cd-56ef-1234567890ab",
            "mrk-1234abcd12ab34cd56ef1234567890ab",
            "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "alias/my-key",
            "arn:aws:kms:us-east-1:123456789012:alias/my-key",
            "arn:aws-cn:kms:cn-north-1:123456789012:alias/team/key_1",
        ] {
            kms_key("t", good).unwrap_or_else(|e| panic!("{good}: {e}"));
        }
        for bad in [
            "",
            "   ",
            "not-a-key",
            "1234abcd-12ab-34cd-56ef-1234567890",
            "arn:aws:s3:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws:kms:us-east-1:123:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "alias/",
            "alias/aws/dynamodb",
            "alias/has space",
        ] {
            let err = kms_key("t", bad).unwrap_err();
            assert!(
                matches!(
                    err,
                    Error::InvalidInput {
                        option: "encryption",
                        ..
                    }
                ),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn tag_limits() {
        let long_key = "k".repeat(129);
        let long_value = "v".repeat(257);
        for (options, needle) in [
            (CreateTableOptions::new().tag("", "x"), "1 to 128"),
            (
                CreateTableOptions::new().tag(long_key.as_str(), "x"),
                "1 to 128",
            ),
            (
                CreateTableOptions::new().tag("k", long_value.as_str()),
                "longer than 256",
            ),
            (CreateTableOptions::new().tag("aws:owner", "x"), "reserved"),
            (CreateTableOptions::new().tag("AWS:owner", "x"), "reserved"),
            (
                CreateTableOptions::new().tag("a", "1").tag("a", "2"),
                "twice",
            ),
            (CreateTableOptions::new().tag("a#b", "1"), "contains `#`"),
        ] {
            let (option, reason) = refused(options);
            assert_eq!(option, "tag");
            assert!(reason.contains(needle), "{reason}");
        }
        let many = (0..51).fold(CreateTableOptions::new(), |o, i| {
            o.tag(format!("k{i}"), "v")
        });
        assert!(refused(many).1.contains("at most 50"));
        let fifty = (0..50).fold(CreateTableOptions::new(), |o, i| {
            o.tag(format!("k{i}"), "v")
        });
        check(fifty).unwrap();
    }

    #[test]
    fn zero_wait_timeout_is_refused() {
        let (option, _) = refused(
            CreateTableOptions::new()
                .wait(true)
                .wait_timeout(Duration::ZERO),
        );
        assert_eq!(option, "wait_timeout");
    }
}
