//! A command line for the user's own binary (feature `cli`): the models are
//! listed once, and `plan`, `apply`, `export`, `lock`, `check`, `create`,
//! `delete`, `list` and `upgrade` come with them.
//!
//! ```no_run
//! // src/bin/tables.rs
//! use dynamo_model::{CreateTableOptions, DynamoModel, StreamView};
//!
//! #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
//! #[dynamo(table = "users")]
//! struct User {
//!     #[hash_key]
//!     id: String,
//! }
//!
//! fn main() -> std::process::ExitCode {
//!     dynamo_model::cli::Cli::new()
//!         .model::<User>(CreateTableOptions::new().stream(StreamView::NewImage))
//!         .run()
//! }
//! ```
//!
//! `cargo run --bin tables -- plan --exit-code` then exits with 2 when a
//! table drifted from its model; `apply` shows the plan, asks, and carries it
//! out with a progress display; `check` fails a CI job when a model's schema
//! differs from the committed lock. See `tables --help` for every command,
//! and [`EXIT_DRIFT`] and its neighbours for the exit codes.

mod args;
mod commands;
mod progress;
mod upgrade;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;

use crate::{CreateTableOptions, DynamoModel, TableSchema};

/// Success.
pub const EXIT_OK: u8 = 0;
/// An error: a request failed, a bad argument, a declined confirmation.
pub const EXIT_ERROR: u8 = 1;
/// Drift: `plan --exit-code` found a table that differs from its model, or
/// `check` found a model that differs from the lock.
pub const EXIT_DRIFT: u8 = 2;
/// `apply` did not make every change: destructive ones were held back
/// (no `--allow-destructive`), or one needs a new table.
pub const EXIT_INCOMPLETE: u8 = 3;
/// The command line itself was wrong (an unknown command, flag or table).
pub const EXIT_USAGE: u8 = 64;

/// The `setting` of the errors that are the command line's fault.
const USAGE: &str = "command line";

/// Whether the library refused a value the command line gave it: the
/// command line is wrong, not the tables (exit 64, as for a flag clap
/// refuses). The rules stay the library's; here only their names.
fn is_usage(err: &crate::Error) -> bool {
    match err {
        crate::Error::InvalidSetting { setting, .. } => *setting == USAGE,
        // `--endpoint` (or DYNAMODB_ENDPOINT) that is not a URL.
        crate::Error::EndpointRefused { .. } => true,
        // The upgrade's flags, as its builder names them.
        crate::Error::InvalidInput { option, .. } => matches!(
            *option,
            "segments" | "writes_in_flight" | "page_size" | "rate_limit" | "concurrency"
        ),
        _ => false,
    }
}

/// One model the command line manages: its schema and the options its table
/// is created (and planned) with.
struct Entry {
    schema: &'static TableSchema,
    options: CreateTableOptions,
    /// The model's item shapes and entity, for `upgrade`.
    shapes: Option<crate::Shapes>,
    entity: fn() -> Option<crate::Result<&'static crate::EntitySchema>>,
    /// How its items are stored, for `lock` and `check` (none for a
    /// collection, which stores nothing of its own).
    layout: Option<crate::ItemLayout>,
}

/// The command line of a binary that manages these models' tables.
///
/// ```
/// use dynamo_model::cli::{Cli, EXIT_OK};
/// use dynamo_model::{CreateTableOptions, DynamoModel};
///
/// #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
/// struct User {
///     #[hash_key]
///     id: String,
/// }
///
/// let code = Cli::new()
///     .model::<User>(CreateTableOptions::new())
///     .run_with(["tables", "export", "--format", "terraform"]);
/// assert_eq!(code, EXIT_OK);
/// ```
#[derive(Default)]
#[must_use = "call `run` to parse the command line and act on it"]
pub struct Cli {
    models: Vec<Entry>,
}

impl Cli {
    /// No models yet.
    ///
    /// ```
    /// let cli = dynamo_model::cli::Cli::new();
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds model `M`, whose table is created, planned and exported with
    /// `options` (billing, stream, tags, ...; their `wait` settings are the
    /// command's own).
    ///
    /// ```
    /// # use dynamo_model::{CreateTableOptions, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
    /// # struct User { #[hash_key] id: String }
    /// let cli = dynamo_model::cli::Cli::new().model::<User>(CreateTableOptions::new().tag("team", "a"));
    /// ```
    pub fn model<M: DynamoModel>(mut self, options: CreateTableOptions) -> Self {
        self.models.push(Entry {
            schema: M::schema(),
            options,
            shapes: M::SHAPES,
            entity: M::entity,
            layout: M::collection_entities()
                .is_none()
                .then(crate::ItemLayout::of::<M>),
        });
        self
    }

    /// Parses the process's arguments and runs the command.
    ///
    /// ```no_run
    /// # use dynamo_model::{CreateTableOptions, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
    /// # struct User { #[hash_key] id: String }
    /// fn main() -> std::process::ExitCode {
    ///     dynamo_model::cli::Cli::new().model::<User>(CreateTableOptions::new()).run()
    /// }
    /// ```
    pub fn run(self) -> ExitCode {
        ExitCode::from(self.run_with(std::env::args_os()))
    }

    /// Runs the command these arguments (the program name first) give, and
    /// returns its exit code.
    ///
    /// ```
    /// # use dynamo_model::{CreateTableOptions, DynamoModel};
    /// # #[derive(DynamoModel, serde::Serialize, serde::Deserialize)]
    /// # struct User { #[hash_key] id: String }
    /// use dynamo_model::cli::{Cli, EXIT_USAGE};
    /// let cli = Cli::new().model::<User>(CreateTableOptions::new());
    /// assert_eq!(cli.run_with(["tables", "no-such-command"]), EXIT_USAGE);
    /// ```
    pub fn run_with<I, T>(self, args: I) -> u8
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        let args = match args::Args::try_parse_from(args) {
            Ok(args) => args,
            Err(err) => {
                let _ = err.print();
                return if err.use_stderr() {
                    EXIT_USAGE
                } else {
                    EXIT_OK
                };
            }
        };
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime,
            Err(err) => {
                eprintln!("error: cannot start the async runtime: {err}");
                return EXIT_ERROR;
            }
        };
        match runtime.block_on(commands::run(&self, args)) {
            Ok(code) => code,
            // A table no model has, or `delete` without names: the command
            // line is wrong, not the tables.
            Err(err) if is_usage(&err) => {
                eprintln!("error: {err}");
                EXIT_USAGE
            }
            Err(err) => {
                eprintln!("error: {err}");
                EXIT_ERROR
            }
        }
    }

    /// The entries these table names pick (every one when none is named).
    fn select(&self, names: &[String]) -> crate::Result<Vec<&Entry>> {
        if names.is_empty() {
            return Ok(self.models.iter().collect());
        }
        names
            .iter()
            .map(|name| {
                self.models
                    .iter()
                    .find(|e| e.schema.table_name() == name)
                    .ok_or_else(|| crate::Error::InvalidSetting {
                        setting: USAGE,
                        reason: format!(
                            "no model has the table `{name}`; the models' tables are: {}",
                            self.models
                                .iter()
                                .map(|e| e.schema.table_name())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    })
            })
            .collect()
    }
}
