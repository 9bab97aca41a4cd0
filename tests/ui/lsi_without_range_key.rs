use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
struct User {
    #[hash_key]
    id: String,
    #[lsi(name = "by_created")]
    created_at: i64,
}

fn main() {}
