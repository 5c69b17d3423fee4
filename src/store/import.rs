//! [`Store::import`]: many incoming notes written in one transaction, each added, updated,
//! left unchanged or found to clash, as the [`ImportMode`] and the note's source say.
//!
//! A note is matched with a stored one by its id (under [`ImportMode::KeepIds`] and
//! [`ImportMode::Update`], when it has one), else by its source path (a file of a vault
//! imported again: updated or unchanged, never doubled), else it is new. The import engine in
//! [`crate::import`] calls this once per import; this file is the notebook side only. Into a
//! notebook without notes the indexes are made at the end instead of row by row (`bulk.rs`).

use std::borrow::Cow;
use std::collections::HashMap;

use rusqlite::config::DbConfig;
use rusqlite::{CachedStatement, OptionalExtension, Transaction, params};

use super::bulk::Bulk;
use super::snapshot::RawNote;
use super::{
    Errors, ExtraColumns, ImportMode, ImportReport, Incoming, Outcome, SELECT_NOTE, Store,
    StoreError,
};
use crate::model::{ContentHash, NewNote, Note, validate_id, validate_note};

impl Store {
    /// Imports `incoming` in one transaction, as `mode` says, and reports what happened to
    /// each note.
    ///
    /// The write lock is taken up front (`BEGIN IMMEDIATE`), so a notebook locked by another
    /// process fails before anything is read, with [`StoreError::Locked`]. A clash
    /// ([`ImportMode::KeepIds`] and an id already present) writes nothing unless
    /// `skip_clashes`, in which case the clashing notes are left out and the rest committed.
    /// With `dry_run` the notebook is only read, never written: the report says what an
    /// import would do. An invalid note or id (see [`validate_note`], [`validate_id`]) fails the
    /// whole import.
    ///
    /// A note with a [`Source`](crate::model::Source) and no id to go by (any id under
    /// [`ImportMode::NewIds`]) is matched with the stored note of the same source path (the
    /// lowest id, should several share it): that note is updated, or unchanged when every
    /// field and the source are equal. A source without an `imported_hash` is stamped with the
    /// incoming note's [`content hash`](NewNote::content_hash). An incoming note without a
    /// source leaves the stored note's source as it was.
    pub fn import(
        &mut self,
        incoming: &[Incoming],
        mode: ImportMode,
        dry_run: bool,
        skip_clashes: bool,
    ) -> Result<ImportReport, StoreError> {
        self.import_each(mode, dry_run, skip_clashes, |sink| {
            for item in incoming {
                sink.put(item)?;
            }
            Ok(true)
        })
    }

    /// [`Store::import`], the notes given one at a time: `feed` hands each to the
    /// [`ImportSink`] it is given, which matches and writes it at once in the import's one
    /// transaction, while the caller is still reading the next ones (the import engine reads
    /// files on other threads meanwhile). `feed` returns whether the import is still to be
    /// committed: `false` (an error in the input) rolls everything back, as does an `Err`.
    pub fn import_each<F>(
        &mut self,
        mode: ImportMode,
        dry_run: bool,
        skip_clashes: bool,
        feed: F,
    ) -> Result<ImportReport, StoreError>
    where
        F: FnOnce(&mut ImportSink<'_, '_>) -> Result<bool, StoreError>,
    {
        let (tx, errors) = self.transaction(!dry_run)?;
        let mut report = ImportReport::default();
        let keep = {
            // The full-text index is written by the writer, not by the triggers: a trigger
            // makes every INSERT a statement with a savepoint, at which FTS5 flushes its
            // pending terms to disk, one segment per note (an import of 100,000 notes spent
            // 30% of its time there and as much again merging the segments). Triggers come
            // back on when the guard is dropped, whatever happens.
            let _triggers = TriggersOff::new(&tx, &errors, !dry_run)?;
            let _cache = BigCache::new(&tx, !dry_run);
            // Into a notebook without notes, the indexes are made at the end (bulk.rs).
            let bulk = match dry_run {
                true => None,
                false => Bulk::begin(&tx).map_err(|e| errors.sql(e))?,
            };
            let mut sink = ImportSink {
                writer: Writer::prepare(&tx, &errors, dry_run)?,
                mode,
                outcomes: &mut report.outcomes,
            };
            let keep = feed(&mut sink)? && !dry_run && (skip_clashes || !clashed(sink.outcomes));
            if let (true, Some(bulk)) = (keep, bulk) {
                bulk.finish(&tx).map_err(|e| errors.sql(e))?;
            }
            keep
        };
        if keep {
            tx.commit().map_err(|e| errors.sql(e))?;
            report.committed = true;
        } else {
            // The transaction is dropped, which rolls it back.
            return Ok(report);
        }
        // Once per import, after the notes: a link to a note later in the import, or to one
        // it renamed, resolves now (store/links.rs).
        self.resolve_links()?;
        Ok(report)
    }
}

/// True when a note clashed with a stored one (the import is not committed unless clashes are
/// skipped).
fn clashed(outcomes: &[Outcome]) -> bool {
    outcomes.iter().any(|o| matches!(o, Outcome::Clash(_)))
}

/// Where [`Store::import_each`]'s feed puts the notes of an import, one at a time.
pub struct ImportSink<'s, 't> {
    writer: Writer<'t>,
    mode: ImportMode,
    outcomes: &'s mut Vec<Outcome>,
}

impl ImportSink<'_, '_> {
    /// Matches `item` with the notebook's notes and writes it (unless this is a dry run):
    /// what happened to it, which the import's report lists too, in order.
    pub fn put(&mut self, item: &Incoming) -> Result<&Outcome, StoreError> {
        let outcome = self.writer.one(item, self.mode)?;
        self.outcomes.push(outcome);
        Ok(&self.outcomes[self.outcomes.len() - 1])
    }

    /// The ids of the notebook's notes by content hash (the lowest id of equal notes), read in
    /// the import's transaction: a note another import committed while this one waited for
    /// the write lock is among them, so two imports of one backup at once add it once.
    /// Damaged notes are left out; they match nothing.
    pub fn notes_by_content(&self) -> Result<HashMap<ContentHash, i64>, StoreError> {
        let (tx, errors) = (self.writer.tx, self.writer.errors);
        let mut stmt = tx
            .prepare(&format!("{SELECT_NOTE} ORDER BY n.id"))
            .map_err(|e| errors.sql(e))?;
        let rows = stmt
            .query_map([], RawNote::read)
            .map_err(|e| errors.sql(e))?;
        let mut known = HashMap::new();
        for raw in rows {
            if let Ok(note) = raw.map_err(|e| errors.sql(e))?.into_note() {
                known.entry(note.content_hash()).or_insert(note.id);
            }
        }
        Ok(known)
    }

    /// The import's transaction, its error mapping and whether it is a dry run: for the
    /// attachments of an import (`attachments.rs`), written in the same transaction.
    pub(super) fn parts(&self) -> (&Transaction<'_>, &Errors<'_>, bool) {
        (self.writer.tx, self.writer.errors, self.writer.dry_run)
    }
}

/// How an incoming note found its stored counterpart.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Match {
    Id,
    Path,
}

/// The statements of one import, prepared once.
struct Writer<'t> {
    tx: &'t Transaction<'t>,
    errors: &'t Errors<'t>,
    dry_run: bool,
    ids_checked: bool,
    insert: CachedStatement<'t>,
    update: CachedStatement<'t>,
    clear_tags: CachedStatement<'t>,
    insert_tag: CachedStatement<'t>,
    by_id: CachedStatement<'t>,
    by_path: CachedStatement<'t>,
    fts_insert: CachedStatement<'t>,
    fts_delete: CachedStatement<'t>,
    fts_bulk: BulkFts,
}

impl Drop for Writer<'_> {
    fn drop(&mut self) {
        self.fts_bulk.restore(self.tx);
    }
}

/// A page cache of 64 MiB while it lives, for an import of many notes: with SQLite's 2 MB the
/// pages of the tables and indexes being filled are written out and read back again before the
/// transaction ends. The cache size it found is put back when it is dropped.
struct BigCache<'t> {
    conn: &'t rusqlite::Connection,
    was: Option<i64>,
}

impl<'t> BigCache<'t> {
    fn new(conn: &'t rusqlite::Connection, big: bool) -> Self {
        let was = big
            .then(|| {
                conn.pragma_query_value(None, "cache_size", |r| r.get::<_, i64>(0))
                    .ok()
            })
            .flatten();
        if was.is_some() {
            // A larger cache is only faster, never different: should SQLite refuse, go on.
            let _ = conn.pragma_update(None, "cache_size", -65536);
        }
        BigCache { conn, was }
    }
}

impl Drop for BigCache<'_> {
    fn drop(&mut self) {
        if let Some(was) = self.was {
            let _ = self.conn.pragma_update(None, "cache_size", was);
        }
    }
}

/// The full-text index's in-memory hash of pending terms at 64 MiB from the first note an
/// import writes, instead of FTS5's 1 MiB: FTS5 writes the hash out as a new segment each time
/// it fills, and merges the segments as they pile up (an import of 100,000 notes spent 13% of
/// its writer's time in those flushes and merges). The setting is FTS5's own (`hashsize`), kept
/// in the notebook, so it is put back as it was (no row, or the row it found) before the import
/// commits, and a rolled-back import rolls it back too; an import that writes nothing never
/// touches it (the notebook stays byte for byte as it was).
#[derive(Default)]
struct BulkFts {
    // `Some(found)` once enabled: the `hashsize` row found before, if any.
    enabled: Option<Option<rusqlite::types::Value>>,
}

const FTS_BULK_HASH: i64 = 64 << 20;

impl BulkFts {
    fn enable(&mut self, tx: &Transaction<'_>) {
        if self.enabled.is_some() {
            return;
        }
        let found = tx
            .query_row(
                "SELECT v FROM notes_fts_config WHERE k = 'hashsize'",
                [],
                |r| r.get::<_, rusqlite::types::Value>(0),
            )
            .optional();
        // Faster or not, the index is the same: should SQLite refuse, only speed differs.
        if let Ok(found) = found
            && set_fts_hash(tx, FTS_BULK_HASH).is_ok()
        {
            self.enabled = Some(found);
        }
    }

    fn restore(&mut self, tx: &Transaction<'_>) {
        let _ = match self.enabled.take() {
            None => return,
            Some(Some(found)) => tx.execute(
                "INSERT INTO notes_fts(notes_fts, rank) VALUES ('hashsize', ?1)",
                [found],
            ),
            Some(None) => tx.execute("DELETE FROM notes_fts_config WHERE k = 'hashsize'", []),
        };
    }
}

fn set_fts_hash(conn: &rusqlite::Connection, bytes: i64) -> rusqlite::Result<usize> {
    conn.execute(
        "INSERT INTO notes_fts(notes_fts, rank) VALUES ('hashsize', ?1)",
        [bytes],
    )
}

/// The connection's triggers switched off while it lives (the notebook's triggers keep
/// `notes_fts` in step with `notes` and give a changed note a new `version`, both of which
/// [`Writer`] does itself meanwhile).
struct TriggersOff<'t> {
    conn: Option<&'t rusqlite::Connection>,
}

impl<'t> TriggersOff<'t> {
    fn new(
        conn: &'t rusqlite::Connection,
        errors: &Errors<'_>,
        off: bool,
    ) -> Result<Self, StoreError> {
        if !off {
            return Ok(TriggersOff { conn: None });
        }
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_TRIGGER, false)
            .map_err(|e| errors.sql(e))?;
        Ok(TriggersOff { conn: Some(conn) })
    }
}

impl Drop for TriggersOff<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn {
            // Switching a setting back cannot fail on an open connection; should it, the next
            // statement that needs the triggers would see them off, so say it loudly.
            if conn
                .set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_TRIGGER, true)
                .is_err()
            {
                eprintln!("smartnotes: could not switch the notebook's triggers back on");
            }
        }
    }
}

impl<'t> Writer<'t> {
    fn prepare(
        tx: &'t Transaction<'t>,
        errors: &'t Errors<'t>,
        dry_run: bool,
    ) -> Result<Self, StoreError> {
        let prepare = |sql: &str| tx.prepare_cached(sql).map_err(|e| errors.sql(e));
        Ok(Writer {
            tx,
            errors,
            dry_run,
            ids_checked: false,
            insert: prepare(
                "INSERT INTO notes (id, title, body, created, updated, properties, source_path,
                     source_front_matter, source_imported_hash, version)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, random())",
            )?,
            update: prepare(
                "UPDATE notes SET title = ?2, body = ?3, created = ?4, updated = ?5,
                     properties = ?6, source_path = ?7, source_front_matter = ?8,
                     source_imported_hash = ?9, version = random()
                 WHERE id = ?1",
            )?,
            clear_tags: prepare("DELETE FROM note_tags WHERE note_id = ?1")?,
            insert_tag: prepare(
                "INSERT INTO note_tags (note_id, position, tag) VALUES (?1, ?2, ?3)",
            )?,
            by_id: prepare(&format!("{SELECT_NOTE} WHERE n.id = ?1"))?,
            by_path: prepare(&format!(
                "{SELECT_NOTE} WHERE n.source_path = ?1 ORDER BY n.id LIMIT 1"
            ))?,
            fts_insert: prepare("INSERT INTO notes_fts(rowid, title, body) VALUES (?1, ?2, ?3)")?,
            fts_delete: prepare(
                "INSERT INTO notes_fts(notes_fts, rowid, title, body) VALUES ('delete', ?1, ?2, ?3)",
            )?,
            fts_bulk: BulkFts::default(),
        })
    }

    /// What happens to one incoming note; written unless this is a dry run.
    fn one(&mut self, item: &Incoming, mode: ImportMode) -> Result<Outcome, StoreError> {
        validate_note(&item.note)?;
        let given = match (mode, item.id) {
            (ImportMode::NewIds, _) | (_, None) => None,
            (_, Some(id)) => Some(id),
        };
        if let Some(id) = given {
            validate_id(id)?;
        }
        let note = stamped(&item.note);
        let existing = self.existing(given, &note)?;
        let outcome = match existing {
            Some((old, Match::Id)) if mode != ImportMode::Update => Outcome::Clash(Box::new(old)),
            Some((old, _)) => self.replace(old, &note)?,
            None => self.add(given, &note)?,
        };
        if let (false, Outcome::Added(Some(id)) | Outcome::Updated(id)) = (self.dry_run, &outcome) {
            self.tags(*id, &note.tags)?;
            let fresh = matches!(outcome, Outcome::Added(_));
            super::links::index(self.tx, *id, &note.body, fresh).map_err(|e| self.errors.sql(e))?;
        }
        Ok(outcome)
    }

    /// The stored note the incoming one stands for: by id when it has one to go by, else by
    /// source path.
    fn existing(
        &mut self,
        given: Option<i64>,
        note: &NewNote,
    ) -> Result<Option<(Note, Match)>, StoreError> {
        let errors = self.errors;
        let (statement, key, how) = match (given, &note.source) {
            (Some(id), _) => (
                &mut self.by_id,
                rusqlite::types::Value::Integer(id),
                Match::Id,
            ),
            (None, Some(source)) => (
                &mut self.by_path,
                rusqlite::types::Value::Text(source.path.clone()),
                Match::Path,
            ),
            (None, None) => return Ok(None),
        };
        let found = statement
            .query_row([key], RawNote::read)
            .optional()
            .map_err(|e| errors.sql(e))?
            .map(RawNote::into_note)
            .transpose()?;
        Ok(found.map(|note| (note, how)))
    }

    /// `old` replaced by `note`, or left as it is when they are equal. A note without a source
    /// keeps the stored one.
    fn replace(&mut self, old: Note, note: &NewNote) -> Result<Outcome, StoreError> {
        let id = old.id;
        let merged = match (&note.source, &old.source) {
            (None, Some(kept)) => Cow::Owned(NewNote {
                source: Some(kept.clone()),
                ..note.clone()
            }),
            _ => Cow::Borrowed(note),
        };
        let old = NewNote::from(old);
        if same(&old, &merged) {
            return Ok(Outcome::Unchanged(id));
        }
        if !self.dry_run {
            self.fts_bulk.enable(self.tx);
            let extra = ExtraColumns::of(&merged);
            self.update
                .execute(params![
                    id,
                    merged.title,
                    merged.body,
                    merged.created.as_micros(),
                    merged.updated.as_micros(),
                    extra.properties,
                    extra.source_path,
                    extra.source_front_matter,
                    extra.source_imported_hash,
                ])
                .map_err(|e| self.errors.sql(e))?;
            self.clear_tags
                .execute([id])
                .map_err(|e| self.errors.sql(e))?;
            // What the update trigger does.
            self.fts_delete
                .execute(params![id, old.title, old.body])
                .map_err(|e| self.errors.sql(e))?;
            self.fts_insert
                .execute(params![id, merged.title, merged.body])
                .map_err(|e| self.errors.sql(e))?;
        }
        Ok(Outcome::Updated(id))
    }

    /// `note` added, with its `given` id or a new one.
    fn add(&mut self, given: Option<i64>, note: &NewNote) -> Result<Outcome, StoreError> {
        if self.dry_run {
            return Ok(Outcome::Added(given));
        }
        if given.is_none() && !self.ids_checked {
            self.errors.ids_left(self.tx)?;
            self.ids_checked = true;
        }
        self.fts_bulk.enable(self.tx);
        let extra = ExtraColumns::of(note);
        self.insert
            .execute(params![
                given,
                note.title,
                note.body,
                note.created.as_micros(),
                note.updated.as_micros(),
                extra.properties,
                extra.source_path,
                extra.source_front_matter,
                extra.source_imported_hash,
            ])
            .map_err(|e| self.errors.sql(e))?;
        let id = match given {
            Some(id) => id,
            None => self.errors.new_id(self.tx)?,
        };
        // What the insert trigger does.
        self.fts_insert
            .execute(params![id, note.title, note.body])
            .map_err(|e| self.errors.sql(e))?;
        Ok(Outcome::Added(Some(id)))
    }

    fn tags(&mut self, id: i64, tags: &[String]) -> Result<(), StoreError> {
        let errors = self.errors;
        for (position, tag) in tags.iter().enumerate() {
            self.insert_tag
                .execute(params![id, position as i64, tag])
                .map_err(|e| errors.sql(e))?;
        }
        Ok(())
    }
}

/// The note with its source stamped with its content hash, if the source has none yet.
fn stamped(note: &NewNote) -> Cow<'_, NewNote> {
    match &note.source {
        Some(source) if source.imported_hash.is_none() => {
            let mut note = note.clone();
            let hash = note.content_hash();
            if let Some(source) = &mut note.source {
                source.imported_hash = Some(hash);
            }
            Cow::Owned(note)
        }
        _ => Cow::Borrowed(note),
    }
}

/// Every field equal, the order of properties included (a JSON map compares regardless of
/// order, so they are compared as the text the notebook keeps).
fn same(old: &NewNote, new: &NewNote) -> bool {
    old.title == new.title
        && old.body == new.body
        && old.tags == new.tags
        && old.created == new.created
        && old.updated == new.updated
        && old.source == new.source
        && ExtraColumns::of(old).properties == ExtraColumns::of(new).properties
}
