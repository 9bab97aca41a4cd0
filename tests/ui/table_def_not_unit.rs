use dynamo_model::DynamoTable;

#[derive(DynamoTable)]
#[dynamo(name = "app", hash_key = "pk")]
struct App {
    id: String,
}

fn main() {}
