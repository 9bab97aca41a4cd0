use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
struct Session {
    #[hash_key]
    id: String,
    #[ttl]
    #[dynamo(type = "S")]
    expires_at: String,
}

fn main() {}
