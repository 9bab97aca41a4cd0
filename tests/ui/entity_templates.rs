//! An entity's templates: every placeholder is a stored field, and each
//! template parses.
use dynamo_model::{DynamoModel, DynamoTable};

#[derive(DynamoTable)]
#[dynamo(name = "app", hash_key = "pk", range_key = "sk")]
struct App;

#[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
#[dynamo(table = App, entity = "user", pk = "USER#{idd}", sk = "PROFILE#{id")]
struct User {
    id: String,
}

#[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
#[dynamo(table = App, entity = "note", pk = "NOTE#{id}", sk = "{secret}")]
struct Note {
    id: String,
    #[serde(skip)]
    secret: String,
}

fn main() {}
