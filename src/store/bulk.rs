//! An import into a notebook without notes, built as a bulk load: its secondary indexes and
//! its full-text index are made once, at the end of the import's transaction, instead of
//! growing by one entry per row. Used by [`super::Store::import_each`] (`import.rs`).
//!
//! Row by row, every note inserted is also an insert into each index of `notes` and
//! `note_tags` (in the order of creation times, of tags: all over those B-trees) and a
//! tokenizing pass of FTS5 whose terms are merged into its hash and flushed in segments.
//! Dropped at the start and created again at the end, each index is written by SQLite's
//! sorter, one page after another; the full-text index is FTS5's `rebuild`, which reads
//! the notes in rowid order. Both happen in the import's one transaction, before it commits,
//! with the SQL the notebook itself holds (`sqlite_schema`): a committed import leaves the
//! same schema and the same index entries as row by row, and a rolled-back or killed one
//! leaves the notebook as it was, indexes included, since the `DROP` is rolled back with
//! the rest.
//!
//! Only a notebook with no notes at the start takes this path: `rebuild` indexes every note
//! of the notebook, and on a notebook that already holds many it would cost more than the
//! notes imported; an empty notebook has nothing to index but them.

use rusqlite::{OptionalExtension, Transaction};

/// The indexes dropped for a bulk import: none of them is read while an import writes (it
/// looks notes up by id and by source path, whose indexes stay).
const DEFERRED: [&str; 4] = [
    "notes_by_created",
    "notes_by_updated",
    "notes_versions",
    "note_tags_by_tag",
];

/// A bulk import in progress: the SQL of the indexes it dropped, to make them again.
pub(super) struct Bulk {
    dropped: Vec<String>,
}

impl Bulk {
    /// A bulk import, when the notebook has no notes: the deferred indexes dropped (in `tx`).
    /// `None` for a notebook that has notes, which is imported row by row.
    pub(super) fn begin(tx: &Transaction<'_>) -> rusqlite::Result<Option<Bulk>> {
        let any: bool = tx.query_row("SELECT EXISTS (SELECT 1 FROM notes)", [], |r| r.get(0))?;
        if any {
            return Ok(None);
        }
        let mut dropped = Vec::new();
        for name in DEFERRED {
            let sql: Option<String> = tx
                .query_row(
                    "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?1",
                    [name],
                    |r| r.get(0),
                )
                .optional()?
                .flatten();
            // An index the notebook lacks (or SQLite's own, without SQL) is left alone.
            if let Some(sql) = sql {
                tx.execute_batch(&format!("DROP INDEX \"{name}\""))?;
                dropped.push(sql);
            }
        }
        Ok(Some(Bulk { dropped }))
    }

    /// The indexes made again and the full-text index built over every note, before the
    /// import commits (in `tx`).
    pub(super) fn finish(self, tx: &Transaction<'_>) -> rusqlite::Result<()> {
        for sql in &self.dropped {
            tx.execute_batch(sql)?;
        }
        tx.execute("INSERT INTO notes_fts(notes_fts) VALUES ('rebuild')", [])?;
        Ok(())
    }
}
