use dynamo_model::DynamoTable;

#[derive(DynamoTable)]
#[dynamo(
    name = "app",
    hash_key = "pk",
    gsi(name = "gsi1", range_key = "gsi1sk"),
    lsi(name = "by_created", range_key = "created"),
    gsi(name = "gsi2", hash_key = "a"),
    gsi(name = "gsi2", hash_key = "b"),
    gsi(hash_key = "c")
)]
struct App;

fn main() {}
