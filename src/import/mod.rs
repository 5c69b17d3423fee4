//! Import: notes that smartnotes, another tool or a person wrote, read into the notebook.
//!
//! [`import`] is the whole pipeline, the mirror of [`crate::export::export`] (module
//! `pipeline`). It walks the paths it is given ([`walk`]: files as named, folders recursively,
//! keeping the files whose extension is one import reads, never opening a FIFO, a socket or a
//! device), reads each file under a size limit as UTF-8, on several threads, and hands its text
//! to [`parse`], which picks the reader by the file's [`Shape`] and its content (one file per
//! reader in this folder): a Markdown note of any tool (`vault`), smartnotes' Markdown bundle
//! and, under `--strict`, smartnotes' own Markdown only (`markdown`), smartnotes' JSON, JSON
//! Lines and CSV, and jrnl's JSON export and journal file (`jrnl_json`, `jrnl_text`). Then it
//! folds the copies of one note that several formats hold, finds the notes the notebook already
//! holds, and gives the rest to [`Store::import_each`](crate::store::Store::import_each), which
//! writes them in a single transaction.
//!
//! What cannot be imported is an [`ImportError`] naming the file, the line where one applies
//! and what is wrong; by default any error means nothing is written. What can be imported, but
//! not exactly as written (a front matter no reader accepts, a date or a tag smartnotes cannot
//! keep), is a [`Warning`] naming the same, and the note comes in with nothing lost.
//!
//! Every reader runs in time linear in its input: each byte is looked at a bounded number of
//! times (module `lines` counts them for the tests), the front matter parsers are given only what
//! is small and shallow enough (modules `front_matter` and `front`), and copies of a note are
//! found by hash.

mod attachments;
mod body;
mod csv;
#[cfg(test)]
mod csv_tests;
mod dates;
mod error;
mod fields;
mod front;
mod front_matter;
#[cfg(test)]
mod fuzz_tests;
mod jrnl_json;
mod jrnl_text;
mod json;
mod jsonl;
mod lines;
mod markdown;
mod nesting;
mod pipeline;
mod props;
mod tags;
#[cfg(test)]
mod tests;
mod vault;
mod walk;
mod zone;

use std::path::{Path, PathBuf};

pub use attachments::{HashedFile, hash_attachment, link_targets, parse_attachment_size};
pub use error::{EXTENSIONS, ImportError, Origin, SpecialKind, Warning};
pub use pipeline::{
    AttachmentCounts, ImportSummary, fold_duplicates, import, import_with_progress,
};
pub use walk::{
    FileText, Shape, SpecialFile, Walk, WalkedAttachment, WalkedFile, decode, read_text, shape_of,
    walk,
};
pub use zone::Zone;

use crate::export::naming::bundle_name;
use crate::format::{Format, opens_record};
use crate::model::{
    NewNote, Properties, Source, Timestamp, validate, validate_properties, validate_source,
};
use crate::store::ImportMode;
use error::at;
use lines::Lines;

/// The size limit of one file when none is given: 16 MiB.
pub const DEFAULT_MAX_SIZE: u64 = 16 * 1024 * 1024;

/// Everything that decides what an import does. Build one with [`ImportConfig::default`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportConfig {
    /// New ids, kept ids, or update by id.
    pub mode: ImportMode,
    /// Import the valid notes and report the others, instead of importing nothing.
    pub skip_invalid: bool,
    /// Validate and report, write nothing.
    pub dry_run: bool,
    /// Files larger than this many bytes are refused.
    pub max_size: u64,
    /// Attachments (files of a folder that are not notes) larger than this many bytes are
    /// refused; at most [`crate::store::MAX_ATTACHMENT_SIZE`].
    pub max_attachment_size: u64,
    /// CSV files were written with `--csv-safe`: remove the `'` it put before cells.
    pub csv_safe: bool,
    /// Read only the files smartnotes writes, and make every problem an error (the import of
    /// before other tools' notes were read).
    pub strict: bool,
    /// The zone a date without one is read in.
    pub zone: Zone,
    /// Files whose names mean nothing (standard input, kept in a temporary file): their notes
    /// remember no source path, so two different texts piped in are two notes, not one note
    /// updated under the temporary name.
    pub unnamed: Vec<PathBuf>,
}

impl Default for ImportConfig {
    fn default() -> Self {
        ImportConfig {
            mode: ImportMode::NewIds,
            skip_invalid: false,
            dry_run: false,
            max_size: DEFAULT_MAX_SIZE,
            max_attachment_size: crate::store::DEFAULT_MAX_ATTACHMENT_SIZE,
            csv_safe: false,
            strict: false,
            zone: Zone::local(),
            unnamed: Vec::new(),
        }
    }
}

/// How one text is read: what [`parse`] needs beyond the text. The default reads as import
/// does without options: not strictly, dates without a zone in the local zone.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// Only what smartnotes writes, every problem an error.
    pub strict: bool,
    /// CSV cells carry `--csv-safe`'s `'`.
    pub csv_safe: bool,
    /// The zone of dates without one.
    pub zone: Zone,
    /// Ids are kept (`--keep-ids`, `--update`): an id that cannot be one is an error, not a
    /// property.
    pub ids_matter: bool,
    /// The file's path relative to the import root: the source path of the note a Markdown
    /// file holds. `None` for a text that is no file of a vault.
    pub source_path: Option<String>,
    /// The file's modification time: the dates of a note that gives none (the current time
    /// when not known).
    pub modified: Option<Timestamp>,
}

impl ReadOptions {
    /// Reading as `config` says.
    pub fn of(config: &ImportConfig) -> Self {
        ReadOptions {
            strict: config.strict,
            csv_safe: config.csv_safe,
            zone: config.zone.clone(),
            ids_matter: config.mode != ImportMode::NewIds,
            source_path: None,
            modified: None,
        }
    }
}

/// One note read from a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// Where it was read.
    pub origin: Origin,
    /// Its id, if the file gave one (a note of another tool does not).
    pub id: Option<i64>,
    /// Its fields.
    pub note: NewNote,
    /// The file started with a UTF-8 byte-order mark (its Markdown note's source keeps it).
    pub bom: bool,
}

/// A record of a reader, or why there is none; a reader returns one error for a file it
/// cannot read at all, one per record for records it cannot read.
pub type Parsed = Result<Record, ImportError>;

/// What [`parse`] read from one text.
#[derive(Debug, Default)]
pub struct FileRead {
    /// One result per record, or one error for a text that cannot be read at all.
    pub records: Vec<Parsed>,
    /// What was read, but not exactly as written.
    pub warnings: Vec<Warning>,
    /// Dates read without a zone, in [`ReadOptions::zone`].
    pub zoneless: u64,
    /// The text holds no note and was left out (a `.txt` that is no journal).
    pub skipped: bool,
}

/// The warnings and counts a reader adds to as it reads.
#[derive(Debug, Default)]
pub(super) struct Report {
    pub warnings: Vec<Warning>,
    pub zoneless: u64,
}

impl Report {
    pub(super) fn warn(&mut self, path: &Path, line: Option<usize>, message: String) {
        self.warnings.push(Warning {
            path: path.to_path_buf(),
            line,
            message,
        });
    }
}

/// The fields every reader finds, checked once, here.
struct Fields {
    id: Option<i64>,
    title: String,
    tags: Vec<String>,
    created: Timestamp,
    updated: Timestamp,
    body: String,
    properties: Properties,
    source: Option<Source>,
}

impl Fields {
    fn check(self, path: &Path, line: Option<usize>) -> Parsed {
        let invalid = |message: String| ImportError::Invalid {
            path: path.to_path_buf(),
            line,
            message,
        };
        if let Some(id) = self.id {
            fields::check_id(id.into()).map_err(|e| invalid(format!("id: {e}")))?;
        }
        validate(&self.title, &self.body, &self.tags)
            .map_err(|e| invalid(fields::shorten(e.to_string())))?;
        validate_properties(&self.properties)
            .and_then(|()| self.source.as_ref().map_or(Ok(()), validate_source))
            .map_err(|e| invalid(fields::shorten(e.to_string())))?;
        Ok(Record {
            origin: at(path, &line),
            bom: false,
            id: self.id,
            note: NewNote {
                title: self.title,
                body: self.body,
                tags: self.tags,
                created: self.created,
                updated: self.updated,
                properties: self.properties,
                source: self.source,
            },
        })
    }
}

/// The UTF-8 byte-order mark that Notepad and other editors put at the start of a file.
const BOM: char = '\u{feff}';

/// Parses `text`, the contents of `path`, as a file of `shape`: the reader is chosen by the
/// shape and the text (a Markdown bundle, a jrnl JSON export). A byte-order mark at the start
/// is not part of any record; the records say it was there ([`Record::bom`]).
pub fn parse(path: &Path, text: &str, shape: Shape, options: &ReadOptions) -> FileRead {
    parse_counted(path, text, shape, options).0
}

/// [`parse`], and the number of bytes the reader looked at (see [`lines`]).
fn parse_counted(path: &Path, text: &str, shape: Shape, options: &ReadOptions) -> (FileRead, u64) {
    let (text, bom) = match text.strip_prefix(BOM) {
        Some(rest) => (rest, true),
        None => (text, false),
    };
    let mut lines = Lines::new(text);
    let mut report = Report::default();
    let mut read = FileRead::default();
    let empty = || {
        vec![Err(ImportError::Empty {
            path: path.to_path_buf(),
        })]
    };
    read.records = match shape {
        Shape::Markdown if text.is_empty() && options.strict => empty(),
        Shape::Markdown if options.strict || is_bundle(path, text) => {
            markdown::read(path, text, bom, options, &mut lines, &mut report)
        }
        Shape::Markdown => vec![vault::read(
            path,
            text,
            bom,
            options,
            &mut lines,
            &mut report,
        )],
        _ if text.is_empty() => empty(),
        Shape::Json => json::read(path, text, options, &mut lines, &mut report),
        Shape::Jsonl => jsonl::read(path, text, &mut lines),
        Shape::Csv => csv::read(path, text, options.csv_safe, &mut lines),
        Shape::Text => match jrnl_text::read(path, text, options, &mut lines, &mut report) {
            Some(records) => records,
            None => {
                read.skipped = true;
                Vec::new()
            }
        },
    };
    for record in read.records.iter_mut().flatten() {
        record.bom = bom;
    }
    read.warnings = report.warnings;
    read.zoneless = report.zoneless;
    (read, lines.work())
}

/// Whether a Markdown file is smartnotes' bundle: its name, and a first record as the bundle
/// writes them.
fn is_bundle(path: &Path, text: &str) -> bool {
    path.file_name()
        .is_some_and(|n| n.to_string_lossy() == bundle_name(Format::Md))
        && opens_record(text)
}

/// Drops a serde error's own ` at line N column M`s (at its end, and before each `, while ...`
/// that libyaml adds): the message already starts with ours, at the file's line.
fn strip_location(message: &str) -> String {
    let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find(" at line ") {
        let after_line = &rest[i + 9..];
        let line = digits(after_line);
        let location = after_line[line..]
            .strip_prefix(" column ")
            .map(|after| (after, digits(after)))
            .filter(|&(after, column)| {
                line > 0 && column > 0 && {
                    let tail = &after[column..];
                    tail.is_empty() || tail.starts_with(',')
                }
            });
        match location {
            Some((after, column)) => {
                out.push_str(&rest[..i]);
                rest = &after[column..];
            }
            None => {
                out.push_str(&rest[..i + 9]);
                rest = after_line;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Parses a size: `1024`, `1KB` (1000), `1KiB` (1024), `16MiB`, `2GB`; case does not matter.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1000,
        "kib" => 1 << 10,
        "m" | "mb" => 1_000_000,
        "mib" => 1 << 20,
        "g" | "gb" => 1_000_000_000,
        "gib" => 1 << 30,
        other => {
            return Err(format!(
                "unknown unit {other:?} in {text:?} (write it like 1024, 1KB, 16MiB)"
            ));
        }
    };
    let value: f64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a size (write it like 1024, 1KB, 16MiB)"))?;
    Ok((value * factor as f64).round() as u64)
}

#[cfg(test)]
mod strip_tests {
    use super::strip_location;

    #[test]
    fn a_parsers_own_location_is_dropped_at_the_end_or_before_while() {
        assert_eq!(strip_location("bad at line 3 column 7"), "bad");
        assert_eq!(
            strip_location("did not find ',' at line 2 column 5, while parsing a flow sequence"),
            "did not find ',', while parsing a flow sequence"
        );
        assert_eq!(strip_location("at line x column 2"), "at line x column 2");
        assert_eq!(
            strip_location(
                "did not find ']' at line 2 column 5, while parsing a flow sequence at line 1 column 8"
            ),
            "did not find ']', while parsing a flow sequence"
        );
        assert_eq!(
            strip_location("a title at line 3 column 4 of text"),
            "a title at line 3 column 4 of text"
        );
    }
}
