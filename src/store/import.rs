//! [`Store::import`]: many incoming notes written in one transaction, each added, updated,
//! left unchanged or found to clash, as the [`ImportMode`] and the note's source say.
//!
//! A note is matched with a stored one by its id (under [`ImportMode::KeepIds`] and
//! [`ImportMode::Update`], when it has one), else by its source path (a file of a vault
//! imported again: updated or unchanged, never doubled), else it is new. The import engine in
//! [`crate::import`] calls this once per import; this file is the notebook side only.

use std::borrow::Cow;

use rusqlite::{CachedStatement, OptionalExtension, Transaction, params};

use super::snapshot::RawNote;
use super::{
    Errors, ExtraColumns, ImportMode, ImportReport, Incoming, Outcome, SELECT_NOTE, Store,
    StoreError,
};
use crate::model::{NewNote, Note, validate_id, validate_note};

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
        let (tx, errors) = self.transaction(!dry_run)?;
        let mut report = ImportReport::default();
        {
            let mut writer = Writer::prepare(&tx, &errors, dry_run)?;
            for item in incoming {
                report.outcomes.push(writer.one(item, mode)?);
            }
        }
        let clashed = report
            .outcomes
            .iter()
            .any(|o| matches!(o, Outcome::Clash(_)));
        if !dry_run && (skip_clashes || !clashed) {
            tx.commit().map_err(|e| errors.sql(e))?;
            report.committed = true;
        }
        // Otherwise the transaction is dropped, which rolls it back.
        Ok(report)
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
                     source_front_matter, source_imported_hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?,
            update: prepare(
                "UPDATE notes SET title = ?2, body = ?3, created = ?4, updated = ?5,
                     properties = ?6, source_path = ?7, source_front_matter = ?8,
                     source_imported_hash = ?9
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
        Ok(Outcome::Added(Some(match given {
            Some(id) => id,
            None => self.errors.new_id(self.tx)?,
        })))
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
