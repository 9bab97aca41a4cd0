use dynamo_model::{Db, DynamoModel};

#[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
struct Order {
    #[hash_key]
    id: String,
    status: String,
    total: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    coupon: Option<String>,
    #[version]
    version: u64,
    #[serde(with = "serde_bytes_like")]
    blob: Vec<u8>,
}

mod serde_bytes_like {
    pub fn serialize<S: serde::Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(v)
    }
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        serde::Deserialize::deserialize(d)
    }
}

#[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
struct User {
    #[hash_key]
    id: String,
    name: String,
}

fn main() {
    let db = Db::local("http://127.0.0.1:8000");
    let orders = db.table::<Order>();
    let f = Order::fields();

    // A misspelled field.
    let _ = orders.update("o1").set(f.statuss, "shipped");
    // A value of the wrong type.
    let _ = orders.update("o1").set(f.total, "lots");
    // Setting a table key.
    let _ = orders.update("o1").set(f.id, "o2");
    // Setting the version by hand.
    let _ = orders.update("o1").set(f.version, 7_u64);
    // `remove` on a field that is not an `Option`.
    let _ = orders.update("o1").remove(f.status);
    // `add` on a field that is neither a number nor a set.
    let _ = orders.update("o1").add(f.status, "x");
    // A condition with a value of the wrong type.
    let _ = f.total.gt("a hundred");
    // `begins_with` on a number.
    let _ = f.total.begins_with(1.0);
    // A typed value for a `serde(with)` field.
    let _ = f.blob.eq(vec![1_u8]);
    // A field of another model.
    let _ = orders.update("o1").set(User::fields().name, "Ada");
}
