use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
struct Wide {
    #[hash_key]
    id: String,
    #[gsi(name = "gsi_1", hash_key)]
    f1: u64,
    #[gsi(name = "gsi_2", hash_key)]
    f2: u64,
    #[gsi(name = "gsi_3", hash_key)]
    f3: u64,
    #[gsi(name = "gsi_4", hash_key)]
    f4: u64,
    #[gsi(name = "gsi_5", hash_key)]
    f5: u64,
    #[gsi(name = "gsi_6", hash_key)]
    f6: u64,
    #[gsi(name = "gsi_7", hash_key)]
    f7: u64,
    #[gsi(name = "gsi_8", hash_key)]
    f8: u64,
    #[gsi(name = "gsi_9", hash_key)]
    f9: u64,
    #[gsi(name = "gsi_10", hash_key)]
    f10: u64,
    #[gsi(name = "gsi_11", hash_key)]
    f11: u64,
    #[gsi(name = "gsi_12", hash_key)]
    f12: u64,
    #[gsi(name = "gsi_13", hash_key)]
    f13: u64,
    #[gsi(name = "gsi_14", hash_key)]
    f14: u64,
    #[gsi(name = "gsi_15", hash_key)]
    f15: u64,
    #[gsi(name = "gsi_16", hash_key)]
    f16: u64,
    #[gsi(name = "gsi_17", hash_key)]
    f17: u64,
    #[gsi(name = "gsi_18", hash_key)]
    f18: u64,
    #[gsi(name = "gsi_19", hash_key)]
    f19: u64,
    #[gsi(name = "gsi_20", hash_key)]
    f20: u64,
    #[gsi(name = "gsi_21", hash_key)]
    f21: u64,
}

fn main() {}
