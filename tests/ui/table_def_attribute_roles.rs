use dynamo_model::DynamoTable;

#[derive(DynamoTable)]
#[dynamo(
    name = "app",
    hash_key = "pk",
    range_key = "pk",
    gsi(name = "gsi1", hash_key = "g", range_key = "g"),
    lsi(name = "by-x"),
    ttl = "g",
    entity_attribute = "pk"
)]
struct App;

#[derive(DynamoTable)]
#[dynamo(hash_key = "pk", ttl = "_type")]
struct A;

fn main() {}
