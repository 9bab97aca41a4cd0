//! The command line a project gets for its models' tables (feature `cli`):
//! the models are listed once, in one call.
//!
//! ```text
//! cargo run --example tables -- --help
//! cargo run --example tables -- export --format terraform
//! cargo run --example tables -- lock && cargo run --example tables -- check
//! cargo run --example tables -- --endpoint http://127.0.0.1:8000 plan --exit-code
//! cargo run --example tables -- --endpoint http://127.0.0.1:8000 apply --yes
//! ```
//!
//! In a project of your own this file is `src/bin/tables.rs`.

use dynamo_model::{CreateTableOptions, DynamoModel, StreamView};
use serde::{Deserialize, Serialize};

#[derive(DynamoModel, Serialize, Deserialize)]
#[dynamo(table = "users")]
struct User {
    #[hash_key]
    id: String,
    #[gsi(name = "by_email", hash_key)]
    email: String,
    name: String,
}

#[derive(DynamoModel, Serialize, Deserialize)]
#[dynamo(table = "orders")]
#[serde(rename_all = "camelCase")]
struct Order {
    #[hash_key]
    customer_id: String,
    #[range_key]
    order_id: u64,
    #[gsi(name = "by_status", hash_key, include = ["total"])]
    status: String,
    total: f64,
    #[ttl]
    expires_at: Option<i64>,
}

fn main() -> std::process::ExitCode {
    dynamo_model::cli::Cli::new()
        .model::<User>(CreateTableOptions::new())
        .model::<Order>(CreateTableOptions::new().stream(StreamView::NewAndOldImages))
        .run()
}
