use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
#[dynamo(tabel = "orders")]
struct Order {
    #[hash_key]
    #[dynamo(typ = "S")]
    customer_id: String,
    #[range_key]
    order_id: u64,
    #[gsi(name = "by_status", hash_kye)]
    status: String,
    #[lsi(name = "by_created", projection = "keys_only", read_capacity = 5)]
    created_at: i64,
    #[gsi(name = "by_coupon", hash_key, projection = "everything")]
    coupon: String,
    #[gsi(name = "by_total", hash_key, sparse)]
    #[dynamo(type = "X")]
    total: u64,
}

fn main() {}
