use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
struct Order {
    #[hash_key]
    customer_id: String,
    #[gsi(name = "by_status", hash_key, read_capacity = 99999999999999999999999, write_capacity = 5)]
    status: String,
}

fn main() {}
