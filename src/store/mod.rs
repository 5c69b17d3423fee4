//! The notebook: notes in an embedded SQLite database.
//!
//! [`Store`] opens an existing notebook ([`Store::open`]) or creates one
//! ([`Store::open_or_create`], for the commands that add notes), refusing any file that is not
//! a smartnotes notebook without writing to it (`open.rs`); it adds, reads and removes notes,
//! each write one `BEGIN IMMEDIATE` transaction that waits the busy timeout for another
//! process's lock. Reading goes through a [`Snapshot`] (`snapshot.rs`): one read transaction
//! whose [`NoteStream`]s read notes in pages, so that an export of a million notes holds one
//! page in memory and sees the notebook at one moment. Attachments (`attachments.rs`) are kept
//! once by content beside the notes, as BLOBs read and written in pieces. SQLite comes from
//! rusqlite's `bundled` feature: nothing needs to be installed.

mod attachments;
mod bulk;
mod dates;
mod edit;
mod import;
mod links;
mod migrations;
mod open;
mod query;
pub mod sample;
pub mod seed;
mod snapshot;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::{
    Connection, ErrorCode, OptionalExtension, Transaction, TransactionBehavior, params,
    params_from_iter,
};

pub use attachments::{
    AttachmentFile, AttachmentIndex, AttachmentRef, DEFAULT_MAX_ATTACHMENT_SIZE, GcReport,
    MAX_ATTACHMENT_SIZE, Stored, StoredAttachment, attachment_path_problem, source_dir,
};
pub use dates::DateSpec;
pub use import::ImportSink;
pub use links::{Resolution, TargetNote};
pub use migrations::{MigrateError, SCHEMA_VERSION};
pub use query::{DateField, PropFilter, Query, QueryError, Search, Sort};
pub use snapshot::{NoteStream, Snapshot};
pub(crate) use snapshot::{NoteVersion, VersionStream};

use crate::model::{MAX_ID, NewNote, Note, NoteError, validate_note};
use open::Found;
use snapshot::RawNote;

/// How many notes a [`NoteStream`] reads per query.
pub const PAGE_SIZE: usize = 512;

/// What went wrong with the notebook. Every variant about a file names it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// [`Store::open`]: nothing at this path.
    #[error("no notebook at {}", path.display())]
    Missing {
        /// The path given.
        path: PathBuf,
    },
    /// [`Store::open`]: an empty file, not yet a notebook.
    #[error("{} is an empty file, not a notebook yet (add, seed or import make one)", path.display())]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// The file is not a smartnotes notebook; it was left as it is.
    #[error("{} is not a smartnotes notebook: {reason}; it was left as it is", path.display())]
    Foreign {
        /// The file.
        path: PathBuf,
        /// What it is instead.
        reason: String,
    },
    /// The file could not be looked at.
    #[error("cannot read {}", path.display())]
    Access {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file could not be opened as a smartnotes database.
    #[error("cannot open the notebook {}", path.display())]
    Open {
        /// The database file.
        path: PathBuf,
        /// Why.
        #[source]
        source: rusqlite::Error,
    },
    /// A notebook SQLite cannot read as it stands.
    #[error("cannot read the notebook {}: {reason}", path.display())]
    Unreadable {
        /// The database file.
        path: PathBuf,
        /// Why.
        reason: String,
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
    /// The notebook can be read but not written: the file, its folder or its file system is
    /// read-only.
    #[error(
        "the notebook {} is read-only (the file, its folder or its file system): it can be \
         listed, shown and exported, not changed",
        path.display()
    )]
    ReadOnly {
        /// The database file.
        path: PathBuf,
    },
    /// Every id up to [`MAX_ID`] has been given out (by an import of large ids).
    #[error(
        "the notebook {} has given out id {last}: a new note would get an id above {MAX_ID}, \
         the largest smartnotes can export faithfully",
        path.display()
    )]
    IdsExhausted {
        /// The database file.
        path: PathBuf,
        /// The largest id given out so far.
        last: i64,
    },
    /// An attachment's file could not be read.
    #[error("cannot read the attachment {}", path.display())]
    AttachmentRead {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// An attachment's file changed between its hashing and its storing.
    #[error("{}: the file changed while it was stored; nothing of it was kept (try again)", path.display())]
    AttachmentChanged {
        /// The file.
        path: PathBuf,
    },
    /// An attachment larger than the notebook can hold.
    #[error(
        "{}: {size} bytes is more than the notebook can hold in one attachment ({MAX_ATTACHMENT_SIZE} bytes)",
        path.display()
    )]
    AttachmentTooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
    },
    /// A remembered path no attachment can have.
    #[error("{path:?} cannot be an attachment's path: {reason}")]
    AttachmentPath {
        /// The path.
        path: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// `attach`: the notebook has an attachment at this path with other bytes.
    #[error(
        "the notebook already has an attachment {path:?} with other bytes (used by notes {}); \
         rename the file to attach it beside that one",
        notes.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
    )]
    AttachmentTaken {
        /// The path.
        path: String,
        /// The notes that use the attachment there.
        notes: Vec<i64>,
    },
    /// Reading or writing an attachment's bytes in the notebook failed.
    #[error("notebook {}: cannot read or write an attachment's bytes", path.display())]
    BlobIo {
        /// The database file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
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

/// The [`StoreError`] for SQLite's `error` on the notebook at `path`: [`StoreError::Locked`]
/// for a lock held past `waited`, [`StoreError::ReadOnly`] for a write refused, else
/// [`StoreError::Sqlite`]. Every operation reports these the same way.
pub(crate) fn classify(path: &Path, waited: Duration, error: rusqlite::Error) -> StoreError {
    match error.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Locked {
            path: path.to_path_buf(),
            waited,
        },
        Some(ErrorCode::ReadOnly) => StoreError::ReadOnly {
            path: path.to_path_buf(),
        },
        _ => StoreError::Sqlite {
            path: path.to_path_buf(),
            source: error,
        },
    }
}

/// An open notebook.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
    busy_timeout: Duration,
    read_only: bool,
}

/// How long every command waits for a lock held by another process before
/// [`StoreError::Locked`].
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
    /// Notes keep their ids; a note whose id exists replaces it (title, body, tags, dates,
    /// properties, and its source when the incoming note has one).
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
    /// An existing note with this id (or this source path) was replaced.
    Updated(i64),
    /// An existing note with this id (or this source path) already holds exactly these fields.
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

/// Every column of a note, tags as a JSON list in order. `CAST` because `json_group_array`
/// refuses a BLOB, and one damaged tag must fail its note, not the page.
const SELECT_NOTE: &str = "SELECT n.id, n.title, n.body, n.created, n.updated,
    (SELECT json_group_array(CAST(tag AS TEXT)) FROM
        (SELECT tag FROM note_tags t WHERE t.note_id = n.id ORDER BY position)),
    n.properties, n.source_path, n.source_front_matter, n.source_imported_hash
    FROM notes n";

/// The columns a note's properties and source are kept in, as [`SELECT_NOTE`] reads them
/// back: properties as a JSON object (NULL when there are none), the source's three fields
/// (all NULL without a source).
struct ExtraColumns<'a> {
    properties: Option<String>,
    source_path: Option<&'a str>,
    source_front_matter: Option<&'a str>,
    source_imported_hash: Option<&'a [u8]>,
}

impl<'a> ExtraColumns<'a> {
    fn of(note: &'a NewNote) -> Self {
        let source = note.source.as_ref();
        ExtraColumns {
            // Writing a JSON map into a String cannot fail.
            properties: (!note.properties.is_empty())
                .then(|| serde_json::to_string(&note.properties).unwrap_or_default()),
            source_path: source.map(|s| s.path.as_str()),
            source_front_matter: source.and_then(|s| s.front_matter.as_deref()),
            source_imported_hash: source.and_then(|s| s.imported_hash.as_ref().map(|h| &h[..])),
        }
    }
}

impl Store {
    /// Opens the existing notebook at `path`; never creates a file or a folder.
    ///
    /// Nothing at `path` is [`StoreError::Missing`], an empty file [`StoreError::Empty`], and a
    /// file that is not a smartnotes notebook [`StoreError::Foreign`]: it is looked at
    /// read-only first and left byte for byte as it was. A notebook that cannot be written
    /// (the file, its folder or its file system read-only) is opened read-only: it can be read,
    /// and writes fail with [`StoreError::ReadOnly`]. Waits up to [`DEFAULT_BUSY_TIMEOUT`] for
    /// another process's lock.
    pub fn open(path: impl AsRef<Path>) -> Result<Store, StoreError> {
        Self::open_with_timeout(path, DEFAULT_BUSY_TIMEOUT)
    }

    /// Like [`Store::open`], waiting up to `busy_timeout` for another process's lock.
    pub fn open_with_timeout(
        path: impl AsRef<Path>,
        busy_timeout: Duration,
    ) -> Result<Store, StoreError> {
        let path = path.as_ref().to_path_buf();
        match open::inspect(&path)? {
            Found::Notebook => Self::connect(path, busy_timeout, false),
            Found::Missing => Err(StoreError::Missing { path }),
            Found::Empty => Err(StoreError::Empty { path }),
            Found::Foreign(reason) => Err(StoreError::Foreign { path, reason }),
        }
    }

    /// Opens the notebook at `path`, creating it (and its folder) if there is nothing there,
    /// or making one of an empty file; for the commands that add notes. A file that is not a
    /// smartnotes notebook is refused as by [`Store::open`], and left as it was.
    pub fn open_or_create(path: impl AsRef<Path>) -> Result<Store, StoreError> {
        Self::open_or_create_with_timeout(path, DEFAULT_BUSY_TIMEOUT)
    }

    /// Like [`Store::open_or_create`], waiting up to `busy_timeout` for another process's lock.
    pub fn open_or_create_with_timeout(
        path: impl AsRef<Path>,
        busy_timeout: Duration,
    ) -> Result<Store, StoreError> {
        let path = path.as_ref().to_path_buf();
        match open::inspect(&path)? {
            Found::Notebook | Found::Empty => Self::connect(path, busy_timeout, false),
            Found::Missing => {
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent).map_err(|source| StoreError::CreateDir {
                        path: parent.to_path_buf(),
                        source,
                    })?;
                }
                Self::connect(path, busy_timeout, true)
            }
            Found::Foreign(reason) => Err(StoreError::Foreign { path, reason }),
        }
    }

    /// A notebook that lives in memory only, for tests and examples.
    pub fn open_in_memory() -> Result<Store, StoreError> {
        let path = PathBuf::from(":memory:");
        let conn = Connection::open_in_memory().map_err(|source| StoreError::Open {
            path: path.clone(),
            source,
        })?;
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(|source| StoreError::Open {
                path: path.clone(),
                source,
            })?;
        Self::init(conn, path, DEFAULT_BUSY_TIMEOUT, false)
    }

    /// Opens and migrates the notebook, trying again while it is busy, up to `busy_timeout`.
    /// SQLite answers "busy" at once, without waiting, where waiting could deadlock: several
    /// connections turning a new file into WAL or migrating it at the same moment (one in 12
    /// runs of four threads opening one new notebook). Starting again from the open is what
    /// SQLite asks for then; a lock really held is waited for by SQLite itself, so after such
    /// a wait the timeout has passed and the error is returned.
    fn connect(path: PathBuf, busy_timeout: Duration, create: bool) -> Result<Store, StoreError> {
        let started = Instant::now();
        loop {
            let opened =
                open::connect(&path, busy_timeout, create).and_then(|(conn, read_only)| {
                    Self::init(conn, path.clone(), busy_timeout, read_only)
                });
            match opened {
                Err(StoreError::Locked { .. }) if started.elapsed() < busy_timeout => {
                    std::thread::sleep(Duration::from_millis(2));
                }
                opened => return opened,
            }
        }
    }

    fn init(
        mut conn: Connection,
        path: PathBuf,
        busy_timeout: Duration,
        read_only: bool,
    ) -> Result<Store, StoreError> {
        let found = migrations::migrate(&mut conn, read_only).map_err(|source| match source {
            MigrateError::Sqlite(e) => classify(&path, busy_timeout, e),
            source => StoreError::Migrate {
                path: path.clone(),
                source,
            },
        })?;
        let mut store = Store {
            conn,
            path,
            busy_timeout,
            read_only,
        };
        if found < migrations::LINKS_VERSION && !read_only {
            store.index_all_links()?;
        }
        Ok(store)
    }

    /// The database file (`:memory:` for an in-memory store).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// True when the notebook was opened read-only: it can be read, not changed.
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    fn sql(&self) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        |e| classify(&self.path, self.busy_timeout, e)
    }

    /// Begins a write transaction, taking the write lock up front (`BEGIN IMMEDIATE`) so that
    /// a notebook locked by another process waits the busy timeout and then fails with
    /// [`StoreError::Locked`] before anything is read; a deferred transaction would fail at
    /// once when it tried to write.
    fn write(&mut self) -> Result<(Transaction<'_>, Errors<'_>), StoreError> {
        self.transaction(true)
    }

    /// A write transaction as [`Store::write`] says, or (`write` false) a deferred one that
    /// only reads.
    fn transaction(&mut self, write: bool) -> Result<(Transaction<'_>, Errors<'_>), StoreError> {
        let Store {
            conn,
            path,
            busy_timeout,
            read_only,
        } = self;
        if write && *read_only {
            return Err(StoreError::ReadOnly { path: path.clone() });
        }
        let errors = Errors {
            path,
            waited: *busy_timeout,
        };
        let behavior = if write {
            TransactionBehavior::Immediate
        } else {
            TransactionBehavior::Deferred
        };
        let tx = conn
            .transaction_with_behavior(behavior)
            .map_err(|e| errors.sql(e))?;
        Ok((tx, errors))
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
    /// A note that [`validate_note`] refuses fails the whole batch.
    pub fn add_all(
        &mut self,
        notes: impl IntoIterator<Item = NewNote>,
    ) -> Result<Vec<i64>, StoreError> {
        let (tx, errors) = self.write()?;
        errors.ids_left(&tx)?;
        let mut ids = Vec::new();
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO notes (title, body, created, updated, properties, source_path,
                         source_front_matter, source_imported_hash, version)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, random())",
                )
                .map_err(|e| errors.sql(e))?;
            let mut insert_tag = tx
                .prepare_cached(
                    "INSERT INTO note_tags (note_id, position, tag) VALUES (?1, ?2, ?3)",
                )
                .map_err(|e| errors.sql(e))?;
            for note in notes {
                validate_note(&note)?;
                let extra = ExtraColumns::of(&note);
                insert
                    .execute(params![
                        note.title,
                        note.body,
                        note.created.as_micros(),
                        note.updated.as_micros(),
                        extra.properties,
                        extra.source_path,
                        extra.source_front_matter,
                        extra.source_imported_hash,
                    ])
                    .map_err(|e| errors.sql(e))?;
                let id = errors.new_id(&tx)?;
                for (position, tag) in note.tags.iter().enumerate() {
                    insert_tag
                        .execute(params![id, position as i64, tag])
                        .map_err(|e| errors.sql(e))?;
                }
                links::index(&tx, id, &note.body, true).map_err(|e| errors.sql(e))?;
                ids.push(id);
            }
        }
        tx.commit().map_err(|e| errors.sql(e))?;
        self.resolve_links()?;
        Ok(ids)
    }

    /// The note with this id.
    pub fn get(&self, id: i64) -> Result<Note, StoreError> {
        self.conn
            .prepare_cached(&format!("{SELECT_NOTE} WHERE n.id = ?1"))
            .and_then(|mut stmt| stmt.query_row([id], RawNote::read).optional())
            .map_err(self.sql())?
            .ok_or(StoreError::NotFound(id))?
            .into_note()
    }

    /// Removes the note with this id, damaged or not.
    pub fn remove(&mut self, id: i64) -> Result<(), StoreError> {
        let (tx, errors) = self.write()?;
        let removed = tx
            .execute("DELETE FROM notes WHERE id = ?1", [id])
            .map_err(|e| errors.sql(e))?;
        if removed == 0 {
            return Err(StoreError::NotFound(id));
        }
        tx.commit().map_err(|e| errors.sql(e))?;
        self.resolve_links().map(drop)
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

    /// Every note matching `query`, in its order, from one [`Snapshot`]. Holds them all in
    /// memory: for large notebooks read [`Snapshot::notes`]. The first damaged note fails it.
    pub fn list(&mut self, query: &Query) -> Result<Vec<Note>, StoreError> {
        self.snapshot()?.notes(query)?.collect()
    }
}

/// Turns SQLite's errors into [`StoreError`]s inside a write transaction, where the store
/// itself is borrowed by the transaction.
struct Errors<'a> {
    path: &'a Path,
    waited: Duration,
}

impl Errors<'_> {
    fn sql(&self, error: rusqlite::Error) -> StoreError {
        classify(self.path, self.waited, error)
    }

    /// Fails if the next id SQLite would give is above [`MAX_ID`]: `AUTOINCREMENT` counts on
    /// from the largest id ever given, and past `i64::MAX` it fails with "database or disk is
    /// full".
    fn ids_left(&self, tx: &Transaction<'_>) -> Result<(), StoreError> {
        let last: i64 = tx
            .query_row(
                "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'notes'), 0),
                            coalesce((SELECT max(id) FROM notes), 0))",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.sql(e))?;
        if last >= MAX_ID {
            return Err(StoreError::IdsExhausted {
                path: self.path.to_path_buf(),
                last,
            });
        }
        Ok(())
    }

    /// The id SQLite just gave a new note, if it is at most [`MAX_ID`].
    fn new_id(&self, tx: &Transaction<'_>) -> Result<i64, StoreError> {
        let id = tx.last_insert_rowid();
        if id > MAX_ID {
            return Err(StoreError::IdsExhausted {
                path: self.path.to_path_buf(),
                last: id - 1,
            });
        }
        Ok(id)
    }
}

#[cfg(test)]
mod attachment_tests;

#[cfg(test)]
mod bulk_tests;

#[cfg(test)]
mod filter_tests;

#[cfg(test)]
mod source_tests;

#[cfg(test)]
mod tests;
