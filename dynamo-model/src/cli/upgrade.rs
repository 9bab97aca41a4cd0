//! `upgrade`: the backfill of item shapes for each model with shapes, with
//! a spinner of the counts (a line every ten seconds in a plain log), and
//! checkpoints saved to a file to resume after a stop.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{progress, Cli, USAGE};
use crate::error::{Error, Result};
use crate::{Db, RateLimit, UpgradeCheckpoint, UpgradeItems, UpgradeReport};

/// How often a plain log gets a line while a backfill goes on.
const LOG_EVERY: Duration = Duration::from_secs(10);

pub(super) struct How {
    pub(super) dry_run: bool,
    pub(super) segments: u32,
    pub(super) writes_in_flight: usize,
    pub(super) rate: Option<RateLimit>,
    pub(super) checkpoint: Option<PathBuf>,
}

/// The checkpoint file: per table (as the model names it), where its
/// backfill stands.
type Saved = BTreeMap<String, UpgradeCheckpoint>;

pub(super) async fn run(cli: &Cli, db: &Db, names: &[String], how: How) -> Result<u8> {
    let entries = cli.select(names)?;
    let shaped: Vec<_> = entries.iter().filter(|e| e.shapes.is_some()).collect();
    if let Some(plain) = entries
        .iter()
        .find(|e| e.shapes.is_none() && !names.is_empty())
    {
        return Err(Error::InvalidSetting {
            setting: USAGE,
            reason: format!(
                "the model of table `{}` has no shapes (`#[dynamo(shape = N, ..)]`): nothing to upgrade",
                plain.schema.table_name()
            ),
        });
    }
    if shaped.is_empty() {
        println!("no model has shapes: nothing to upgrade");
        return Ok(super::EXIT_OK);
    }
    let saved: Arc<Mutex<Saved>> = Arc::new(Mutex::new(match &how.checkpoint {
        Some(path) if path.exists() => {
            let text = std::fs::read_to_string(path).map_err(|e| file_error(path, e))?;
            serde_json::from_str(&text).map_err(|e| Error::InvalidSetting {
                setting: USAGE,
                reason: format!("checkpoint file {} is not one: {e}", path.display()),
            })?
        }
        _ => Saved::new(),
    }));
    for entry in shaped {
        let table = db.table_for_schema(entry.schema);
        let name = entry.schema.table_name().to_owned();
        let mut backfill = UpgradeItems::new(
            table.client().cloned(),
            table.name().to_owned(),
            entry.schema,
            entry.shapes,
            entry.entity,
        )
        .segments(how.segments)
        .writes_in_flight(how.writes_in_flight);
        if let Some(rate) = how.rate {
            backfill = backfill.rate_limit(rate);
        }
        if how.dry_run {
            backfill = backfill.dry_run();
        }
        if let Some(checkpoint) = lock(&saved).get(&name) {
            backfill = backfill.resume(checkpoint.clone());
        }
        let verb = if how.dry_run { "counting" } else { "upgrading" };
        let bar = progress::spinner(format!("{}: {verb}", table.name()));
        let shown = bar.clone();
        let label = table.name().to_owned();
        let file = how.checkpoint.clone().filter(|_| !how.dry_run);
        let keep = Arc::clone(&saved);
        let key = name.clone();
        let started = Instant::now();
        let mut logged = Duration::ZERO;
        let report = backfill
            .on_progress(move |report| {
                let line = format!("{label}: {}", counts(report));
                if shown.is_hidden() {
                    if started.elapsed() >= logged + LOG_EVERY {
                        logged = started.elapsed();
                        eprintln!("{line}");
                    }
                } else {
                    shown.set_message(line);
                }
                if let Some(path) = &file {
                    let mut saved = lock(&keep);
                    saved.insert(key.clone(), report.checkpoint.clone());
                    // A failed save is shown, and the backfill goes on: a
                    // resume then scans again from an older point.
                    if let Err(err) = write(path, &saved) {
                        progress::say(&shown, format!("warning: {err}"));
                    }
                }
            })
            .await;
        bar.finish_and_clear();
        let report = report?;
        println!("{}: {}", table.name(), counts(&report));
        lock(&saved).remove(&name);
    }
    if let Some(path) = how.checkpoint.filter(|_| !how.dry_run) {
        let saved = lock(&saved);
        if saved.is_empty() {
            let _ = std::fs::remove_file(&path);
        } else {
            write(&path, &saved)?;
        }
    }
    Ok(super::EXIT_OK)
}

/// `1000 scanned (shape 1: 400, shape 3: 600), 400 upgraded, 2 retried`.
fn counts(report: &UpgradeReport) -> String {
    let shapes: Vec<String> = report
        .shapes
        .iter()
        .map(|(shape, n)| format!("shape {shape}: {n}"))
        .collect();
    format!(
        "{} scanned ({}), {} upgraded, {} retried, {} changed meanwhile",
        report.scanned,
        shapes.join(", "),
        report.upgraded,
        report.retried,
        report.changed_meanwhile
    )
}

fn lock(saved: &Mutex<Saved>) -> std::sync::MutexGuard<'_, Saved> {
    saved.lock().unwrap_or_else(|e| e.into_inner())
}

fn write(path: &std::path::Path, saved: &Saved) -> Result<()> {
    let text = serde_json::to_string_pretty(saved).map_err(|e| Error::InvalidSetting {
        setting: USAGE,
        reason: format!("the checkpoints do not encode: {e}"),
    })?;
    std::fs::write(path, text).map_err(|e| file_error(path, e))
}

fn file_error(path: &std::path::Path, err: std::io::Error) -> Error {
    Error::InvalidSetting {
        setting: USAGE,
        reason: format!("checkpoint file {}: {err}", path.display()),
    }
}
