//! How an existing table differs from the model that expected to create it
//! (`if_not_exists`): keys, their types, and the indexes with their keys and
//! projections. Capacity, tags and other settings may legitimately drift and
//! are not compared.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_dynamodb::types::{
    KeySchemaElement, KeyType, Projection as SdkProjection, TableDescription,
};

use crate::{KeyAttribute, Projection, TableSchema};

/// Every difference between `schema` and the table DynamoDB `described`, in
/// words; empty when they agree.
pub(crate) fn differences(schema: &TableSchema, described: &TableDescription) -> Vec<String> {
    let types: BTreeMap<&str, &str> = described
        .attribute_definitions()
        .iter()
        .map(|d| (d.attribute_name(), d.attribute_type().as_str()))
        .collect();
    let table_keys = |elements: &[KeySchemaElement], kind: KeyType| -> Vec<(String, String)> {
        elements
            .iter()
            .filter(|e| *e.key_type() == kind)
            .map(|e| {
                let name = e.attribute_name();
                (
                    name.to_owned(),
                    types.get(name).copied().unwrap_or("?").to_owned(),
                )
            })
            .collect()
    };
    let model_keys = |keys: &[&KeyAttribute]| -> Vec<(String, String)> {
        keys.iter()
            .map(|k| (k.name().to_owned(), k.attribute_type().as_str().to_owned()))
            .collect()
    };

    let mut out = Vec::new();
    let mut missing = Vec::new();
    let mut compare = |what: String, model: Vec<(String, String)>, table: Vec<(String, String)>| {
        if model != table {
            out.push(format!(
                "{what}: the model has {}, the table has {}",
                show(&model),
                show(&table)
            ));
        }
    };

    compare(
        "partition key".into(),
        model_keys(&[schema.hash_key()]),
        table_keys(described.key_schema(), KeyType::Hash),
    );
    compare(
        "sort key".into(),
        model_keys(&schema.range_key().into_iter().collect::<Vec<_>>()),
        table_keys(described.key_schema(), KeyType::Range),
    );

    let table_gsis: BTreeMap<&str, _> = described
        .global_secondary_indexes()
        .iter()
        .filter_map(|g| Some((g.index_name()?, g)))
        .collect();
    for gsi in schema.global_indexes() {
        let Some(existing) = table_gsis.get(gsi.name()) else {
            missing.push(format!(
                "global index `{}` is in the model but not on the table",
                gsi.name()
            ));
            continue;
        };
        compare(
            format!("global index `{}` partition key", gsi.name()),
            model_keys(&gsi.hash_keys().iter().collect::<Vec<_>>()),
            table_keys(existing.key_schema(), KeyType::Hash),
        );
        compare(
            format!("global index `{}` sort key", gsi.name()),
            model_keys(&gsi.range_keys().iter().collect::<Vec<_>>()),
            table_keys(existing.key_schema(), KeyType::Range),
        );
        compare(
            format!("global index `{}` projection", gsi.name()),
            model_projection(gsi.projection()),
            table_projection(existing.projection()),
        );
    }
    let model_gsis: BTreeSet<&str> = schema.global_indexes().iter().map(|g| g.name()).collect();
    for name in table_gsis.keys().filter(|n| !model_gsis.contains(*n)) {
        missing.push(format!(
            "global index `{name}` is on the table but not in the model"
        ));
    }

    let table_lsis: BTreeMap<&str, _> = described
        .local_secondary_indexes()
        .iter()
        .filter_map(|l| Some((l.index_name()?, l)))
        .collect();
    for lsi in schema.local_indexes() {
        let Some(existing) = table_lsis.get(lsi.name()) else {
            missing.push(format!(
                "local index `{}` is in the model but not on the table",
                lsi.name()
            ));
            continue;
        };
        compare(
            format!("local index `{}` sort key", lsi.name()),
            model_keys(&[lsi.range_key()]),
            table_keys(existing.key_schema(), KeyType::Range),
        );
        compare(
            format!("local index `{}` projection", lsi.name()),
            model_projection(lsi.projection()),
            table_projection(existing.projection()),
        );
    }
    let model_lsis: BTreeSet<&str> = schema.local_indexes().iter().map(|l| l.name()).collect();
    for name in table_lsis.keys().filter(|n| !model_lsis.contains(*n)) {
        missing.push(format!(
            "local index `{name}` is on the table but not in the model"
        ));
    }
    out.extend(missing);
    out
}

/// A projection as comparable pairs: its type, then each included attribute
/// (sorted, since DynamoDB need not keep their order).
fn model_projection(projection: &Projection) -> Vec<(String, String)> {
    let mut included: Vec<String> = projection.non_key_attributes().map(str::to_owned).collect();
    included.sort();
    projection_pairs(projection.projection_type(), included)
}

fn table_projection(projection: Option<&SdkProjection>) -> Vec<(String, String)> {
    let kind = projection
        .and_then(|p| p.projection_type())
        .map_or("ALL", |t| t.as_str());
    let mut included: Vec<String> =
        projection.map_or(Vec::new(), |p| p.non_key_attributes().to_vec());
    included.sort();
    projection_pairs(kind, included)
}

fn projection_pairs(kind: &str, included: Vec<String>) -> Vec<(String, String)> {
    std::iter::once((kind.to_owned(), String::new()))
        .chain(included.into_iter().map(|n| (n, String::new())))
        .collect()
}

/// `none`, `pk (S)`, `a (S), b (N)` or `INCLUDE, total`.
fn show(items: &[(String, String)]) -> String {
    if items.is_empty() {
        return "none".into();
    }
    items
        .iter()
        .map(|(name, kind)| {
            if kind.is_empty() {
                name.clone()
            } else {
                format!("{name} ({kind})")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AttributeType, GlobalSecondaryIndex, LocalSecondaryIndex};
    use aws_sdk_dynamodb::types::{
        AttributeDefinition, GlobalSecondaryIndexDescription, LocalSecondaryIndexDescription,
        ProjectionType, ScalarAttributeType,
    };

    fn model() -> TableSchema {
        TableSchema::from_parts(
            "orders",
            KeyAttribute::new("pk", AttributeType::S),
            Some(KeyAttribute::new("sk", AttributeType::N)),
            vec![GlobalSecondaryIndex::from_parts(
                "by_status",
                vec![KeyAttribute::new("status", AttributeType::S)],
                vec![],
                Projection::Include(vec!["total".into(), "coupon".into()].into()),
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

    fn element(name: &str, kind: KeyType) -> KeySchemaElement {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(kind)
            .build()
            .unwrap()
    }

    fn definition(name: &str, kind: ScalarAttributeType) -> AttributeDefinition {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(kind)
            .build()
            .unwrap()
    }

    fn projection(kind: ProjectionType, included: &[&str]) -> SdkProjection {
        SdkProjection::builder()
            .projection_type(kind)
            .set_non_key_attributes(
                (!included.is_empty()).then(|| included.iter().map(|s| s.to_string()).collect()),
            )
            .build()
    }

    fn table(
        sk_type: ScalarAttributeType,
        gsi_projection: SdkProjection,
        extra_gsi: bool,
    ) -> TableDescription {
        let mut gsis = vec![GlobalSecondaryIndexDescription::builder()
            .index_name("by_status")
            .key_schema(element("status", KeyType::Hash))
            .projection(gsi_projection)
            .build()];
        if extra_gsi {
            gsis.push(
                GlobalSecondaryIndexDescription::builder()
                    .index_name("by_email")
                    .key_schema(element("email", KeyType::Hash))
                    .build(),
            );
        }
        TableDescription::builder()
            .key_schema(element("pk", KeyType::Hash))
            .key_schema(element("sk", KeyType::Range))
            .attribute_definitions(definition("pk", ScalarAttributeType::S))
            .attribute_definitions(definition("sk", sk_type))
            .attribute_definitions(definition("status", ScalarAttributeType::S))
            .attribute_definitions(definition("created", ScalarAttributeType::N))
            .set_global_secondary_indexes(Some(gsis))
            .local_secondary_indexes(
                LocalSecondaryIndexDescription::builder()
                    .index_name("by_created")
                    .key_schema(element("pk", KeyType::Hash))
                    .key_schema(element("created", KeyType::Range))
                    .projection(projection(ProjectionType::KeysOnly, &[]))
                    .build(),
            )
            .build()
    }

    #[test]
    fn a_matching_table_has_no_differences() {
        // Included attributes in another order are the same projection.
        let described = table(
            ScalarAttributeType::N,
            projection(ProjectionType::Include, &["coupon", "total"]),
            false,
        );
        assert_eq!(differences(&model(), &described), Vec::<String>::new());
    }

    #[test]
    fn every_difference_is_listed() {
        let described = table(
            ScalarAttributeType::S,
            projection(ProjectionType::All, &[]),
            true,
        );
        assert_eq!(
            differences(&model(), &described),
            [
                "sort key: the model has sk (N), the table has sk (S)",
                "global index `by_status` projection: the model has INCLUDE, coupon, total, the table has ALL",
                "global index `by_email` is on the table but not in the model",
            ]
        );
    }
}
