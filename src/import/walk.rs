//! Which files an import reads, and reading one: the walk of the paths given (files as named,
//! folders recursively, never opening a FIFO, a socket or a device, never following a link to
//! a folder, nor one to a file outside the folder, note or attachment), the notes and the
//! attachments (every other file of a folder) it finds, and a file's text under a size limit.

use std::fs::{File, FileType, Metadata};
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::error::{ImportError, SpecialKind};
use crate::model::Timestamp;

/// What kind of file a name says, before its content is looked at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Shape {
    /// `.md`, `.markdown`: one note (of any tool), or a bundle of smartnotes' notes.
    Markdown,
    /// `.json`: smartnotes' notes (one object or an array) or jrnl's JSON export, told apart
    /// by their keys.
    Json,
    /// `.jsonl`: one smartnotes note per line.
    Jsonl,
    /// `.csv`: smartnotes' CSV.
    Csv,
    /// `.txt`, `.journal`: a jrnl journal, if its first line opens an entry.
    Text,
}

/// The shape a file name says, if it names one smartnotes reads.
pub fn shape_of(path: &Path) -> Option<Shape> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "md" | "markdown" => Some(Shape::Markdown),
        "json" => Some(Shape::Json),
        "jsonl" => Some(Shape::Jsonl),
        "csv" => Some(Shape::Csv),
        "txt" | "journal" => Some(Shape::Text),
        _ => None,
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

/// A file to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WalkedFile {
    /// Where it is.
    pub path: PathBuf,
    /// What its name says it is.
    pub shape: Shape,
    /// Its path relative to the import root it was found under (the folder given, or the
    /// file's own folder for a file given by name), `/`-separated: a note's source path.
    pub relative: String,
    /// It was named, not found in a folder.
    pub named: bool,
}

/// The files to import under `paths`, in a stable order.
#[derive(Debug, Default)]
pub struct Walk {
    /// Files with a note extension, in the order given, folders sorted by name.
    pub files: Vec<WalkedFile>,
    /// Entries inside folders that were left out: hidden names (`.x`), and symbolic links
    /// to folders (never followed, so a link cannot make the walk loop).
    pub skipped: u64,
    /// FIFOs, sockets and devices inside folders (or links to them): never opened, so an
    /// import never waits on one.
    pub special: Vec<SpecialFile>,
    /// Files inside folders that are not notes (any other extension, not hidden): the
    /// folder's attachments, in the walk's order. A link to a file is one only when the file
    /// it leads to is inside the folder given.
    pub attachments: Vec<WalkedAttachment>,
    /// Links inside folders to files outside the folder given: not followed, never read.
    pub outside: Vec<PathBuf>,
    /// Paths that could not be walked.
    pub errors: Vec<ImportError>,
}

/// A file of a folder that is not a note: an attachment to import.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WalkedAttachment {
    /// Where it is.
    pub path: PathBuf,
    /// Its path relative to the folder given, `/`-separated: its remembered path.
    pub relative: String,
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
            Ok(meta) if meta.is_dir() => match shape_of(path) {
                // `x.json/` was meant to be a file: refusing it beats importing whatever
                // happens to be inside.
                Some(_) => walk
                    .errors
                    .push(ImportError::NotAFile { path: path.clone() }),
                None => walk_dir(path, path, &mut walk),
            },
            Ok(meta) => match (special_kind(meta.file_type()), shape_of(path)) {
                (Some(kind), _) => walk.errors.push(ImportError::NotRegular {
                    path: path.clone(),
                    kind,
                }),
                (None, Some(shape)) => walk.files.push(WalkedFile {
                    path: path.clone(),
                    shape,
                    relative: path
                        .file_name()
                        .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
                    named: true,
                }),
                (None, None) => walk
                    .errors
                    .push(ImportError::UnknownExtension { path: path.clone() }),
            },
        }
    }
    walk
}

fn walk_dir(root: &Path, dir: &Path, walk: &mut Walk) {
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
    let mut entries: Vec<_> = entries
        .iter()
        .map(|e| (e.file_name(), e.path(), e.file_type()))
        .collect();
    // One folder's entries differ only in their names: comparing those is the path order
    // (and cheaper than comparing paths, component by component).
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, path, own_type) in entries {
        let hidden = name.as_encoded_bytes().starts_with(b".");
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
            match shape_of(&path) {
                Some(_) => walk.errors.push(ImportError::NotAFile { path }),
                None => walk_dir(root, &path, walk),
            }
        } else if link && !inside(root, &path) {
            // A note is no exception: a vault's `notes.md -> ~/.ssh/id_rsa` must not bring the
            // key into the notebook and from there into every export.
            walk.outside.push(path);
        } else {
            match shape_of(&path) {
                Some(shape) => walk.files.push(WalkedFile {
                    relative: relative(root, &path),
                    path,
                    shape,
                    named: false,
                }),
                None => walk.attachments.push(WalkedAttachment {
                    relative: relative(root, &path),
                    path,
                }),
            }
        }
    }
}

/// Whether the file the link `path` leads to is inside the folder `root`.
fn inside(root: &Path, path: &Path) -> bool {
    match (std::fs::canonicalize(root), std::fs::canonicalize(path)) {
        (Ok(root), Ok(target)) => target.starts_with(root),
        _ => false,
    }
}

/// `path` relative to `root`, its components joined by `/`.
fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// Opens `path` for reading if it is a regular file (or a link to one), without waiting:
/// its type is checked before it is opened, and what was opened is checked again, in case the
/// path was replaced in between (by a FIFO, whose open would otherwise wait for a writer).
pub(super) fn open_regular(path: &Path) -> Result<(File, Metadata), ImportError> {
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

/// A file's text, and when it was last modified.
#[derive(Debug)]
pub struct FileText {
    /// The text, a byte-order mark included ([`super::parse`] reads past it).
    pub text: String,
    /// The file's modification time, if the system gives one: the dates of a note that gives
    /// none.
    pub modified: Option<Timestamp>,
}

/// Reads a whole file as UTF-8 text, refusing folders, FIFOs, sockets, devices and files over
/// `max_size` bytes.
pub fn read_text(path: &Path, max_size: u64) -> Result<FileText, ImportError> {
    let (file, meta) = open_regular(path)?;
    let modified = meta
        .modified()
        .ok()
        .map(|t| Timestamp::from(chrono::DateTime::<chrono::Utc>::from(t)));
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
    let text = decode(path, bytes)?;
    Ok(FileText { text, modified })
}

/// The bytes of `path` as UTF-8 text.
pub fn decode(path: &Path, bytes: Vec<u8>) -> Result<String, ImportError> {
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
