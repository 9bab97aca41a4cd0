use dynamo_model::DynamoModel;

#[derive(DynamoModel, serde::Serialize)]
struct Order {
    #[hash_key]
    id: String,
    #[gsi(name = "by_status", hash_key)]
    #[serde(rename = "ssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssss")]
    status: String,
}

fn main() {}
