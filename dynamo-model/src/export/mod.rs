//! Export: the model's table (with its options) in the formats production
//! tables are made with: the CreateTable request JSON (for
//! `aws dynamodb create-table --cli-input-json`), an `AWS::DynamoDB::Table`
//! CloudFormation resource (JSON or YAML), and a Terraform
//! `aws_dynamodb_table` resource. Every format is written from the very
//! CreateTable request `Table::create` sends, so an export cannot drift from
//! what the library creates.

mod cloudformation;
mod create_table;
mod order;
mod terraform;
mod yaml;

use aws_sdk_dynamodb::operation::create_table::builders::CreateTableInputBuilder;

use crate::error::Result;
use crate::{CreateTableOptions, TableSchema};

/// An export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The CreateTable request, as `aws dynamodb create-table
    /// --cli-input-json file://table.json` takes it.
    CreateTableJson,
    /// A CloudFormation template with one `AWS::DynamoDB::Table`, in JSON.
    CloudFormationJson,
    /// The same template in YAML.
    CloudFormationYaml,
    /// A Terraform `aws_dynamodb_table` resource (HCL).
    Terraform,
}

/// What every format is written from: the CreateTable request and the
/// settings that are not part of it (TTL, point-in-time recovery).
pub(crate) struct Spec {
    pub(crate) request: CreateTableInputBuilder,
    pub(crate) ttl_attribute: Option<String>,
    pub(crate) point_in_time_recovery: bool,
    /// Auto scaling owns the provisioned units (`capacity_autoscaled`).
    pub(crate) capacity_autoscaled: bool,
}

impl TableSchema {
    /// The table of this schema, with `options`, in `format`. The options are
    /// checked as [`Table::create`](crate::Table::create) checks them.
    ///
    /// ```
    /// use dynamo_model::{CreateTableOptions, DynamoModel, Format};
    ///
    /// #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
    /// #[dynamo(table = "orders")]
    /// struct Order {
    ///     #[hash_key]
    ///     customer: String,
    ///     #[range_key]
    ///     id: u64,
    ///     #[ttl]
    ///     expires_at: i64,
    /// }
    ///
    /// let options = CreateTableOptions::new().tag("team", "payments");
    /// let json = Order::schema().export(Format::CreateTableJson, &options)?;
    /// assert!(json.contains(r#""TableName": "orders""#));
    /// let terraform = Order::schema().export(Format::Terraform, &options)?;
    /// assert!(terraform.contains(r#"resource "aws_dynamodb_table" "orders""#));
    /// assert!(terraform.contains(r#"attribute_name = "expires_at""#));
    /// # Ok::<(), dynamo_model::Error>(())
    /// ```
    pub fn export(&self, format: Format, options: &CreateTableOptions) -> Result<String> {
        let name = self.table_name();
        self.validate()?;
        crate::table::validate::create_options(name, self, options)?;
        let client = crate::Db::local("http://127.0.0.1:9").client().clone();
        let request = crate::table::request::create_table(&client, name, self, options)?
            .as_input()
            .clone();
        let spec = Spec {
            request,
            ttl_attribute: self
                .ttl_attribute()
                .filter(|_| options.enable_ttl)
                .map(str::to_owned),
            point_in_time_recovery: options.point_in_time_recovery,
            capacity_autoscaled: options.capacity_autoscaled,
        };
        Ok(match format {
            Format::CreateTableJson => pretty(&create_table::json(&spec)),
            Format::CloudFormationJson => pretty(&cloudformation::template(&spec)),
            Format::CloudFormationYaml => yaml::to_yaml(&cloudformation::template(&spec)),
            Format::Terraform => terraform::resource(&spec),
        })
    }
}

fn pretty(value: &serde_json::Value) -> String {
    let mut text = serde_json::to_string_pretty(&order::InOrder(value))
        .expect("a JSON value always serializes");
    text.push('\n');
    text
}
