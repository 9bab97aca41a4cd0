//! A collection reads items by their entity attribute, so it cannot also
//! derive `Deserialize`: rustc's E0119 names the conflicting `ReadItem`
//! (a `Serialize` collection's put is refused at run time).
use dynamo_model::{DynamoCollection, DynamoModel, DynamoTable};

#[derive(DynamoTable)]
#[dynamo(name = "app", hash_key = "pk", range_key = "sk")]
struct App;

#[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
#[dynamo(table = App, entity = "user", pk = "USER#{id}", sk = "PROFILE")]
struct User {
    id: String,
}

#[derive(DynamoCollection, serde::Deserialize)]
enum View {
    User(User),
}

fn main() {}
