use dynamo_model::DynamoModel;

#[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
struct Order {
    #[hash_key]
    #[serde(rename(serialize = "customerId", deserialize = "customer"))]
    customer_id: String,
}

fn main() {}
