//! What an export did, for people (`Display`) and for scripts (`Serialize`, `--json`).

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

use super::{Failure, Layout, Span, StrategyKind};
use crate::format::Format;

/// The result of an export. `files + unchanged + failed + skipped() == jobs`; nothing is
/// skipped unless the export was interrupted or stopped early.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Files written and published.
    pub files: u64,
    /// Bytes in those files.
    pub bytes: u64,
    /// Jobs that failed; each is in `failures`.
    pub failed: u64,
    /// Incremental: files already up to date, not written again.
    pub unchanged: u64,
    /// Old files removed: a note's files under its old name (its title changed), and with
    /// `--incremental --prune` the files of deleted notes.
    pub removed: u64,
    /// Writes tried again after a transient error (each retry counts once).
    pub retries: u64,
    /// Whether the export was incremental.
    pub incremental: bool,
    /// Incremental: why the manifest was not used and every file was written, if so.
    pub full_export_reason: Option<String>,
    /// Problems that are not a failed job (an old file that could not be removed, a manifest
    /// that could not be written); the export still counts as failed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Peak resident memory of the process at the end of the export (Linux), bytes.
    pub peak_rss_bytes: Option<u64>,
    /// Jobs scheduled: notes x formats, or formats for a bundle.
    pub jobs: u64,
    /// Notes read.
    pub notes: u64,
    /// Wall time of the whole export, seconds.
    pub wall_s: f64,
    /// Jobs per second of wall time.
    pub files_per_s: f64,
    /// The strategy.
    pub strategy: StrategyKind,
    /// N: the most jobs in flight at once.
    pub concurrency: usize,
    /// OS threads the strategy ran jobs on (besides the main thread).
    pub threads: usize,
    /// Formats written.
    pub formats: Vec<Format>,
    /// Layout.
    pub layout: Layout,
    /// Simulated latency per write, in milliseconds, when one was added.
    pub latency_ms: Option<f64>,
    /// The export folder.
    pub out: PathBuf,
    /// Where the notes came from.
    pub source: String,
    /// Whether the export was interrupted (Ctrl-C) before every job was scheduled.
    pub cancelled: bool,
    /// The error policy.
    pub on_error: super::OnError,
    /// Whether a failure stopped the scheduling of new jobs (`fail-fast`).
    pub stopped_early: bool,
    /// Whether nothing was written: the files are in `planned`.
    pub dry_run: bool,
    /// In a dry run, every file the export would write, by path.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub planned: Vec<super::PlannedFile>,
    /// Staging folders of interrupted earlier exports that were cleaned up.
    pub stale_removed: usize,
    /// Every failed job, by note id and format.
    pub failures: Vec<Failure>,
    /// When each job ran, if the timeline was asked for; by job index.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub spans: Vec<Span>,
}

impl Summary {
    /// Whether every job succeeded.
    pub fn ok(&self) -> bool {
        self.failed == 0 && self.warnings.is_empty() && !self.cancelled
    }

    /// Jobs never run, because the export was interrupted or stopped at a failure.
    pub fn skipped(&self) -> u64 {
        self.jobs
            .saturating_sub(self.files + self.unchanged + self.failed)
    }
}

/// `1234567` as `1.2 MB`.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let formats: Vec<&str> = self.formats.iter().map(|f| f.extension()).collect();
        let (verb, written) = if self.dry_run {
            ("dry run, nothing written: would export", "files to write")
        } else {
            ("exported", "files written")
        };
        writeln!(
            f,
            "{verb} {} notes x {} formats ({}) from {} to {}",
            self.notes,
            self.formats.len(),
            formats.join(", "),
            self.source,
            self.out.display()
        )?;
        writeln!(
            f,
            "  {written}: {} ({}), failed: {}",
            self.files,
            human_bytes(self.bytes),
            self.failed
        )?;
        if self.incremental {
            writeln!(
                f,
                "  incremental: {} unchanged, {} removed{}",
                self.unchanged,
                self.removed,
                match &self.full_export_reason {
                    Some(why) => format!("; full export: {why}"),
                    None => String::new(),
                }
            )?;
        } else if self.removed > 0 {
            writeln!(
                f,
                "  removed {} file(s) under a note's old name (its title changed)",
                self.removed
            )?;
        }
        if self.retries > 0 {
            writeln!(f, "  retried {} transient write error(s)", self.retries)?;
        }
        let n = match self.strategy {
            StrategyKind::Threads => format!("{} threads", self.concurrency),
            StrategyKind::Sequential => "1 at a time".to_owned(),
            StrategyKind::Pool => format!("N = {} workers", self.concurrency),
            StrategyKind::Async => format!("N = {} tasks in flight", self.concurrency),
        };
        writeln!(
            f,
            "  wall time: {:.3} s, {:.0} files/s, strategy {} ({n})",
            self.wall_s, self.files_per_s, self.strategy
        )?;
        if let Some(ms) = self.latency_ms {
            writeln!(f, "  latency: {ms} ms per write, simulated (--latency)")?;
        }
        if self.stale_removed > 0 {
            writeln!(
                f,
                "  cleaned up {} staging folder(s) of an interrupted export",
                self.stale_removed
            )?;
        }
        if self.cancelled {
            writeln!(
                f,
                "  interrupted: {} of {} jobs were not run",
                self.skipped(),
                self.jobs
            )?;
        } else if self.stopped_early {
            writeln!(
                f,
                "  stopped at a failure: {} of {} jobs were not run",
                self.skipped(),
                self.jobs
            )?;
        }
        for warning in &self.warnings {
            writeln!(f, "  WARNING {warning}")?;
        }
        for failure in &self.failures {
            let note = failure
                .note_id
                .map(|id| format!("note {id}"))
                .unwrap_or_else(|| "bundle".into());
            writeln!(
                f,
                "  FAILED {note} [{}] {}: {}",
                failure.format,
                self.out.join(&failure.path).display(),
                failure.error
            )?;
        }
        Ok(())
    }
}
