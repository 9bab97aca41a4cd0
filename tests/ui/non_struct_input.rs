use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
enum Status {
    Open,
    Closed,
}

#[derive(DynamoModel)]
struct OrderId(String);

#[derive(DynamoModel)]
struct Marker;

fn main() {}
