use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
struct Envelope<'a, T, const N: usize> {
    #[hash_key]
    id: &'a str,
    payload: [T; N],
}

fn main() {}
