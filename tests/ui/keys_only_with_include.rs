use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
struct Order {
    #[hash_key]
    customer_id: String,
    #[gsi(name = "by_status", hash_key, projection = "keys_only", include = ["total"])]
    status: String,
    total: f64,
}

fn main() {}
