use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
struct Order {
    #[hash_key]
    customer_id: String,
    #[range_key]
    order_id: u64,
    #[range_key]
    created_at: i64,
}

fn main() {}
