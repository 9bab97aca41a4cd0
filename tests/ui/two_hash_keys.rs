use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
struct Order {
    #[hash_key]
    customer_id: String,
    #[hash_key]
    order_id: u64,
}

fn main() {}
