use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
#[dynamo(table = "orders", table = "orders_v2")]
struct Order {
    #[hash_key]
    #[hash_key]
    customer_id: String,
    #[gsi(name = "by_status", name = "by_state", hash_key, hash_key)]
    status: String,
    #[gsi(name = "by_total", hash_key, range_key)]
    total: u64,
}

fn main() {}
