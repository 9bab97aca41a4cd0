use dynamo_model::DynamoModel;

#[derive(DynamoModel, serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Order {
    #[hash_key]
    customer_id: String,
    #[serde(rename = "customerId")]
    legacy_customer: String,
}

fn main() {}
