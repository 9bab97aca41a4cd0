use dynamo_model::DynamoTable;

#[derive(DynamoTable)]
#[dynamo(
    name = "app",
    hash_key = "pk",
    range_key = "sk",
    table = "other",
    gsi(name = "gsi1", hash_key = "gsi1pk", include = ["x"]),
    lsi(name = "lsi1", hash_key = "pk", range_key = "lsi1sk"),
    gsi(name = "gsi2", hash_key = "gsi2pk", projection = "some"),
    name = "again"
)]
struct App;

fn main() {}
