//! Export on a real server: the CreateTable JSON, posted as it is to the
//! server's API (as `aws dynamodb create-table --cli-input-json` would send
//! it), creates a table whose description equals that of the table
//! `Table::create` makes from the model. The CloudFormation and Terraform
//! outputs name the same keys, attributes and indexes; with the export tools
//! (`DYNAMO_MODEL_EXPORT_TOOLS`, set by `.ci/run`) cfn-lint passes both
//! templates, moto's CloudFormation deploys them to the model's table, and
//! python-hcl2 parses the Terraform.

mod support;

use dynamo_model::{
    CreateTableOptions, Db, DynamoModel, DynamoTable, Format, StreamView, TableSchema,
};
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

/// A table definition several entity types share (single-table design).
#[derive(DynamoTable)]
#[dynamo(
    name = "exported_app",
    hash_key = "pk",
    range_key = "sk",
    gsi(name = "gsi1", hash_key = "gsi1pk", range_key = "gsi1sk"),
    lsi(name = "by_created", range_key = "created", projection = "keys_only"),
    ttl = "expires"
)]
struct App;

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
    let options = options()
        .tag("team", "payments")
        .point_in_time_recovery(true)
        .capacity_autoscaled(true);
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
    assert_eq!(
        p["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"],
        true
    );
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
        "point_in_time_recovery {\n    enabled = true\n  }",
        "lifecycle {\n    ignore_changes = [read_capacity, write_capacity]\n  }",
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
    let options = options()
        .tag("team", "payments")
        .point_in_time_recovery(true)
        .capacity_autoscaled(true);
    write_export_of(Order::schema(), &options, format, file)
}

fn write_export_of(
    schema: &TableSchema,
    options: &CreateTableOptions,
    format: Format,
    file: &str,
) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("exports");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(file);
    let text = schema.export(format, options).unwrap();
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
        cfn_lint(bin, &write_export(format, file));
    }
    let parsed = hcl2_json(&python, &write_export(Format::Terraform, "orders.tf"));
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
        "ignore_changes",
    ] {
        assert!(text.contains(expected), "{expected} missing from {text}");
    }
    let attributes = table["attribute"].as_array().map_or(0, Vec::len);
    assert_eq!(
        attributes, 5,
        "one attribute block per key attribute: {text}"
    );
}

/// The Terraform file as python-hcl2 parses it.
fn hcl2_json(python: &std::path::Path, path: &std::path::Path) -> serde_json::Value {
    let out = std::process::Command::new(python)
        .args([
            "-c",
            "import hcl2, json, sys; print(json.dumps(hcl2.load(open(sys.argv[1]))))",
        ])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn cfn_lint(bin: &std::path::Path, path: &std::path::Path) {
    let out = std::process::Command::new(bin.join("cfn-lint"))
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cfn-lint {}:\n{}{}",
        path.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A table definition's exports: the same keys, indexes and TTL, through
/// the same tools.
#[test]
fn a_table_definition_is_exported_like_a_model() {
    let cfn: serde_json::Value = serde_json::from_str(
        &App::schema()
            .export(Format::CloudFormationJson, &CreateTableOptions::new())
            .unwrap(),
    )
    .unwrap();
    let p = &cfn["Resources"]["ExportedAppTable"]["Properties"];
    assert_eq!(p["TableName"], "exported_app");
    assert_eq!(p["KeySchema"][0]["AttributeName"], "pk");
    assert_eq!(p["KeySchema"][1]["AttributeName"], "sk");
    assert_eq!(p["GlobalSecondaryIndexes"][0]["IndexName"], "gsi1");
    assert_eq!(p["LocalSecondaryIndexes"][0]["IndexName"], "by_created");
    assert_eq!(p["TimeToLiveSpecification"]["AttributeName"], "expires");
    let types: Vec<&str> = p["AttributeDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["AttributeType"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["S"; 5]);

    let Some(python) = export_tools() else {
        println!(
            "note: DYNAMO_MODEL_EXPORT_TOOLS is not set (`.ci/run` sets it); checked the exports' structure only instead"
        );
        return;
    };
    let bin = python.parent().unwrap();
    let app_options = CreateTableOptions::new().tag("team", "payments");
    for (format, file) in [
        (Format::CloudFormationJson, "app.template.json"),
        (Format::CloudFormationYaml, "app.template.yaml"),
    ] {
        cfn_lint(
            bin,
            &write_export_of(App::schema(), &app_options, format, file),
        );
    }
    let path = write_export_of(App::schema(), &app_options, Format::Terraform, "app.tf");
    let text = hcl2_json(&python, &path).to_string();
    for expected in [
        "exported_app",
        "pk",
        "sk",
        "gsi1",
        "gsi1sk",
        "by_created",
        "expires",
    ] {
        assert!(text.contains(expected), "{expected} missing from {text}");
    }
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

/// moto's server from the export tools' venv, killed when dropped.
struct MotoServer {
    child: std::process::Child,
    endpoint: String,
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_moto(python: &std::path::Path) -> MotoServer {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = std::process::Command::new(python.parent().unwrap().join("moto_server"))
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let server = MotoServer {
        child,
        endpoint: format!("http://127.0.0.1:{port}"),
    };
    let started = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "moto_server did not listen on {port}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    server
}

/// Creates a stack from the template file with boto3 (moto's dependency).
const DEPLOY: &str = r#"
import sys, boto3
cfn = boto3.client("cloudformation", endpoint_url=sys.argv[1], region_name="us-east-1",
                   aws_access_key_id="test", aws_secret_access_key="test")
cfn.create_stack(StackName="orders", TemplateBody=open(sys.argv[2]).read())
print(cfn.describe_stacks(StackName="orders")["Stacks"][0]["StackStatus"])
"#;

#[tokio::test(flavor = "multi_thread")]
async fn the_cloudformation_template_deployed_on_moto_yields_the_models_table() {
    let Some(python) = export_tools() else {
        println!(
            "note: DYNAMO_MODEL_EXPORT_TOOLS is not set (`.ci/run` sets it); checked the template's structure only instead"
        );
        return;
    };
    let moto = start_moto(&python);
    for (format, file) in [
        (Format::CloudFormationJson, "deploy.template.json"),
        (Format::CloudFormationYaml, "deploy.template.yaml"),
    ] {
        let path = write_export(format, file);
        let out = std::process::Command::new(&python)
            .args(["-c", DEPLOY, &moto.endpoint])
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "deploying {file}:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            "CREATE_COMPLETE"
        );

        let db = Db::local(moto.endpoint.clone());
        let deployed = db.table_named("exported_orders");
        let created = db.clone().with_table_prefix("created_").table::<Order>();
        created
            .create(options().tag("team", "payments").wait(true))
            .await
            .unwrap();
        assert_eq!(
            support::describe::normalized(&deployed.describe().await.unwrap()),
            support::describe::normalized(&created.describe().await.unwrap()),
            "{file}"
        );
        let ttl = db
            .client()
            .describe_time_to_live()
            .table_name("exported_orders")
            .send()
            .await
            .unwrap();
        let ttl = ttl.time_to_live_description().unwrap();
        if ttl.attribute_name().is_none() {
            // moto 5.2.5 builds the table from the other properties only.
            println!(
                "note: moto's CloudFormation lacks TimeToLiveSpecification; checked that the template carries it (cfn-lint checks its shape) instead"
            );
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(text.contains("TimeToLiveSpecification"), "{text}");
            assert!(text.contains("expiresAt"), "{text}");
        } else {
            assert_eq!(ttl.attribute_name(), Some("expiresAt"), "{file}");
        }
        let backups = db
            .client()
            .describe_continuous_backups()
            .table_name("exported_orders")
            .send()
            .await
            .unwrap();
        let pitr = backups
            .continuous_backups_description()
            .and_then(|d| d.point_in_time_recovery_description())
            .and_then(|p| p.point_in_time_recovery_status())
            .map(|s| s.as_str().to_owned());
        if pitr.as_deref() != Some("ENABLED") {
            println!(
                "note: moto's CloudFormation lacks PointInTimeRecoverySpecification; checked that the template carries it (cfn-lint checks its shape) instead"
            );
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(text.contains("PointInTimeRecoveryEnabled"), "{text}");
        }
        // The next format deploys into an empty server: deleting the
        // stack deletes its table.
        created
            .delete_table_and_wait(std::time::Duration::from_secs(30))
            .await
            .unwrap();
        let out = std::process::Command::new(&python)
            .args([
                "-c",
                "import sys, boto3; boto3.client('cloudformation', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test').delete_stack(StackName='orders')",
                &moto.endpoint,
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        deployed
            .wait_deleted(std::time::Duration::from_secs(30))
            .await
            .unwrap();
    }
}
