use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
struct Order {
    #[hash_key]
    customer_id: String,
    #[gsi(name = "by/status", hash_key)]
    status: String,
    #[gsi(name = "ix", hash_key)]
    coupon: String,
}

fn main() {}
