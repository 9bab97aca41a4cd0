use dynamo_model::DynamoModel;

#[derive(DynamoModel, serde::Serialize)]
struct Order {
    #[hash_key]
    id: String,
    #[gsi(name = "by_coupon", hash_key)]
    coupon: Option<String>,
    // Fine: `None` is left out of the item.
    #[gsi(name = "by_referrer", hash_key)]
    #[serde(skip_serializing_if = "Option::is_none")]
    referrer: Option<String>,
}

fn main() {}
