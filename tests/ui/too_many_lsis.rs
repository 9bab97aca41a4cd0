use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
struct Order {
    #[hash_key]
    customer_id: String,
    #[range_key]
    order_id: u64,
    #[lsi(name = "lsi_1")]
    a: u64,
    #[lsi(name = "lsi_2")]
    b: u64,
    #[lsi(name = "lsi_3")]
    c: u64,
    #[lsi(name = "lsi_4")]
    d: u64,
    #[lsi(name = "lsi_5")]
    e: u64,
    #[lsi(name = "lsi_6")]
    f: u64,
}

fn main() {}
