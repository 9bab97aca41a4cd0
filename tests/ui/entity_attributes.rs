//! What an entity's attributes may say: no keys on fields, a name, a `pk`
//! template, and a table definition for either.
use dynamo_model::{DynamoModel, DynamoTable};

#[derive(DynamoTable)]
#[dynamo(name = "app", hash_key = "pk", range_key = "sk")]
struct App;

#[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
#[dynamo(table = App, entity = "user", pk = "USER#{id}", sk = "PROFILE")]
struct KeysOnFields {
    #[hash_key]
    id: String,
    #[gsi(name = "by_email", hash_key)]
    email: String,
}

#[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
#[dynamo(table = App, pk = "USER#{id}")]
struct NoEntityName {
    id: String,
}

#[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
#[dynamo(table = App, entity = "user")]
struct NoPartitionTemplate {
    id: String,
}

#[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
#[dynamo(entity = "user", pk = "USER#{id}")]
struct NoTable {
    #[hash_key]
    id: String,
}

#[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
#[dynamo(table = App, entity = "user", pk = "USER#{id}", sk = "P", gsi1(pk = "X", part = "Y"), ghost())]
struct BadIndexArguments {
    id: String,
}

#[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
#[dynamo(tabel(name = "users"))]
struct MisspeltArgument {
    #[hash_key]
    id: String,
}

/// Placeholders are Rust names; a renamed table-key field is still read
/// by its one attribute name, and must be in every item.
#[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
#[dynamo(table = App, entity = "user", pk = "USER#{type}", sk = "AT#{at}")]
struct SerdeOnPlaceholders {
    #[serde(rename(serialize = "kind", deserialize = "type"))]
    r#type: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    at: String,
}

fn main() {}
