use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
struct Order {
    #[hash_key]
    customer_id: String,
    #[range_key]
    order_id: u64,
    #[gsi(name = "by_date", hash_key)]
    status: String,
    #[lsi(name = "by_date")]
    created_at: i64,
}

fn main() {}
