use dynamo_model::DynamoModel;

#[derive(DynamoModel, serde::Serialize)]
struct Order {
    #[hash_key]
    id: String,
    #[range_key]
    created: u64,
    #[gsi(name = "by_status", hash_key, include = ["id", "status", "created", "total"])]
    status: String,
    total: f64,
}

fn main() {}
