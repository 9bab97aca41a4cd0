//! The command line, as clap parses it.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// `upgrade --page-size`'s default (the library's, which fits in a u32).
const UPGRADE_PAGE_SIZE: u32 = crate::DEFAULT_UPGRADE_PAGE_SIZE as u32;

/// Keep the models' DynamoDB tables in step with the models: plan, apply,
/// export, lock, check, create, delete, list.
#[derive(Debug, Parser)]
#[command(
    long_about = None,
    after_help = "Exit codes: 0 success; 1 error; 2 drift (`plan --exit-code`, `check`); \
                  3 not everything applied (destructive changes held back, or a change that \
                  needs a new table); 64 bad usage."
)]
pub(crate) struct Args {
    /// A local DynamoDB endpoint (DynamoDB Local, dynoxide, moto), used with
    /// dummy credentials. Without it the AWS SDK's configuration applies
    /// (credentials chain, AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB).
    #[arg(long, global = true, env = "DYNAMODB_ENDPOINT")]
    pub(crate) endpoint: Option<String>,

    /// The AWS region (default: the SDK's configuration).
    #[arg(long, global = true)]
    pub(crate) region: Option<String>,

    /// A prefix put before every table name (e.g. an environment's `dev_`).
    #[arg(long, global = true, env = "DYNAMO_MODEL_TABLE_PREFIX")]
    pub(crate) table_prefix: Option<String>,

    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Show what each live table needs to match its model (read-only).
    Plan {
        /// The tables (model table names); default: every model's.
        tables: Vec<String>,
        /// Exit with 2 when any table differs from its model.
        #[arg(long)]
        exit_code: bool,
        /// Print the plans as JSON (one array) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Make the changes the plan lists, after a confirmation.
    Apply {
        /// The tables; default: every model's.
        tables: Vec<String>,
        /// Also make destructive changes (dropping a GSI, turning TTL, a
        /// stream or PITR off, removing tags, turning deletion protection off).
        #[arg(long)]
        allow_destructive: bool,
        /// Do not ask for confirmation.
        #[arg(long, short = 'y')]
        yes: bool,
        /// How long each wait for ACTIVE may last, in seconds.
        #[arg(long, default_value_t = 1800)]
        wait_timeout: u64,
    },
    /// Write the tables as CreateTable JSON, CloudFormation or Terraform.
    Export {
        /// The tables; default: every model's.
        tables: Vec<String>,
        /// The format.
        #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
        format: ExportFormat,
        /// A file (one table) or a directory (one file per table); default: stdout.
        #[arg(long, short = 'o')]
        output: Option<PathBuf>,
    },
    /// Write the schema lock of every model.
    Lock {
        /// The lock file.
        #[arg(long, default_value = "dynamo-schema.lock.json")]
        file: PathBuf,
    },
    /// Check the models against the schema lock (exit 2 when they differ).
    Check {
        /// The lock file.
        #[arg(long, default_value = "dynamo-schema.lock.json")]
        file: PathBuf,
    },
    /// Create the tables that do not exist yet, and wait until ACTIVE.
    Create {
        /// The tables; default: every model's.
        tables: Vec<String>,
    },
    /// Delete tables, named one by one (or `--all`), after a confirmation.
    Delete {
        /// The tables to delete.
        tables: Vec<String>,
        /// Every model's table.
        #[arg(long)]
        all: bool,
        /// Do not ask for confirmation.
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// List the models' tables and their status.
    List,
    /// Rewrite every item stored at an older shape at its model's newest
    /// (the models with `#[dynamo(shape = N, ..)]`), with a progress display.
    Upgrade {
        /// The tables; default: every model's with shapes.
        tables: Vec<String>,
        /// Count the items per shape, and rewrite none.
        #[arg(long)]
        dry_run: bool,
        /// Parallel scan segments.
        #[arg(long, default_value_t = 4)]
        segments: u32,
        /// Rewrites in flight at once, over all segments.
        #[arg(long, default_value_t = crate::DEFAULT_UPGRADE_WRITES_IN_FLIGHT)]
        writes_in_flight: usize,
        /// Items scanned a page per segment: a checkpoint comes after each
        /// page, so a stop loses at most a page of work per segment.
        #[arg(long, default_value_t = UPGRADE_PAGE_SIZE, value_parser = clap::value_parser!(u32).range(1..))]
        page_size: u32,
        /// At most this many read units and write units a second.
        #[arg(long)]
        units_per_second: Option<f64>,
        /// At most this share (0 to 1) of a provisioned table's capacity.
        #[arg(long, conflicts_with = "units_per_second")]
        capacity_fraction: Option<f64>,
        /// A file the checkpoints are saved in (replaced whole, at most
        /// every second and at the end), and resumed from when it exists
        /// (deleted once every table is done). One file per table prefix:
        /// a checkpoint of another table is refused.
        #[arg(long)]
        checkpoint: Option<PathBuf>,
    },
}

/// The formats of `export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ExportFormat {
    /// The CreateTable request (`aws dynamodb create-table --cli-input-json`).
    Json,
    /// A CloudFormation template (JSON).
    Cloudformation,
    /// A CloudFormation template (YAML).
    CloudformationYaml,
    /// A Terraform `aws_dynamodb_table` resource.
    Terraform,
}

impl ExportFormat {
    pub(crate) fn format(self) -> crate::Format {
        match self {
            ExportFormat::Json => crate::Format::CreateTableJson,
            ExportFormat::Cloudformation => crate::Format::CloudFormationJson,
            ExportFormat::CloudformationYaml => crate::Format::CloudFormationYaml,
            ExportFormat::Terraform => crate::Format::Terraform,
        }
    }

    pub(crate) fn extension(self) -> &'static str {
        match self {
            ExportFormat::Json => "json",
            ExportFormat::Cloudformation => "template.json",
            ExportFormat::CloudformationYaml => "template.yaml",
            ExportFormat::Terraform => "tf",
        }
    }
}
