use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
struct Event {
    #[hash_key]
    id: String,
    #[gsi(name = "by_everything", hash_key)]
    h1: String,
    #[gsi(name = "by_everything", hash_key)]
    h2: String,
    #[gsi(name = "by_everything", hash_key)]
    h3: String,
    #[gsi(name = "by_everything", hash_key)]
    h4: String,
    #[gsi(name = "by_everything", hash_key)]
    h5: String,
    #[gsi(name = "by_everything", range_key)]
    r1: u64,
    #[gsi(name = "by_everything", range_key)]
    r2: u64,
    #[gsi(name = "by_everything", range_key)]
    r3: u64,
    #[gsi(name = "by_everything", range_key)]
    r4: u64,
    #[gsi(name = "by_everything", range_key)]
    r5: u64,
}

fn main() {}
