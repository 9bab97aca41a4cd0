//! The commands: each reads the selected models' tables through the same
//! `Table` calls a program would make, prints for a person on stdout
//! (progress on stderr), and returns its exit code.

use std::io::{BufRead, Write};
use std::path::Path;
use std::time::Duration;

use aws_sdk_dynamodb::config::Region;

use super::args::{Args, Command, ExportFormat};
use super::{progress, Cli, Entry, EXIT_DRIFT, EXIT_ERROR, EXIT_INCOMPLETE, EXIT_OK};
use crate::error::{Error, Result};
use crate::plan::Plan;
use crate::{Db, SchemaLock, TableSchema};

pub(super) async fn run(cli: &Cli, args: Args) -> Result<u8> {
    if cli.models.is_empty() {
        return Err(Error::InvalidSetting {
            setting: "models",
            reason: "the command line was given no models (`Cli::new().model::<M>(options)`)"
                .into(),
        });
    }
    match args.command {
        Command::Lock { file } => return lock(cli, &file),
        Command::Check { file } => return check(cli, &file),
        Command::Export {
            tables,
            format,
            output,
        } => return export(cli, &tables, format, output.as_deref()),
        _ => {}
    }
    let db = connect(&args).await;
    match args.command {
        Command::Plan {
            tables,
            exit_code,
            json,
        } => plan(cli, &db, &tables, exit_code, json).await,
        Command::Apply {
            tables,
            allow_destructive,
            yes,
            wait_timeout,
        } => {
            let wait = Duration::from_secs(wait_timeout);
            apply(cli, &db, &tables, allow_destructive, yes, wait).await
        }
        Command::Create { tables } => create(cli, &db, &tables).await,
        Command::Delete { tables, all, yes } => delete(cli, &db, &tables, all, yes).await,
        Command::List => list(cli, &db).await,
        Command::Upgrade {
            tables,
            dry_run,
            segments,
            writes_in_flight,
            page_size,
            units_per_second,
            capacity_fraction,
            checkpoint,
        } => {
            let rate = match (units_per_second, capacity_fraction) {
                (Some(units), _) => Some(crate::RateLimit::UnitsPerSecond(units)),
                (None, Some(fraction)) => Some(crate::RateLimit::Fraction(fraction)),
                (None, None) => None,
            };
            let how = super::upgrade::How {
                dry_run,
                segments,
                writes_in_flight,
                page_size: page_size as usize,
                rate,
                checkpoint,
            };
            super::upgrade::run(cli, &db, &tables, how).await
        }
        Command::Lock { .. } | Command::Check { .. } | Command::Export { .. } => {
            unreachable!("handled above: they need no connection")
        }
    }
}

/// A local endpoint gets dummy credentials; otherwise the SDK's own
/// configuration, with `--region` over it.
async fn connect(args: &Args) -> Db {
    let db = match (&args.endpoint, &args.region) {
        (Some(endpoint), None) => Db::local(endpoint.clone()),
        // Local servers keep tables per region too (moto, DynamoDB Local).
        (Some(endpoint), Some(region)) => {
            let local = Db::local(endpoint.clone());
            let config = local
                .client()
                .config()
                .to_builder()
                .region(Region::new(region.clone()))
                .build();
            Db::new(aws_sdk_dynamodb::Client::from_conf(config))
        }
        (None, Some(region)) => {
            let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
                .region(Region::new(region.clone()))
                .load()
                .await;
            Db::new(aws_sdk_dynamodb::Client::new(&config))
        }
        (None, None) => Db::from_env().await,
    };
    match &args.table_prefix {
        Some(prefix) => db.with_table_prefix(prefix.clone()),
        None => db,
    }
}

fn schemas(cli: &Cli) -> Vec<&TableSchema> {
    cli.models.iter().map(|e| e.schema).collect()
}

async fn plans(cli: &Cli, db: &Db, names: &[String]) -> Result<Vec<(&'static TableSchema, Plan)>> {
    let mut plans = Vec::new();
    for entry in cli.select(names)? {
        let plan = db
            .table_for_schema(entry.schema)
            .plan(&entry.options)
            .await?;
        plans.push((entry.schema, plan));
    }
    Ok(plans)
}

async fn plan(cli: &Cli, db: &Db, names: &[String], exit_code: bool, json: bool) -> Result<u8> {
    let plans = plans(cli, db, names).await?;
    if json {
        let all: Vec<&Plan> = plans.iter().map(|(_, p)| p).collect();
        let text = serde_json::to_string_pretty(&all).map_err(|e| Error::InvalidSetting {
            setting: "plan",
            reason: e.to_string(),
        })?;
        println!("{text}");
    } else {
        for (_, plan) in &plans {
            print!("{plan}");
        }
    }
    let drifted = plans.iter().filter(|(_, p)| !p.is_empty()).count();
    if !json {
        println!(
            "{drifted} of {} table(s) differ from their models.",
            plans.len()
        );
    }
    Ok(if exit_code && drifted > 0 {
        EXIT_DRIFT
    } else {
        EXIT_OK
    })
}

/// Asks on stdin; anything but `y`/`yes` (or no answer at all) is no.
fn confirm(question: &str) -> bool {
    print!("{question} [y/N] ");
    let _ = std::io::stdout().flush();
    let mut answer = String::new();
    if std::io::stdin().lock().read_line(&mut answer).is_err() {
        return false;
    }
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

async fn apply(
    cli: &Cli,
    db: &Db,
    names: &[String],
    allow_destructive: bool,
    yes: bool,
    wait: Duration,
) -> Result<u8> {
    let plans = plans(cli, db, names).await?;
    let pending: Vec<&(&TableSchema, Plan)> = plans.iter().filter(|(_, p)| !p.is_empty()).collect();
    for (_, plan) in &pending {
        print!("{plan}");
    }
    if pending.is_empty() {
        println!("Nothing to apply: every table matches its model.");
        return Ok(EXIT_OK);
    }
    if pending.iter().any(|(_, p)| p.needs_new_table()) {
        println!(
            "Nothing applied: a change marked `!` needs a new table, which apply never makes."
        );
        return Ok(EXIT_INCOMPLETE);
    }
    let changes: usize = pending.iter().map(|(_, p)| p.changes().len()).sum();
    let destructive: usize = pending.iter().map(|(_, p)| p.destructive().count()).sum();
    if destructive > 0 && !allow_destructive {
        println!("{destructive} destructive change(s) will be held back (pass --allow-destructive to make them).");
    }
    if !yes
        && !confirm(&format!(
            "Apply {changes} change(s) to {} table(s)?",
            pending.len()
        ))
    {
        println!("Nothing applied.");
        return Ok(EXIT_ERROR);
    }
    let mut held_back = Vec::new();
    for (schema, plan) in pending {
        let table = db.table_for_schema(schema);
        let bar = progress::spinner(format!("{}: starting", table.name()));
        let done = table
            .apply(plan)
            .allow_destructive(allow_destructive)
            .wait_timeout(wait)
            .on_progress(progress::reporter(table.name().to_owned(), bar.clone()))
            .await;
        bar.finish_and_clear();
        let done = done?;
        println!(
            "{}: {} change(s) applied, {} held back",
            table.name(),
            done.applied.len(),
            done.held_back.len()
        );
        held_back.extend(
            done.held_back
                .iter()
                .map(|c| format!("{}: {c}", table.name())),
        );
    }
    if held_back.is_empty() {
        return Ok(EXIT_OK);
    }
    println!("Held back (pass --allow-destructive to make them):");
    for line in &held_back {
        println!("  {line}");
    }
    Ok(EXIT_INCOMPLETE)
}

fn export(cli: &Cli, names: &[String], format: ExportFormat, output: Option<&Path>) -> Result<u8> {
    let entries = cli.select(names)?;
    let write_failed = |path: &Path, e: std::io::Error| Error::InvalidSetting {
        setting: "output",
        reason: format!("cannot write {}: {e}", path.display()),
    };
    let texts: Vec<(&Entry, String)> = entries
        .into_iter()
        .map(|e| Ok((e, e.schema.export(format.format(), &e.options)?)))
        .collect::<Result<_>>()?;
    match output {
        None => {
            for (_, text) in &texts {
                print!("{text}");
            }
        }
        Some(path) if texts.len() == 1 && !path.is_dir() => {
            std::fs::write(path, &texts[0].1).map_err(|e| write_failed(path, e))?;
            println!("wrote {}", path.display());
        }
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| write_failed(dir, e))?;
            for (entry, text) in &texts {
                let path = dir.join(format!(
                    "{}.{}",
                    entry.schema.table_name(),
                    format.extension()
                ));
                std::fs::write(&path, text).map_err(|e| write_failed(&path, e))?;
                println!("wrote {}", path.display());
            }
        }
    }
    Ok(EXIT_OK)
}

/// The item layouts of the models that store items.
fn layouts(cli: &Cli) -> Vec<crate::ItemLayout> {
    cli.models.iter().filter_map(|e| e.layout.clone()).collect()
}

fn lock(cli: &Cli, file: &Path) -> Result<u8> {
    let lock = SchemaLock::of(&schemas(cli)).with_items(&layouts(cli));
    std::fs::write(file, lock.to_json()).map_err(|e| Error::InvalidSetting {
        setting: "schema lock",
        reason: format!("cannot write {}: {e}", file.display()),
    })?;
    println!(
        "wrote {} ({} model(s)); commit it",
        file.display(),
        cli.models.len()
    );
    Ok(EXIT_OK)
}

fn check(cli: &Cli, file: &Path) -> Result<u8> {
    let text = std::fs::read_to_string(file).map_err(|e| Error::InvalidSetting {
        setting: "schema lock",
        reason: format!(
            "cannot read {}: {e}; write it with the `lock` command",
            file.display()
        ),
    })?;
    let lock = SchemaLock::from_json(&text)?;
    let mut differences = lock.differences(&schemas(cli));
    differences.extend(lock.item_differences(&layouts(cli)));
    if differences.is_empty() {
        println!(
            "{}: every model matches the lock ({} model(s))",
            file.display(),
            cli.models.len()
        );
        return Ok(EXIT_OK);
    }
    println!(
        "{}: the models differ from the lock in {} place(s):",
        file.display(),
        differences.len()
    );
    for difference in &differences {
        println!("  {difference}");
    }
    println!("Review them, then write the lock again with the `lock` command.");
    Ok(EXIT_DRIFT)
}

async fn create(cli: &Cli, db: &Db, names: &[String]) -> Result<u8> {
    for entry in cli.select(names)? {
        let table = db.table_for_schema(entry.schema);
        if table.exists().await? {
            println!("{}: exists", table.name());
            continue;
        }
        let bar = progress::spinner(format!("{}: creating", table.name()));
        let spinner =
            crate::plan::create_waits(progress::reporter(table.name().to_owned(), bar.clone()));
        let options = entry.options.clone().if_not_exists(true).wait(true);
        // The model's own `on_wait`, if it has one, still hears every poll.
        let own = options.on_wait.clone();
        let created = table
            .create(options.on_wait(move |status, waited| {
                if let Some(own) = &own {
                    (own.0)(status, waited);
                }
                spinner(status, waited);
            }))
            .await;
        bar.finish_and_clear();
        created?;
        println!("{}: created", table.name());
    }
    Ok(EXIT_OK)
}

async fn delete(cli: &Cli, db: &Db, names: &[String], all: bool, yes: bool) -> Result<u8> {
    if names.is_empty() && !all {
        return Err(Error::InvalidSetting {
            setting: super::USAGE,
            reason: "name the tables to delete, or pass --all for every model's table".into(),
        });
    }
    let entries = if all {
        cli.select(&[])?
    } else {
        cli.select(names)?
    };
    let tables: Vec<_> = entries
        .iter()
        .map(|e| db.table_for_schema(e.schema))
        .collect();
    let listed: Vec<&str> = tables.iter().map(|t| t.name()).collect();
    if !yes
        && !confirm(&format!(
            "Delete {} and every item in it? ",
            listed.join(", ")
        ))
    {
        println!("Nothing deleted.");
        return Ok(EXIT_ERROR);
    }
    for table in &tables {
        if !table.exists().await? {
            println!("{}: does not exist", table.name());
            continue;
        }
        let bar = progress::spinner(format!("{}: deleting", table.name()));
        let deleted = table
            .delete_table_and_wait(crate::DEFAULT_WAIT_TIMEOUT)
            .await;
        bar.finish_and_clear();
        deleted?;
        println!("{}: deleted", table.name());
    }
    Ok(EXIT_OK)
}

async fn list(cli: &Cli, db: &Db) -> Result<u8> {
    let width = cli
        .models
        .iter()
        .map(|e| db.table_name(e.schema.table_name()).len())
        .max()
        .unwrap_or(0);
    for entry in &cli.models {
        let table = db.table_for_schema(entry.schema);
        let status = match table.describe().await {
            Ok(description) => {
                let status = crate::table::wait::status_summary(&description);
                let gsis = description.global_secondary_indexes().len();
                format!("{status}, {gsis} GSI(s)")
            }
            Err(Error::TableNotFound { .. }) => "absent".to_owned(),
            Err(other) => return Err(other),
        };
        println!("{:width$}  {status}", table.name());
    }
    Ok(EXIT_OK)
}
