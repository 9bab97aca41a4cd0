use dynamo_model::DynamoTable;

#[derive(DynamoTable)]
#[dynamo(name = "app", range_key = "sk")]
struct App;

fn main() {}
