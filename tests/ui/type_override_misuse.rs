use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
struct Order {
    #[hash_key]
    customer_id: String,
    #[dynamo(type = "N")]
    total: f64,
}

fn main() {}
