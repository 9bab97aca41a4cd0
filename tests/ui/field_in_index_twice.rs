use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
struct Order {
    #[hash_key]
    customer_id: String,
    #[gsi(name = "by_status", hash_key)]
    #[gsi(name = "by_status", range_key)]
    status: String,
}

fn main() {}
