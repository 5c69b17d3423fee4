//! Why a file, or a note in it, cannot be imported ([`ImportError`]), and what an import read
//! but had to say something about ([`Warning`]). Every message starts with `path` or
//! `path:line`.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

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

pub(super) fn at(path: &Path, line: &Option<usize>) -> Origin {
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
    #[error("{}: unknown extension (expected {})", path.display(), EXTENSIONS)]
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
    /// An attachment larger than its size limit.
    #[error("{}: {size} bytes is over the attachment size limit of {limit} bytes (see --max-attachment-size)", path.display())]
    AttachmentTooLarge {
        /// The file.
        path: PathBuf,
        /// Its size (at least `limit + 1` when it grew while read).
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// An attachment that could not be stored.
    #[error("{}: attachment not stored: {reason}", path.display())]
    Attachment {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A FIFO, socket or device: not opened (opening a FIFO waits for a writer).
    #[error("{}: is a {kind}, not a regular file", path.display())]
    NotRegular {
        /// The path.
        path: PathBuf,
        /// What it is.
        kind: SpecialKind,
    },
    /// Zero bytes (or only a byte-order mark) where a JSON, JSON Lines or CSV file must hold
    /// something (an empty Markdown file is an empty note).
    #[error("{}: the file is empty", path.display())]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// A JSON or CSV file whose shape smartnotes does not know: what it found, and what it
    /// reads.
    #[error("{}: {found}; smartnotes reads {known}", at(path, line))]
    UnknownShape {
        /// The file.
        path: PathBuf,
        /// The line of what was found.
        line: Option<usize>,
        /// What was found: the top-level keys, the columns.
        found: String,
        /// The shapes read.
        known: &'static str,
    },
    /// Two files that would come in at the same source path (`a/x.md` and `b/x.md` given as
    /// two roots): one would replace the other on the next import.
    #[error(
        "{second}: comes in as {relative:?}, as {first} does; import their common folder, or import them one at a time"
    )]
    SamePath {
        /// The path relative to the import root both have.
        relative: String,
        /// The file read first.
        first: PathBuf,
        /// The second one.
        second: PathBuf,
    },
    /// The paths given hold no note at all, though they hold files.
    #[error("{}: no note to import ({skipped} other files skipped: not .md, .markdown, .json, .jsonl or .csv, not a jrnl journal, or hidden)", path.display())]
    NoNotes {
        /// The first path given.
        path: PathBuf,
        /// The files left out.
        skipped: u64,
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
            | ImportError::AttachmentTooLarge { path, .. }
            | ImportError::Attachment { path, .. }
            | ImportError::Empty { path }
            | ImportError::UnknownShape { path, .. }
            | ImportError::NoNotes { path, .. }
            | ImportError::Utf8 { path, .. }
            | ImportError::FrontMatter { path, .. }
            | ImportError::Json { path, .. }
            | ImportError::Csv { path, .. }
            | ImportError::Invalid { path, .. } => path,
            ImportError::Conflict { second, .. } => &second.path,
            ImportError::Clash { origin, .. } => &origin.path,
            ImportError::SamePath { second, .. } => second,
        }
    }

    /// The line the error is about, where one applies.
    pub fn line(&self) -> Option<usize> {
        match self {
            ImportError::Utf8 { line, .. } => Some(*line),
            ImportError::FrontMatter { line, .. }
            | ImportError::Json { line, .. }
            | ImportError::Csv { line, .. }
            | ImportError::UnknownShape { line, .. }
            | ImportError::Invalid { line, .. } => *line,
            ImportError::Conflict { second, .. } => second.line,
            ImportError::Clash { origin, .. } => origin.line,
            _ => None,
        }
    }
}

/// Something an import read but had to say something about: a front matter no reader accepts
/// (the file came in with its whole text as body), a date it could not read (kept as a
/// property), a tag the notebook refuses (left out), a file that is not a journal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// The file.
    pub path: PathBuf,
    /// The line, where one applies.
    pub line: Option<usize>,
    /// What happened: the field, what is wrong, and what import did instead.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", at(&self.path, &self.line), self.message)
    }
}

/// The extensions read, for messages.
pub const EXTENSIONS: &str = ".md, .markdown, .json, .jsonl, .csv, .txt or .journal";

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
