//! What a query of an entity compares: the partition key a query of the
//! table or of one of its indexes names, rendered from the partition
//! template's values, and the sort key condition that reads only the
//! entity's keys (or a range of them).

use aws_sdk_dynamodb::types::AttributeValue;

use super::schema::{EntitySchema, KeyOf};
use super::template::{KeyTemplate, RenderValue};
use crate::read::query::RangeOp;

impl EntitySchema {
    /// The template of the partition key a query of `index` (`None`: the
    /// table) compares: the index's `pk`, or the table's for a local index
    /// (one with only an `sk` template). `None` for an index the entity
    /// does not write.
    fn partition_key(&self, index: Option<&str>) -> Option<&KeyOf> {
        let Some(index) = index else {
            return self.keys.iter().find(|k| k.role == "pk");
        };
        let role = |key: &str| format!("{index}.{key}");
        match self.keys.iter().find(|k| k.role == role("pk")) {
            Some(key) => Some(key),
            None if self.keys.iter().any(|k| k.role == role("sk")) => {
                self.keys.iter().find(|k| k.role == "pk")
            }
            None => None,
        }
    }

    /// The sort key template a query of `index` (`None`: the table) ranges
    /// over.
    fn sort_key(&self, index: Option<&str>) -> Option<&KeyTemplate> {
        match index {
            None => self.template("sk"),
            Some(index) => self.template(&format!("{index}.sk")),
        }
    }

    /// The partition key's value for a query of the table or of `index`,
    /// from its partition template's placeholder values in order.
    pub(crate) fn partition_of(
        &self,
        index: Option<&str>,
        values: &[&dyn RenderValue],
    ) -> std::result::Result<AttributeValue, String> {
        let Some(key) = self.partition_key(index) else {
            return Err(format!(
                "entity `{}` writes no key of index `{}`, so its template values cannot name a partition of it",
                self.name(),
                index.unwrap_or_default()
            ));
        };
        let fields: Vec<&str> = key.template.fields().collect();
        if fields.len() != values.len() {
            return Err(format!(
                "entity `{}` is partitioned by {} value(s) ({}) in {}, and {} were given",
                self.name(),
                fields.len(),
                fields.join(", "),
                index.map_or("the table".to_owned(), |i| format!("index `{i}`")),
                values.len()
            ));
        }
        let value = |field: &str| fields.iter().position(|f| *f == field).map(|i| values[i]);
        match self.render(key, &value) {
            Ok(Some(text)) => Ok(AttributeValue::S(text)),
            // Only an index key renders as nothing (an item is then out of
            // the index): no partition of it has that key.
            Ok(None) => Err(self
                .unrenderable(key, "it renders as an empty string")
                .to_string()),
            Err(err) => Err(err.to_string()),
        }
    }

    /// The sort key condition of a query of the entity in the table or in
    /// `index`: `None` for the whole entity in the partition, else a range
    /// on the first placeholder of its sort template. `None` in the result:
    /// no condition needed (or, for an index the entity writes no sort key
    /// of, none possible).
    pub(crate) fn sort_condition(
        &self,
        index: Option<&str>,
        range: Option<(RangeOp, &[&dyn RenderValue])>,
    ) -> std::result::Result<Option<(RangeOp, Vec<String>)>, String> {
        let Some(sk) = self.sort_key(index) else {
            return match range {
                None => Ok(None),
                Some(_) => Err(format!(
                    "entity `{}` has no sort key template {} to compare",
                    self.name(),
                    index.map_or("in the table".to_owned(), |i| format!("in index `{i}`"))
                )),
            };
        };
        match range {
            None => Ok(super::sort_range::whole(sk)),
            Some((op, values)) => {
                let field = sk.fields().next().unwrap_or_default();
                super::sort_range::condition(sk, field, op, values)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AttributeType, Projection, TableSchema};

    /// A query of an index names its partition by the index's template, a
    /// local index's by the table's; an empty index key names none.
    #[test]
    fn an_index_query_renders_the_index_partition_template() {
        let table = TableSchema::builder("app")
            .hash_key("pk", AttributeType::S)
            .range_key("sk", AttributeType::S)
            .global_index("gsi1", |i| {
                i.hash_key("gsi1pk", AttributeType::S)
                    .range_key("gsi1sk", AttributeType::S)
            })
            .local_index("lsi1", "lsi1sk", AttributeType::S, Projection::All)
            .build()
            .unwrap();
        let order = EntitySchema::builder(&table, "order")
            .pk("CUSTOMER#{customer}")
            .sk("ORDER#{id}")
            .index("gsi1", "{status}", Some("AT#{created}"))
            .local_index("lsi1", "TOTAL#{total}")
            .build(&["customer", "id", "status", "created", "total"])
            .unwrap();
        let (shipped, c1, empty) = ("shipped".to_owned(), "c1".to_owned(), String::new());
        assert_eq!(
            order.partition_of(Some("gsi1"), &[&shipped]),
            Ok(AttributeValue::S("shipped".into()))
        );
        assert_eq!(
            order.partition_of(Some("lsi1"), &[&c1]),
            Ok(AttributeValue::S("CUSTOMER#c1".into()))
        );
        let err = order.partition_of(Some("gsi1"), &[&empty]).unwrap_err();
        assert!(err.contains("empty string"), "{err}");
        let err = order.partition_of(Some("gsi9"), &[&c1]).unwrap_err();
        assert!(err.contains("writes no key of index `gsi9`"), "{err}");
        let err = order.partition_of(Some("gsi1"), &[]).unwrap_err();
        assert!(err.contains("1 value(s) (status) in index `gsi1`"), "{err}");
        // The whole entity in an index: its sort template's prefix.
        assert_eq!(
            order.sort_condition(Some("gsi1"), None),
            Ok(Some((RangeOp::BeginsWith, vec!["AT#".to_owned()])))
        );
        assert_eq!(order.sort_condition(Some("gsi9"), None), Ok(None));
    }
}
