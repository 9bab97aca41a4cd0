//! A placeholder's field must be a `TemplateValue`; an `Option` of one only
//! in an index template.
use dynamo_model::{DynamoModel, DynamoTable};

#[derive(DynamoTable)]
#[dynamo(name = "app", hash_key = "pk", range_key = "sk",
         gsi(name = "gsi1", hash_key = "gsi1pk", range_key = "gsi1sk"))]
struct App;

#[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
#[dynamo(table = App, entity = "reading", pk = "SENSOR#{sensor}", sk = "AT#{value}",
         gsi1(pk = "MAYBE#{label}", sk = "{nested}"))]
struct Reading {
    sensor: Option<String>,
    value: f64,
    label: Option<String>,
    nested: Vec<String>,
}

fn main() {}
