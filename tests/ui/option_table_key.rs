use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
struct Order {
    #[hash_key]
    customer_id: String,
    #[range_key]
    order_id: Option<u64>,
}

fn main() {}
