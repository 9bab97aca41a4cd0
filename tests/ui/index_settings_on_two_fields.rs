use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
struct Order {
    #[hash_key]
    customer_id: String,
    #[gsi(name = "by_status", hash_key, projection = "keys_only")]
    status: String,
    #[gsi(name = "by_status", range_key, read_capacity = 5, write_capacity = 5)]
    created_at: i64,
}

fn main() {}
