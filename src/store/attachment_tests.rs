//! Unit tests of attachments in the notebook: Obsidian's resolution, storing once, a file
//! that changes while it is stored, `attach`'s refusals, `gc` of updated bytes.

use std::io::Write;

use super::*;

/// A file holding `bytes`, hashed, as import and `attach` hand one to the store.
struct Temp(tempfile::NamedTempFile, u64, [u8; 32]);

fn temp(bytes: &[u8]) -> Temp {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(bytes).unwrap();
    Temp(file, bytes.len() as u64, *blake3::hash(bytes).as_bytes())
}

fn put(store: &mut Store, note: i64, path: &str, bytes: &[u8]) -> StoredAttachment {
    let t = temp(bytes);
    let open = || std::fs::File::open(t.0.path());
    let file = AttachmentFile {
        origin: t.0.path(),
        size: t.1,
        hash: t.2,
        open: &open,
    };
    store.attach(note, path, &file).unwrap()
}

fn note(store: &mut Store, title: &str) -> i64 {
    let t: crate::model::Timestamp = "2026-12-01T10:00:00Z".parse().unwrap();
    store
        .add(NewNote {
            title: title.into(),
            body: String::new(),
            tags: vec![],
            created: t,
            updated: t,
            properties: Default::default(),
            source: None,
        })
        .unwrap()
        .id
}

#[test]
fn targets_resolve_as_obsidian_resolves_them() {
    let mut store = Store::open_in_memory().unwrap();
    let n = note(&mut store, "n");
    for (path, bytes) in [
        ("img/a.png", &b"1"[..]),
        ("deep/x/img/a.png", b"2"),
        ("notes/b.png", b"3"),
        ("b.png", b"4"),
    ] {
        put(&mut store, n, path, bytes);
    }
    let found = |dir: &str, target: &str| {
        store
            .attachment_by_path(dir, target)
            .unwrap()
            .map(|a| a.path)
    };
    // Relative to the note's folder first, then from the top.
    assert_eq!(found("notes", "b.png").as_deref(), Some("notes/b.png"));
    assert_eq!(found("", "b.png").as_deref(), Some("b.png"));
    assert_eq!(found("notes", "../img/a.png").as_deref(), Some("img/a.png"));
    assert_eq!(
        found("notes/sub", "./../b.png").as_deref(),
        Some("notes/b.png")
    );
    assert_eq!(found("elsewhere", "/b.png").as_deref(), Some("b.png"));
    // Else by name, the shortest path first; folders named must end the path.
    assert_eq!(found("elsewhere", "a.png").as_deref(), Some("img/a.png"));
    assert_eq!(
        found("", "x/img/a.png").as_deref(),
        Some("deep/x/img/a.png")
    );
    assert_eq!(found("", "y/a.png"), None);
    assert_eq!(found("", "../../a.png"), None);
    assert_eq!(found("", "missing.png"), None);
    assert_eq!(found("", ""), None);
}

#[test]
fn the_same_bytes_are_stored_once_and_another_file_of_a_kept_name_is_refused() {
    let mut store = Store::open_in_memory().unwrap();
    let (one, two) = (note(&mut store, "one"), note(&mut store, "two"));
    let first = put(&mut store, one, "a.png", b"same");
    assert_eq!((first.stored, first.new_bytes), (Stored::Added, true));
    let copy = put(&mut store, two, "b.png", b"same");
    assert_eq!((copy.stored, copy.new_bytes), (Stored::Added, false));
    let again = put(&mut store, two, "a.png", b"same");
    assert_eq!(again.stored, Stored::Unchanged);
    assert_eq!(again.attachment.id, first.attachment.id);
    let contents: i64 = store
        .conn
        .query_row("SELECT count(*) FROM attachment_contents", [], |r| r.get(0))
        .unwrap();
    assert_eq!(contents, 1);
    let t = temp(b"other bytes");
    let open = || std::fs::File::open(t.0.path());
    let file = AttachmentFile {
        origin: t.0.path(),
        size: t.1,
        hash: t.2,
        open: &open,
    };
    match store.attach(one, "a.png", &file) {
        Err(StoreError::AttachmentTaken { path, notes }) => {
            assert_eq!((path.as_str(), notes), ("a.png", vec![one, two]));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        store.attach(99, "c.png", &file),
        Err(StoreError::NotFound(99))
    ));
    assert!(matches!(
        store.attach(one, "../c.png", &file),
        Err(StoreError::AttachmentPath { .. })
    ));
    let names: Vec<String> = store
        .attachments_of_note(two)
        .unwrap()
        .into_iter()
        .map(|a| a.path)
        .collect();
    assert_eq!(names, ["a.png", "b.png"]);
}

#[test]
fn a_file_that_changed_since_it_was_hashed_is_refused_and_leaves_nothing() {
    let mut store = Store::open_in_memory().unwrap();
    let n = note(&mut store, "n");
    let hashed = temp(b"the bytes hashed");
    let now = temp(b"the bytes there now");
    let open = || std::fs::File::open(now.0.path());
    let file = AttachmentFile {
        origin: hashed.0.path(),
        size: hashed.1,
        hash: hashed.2,
        open: &open,
    };
    assert!(matches!(
        store.attach(n, "x.bin", &file),
        Err(StoreError::AttachmentChanged { .. })
    ));
    let rows: i64 = store
        .conn
        .query_row(
            "SELECT (SELECT count(*) FROM attachment_contents) + (SELECT count(*) FROM attachments)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(rows, 0);
}

#[test]
fn gc_removes_the_old_bytes_of_an_updated_attachment_and_what_no_note_uses() {
    let mut store = Store::open_in_memory().unwrap();
    let n = note(&mut store, "n");
    put(&mut store, n, "kept.png", b"kept");
    // An import updates a path whose file changed: the old bytes are no one's any more.
    let old = temp(b"old");
    let new = temp(b"newer");
    for t in [&old, &new] {
        let open = || std::fs::File::open(t.0.path());
        let file = AttachmentFile {
            origin: t.0.path(),
            size: t.1,
            hash: t.2,
            open: &open,
        };
        store
            .import_each(ImportMode::NewIds, false, false, |sink| {
                let a = sink.attachment("img.png", &file)?;
                let index = sink.attachment_index()?;
                assert_eq!(
                    sink.use_attachment(&index, n, "", "img.png")?,
                    Some(a.attachment.id)
                );
                assert_eq!(a.attachment.path, "img.png");
                Ok(true)
            })
            .unwrap();
    }
    let dry = store.gc(true).unwrap();
    assert_eq!((dry.attachments.len(), dry.contents, dry.bytes), (0, 1, 3));
    let done = store.gc(false).unwrap();
    assert_eq!((done.contents, done.bytes), (1, 3));
    store.remove(n).unwrap();
    assert_eq!(store.unused_attachments().unwrap(), 2);
    let done = store.gc(false).unwrap();
    assert_eq!(done.attachments.len(), 2);
    assert_eq!((done.contents, done.bytes), (2, 9));
    assert_eq!(store.gc(false).unwrap(), GcReport::default());
}

#[test]
fn a_snapshot_gives_the_attachments_of_the_notes_its_query_selects_and_none_without_links() {
    let mut store = Store::open_in_memory().unwrap();
    // The first note never has an attachment.
    note(&mut store, "a");
    let (two, three) = (note(&mut store, "b"), note(&mut store, "c"));
    let of = |store: &mut Store, query: &Query| -> Vec<String> {
        let snapshot = store.snapshot().unwrap();
        let found = snapshot.attachments(query).unwrap();
        found.into_iter().map(|a| a.path).collect()
    };
    // No link at all: the shortcut, and the query it stands for, give nothing.
    assert!(of(&mut store, &Query::default()).is_empty());
    put(&mut store, two, "b.png", b"2");
    put(&mut store, three, "a.png", b"3");
    assert_eq!(of(&mut store, &Query::default()), ["a.png", "b.png"]);
    // Only the selected notes' attachments: the first note has none, the first two one.
    let first = |n: u64| Query {
        limit: Some(n),
        ..Query::default()
    };
    assert!(of(&mut store, &first(1)).is_empty());
    assert_eq!(of(&mut store, &first(2)), ["b.png"]);
    // The notes that used them gone, no link is left: nothing again.
    store.remove(two).unwrap();
    store.remove(three).unwrap();
    assert!(of(&mut store, &Query::default()).is_empty());
}
