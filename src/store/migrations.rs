//! The schema, as a list of migrations applied in order.
//!
//! `PRAGMA user_version` records how many have been applied. A migration is never edited once
//! released: a change to the schema is a new entry at the end of [`MIGRATIONS`].

use rusqlite::{Connection, TransactionBehavior};

/// Every migration, oldest first; `user_version` N means the first N have run.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: notes and their ordered tags. AUTOINCREMENT so that the id of a deleted note is never
    // given to a new one: file names and incremental manifests key on ids.
    "CREATE TABLE notes (
        id      INTEGER PRIMARY KEY AUTOINCREMENT,
        title   TEXT    NOT NULL,
        body    TEXT    NOT NULL,
        created INTEGER NOT NULL,
        updated INTEGER NOT NULL
    );
    CREATE TABLE note_tags (
        note_id  INTEGER NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        tag      TEXT    NOT NULL,
        PRIMARY KEY (note_id, position)
    ) WITHOUT ROWID;
    CREATE INDEX note_tags_by_tag ON note_tags(tag, note_id);
    CREATE INDEX notes_by_created ON notes(created);
    CREATE INDEX notes_by_updated ON notes(updated);",
    // 2: full-text search over titles and bodies (`--search`). An external-content FTS5 table
    // stores only the index, not a second copy of every note; triggers keep it in step with
    // `notes`, and `rebuild` indexes the notes of a database made before this migration.
    "CREATE VIRTUAL TABLE notes_fts USING fts5(
        title, body, content = 'notes', content_rowid = 'id',
        tokenize = 'unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER notes_fts_insert AFTER INSERT ON notes BEGIN
        INSERT INTO notes_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
    END;
    CREATE TRIGGER notes_fts_delete AFTER DELETE ON notes BEGIN
        INSERT INTO notes_fts(notes_fts, rowid, title, body)
            VALUES ('delete', old.id, old.title, old.body);
    END;
    CREATE TRIGGER notes_fts_update AFTER UPDATE OF title, body ON notes BEGIN
        INSERT INTO notes_fts(notes_fts, rowid, title, body)
            VALUES ('delete', old.id, old.title, old.body);
        INSERT INTO notes_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
    END;
    INSERT INTO notes_fts(notes_fts) VALUES ('rebuild');",
    // 3: properties (the front matter keys smartnotes does not own, a JSON object in their
    // order; NULL for none) and where an imported note came from: its path relative to the
    // import root, the front matter bytes it came with, and its content hash then (16 bytes).
    // The index serves `Store::import`, which matches a re-imported file by its path.
    "ALTER TABLE notes ADD COLUMN properties TEXT;
    ALTER TABLE notes ADD COLUMN source_path TEXT;
    ALTER TABLE notes ADD COLUMN source_front_matter TEXT;
    ALTER TABLE notes ADD COLUMN source_imported_hash BLOB;
    CREATE INDEX notes_by_source_path ON notes(source_path) WHERE source_path IS NOT NULL;",
    // 4: the links of each note (store/links.rs), found in its body at every write: kind,
    // target as written, anchor, shown text, byte position and length, and what the target
    // resolves to: a note (NULL again when that note is removed), or an attachment (by id:
    // the attachments' table is another migration's, so no foreign key), or neither. The
    // notes that existed before are indexed by `Store` right after this migration.
    "CREATE TABLE links (
        source_id         INTEGER NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
        position          INTEGER NOT NULL,
        length            INTEGER NOT NULL,
        kind              TEXT    NOT NULL
                          CHECK (kind IN ('wikilink', 'embed', 'markdown', 'image')),
        target            TEXT    NOT NULL,
        anchor            TEXT,
        shown             TEXT,
        target_note       INTEGER REFERENCES notes(id) ON DELETE SET NULL,
        target_attachment INTEGER,
        PRIMARY KEY (source_id, position)
    ) WITHOUT ROWID;
    CREATE INDEX links_by_target_note ON links(target_note) WHERE target_note IS NOT NULL;",
    // Attachments (round 3's migration 5; links' is 4: the merge renumbers). Bytes are kept
    // once per BLAKE3 hash in `attachment_contents` (a BLOB, written and read in pieces); an
    // attachment is a remembered path ('/'-separated, relative to the imported folder; the
    // file name for `attach`) holding one content; `note_attachments` says which notes use
    // which. Removing a note drops its rows there and nothing else: `gc` removes attachments
    // no note uses and contents no attachment holds. The contents table has no foreign key
    // from `attachments` on purpose: deleting a content row (gc) must never cascade.
    "CREATE TABLE attachment_contents (
        id   INTEGER PRIMARY KEY,
        hash BLOB    NOT NULL UNIQUE,
        size INTEGER NOT NULL,
        data BLOB    NOT NULL
    );
    CREATE TABLE attachments (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        path       TEXT    NOT NULL UNIQUE,
        name       TEXT    NOT NULL,
        content_id INTEGER NOT NULL
    );
    CREATE INDEX attachments_by_name ON attachments(name);
    CREATE INDEX attachments_by_content ON attachments(content_id);
    CREATE TABLE note_attachments (
        note_id       INTEGER NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
        attachment_id INTEGER NOT NULL REFERENCES attachments(id) ON DELETE CASCADE,
        PRIMARY KEY (note_id, attachment_id)
    ) WITHOUT ROWID;
    CREATE INDEX note_attachments_by_attachment ON note_attachments(attachment_id);",
    // io's migration (numbered 6 in round 3's plan, after links' and attach's; the merge
    // renumbers): a version per note, kept by the notebook itself, so that an incremental
    // export learns which notes changed from `(id, version)` alone, without reading or hashing
    // a body. Any change of a note's row or of its tags gives it a new random version (random,
    // not a counter: two copies of one notebook edited apart never give one version two
    // meanings). The triggers guarantee it for every writer, smartnotes or not; smartnotes'
    // own write paths also set it in the statement itself (import runs with triggers off, and
    // an insert then costs no second write of the row). `version = 0` is a row inserted by a
    // writer that did not set it: the insert trigger gives it one. The index covers the
    // versions' scan: `(id, version)` without reading the rows, their bodies and their
    // overflow pages (the column comes last in the row).
    "ALTER TABLE notes ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
    UPDATE notes SET version = random();
    CREATE INDEX notes_versions ON notes(id, version);
    CREATE TRIGGER notes_version_insert AFTER INSERT ON notes WHEN new.version = 0 BEGIN
        UPDATE notes SET version = random() WHERE id = new.id;
    END;
    CREATE TRIGGER notes_version_update AFTER UPDATE ON notes
        WHEN new.version IS old.version BEGIN
        UPDATE notes SET version = random() WHERE id = new.id;
    END;
    CREATE TRIGGER note_tags_version_insert AFTER INSERT ON note_tags BEGIN
        UPDATE notes SET version = random() WHERE id = new.note_id;
    END;
    CREATE TRIGGER note_tags_version_delete AFTER DELETE ON note_tags BEGIN
        UPDATE notes SET version = random() WHERE id = old.note_id;
    END;
    CREATE TRIGGER note_tags_version_update AFTER UPDATE ON note_tags BEGIN
        UPDATE notes SET version = random() WHERE id IN (old.note_id, new.note_id);
    END;",
];

/// The migration that made the `links` table: a notebook older than it has its notes'
/// links indexed once it has run.
pub(crate) const LINKS_VERSION: u32 = 4;

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Brings `conn` up to [`SCHEMA_VERSION`], one `BEGIN IMMEDIATE` transaction per migration.
///
/// Returns the version found before migrating. A database newer than this build is refused
/// rather than guessed at; a `read_only` one that is not up to date cannot be updated and is
/// refused too. The version is read again inside each transaction, so two processes opening
/// a new notebook at once apply each migration once.
pub(crate) fn migrate(conn: &mut Connection, read_only: bool) -> Result<u32, MigrateError> {
    let found = version(conn)?;
    if found > SCHEMA_VERSION {
        return Err(MigrateError::TooNew {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    if found < SCHEMA_VERSION && read_only {
        return Err(MigrateError::ReadOnly {
            found,
            needed: SCHEMA_VERSION,
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if version(&tx)? <= index as u32 {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", index as u32 + 1)?;
        }
        tx.commit()?;
    }
    Ok(found)
}

fn version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
}

/// Why a database could not be brought up to date.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MigrateError {
    /// Written by a newer smartnotes.
    #[error("schema version {found} is newer than this smartnotes supports ({supported})")]
    TooNew {
        /// Version in the file.
        found: u32,
        /// Newest version this build knows.
        supported: u32,
    },
    /// The notebook is read-only and its schema is older than this build reads.
    #[error(
        "schema version {found} needs updating to {needed}, and the notebook is read-only: \
         open it once where it can be written"
    )]
    ReadOnly {
        /// Version in the file.
        found: u32,
        /// Version this build reads.
        needed: u32,
    },
    /// SQLite refused a statement.
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_an_empty_database_and_is_idempotent() {
        let mut conn = Connection::open_in_memory().unwrap();
        assert_eq!(migrate(&mut conn, false).unwrap(), 0);
        assert_eq!(migrate(&mut conn, false).unwrap(), SCHEMA_VERSION);
        let version: u32 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
    }

    #[test]
    fn refuses_a_newer_schema() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        assert!(matches!(
            migrate(&mut conn, false),
            Err(MigrateError::TooNew { .. })
        ));
    }
}
