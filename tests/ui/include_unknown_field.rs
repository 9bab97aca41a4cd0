use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
struct Order {
    #[hash_key]
    customer_id: String,
    #[gsi(name = "by_status", hash_key, include = ["total", "totl", "total"])]
    status: String,
    total: f64,
}

#[derive(DynamoModel)]
struct Empty {
    #[hash_key]
    id: String,
    #[gsi(name = "by_status", hash_key, include = [])]
    status: String,
}

fn main() {}
