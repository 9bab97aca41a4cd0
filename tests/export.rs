//! Export on a real server: the CreateTable JSON, posted as it is to the
//! server's API (as `aws dynamodb create-table --cli-input-json` would send
//! it), creates a table whose description equals that of the table
//! `Table::create` makes from the model. The CloudFormation and Terraform
//! outputs name the same keys, attributes and indexes.

mod support;

use dynamo_model::{CreateTableOptions, Db, DynamoModel, Format, StreamView};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[derive(DynamoModel, Serialize, Deserialize)]
#[dynamo(table = "exported_orders")]
#[serde(rename_all = "camelCase")]
struct Order {
    #[hash_key]
    customer_id: String,
    #[range_key]
    order_id: u64,
    #[gsi(name = "by_status", hash_key)]
    status: String,
    #[gsi(name = "by_status", range_key)]
    #[lsi(name = "by_created", projection = "keys_only")]
    created_at: i64,
    #[gsi(name = "by_coupon", hash_key, include = ["total"])]
    #[serde(skip_serializing_if = "Option::is_none")]
    coupon: Option<String>,
    #[ttl]
    expires_at: Option<i64>,
    total: f64,
}

fn options() -> CreateTableOptions {
    CreateTableOptions::new()
        .provisioned(5, 4)
        .index_capacity("by_coupon", 2, 1)
        .stream(StreamView::NewAndOldImages)
}

/// POSTs a DynamoDB API request body to `endpoint` as the AWS CLI would
/// (the local servers do not check the signature).
async fn post(endpoint: &str, target: &str, body: &str) -> (u16, String) {
    let authority = endpoint.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = tokio::net::TcpStream::connect(authority).await.unwrap();
    let request = format!(
        "POST / HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/x-amz-json-1.0\r\n\
         X-Amz-Target: DynamoDB_20120810.{target}\r\nX-Amz-Date: 20261201T000000Z\r\n\
         Authorization: AWS4-HMAC-SHA256 Credential=test/20261201/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=0000000000000000000000000000000000000000000000000000000000000000\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, answer)
}

#[tokio::test]
async fn the_create_table_json_creates_the_table_the_model_creates() {
    let (scratch, db) = support::server::scratch_db().await;
    let json = Order::schema()
        .export(Format::CreateTableJson, &options())
        .unwrap();
    // Under this fixture's prefix, so that tests stay apart.
    let exported_name = db.table_name("exported_by_json");
    let mut body: serde_json::Value = serde_json::from_str(&json).unwrap();
    body["TableName"] = exported_name.clone().into();
    let (status, answer) = post(scratch.local.endpoint(), "CreateTable", &body.to_string()).await;
    assert_eq!(status, 200, "{answer}");
    let exported = db.table_named("exported_by_json");
    exported
        .wait_active(std::time::Duration::from_secs(60))
        .await
        .unwrap();

    let created = db.table::<Order>();
    let mut create = options().wait(true);
    if !support::backend::supports(support::backend::Feature::Ttl) {
        // TTL is not part of CreateTable, so the comparison is unchanged.
        create = create.enable_ttl(false);
        support::backend::lacks(
            support::backend::Feature::Ttl,
            "the table without turning TTL on (CreateTable carries no TTL)",
        );
    }
    created.create(create).await.unwrap();
    assert_eq!(
        support::describe::normalized(&exported.describe().await.unwrap()),
        support::describe::normalized(&created.describe().await.unwrap())
    );
    drop(scratch);
    let _: &Db = &db;
}

#[test]
fn cloudformation_and_terraform_name_the_same_keys_attributes_and_indexes() {
    let options = options().tag("team", "payments");
    let cfn: serde_json::Value = serde_json::from_str(
        &Order::schema()
            .export(Format::CloudFormationJson, &options)
            .unwrap(),
    )
    .unwrap();
    let table = &cfn["Resources"]["ExportedOrdersTable"];
    assert_eq!(table["Type"], "AWS::DynamoDB::Table");
    let p = &table["Properties"];
    assert_eq!(p["TableName"], "exported_orders");
    assert_eq!(p["BillingMode"], "PROVISIONED");
    assert_eq!(p["TimeToLiveSpecification"]["AttributeName"], "expiresAt");
    assert_eq!(
        p["StreamSpecification"]["StreamViewType"],
        "NEW_AND_OLD_IMAGES"
    );
    assert_eq!(p["Tags"][0]["Key"], "team");
    let gsis: Vec<&str> = p["GlobalSecondaryIndexes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["IndexName"].as_str().unwrap())
        .collect();
    assert_eq!(gsis, ["by_status", "by_coupon"]);
    assert_eq!(
        p["GlobalSecondaryIndexes"][1]["ProvisionedThroughput"]["ReadCapacityUnits"],
        2
    );
    assert_eq!(
        p["LocalSecondaryIndexes"][0]["Projection"]["ProjectionType"],
        "KEYS_ONLY"
    );

    let yaml = Order::schema()
        .export(Format::CloudFormationYaml, &options)
        .unwrap();
    assert!(yaml.contains("Type: \"AWS::DynamoDB::Table\""), "{yaml}");
    assert!(
        yaml.contains("      - AttributeName: \"customerId\""),
        "{yaml}"
    );

    let tf = Order::schema().export(Format::Terraform, &options).unwrap();
    for expected in [
        "resource \"aws_dynamodb_table\" \"exported_orders\" {",
        "hash_key     = \"customerId\"",
        "range_key    = \"orderId\"",
        "name = \"coupon\"\n    type = \"S\"",
        "name               = \"by_coupon\"",
        "non_key_attributes = [\"total\"]",
        "name               = \"by_created\"",
        "projection_type    = \"KEYS_ONLY\"",
        "attribute_name = \"expiresAt\"",
        "stream_view_type = \"NEW_AND_OLD_IMAGES\"",
        "\"team\" = \"payments\"",
    ] {
        assert!(tf.contains(expected), "missing {expected:?} in\n{tf}");
    }
}

/// The Python interpreter of a venv with cfn-lint and python-hcl2
/// (`scripts/python_venv.sh`, `EXPORT_TOOLS_PACKAGES`; `.ci/run` installs it).
fn export_tools() -> Option<std::path::PathBuf> {
    std::env::var_os("DYNAMO_MODEL_EXPORT_TOOLS").map(Into::into)
}

fn write_export(format: Format, file: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("exports");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(file);
    let text = Order::schema()
        .export(format, &options().tag("team", "payments"))
        .unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn the_exports_pass_the_tools_their_users_run() {
    let Some(python) = export_tools() else {
        println!(
            "note: DYNAMO_MODEL_EXPORT_TOOLS is not set (`.ci/run` sets it); checked the exports' structure only instead"
        );
        return;
    };
    let bin = python.parent().unwrap();
    for (format, file) in [
        (Format::CloudFormationJson, "orders.template.json"),
        (Format::CloudFormationYaml, "orders.template.yaml"),
    ] {
        let path = write_export(format, file);
        let out = std::process::Command::new(bin.join("cfn-lint"))
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "cfn-lint {file}:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let path = write_export(Format::Terraform, "orders.tf");
    let out = std::process::Command::new(&python)
        .args([
            "-c",
            "import hcl2, json, sys; print(json.dumps(hcl2.load(open(sys.argv[1]))))",
        ])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let parsed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // python-hcl2 8 keeps the quotes of block labels; older versions drop them.
    let get = |v: &serde_json::Value, key: &str| -> serde_json::Value {
        v.get(key)
            .or_else(|| v.get(format!("\"{key}\"")))
            .cloned()
            .unwrap_or_default()
    };
    let table = get(
        &get(&parsed["resource"][0], "aws_dynamodb_table"),
        "exported_orders",
    );
    let text = table.to_string();
    for expected in [
        "customerId",
        "orderId",
        "by_status",
        "by_coupon",
        "by_created",
        "expiresAt",
        "createdAt",
    ] {
        assert!(text.contains(expected), "{expected} missing from {text}");
    }
    let attributes = table["attribute"].as_array().map_or(0, Vec::len);
    assert_eq!(
        attributes, 5,
        "one attribute block per key attribute: {text}"
    );
}

#[test]
fn bad_options_are_refused_as_create_refuses_them() {
    let err = Order::schema()
        .export(
            Format::Terraform,
            &CreateTableOptions::new().index_capacity("by_nothing", 1, 1),
        )
        .unwrap_err();
    assert!(err.to_string().contains("by_nothing"), "{err}");
}
