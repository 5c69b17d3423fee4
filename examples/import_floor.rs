//! The floor of an import's writer: notes already parsed, written into a new notebook by one
//! SQLite connection in one transaction, and nothing else (issue 14 point 4, issue 12's last
//! "Done when"). It says whether an import at half the speed of the export is reachable at all
//! with one SQLite writer and the full-text index the notebook promises.
//!
//! Run: `cargo run --release --example import_floor -- FROM TO VARIANT [JOURNAL]`, where FROM is
//! a notebook made by a real `smartnotes import` (its rows are the parsed notes, read into
//! memory before the clock starts) and TO a path for the new notebook (removed first).
//! `bench/import_floor` makes FROM and runs every variant. VARIANT is one of:
//!
//! - `full`: the notebook's schema (made by `Store::open_or_create`, migrations and all), its
//!   triggers off and their work done by hand as `Store::import` does: each note's row (with a
//!   version), its full-text entry, its tags and its links (the rows the import found, their
//!   targets left to resolve, as the import writes them); the four secondary indexes dropped
//!   first and made again before the commit (store/bulk.rs); 64 MiB cache and FTS hash;
//! - `nofts`: the same without the full-text entries;
//! - `notes`: only the notes' rows (no FTS, tags or links): the B-tree and journal alone;
//! - `store`: `Store::import` itself, given the notes as `Incoming` (validation, lookup by
//!   source path, link parsing, resolving the links after the commit): the writer of a real
//!   import without the reading and parsing of files.
//!
//! JOURNAL (raw variants only) is `wal` (the notebook's, default), `delete` (a rollback journal:
//! a new notebook's pages are appended past the old end of the file and never journaled) or
//! `off`. Prints the wall time and this thread's CPU time of the write alone (from
//! `/proc/thread-self/schedstat`, so the load of reading FROM is left out).
//!
//! Measured in round 5 (100,000 md notes, 2-core VM at load 8-9, writer CPU, median of 3):
//! full 2.19 s (rollback journal 1.88), nofts 0.99 (0.81), notes 0.59 (0.44), store 2.35; the
//! export of the same files 1.15 s CPU. The full-text index is 55% of the floor, the WAL's
//! second write 14%, `Store::import`'s own work over the floor 7%.

use std::path::Path;
use std::time::Instant;

use rusqlite::config::DbConfig;
use rusqlite::{Connection, params};
use smartnotes::store::{ImportMode, Incoming, Query, Store};

/// One note as the notebook keeps it.
struct Row {
    id: i64,
    title: String,
    body: String,
    created: i64,
    updated: i64,
    properties: Option<String>,
    source_path: Option<String>,
    source_front_matter: Option<String>,
    source_imported_hash: Option<Vec<u8>>,
    tags: Vec<String>,
    links: Vec<LinkRow>,
}

struct LinkRow {
    position: i64,
    length: i64,
    kind: String,
    target: String,
    anchor: Option<String>,
    shown: Option<String>,
}

const DEFERRED: [&str; 4] = [
    "notes_by_created",
    "notes_by_updated",
    "notes_versions",
    "note_tags_by_tag",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [from, to, variant, rest @ ..] = args.as_slice() else {
        return Err("usage: import_floor FROM TO full|nofts|notes|store [wal|delete|off]".into());
    };
    let journal = rest.first().map_or("wal", String::as_str);
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(format!("{to}{suffix}"));
    }
    let (wall, cpu, notes) = match variant.as_str() {
        "store" => store(Path::new(from), Path::new(to))?,
        raw => {
            let rows = read(Path::new(from))?;
            let n = rows.len();
            let (wall, cpu) = write(&rows, Path::new(to), raw, journal)?;
            (wall, cpu, n)
        }
    };
    println!(
        "import_floor {variant} {journal}: {notes} notes, write {wall:.3} s wall, {cpu:.3} s CPU \
         of the writer thread"
    );
    Ok(())
}

/// This thread's CPU time so far, in seconds.
fn thread_cpu() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(f64::NAN, |ns| ns / 1e9)
}

fn read(from: &Path) -> rusqlite::Result<Vec<Row>> {
    let conn = Connection::open(from)?;
    let mut rows = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT id, title, body, created, updated, properties, source_path,
                source_front_matter, source_imported_hash FROM notes ORDER BY id",
    )?;
    let mut q = stmt.query([])?;
    while let Some(r) = q.next()? {
        rows.push(Row {
            id: r.get(0)?,
            title: r.get(1)?,
            body: r.get(2)?,
            created: r.get(3)?,
            updated: r.get(4)?,
            properties: r.get(5)?,
            source_path: r.get(6)?,
            source_front_matter: r.get(7)?,
            source_imported_hash: r.get(8)?,
            tags: Vec::new(),
            links: Vec::new(),
        });
    }
    let index: std::collections::HashMap<i64, usize> =
        rows.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
    let mut tags = conn.prepare("SELECT note_id, tag FROM note_tags ORDER BY note_id, position")?;
    let mut q = tags.query([])?;
    while let Some(r) = q.next()? {
        if let Some(&i) = index.get(&r.get::<_, i64>(0)?) {
            rows[i].tags.push(r.get(1)?);
        }
    }
    let mut links = conn.prepare(
        "SELECT source_id, position, length, kind, target, anchor, shown FROM links
         ORDER BY source_id, position",
    )?;
    let mut q = links.query([])?;
    while let Some(r) = q.next()? {
        if let Some(&i) = index.get(&r.get::<_, i64>(0)?) {
            rows[i].links.push(LinkRow {
                position: r.get(1)?,
                length: r.get(2)?,
                kind: r.get(3)?,
                target: r.get(4)?,
                anchor: r.get(5)?,
                shown: r.get(6)?,
            });
        }
    }
    Ok(rows)
}

/// The raw variants: the rows written with the notebook's own statements.
fn write(
    rows: &[Row],
    to: &Path,
    variant: &str,
    journal: &str,
) -> Result<(f64, f64), Box<dyn std::error::Error>> {
    let (fts, extras) = match variant {
        "full" => (true, true),
        "nofts" => (false, true),
        "notes" => (false, false),
        other => return Err(format!("unknown variant {other}").into()),
    };
    drop(Store::open_or_create(to)?);
    let mut conn = Connection::open(to)?;
    conn.pragma_update(None, "journal_mode", journal)?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.pragma_update(None, "cache_size", -65536)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_TRIGGER, false)?;
    let (start, cpu) = (Instant::now(), thread_cpu());
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let mut dropped = Vec::new();
    for name in DEFERRED {
        let sql: String = tx.query_row(
            "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?1",
            [name],
            |r| r.get(0),
        )?;
        tx.execute_batch(&format!("DROP INDEX \"{name}\""))?;
        dropped.push(sql);
    }
    if fts {
        tx.execute(
            "INSERT INTO notes_fts(notes_fts, rank) VALUES ('hashsize', ?1)",
            [64i64 << 20],
        )?;
    }
    {
        let mut note = tx.prepare_cached(
            "INSERT INTO notes (id, title, body, created, updated, properties, source_path,
                 source_front_matter, source_imported_hash, version)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, random())",
        )?;
        let mut text =
            tx.prepare_cached("INSERT INTO notes_fts(rowid, title, body) VALUES (?1, ?2, ?3)")?;
        let mut tag = tx
            .prepare_cached("INSERT INTO note_tags (note_id, position, tag) VALUES (?1, ?2, ?3)")?;
        let mut link = tx.prepare_cached(
            "INSERT INTO links (source_id, position, length, kind, target, anchor, shown)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for r in rows {
            note.execute(params![
                r.id,
                r.title,
                r.body,
                r.created,
                r.updated,
                r.properties,
                r.source_path,
                r.source_front_matter,
                r.source_imported_hash
            ])?;
            if fts {
                text.execute(params![r.id, r.title, r.body])?;
            }
            if !extras {
                continue;
            }
            for (position, t) in r.tags.iter().enumerate() {
                tag.execute(params![r.id, position as i64, t])?;
            }
            for l in &r.links {
                link.execute(params![
                    r.id, l.position, l.length, l.kind, l.target, l.anchor, l.shown
                ])?;
            }
        }
    }
    if fts {
        tx.execute("DELETE FROM notes_fts_config WHERE k = 'hashsize'", [])?;
    }
    for sql in &dropped {
        tx.execute_batch(sql)?;
    }
    tx.commit()?;
    Ok((start.elapsed().as_secs_f64(), thread_cpu() - cpu))
}

/// `Store::import` of the notes, already parsed.
fn store(from: &Path, to: &Path) -> Result<(f64, f64, usize), Box<dyn std::error::Error>> {
    let incoming: Vec<Incoming> = Store::open(from)?
        .list(&Query::default())?
        .into_iter()
        .map(|n| Incoming {
            id: None,
            note: n.into(),
        })
        .collect();
    let mut store = Store::open_or_create(to)?;
    let (start, cpu) = (Instant::now(), thread_cpu());
    store.import(&incoming, ImportMode::NewIds, false, false)?;
    Ok((
        start.elapsed().as_secs_f64(),
        thread_cpu() - cpu,
        incoming.len(),
    ))
}
