//! `upgrade`: the backfill of item shapes for each model with shapes, with
//! a spinner of the counts (a line every ten seconds in a plain log), and
//! checkpoints saved to a file to resume after a stop. The file is
//! replaced whole (written beside it, synced, renamed over it), so a stop
//! mid-save leaves the checkpoint before, never half a file; and every
//! table's checkpoint is checked against its table before the first
//! backfill writes, so a file of another table prefix is refused whole.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{progress, Cli, Entry, USAGE};
use crate::error::{Error, Result};
use crate::{Db, RateLimit, UpgradeCheckpoint, UpgradeItems, UpgradeReport};

/// How often a plain log gets a line while a backfill goes on.
const LOG_EVERY: Duration = Duration::from_secs(10);

/// How often the checkpoint file is saved at most while a backfill goes
/// on (and once more when a table is done or fails): each save is synced
/// to disk, and a small table's pages come every few milliseconds. A stop
/// loses the pages in progress and at most this much before them.
const SAVE_EVERY: Duration = Duration::from_secs(1);

pub(super) struct How {
    pub(super) dry_run: bool,
    pub(super) segments: u32,
    pub(super) writes_in_flight: usize,
    pub(super) page_size: usize,
    pub(super) rate: Option<RateLimit>,
    pub(super) checkpoint: Option<PathBuf>,
}

/// The checkpoint file: per model (its table as the model names it, and
/// the entity for one of a shared table's), where its backfill stands.
/// Each checkpoint names the table it was taken of, prefix and all.
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
    // Every backfill is made and checked (its options, its table, the
    // checkpoint it resumes from) before the first one writes: a file of
    // another table prefix, or of a table created again since, is refused
    // with nothing written to any table.
    let mut backfills = Vec::with_capacity(shaped.len());
    for entry in shaped {
        let table = db.table_for_schema(entry.schema);
        let key = key_of(entry);
        let mut backfill = UpgradeItems::new(
            table.client().cloned(),
            table.name().to_owned(),
            entry.schema,
            entry.shapes,
            entry.entity,
        )
        .segments(how.segments)
        .writes_in_flight(how.writes_in_flight)
        .page_size(how.page_size);
        if let Some(rate) = how.rate {
            backfill = backfill.rate_limit(rate);
        }
        if how.dry_run {
            backfill = backfill.dry_run();
        }
        if let Some(checkpoint) = lock(&saved).get(&key) {
            backfill = backfill.resume(checkpoint.clone());
        }
        backfill
            .check()
            .await
            .map_err(|err| from_file(err, how.checkpoint.as_deref()))?;
        backfills.push((table.name().to_owned(), key, backfill));
    }
    let file = how.checkpoint.clone().filter(|_| !how.dry_run);
    for (label, key, backfill) in backfills {
        let verb = if how.dry_run { "counting" } else { "upgrading" };
        let bar = progress::spinner(format!("{label}: {verb}"));
        let shown = bar.clone();
        let line_label = label.clone();
        let keep = Arc::clone(&saved);
        let save_to = file.clone();
        let save_key = key.clone();
        let started = Instant::now();
        let mut logged = Duration::ZERO;
        let mut saved_at: Option<Instant> = None;
        let report = backfill
            .on_progress(move |report| {
                let line = format!("{line_label}: {}", counts(report));
                if shown.is_hidden() {
                    if started.elapsed() >= logged + LOG_EVERY {
                        logged = started.elapsed();
                        eprintln!("{line}");
                    }
                } else {
                    shown.set_message(line);
                }
                if let Some(path) = &save_to {
                    let mut saved = lock(&keep);
                    saved.insert(save_key.clone(), report.checkpoint.clone());
                    if saved_at.is_none_or(|at| at.elapsed() >= SAVE_EVERY) {
                        saved_at = Some(Instant::now());
                        // A failed save is shown, and the backfill goes
                        // on: a resume then scans again from an older point.
                        if let Err(err) = write(path, &saved) {
                            progress::say(&shown, format!("warning: {err}"));
                        }
                    }
                }
            })
            .await;
        bar.finish_and_clear();
        let report = match report {
            Ok(report) => report,
            Err(err) => {
                // The last checkpoint it reached (maybe not saved yet, as
                // saves are spaced) is what a resume goes on from.
                if let Some(path) = &file {
                    if let Err(save) = write(path, &lock(&saved)) {
                        eprintln!("warning: {save}");
                    }
                }
                return Err(err);
            }
        };
        println!("{label}: {}", counts(&report));
        let mut saved = lock(&saved);
        saved.remove(&key);
        // Saved now, so that a stop in the next table's backfill does not
        // scan this one again from its last saved checkpoint.
        if let Some(path) = &file {
            write(path, &saved)?;
        }
    }
    if let Some(path) = file {
        let saved = lock(&saved);
        if saved.is_empty() {
            let _ = std::fs::remove_file(&path);
        } else {
            write(&path, &saved)?;
        }
    }
    Ok(super::EXIT_OK)
}

/// A model's key in the checkpoint file: its table as the model names it
/// (the prefix is the checkpoint's to check), and the entity of a shared
/// table's, since its entities name the same table.
fn key_of(entry: &Entry) -> String {
    let name = entry.schema.table_name();
    match (entry.entity)() {
        Some(Ok(entity)) => format!("{name}/{}", entity.name()),
        // An entity that does not resolve: the backfill says why.
        _ => name.to_owned(),
    }
}

/// A refused checkpoint, said to come from the file: the fix is a file of
/// its own per table prefix, or none.
fn from_file(err: Error, path: Option<&Path>) -> Error {
    match (err, path) {
        (
            Error::CheckpointRefused {
                table,
                checkpoint_table,
                reason,
            },
            Some(path),
        ) => Error::CheckpointRefused {
            table,
            checkpoint_table,
            reason: format!(
                "{reason} (checkpoint file {}: give each table prefix a file of its own, or delete it to start over)",
                path.display()
            ),
        },
        (err, _) => err,
    }
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

/// Replaces the file whole: the text is written to a file beside it (the
/// same directory, so the rename stays on one file system), synced, and
/// renamed over it. A stop at any point leaves the old file or the new
/// one, never a part of one, which the next run would refuse.
fn write(path: &Path, saved: &Saved) -> Result<()> {
    let text = serde_json::to_string_pretty(saved).map_err(|e| Error::InvalidSetting {
        setting: USAGE,
        reason: format!("the checkpoints do not encode: {e}"),
    })?;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let Some(name) = path.file_name() else {
        return Err(file_error(
            path,
            std::io::Error::other("it names a directory, not a file"),
        ));
    };
    let mut temp_name = OsString::from(".");
    temp_name.push(name);
    temp_name.push(format!(".{}.tmp", std::process::id()));
    let temp = dir.join(temp_name);
    let written = (|| -> std::io::Result<()> {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temp, path)
    })();
    if let Err(err) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(file_error(path, err));
    }
    // The rename lasts through a power cut once the directory is synced.
    // Without that, the old file may come back: a checkpoint from before,
    // which resumes as well (a little more is scanned again).
    #[cfg(unix)]
    if let Ok(dir) = std::fs::File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

fn file_error(path: &Path, err: std::io::Error) -> Error {
    Error::InvalidSetting {
        setting: USAGE,
        reason: format!("checkpoint file {}: {err}", path.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_save_replaces_the_file_whole_and_leaves_no_temporary_file() {
        let dir = std::env::temp_dir().join(format!("dm-upgrade-save-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("checkpoint.json");
        std::fs::write(&path, "{ half a fi").unwrap();
        let checkpoint: UpgradeCheckpoint =
            serde_json::from_str(r#"{ "table": "dev_tickets", "segments": ["start"] }"#).unwrap();
        let saved = Saved::from([("tickets".to_owned(), checkpoint)]);
        write(&path, &saved).unwrap();
        let back: Saved = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(back, saved);
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["checkpoint.json"]);
        // A file that cannot be written is an error, and the old one stays.
        let missing = dir.join("no-such-dir").join("checkpoint.json");
        assert!(write(&missing, &saved).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_refused_checkpoint_names_its_file() {
        let refused = Error::CheckpointRefused {
            table: "prod_tickets".into(),
            checkpoint_table: "dev_tickets".into(),
            reason: "it is a position in table `dev_tickets`, another table".into(),
        };
        let err = from_file(refused, Some(Path::new("upgrade.json")));
        let text = err.to_string();
        assert!(
            text.contains("checkpoint file upgrade.json") && text.contains("`prod_tickets`"),
            "{text}"
        );
    }
}
