//! Import: files that smartnotes (or a person) wrote, read back into the notebook.
//!
//! [`import`] is the whole pipeline, the mirror of [`crate::export::export`]. It walks the
//! paths it is given ([`walk`]: files as named, folders recursively, keeping the files whose
//! extension is `.md`, `.markdown`, `.json`, `.jsonl` or `.csv`, and never opening a FIFO, a
//! socket or a device), reads each file under a size limit as UTF-8 (after a byte-order mark,
//! if it has one), hands it to the reader of its format (one file per format in this folder),
//! folds the copies of one note that several formats hold into one, and gives the notes to
//! [`Store::import`], which writes them in a single transaction. Every problem becomes an
//! [`ImportError`] that names the file, the line where one applies, and what is wrong; by
//! default any error means nothing is written.
//!
//! Every reader runs in time linear in its input: each byte is looked at a bounded number of
//! times (module `lines` counts them for the tests), the front matter parser is given only what is
//! small and shallow enough (module `front_matter`), and copies of a note are found by hash.

mod body;
mod csv;
mod dates;
mod fields;
mod front_matter;
#[cfg(test)]
mod fuzz_tests;
mod json;
mod jsonl;
mod lines;
mod markdown;
mod nesting;
mod props;
#[cfg(test)]
mod tests;
mod zone;

pub use zone::Zone;

use std::collections::HashMap;
use std::fmt;
use std::fs::{File, FileType, Metadata};
use std::hash::{Hash, Hasher};
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::format::Format;
use crate::model::{NewNote, Timestamp, validate};
use crate::store::{ImportMode, Incoming, Outcome, Store, StoreError};
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
    /// CSV files were written with `--csv-safe`: remove the `'` it put before cells.
    pub csv_safe: bool,
}

impl Default for ImportConfig {
    fn default() -> Self {
        ImportConfig {
            mode: ImportMode::NewIds,
            skip_invalid: false,
            dry_run: false,
            max_size: DEFAULT_MAX_SIZE,
            csv_safe: false,
        }
    }
}

/// Where a record came from: `path` or `path:line`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// The file.
    pub path: PathBuf,
    /// The line the record starts on, where the format has lines that mean something.
    pub line: Option<usize>,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        match self.line {
            Some(line) => write!(f, ":{line}"),
            None => Ok(()),
        }
    }
}

fn at(path: &Path, line: &Option<usize>) -> Origin {
    Origin {
        path: path.to_path_buf(),
        line: *line,
    }
}

/// Why a file, or a note in it, cannot be imported. Every message starts with `path` or
/// `path:line`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The file or folder could not be read.
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A folder where a file is expected: a named path, or a folder whose name ends in a
    /// note extension.
    #[error("{}: is a folder, not a file", path.display())]
    NotAFile {
        /// The folder.
        path: PathBuf,
    },
    /// A file named on the command line whose extension is not a format smartnotes reads.
    #[error("{}: unknown extension (expected .md, .markdown, .json, .jsonl or .csv)", path.display())]
    UnknownExtension {
        /// The file.
        path: PathBuf,
    },
    /// Larger than the size limit.
    #[error("{}: {size} bytes is over the size limit of {limit} bytes (see --max-size)", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size (at least `limit + 1` when it grew while read).
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// A FIFO, socket or device: not opened (opening a FIFO waits for a writer).
    #[error("{}: is a {kind}, not a regular file", path.display())]
    NotRegular {
        /// The path.
        path: PathBuf,
        /// What it is.
        kind: SpecialKind,
    },
    /// Zero bytes (or only a byte-order mark).
    #[error("{}: the file is empty", path.display())]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// Not UTF-8.
    #[error("{}: invalid UTF-8 at byte {offset}", at(path, &Some(*line)))]
    Utf8 {
        /// The file.
        path: PathBuf,
        /// The line holding the first bad byte.
        line: usize,
        /// Offset of the first bad byte from the start of the file.
        offset: usize,
    },
    /// Markdown whose YAML front matter is broken.
    #[error("{}: front matter: {message}", at(path, line))]
    FrontMatter {
        /// The file.
        path: PathBuf,
        /// The line of the problem.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// JSON or JSON Lines that does not hold notes.
    #[error("{}: JSON: {message}", at(path, line))]
    Json {
        /// The file.
        path: PathBuf,
        /// The line of the problem.
        line: Option<usize>,
        /// What is wrong, with the column when serde_json knows it.
        message: String,
    },
    /// CSV that is not what smartnotes writes.
    #[error("{}: CSV: {message}", at(path, line))]
    Csv {
        /// The file.
        path: PathBuf,
        /// The line of the problem.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// A note that parsed but whose fields are not valid (a bad tag, a NUL, a bad id).
    #[error("{}: invalid note: {message}", at(path, line))]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The line the note starts on.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// Two records with the same id but different contents, with ids kept.
    #[error(
        "{second}: note {id} differs from note {id} read from {first}; with --keep-ids or --update an id must mean one note"
    )]
    Conflict {
        /// The id.
        id: i64,
        /// The record read first.
        first: Origin,
        /// The one that disagrees.
        second: Origin,
    },
    /// `--keep-ids` and the notebook already has a note with this id.
    #[error(
        "{origin}: note {id} ({title:?}) clashes with note {id} ({existing:?}) already in the notebook; use --update to replace it, or import without --keep-ids"
    )]
    Clash {
        /// Where the incoming note came from.
        origin: Origin,
        /// The id.
        id: i64,
        /// The incoming note's title.
        title: String,
        /// The title of the note already in the notebook.
        existing: String,
    },
}

impl ImportError {
    /// The file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            ImportError::Io { path, .. }
            | ImportError::NotAFile { path }
            | ImportError::UnknownExtension { path }
            | ImportError::NotRegular { path, .. }
            | ImportError::TooLarge { path, .. }
            | ImportError::Empty { path }
            | ImportError::Utf8 { path, .. }
            | ImportError::FrontMatter { path, .. }
            | ImportError::Json { path, .. }
            | ImportError::Csv { path, .. }
            | ImportError::Invalid { path, .. } => path,
            ImportError::Conflict { second, .. } => &second.path,
            ImportError::Clash { origin, .. } => &origin.path,
        }
    }

    /// The line the error is about, where one applies.
    pub fn line(&self) -> Option<usize> {
        match self {
            ImportError::Utf8 { line, .. } => Some(*line),
            ImportError::FrontMatter { line, .. }
            | ImportError::Json { line, .. }
            | ImportError::Csv { line, .. }
            | ImportError::Invalid { line, .. } => *line,
            ImportError::Conflict { second, .. } => second.line,
            ImportError::Clash { origin, .. } => origin.line,
            _ => None,
        }
    }
}

/// One note read from a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// Where it was read.
    pub origin: Origin,
    /// Its id, if the file gave one (Markdown without front matter does not).
    pub id: Option<i64>,
    /// Its fields.
    pub note: NewNote,
    /// The file started with a UTF-8 byte-order mark. The notebook has no place to keep this
    /// yet (that needs a schema change), so an export does not write it back.
    pub bom: bool,
}

/// A record of a reader, or why there is none; a reader returns one error for a file it
/// cannot read at all, one per record for records it cannot read.
type Parsed = Result<Record, ImportError>;

/// The fields every reader finds, checked once, here.
struct Fields {
    id: Option<i64>,
    title: String,
    tags: Vec<String>,
    created: Timestamp,
    updated: Timestamp,
    body: String,
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
                properties: Default::default(),
                source: None,
            },
        })
    }
}

/// The format a file name says, if it names one smartnotes reads.
pub fn format_of(path: &Path) -> Option<Format> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "md" | "markdown" => Some(Format::Md),
        "json" => Some(Format::Json),
        "jsonl" => Some(Format::Jsonl),
        "csv" => Some(Format::Csv),
        _ => None,
    }
}

/// What a path is when it is neither a folder nor a regular file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum SpecialKind {
    /// A named pipe.
    Fifo,
    /// A Unix domain socket.
    Socket,
    /// A block device.
    BlockDevice,
    /// A character device.
    CharDevice,
    /// Something else that is not a regular file.
    Other,
}

impl fmt::Display for SpecialKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SpecialKind::Fifo => "FIFO",
            SpecialKind::Socket => "socket",
            SpecialKind::BlockDevice => "block device",
            SpecialKind::CharDevice => "character device",
            SpecialKind::Other => "special file",
        })
    }
}

/// What kind of special file `file_type` is, or `None` for a folder, a regular file or a link.
fn special_kind(file_type: FileType) -> Option<SpecialKind> {
    if file_type.is_dir() || file_type.is_file() || file_type.is_symlink() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return Some(SpecialKind::Fifo);
        }
        if file_type.is_socket() {
            return Some(SpecialKind::Socket);
        }
        if file_type.is_block_device() {
            return Some(SpecialKind::BlockDevice);
        }
        if file_type.is_char_device() {
            return Some(SpecialKind::CharDevice);
        }
    }
    Some(SpecialKind::Other)
}

/// A FIFO, socket or device found in a folder, left out of the import.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SpecialFile {
    /// Where.
    pub path: PathBuf,
    /// What it is.
    pub kind: SpecialKind,
}

/// The files to import under `paths`, in a stable order.
#[derive(Debug, Default)]
pub struct Walk {
    /// Files with a note extension, each with its format, in the order given, folders sorted
    /// by name.
    pub files: Vec<(PathBuf, Format)>,
    /// Files inside folders that were left out: other extensions, hidden names (`.x`), and
    /// symbolic links to folders (never followed, so a link cannot make the walk loop).
    pub skipped: u64,
    /// FIFOs, sockets and devices inside folders (or links to them): never opened, so an
    /// import never waits on one.
    pub special: Vec<SpecialFile>,
    /// Paths that could not be walked.
    pub errors: Vec<ImportError>,
}

/// Walks `paths`: a file is taken as named (its extension must be a note format), a folder
/// recursively.
pub fn walk(paths: &[PathBuf]) -> Walk {
    let mut walk = Walk::default();
    for path in paths {
        match std::fs::metadata(path) {
            Err(source) => walk.errors.push(ImportError::Io {
                path: path.clone(),
                source,
            }),
            Ok(meta) if meta.is_dir() => match format_of(path) {
                // `x.json/` was meant to be a file: refusing it beats importing whatever
                // happens to be inside.
                Some(_) => walk
                    .errors
                    .push(ImportError::NotAFile { path: path.clone() }),
                None => walk_dir(path, &mut walk),
            },
            Ok(meta) => match (special_kind(meta.file_type()), format_of(path)) {
                (Some(kind), _) => walk.errors.push(ImportError::NotRegular {
                    path: path.clone(),
                    kind,
                }),
                (None, Some(format)) => walk.files.push((path.clone(), format)),
                (None, None) => walk
                    .errors
                    .push(ImportError::UnknownExtension { path: path.clone() }),
            },
        }
    }
    walk
}

fn walk_dir(dir: &Path, walk: &mut Walk) {
    let entries = match std::fs::read_dir(dir).and_then(|r| r.collect::<Result<Vec<_>, _>>()) {
        Ok(entries) => entries,
        Err(source) => {
            walk.errors.push(ImportError::Io {
                path: dir.to_path_buf(),
                source,
            });
            return;
        }
    };
    let mut entries: Vec<_> = entries.iter().map(|e| (e.path(), e.file_type())).collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    for (path, own_type) in entries {
        let hidden = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        // Hidden entries are other tools' state (an export's manifest, a staging folder).
        if hidden {
            walk.skipped += 1;
            continue;
        }
        // The entry's own type (what `symlink_metadata` says), then, for a link, its target's.
        let own_type = match own_type {
            Ok(t) => t,
            Err(source) => {
                walk.errors.push(ImportError::Io { path, source });
                continue;
            }
        };
        let link = own_type.is_symlink();
        let file_type = if link {
            match std::fs::metadata(&path) {
                Ok(meta) => meta.file_type(),
                Err(source) => {
                    walk.errors.push(ImportError::Io { path, source });
                    continue;
                }
            }
        } else {
            own_type
        };
        if let Some(kind) = special_kind(file_type) {
            walk.special.push(SpecialFile { path, kind });
        } else if file_type.is_dir() && link {
            walk.skipped += 1;
        } else if file_type.is_dir() {
            match format_of(&path) {
                Some(_) => walk.errors.push(ImportError::NotAFile { path }),
                None => walk_dir(&path, walk),
            }
        } else {
            match format_of(&path) {
                Some(format) => walk.files.push((path, format)),
                None => walk.skipped += 1,
            }
        }
    }
}

/// Opens `path` for reading if it is a regular file (or a link to one), without waiting:
/// its type is checked before it is opened, and what was opened is checked again, in case the
/// path was replaced in between (by a FIFO, whose open would otherwise wait for a writer).
fn open_regular(path: &Path) -> Result<(File, Metadata), ImportError> {
    let io = |source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    };
    let check = |meta: &Metadata| {
        if meta.is_dir() {
            return Err(ImportError::NotAFile {
                path: path.to_path_buf(),
            });
        }
        match special_kind(meta.file_type()) {
            Some(kind) => Err(ImportError::NotRegular {
                path: path.to_path_buf(),
                kind,
            }),
            None => Ok(()),
        }
    };
    check(&std::fs::metadata(path).map_err(io)?)?;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // O_NONBLOCK: a FIFO swapped in after the check opens at once instead of waiting
        // (regular files ignore the flag).
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    check(&meta)?;
    Ok((file, meta))
}

/// Reads a whole file as UTF-8 text, refusing folders, FIFOs, sockets, devices, empty files
/// and files over `max_size` bytes. A byte-order mark is kept: [`parse`] reads past it.
pub fn read_text(path: &Path, max_size: u64) -> Result<String, ImportError> {
    let (file, meta) = open_regular(path)?;
    let too_large = |size| ImportError::TooLarge {
        path: path.to_path_buf(),
        size,
        limit: max_size,
    };
    if meta.len() > max_size {
        return Err(too_large(meta.len()));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // The limit holds even for a file that grows while it is read.
    file.take(max_size.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|source| ImportError::Io {
            path: path.to_path_buf(),
            source,
        })?;
    if bytes.len() as u64 > max_size {
        return Err(too_large(bytes.len() as u64));
    }
    decode(path, bytes)
}

/// The bytes of `path` as text: not empty, UTF-8.
pub fn decode(path: &Path, bytes: Vec<u8>) -> Result<String, ImportError> {
    if bytes.is_empty() {
        return Err(ImportError::Empty {
            path: path.to_path_buf(),
        });
    }
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let line = 1 + e.as_bytes()[..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        ImportError::Utf8 {
            path: path.to_path_buf(),
            line,
            offset,
        }
    })
}

/// The UTF-8 byte-order mark that Notepad and other editors put at the start of a file.
const BOM: char = '\u{feff}';

/// Parses `text`, the contents of `path`, as `format`: one result per record, or one error
/// for a file that cannot be read at all. A byte-order mark at the start is not part of any
/// record; the records say it was there ([`Record::bom`]).
pub fn parse(path: &Path, text: &str, format: Format, csv_safe: bool) -> Vec<Parsed> {
    parse_counted(path, text, format, csv_safe).0
}

/// [`parse`], and the number of bytes the reader looked at (see [`lines`]).
fn parse_counted(path: &Path, text: &str, format: Format, csv_safe: bool) -> (Vec<Parsed>, u64) {
    let (text, bom) = match text.strip_prefix(BOM) {
        Some(rest) => (rest, true),
        None => (text, false),
    };
    if text.is_empty() {
        let empty = ImportError::Empty {
            path: path.to_path_buf(),
        };
        return (vec![Err(empty)], 0);
    }
    let mut lines = Lines::new(text);
    let mut results = match format {
        Format::Md => markdown::read(path, text, &mut lines),
        Format::Json => json::read(path, text, &mut lines),
        Format::Jsonl => jsonl::read(path, text, &mut lines),
        Format::Csv => csv::read(path, text, csv_safe, &mut lines),
    };
    for record in results.iter_mut().flatten() {
        record.bom = bom;
    }
    (results, lines.work())
}

/// Drops a serde error's own ` at line N column M`: the message already starts with ours.
fn strip_location(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(i)
            if message[i + 9..]
                .split(" column ")
                .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())) =>
        {
            &message[..i]
        }
        _ => message,
    }
}

/// Folds the copies of one note: records with the same id and the same fields (the same note
/// exported to several formats) are kept once, and the others counted as duplicates.
///
/// Records that share an id but differ are a [`ImportError::Conflict`] naming both files when
/// ids are kept ([`ImportMode::KeepIds`], [`ImportMode::Update`]): which one would win is not
/// ours to guess. With new ids they are simply different notes and both are kept.
pub fn fold_duplicates(
    records: Vec<Record>,
    mode: ImportMode,
) -> (Vec<Record>, u64, Vec<ImportError>) {
    let mut kept: Vec<Record> = Vec::with_capacity(records.len());
    // The first record kept for each id, and the records kept for each id and content hash:
    // a lookup each, however many records share an id.
    let mut first: HashMap<i64, usize> = HashMap::new();
    let mut same: HashMap<(i64, u64), Vec<usize>> = HashMap::new();
    let mut duplicates = 0;
    let mut errors = Vec::new();
    for record in records {
        let Some(id) = record.id else {
            kept.push(record);
            continue;
        };
        let key = (id, content_hash(&record.note));
        let copies = same.get(&key).map_or(&[][..], Vec::as_slice);
        if copies.iter().any(|&i| kept[i].note == record.note) {
            duplicates += 1;
            continue;
        }
        if let (Some(&first), false) = (first.get(&id), mode == ImportMode::NewIds) {
            errors.push(ImportError::Conflict {
                id,
                first: kept[first].origin.clone(),
                second: record.origin,
            });
            continue;
        }
        first.entry(id).or_insert(kept.len());
        same.entry(key).or_default().push(kept.len());
        kept.push(record);
    }
    (kept, duplicates, errors)
}

/// A hash of every field of a note.
fn content_hash(note: &NewNote) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (
        &note.title,
        &note.body,
        &note.tags,
        note.created,
        note.updated,
    )
        .hash(&mut h);
    h.finish()
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Default, Serialize)]
pub struct ImportSummary {
    /// Note files read (including those with errors).
    pub files: u64,
    /// Files in folders left out (other extensions, hidden names).
    pub skipped_files: u64,
    /// FIFOs, sockets and devices in folders, left out without being opened.
    pub special_files: Vec<SpecialFile>,
    /// Notes added.
    pub added: u64,
    /// Notes that replaced the note with their id (`--update`).
    pub updated: u64,
    /// Notes identical to the note with their id (`--update`).
    pub unchanged: u64,
    /// Copies of a note already read from another file or format.
    pub duplicates: u64,
    /// Notes (or files) not imported because of an error.
    pub invalid: u64,
    /// True when the notebook was written.
    pub committed: bool,
    /// True for a dry run.
    pub dry_run: bool,
    /// What would happen to each note, in a dry run: (where from, id, what).
    #[serde(skip)]
    pub plan: Vec<(Origin, Option<i64>, Outcome)>,
    /// Every error, in the order found.
    #[serde(skip)]
    pub errors: Vec<ImportError>,
}

/// Imports every note under `paths` into `store` as `config` says.
///
/// Errors in the input are not an `Err`: they are in [`ImportSummary::errors`], and unless
/// [`ImportConfig::skip_invalid`] is set any of them means nothing is written
/// ([`ImportSummary::committed`] is false). `Err` is for the notebook itself (locked,
/// unreadable).
pub fn import(
    store: &mut Store,
    paths: &[PathBuf],
    config: &ImportConfig,
) -> Result<ImportSummary, StoreError> {
    let walked = walk(paths);
    let mut summary = ImportSummary {
        files: walked.files.len() as u64,
        skipped_files: walked.skipped,
        special_files: walked.special,
        dry_run: config.dry_run,
        errors: walked.errors,
        ..ImportSummary::default()
    };
    let mut records = Vec::new();
    for (path, format) in &walked.files {
        match read_text(path, config.max_size) {
            Ok(text) => {
                for result in parse(path, &text, *format, config.csv_safe) {
                    match result {
                        Ok(record) => records.push(record),
                        Err(e) => summary.errors.push(e),
                    }
                }
            }
            Err(e) => summary.errors.push(e),
        }
    }
    let (records, duplicates, conflicts) = fold_duplicates(records, config.mode);
    summary.duplicates = duplicates;
    summary.errors.extend(conflicts);
    let incoming: Vec<Incoming> = records
        .iter()
        .map(|r| Incoming {
            id: r.id,
            note: r.note.clone(),
        })
        .collect();
    // Any error so far already means nothing is written: ask the store only what it would
    // do, so clashes are reported too.
    let failed = !summary.errors.is_empty() && !config.skip_invalid;
    let report = store.import(
        &incoming,
        config.mode,
        config.dry_run || failed,
        config.skip_invalid,
    )?;
    for (record, outcome) in records.into_iter().zip(report.outcomes) {
        if let Outcome::Clash(existing) = &outcome {
            summary.errors.push(ImportError::Clash {
                id: existing.id,
                title: record.note.title,
                existing: existing.title.clone(),
                origin: record.origin,
            });
            continue;
        }
        match outcome {
            Outcome::Added(_) => summary.added += 1,
            Outcome::Updated(_) => summary.updated += 1,
            Outcome::Unchanged(_) => summary.unchanged += 1,
            Outcome::Clash(_) => {}
        }
        if config.dry_run {
            summary.plan.push((record.origin, record.id, outcome));
        }
    }
    summary.invalid = summary.errors.len() as u64;
    summary.committed = report.committed;
    if !report.committed {
        // Nothing was written: say so in the counts a script reads, unless this was only a
        // dry run, whose counts are the point.
        if !config.dry_run {
            summary.added = 0;
            summary.updated = 0;
            summary.unchanged = 0;
        }
    }
    Ok(summary)
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
