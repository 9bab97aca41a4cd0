// Every error of a struct is reported in one compile, not just the first.
use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
#[dynamo(table = "x")]
struct Order {
    #[range_key]
    order_id: Option<u64>,
    #[gsi(name = "by_status", range_key, projecton = "all")]
    status: String,
    #[lsi(name = "by_status")]
    created_at: i64,
    #[ttl]
    #[ttl]
    expires_at: i64,
}

fn main() {
    // The derive still implements the trait, so this adds no error.
    let _ = Order::schema();
}
