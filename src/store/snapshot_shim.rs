//! TEMPORARY (engine branch): a stand-in for the store branch's `Store::snapshot` (BRIEF
//! interface 1), so that the export engine can read through one snapshot before that branch
//! is merged. On merge, delete this file and its two lines in `store/mod.rs`; the engine
//! only uses `Store::snapshot`, `Snapshot::count` and `Snapshot::notes`.
//!
//! A [`Snapshot`] is one read transaction held open on the store's connection: its count and
//! every page of its streams see the notebook at one moment (WAL: writers are not blocked).
//! Its streams go on after a damaged row ([`StoreError::Corrupt`]) with the next rows.

use std::collections::VecDeque;

use rusqlite::params_from_iter;
use rusqlite::types::{Value, ValueRef};

use super::query::{Cursor, Sort};
use super::{PAGE_SIZE, Query, RawNote, SELECT_NOTE, Store, StoreError};
use crate::model::Note;

/// The notebook at one moment; see the module docs.
pub struct Snapshot<'a> {
    store: &'a Store,
}

impl Store {
    /// Opens a read transaction: everything read through the snapshot sees the notebook as it
    /// is now, whatever other processes write meanwhile.
    pub fn snapshot(&mut self) -> Result<Snapshot<'_>, StoreError> {
        let sql = self.sql();
        self.conn.execute_batch("BEGIN DEFERRED").map_err(&sql)?;
        // A deferred transaction takes its snapshot at its first read: read now.
        let started = self
            .conn
            .query_row("SELECT count(*) FROM notes", [], |r| r.get::<_, i64>(0));
        if let Err(e) = started {
            let _ = self.conn.execute_batch("ROLLBACK");
            return Err(sql(e));
        }
        drop(sql);
        Ok(Snapshot { store: self })
    }
}

impl Drop for Snapshot<'_> {
    fn drop(&mut self) {
        let _ = self.store.conn.execute_batch("ROLLBACK");
    }
}

impl Snapshot<'_> {
    /// How many notes match `query` (at most its `limit`).
    pub fn count(&self, query: &Query) -> Result<u64, StoreError> {
        self.store.count(query)
    }

    /// The notes matching `query` in its order, a page at a time; a damaged row is an
    /// `Err(Corrupt)` of its own and the stream goes on.
    pub fn notes(&self, query: &Query) -> Result<SnapshotStream<'_>, StoreError> {
        Ok(SnapshotStream {
            store: self.store,
            query: query.clone(),
            cursor: None,
            remaining: query.limit.unwrap_or(u64::MAX),
            page: VecDeque::new(),
            done: query.limit == Some(0),
        })
    }
}

/// The stream of [`Snapshot::notes`].
pub struct SnapshotStream<'a> {
    store: &'a Store,
    query: Query,
    cursor: Option<Cursor>,
    remaining: u64,
    page: VecDeque<Result<Note, StoreError>>,
    done: bool,
}

impl SnapshotStream<'_> {
    fn fetch(&mut self) -> Result<(), StoreError> {
        let want = self.remaining.min(PAGE_SIZE as u64);
        let (sql, values) = self.query.page_sql(SELECT_NOTE, self.cursor.as_ref(), want);
        let sqlerr = self.store.sql();
        let mut stmt = self.store.conn.prepare_cached(&sql).map_err(&sqlerr)?;
        let mut rows = stmt.query(params_from_iter(values)).map_err(&sqlerr)?;
        let mut got = 0u64;
        while let Some(row) = rows.next().map_err(&sqlerr)? {
            got += 1;
            let id: i64 = row.get(0).map_err(&sqlerr)?;
            let key = match self.query.sort {
                Sort::Id => Value::Integer(id),
                Sort::Created => Value::Integer(row.get(3).map_err(&sqlerr)?),
                Sort::Updated => Value::Integer(row.get(4).map_err(&sqlerr)?),
                // A title that is not UTF-8 keys the cursor by its lossy text: the shim's one
                // approximation, for damaged titles sorted by title.
                Sort::Title => match row.get_ref(1).map_err(&sqlerr)? {
                    ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                    other => Value::Text(format!("{other:?}")),
                },
            };
            self.cursor = Some(Cursor { key, id });
            let note = match raw(row) {
                Ok(raw) => raw.into_note(),
                Err(reason) => Err(StoreError::Corrupt { id, reason }),
            };
            self.page.push_back(note);
        }
        self.remaining -= got;
        self.done = got < want || self.remaining == 0;
        Ok(())
    }
}

/// The row's fields, or why one is damaged.
fn raw(row: &rusqlite::Row<'_>) -> Result<RawNote, String> {
    let text = |i: usize, field: &str| -> Result<String, String> {
        match row.get_ref(i) {
            Ok(ValueRef::Text(t)) => String::from_utf8(t.to_vec())
                .map_err(|e| format!("its {field} is not UTF-8 text ({e})")),
            Ok(other) => Err(format!("its {field} is not text ({:?})", other.data_type())),
            Err(e) => Err(format!("its {field} cannot be read: {e}")),
        }
    };
    let int = |i: usize, field: &str| -> Result<i64, String> {
        row.get(i)
            .map_err(|e| format!("its {field} is not an integer: {e}"))
    };
    Ok(RawNote {
        id: int(0, "id")?,
        title: text(1, "title")?,
        body: text(2, "body")?,
        created: int(3, "created time")?,
        updated: int(4, "updated time")?,
        tags: text(5, "tags")?,
    })
}

impl Iterator for SnapshotStream<'_> {
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
