//! What the runtime benchmarks print about the server they ran against.

use dynamo_model::testing::LocalDynamoDb;

/// The backend, as a table's heading names it.
pub fn backend_label(local: &LocalDynamoDb) -> String {
    if local.is_embedded() {
        "embedded (dynoxide)".to_owned()
    } else {
        std::env::var("DYNAMO_MODEL_BACKEND").unwrap_or_else(|_| local.endpoint().to_owned())
    }
}
