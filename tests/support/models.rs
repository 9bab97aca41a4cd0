//! Models that several test files use, defined once.

use dynamo_model::DynamoModel;
use serde::{Deserialize, Serialize};

/// A user with a GSI on its email.
#[derive(DynamoModel, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[dynamo(table = "users")]
pub struct User {
    #[hash_key]
    pub id: String,
    #[gsi(name = "by_email", hash_key)]
    pub email: String,
}

/// An order: a table range key and an LSI.
#[derive(DynamoModel, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[dynamo(table = "orders")]
pub struct Order {
    #[hash_key]
    pub customer: String,
    #[range_key]
    pub id: u64,
    #[lsi(name = "by_total")]
    pub total: u64,
}

/// An account with a GSI on its email.
#[derive(DynamoModel, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[dynamo(table = "accounts")]
pub struct Account {
    #[hash_key]
    pub id: String,
    #[gsi(name = "by_email", hash_key)]
    pub email: String,
}

/// The smallest model: a hash key and nothing else.
#[derive(DynamoModel, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[dynamo(table = "sessions")]
pub struct Session {
    #[hash_key]
    pub token: String,
}
