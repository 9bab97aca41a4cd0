//! What the command line shows while DynamoDB works: a spinner with the
//! current step and the table's status on a terminal, and plain lines (one
//! per step, and one every ten seconds of waiting) in a CI log.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use crate::plan::Progress;

/// How often a plain log gets a line while a wait goes on.
const LOG_EVERY: Duration = Duration::from_secs(10);

/// A spinner on stderr (hidden when stderr is not a terminal).
pub(crate) fn spinner(message: String) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} [{elapsed}]") {
        bar.set_style(style);
    }
    bar.set_message(message.clone());
    if bar.is_hidden() {
        eprintln!("{message}");
    } else {
        bar.enable_steady_tick(Duration::from_millis(100));
    }
    bar
}

/// Prints `line` above the spinner, or on its own in a plain log.
pub(crate) fn say(bar: &ProgressBar, line: String) {
    if bar.is_hidden() {
        eprintln!("{line}");
    } else {
        bar.println(line);
    }
}

/// The `on_progress` callback of one table's apply, drawing on `bar`.
pub(crate) fn reporter(
    table: String,
    bar: ProgressBar,
) -> impl Fn(&Progress<'_>) + Send + Sync + 'static {
    let last_logged = Arc::new(Mutex::new(Duration::ZERO));
    move |progress| match progress {
        Progress::Step { number, of, change } => {
            let line = format!("{table} [{number}/{of}] {change}");
            *last_logged.lock().unwrap_or_else(|e| e.into_inner()) = Duration::ZERO;
            if bar.is_hidden() {
                eprintln!("{line}");
            }
            bar.set_message(line);
        }
        Progress::Waiting {
            change,
            status,
            waited,
        } => {
            let line = format!("{table}: {change}: {status}, {}s", waited.as_secs());
            if bar.is_hidden() {
                let mut last = last_logged.lock().unwrap_or_else(|e| e.into_inner());
                if *waited >= *last + LOG_EVERY {
                    *last = *waited;
                    eprintln!("{line}");
                }
            }
            bar.set_message(line);
        }
        Progress::Done { change } => say(&bar, format!("done: {table}: {change}")),
        Progress::HeldBack { change } => say(
            &bar,
            format!("held back: {table}: {change} (pass --allow-destructive)"),
        ),
    }
}
