use dynamo_model::DynamoModel;

#[derive(DynamoModel, serde::Serialize)]
struct Order {
    #[hash_key]
    #[serde(skip)]
    customer_id: String,
    #[gsi(name = "by_status", hash_key)]
    #[serde(skip_serializing)]
    status: String,
    #[range_key]
    #[serde(flatten)]
    order: OrderKey,
}

#[derive(serde::Serialize)]
struct OrderKey {
    id: u64,
}

fn main() {}
