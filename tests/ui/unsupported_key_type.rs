use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
struct BoolKey {
    #[hash_key]
    active: bool,
}

#[derive(DynamoModel)]
struct VecKey {
    #[hash_key]
    id: String,
    #[range_key]
    tags: Vec<String>,
}

struct Address {
    _city: String,
}

#[derive(DynamoModel)]
struct StructIndexKey {
    #[hash_key]
    id: String,
    #[gsi(name = "by_address", hash_key)]
    address: Address,
}

fn main() {}
