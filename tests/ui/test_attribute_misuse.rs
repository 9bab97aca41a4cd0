use dynamo_model::Db;

#[dynamo_model::test(models(User))]
fn not_async(_db: Db) {}

#[dynamo_model::test(model(User))]
async fn misspelled_argument(_db: Db) {}

#[dynamo_model::test]
async fn two_arguments(_db: Db, _other: Db) {}

fn main() {}
