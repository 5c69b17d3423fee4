//! The notebook's `links` table: every note's links, found at each write and resolved
//! after it.
//!
//! **Finding.** Whenever a note's body is written (`add`, `edit`, an import that adds or
//! updates it) its old rows go and the links [`crate::links::parse`] finds in the new body
//! are inserted, in the same transaction as the note, so the table never describes another
//! text than the one stored. A notebook made before the table existed has every note indexed
//! once, when it is first opened by this version.
//!
//! **Resolving.** What a link's target is can change without its note changing: a note
//! imported later, renamed or removed, an attachment added. So resolution is a pass of its
//! own, [`Store::resolve_links`], run after every command that writes notes commits (add,
//! edit, import, rm: after each import, whatever the number of files, not per note) in a
//! transaction of its own: every link of the notebook is resolved again against every
//! note's names ([`crate::links::resolve`]) and then against the attachments
//! ([`Store::attachment_by_path`]), and the rows whose answer changed are updated. A
//! notebook without links skips it at the cost of one query. Should that pass fail after
//! the notes were committed, the links keep their old answers until the next write; no
//! note is lost.
//!
//! **Asking.** [`Store::links_of`] and [`Store::backlinks_of`] serve `show ID --links`;
//! the graph filters of a [`super::Query`] (`links_to`, `linked_from`, `orphans`,
//! `broken_links`) are SQL on this table (`query.rs`); the export reads the links of a page
//! of notes at once through [`super::Snapshot::links_of`].

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::snapshot::Snapshot;
use super::{Store, StoreError};
use crate::links::resolve::{Names, NoteNames, aliases_of, folder};
use crate::links::{Link, LinkKind, ParsedLink, Resolved, parse};

/// The columns of a link, as [`read_link`] reads them.
const SELECT_LINK: &str = "SELECT l.source_id, l.kind, l.target, l.anchor, l.shown, l.position,
    l.length, l.target_note, l.target_attachment FROM links l";

/// [`SELECT_LINK`] and the linking note's remembered path (`notes AS n` joined).
const SELECT_LINK_AND_PATH: &str = "SELECT l.source_id, l.kind, l.target, l.anchor, l.shown,
    l.position, l.length, l.target_note, l.target_attachment, n.source_path FROM links l";

/// Replaces the stored links of note `id` by those of `body`; in the caller's transaction.
/// A `fresh` note (just inserted) has none to replace, which spares it a query.
///
/// Every statement here writes one row: a statement that may write several (a `DELETE ...
/// WHERE source_id = ?`, an `INSERT OR REPLACE`) takes a statement savepoint, at which FTS5
/// flushes its pending terms to disk, and the import, which holds them until it commits
/// (store/import.rs), then spent most of its time in those flushes (3.5 of 7.9 billion
/// instructions for 20,000 notes with links, measured with callgrind).
pub(crate) fn index(conn: &Connection, id: i64, body: &str, fresh: bool) -> rusqlite::Result<()> {
    if !fresh {
        forget(conn, id)?;
    }
    insert(conn, id, parse::links(body))
}

/// Removes the stored links of note `id`, one row at a time (see [`index`]).
fn forget(conn: &Connection, id: i64) -> rusqlite::Result<()> {
    let old: Vec<i64> = conn
        .prepare_cached("SELECT position FROM links WHERE source_id = ?1")?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if !old.is_empty() {
        let mut delete =
            conn.prepare_cached("DELETE FROM links WHERE source_id = ?1 AND position = ?2")?;
        for position in old {
            delete.execute([id, position])?;
        }
    }
    Ok(())
}

/// Inserts the links of note `id` found in `body`.
fn insert(conn: &Connection, id: i64, found: Vec<ParsedLink>) -> rusqlite::Result<()> {
    if found.is_empty() {
        return Ok(());
    }
    let mut insert = conn.prepare_cached(
        "INSERT INTO links (source_id, position, length, kind, target, anchor, shown)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for parsed in found {
        let link = Link::of(id, parsed);
        insert.execute(params![
            id,
            link.start as i64,
            link.len as i64,
            link.kind.name(),
            link.target,
            link.anchor,
            link.shown,
        ])?;
    }
    Ok(())
}

/// Indexes every note's links: for a notebook made before the `links` table.
pub(crate) fn index_all(conn: &Connection) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare("SELECT id, body FROM notes WHERE instr(body, '[') > 0")?;
    let notes: Vec<(i64, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .filter_map(Result::ok)
        .collect();
    for (id, body) in notes {
        index(conn, id, &body, false)?;
    }
    Ok(())
}

/// A link row; fails only if the query does (a damaged kind reads as a wikilink).
fn read_link(row: &Row<'_>) -> rusqlite::Result<Link> {
    let kind: String = row.get(1)?;
    let note: Option<i64> = row.get(7)?;
    let attachment: Option<i64> = row.get(8)?;
    Ok(Link {
        source: row.get(0)?,
        kind: LinkKind::from_name(&kind).unwrap_or(LinkKind::Wikilink),
        target: row.get(2)?,
        anchor: row.get(3)?,
        shown: row.get(4)?,
        start: row.get::<_, i64>(5)?.max(0) as usize,
        len: row.get::<_, i64>(6)?.max(0) as usize,
        resolved: match (note, attachment) {
            (Some(id), _) => Resolved::Note(id),
            (None, Some(id)) => Resolved::Attachment(id),
            (None, None) => Resolved::Nothing,
        },
    })
}

/// Every note's names: id, title, remembered path, aliases.
fn names(conn: &Connection) -> rusqlite::Result<Names> {
    let mut stmt = conn.prepare(
        "SELECT id, CAST(title AS TEXT), source_path,
             CASE WHEN json_valid(properties) THEN properties -> '$.aliases' END
         FROM notes",
    )?;
    let notes = stmt
        .query_map([], |r| {
            let aliases: Option<String> = r.get(3)?;
            let aliases =
                aliases.and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok());
            Ok(NoteNames {
                id: r.get(0)?,
                title: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                path: r.get::<_, Option<String>>(2).ok().flatten(),
                aliases: aliases_of(aliases.as_ref()),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Names::new(notes))
}

/// What [`Store::resolve_links`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Resolution {
    /// Links in the notebook.
    pub links: u64,
    /// Links whose target changed in this pass.
    pub changed: u64,
    /// Links that resolve to nothing.
    pub unresolved: u64,
}

impl Store {
    /// Indexes and resolves every note's links: once, for a notebook made before the table.
    pub(crate) fn index_all_links(&mut self) -> Result<(), StoreError> {
        let (tx, errors) = self.write()?;
        index_all(&tx).map_err(|e| errors.sql(e))?;
        tx.commit().map_err(|e| errors.sql(e))?;
        self.resolve_links().map(drop)
    }

    /// Resolves every link of the notebook again (module docs), in one write transaction.
    pub fn resolve_links(&mut self) -> Result<Resolution, StoreError> {
        let sql = self.sql();
        let any: bool = self
            .conn
            .query_row("SELECT EXISTS (SELECT 1 FROM links)", [], |r| r.get(0))
            .map_err(&sql)?;
        if !any {
            return Ok(Resolution::default());
        }
        if self.read_only {
            return Err(StoreError::ReadOnly {
                path: self.path.clone(),
            });
        }
        // Begun by hand, not with `transaction()`, so that `attachment_by_path` (a method of
        // the store) can be asked inside it.
        self.conn.execute_batch("BEGIN IMMEDIATE").map_err(&sql)?;
        let result = self.resolve_in_transaction();
        let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
        let ended = self.conn.execute_batch(end).map_err(&sql);
        let resolution = result?;
        ended?;
        Ok(resolution)
    }

    fn resolve_in_transaction(&self) -> Result<Resolution, StoreError> {
        let sql = self.sql();
        let names = names(&self.conn).map_err(&sql)?;
        // Each link with its note's remembered path (column 9), read once per note.
        let mut stmt = self
            .conn
            .prepare(&format!(
                "{SELECT_LINK_AND_PATH} JOIN notes n ON n.id = l.source_id
                 ORDER BY l.source_id, l.position"
            ))
            .map_err(&sql)?;
        let links = stmt
            .query_map([], |row| {
                let path: Option<String> = row.get::<_, Option<String>>(9).ok().flatten();
                Ok((read_link(row)?, path))
            })
            .map_err(&sql)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(&sql)?;
        let mut update = self
            .conn
            .prepare_cached(
                "UPDATE links SET target_note = ?3, target_attachment = ?4
                 WHERE source_id = ?1 AND position = ?2",
            )
            .map_err(&sql)?;
        let mut done = Resolution::default();
        for (link, source_path) in &links {
            let now = match names.resolve(link.source, source_path.as_deref(), &link.target) {
                Some(id) => Resolved::Note(id),
                None => {
                    let dir = source_path.as_deref().map_or("", folder);
                    match self.attachment_by_path(dir, &link.target)? {
                        Some(found) => Resolved::Attachment(found.id),
                        None => Resolved::Nothing,
                    }
                }
            };
            done.links += 1;
            done.unresolved += u64::from(now == Resolved::Nothing);
            if now != link.resolved {
                done.changed += 1;
                let (note, attachment) = match now {
                    Resolved::Note(id) => (Some(id), None),
                    Resolved::Attachment(id) => (None, Some(id)),
                    Resolved::Nothing => (None, None),
                };
                update
                    .execute(params![link.source, link.start as i64, note, attachment])
                    .map_err(&sql)?;
            }
        }
        // A note uses the attachments its links lead to, whichever command wrote it (an import
        // records them as it goes; `add` and `edit` only here), so that `rm` and `gc` never
        // take one a link still needs and the export writes it.
        self.conn
            .execute(
                "INSERT OR IGNORE INTO note_attachments (note_id, attachment_id)
                 SELECT l.source_id, l.target_attachment FROM links l
                 WHERE l.target_attachment IN (SELECT id FROM attachments)",
                [],
            )
            .map_err(&sql)?;
        Ok(done)
    }

    /// The links written in note `id`, in the order written.
    pub fn links_of(&self, id: i64) -> Result<Vec<Link>, StoreError> {
        self.query_links(
            &format!("{SELECT_LINK} WHERE l.source_id = ?1 ORDER BY l.position"),
            id,
        )
    }

    /// The links to note `id` from notes (itself included), by linking note and position.
    pub fn backlinks_of(&self, id: i64) -> Result<Vec<Link>, StoreError> {
        self.query_links(
            &format!("{SELECT_LINK} WHERE l.target_note = ?1 ORDER BY l.source_id, l.position"),
            id,
        )
    }

    fn query_links(&self, sql: &str, id: i64) -> Result<Vec<Link>, StoreError> {
        self.conn
            .prepare_cached(sql)
            .and_then(|mut stmt| {
                stmt.query_map([id], read_link)?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(self.sql())
    }
}

/// What the export needs to know of a link's target note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetNote {
    /// Its id.
    pub id: i64,
    /// Its title.
    pub title: String,
    /// Whether the export's query selects it (its file is in the export).
    pub selected: bool,
}

impl Snapshot<'_> {
    /// Whether the notebook holds any link at this moment.
    pub fn has_links(&self) -> Result<bool, StoreError> {
        self.with_store(|store| {
            store
                .conn
                .query_row("SELECT EXISTS (SELECT 1 FROM links)", [], |r| r.get(0))
                .map_err(store.sql())
        })
    }

    /// The ids of the notes that have links.
    pub fn linking_notes(&self) -> Result<std::collections::HashSet<i64>, StoreError> {
        self.with_store(|store| {
            let sql = store.sql();
            let mut st = (store.conn)
                .prepare_cached("SELECT DISTINCT source_id FROM links")
                .map_err(&sql)?;
            let ids = st.query_map([], |r| r.get(0)).map_err(&sql)?;
            ids.collect::<Result<_, _>>().map_err(&sql)
        })
    }

    /// The links of the notes `ids` in one query (by note, then position), and the notes
    /// they resolve to, each saying whether `query`'s condition selects it (its limit aside).
    pub fn links_of(
        &self,
        ids: &[i64],
        query: &super::Query,
    ) -> Result<(Vec<Link>, Vec<TargetNote>), StoreError> {
        let ids = serde_json::Value::from(ids.to_vec()).to_string();
        self.with_store(|store| {
            let sql = store.sql();
            let links = store
                .conn
                .prepare_cached(&format!(
                    "{SELECT_LINK} WHERE l.source_id IN (SELECT value FROM json_each(?1))
                     ORDER BY l.source_id, l.position"
                ))
                .and_then(|mut stmt| {
                    stmt.query_map([&ids], read_link)?
                        .collect::<rusqlite::Result<Vec<_>>>()
                })
                .map_err(&sql)?;
            // The condition's parameters come first in the text, the ids last.
            let (condition, mut values) = query.condition();
            values.push(rusqlite::types::Value::Text(ids.clone()));
            let targets = store
                .conn
                .prepare_cached(&format!(
                    // Driven from the page's links (by their key), each target found by
                    // its id: a scan of `notes` per page cost 15 million instructions.
                    "SELECT DISTINCT t.id, CAST(t.title AS TEXT),
                         EXISTS (SELECT 1 FROM notes n WHERE n.id = t.id AND {condition})
                     FROM links l JOIN notes t ON t.id = l.target_note
                     WHERE l.source_id IN (SELECT value FROM json_each(?))"
                ))
                .and_then(|mut stmt| {
                    stmt.query_map(rusqlite::params_from_iter(values), |r| {
                        Ok(TargetNote {
                            id: r.get(0)?,
                            title: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                            selected: r.get(2)?,
                        })
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()
                })
                .map_err(&sql)?;
            Ok((links, targets))
        })
    }

    /// Note `id` as a link target of an export of `query` (its limit aside), if it exists.
    pub fn target(&self, id: i64, query: &super::Query) -> Result<Option<TargetNote>, StoreError> {
        let (condition, mut values) = query.condition();
        values.push(rusqlite::types::Value::Integer(id));
        self.with_store(|store| {
            store
                .conn
                .prepare_cached(&format!(
                    "SELECT t.id, CAST(t.title AS TEXT),
                         EXISTS (SELECT 1 FROM notes n WHERE n.id = t.id AND {condition})
                     FROM notes t WHERE t.id = ?"
                ))
                .and_then(|mut stmt| {
                    stmt.query_row(rusqlite::params_from_iter(values), |r| {
                        Ok(TargetNote {
                            id: r.get(0)?,
                            title: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                            selected: r.get(2)?,
                        })
                    })
                    .optional()
                })
                .map_err(store.sql())
        })
    }

    /// The folder of note `id`'s remembered path (empty at the root), if it has one.
    pub fn source_dir(&self, id: i64) -> Result<Option<String>, StoreError> {
        self.with_store(|store| {
            let path: Option<String> = store
                .conn
                .prepare_cached("SELECT source_path FROM notes WHERE id = ?1")
                .and_then(|mut s| s.query_row([id], |r| r.get(0)).optional())
                .map_err(store.sql())?
                .flatten();
            Ok(path.map(|p| folder(&p).to_owned()))
        })
    }

    /// The body and links of note `id`, for an export that puts it in place of an embed.
    pub fn embedded(&self, id: i64) -> Result<Option<(String, Vec<Link>)>, StoreError> {
        self.with_store(|store| {
            let body: Option<String> = store
                .conn
                .prepare_cached("SELECT CAST(body AS TEXT) FROM notes WHERE id = ?1")
                .and_then(|mut s| s.query_row([id], |r| r.get(0)).optional())
                .map_err(store.sql())?
                .flatten();
            match body {
                Some(body) => Ok(Some((body, store.links_of(id)?))),
                None => Ok(None),
            }
        })
    }
}
