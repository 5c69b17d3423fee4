//! The books of an export: what every job leaves behind (a written file, an unchanged one, or
//! a [`Failure`]), the retries done, and with a timeline the [`Span`] of each job.
//!
//! [`Tally`] is kept by [`super::work::Work`] while jobs run, from any thread (atomics, and a
//! lock for the lists); [`Tally::close`] turns it into the sorted [`Books`] that the summary
//! reports. `files + unchanged + failed + skipped = planned jobs` holds by construction: each
//! job is booked once, and a file that was written but could not be published moves from
//! `files` to the failures.

use std::collections::BTreeMap;
use std::io;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Serialize, Serializer};

use super::job::OutFile;
use crate::format::{Format, TagChange};
use crate::sys::{PerThread, lock};

/// A job that did not produce its file.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct Failure {
    /// The note, or `None` for a bundle.
    pub note_id: Option<i64>,
    /// The format.
    pub format: Format,
    /// The file, relative to the export folder. For a damaged note, whose file name cannot be
    /// made, its format's folder (or the bundle).
    pub path: PathBuf,
    /// The kind of error, kept from the I/O error; in JSON a stable snake_case name
    /// ([`error_kind_name`]).
    #[serde(serialize_with = "serialize_kind")]
    pub kind: io::ErrorKind,
    /// What went wrong, for people.
    pub error: String,
}

impl Failure {
    /// `file` failed with `error`.
    pub(crate) fn of(file: &OutFile, error: &io::Error) -> Self {
        Failure {
            note_id: file.note,
            format: file.format,
            path: file.path(),
            kind: error.kind(),
            error: error.to_string(),
        }
    }

    /// The file of note `id` in `format` is not written: its remembered path `path` cannot be
    /// written inside the export folder (`reason`).
    pub(crate) fn refused(id: i64, format: Format, path: PathBuf, reason: String) -> Self {
        Failure {
            note_id: Some(id),
            format,
            path,
            kind: io::ErrorKind::InvalidInput,
            error: reason,
        }
    }

    /// The file of note `id` in `format` could not be made: the note is damaged in the
    /// notebook (`reason`). `path` is where its file would be.
    pub(crate) fn damaged(id: i64, format: Format, path: PathBuf, reason: String) -> Self {
        Failure {
            note_id: Some(id),
            format,
            path,
            kind: io::ErrorKind::InvalidData,
            error: reason,
        }
    }
}

/// The stable name of an I/O error kind, as `--errors-json` and `--json` write it:
/// `not_found`, `permission_denied`, `storage_full`, `interrupted`, `invalid_data`, ...;
/// `other` for every kind without a name of its own here.
pub fn error_kind_name(kind: io::ErrorKind) -> &'static str {
    use io::ErrorKind::*;
    match kind {
        NotFound => "not_found",
        PermissionDenied => "permission_denied",
        AlreadyExists => "already_exists",
        WouldBlock => "would_block",
        NotADirectory => "not_a_directory",
        IsADirectory => "is_a_directory",
        DirectoryNotEmpty => "directory_not_empty",
        ReadOnlyFilesystem => "read_only_filesystem",
        InvalidInput => "invalid_input",
        InvalidData => "invalid_data",
        TimedOut => "timed_out",
        WriteZero => "write_zero",
        StorageFull => "storage_full",
        QuotaExceeded => "quota_exceeded",
        FileTooLarge => "file_too_large",
        ResourceBusy => "resource_busy",
        CrossesDevices => "crosses_devices",
        TooManyLinks => "too_many_links",
        InvalidFilename => "invalid_filename",
        Interrupted => "interrupted",
        Unsupported => "unsupported",
        UnexpectedEof => "unexpected_eof",
        OutOfMemory => "out_of_memory",
        _ => "other",
    }
}

fn serialize_kind<S: Serializer>(kind: &io::ErrorKind, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(error_kind_name(*kind))
}

/// When one job ran, for the `--timeline` picture.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
#[non_exhaustive]
pub struct Span {
    /// The job's position in the export, from 0.
    pub index: u64,
    /// Seconds from the start of the export to the start of the job.
    pub start_s: f64,
    /// Seconds from the start of the export to the end of the job, latency included.
    pub end_s: f64,
}

/// The running count of one export, shared by its threads.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    // Counted for every file, by every worker: one count per thread (see `PerThread`).
    files: PerThread<AtomicU64>,
    bytes: PerThread<AtomicU64>,
    unchanged: AtomicU64,
    retries_done: AtomicU64,
    failures: Mutex<Vec<Failure>>,
    spans: Option<Mutex<Vec<Span>>>,
    tags_changed: Mutex<TagChanges>,
}

/// What a front matter profile changed in the tags of the notes of one export: how many of
/// each change, and in how many notes.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct TagChanges {
    pub(crate) notes: u64,
    pub(crate) changes: BTreeMap<TagChange, u64>,
}

/// A closed [`Tally`]: the counts, the failures by note and format, the spans by job.
#[derive(Debug, Default)]
pub(crate) struct Books {
    pub(crate) files: u64,
    pub(crate) bytes: u64,
    pub(crate) unchanged: u64,
    pub(crate) retries_done: u64,
    pub(crate) failures: Vec<Failure>,
    pub(crate) spans: Vec<Span>,
    pub(crate) tags_changed: TagChanges,
}

impl Tally {
    /// An empty tally; with `timeline`, one that keeps spans.
    pub(crate) fn new(timeline: bool) -> Self {
        Tally {
            spans: timeline.then(|| Mutex::new(Vec::new())),
            ..Tally::default()
        }
    }

    /// A file of `bytes` bytes was written.
    pub(crate) fn written(&self, bytes: u64) {
        self.files.add(1);
        self.bytes.add(bytes);
    }

    /// `n` files were already up to date.
    pub(crate) fn unchanged(&self, n: u64) {
        self.unchanged.fetch_add(n, Ordering::Relaxed);
    }

    /// A note's tags were written with `changes` (see [`TagChange`]).
    pub(crate) fn tags_changed(&self, changes: &[TagChange]) {
        let mut tally = lock(&self.tags_changed);
        tally.notes += 1;
        for &change in changes {
            *tally.changes.entry(change).or_default() += 1;
        }
    }

    /// A write is being tried again.
    pub(crate) fn retried(&self) {
        self.retries_done.fetch_add(1, Ordering::Relaxed);
    }

    /// A job failed.
    pub(crate) fn failed(&self, failure: Failure) {
        lock(&self.failures).push(failure);
    }

    /// A file booked as written (`bytes` of it) could not be published: it is a failure after
    /// all. Booked once, however many steps report it.
    pub(crate) fn unpublished(&self, failure: Failure, bytes: u64) {
        let mut failures = lock(&self.failures);
        if failures.iter().any(|f| f.path == failure.path) {
            return;
        }
        self.files.sub(1);
        self.bytes.sub(bytes);
        failures.push(failure);
    }

    /// Whether spans are kept.
    pub(crate) fn keeps_spans(&self) -> bool {
        self.spans.is_some()
    }

    /// A job ran from `start_s` to `end_s` (seconds since the export began).
    pub(crate) fn span(&self, index: u64, start_s: f64, end_s: f64) {
        if let Some(spans) = &self.spans {
            lock(spans).push(Span {
                index,
                start_s,
                end_s,
            });
        }
    }

    /// The books, sorted: failures by note, format and path; spans by job. Called once every
    /// job is done; the lists are taken, the counts read.
    pub(crate) fn close(&self) -> Books {
        let mut failures = std::mem::take(&mut *lock(&self.failures));
        failures
            .sort_by(|a, b| (a.note_id, a.format, &a.path).cmp(&(b.note_id, b.format, &b.path)));
        let mut spans = self
            .spans
            .as_ref()
            .map(|s| std::mem::take(&mut *lock(s)))
            .unwrap_or_default();
        spans.sort_by_key(|s| s.index);
        Books {
            files: self.files.sum(),
            bytes: self.bytes.sum(),
            unchanged: self.unchanged.load(Ordering::Relaxed),
            retries_done: self.retries_done.load(Ordering::Relaxed),
            failures,
            spans,
            tags_changed: std::mem::take(&mut *lock(&self.tags_changed)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_keep_their_kind_and_show_a_stable_name() {
        let file = OutFile {
            note: Some(3),
            format: Format::Md,
            name: "3-a.md".into(),
            placed: false,
        };
        let failure = Failure::of(&file, &io::Error::from_raw_os_error(28));
        assert_eq!(failure.kind, io::ErrorKind::StorageFull);
        let json = serde_json::to_value(&failure).unwrap();
        assert_eq!(json["kind"], "storage_full");
        assert_eq!(json["path"], "md/3-a.md");
        assert_eq!(json["note_id"], 3);
        assert_eq!(error_kind_name(io::ErrorKind::Interrupted), "interrupted");
        assert_eq!(error_kind_name(io::ErrorKind::Other), "other");
    }

    #[test]
    fn an_unpublished_file_moves_from_files_to_failures_once() {
        let tally = Tally::new(false);
        tally.written(10);
        tally.written(5);
        let file = OutFile::bundle(Format::Json);
        let failure = Failure::of(&file, &io::Error::other("gone"));
        tally.unpublished(failure.clone(), 5);
        tally.unpublished(failure, 5);
        let books = tally.close();
        assert_eq!((books.files, books.bytes, books.failures.len()), (1, 10, 1));
    }
}
