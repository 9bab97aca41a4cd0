use dynamo_model::DynamoModel;

// On a table key it can leave the key out of an item: refused.
#[derive(DynamoModel, serde::Serialize)]
struct Session {
    #[hash_key]
    #[serde(skip_serializing_if = "String::is_empty")]
    id: String,
    // On an index key it writes a sparse index: fine.
    #[gsi(name = "by_user", hash_key)]
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<String>,
}

fn main() {}
