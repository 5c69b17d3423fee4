//! An import into a notebook without notes, built as a bulk load: its secondary indexes are
//! made once, at the end of the import's transaction, instead of growing by one entry per row.
//! Used by [`super::Store::import_each`] (`import.rs`).
//!
//! Row by row, every note inserted is also an insert into each index of `notes` and
//! `note_tags` (in the order of creation times, of tags: all over those B-trees). Dropped at
//! the start and created again at the end, each index is written by SQLite's sorter, one page
//! after another, in the import's one transaction, before it commits, with the SQL the
//! notebook itself holds (`sqlite_schema`): a committed import leaves the same schema and the
//! same index entries as row by row, and a rolled-back or killed one leaves the notebook as it
//! was, indexes included, since the `DROP` is rolled back with the rest.
//!
//! The full-text index is still written row by row, on purpose. Built once at the end with
//! FTS5's `rebuild` it cost 10% less CPU but more time: the rebuild runs alone on one core
//! after the files are parsed, where row by row it overlaps with the parsing on the other.
//! Import of 100,000 Markdown files into an empty notebook, alternated with the code before
//! this path (2-core VM, load 2, three runs each): with the rebuild 2.26-2.39 s against
//! 2.15-2.21 s; as written here 2.08-2.10 s against 1.95-2.06 s, user CPU 2.40-2.46 s against
//! 2.56-2.62 s. The indexes made at the end cost a little time for less CPU, which is what
//! counts on a busy machine.
//!
//! Only a notebook with no notes at the start takes this path: an index made again covers
//! every note of the notebook, and on one that already holds many it would cost more than the
//! notes imported.

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

    /// The indexes made again, before the import commits (in `tx`).
    pub(super) fn finish(self, tx: &Transaction<'_>) -> rusqlite::Result<()> {
        for sql in &self.dropped {
            tx.execute_batch(sql)?;
        }
        Ok(())
    }
}
