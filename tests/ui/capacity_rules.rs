use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
struct Order {
    #[hash_key]
    customer_id: String,
    #[gsi(name = "by_status", hash_key, read_capacity = 5)]
    status: String,
    #[gsi(name = "by_coupon", hash_key, write_capacity = 5)]
    coupon: String,
    #[gsi(name = "by_total", hash_key, read_capacity = 0, write_capacity = 1)]
    total: u64,
}

fn main() {}
