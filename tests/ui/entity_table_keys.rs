//! An entity's templates must fit the table: an index it declares, a sort
//! key where an `sk` template is given, an `sk` template where the table
//! has a sort key.
use dynamo_model::{DynamoModel, DynamoTable};

#[derive(DynamoTable)]
#[dynamo(name = "app", hash_key = "pk", range_key = "sk",
         gsi(name = "gsi1", hash_key = "gsi1pk"))]
struct App;

#[derive(DynamoTable)]
#[dynamo(name = "flat", hash_key = "pk")]
struct Flat;

#[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
#[dynamo(table = App, entity = "user", pk = "USER#{id}", sk = "PROFILE",
         gsi2(pk = "EMAIL#{id}"))]
struct UnknownIndex {
    id: String,
}

#[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
#[dynamo(table = App, entity = "user", pk = "USER#{id}", sk = "PROFILE",
         gsi1(pk = "EMAIL#{id}", sk = "USER"))]
struct IndexWithoutSortKey {
    id: String,
}

#[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
#[dynamo(table = Flat, entity = "user", pk = "USER#{id}", sk = "PROFILE")]
struct TableWithoutSortKey {
    id: String,
}

#[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
#[dynamo(table = App, entity = "user", pk = "USER#{id}")]
struct MissingSortTemplate {
    id: String,
}

struct NotATable;

#[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
#[dynamo(table = NotATable, entity = "user", pk = "USER#{id}")]
struct TableIsNotADefinition {
    id: String,
}

fn main() {}
