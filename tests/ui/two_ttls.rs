use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
struct Session {
    #[hash_key]
    id: String,
    #[ttl]
    expires_at: i64,
    #[ttl]
    deleted_at: i64,
}

fn main() {}
