//! What an export did, for people (`Display`) and for scripts (`Serialize`, `--json`).
//!
//! The JSON keys are the field names. Three older keys are still written, with the same
//! values, for scripts written against earlier versions: `jobs` (= `planned_jobs`), `retries`
//! (= `retries_done`) and `cancelled` (= `interrupted`).

use std::fmt;
use std::path::PathBuf;

use serde::ser::{Serialize, SerializeStruct, Serializer};

use super::attachments::AttachmentsDone;
use super::books::{Failure, Span};
use super::config::{Layout, OnError};
use super::links::LinksReport;
use super::sink::PlannedFile;
use super::strategy::StrategyKind;
use crate::format::{Format, FrontMatter, TagChange};
use crate::sys::counted;

/// The result of an export. `files + unchanged + failed + skipped() == planned_jobs`; nothing
/// is skipped unless the export was interrupted or stopped early. (In the bundle layout a
/// damaged note is a failure of its own, beside the bundles written without it.)
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Summary {
    /// Files written and published.
    pub files: u64,
    /// Bytes in those files.
    pub bytes: u64,
    /// Jobs that failed; each is in `failures`.
    pub failed: u64,
    /// Incremental: files already up to date, not written again.
    pub unchanged: u64,
    /// Old files removed: a note's files under an old name (its title changed), and with
    /// `--incremental --prune` the files of deleted notes.
    pub removed: u64,
    /// Retries done: writes tried again after a transient error (each retry counts once).
    pub retries_done: u64,
    /// Whether the export was incremental.
    pub incremental: bool,
    /// Incremental: why the manifest was not used and every file was written, if so.
    pub full_export_reason: Option<String>,
    /// Problems that are not a failed job (an old file that could not be removed, a manifest
    /// that could not be written); the export still counts as failed.
    pub warnings: Vec<String>,
    /// Peak resident memory of the process at the end of the export (Linux), bytes.
    pub peak_rss_bytes: Option<u64>,
    /// Jobs planned: notes x formats, or formats for a bundle.
    pub planned_jobs: u64,
    /// Notes read.
    pub notes: u64,
    /// Wall time of the whole export, seconds.
    pub wall_s: f64,
    /// Planned jobs per second of wall time.
    pub files_per_s: f64,
    /// The strategy.
    pub strategy: StrategyKind,
    /// N, the concurrency: the most jobs in flight at once.
    pub concurrency: usize,
    /// OS threads the export ran jobs on (besides the calling thread).
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
    /// Whether the export was interrupted from outside (Ctrl-C, a signal: its
    /// [`Cancel`](crate::export::Cancel) handle) before every job was scheduled.
    pub interrupted: bool,
    /// The error policy.
    pub on_error: OnError,
    /// Whether a failure stopped the scheduling of new jobs (`fail-fast`, or a thread that
    /// could not be started).
    pub stopped_early: bool,
    /// Whether nothing was written: the files are in `planned`.
    pub dry_run: bool,
    /// In a dry run, every file the export would write, by path.
    pub planned: Vec<PlannedFile>,
    /// Staging folders of interrupted earlier exports that were cleaned up.
    pub stale_removed: usize,
    /// The front matter profile of the Markdown files.
    pub front_matter: FrontMatter,
    /// What the profile changed in tags so that its reader takes them: how many of each
    /// change (empty when none, or no Markdown was written).
    pub tags_changed: Vec<(TagChange, u64)>,
    /// In how many notes the profile changed a tag.
    pub notes_with_tags_changed: u64,
    /// Every failed job, by note id and format.
    pub failures: Vec<Failure>,
    /// When each job ran, if the timeline was asked for; by job index.
    pub spans: Vec<Span>,
    /// The attachments of the exported notes, written beside them.
    pub attachments: AttachmentsDone,
    /// What the links of the Markdown files came to, when the notebook has links.
    pub links: Option<LinksReport>,
}

impl Summary {
    /// Whether every job succeeded.
    pub fn ok(&self) -> bool {
        self.failed == 0 && self.warnings.is_empty() && !self.interrupted
    }

    /// Jobs never run, because the export was interrupted or stopped at a failure.
    pub fn skipped(&self) -> u64 {
        self.planned_jobs
            .saturating_sub(self.files + self.unchanged + self.failed)
    }
}

impl Serialize for Summary {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Summary", 38)?;
        st.serialize_field("files", &self.files)?;
        st.serialize_field("bytes", &self.bytes)?;
        st.serialize_field("failed", &self.failed)?;
        st.serialize_field("unchanged", &self.unchanged)?;
        st.serialize_field("removed", &self.removed)?;
        st.serialize_field("retries_done", &self.retries_done)?;
        st.serialize_field("retries", &self.retries_done)?;
        st.serialize_field("incremental", &self.incremental)?;
        st.serialize_field("full_export_reason", &self.full_export_reason)?;
        if !self.warnings.is_empty() {
            st.serialize_field("warnings", &self.warnings)?;
        }
        st.serialize_field("peak_rss_bytes", &self.peak_rss_bytes)?;
        st.serialize_field("planned_jobs", &self.planned_jobs)?;
        st.serialize_field("jobs", &self.planned_jobs)?;
        st.serialize_field("notes", &self.notes)?;
        st.serialize_field("wall_s", &self.wall_s)?;
        st.serialize_field("files_per_s", &self.files_per_s)?;
        st.serialize_field("strategy", &self.strategy)?;
        st.serialize_field("concurrency", &self.concurrency)?;
        st.serialize_field("threads", &self.threads)?;
        st.serialize_field("formats", &self.formats)?;
        st.serialize_field("layout", &self.layout)?;
        st.serialize_field("latency_ms", &self.latency_ms)?;
        st.serialize_field("out", &self.out)?;
        st.serialize_field("source", &self.source)?;
        st.serialize_field("interrupted", &self.interrupted)?;
        st.serialize_field("cancelled", &self.interrupted)?;
        st.serialize_field("on_error", &self.on_error)?;
        st.serialize_field("stopped_early", &self.stopped_early)?;
        st.serialize_field("dry_run", &self.dry_run)?;
        if !self.planned.is_empty() {
            st.serialize_field("planned", &self.planned)?;
        }
        st.serialize_field("stale_removed", &self.stale_removed)?;
        st.serialize_field("front_matter", &self.front_matter)?;
        if !self.tags_changed.is_empty() {
            let changes: serde_json::Map<String, serde_json::Value> = (self.tags_changed.iter())
                .map(|(change, n)| {
                    let name = serde_json::to_value(change)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default();
                    (name, (*n).into())
                })
                .collect();
            st.serialize_field("tags_changed", &changes)?;
            st.serialize_field("notes_with_tags_changed", &self.notes_with_tags_changed)?;
        }
        if self.attachments.attachments > 0 {
            st.serialize_field("attachments", &self.attachments)?;
        }
        if let Some(links) = &self.links {
            st.serialize_field("links", links)?;
        }
        st.serialize_field("failures", &self.failures)?;
        if !self.spans.is_empty() {
            st.serialize_field("spans", &self.spans)?;
        }
        st.end()
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
            "{verb} {} x {} ({}) from {} to {}",
            counted(self.notes, "note", "notes"),
            counted(self.formats.len() as u64, "format", "formats"),
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
        self.fmt_removals(f)?;
        let a = &self.attachments;
        if a.attachments > 0 {
            writeln!(
                f,
                "  attachments: {} ({}) {written}, {} unchanged, {} failed{}",
                a.written,
                human_bytes(a.bytes),
                a.unchanged,
                a.failed,
                match a.removed {
                    0 => String::new(),
                    n => format!(", {n} removed"),
                }
            )?;
        }
        if self.retries_done > 0 {
            writeln!(
                f,
                "  retried {}",
                counted(
                    self.retries_done,
                    "transient write error",
                    "transient write errors"
                )
            )?;
        }
        let n = match self.strategy {
            StrategyKind::Threads => counted(self.concurrency as u64, "thread", "threads"),
            StrategyKind::Sequential => "1 at a time".to_owned(),
            StrategyKind::Pool => {
                format!(
                    "N = {}",
                    counted(self.concurrency as u64, "worker", "workers")
                )
            }
            StrategyKind::Async => format!(
                "N = {} in flight",
                counted(self.concurrency as u64, "task", "tasks")
            ),
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
                "  cleaned up {} of an interrupted export",
                counted(
                    self.stale_removed as u64,
                    "staging folder",
                    "staging folders"
                )
            )?;
        }
        self.fmt_tags(f)?;
        self.fmt_links(f)?;
        self.fmt_problems(f)
    }
}

impl Summary {
    /// `3 of 30 jobs were not run`, `1 of 30 jobs was not run`.
    pub fn not_run(&self) -> String {
        let skipped = self.skipped();
        format!(
            "{skipped} of {} {} not run",
            counted(self.planned_jobs, "job", "jobs"),
            if skipped == 1 { "was" } else { "were" }
        )
    }

    fn fmt_removals(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
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
            )
        } else if self.removed > 0 {
            writeln!(
                f,
                "  removed {} under a note's old name (its title changed)",
                counted(self.removed, "file", "files")
            )
        } else {
            Ok(())
        }
    }

    fn fmt_tags(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.tags_changed.is_empty() {
            return Ok(());
        }
        let total: u64 = self.tags_changed.iter().map(|(_, n)| n).sum();
        let each: Vec<String> = (self.tags_changed.iter())
            .map(|(change, n)| format!("{n} {}", change.describe()))
            .collect();
        writeln!(
            f,
            "  tags written otherwise for {}: {total} change(s) in {} note(s): {}",
            self.front_matter,
            self.notes_with_tags_changed,
            each.join(", ")
        )
    }

    /// The links line, and every link left as written (at most 20, then how many more).
    fn fmt_links(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(links) = &self.links else {
            return Ok(());
        };
        let mode = links.mode.map_or("keep", |m| m.name());
        writeln!(
            f,
            "  links ({mode}): {} rewritten, {} left as written (they lead nowhere in this export)",
            counted(links.notes_rewritten, "file", "files"),
            counted(links.broken.len() as u64, "link", "links"),
        )?;
        const SHOWN: usize = 20;
        for broken in links.broken.iter().take(SHOWN) {
            let why = match broken.why {
                crate::links::BrokenWhy::Unresolved => "resolves to nothing",
                crate::links::BrokenWhy::NotInExport => "its note is not in this export",
            };
            writeln!(
                f,
                "    note {}: {} ({why})",
                broken.note,
                crate::model::escape_for_terminal(&broken.link)
            )?;
        }
        if links.broken.len() > SHOWN {
            writeln!(
                f,
                "    ... and {} more (--json lists them all)",
                links.broken.len() - SHOWN
            )?;
        }
        Ok(())
    }

    fn fmt_problems(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.interrupted {
            writeln!(f, "  interrupted: {}", self.not_run())?;
        } else if self.stopped_early {
            writeln!(f, "  stopped at a failure: {}", self.not_run())?;
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
