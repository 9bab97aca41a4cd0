use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
struct Order {
    #[hash_key]
    #[range_key]
    id: String,
}

fn main() {}
