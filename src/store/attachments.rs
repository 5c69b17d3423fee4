//! Attachments: the files of a notebook that are not notes (images, PDFs, anything), kept once
//! by content.
//!
//! An attachment is a remembered path (`/`-separated, relative to the folder it was imported
//! from; for `smartnotes attach`, the file's name) holding one content; a content is kept once
//! per BLAKE3 hash, however many paths and notes use it; `note_attachments` says which notes
//! use which attachment (see migration 5 in `migrations.rs`). The import engine
//! ([`crate::import`]) and `attach` hash a file first ([`AttachmentFile`]) and the bytes are
//! read a second time only when the notebook does not hold them yet; the export engine reads
//! them through a [`Snapshot`] ([`Snapshot::copy_attachment`]).
//!
//! Where the bytes live: in the notebook, as BLOBs written and read in 64 KiB pieces
//! (incremental blob I/O), never whole in memory. Measured against a content-addressed folder
//! beside the notebook (`cargo run --release --example attachment_storage -- DIR`, 64 MB per
//! size, medians of 3 runs, 2-core VM, load 2-3, tmpfs): the notebook wrote 300-630 MB/s (the
//! WAL, then the checkpoint) and the folder 410 MB/s at 4 KB, 1.1-2.0 GB/s from 16 KB; the
//! notebook read 1.8 GB/s at 4 KB (the folder 1.4), 3.4-3.5 GB/s from 64 KB (the folder
//! 3.6-4.4). The folder is faster for large files, as SQLite's "Internal Versus External
//! BLOBs" says (its crossover is near 100 KB; here 16-64 KB for reads); the notebook is chosen
//! anyway, for what the folder cannot give: an import's attachments commit or roll back with
//! its notes in one transaction (no stray file after a crash or a refused import, nothing to
//! reconcile), a snapshot sees notes and attachments of one moment, `gc` is one transaction, a
//! read-only notebook works, and a copy of the one file is a whole backup. The price is about
//! 0.2-0.3 s more per 100 MB imported; reading at 3.5 GB/s is far above what an export
//! writes. SQLite's limit on a value ([`MAX_ATTACHMENT_SIZE`], 1,000,000,000 bytes) caps one
//! attachment.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::path::Path;

use rusqlite::{Connection, MAIN_DB, OptionalExtension, params};
use serde::Serialize;

use super::import::ImportSink;
use super::query::Query;
use super::{Errors, Snapshot, Store, StoreError};

/// The size limit of one attachment when none is given: 512 MiB.
pub const DEFAULT_MAX_ATTACHMENT_SIZE: u64 = 512 << 20;

/// The largest attachment the notebook can hold: SQLite's limit on one value.
pub const MAX_ATTACHMENT_SIZE: u64 = 1_000_000_000;

/// The piece attachments are read and written in.
const PIECE: usize = 64 << 10;

/// An attachment as the notebook holds it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct AttachmentRef {
    /// Its id in the notebook.
    pub id: i64,
    /// BLAKE3 of its bytes (hex in JSON).
    #[serde(serialize_with = "serialize_hex")]
    pub hash: [u8; 32],
    /// Its original file name.
    pub name: String,
    /// Its remembered path, `/`-separated, relative to the folder it was imported from.
    pub path: String,
    /// Its size in bytes.
    pub size: u64,
}

impl AttachmentRef {
    /// The hash as 64 hex digits.
    pub fn hex(&self) -> String {
        hex(&self.hash)
    }
}

fn serialize_hex<S: serde::Serializer>(hash: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&hex(hash))
}

/// `bytes` as lower-case hex digits.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What storing a file did to the attachment at its path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stored {
    /// A new path.
    Added,
    /// The path held other bytes (a file changed since it was imported).
    Updated,
    /// The path already held these bytes.
    Unchanged,
}

/// An attachment stored (or, in a dry run, that would be).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredAttachment {
    /// The attachment (id 0 for one a dry run would add).
    pub attachment: AttachmentRef,
    /// What happened to its path.
    pub stored: Stored,
    /// True when its bytes were new to the notebook (and were, or would be, written).
    pub new_bytes: bool,
}

/// A file to store, hashed already by its first read, and a way to read it again: its bytes
/// are read a second time only when the notebook does not hold them, and must hash the same.
pub struct AttachmentFile<'a> {
    /// Where it is, for errors.
    pub origin: &'a Path,
    /// Its size, as found when it was hashed.
    pub size: u64,
    /// BLAKE3 of its bytes.
    pub hash: [u8; 32],
    /// Opens it again for reading (without waiting on a FIFO swapped in meanwhile).
    pub open: &'a dyn Fn() -> io::Result<std::fs::File>,
}

/// What [`Store::gc`] removed (or, in a dry run, would remove).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct GcReport {
    /// Attachments no note used.
    pub attachments: Vec<AttachmentRef>,
    /// Contents no attachment held any more (those of the attachments above, and the old
    /// bytes of attachments updated since).
    pub contents: u64,
    /// Bytes of those contents.
    pub bytes: u64,
    /// True for a dry run.
    pub dry_run: bool,
}

/// Why a remembered path cannot be an attachment's, if it cannot: it must be relative, with
/// no empty, `.` or `..` component, and no NUL, backslash or control character.
pub fn attachment_path_problem(path: &str) -> Option<&'static str> {
    if path.is_empty() {
        return Some("it is empty");
    }
    if path.starts_with('/') {
        return Some("it is absolute");
    }
    if path.chars().any(|c| c == '\\' || c.is_control()) {
        return Some("it holds a backslash or a control character");
    }
    if path
        .split('/')
        .any(|p| p.is_empty() || p == "." || p == "..")
    {
        return Some("it has an empty, `.` or `..` component");
    }
    None
}

const SELECT_ATTACHMENT: &str = "SELECT a.id, c.hash, a.name, a.path, c.size
    FROM attachments a JOIN attachment_contents c ON c.id = a.content_id";

fn read_ref(row: &rusqlite::Row<'_>) -> rusqlite::Result<AttachmentRef> {
    let hash: Vec<u8> = row.get(1)?;
    let mut fixed = [0u8; 32];
    if hash.len() == 32 {
        fixed.copy_from_slice(&hash);
    }
    Ok(AttachmentRef {
        id: row.get(0)?,
        hash: fixed,
        name: row.get(2)?,
        path: row.get(3)?,
        size: row.get::<_, i64>(4)?.max(0) as u64,
    })
}

/// The attachment at exactly `path`.
fn by_path(conn: &Connection, path: &str) -> rusqlite::Result<Option<AttachmentRef>> {
    conn.prepare_cached(&format!("{SELECT_ATTACHMENT} WHERE a.path = ?1"))?
        .query_row([path], read_ref)
        .optional()
}

/// `parts` joined, `.` dropped and `..` taking one folder back: `None` above the root.
fn normalize<'a>(parts: impl Iterator<Item = &'a str>) -> Option<String> {
    let mut out: Vec<&str> = Vec::new();
    for part in parts {
        match part {
            "" | "." => {}
            ".." => {
                out.pop()?;
            }
            part => out.push(part),
        }
    }
    (!out.is_empty()).then(|| out.join("/"))
}

/// Where [`resolve`] looks attachments up: the notebook itself, or an import's
/// [`AttachmentIndex`] of it.
trait Paths {
    type Found;
    /// The attachment at exactly `path`.
    fn exact(&self, path: &str) -> rusqlite::Result<Option<Self::Found>>;
    /// The attachments named `name` with their paths, the shortest path first, then in path
    /// order.
    fn named(&self, name: &str) -> rusqlite::Result<Vec<(String, Self::Found)>>;
}

impl Paths for Connection {
    type Found = AttachmentRef;

    fn exact(&self, path: &str) -> rusqlite::Result<Option<AttachmentRef>> {
        by_path(self, path)
    }

    fn named(&self, name: &str) -> rusqlite::Result<Vec<(String, AttachmentRef)>> {
        let mut stmt = self.prepare_cached(&format!(
            "{SELECT_ATTACHMENT} WHERE a.name = ?1 ORDER BY length(a.path), a.path"
        ))?;
        stmt.query_map([name], read_ref)?
            .map(|a| a.map(|a| (a.path.clone(), a)))
            .collect()
    }
}

/// The notebook's attachments by path and by name, read once by an import: the links of
/// thousands of notes are resolved in memory, not by three queries each.
#[derive(Debug, Default)]
pub struct AttachmentIndex {
    by_path: HashMap<String, i64>,
    by_name: HashMap<String, Vec<(String, i64)>>,
}

impl AttachmentIndex {
    /// Whether the notebook holds no attachment.
    pub fn is_empty(&self) -> bool {
        self.by_path.is_empty()
    }
}

impl Paths for AttachmentIndex {
    type Found = i64;

    fn exact(&self, path: &str) -> rusqlite::Result<Option<i64>> {
        Ok(self.by_path.get(path).copied())
    }

    fn named(&self, name: &str) -> rusqlite::Result<Vec<(String, i64)>> {
        Ok(self.by_name.get(name).cloned().unwrap_or_default())
    }
}

/// Resolves `target` the way Obsidian resolves a link to an attachment: the path relative to
/// the note's folder; else the path from the root (a target starting with `/` only this way);
/// else the attachment of that file name (whose path ends with the target's folders, if it
/// names some), the shortest path first, then the first in path order.
fn resolve<P: Paths>(
    paths: &P,
    note_source_dir: &str,
    target: &str,
) -> rusqlite::Result<Option<P::Found>> {
    let target = target.trim();
    if target.is_empty() {
        return Ok(None);
    }
    if !target.starts_with('/') {
        let relative = normalize(note_source_dir.split('/').chain(target.split('/')));
        if let Some(found) = relative.map(|p| paths.exact(&p)).transpose()?.flatten() {
            return Ok(Some(found));
        }
    }
    let Some(rooted) = normalize(target.split('/')) else {
        return Ok(None);
    };
    if let Some(found) = paths.exact(&rooted)? {
        return Ok(Some(found));
    }
    let name = rooted.rsplit('/').next().unwrap_or(&rooted);
    let suffix = format!("/{rooted}");
    Ok(paths
        .named(name)?
        .into_iter()
        .find(|(path, _)| *path == rooted || path.ends_with(&suffix))
        .map(|(_, found)| found))
}

/// Stores `file` as the attachment at `path` (see [`Stored`]). `write` false (a dry run) only
/// looks. A path that holds other bytes is updated when `replace`, else refused
/// ([`StoreError::AttachmentTaken`]).
fn put(
    conn: &Connection,
    errors: &Errors<'_>,
    path: &str,
    file: &AttachmentFile<'_>,
    write: bool,
    replace: bool,
) -> Result<StoredAttachment, StoreError> {
    let sql = |e| errors.sql(e);
    if let Some(reason) = attachment_path_problem(path) {
        return Err(StoreError::AttachmentPath {
            path: path.to_owned(),
            reason,
        });
    }
    let existing = by_path(conn, path).map_err(sql)?;
    let name = path.rsplit('/').next().unwrap_or(path).to_owned();
    let mut attachment = AttachmentRef {
        id: existing.as_ref().map_or(0, |a| a.id),
        hash: file.hash,
        name,
        path: path.to_owned(),
        size: file.size,
    };
    let stored = match &existing {
        Some(a) if a.hash == file.hash => {
            return Ok(StoredAttachment {
                attachment,
                stored: Stored::Unchanged,
                new_bytes: false,
            });
        }
        Some(a) if !replace => {
            return Err(StoreError::AttachmentTaken {
                path: path.to_owned(),
                notes: users(conn, a.id).map_err(sql)?,
            });
        }
        Some(_) => Stored::Updated,
        None => Stored::Added,
    };
    let content: Option<i64> = conn
        .prepare_cached("SELECT id FROM attachment_contents WHERE hash = ?1")
        .and_then(|mut s| s.query_row([&file.hash[..]], |r| r.get(0)).optional())
        .map_err(sql)?;
    let new_bytes = content.is_none();
    if !write {
        return Ok(StoredAttachment {
            attachment,
            stored,
            new_bytes,
        });
    }
    let content = match content {
        Some(id) => id,
        None => write_content(conn, errors, file)?,
    };
    match stored {
        Stored::Updated => conn
            .execute(
                "UPDATE attachments SET content_id = ?1 WHERE id = ?2",
                params![content, attachment.id],
            )
            .map_err(sql)?,
        _ => {
            conn.execute(
                "INSERT INTO attachments (path, name, content_id) VALUES (?1, ?2, ?3)",
                params![attachment.path, attachment.name, content],
            )
            .map_err(sql)?;
            attachment.id = conn.last_insert_rowid();
            1
        }
    };
    Ok(StoredAttachment {
        attachment,
        stored,
        new_bytes,
    })
}

/// Writes the bytes of `file` as a new content, in pieces, checking on the way that they are
/// the bytes it was hashed with; the new row's id. On any error the row is deleted again.
fn write_content(
    conn: &Connection,
    errors: &Errors<'_>,
    file: &AttachmentFile<'_>,
) -> Result<i64, StoreError> {
    if file.size > MAX_ATTACHMENT_SIZE {
        return Err(StoreError::AttachmentTooLarge {
            path: file.origin.to_path_buf(),
            size: file.size,
        });
    }
    conn.execute(
        "INSERT INTO attachment_contents (hash, size, data) VALUES (?1, ?2, zeroblob(?2))",
        params![&file.hash[..], file.size as i64],
    )
    .map_err(|e| errors.sql(e))?;
    let row = conn.last_insert_rowid();
    let copied = copy_in(conn, errors, row, file);
    if copied.is_err() {
        let _ = conn.execute("DELETE FROM attachment_contents WHERE id = ?1", [row]);
    }
    copied.map(|()| row)
}

fn copy_in(
    conn: &Connection,
    errors: &Errors<'_>,
    row: i64,
    file: &AttachmentFile<'_>,
) -> Result<(), StoreError> {
    let read_error = |source| StoreError::AttachmentRead {
        path: file.origin.to_path_buf(),
        source,
    };
    let changed = || StoreError::AttachmentChanged {
        path: file.origin.to_path_buf(),
    };
    let mut blob = conn
        .blob_open(MAIN_DB, c"attachment_contents", c"data", row, false)
        .map_err(|e| errors.sql(e))?;
    let mut source = (file.open)().map_err(read_error)?.take(file.size + 1);
    let mut hasher = blake3::Hasher::new();
    let mut buf = vec![0u8; PIECE];
    let mut total = 0u64;
    loop {
        let n = match source.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(read_error(e)),
        };
        total += n as u64;
        if total > file.size {
            return Err(changed());
        }
        hasher.update(&buf[..n]);
        blob.write_all(&buf[..n])
            .map_err(|source| StoreError::BlobIo {
                path: errors.path.to_path_buf(),
                source,
            })?;
    }
    if total != file.size || *hasher.finalize().as_bytes() != file.hash {
        return Err(changed());
    }
    Ok(())
}

/// The notes that use attachment `id`.
fn users(conn: &Connection, id: i64) -> rusqlite::Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT note_id FROM note_attachments WHERE attachment_id = ?1 ORDER BY note_id",
    )?;
    stmt.query_map([id], |r| r.get(0))?.collect()
}

fn associate(conn: &Connection, note_id: i64, attachment_id: i64) -> rusqlite::Result<bool> {
    Ok(conn
        .prepare_cached(
            "INSERT OR IGNORE INTO note_attachments (note_id, attachment_id) VALUES (?1, ?2)",
        )?
        .execute(params![note_id, attachment_id])?
        == 1)
}

fn collect(
    conn: &Connection,
    sql: &str,
    values: impl rusqlite::Params,
) -> rusqlite::Result<Vec<AttachmentRef>> {
    conn.prepare(sql)?.query_map(values, read_ref)?.collect()
}

/// The attachments used by the notes `query` selects, each once, in path order.
fn of_query(conn: &Connection, query: &Query) -> rusqlite::Result<Vec<AttachmentRef>> {
    // SQLite builds the `IN` set of every selected note before it looks at a single link:
    // for 100,000 notes that was a fifth of the instructions of an unchanged incremental
    // re-export (189 M of 902 M, callgrind), for a notebook that uses no attachment at all.
    // One probe of the (empty) link table answers it; in the same read transaction, so the
    // answer is the snapshot's.
    let any: bool = conn.query_row("SELECT EXISTS (SELECT 1 FROM note_attachments)", [], |r| {
        r.get(0)
    })?;
    if !any {
        return Ok(Vec::new());
    }
    let limit = query.limit.unwrap_or(i64::MAX as u64).min(i64::MAX as u64);
    let (notes, values) = query.page_sql("SELECT n.id FROM notes n", None, limit);
    collect(
        conn,
        &format!(
            "{SELECT_ATTACHMENT} WHERE a.id IN (SELECT attachment_id FROM note_attachments
             WHERE note_id IN ({notes})) ORDER BY a.path"
        ),
        rusqlite::params_from_iter(values),
    )
}

/// Copies the bytes of the content with `hash` to `out`, a piece at a time; how many.
fn copy_out(conn: &Connection, hash: &[u8; 32], out: &mut dyn Write) -> io::Result<u64> {
    let row: Option<i64> = conn
        .query_row(
            "SELECT id FROM attachment_contents WHERE hash = ?1",
            [&hash[..]],
            |r| r.get(0),
        )
        .optional()
        .map_err(io::Error::other)?;
    let row = row.ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::NotFound,
            format!("the notebook holds no bytes with hash {}", hex(hash)),
        )
    })?;
    let mut blob = conn
        .blob_open(MAIN_DB, c"attachment_contents", c"data", row, true)
        .map_err(io::Error::other)?;
    let mut buf = vec![0u8; PIECE];
    let mut total = 0;
    loop {
        let n = blob.read(&mut buf)?;
        if n == 0 {
            return Ok(total);
        }
        out.write_all(&buf[..n])?;
        total += n as u64;
    }
}

impl Store {
    /// Resolves a link `target` (decoded: no `%20`, no `#anchor`, no `|size`) written in a
    /// note whose source file is in `note_source_dir` (`/`-separated, relative to the
    /// imported folder; empty for its top or for a note without a source) to an attachment,
    /// the way Obsidian does: the path relative to the note's folder; else the path from the
    /// top of the imported folder; else the file name (with the target's folders, if any, at
    /// the end of its path), the shortest path first.
    pub fn attachment_by_path(
        &self,
        note_source_dir: &str,
        target: &str,
    ) -> Result<Option<AttachmentRef>, StoreError> {
        resolve(&self.conn, note_source_dir, target).map_err(self.sql())
    }

    /// The attachments note `id` uses, in path order.
    pub fn attachments_of_note(&self, id: i64) -> Result<Vec<AttachmentRef>, StoreError> {
        collect(
            &self.conn,
            &format!(
                "{SELECT_ATTACHMENT} JOIN note_attachments na ON na.attachment_id = a.id
                 WHERE na.note_id = ?1 ORDER BY a.path"
            ),
            [id],
        )
        .map_err(self.sql())
    }

    /// How many attachments no note uses (what [`Store::gc`] would remove).
    pub fn unused_attachments(&self) -> Result<u64, StoreError> {
        self.conn
            .query_row(
                "SELECT count(*) FROM attachments a WHERE NOT EXISTS
                 (SELECT 1 FROM note_attachments na WHERE na.attachment_id = a.id)",
                [],
                |r| r.get(0),
            )
            .map_err(self.sql())
    }

    /// Stores `file` as the attachment at `path` and makes note `note_id` use it, in one
    /// transaction. A path that holds other bytes is refused
    /// ([`StoreError::AttachmentTaken`]): `attach` never changes another note's attachment.
    pub fn attach(
        &mut self,
        note_id: i64,
        path: &str,
        file: &AttachmentFile<'_>,
    ) -> Result<StoredAttachment, StoreError> {
        let (tx, errors) = self.write()?;
        let exists: Option<i64> = tx
            .query_row("SELECT id FROM notes WHERE id = ?1", [note_id], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| errors.sql(e))?;
        if exists.is_none() {
            return Err(StoreError::NotFound(note_id));
        }
        let stored = put(&tx, &errors, path, file, true, false)?;
        associate(&tx, note_id, stored.attachment.id).map_err(|e| errors.sql(e))?;
        tx.commit().map_err(|e| errors.sql(e))?;
        // A note may already link to the file it is given: that link leads somewhere now.
        self.resolve_links()?;
        Ok(stored)
    }

    /// Removes every attachment no note uses, and every content no attachment holds, in one
    /// transaction; with `dry_run`, only says what it would remove.
    pub fn gc(&mut self, dry_run: bool) -> Result<GcReport, StoreError> {
        let (tx, errors) = self.transaction(!dry_run)?;
        let sql = |e| errors.sql(e);
        let attachments = collect(
            &tx,
            &format!(
                "{SELECT_ATTACHMENT} WHERE NOT EXISTS
                 (SELECT 1 FROM note_attachments na WHERE na.attachment_id = a.id)
                 ORDER BY a.path"
            ),
            [],
        )
        .map_err(sql)?;
        let unused_contents = "FROM attachment_contents c WHERE NOT EXISTS
            (SELECT 1 FROM attachments a WHERE a.content_id = c.id AND EXISTS
                (SELECT 1 FROM note_attachments na WHERE na.attachment_id = a.id))";
        let (contents, bytes): (u64, i64) = tx
            .query_row(
                &format!("SELECT count(*), coalesce(sum(c.size), 0) {unused_contents}"),
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(sql)?;
        if !dry_run {
            tx.execute(
                "DELETE FROM attachments WHERE NOT EXISTS
                 (SELECT 1 FROM note_attachments na WHERE na.attachment_id = attachments.id)",
                [],
            )
            .map_err(sql)?;
            tx.execute(
                "DELETE FROM attachment_contents WHERE NOT EXISTS
                 (SELECT 1 FROM attachments a WHERE a.content_id = attachment_contents.id)",
                [],
            )
            .map_err(sql)?;
            tx.commit().map_err(sql)?;
            // Links to what was removed lead nowhere now (the links table has no foreign key
            // to attachments: it came first).
            self.resolve_links()?;
        }
        Ok(GcReport {
            attachments,
            contents,
            bytes: bytes.max(0) as u64,
            dry_run,
        })
    }
}

impl Snapshot<'_> {
    /// The attachments used by the notes `query` selects at this moment, each once, in path
    /// order: what an export of those notes writes beside them.
    pub fn attachments(&self, query: &Query) -> Result<Vec<AttachmentRef>, StoreError> {
        let held = self.lock();
        let store = held.store();
        of_query(&store.conn, query).map_err(store.sql())
    }

    /// [`Store::attachment_by_path`] at this moment.
    pub fn attachment_by_path(
        &self,
        note_source_dir: &str,
        target: &str,
    ) -> Result<Option<AttachmentRef>, StoreError> {
        let held = self.lock();
        let store = held.store();
        resolve(&store.conn, note_source_dir, target).map_err(store.sql())
    }

    /// Copies the bytes of `attachment` to `out`, 64 KiB at a time; how many were copied.
    pub fn copy_attachment(
        &self,
        attachment: &AttachmentRef,
        out: &mut dyn Write,
    ) -> io::Result<u64> {
        copy_out(&self.lock().store().conn, &attachment.hash, out)
    }
}

impl ImportSink<'_, '_> {
    /// Stores `file` as the attachment at `path` in the import's transaction (a path already
    /// holding other bytes is updated: the file changed since the last import); in a dry run
    /// only says what would happen.
    pub fn attachment(
        &mut self,
        path: &str,
        file: &AttachmentFile<'_>,
    ) -> Result<StoredAttachment, StoreError> {
        let (tx, errors, dry_run) = self.parts();
        put(tx, errors, path, file, !dry_run, true)
    }

    /// The notebook's attachments as this import sees them (those it stored included), for
    /// [`ImportSink::use_attachment`].
    pub fn attachment_index(&mut self) -> Result<AttachmentIndex, StoreError> {
        let (tx, errors, _) = self.parts();
        let mut index = AttachmentIndex::default();
        let mut stmt = tx
            .prepare("SELECT id, path, name FROM attachments ORDER BY length(path), path")
            .map_err(|e| errors.sql(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get(2)?)))
            .map_err(|e| errors.sql(e))?;
        for row in rows {
            let (id, path, name): (i64, String, String) = row.map_err(|e| errors.sql(e))?;
            index.by_path.insert(path.clone(), id);
            index.by_name.entry(name).or_default().push((path, id));
        }
        Ok(index)
    }

    /// Makes note `note_id` use the attachment a link `target` in it resolves to in `index`
    /// (see [`Store::attachment_by_path`]); the attachment's id, if one was found. Nothing is
    /// written in a dry run.
    pub fn use_attachment(
        &mut self,
        index: &AttachmentIndex,
        note_id: i64,
        note_source_dir: &str,
        target: &str,
    ) -> Result<Option<i64>, StoreError> {
        let (tx, errors, dry_run) = self.parts();
        let found = resolve(index, note_source_dir, target).map_err(|e| errors.sql(e))?;
        if let (Some(id), false) = (found, dry_run) {
            associate(tx, note_id, id).map_err(|e| errors.sql(e))?;
        }
        Ok(found)
    }
}

/// The folder part of a note's source path (`a/b` of `a/b/c.md`, empty at the top).
pub fn source_dir(source_path: &str) -> &str {
    source_path.rsplit_once('/').map_or("", |(dir, _)| dir)
}
