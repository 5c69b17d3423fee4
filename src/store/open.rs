//! Opening a notebook file: what is at the path is looked at before anything is written.
//!
//! [`inspect`] reads the file read-only (`immutable=1`: no lock, no `-wal` or `-shm` file made)
//! and says whether it is missing, empty, a smartnotes notebook or something else; only then
//! does [`connect`] open it for use, read-write where the file, its folder and its file system
//! allow it and read-only where they do not. A file smartnotes did not make is never opened
//! for writing, so it stays byte for byte what it was. Called from [`super::Store`]'s
//! constructors, which decide what each answer means for them.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags};

use super::StoreError;

/// What is at a notebook path.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Found {
    /// Nothing.
    Missing,
    /// A file with nothing in it: zero bytes, or a SQLite database without a single table.
    Empty,
    /// A database holding the smartnotes tables.
    Notebook,
    /// Anything else, and why it is not a notebook.
    Foreign(String),
}

/// The tables every smartnotes schema version has.
const NOTEBOOK_TABLES: [&str; 2] = ["notes", "note_tags"];

/// What is at `path`, found without writing a byte or creating a file.
pub(super) fn inspect(path: &Path) -> Result<Found, StoreError> {
    let meta = match fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Found::Missing),
        Err(source) => return Err(access(path, source)),
    };
    if meta.is_dir() {
        return Ok(Found::Foreign("it is a folder".into()));
    }
    if !meta.is_file() {
        return Ok(Found::Foreign("it is not a regular file".into()));
    }
    if meta.len() == 0 {
        return Ok(Found::Empty);
    }
    let header = header(path)?;
    if !header.starts_with(b"SQLite format 3\0") {
        return Ok(Found::Foreign("it is not a SQLite database".into()));
    }
    let open_err = |source| StoreError::Open {
        path: path.to_path_buf(),
        source,
    };
    let found = match read_schema(path, Probe::Immutable) {
        Ok(schema) => classify(&schema),
        // A torn read of a file being checkpointed: ask SQLite again, properly locked.
        Err(_) if wal_has_content(path) => Found::Empty,
        Err(source) => return Err(open_err(source)),
    };
    // `immutable=1` reads the main file only. A notebook just made by a process still running
    // can have its tables in the `-wal` file yet: look there before calling it empty. (The
    // `-wal` file exists, so the locked read makes no new file.)
    if found == Found::Empty && wal_has_content(path) {
        return Ok(classify(
            &read_schema(path, Probe::Locked).map_err(open_err)?,
        ));
    }
    Ok(found)
}

fn access(path: &Path, source: std::io::Error) -> StoreError {
    StoreError::Access {
        path: path.to_path_buf(),
        source,
    }
}

/// The first 100 bytes: SQLite's file header (fewer if the file is shorter).
fn header(path: &Path) -> Result<Vec<u8>, StoreError> {
    let mut header = Vec::with_capacity(100);
    fs::File::open(path)
        .and_then(|file| file.take(100).read_to_end(&mut header))
        .map_err(|source| access(path, source))?;
    Ok(header)
}

/// The tables of a database, its `user_version` and its `application_id`.
struct Schema {
    tables: Vec<String>,
    user_version: u32,
    application_id: i32,
}

fn classify(schema: &Schema) -> Found {
    let has = |name: &str| schema.tables.iter().any(|t| t == name);
    if NOTEBOOK_TABLES.iter().all(|t| has(t)) {
        return Found::Notebook;
    }
    if schema.tables.is_empty() && schema.user_version == 0 && schema.application_id == 0 {
        return Found::Empty;
    }
    let mut shown: Vec<&str> = schema.tables.iter().map(String::as_str).take(3).collect();
    if schema.tables.len() > shown.len() {
        shown.push("...");
    }
    Found::Foreign(if shown.is_empty() {
        format!(
            "it has no smartnotes tables (user_version {}, application_id {})",
            schema.user_version, schema.application_id
        )
    } else {
        format!("it holds other tables ({})", shown.join(", "))
    })
}

/// How [`read_schema`] opens the file.
#[derive(Clone, Copy)]
enum Probe {
    /// No lock and no `-wal`/`-shm`: only the main file is read.
    Immutable,
    /// Read-only but locked as usual; reads the `-wal` file too (only used when one exists,
    /// so no new file is made).
    Locked,
}

fn read_schema(path: &Path, probe: Probe) -> rusqlite::Result<Schema> {
    let conn = match probe {
        Probe::Immutable => immutable(path)?,
        Probe::Locked => Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?,
    };
    let mut stmt = conn.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'")?;
    let tables = stmt
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    let user_version = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let application_id = conn.pragma_query_value(None, "application_id", |row| row.get(0))?;
    Ok(Schema {
        tables,
        user_version,
        application_id,
    })
}

/// `path` opened read-only with `immutable=1`: SQLite takes no lock and makes no `-wal` or
/// `-shm` file, and reads the main file only.
fn immutable(path: &Path) -> rusqlite::Result<Connection> {
    Connection::open_with_flags(
        uri(path, "immutable=1"),
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
}

/// A `file:` URI for `path` with `params`, every byte outside the unreserved set
/// percent-encoded so that `?`, `#` and `%` in a path stay part of it.
fn uri(path: &Path, params: &str) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut uri = String::from("file:");
    for &b in absolute.as_os_str().as_encoded_bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.push('?');
    uri.push_str(params);
    uri
}

/// The `-wal` file beside `path`.
fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// True when a `-wal` file with something in it lies beside `path`: changes not yet in the main
/// file, which only a locked (not immutable) read sees.
fn wal_has_content(path: &Path) -> bool {
    fs::metadata(sidecar(path, "-wal")).is_ok_and(|m| m.len() > 0)
}

/// A connection for use: read-write if the file, its folder and its file system allow it,
/// read-only otherwise. With `create`, a missing file is created. Returns the connection and
/// whether it is read-only.
pub(super) fn connect(
    path: &Path,
    busy_timeout: Duration,
    create: bool,
) -> Result<(Connection, bool), StoreError> {
    let open_err = |source| StoreError::Open {
        path: path.to_path_buf(),
        source,
    };
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    // SQLite opens a write-protected file read-only by itself; `is_readonly` says so.
    let conn = Connection::open_with_flags(path, flags).map_err(open_err)?;
    conn.busy_timeout(busy_timeout).map_err(open_err)?;
    let read_only = conn.is_readonly("main").map_err(open_err)?;
    match first_read(&conn, read_only) {
        Ok(()) => Ok((conn, read_only)),
        Err(e) if cannot_share_memory(&e) => {
            // A WAL database needs its `-shm` file; in a read-only folder or file system it
            // cannot be made. With no `-wal` content there is nothing but the main file to
            // read, and `immutable=1` reads it without one.
            drop(conn);
            if wal_has_content(path) {
                return Err(StoreError::Unreadable {
                    path: path.to_path_buf(),
                    reason: "its -wal file holds changes not yet in the notebook, and no -shm \
                             file can be made beside it to read them (a read-only folder?)"
                        .into(),
                });
            }
            let conn = immutable(path).map_err(open_err)?;
            first_read(&conn, true).map_err(open_err)?;
            Ok((conn, true))
        }
        Err(e) => Err(super::classify(path, busy_timeout, e)),
    }
}

/// The first statements that touch the file: WAL mode (on a file we may write) and settings.
fn first_read(conn: &Connection, read_only: bool) -> rusqlite::Result<()> {
    if !read_only {
        // WAL lets an export read while `add` writes. A notebook is WAL from its creation, so
        // on an existing one this only reads the mode.
        let _mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
    }
    conn.pragma_update(None, "foreign_keys", true)?;
    let _version: u32 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    Ok(())
}

/// True for the errors of a WAL database whose `-shm` file cannot be opened or made.
fn cannot_share_memory(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::CannotOpen | ErrorCode::ReadOnly)
    )
}
