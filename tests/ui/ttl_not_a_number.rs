use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
struct Session {
    #[hash_key]
    id: String,
    #[ttl]
    expires_at: String,
}

fn main() {}
