use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
#[dynamo(table = "my orders")]
struct Order {
    #[hash_key]
    id: String,
}

#[derive(DynamoModel)]
#[dynamo(table = "ab")]
struct Item {
    #[hash_key]
    id: String,
}

// The default name, "ox", is too short.
#[derive(DynamoModel)]
struct Ox {
    #[hash_key]
    id: String,
}

fn main() {}
