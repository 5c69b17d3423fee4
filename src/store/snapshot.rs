//! One moment of the notebook: a read transaction held open, and the streams that read it.
//!
//! A [`Snapshot`] begins a read transaction and reads once, which fixes the moment (in WAL
//! mode a read transaction sees the database as it was at its first read, whatever other
//! connections commit afterwards, and writers are not blocked). [`Snapshot::count`] and every
//! [`NoteStream`] of [`Snapshot::notes`] read inside it, so a count and the notes, or several
//! streams, always agree. A stream reads a page of [`PAGE_SIZE`] notes per query, keyed on
//! the sort column and the id, so memory does not grow with the notebook. Rows are read as raw
//! SQLite values and checked here: a damaged row becomes [`StoreError::Corrupt`] for that note
//! and the stream goes on.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use rusqlite::types::{Value, ValueRef};
use rusqlite::{Row, params_from_iter};

use super::query::{self, Cursor, Query};
use super::{PAGE_SIZE, SELECT_NOTE, Store, StoreError};
use crate::model::{
    Note, NoteError, Properties, Source, Timestamp, validate, validate_id, validate_properties,
    validate_source,
};

/// One page of a stream: its notes (or why one is damaged), and where the next page starts.
type Page = (Vec<Result<Note, StoreError>>, Option<Cursor>);

/// The notebook at one moment: a read transaction, ended (rolled back) when this is dropped.
///
/// `Send` and `Sync`: streams from one snapshot can be read on several threads at once; each
/// page query takes the connection for its own length only.
pub struct Snapshot<'a> {
    store: Mutex<Held<'a>>,
    path: PathBuf,
}

/// The store a snapshot reads, borrowed or owned.
pub(super) enum Held<'a> {
    Borrowed(&'a mut Store),
    Owned(Box<Store>),
}

impl Held<'_> {
    pub(super) fn store(&self) -> &Store {
        match self {
            Held::Borrowed(store) => store,
            Held::Owned(store) => store,
        }
    }
}

impl std::fmt::Debug for Snapshot<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot")
            .field("path", &self.path)
            .finish()
    }
}

impl Store {
    /// The notebook as it is now, for as long as the [`Snapshot`] lives: its count and its
    /// notes, however many pages they take, are all of this moment. Other processes may
    /// write meanwhile (WAL); the snapshot does not see it.
    pub fn snapshot(&mut self) -> Result<Snapshot<'_>, StoreError> {
        Snapshot::begin(Held::Borrowed(self))
    }

    /// Like [`Store::snapshot`], the snapshot owning the store: for a stream that must outlive
    /// the function that opened the notebook (see [`Snapshot::into_notes`]).
    pub fn into_snapshot(self) -> Result<Snapshot<'static>, StoreError> {
        Snapshot::begin(Held::Owned(Box::new(self)))
    }
}

impl<'a> Snapshot<'a> {
    fn begin(held: Held<'a>) -> Result<Self, StoreError> {
        let store = held.store();
        let path = store.path.clone();
        store
            .conn
            .execute_batch("BEGIN DEFERRED")
            .map_err(store.sql())?;
        // BEGIN alone fixes nothing: the first read does. Read now, so that the moment is
        // this one and not that of the first page.
        let pinned: Result<i64, _> =
            store
                .conn
                .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0));
        let snapshot = Snapshot {
            store: Mutex::new(held),
            path,
        };
        // On error, dropping the snapshot rolls the transaction back.
        pinned.map_err(snapshot.lock().store().sql())?;
        Ok(snapshot)
    }

    // A page query that panicked leaves nothing half-done in the connection: the poison
    // carries no meaning here.
    pub(super) fn lock(&self) -> MutexGuard<'_, Held<'a>> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `read` with the store, inside this snapshot's transaction (`links.rs`).
    pub(super) fn with_store<T>(&self, read: impl FnOnce(&Store) -> T) -> T {
        read(self.lock().store())
    }

    /// The notebook file.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// How many notes match `query` (at most its `limit`) at this moment.
    pub fn count(&self, query: &Query) -> Result<u64, StoreError> {
        self.lock().store().count(query)
    }

    /// The notes matching `query` at this moment, in its order, read [`PAGE_SIZE`] at a time.
    ///
    /// A damaged row is an `Err(StoreError::Corrupt { id, .. })` item and the stream goes on
    /// with the next row; any other `Err` item ends the stream.
    pub fn notes(&self, query: &Query) -> Result<NoteStream<'_>, StoreError> {
        Ok(NoteStream::new(Pages::Borrowed(self), query))
    }

    /// Like [`Snapshot::notes`], the stream holding the snapshot: a stream that can be moved
    /// to another thread or returned, while other streams read the same snapshot.
    pub fn into_notes(self: Arc<Self>, query: &Query) -> Result<NoteStream<'a>, StoreError> {
        Ok(NoteStream::new(Pages::Shared(self), query))
    }

    /// One page: at most `want` notes after `cursor`, and the cursor after the last of them.
    fn page(&self, query: &Query, cursor: Option<&Cursor>, want: u64) -> Result<Page, StoreError> {
        let held = self.lock();
        let store = held.store();
        let (sql, values) = query.page_sql(SELECT_NOTE, cursor, want);
        let mut stmt = store.conn.prepare_cached(&sql).map_err(store.sql())?;
        let mut rows = stmt.query(params_from_iter(values)).map_err(store.sql())?;
        let mut notes = Vec::with_capacity(want as usize);
        let mut last = None;
        // Each row is checked when the next arrives: the last one stays raw until the end,
        // its stored key being where the next page starts.
        while let Some(row) = rows.next().map_err(store.sql())? {
            let raw = RawNote::read(row).map_err(store.sql())?;
            if let Some(previous) = last.replace(raw) {
                notes.push(previous.into_note());
            }
        }
        let cursor = last.as_ref().map(|raw| raw.cursor(query));
        notes.extend(last.map(RawNote::into_note));
        Ok((notes, cursor))
    }
}

/// A note's version as the notebook keeps it (migration 6: a new random value whenever the
/// note's row or its tags change); `None` when the column holds something else than a
/// number (a damaged row: its note is read to find out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NoteVersion {
    pub(crate) id: i64,
    pub(crate) version: Option<i64>,
}

/// One page of versions, and where the next page starts.
type VersionPage = (Vec<NoteVersion>, Option<Cursor>);

impl<'a> Snapshot<'a> {
    /// The versions of the notes matching `query`, in its order, a page at a time: only the
    /// id, the version and the sort column are read, never a body.
    pub(crate) fn versions(&self, query: &Query) -> VersionStream<'_, 'a> {
        VersionStream {
            snapshot: self,
            query: query.clone(),
            cursor: None,
            remaining: query.limit.unwrap_or(u64::MAX),
            done: query.limit == Some(0),
        }
    }

    fn version_page(
        &self,
        query: &Query,
        cursor: Option<&Cursor>,
        want: u64,
    ) -> Result<VersionPage, StoreError> {
        let held = self.lock();
        let store = held.store();
        let key = match query.sort {
            query::Sort::Id => "NULL",
            query::Sort::Created => "n.created",
            query::Sort::Updated => "n.updated",
            query::Sort::Title => "n.title",
        };
        let select = format!("SELECT n.id, n.version, {key} FROM notes n");
        let (sql, values) = query.page_sql(&select, cursor, want);
        let mut stmt = store.conn.prepare_cached(&sql).map_err(store.sql())?;
        let mut rows = stmt.query(params_from_iter(values)).map_err(store.sql())?;
        let mut versions = Vec::with_capacity(want as usize);
        let mut last = None;
        while let Some(row) = rows.next().map_err(store.sql())? {
            let id: i64 = row.get(0).map_err(store.sql())?;
            let version = match row.get_ref(1).map_err(store.sql())? {
                ValueRef::Integer(v) => Some(v),
                _ => None,
            };
            versions.push(NoteVersion { id, version });
            last = Some((id, Raw::from(row.get_ref(2).map_err(store.sql())?)));
        }
        let cursor = last.map(|(id, key)| match query.sort {
            query::Sort::Id => cursor_after(&Raw::Integer(id), id),
            _ => cursor_after(&key, id),
        });
        Ok((versions, cursor))
    }

    /// The notes with these ids, in the order given (`None` for an id with no note); a
    /// damaged one is its [`StoreError::Corrupt`].
    pub(crate) fn notes_by_id(
        &self,
        ids: &[i64],
    ) -> Result<Vec<Option<Result<Note, StoreError>>>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let held = self.lock();
        let store = held.store();
        // Numbers only: the list is written into the statement, one statement per page.
        let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let sql = format!("{SELECT_NOTE} WHERE n.id IN ({list})");
        let mut stmt = store.conn.prepare(&sql).map_err(store.sql())?;
        let mut rows = stmt.query([]).map_err(store.sql())?;
        let mut found = std::collections::HashMap::with_capacity(ids.len());
        while let Some(row) = rows.next().map_err(store.sql())? {
            let raw = RawNote::read(row).map_err(store.sql())?;
            found.insert(raw.id, raw);
        }
        Ok(ids
            .iter()
            .map(|id| found.remove(id).map(RawNote::into_note))
            .collect())
    }
}

/// The versions of a query's notes, read [`PAGE_SIZE`] at a time ([`Snapshot::versions`]).
pub(crate) struct VersionStream<'s, 'a> {
    snapshot: &'s Snapshot<'a>,
    query: Query,
    cursor: Option<Cursor>,
    remaining: u64,
    done: bool,
}

impl VersionStream<'_, '_> {
    /// The next page, empty at the end.
    pub(crate) fn next_page(&mut self) -> Result<Vec<NoteVersion>, StoreError> {
        if self.done {
            return Ok(Vec::new());
        }
        let want = self.remaining.min(PAGE_SIZE as u64);
        let result = self
            .snapshot
            .version_page(&self.query, self.cursor.as_ref(), want);
        let (versions, cursor) = match result {
            Ok(page) => page,
            Err(e) => {
                self.done = true;
                return Err(e);
            }
        };
        let read = versions.len() as u64;
        if cursor.is_some() {
            self.cursor = cursor;
        }
        self.remaining -= read;
        self.done = read < want || self.remaining == 0;
        Ok(versions)
    }
}

impl Drop for Snapshot<'_> {
    fn drop(&mut self) {
        // A read transaction: rolling back only ends it. Fails only if it already ended.
        let _ = self.lock().store().conn.execute_batch("ROLLBACK");
    }
}

/// A row as read, before its fields are checked: what SQLite holds, whatever it is.
pub(super) struct RawNote {
    id: i64,
    title: Raw,
    body: Raw,
    created: Raw,
    updated: Raw,
    tags: Raw,
    properties: Raw,
    source_path: Raw,
    source_front_matter: Raw,
    source_imported_hash: Raw,
}

/// One SQLite value, owned, text kept as bytes so that text that is not UTF-8 can be named
/// instead of failing the query.
#[derive(Debug)]
enum Raw {
    Null,
    Integer(i64),
    Real(f64),
    Text(Vec<u8>),
    Blob(Vec<u8>),
}

impl From<ValueRef<'_>> for Raw {
    fn from(value: ValueRef<'_>) -> Self {
        match value {
            ValueRef::Null => Raw::Null,
            ValueRef::Integer(i) => Raw::Integer(i),
            ValueRef::Real(f) => Raw::Real(f),
            ValueRef::Text(t) => Raw::Text(t.to_vec()),
            ValueRef::Blob(b) => Raw::Blob(b.to_vec()),
        }
    }
}

impl RawNote {
    /// The columns of [`SELECT_NOTE`]; fails only if the query itself does.
    pub(super) fn read(row: &Row<'_>) -> rusqlite::Result<RawNote> {
        let raw = |i| row.get_ref(i).map(Raw::from);
        Ok(RawNote {
            id: row.get(0)?,
            title: raw(1)?,
            body: raw(2)?,
            created: raw(3)?,
            updated: raw(4)?,
            tags: raw(5)?,
            properties: raw(6)?,
            source_path: raw(7)?,
            source_front_matter: raw(8)?,
            source_imported_hash: raw(9)?,
        })
    }

    /// Where the page after this row starts, for `query`'s order.
    fn cursor(&self, query: &Query) -> Cursor {
        let key = match query.sort {
            query::Sort::Id => &Raw::Integer(self.id),
            query::Sort::Created => &self.created,
            query::Sort::Updated => &self.updated,
            query::Sort::Title => &self.title,
        };
        cursor_after(key, self.id)
    }
}

/// Where the page after a row whose sort column holds `key` starts.
fn cursor_after(key: &Raw, id: i64) -> Cursor {
    // The key is bound back with the type it was read with: SQLite orders values of
    // different types apart, and text that is not UTF-8 can only be bound as a blob and
    // cast back.
    let (key, cast_text) = match key {
        Raw::Null => (Value::Null, false),
        Raw::Integer(i) => (Value::Integer(*i), false),
        Raw::Real(f) => (Value::Real(*f), false),
        Raw::Text(bytes) => match String::from_utf8(bytes.clone()) {
            Ok(text) => (Value::Text(text), false),
            Err(e) => (Value::Blob(e.into_bytes()), true),
        },
        Raw::Blob(bytes) => (Value::Blob(bytes.clone()), false),
    };
    Cursor { key, cast_text, id }
}

impl RawNote {
    /// The note, or [`StoreError::Corrupt`] naming it and what is wrong.
    pub(super) fn into_note(self) -> Result<Note, StoreError> {
        let id = self.id;
        let corrupt = |reason: String| StoreError::Corrupt { id, reason };
        validate_id(id).map_err(|e| corrupt(e.to_string()))?;
        let title = text("title", self.title).map_err(corrupt)?;
        let body = text("body", self.body).map_err(corrupt)?;
        let tags = text("tag list", self.tags).map_err(corrupt)?;
        let tags: Vec<String> = serde_json::from_str(&tags)
            .map_err(|e| corrupt(format!("the tags are not a JSON list of text: {e}")))?;
        let created = time("created", self.created).map_err(corrupt)?;
        let updated = time("updated", self.updated).map_err(corrupt)?;
        validate(&title, &body, &tags).map_err(|e: NoteError| corrupt(e.to_string()))?;
        let properties = properties(self.properties).map_err(corrupt)?;
        let source = source(
            self.source_path,
            self.source_front_matter,
            self.source_imported_hash,
        )
        .map_err(corrupt)?;
        Ok(Note {
            id,
            title,
            tags,
            created,
            updated,
            body,
            properties,
            source,
        })
    }
}

/// The properties column: NULL for none, else a JSON object that [`validate_properties`]
/// accepts.
fn properties(raw: Raw) -> Result<Properties, String> {
    if let Raw::Null = raw {
        return Ok(Properties::new());
    }
    let text = text("properties", raw)?;
    let properties: Properties = serde_json::from_str(&text)
        .map_err(|e| format!("the properties are not a JSON object: {e}"))?;
    validate_properties(&properties).map_err(|e| e.to_string())?;
    Ok(properties)
}

/// The source columns: all NULL for none; else a path, maybe front matter, maybe a 16-byte
/// hash.
fn source(path: Raw, front_matter: Raw, hash: Raw) -> Result<Option<Source>, String> {
    let path = match path {
        Raw::Null => return Ok(None),
        raw => text("source path", raw)?,
    };
    let front_matter = match front_matter {
        Raw::Null => None,
        raw => Some(text("source front matter", raw)?),
    };
    let imported_hash = match hash {
        Raw::Null => None,
        Raw::Blob(bytes) => Some(
            <[u8; 16]>::try_from(bytes.as_slice())
                .map_err(|_| format!("the imported hash is {} bytes, not 16", bytes.len()))?,
        ),
        other => return Err(format!("the imported hash is {}, not a BLOB", kind(&other))),
    };
    let source = Source {
        path,
        front_matter,
        imported_hash,
    };
    validate_source(&source).map_err(|e| e.to_string())?;
    Ok(Some(source))
}

fn text(field: &str, raw: Raw) -> Result<String, String> {
    match raw {
        Raw::Text(bytes) => String::from_utf8(bytes).map_err(|e| {
            format!(
                "the {field} is not UTF-8 (byte {} of {})",
                e.utf8_error().valid_up_to(),
                e.as_bytes().len()
            )
        }),
        other => Err(format!("the {field} is {}, not text", kind(&other))),
    }
}

fn time(field: &str, raw: Raw) -> Result<Timestamp, String> {
    let micros = match raw {
        Raw::Integer(micros) => micros,
        other => {
            return Err(format!(
                "the {field} time is {}, not a number",
                kind(&other)
            ));
        }
    };
    let time = Timestamp::from_micros(micros);
    match time.map(|t| (t, t.problem())) {
        Some((t, None)) => Ok(t),
        Some((t, Some(problem))) => Err(format!("the {field} time {t} {problem}")),
        None => Err(format!(
            "the {field} time ({micros} microseconds after 1970) {}",
            crate::model::TimeProblem::OutOfRange
        )),
    }
}

fn kind(raw: &Raw) -> &'static str {
    match raw {
        Raw::Null => "NULL",
        Raw::Integer(_) => "a number",
        Raw::Real(_) => "a real number",
        Raw::Text(_) => "text",
        Raw::Blob(_) => "a BLOB",
    }
}

/// Notes read page by page inside one [`Snapshot`], in the query's order. Created by
/// [`Snapshot::notes`] and [`Snapshot::into_notes`].
///
/// Each page is one query (`WHERE key > last ORDER BY key, id LIMIT n`) in the snapshot's
/// transaction, so no statement stays open between pages and every page is of one moment.
pub struct NoteStream<'a> {
    pages: Pages<'a>,
    query: Query,
    cursor: Option<Cursor>,
    remaining: u64,
    page: VecDeque<Result<Note, StoreError>>,
    done: bool,
}

/// The snapshot a stream reads, borrowed or shared. (A trait object, because a snapshot
/// borrowing its store for `'a` cannot be named as one that lives for a shorter `'s`.)
enum Pages<'s> {
    Borrowed(&'s (dyn PageSource + 's)),
    Shared(Arc<dyn PageSource + 's>),
}

/// Where a [`NoteStream`] gets its pages: a [`Snapshot`].
trait PageSource: Send + Sync {
    /// At most `want` notes after `cursor`, and the cursor after the last of them.
    fn page(&self, query: &Query, cursor: Option<&Cursor>, want: u64) -> Result<Page, StoreError>;
}

impl PageSource for Snapshot<'_> {
    fn page(&self, query: &Query, cursor: Option<&Cursor>, want: u64) -> Result<Page, StoreError> {
        Snapshot::page(self, query, cursor, want)
    }
}

impl<'a> NoteStream<'a> {
    fn new(pages: Pages<'a>, query: &Query) -> Self {
        NoteStream {
            pages,
            query: query.clone(),
            cursor: None,
            remaining: query.limit.unwrap_or(u64::MAX),
            page: VecDeque::new(),
            done: query.limit == Some(0),
        }
    }

    fn fetch(&mut self) -> Result<(), StoreError> {
        let snapshot: &dyn PageSource = match &self.pages {
            Pages::Borrowed(snapshot) => *snapshot,
            Pages::Shared(snapshot) => &**snapshot,
        };
        let want = self.remaining.min(PAGE_SIZE as u64);
        let (notes, cursor) = snapshot.page(&self.query, self.cursor.as_ref(), want)?;
        let read = notes.len() as u64;
        self.page.extend(notes);
        if cursor.is_some() {
            self.cursor = cursor;
        }
        self.remaining -= read;
        self.done = read < want || self.remaining == 0;
        Ok(())
    }
}

impl Iterator for NoteStream<'_> {
    type Item = Result<Note, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.page.is_empty()
            && !self.done
            && let Err(e) = self.fetch()
        {
            self.done = true;
            return Some(Err(e));
        }
        self.page.pop_front()
    }
}
