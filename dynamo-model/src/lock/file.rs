//! The lock file's structure, read strictly: a file whose parts are not of
//! the kinds `to_json` writes (`"items": "oops"`, a GSI without its keys, a
//! field that no version of the format has) is refused with the line and
//! column where it broke. Checked as it was read, a damaged lock would
//! compare as "nothing recorded" and pass every check.

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // read to be checked; the values are compared as JSON
pub(super) struct LockFile {
    dynamo_model_schema_lock: u64,
    tables: BTreeMap<String, Table>,
    #[serde(default)]
    items: Option<BTreeMap<String, Items>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Table {
    hash_key: String,
    range_key: Option<String>,
    global_indexes: BTreeMap<String, Gsi>,
    local_indexes: BTreeMap<String, Lsi>,
    ttl: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Gsi {
    hash: Vec<String>,
    range: Vec<String>,
    projection: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Lsi {
    range: String,
    projection: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Items {
    table: String,
    shape: Option<u32>,
    fields: BTreeMap<String, String>,
}

/// Why `text` is not a lock file as `to_json` writes one, with where.
pub(super) fn check(text: &str) -> std::result::Result<(), String> {
    serde_json::from_str::<LockFile>(text)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_of_the_wrong_kinds_is_refused_where_it_broke() {
        let good = r#"{"dynamo_model_schema_lock": 1, "tables": {"t": {"hash_key": "id S",
            "range_key": null, "global_indexes": {}, "local_indexes": {}, "ttl": null}}}"#;
        check(good).unwrap();
        let items = good.replacen("}}}", r#"}}, "items": "oops"}"#, 1);
        let err = check(&items).unwrap_err();
        assert!(err.contains("invalid type: string \"oops\""), "{err}");
        assert!(err.contains("line 2"), "{err}");
        let extra = good.replacen(r#""ttl": null"#, r#""ttl": null, "tll": 1"#, 1);
        assert!(check(&extra).unwrap_err().contains("unknown field `tll`"));
        let lacking = good.replacen(r#""hash_key": "id S","#, "", 1);
        assert!(check(&lacking)
            .unwrap_err()
            .contains("missing field `hash_key`"));
    }
}
