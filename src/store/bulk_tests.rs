//! Unit tests of the bulk import (bulk.rs): into a notebook without notes its indexes are made
//! at the end, and search, the indexes and the schema are as after a row-by-row import, right
//! after it, after a failed one, and after one that replaced a note it had just added.

use rusqlite::Connection;

use super::*;
use crate::model::{Source, Timestamp};

fn note(i: usize) -> NewNote {
    let at: Timestamp = "2026-01-02T03:04:05Z".parse().unwrap();
    NewNote {
        title: format!("Note {i}"),
        body: format!("word{i} shared text\n"),
        tags: vec![format!("tag{}", i % 3), "all".into()],
        created: at,
        updated: at,
        properties: Default::default(),
        source: None,
    }
}

fn incoming(notes: impl IntoIterator<Item = NewNote>) -> Vec<Incoming> {
    notes
        .into_iter()
        .map(|note| Incoming { id: None, note })
        .collect()
}

fn search(store: &mut Store, text: &str) -> Vec<i64> {
    let query = Query {
        search: Some(text.parse().unwrap()),
        ..Query::default()
    };
    store.list(&query).unwrap().iter().map(|n| n.id).collect()
}

/// The notebook's indexes and triggers, with their SQL, by name.
fn schema(conn: &Connection) -> Vec<(String, Option<String>)> {
    let mut stmt = conn
        .prepare(
            "SELECT name, sql FROM sqlite_schema WHERE type IN ('index', 'trigger') ORDER BY name",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

/// SQLite's and FTS5's own checks: every index holds exactly its table's rows, and the
/// full-text index exactly the notes' titles and bodies.
fn assert_consistent(store: &Store) {
    let ok: String = store
        .conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    store
        .conn
        .execute(
            "INSERT INTO notes_fts(notes_fts, rank) VALUES ('integrity-check', 1)",
            [],
        )
        .expect("the full-text index matches the notes");
}

#[test]
fn a_bulk_import_is_searchable_at_once_and_leaves_every_index_in_place() {
    let fresh = schema(&Store::open_in_memory().unwrap().conn);
    assert!(fresh.iter().any(|(name, _)| name == "note_tags_by_tag"));
    let mut store = Store::open_in_memory().unwrap();
    let report = store
        .import(
            &incoming((0..300).map(note)),
            ImportMode::NewIds,
            false,
            false,
        )
        .unwrap();
    assert!(report.committed);
    assert_eq!(
        schema(&store.conn),
        fresh,
        "the same indexes, with the same SQL"
    );
    assert_consistent(&store);
    for i in [0, 1, 150, 299] {
        assert_eq!(search(&mut store, &format!("word{i}")), [i as i64 + 1]);
    }
    assert_eq!(search(&mut store, "shared").len(), 300);
    let tagged = Query {
        tags: vec!["tag1".into()],
        ..Query::default()
    };
    assert_eq!(store.count(&tagged).unwrap(), 100);
    // The triggers are back: a note added afterwards is found too.
    let added = store.add(note(1000)).unwrap();
    assert_eq!(search(&mut store, "word1000"), [added.id]);
    assert_consistent(&store);
}

#[test]
fn a_failed_bulk_import_leaves_the_notebook_with_its_indexes_and_nothing_else() {
    let fresh = schema(&Store::open_in_memory().unwrap().conn);
    let mut store = Store::open_in_memory().unwrap();
    // An error in the input (the feed says not to commit), then the notebook's own error.
    let refused = store
        .import_each(ImportMode::NewIds, false, false, |sink| {
            for item in incoming((0..50).map(note)) {
                sink.put(&item)?;
            }
            Ok(false)
        })
        .unwrap();
    assert!(!refused.committed);
    let failed = store.import_each(ImportMode::NewIds, false, false, |sink| {
        for item in incoming((0..50).map(note)) {
            sink.put(&item)?;
        }
        Err(StoreError::ReadOnly { path: "x".into() })
    });
    assert!(failed.is_err());
    assert_eq!(store.count(&Query::default()).unwrap(), 0);
    assert_eq!(schema(&store.conn), fresh);
    assert_consistent(&store);
    assert!(search(&mut store, "shared").is_empty());
    // The next import is a bulk one again, and finds what it imports.
    store
        .import(
            &incoming((0..10).map(note)),
            ImportMode::NewIds,
            false,
            false,
        )
        .unwrap();
    assert_eq!(search(&mut store, "shared").len(), 10);
    assert_consistent(&store);
}

#[test]
fn a_note_replaced_within_a_bulk_import_is_found_by_its_new_text_only() {
    let mut store = Store::open_in_memory().unwrap();
    let at_path = |body: &str| NewNote {
        body: body.into(),
        source: Some(Source::new("a.md", None)),
        ..note(0)
    };
    let report = store
        .import(
            &incoming([at_path("before\n"), at_path("after\n")]),
            ImportMode::NewIds,
            false,
            false,
        )
        .unwrap();
    assert_eq!(report.count(), (1, 1, 0, 0));
    assert_consistent(&store);
    assert!(search(&mut store, "before").is_empty());
    assert_eq!(search(&mut store, "after"), [1]);
}

#[test]
fn an_import_into_a_notebook_with_notes_keeps_its_indexes_throughout() {
    let mut store = Store::open_in_memory().unwrap();
    store.add(note(1000)).unwrap();
    let before = schema(&store.conn);
    // Asked in the middle of the import: a row-by-row import drops nothing.
    store
        .import_each(ImportMode::NewIds, false, false, |sink| {
            for item in incoming((0..20).map(note)) {
                sink.put(&item)?;
            }
            let (tx, _, _) = sink.parts();
            assert_eq!(schema(tx), before);
            Ok(true)
        })
        .unwrap();
    assert_eq!(search(&mut store, "shared").len(), 21);
    assert_consistent(&store);
}
