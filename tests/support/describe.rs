//! A table's description reduced to what two tables made from one model
//! must share, for comparing a table made one way with one made another.

use dynamo_model::aws_sdk_dynamodb::types::TableDescription;

/// What must be equal between two tables made from one model: keys,
/// attribute types, indexes with their keys, projections and capacity,
/// billing and stream settings; not names, ARNs, times or counts.
pub fn normalized(table: &TableDescription) -> String {
    let mut attributes: Vec<String> = table
        .attribute_definitions()
        .iter()
        .map(|d| format!("{}:{}", d.attribute_name(), d.attribute_type().as_str()))
        .collect();
    attributes.sort();
    let keys = |k: &[dynamo_model::aws_sdk_dynamodb::types::KeySchemaElement]| {
        k.iter()
            .map(|e| format!("{}:{}", e.attribute_name(), e.key_type().as_str()))
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut gsis: Vec<String> = table
        .global_secondary_indexes()
        .iter()
        .map(|g| {
            let p = g.projection().unwrap();
            let t = g.provisioned_throughput();
            format!(
                "{} [{}] {:?} {:?} {:?}/{:?}",
                g.index_name().unwrap_or_default(),
                keys(g.key_schema()),
                p.projection_type(),
                p.non_key_attributes(),
                t.and_then(|t| t.read_capacity_units()),
                t.and_then(|t| t.write_capacity_units()),
            )
        })
        .collect();
    gsis.sort();
    let mut lsis: Vec<String> = table
        .local_secondary_indexes()
        .iter()
        .map(|l| {
            format!(
                "{} [{}] {:?}",
                l.index_name().unwrap_or_default(),
                keys(l.key_schema()),
                l.projection().and_then(|p| p.projection_type())
            )
        })
        .collect();
    lsis.sort();
    let throughput = table.provisioned_throughput();
    format!(
        "keys [{}]\nattributes {attributes:?}\ngsis {gsis:#?}\nlsis {lsis:?}\nbilling {:?}\ncapacity {:?}/{:?}\nstream {:?}\ndeletion protection {:?}",
        keys(table.key_schema()),
        table
            .billing_mode_summary()
            .and_then(|b| b.billing_mode())
            .map(|b| b.as_str().to_owned()),
        throughput.and_then(|t| t.read_capacity_units()),
        throughput.and_then(|t| t.write_capacity_units()),
        table
            .stream_specification()
            .map(|s| (s.stream_enabled(), s.stream_view_type().cloned())),
        table.deletion_protection_enabled().unwrap_or(false),
    )
}
