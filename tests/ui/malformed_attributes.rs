use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
#[hash_key]
struct Order {
    #[hash_key(composite)]
    customer_id: String,
    #[gsi]
    status: String,
    #[gsi(hash_key)]
    coupon: String,
    #[gsi(name = "by_total")]
    total: u64,
    #[gsi(name = "by_items", hash_key, include = "total")]
    items: u64,
}

fn main() {}
