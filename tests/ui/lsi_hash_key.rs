use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
struct Order {
    #[hash_key]
    customer_id: String,
    #[range_key]
    order_id: u64,
    #[lsi(name = "by_status", hash_key)]
    status: String,
}

fn main() {}
