use dynamo_model::DynamoModel;

#[derive(DynamoModel, serde::Serialize)]
struct TwoVersions {
    #[hash_key]
    id: String,
    #[version]
    version: u64,
    #[version]
    revision: u64,
}

#[derive(DynamoModel, serde::Serialize)]
struct KeyVersion {
    #[hash_key]
    #[version]
    id: u64,
}

#[derive(DynamoModel, serde::Serialize)]
struct TextVersion {
    #[hash_key]
    id: String,
    #[version]
    version: String,
}

fn main() {}
