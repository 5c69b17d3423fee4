//! Unit tests of properties and sources in the notebook: kept in order, migrated from an older
//! schema, damaged rows named, and `Store::import` matching a re-imported file by its path.

use rusqlite::Connection;
use serde_json::json;

use super::*;
use crate::model::{Properties, Source, Timestamp};

fn t(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn properties(value: serde_json::Value) -> Properties {
    match value {
        serde_json::Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

fn vault_note(path: &str, body: &str) -> NewNote {
    NewNote {
        title: path
            .trim_end_matches(".md")
            .rsplit('/')
            .next()
            .unwrap()
            .into(),
        body: body.into(),
        tags: vec!["vault".into()],
        created: t("2026-01-02T03:04:05Z"),
        updated: t("2026-01-02T03:04:05Z"),
        // Out of alphabetical order, on purpose.
        properties: properties(json!({
            "zeta": 1, "aliases": ["A", "B"], "draft": false,
            "nested": {"b": [1, 2.5, null], "a": "x"}, "date": "2017-01-01"
        })),
        source: Some(Source::new(
            path,
            Some("---\r\naliases: [A, B]\r\n---\r\n".into()),
        )),
    }
}

fn incoming(note: NewNote) -> Incoming {
    Incoming { id: None, note }
}

/// The properties as the text the notebook keeps: compares their order too.
fn order(p: &Properties) -> String {
    serde_json::to_string(p).unwrap()
}

#[test]
fn properties_and_source_come_back_in_their_order_from_add_and_from_import() {
    let mut store = Store::open_in_memory().unwrap();
    let note = vault_note("Guides/Sync/Headless Sync.md", "text\n");
    let added = store.add(note.clone()).unwrap();
    assert_eq!(order(&added.properties), order(&note.properties));
    let keys: Vec<&str> = added.properties.keys().map(String::as_str).collect();
    assert_eq!(keys, ["zeta", "aliases", "draft", "nested", "date"]);
    assert_eq!(added.source, note.source, "add keeps a source as given");

    let report = store
        .import(&[incoming(note.clone())], ImportMode::NewIds, false, false)
        .unwrap();
    let Outcome::Updated(id) = report.outcomes[0] else {
        panic!("same path: {:?}", report.outcomes)
    };
    assert_eq!(id, added.id, "the same source path updates, never doubles");
    let got = store.get(id).unwrap();
    assert_eq!(order(&got.properties), order(&note.properties));
    let source = got.source.unwrap();
    assert_eq!(source.path, "Guides/Sync/Headless Sync.md");
    assert_eq!(
        source.front_matter,
        note.source.clone().unwrap().front_matter
    );
    assert_eq!(
        source.imported_hash,
        Some(note.content_hash()),
        "import stamps the hash it had"
    );
}

#[test]
fn a_note_without_properties_or_source_stores_nulls() {
    let mut store = Store::open_in_memory().unwrap();
    let id = store.add(NewNote::now("plain", "b", vec![])).unwrap().id;
    let row: (Option<String>, Option<String>) = store
        .conn
        .query_row(
            "SELECT properties, source_path FROM notes WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(row, (None, None));
    let note = store.get(id).unwrap();
    assert!(note.properties.is_empty() && note.source.is_none());
}

#[test]
fn importing_a_vault_twice_counts_everything_unchanged_then_updates_by_path() {
    let mut store = Store::open_in_memory().unwrap();
    let vault: Vec<Incoming> = ["a.md", "Folder/b.md", "Folder/Sub/c.md"]
        .iter()
        .map(|p| incoming(vault_note(p, &format!("body of {p}\n"))))
        .collect();
    let first = store
        .import(&vault, ImportMode::NewIds, false, false)
        .unwrap();
    assert_eq!(first.count(), (3, 0, 0, 0));
    let again = store
        .import(&vault, ImportMode::NewIds, false, false)
        .unwrap();
    assert_eq!(again.count(), (0, 0, 3, 0), "{:?}", again.outcomes);
    assert_eq!(store.count(&Query::default()).unwrap(), 3);

    // One file edited, one new: one updated, one added, the rest unchanged.
    let mut edited = vault.clone();
    edited[1].note.body = "edited\n".into();
    edited.push(incoming(vault_note("d.md", "new\n")));
    let dry = store
        .import(&edited, ImportMode::NewIds, true, false)
        .unwrap();
    assert_eq!(dry.count(), (1, 1, 2, 0));
    let report = store
        .import(&edited, ImportMode::NewIds, false, false)
        .unwrap();
    assert_eq!(report.count(), (1, 1, 2, 0));
    let Outcome::Updated(id) = report.outcomes[1] else {
        panic!("{:?}", report.outcomes)
    };
    let b = store.get(id).unwrap();
    assert_eq!(b.body, "edited\n");
    assert_eq!(
        b.source.unwrap().imported_hash,
        Some(edited[1].note.content_hash())
    );
    assert_eq!(store.count(&Query::default()).unwrap(), 4);
}

#[test]
fn a_reordered_property_is_a_change() {
    let mut store = Store::open_in_memory().unwrap();
    let note = vault_note("a.md", "x\n");
    store
        .import(&[incoming(note.clone())], ImportMode::NewIds, false, false)
        .unwrap();
    let mut reordered = note.clone();
    reordered.properties = note
        .properties
        .iter()
        .rev()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    assert_eq!(
        reordered.properties, note.properties,
        "a JSON map ignores order"
    );
    let report = store
        .import(
            &[incoming(reordered.clone())],
            ImportMode::NewIds,
            false,
            false,
        )
        .unwrap();
    assert_eq!(report.count(), (0, 1, 0, 0));
    let got = store.get(1).unwrap();
    assert_eq!(order(&got.properties), order(&reordered.properties));
}

#[test]
fn an_id_goes_before_the_path_and_a_note_without_source_keeps_the_stored_one() {
    let mut store = Store::open_in_memory().unwrap();
    let note = vault_note("a.md", "x\n");
    store
        .import(&[incoming(note.clone())], ImportMode::NewIds, false, false)
        .unwrap();
    // Under --update an id wins: the note at id 1, whatever its path says.
    let elsewhere = NewNote {
        source: Some(Source::new("b.md", None)),
        ..note.clone()
    };
    let report = store
        .import(
            &[Incoming {
                id: Some(1),
                note: elsewhere,
            }],
            ImportMode::Update,
            false,
            false,
        )
        .unwrap();
    assert_eq!(report.outcomes, [Outcome::Updated(1)]);
    assert_eq!(store.get(1).unwrap().source.unwrap().path, "b.md");
    // Under --keep-ids a new id is added even though its path is known.
    let report = store
        .import(
            &[Incoming {
                id: Some(7),
                note: vault_note("b.md", "x\n"),
            }],
            ImportMode::KeepIds,
            false,
            false,
        )
        .unwrap();
    assert_eq!(report.outcomes, [Outcome::Added(Some(7))]);
    // A note without a source, by id: the stored source stays.
    let plain = NewNote {
        source: None,
        body: "y\n".into(),
        ..note
    };
    let report = store
        .import(
            &[Incoming {
                id: Some(1),
                note: plain,
            }],
            ImportMode::Update,
            false,
            false,
        )
        .unwrap();
    assert_eq!(report.outcomes, [Outcome::Updated(1)]);
    let got = store.get(1).unwrap();
    assert_eq!(got.body, "y\n");
    assert_eq!(got.source.unwrap().path, "b.md");
}

#[test]
fn a_note_changed_after_import_no_longer_has_its_imported_hash() {
    let mut store = Store::open_in_memory().unwrap();
    store
        .import(
            &[incoming(vault_note("a.md", "x\n"))],
            ImportMode::NewIds,
            false,
            false,
        )
        .unwrap();
    let note = store.get(1).unwrap();
    assert!(note.unchanged_since_import());
    let mut edited = note.clone();
    edited.body.push('!');
    assert!(!edited.unchanged_since_import());
    let mut reordered = note.clone();
    reordered.properties = note
        .properties
        .iter()
        .rev()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    assert!(
        !reordered.unchanged_since_import(),
        "the order of properties counts"
    );
    let mut moved = note;
    moved.id = 99;
    assert!(moved.unchanged_since_import(), "the id is not content");
}

#[test]
fn bad_properties_and_sources_are_refused_by_name() {
    let mut store = Store::open_in_memory().unwrap();
    for (properties, want) in [
        (json!({"title": "x"}), "smartnotes' own"),
        (json!({"": 1}), "cannot be empty"),
        (json!({"a\nb": 1}), "control characters"),
    ] {
        let mut note = vault_note("a.md", "");
        note.properties = self::properties(properties);
        let err = store.add(note).unwrap_err().to_string();
        assert!(err.contains(want), "{err}");
    }
    let mut deep = json!(1);
    for _ in 0..40 {
        deep = json!([deep]);
    }
    let mut note = vault_note("a.md", "");
    note.properties.insert("deep".into(), deep);
    let err = store.add(note).unwrap_err().to_string();
    assert!(err.contains("more than 32 deep"), "{err}");
    let mut note = vault_note("a.md", "");
    note.source = Some(Source::new("", None));
    assert!(
        store
            .add(note)
            .unwrap_err()
            .to_string()
            .contains("source path")
    );
    assert_eq!(store.count(&Query::default()).unwrap(), 0);
}

#[test]
fn damaged_properties_or_source_fail_only_their_note_by_id() {
    let mut store = Store::open_in_memory().unwrap();
    for p in ["a.md", "b.md", "c.md", "d.md"] {
        store.add(vault_note(p, "x")).unwrap();
    }
    store
        .conn
        .execute_batch(
            "UPDATE notes SET properties = 'not json' WHERE id = 1;
             UPDATE notes SET properties = '[1]' WHERE id = 2;
             UPDATE notes SET source_imported_hash = x'0102' WHERE id = 3;",
        )
        .unwrap();
    let got: Vec<_> = store
        .snapshot()
        .unwrap()
        .notes(&Query::default())
        .unwrap()
        .collect();
    let reasons: Vec<String> = got
        .iter()
        .map(|r| match r {
            Ok(n) => format!("ok {}", n.id),
            Err(e) => e.to_string(),
        })
        .collect();
    assert!(
        reasons[0].starts_with("note 1 ") && reasons[0].contains("properties"),
        "{reasons:?}"
    );
    assert!(
        reasons[1].starts_with("note 2 ") && reasons[1].contains("JSON object"),
        "{reasons:?}"
    );
    assert!(
        reasons[2].starts_with("note 3 ") && reasons[2].contains("2 bytes, not 16"),
        "{reasons:?}"
    );
    assert_eq!(reasons[3], "ok 4");
}

#[test]
fn a_notebook_of_schema_2_migrates_and_keeps_its_notes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let conn = Connection::open(&path).unwrap();
        for sql in &migrations::MIGRATIONS[..2] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 2).unwrap();
        conn.execute(
            "INSERT INTO notes (title, body, created, updated) VALUES ('old', 'b', 0, 0)",
            [],
        )
        .unwrap();
    }
    let mut store = Store::open(&path).unwrap();
    let note = store.get(1).unwrap();
    assert_eq!(note.title, "old");
    assert!(note.properties.is_empty() && note.source.is_none());
    let report = store
        .import(
            &[incoming(vault_note("a.md", "x"))],
            ImportMode::NewIds,
            false,
            false,
        )
        .unwrap();
    assert_eq!(report.count(), (1, 0, 0, 0));
    let plan: String = store
        .conn
        .query_row(
            "EXPLAIN QUERY PLAN SELECT id FROM notes WHERE source_path = 'a.md'",
            [],
            |r| r.get(3),
        )
        .unwrap();
    assert!(plan.contains("notes_by_source_path"), "{plan}");
}

#[test]
fn prop_filters_match_keys_values_and_list_items_and_skip_damaged_json() {
    let mut store = Store::open_in_memory().unwrap();
    let with = |props: serde_json::Value| NewNote {
        properties: properties(props),
        ..NewNote::now("n", "", vec![])
    };
    let ids = store
        .add_all([
            with(json!({"draft": true, "aliases": ["Sync", "Headless"], "weight": 2})),
            with(json!({"draft": false, "author": "Ann", "ratio": 2.5})),
            with(json!({"nested": {"draft": true}, "empty": null})),
            NewNote::now("plain", "", vec![]),
            with(json!({"draft": "yes"})),
        ])
        .unwrap();
    store
        .conn
        .execute(
            "UPDATE notes SET properties = '{oops' WHERE id = ?1",
            [ids[4]],
        )
        .unwrap();
    let mut found = |filters: &[&str]| -> Vec<i64> {
        let query = Query {
            props: filters.iter().map(|f| f.parse().unwrap()).collect(),
            ..Query::default()
        };
        let count = store.count(&query).unwrap();
        let ids: Vec<i64> = store.list(&query).unwrap().iter().map(|n| n.id).collect();
        assert_eq!(
            count,
            ids.len() as u64,
            "count and list agree for {filters:?}"
        );
        ids
    };
    assert_eq!(
        found(&["draft"]),
        [ids[0], ids[1]],
        "a nested key is not a property"
    );
    assert_eq!(found(&["draft=true"]), [ids[0]]);
    assert_eq!(found(&["draft=false"]), [ids[1]]);
    assert_eq!(found(&["aliases=Headless"]), [ids[0]], "an item of a list");
    assert_eq!(
        found(&["aliases=headless"]),
        Vec::<i64>::new(),
        "exact case"
    );
    assert_eq!(found(&["weight=2"]), [ids[0]]);
    assert_eq!(found(&["ratio=2.5"]), [ids[1]]);
    assert_eq!(found(&["empty=null"]), [ids[2]]);
    assert_eq!(found(&["nested"]), [ids[2]]);
    assert_eq!(
        found(&["draft", "author=Ann"]),
        [ids[1]],
        "every filter must match"
    );
    assert_eq!(found(&["author="]), Vec::<i64>::new());
    assert!("=x".parse::<PropFilter>().is_err());
    let f: PropFilter = "a=b=c".parse().unwrap();
    assert_eq!((f.key.as_str(), f.value.as_deref()), ("a", Some("b=c")));
}
