//! The lab: every experiment of the threading lesson, run on this machine and explained.
//!
//! Each experiment is one file here and one function that runs it and returns a report: a
//! plain struct that serializes to the `--json` object and displays as the figures and a short
//! "what this shows". Experiments that have something to say while they run (a thread
//! starting, a thread done) pass it to a [`Narrator`] as it happens, so the order printed is
//! the order that really happened. The I/O experiments run the real export engine
//! ([`crate::export`](mod@crate::export)) with simulated latency; nothing here re-implements it.
//!
//! A module is named for what its experiment shows, not for the subcommand, so that one word
//! keeps one meaning beside the export strategies (`threads`, `pool`, `asynchronous`):
//! `lab threads` is [`overlap`] (and holds the lesson's exercise, [`run_threaded`]), `lab
//! export` is [`lesson_export`], `lab pool` is [`pool_bound`], `lab async` is [`one_thread`];
//! `cpu`, `race`, `predict` and `verdict` are named as their subcommands.

pub mod cpu;
pub mod lesson_export;
pub mod one_thread;
pub mod overlap;
pub mod pool_bound;
pub mod predict;
pub mod race;
pub mod verdict;

use std::time::Duration;

pub use overlap::run_threaded;

/// Receives a line as soon as something happens during an experiment.
pub type Narrator<'a> = &'a mut dyn FnMut(&str);

/// A narrator that drops everything (for `--json`, where only the report is printed).
pub fn silent() -> impl FnMut(&str) {
    |_: &str| {}
}

/// The experiments, in the order of the lesson, with one line each for `smartnotes lab`.
pub const EXPERIMENTS: &[(&str, &str)] = &[
    (
        "threads",
        "two simulated I/O tasks (2 s, 1 s) on their own threads: the total is the longest, not the sum",
    ),
    (
        "export",
        "the lesson's export, 10 notes x 3 formats at 0.1 s per file: sequential, threads, pool, async",
    ),
    (
        "cpu",
        "CPU-bound sums in sequence and on threads: ~1.0x in Python (the GIL), ~cores x in Rust",
    ),
    (
        "race",
        "two threads add 1 to a shared counter 100,000 times: a split read-modify-write loses updates",
    ),
    (
        "predict",
        "the exercise: predict which of three threads finishes first and last, and the total",
    ),
    (
        "pool",
        "the same 30-file export on one thread per file against a pool of N workers",
    ),
    (
        "async",
        "the same export as tasks on one OS thread (a current-thread tokio runtime)",
    ),
    (
        "verdict",
        "runs the others briefly and prints the lesson's verdict table, measured here",
    ),
];

/// Number of CPU cores available to this process.
pub fn cores() -> usize {
    crate::sys::cores()
}

/// Parses `2,1` or `2s,500ms` into durations (plain numbers are seconds).
pub fn parse_durations(text: &str) -> Result<Vec<Duration>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| match s.parse::<f64>() {
            Ok(secs) => Duration::try_from_secs_f64(secs)
                .map_err(|_| format!("{s:?} is not a number of seconds from 0 up")),
            Err(_) => humantime::parse_duration(s).map_err(|e| format!("{s:?}: {e}")),
        })
        .collect()
}

/// The label of the task at `index`: A, B, C...
pub fn label(index: usize) -> String {
    char::from_u32('A' as u32 + (index % 26) as u32)
        .map(String::from)
        .unwrap_or_default()
}

/// Seconds with two decimals, for the narrations.
fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_as_seconds_or_with_units() {
        assert_eq!(
            parse_durations("2,1").unwrap(),
            [Duration::from_secs(2), Duration::from_secs(1)]
        );
        assert_eq!(
            parse_durations("0.5, 250ms").unwrap(),
            [Duration::from_millis(500), Duration::from_millis(250)]
        );
        assert!(parse_durations("-1").is_err());
        assert!(parse_durations("NaN").is_err());
        assert!(
            parse_durations("1e30").is_err(),
            "too long for a Duration: an error, no panic"
        );
        assert!(parse_durations("soon").is_err());
    }

    #[test]
    fn labels_are_letters() {
        assert_eq!((0..4).map(label).collect::<Vec<_>>(), ["A", "B", "C", "D"]);
    }
}
