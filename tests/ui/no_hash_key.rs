use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
struct Order {
    #[range_key]
    order_id: u64,
    total: f64,
}

fn main() {
    // The derive still implements the trait, so this adds no error.
    let _ = Order::schema();
}
