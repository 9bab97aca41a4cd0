use dynamo_model::DynamoTable;

#[derive(DynamoTable)]
#[dynamo(
    name = "my app",
    hash_key = "",
    gsi(name = "by status", hash_key = "gsi1pk"),
    entity_attribute = ""
)]
struct App;

fn main() {}
