//! The notebook: notes in an embedded SQLite database.
//!
//! [`Store`] opens (and creates, and migrates) the database file, adds, reads and removes
//! notes, and hands out [`NoteStream`]s that read notes in pages so that an export of a
//! million notes holds one page in memory, not the notebook. SQLite comes from rusqlite's
//! `bundled` feature: nothing needs to be installed.

mod migrations;
mod query;
pub mod sample;
pub mod seed;
// TEMPORARY (engine branch): stands in for the store branch's Snapshot until it is merged.
mod snapshot_shim;

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, Row, params, params_from_iter};

pub use migrations::{MigrateError, SCHEMA_VERSION};
pub use query::{DateField, DateSpec, Query, QueryError, Search, Sort};
pub use snapshot_shim::{Snapshot, SnapshotStream};

use crate::model::{NewNote, Note, NoteError, Timestamp, validate};

/// How many notes a [`NoteStream`] reads per query.
pub const PAGE_SIZE: usize = 512;

/// What went wrong with the notebook.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file could not be opened as a smartnotes database.
    #[error("cannot open the notebook {}", path.display())]
    Open {
        /// The database file.
        path: PathBuf,
        /// Why.
        #[source]
        source: rusqlite::Error,
    },
    /// The schema could not be brought up to date.
    #[error("cannot update the schema of {}", path.display())]
    Migrate {
        /// The database file.
        path: PathBuf,
        /// Why.
        #[source]
        source: MigrateError,
    },
    /// A query failed.
    #[error("notebook {}: {source}", path.display())]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// SQLite's error.
        #[source]
        source: rusqlite::Error,
    },
    /// No note has this id.
    #[error("no note with id {0}")]
    NotFound(i64),
    /// A stored row does not hold a valid note.
    #[error("note {id} in the notebook is damaged: {reason}")]
    Corrupt {
        /// The note's id.
        id: i64,
        /// What is wrong.
        reason: String,
    },
    /// The note given is not valid.
    #[error(transparent)]
    Invalid(#[from] NoteError),
    /// Another process holds the write lock for longer than the busy timeout.
    #[error(
        "the notebook {} is locked by another process (waited {} ms); try again when it is done",
        path.display(),
        waited.as_millis()
    )]
    Locked {
        /// The database file.
        path: PathBuf,
        /// How long we waited for the lock.
        waited: Duration,
    },
    /// The parent folder of the database could not be created.
    #[error("cannot create the folder {}", path.display())]
    CreateDir {
        /// The folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// An open notebook.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
    busy_timeout: Duration,
}

/// How long [`Store::open`] waits for a lock held by another process.
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// How [`Store::import`] treats the ids of incoming notes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImportMode {
    /// Every note gets a new id; the given ids are ignored.
    #[default]
    NewIds,
    /// Notes keep their ids; an id already in the notebook is a clash.
    KeepIds,
    /// Notes keep their ids; a note whose id exists replaces it (title, body, tags, dates).
    Update,
}

/// A note to import: its id, if it has one, and its fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Incoming {
    /// The id it had where it came from; `None` for a note that never had one.
    pub id: Option<i64>,
    /// The fields.
    pub note: NewNote,
}

/// What [`Store::import`] did, or would do, with one incoming note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Added; the id is `None` only in a dry run that assigns new ids.
    Added(Option<i64>),
    /// An existing note with this id was replaced.
    Updated(i64),
    /// An existing note with this id already holds exactly these fields.
    Unchanged(i64),
    /// `KeepIds`: the notebook already has a note with this id.
    Clash(Box<Note>),
}

/// The outcome of every incoming note, in order, and whether anything was written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// One per incoming note.
    pub outcomes: Vec<Outcome>,
    /// True when the transaction was committed (never in a dry run or after a clash that
    /// was not to be skipped).
    pub committed: bool,
}

impl ImportReport {
    /// How many notes were (or would be) added, updated and left unchanged, and how many
    /// clashed.
    pub fn count(&self) -> (u64, u64, u64, u64) {
        let mut c = (0, 0, 0, 0);
        for o in &self.outcomes {
            match o {
                Outcome::Added(_) => c.0 += 1,
                Outcome::Updated(_) => c.1 += 1,
                Outcome::Unchanged(_) => c.2 += 1,
                Outcome::Clash(_) => c.3 += 1,
            }
        }
        c
    }
}

const SELECT_NOTE: &str = "SELECT n.id, n.title, n.body, n.created, n.updated,
    (SELECT json_group_array(tag) FROM
        (SELECT tag FROM note_tags t WHERE t.note_id = n.id ORDER BY position))
    FROM notes n";

impl Store {
    /// Opens the notebook at `path`, creating it (and its folder) if needed, and migrates it.
    ///
    /// The database runs in WAL mode, so an export can read while `add` writes, and waits up
    /// to five seconds for a lock held by another process before failing.
    pub fn open(path: impl AsRef<Path>) -> Result<Store, StoreError> {
        Self::open_with_timeout(path, DEFAULT_BUSY_TIMEOUT)
    }

    /// Like [`Store::open`], waiting up to `busy_timeout` for another process's lock.
    pub fn open_with_timeout(
        path: impl AsRef<Path>,
        busy_timeout: Duration,
    ) -> Result<Store, StoreError> {
        let path = path.as_ref().to_path_buf();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::CreateDir {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn =
            Connection::open_with_flags(&path, flags).map_err(|source| StoreError::Open {
                path: path.clone(),
                source,
            })?;
        Self::init(conn, path, busy_timeout)
    }

    /// A notebook that lives in memory only, for tests and examples.
    pub fn open_in_memory() -> Result<Store, StoreError> {
        let path = PathBuf::from(":memory:");
        let conn = Connection::open_in_memory().map_err(|source| StoreError::Open {
            path: path.clone(),
            source,
        })?;
        Self::init(conn, path, DEFAULT_BUSY_TIMEOUT)
    }

    fn init(
        mut conn: Connection,
        path: PathBuf,
        busy_timeout: Duration,
    ) -> Result<Store, StoreError> {
        let open_err = |source| StoreError::Open {
            path: path.clone(),
            source,
        };
        conn.busy_timeout(busy_timeout).map_err(open_err)?;
        // journal_mode is the first statement to read the file: a file that is not SQLite
        // fails here, and the error says which file.
        let _mode: String = conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
            .map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_err)?;
        migrations::migrate(&mut conn).map_err(|source| StoreError::Migrate {
            path: path.clone(),
            source,
        })?;
        Ok(Store {
            conn,
            path,
            busy_timeout,
        })
    }

    /// The database file (`:memory:` for an in-memory store).
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn sql(&self) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        |source| StoreError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    /// Adds one note and returns it with its id.
    pub fn add(&mut self, note: NewNote) -> Result<Note, StoreError> {
        let id = self
            .add_all(std::iter::once(note.clone()))?
            .pop()
            .unwrap_or_default();
        self.get(id)
    }

    /// Adds notes in one transaction: all are added or none. Returns their ids in order.
    pub fn add_all(
        &mut self,
        notes: impl IntoIterator<Item = NewNote>,
    ) -> Result<Vec<i64>, StoreError> {
        let path = self.path.clone();
        let sql = |source| StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(sql)?;
        let mut ids = Vec::new();
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO notes (title, body, created, updated) VALUES (?1, ?2, ?3, ?4)",
                )
                .map_err(sql)?;
            let mut insert_tag = tx
                .prepare_cached(
                    "INSERT INTO note_tags (note_id, position, tag) VALUES (?1, ?2, ?3)",
                )
                .map_err(sql)?;
            for note in notes {
                validate(&note.title, &note.body, &note.tags)?;
                insert
                    .execute(params![
                        note.title,
                        note.body,
                        note.created.as_micros(),
                        note.updated.as_micros()
                    ])
                    .map_err(sql)?;
                let id = tx.last_insert_rowid();
                for (position, tag) in note.tags.iter().enumerate() {
                    insert_tag
                        .execute(params![id, position as i64, tag])
                        .map_err(sql)?;
                }
                ids.push(id);
            }
        }
        tx.commit().map_err(sql)?;
        Ok(ids)
    }

    /// The note with this id.
    pub fn get(&self, id: i64) -> Result<Note, StoreError> {
        self.conn
            .prepare_cached(&format!("{SELECT_NOTE} WHERE n.id = ?1"))
            .and_then(|mut stmt| stmt.query_row([id], raw_note).optional())
            .map_err(self.sql())?
            .ok_or(StoreError::NotFound(id))?
            .into_note()
    }

    /// Removes the note with this id.
    pub fn remove(&mut self, id: i64) -> Result<(), StoreError> {
        let removed = self
            .conn
            .execute("DELETE FROM notes WHERE id = ?1", [id])
            .map_err(self.sql())?;
        if removed == 0 {
            Err(StoreError::NotFound(id))
        } else {
            Ok(())
        }
    }

    /// Imports `incoming` in one transaction, as `mode` says, and reports what happened to
    /// each note.
    ///
    /// The write lock is taken up front (`BEGIN IMMEDIATE`), so a notebook locked by another
    /// process fails before anything is read, with [`StoreError::Locked`]. A clash
    /// ([`ImportMode::KeepIds`] and an id already present) writes nothing unless
    /// `skip_clashes`, in which case the clashing notes are left out and the rest committed.
    /// With `dry_run` the notebook is only read, never written: the report says what an
    /// import would do. An invalid note (see [`validate`]) fails the whole import.
    pub fn import(
        &mut self,
        incoming: &[Incoming],
        mode: ImportMode,
        dry_run: bool,
        skip_clashes: bool,
    ) -> Result<ImportReport, StoreError> {
        let path = self.path.clone();
        let waited = self.busy_timeout;
        let sql = |source: rusqlite::Error| {
            if source.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) {
                StoreError::Locked {
                    path: path.clone(),
                    waited,
                }
            } else {
                StoreError::Sqlite {
                    path: path.clone(),
                    source,
                }
            }
        };
        let behavior = if dry_run {
            rusqlite::TransactionBehavior::Deferred
        } else {
            rusqlite::TransactionBehavior::Immediate
        };
        let tx = self.conn.transaction_with_behavior(behavior).map_err(sql)?;
        let mut report = ImportReport::default();
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO notes (id, title, body, created, updated)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(sql)?;
            let mut update = tx
                .prepare_cached(
                    "UPDATE notes SET title = ?2, body = ?3, created = ?4, updated = ?5
                     WHERE id = ?1",
                )
                .map_err(sql)?;
            let mut clear_tags = tx
                .prepare_cached("DELETE FROM note_tags WHERE note_id = ?1")
                .map_err(sql)?;
            let mut insert_tag = tx
                .prepare_cached(
                    "INSERT INTO note_tags (note_id, position, tag) VALUES (?1, ?2, ?3)",
                )
                .map_err(sql)?;
            let mut select = tx
                .prepare_cached(&format!("{SELECT_NOTE} WHERE n.id = ?1"))
                .map_err(sql)?;
            for item in incoming {
                let note = &item.note;
                validate(&note.title, &note.body, &note.tags)?;
                let given = match (mode, item.id) {
                    (ImportMode::NewIds, _) | (_, None) => None,
                    (_, Some(id)) => Some(id),
                };
                let existing = match given {
                    Some(id) => select
                        .query_row([id], raw_note)
                        .optional()
                        .map_err(sql)?
                        .map(RawNote::into_note)
                        .transpose()?,
                    None => None,
                };
                let outcome = match (existing, given) {
                    (Some(old), Some(id)) if mode == ImportMode::Update => {
                        let same = old.title == note.title
                            && old.body == note.body
                            && old.tags == note.tags
                            && old.created == note.created
                            && old.updated == note.updated;
                        if same {
                            Outcome::Unchanged(id)
                        } else {
                            if !dry_run {
                                update
                                    .execute(params![
                                        id,
                                        note.title,
                                        note.body,
                                        note.created.as_micros(),
                                        note.updated.as_micros()
                                    ])
                                    .map_err(sql)?;
                                clear_tags.execute([id]).map_err(sql)?;
                            }
                            Outcome::Updated(id)
                        }
                    }
                    (Some(old), _) => Outcome::Clash(Box::new(old)),
                    (None, given) => {
                        if dry_run {
                            Outcome::Added(given)
                        } else {
                            insert
                                .execute(params![
                                    given,
                                    note.title,
                                    note.body,
                                    note.created.as_micros(),
                                    note.updated.as_micros()
                                ])
                                .map_err(sql)?;
                            Outcome::Added(Some(tx.last_insert_rowid()))
                        }
                    }
                };
                if let (false, Outcome::Added(Some(id)) | Outcome::Updated(id)) =
                    (dry_run, &outcome)
                {
                    for (position, tag) in note.tags.iter().enumerate() {
                        insert_tag
                            .execute(params![id, position as i64, tag])
                            .map_err(sql)?;
                    }
                }
                report.outcomes.push(outcome);
            }
        }
        let clashed = report
            .outcomes
            .iter()
            .any(|o| matches!(o, Outcome::Clash(_)));
        if !dry_run && (skip_clashes || !clashed) {
            tx.commit().map_err(sql)?;
            report.committed = true;
        }
        // Otherwise the transaction is dropped, which rolls it back.
        Ok(report)
    }

    /// How many notes match `query` (at most its `limit`).
    pub fn count(&self, query: &Query) -> Result<u64, StoreError> {
        let (condition, values) = query.condition();
        let count: u64 = self
            .conn
            .query_row(
                &format!("SELECT count(*) FROM notes n WHERE {condition}"),
                params_from_iter(values),
                |r| r.get(0),
            )
            .map_err(self.sql())?;
        Ok(query.limit.map_or(count, |limit| count.min(limit)))
    }

    /// Every note matching `query`, by id. Reads them all: for large notebooks prefer
    /// [`Store::stream`].
    pub fn list(&self, query: &Query) -> Result<Vec<Note>, StoreError> {
        self.stream(query).collect()
    }

    /// Like [`Store::stream`], but the stream owns the store, so it can outlive this value.
    pub fn into_stream(self, query: &Query) -> NoteStream<'static> {
        NoteStream::new(StoreRef::Owned(Box::new(self)), query)
    }

    /// The notes matching `query` in its order, read [`PAGE_SIZE`] at a time.
    pub fn stream(&self, query: &Query) -> NoteStream<'_> {
        NoteStream::new(StoreRef::Borrowed(self), query)
    }
}

/// A row as read, before its fields are checked.
struct RawNote {
    id: i64,
    title: String,
    body: String,
    created: i64,
    updated: i64,
    tags: String,
}

fn raw_note(row: &Row<'_>) -> rusqlite::Result<RawNote> {
    Ok(RawNote {
        id: row.get(0)?,
        title: row.get(1)?,
        body: row.get(2)?,
        created: row.get(3)?,
        updated: row.get(4)?,
        tags: row.get(5)?,
    })
}

impl RawNote {
    fn into_note(self) -> Result<Note, StoreError> {
        let id = self.id;
        let corrupt = |reason: String| StoreError::Corrupt { id, reason };
        let time = |micros| {
            Timestamp::from_micros(micros)
                .ok_or_else(|| corrupt(format!("timestamp {micros} is out of range")))
        };
        let tags: Vec<String> = serde_json::from_str(&self.tags)
            .map_err(|e| corrupt(format!("tags are not a JSON list: {e}")))?;
        Ok(Note {
            id,
            title: self.title,
            tags,
            created: time(self.created)?,
            updated: time(self.updated)?,
            body: self.body,
        })
    }
}

/// Notes read page by page, in the query's order. Created by [`Store::stream`].
///
/// Each page is one query (`WHERE key > last ORDER BY key, id LIMIT n`), so no statement stays
/// open between pages and writers are never blocked for the length of an export.
pub struct NoteStream<'a> {
    store: StoreRef<'a>,
    query: Query,
    cursor: Option<query::Cursor>,
    remaining: u64,
    page: VecDeque<Note>,
    done: bool,
}

enum StoreRef<'a> {
    Borrowed(&'a Store),
    Owned(Box<Store>),
}

impl<'a> NoteStream<'a> {
    fn new(store: StoreRef<'a>, query: &Query) -> Self {
        NoteStream {
            store,
            query: query.clone(),
            cursor: None,
            remaining: query.limit.unwrap_or(u64::MAX),
            page: VecDeque::new(),
            done: query.limit == Some(0),
        }
    }

    fn fetch(&mut self) -> Result<(), StoreError> {
        let store = match &self.store {
            StoreRef::Borrowed(store) => *store,
            StoreRef::Owned(store) => store,
        };
        let want = self.remaining.min(PAGE_SIZE as u64);
        let (sql, values) = self.query.page_sql(SELECT_NOTE, self.cursor.as_ref(), want);
        let sqlerr = |source| StoreError::Sqlite {
            path: store.path.clone(),
            source,
        };
        let mut stmt = store.conn.prepare_cached(&sql).map_err(sqlerr)?;
        let rows = stmt
            .query_map(params_from_iter(values), raw_note)
            .map_err(sqlerr)?;
        for row in rows {
            let note = row.map_err(sqlerr)?.into_note()?;
            self.cursor = Some(query::Cursor {
                key: self.query.sort_key(&note),
                id: note.id,
            });
            self.page.push_back(note);
        }
        self.remaining -= self.page.len() as u64;
        self.done = (self.page.len() as u64) < want || self.remaining == 0;
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
        self.page.pop_front().map(Ok)
    }
}

#[cfg(test)]
mod filter_tests;

#[cfg(test)]
mod tests {
    use super::*;

    fn note(title: &str, tags: &[&str]) -> NewNote {
        let t: Timestamp = "2026-11-24T09:00:00Z".parse().unwrap();
        NewNote {
            title: title.into(),
            body: format!("body of {title}\r\nline 2"),
            tags: tags.iter().map(|s| s.to_string()).collect(),
            created: t,
            updated: t,
        }
    }

    #[test]
    fn add_get_remove() {
        let mut store = Store::open_in_memory().unwrap();
        let a = store.add(note("Alpha", &["x", "y"])).unwrap();
        assert_eq!(a.title, "Alpha");
        assert_eq!(a.tags, ["x", "y"]);
        assert_eq!(a.body, "body of Alpha\r\nline 2");
        assert_eq!(store.get(a.id).unwrap(), a);
        store.remove(a.id).unwrap();
        assert!(matches!(store.get(a.id), Err(StoreError::NotFound(_))));
        assert!(matches!(store.remove(a.id), Err(StoreError::NotFound(_))));
    }

    #[test]
    fn ids_of_removed_notes_are_not_reused() {
        let mut store = Store::open_in_memory().unwrap();
        let a = store.add(note("a", &[])).unwrap();
        store.remove(a.id).unwrap();
        let b = store.add(note("b", &[])).unwrap();
        assert!(b.id > a.id);
    }

    #[test]
    fn tag_order_is_kept_and_filtering_by_tag_works() {
        let mut store = Store::open_in_memory().unwrap();
        store.add(note("one", &["zeta", "alpha"])).unwrap();
        store.add(note("two", &["alpha"])).unwrap();
        store.add(note("three", &[])).unwrap();
        assert_eq!(store.get(1).unwrap().tags, ["zeta", "alpha"]);
        let alpha: Vec<_> = store.list(&Query::tagged("alpha")).unwrap();
        assert_eq!(
            alpha.iter().map(|n| n.title.as_str()).collect::<Vec<_>>(),
            ["one", "two"]
        );
        assert_eq!(store.count(&Query::tagged("zeta")).unwrap(), 1);
        assert_eq!(store.count(&Query::default()).unwrap(), 3);
    }

    #[test]
    fn stream_reads_every_note_across_pages_in_id_order() {
        let mut store = Store::open_in_memory().unwrap();
        let n = PAGE_SIZE * 2 + 7;
        store
            .add_all((0..n).map(|i| note(&format!("n{i}"), &[])))
            .unwrap();
        let ids: Vec<i64> = store
            .stream(&Query::default())
            .map(|r| r.unwrap().id)
            .collect();
        assert_eq!(ids, (1..=n as i64).collect::<Vec<_>>());
    }

    #[test]
    fn an_invalid_note_rolls_back_the_whole_batch() {
        let mut store = Store::open_in_memory().unwrap();
        let err = store
            .add_all([note("ok", &[]), note("bad", &["a;b"])])
            .unwrap_err();
        assert!(matches!(err, StoreError::Invalid(_)));
        assert_eq!(store.count(&Query::default()).unwrap(), 0);
    }

    #[test]
    fn a_file_that_is_not_sqlite_is_refused_with_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.db");
        std::fs::write(
            &path,
            "this is not a database, it is a text file of some length.....",
        )
        .unwrap();
        let err = Store::open(&path).unwrap_err();
        assert!(matches!(err, StoreError::Open { .. }));
        assert!(err.to_string().contains("notes.db"), "{err}");
    }

    #[test]
    fn a_file_database_reopens_with_its_notes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/notes.db");
        let id = Store::open(&path)
            .unwrap()
            .add(note("kept", &["t"]))
            .unwrap()
            .id;
        let store = Store::open(&path).unwrap();
        assert_eq!(store.get(id).unwrap().title, "kept");
    }
}
