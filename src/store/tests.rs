//! Unit tests of the store: adding, reading, opening, snapshots, damaged rows and limits.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use rusqlite::Connection;

use super::*;
use crate::model::{MAX_ID, TimeProblem, Timestamp};

fn note(title: &str, tags: &[&str]) -> NewNote {
    let t: Timestamp = "2026-11-24T09:00:00Z".parse().unwrap();
    NewNote {
        title: title.into(),
        body: format!("body of {title}\r\nline 2"),
        tags: tags.iter().map(|s| s.to_string()).collect(),
        created: t,
        updated: t,
        properties: Default::default(),
        source: None,
    }
}

#[test]
fn add_get_remove() {
    let mut store = Store::open_in_memory().unwrap();
    let a = store.add(note("Alpha", &["x", "y"])).unwrap();
    assert_eq!(a.title, "Alpha");
    assert_eq!(a.tags, ["x", "y"]);
    assert_eq!(a.body, "body of Alpha\r\nline 2");
    assert_eq!(store.get(a.id).unwrap(), a);
    store.remove(a.id).unwrap();
    assert!(matches!(store.get(a.id), Err(StoreError::NotFound(_))));
    assert!(matches!(store.remove(a.id), Err(StoreError::NotFound(_))));
}

#[test]
fn ids_of_removed_notes_are_not_reused() {
    let mut store = Store::open_in_memory().unwrap();
    let a = store.add(note("a", &[])).unwrap();
    store.remove(a.id).unwrap();
    let b = store.add(note("b", &[])).unwrap();
    assert!(b.id > a.id);
}

#[test]
fn tag_order_is_kept_and_filtering_by_tag_works() {
    let mut store = Store::open_in_memory().unwrap();
    store.add(note("one", &["zeta", "alpha"])).unwrap();
    store.add(note("two", &["alpha"])).unwrap();
    store.add(note("three", &[])).unwrap();
    assert_eq!(store.get(1).unwrap().tags, ["zeta", "alpha"]);
    let alpha: Vec<_> = store.list(&Query::tagged("alpha")).unwrap();
    assert_eq!(
        alpha.iter().map(|n| n.title.as_str()).collect::<Vec<_>>(),
        ["one", "two"]
    );
    assert_eq!(store.count(&Query::tagged("zeta")).unwrap(), 1);
    assert_eq!(store.count(&Query::default()).unwrap(), 3);
}

#[test]
fn stream_reads_every_note_across_pages_in_id_order() {
    let mut store = Store::open_in_memory().unwrap();
    let n = PAGE_SIZE * 2 + 7;
    store
        .add_all((0..n).map(|i| note(&format!("n{i}"), &[])))
        .unwrap();
    let snapshot = store.snapshot().unwrap();
    let ids: Vec<i64> = snapshot
        .notes(&Query::default())
        .unwrap()
        .map(|r| r.unwrap().id)
        .collect();
    assert_eq!(ids, (1..=n as i64).collect::<Vec<_>>());
}

#[test]
fn an_invalid_note_rolls_back_the_whole_batch() {
    let mut store = Store::open_in_memory().unwrap();
    let err = store
        .add_all([note("ok", &[]), note("bad", &["a;b"])])
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)));
    assert_eq!(store.count(&Query::default()).unwrap(), 0);
}

#[test]
fn a_file_that_is_not_sqlite_is_refused_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.db");
    std::fs::write(
        &path,
        "this is not a database, it is a text file of some length.....",
    )
    .unwrap();
    // Refused before SQLite opens it: it is not a notebook, and it stays as it was.
    for err in [
        Store::open(&path).unwrap_err(),
        Store::open_or_create(&path).unwrap_err(),
    ] {
        assert!(matches!(err, StoreError::Foreign { .. }), "{err:?}");
        assert!(err.to_string().contains("notes.db"), "{err}");
        assert!(err.to_string().contains("not a SQLite database"), "{err}");
    }
}

#[test]
fn a_file_database_reopens_with_its_notes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/notes.db");
    let id = Store::open_or_create(&path)
        .unwrap()
        .add(note("kept", &["t"]))
        .unwrap()
        .id;
    let store = Store::open(&path).unwrap();
    assert_eq!(store.get(id).unwrap().title, "kept");
}

// ---- Opening: what is at the path decides, and nothing is written to what is not ours ----

/// Every file in `dir` with its bytes: what must not change.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let bytes = if e.path().is_file() {
                std::fs::read(e.path()).unwrap()
            } else {
                b"<folder>".to_vec()
            };
            (e.file_name().to_string_lossy().into_owned(), bytes)
        })
        .collect()
}

#[test]
fn open_never_creates_a_missing_notebook_or_its_folder() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("typo/sub/note.db");
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::Missing { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!("no notebook at {}", path.display())
    );
    assert!(files(dir.path()).is_empty(), "{:?}", files(dir.path()));
}

#[test]
fn open_or_create_makes_the_folder_and_a_notebook_that_open_then_opens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new/sub/notes.db");
    Store::open_or_create(&path)
        .unwrap()
        .add(note("first", &[]))
        .unwrap();
    assert_eq!(Store::open(&path).unwrap().get(1).unwrap().title, "first");
}

/// A SQLite database of another program, in `journal_mode`, at `dir/places.sqlite`.
fn foreign_database(dir: &Path, journal_mode: &str) -> PathBuf {
    let path = dir.join("places.sqlite");
    let conn = Connection::open(&path).unwrap();
    let _: String = conn
        .pragma_update_and_check(None, "journal_mode", journal_mode, |r| r.get(0))
        .unwrap();
    conn.execute_batch(
        "CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT);
         INSERT INTO moz_places (url) VALUES ('https://example.org');",
    )
    .unwrap();
    drop(conn);
    path
}

#[test]
fn a_foreign_sqlite_file_is_refused_by_name_and_left_byte_identical() {
    for journal_mode in ["DELETE", "WAL"] {
        let dir = tempfile::tempdir().unwrap();
        let path = foreign_database(dir.path(), journal_mode);
        let before = files(dir.path());
        for err in [
            Store::open(&path).unwrap_err(),
            Store::open_or_create(&path).unwrap_err(),
        ] {
            assert!(matches!(err, StoreError::Foreign { .. }), "{err:?}");
            let message = err.to_string();
            assert!(message.contains("places.sqlite"), "{message}");
            assert!(message.contains("not a smartnotes notebook"), "{message}");
            assert!(message.contains("moz_places"), "{message}");
        }
        // Same bytes, and no -wal, -shm or -journal beside it.
        assert_eq!(files(dir.path()), before, "{journal_mode}");
    }
}

#[test]
fn an_empty_file_is_refused_by_open_and_becomes_a_notebook_with_open_or_create() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.db");
    std::fs::write(&path, "").unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::Empty { .. }), "{err:?}");
    assert!(err.to_string().contains("empty file"), "{err}");
    assert_eq!(
        std::fs::metadata(&path).unwrap().len(),
        0,
        "open wrote to it"
    );
    Store::open_or_create(&path)
        .unwrap()
        .add(note("in a touched file", &[]))
        .unwrap();
    assert_eq!(
        Store::open(&path)
            .unwrap()
            .count(&Query::default())
            .unwrap(),
        1
    );
}

#[test]
fn a_tableless_database_is_empty_only_if_no_program_marked_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("marked.db");
    let conn = Connection::open(&path).unwrap();
    conn.pragma_update(None, "application_id", 0x4d504246)
        .unwrap();
    drop(conn);
    let before = files(dir.path());
    let err = Store::open_or_create(&path).unwrap_err();
    assert!(
        err.to_string().contains("application_id 1297105478"),
        "{err}"
    );
    assert_eq!(files(dir.path()), before);
    // Unmarked and without tables: nothing to lose, a notebook can be made of it.
    let plain = dir.path().join("plain.db");
    Connection::open(&plain)
        .unwrap()
        .execute_batch("CREATE TABLE t (x); DROP TABLE t;")
        .unwrap();
    assert!(matches!(Store::open(&plain), Err(StoreError::Empty { .. })));
    Store::open_or_create(&plain).unwrap();
    Store::open(&plain).unwrap();
}

#[test]
#[cfg(unix)]
fn a_path_with_uri_characters_and_non_utf8_bytes_opens() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let folder = dir
        .path()
        .join(std::ffi::OsStr::from_bytes(b"a?b#c%20d e&mode=rwc \xff"));
    let path = folder.join("notes.db");
    Store::open_or_create(&path)
        .unwrap()
        .add(note("odd path", &[]))
        .unwrap();
    assert_eq!(
        Store::open(&path).unwrap().get(1).unwrap().title,
        "odd path"
    );
    assert_eq!(files(&folder).len(), 1, "{:?}", files(&folder).keys());
}

#[test]
#[cfg(unix)]
fn a_folder_or_a_fifo_at_the_path_is_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let err = Store::open_or_create(dir.path()).unwrap_err();
    assert!(err.to_string().contains("it is a folder"), "{err}");
    let fifo = dir.path().join("notes.db");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let err = Store::open(&fifo).unwrap_err();
    assert!(err.to_string().contains("not a regular file"), "{err}");
}

#[test]
fn a_notebook_whose_tables_are_still_in_its_wal_file_is_recognised() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.db");
    // Still open: its migrations are in the -wal file, not yet in the main file.
    let mut creator = Store::open_or_create(&path).unwrap();
    creator.add(note("fresh", &[])).unwrap();
    let reader = Store::open(&path).unwrap();
    assert_eq!(reader.get(1).unwrap().title, "fresh");
}

#[test]
fn two_processes_creating_one_notebook_migrate_it_once() {
    // Forty rounds: before opening retried SQLite's immediate "busy" (connections turning a
    // new file into WAL at once), one round in about twelve failed with Locked.
    for _ in 0..40 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.db");
        std::thread::scope(|s| {
            let opens: Vec<_> = (0..4)
                .map(|_| s.spawn(|| Store::open_or_create(&path).map(|_| ())))
                .collect();
            for open in opens {
                open.join().unwrap().unwrap();
            }
        });
        let store = Store::open(&path).unwrap();
        let version: u32 = store
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
    }
}

// ---- Locks: every write waits the same busy timeout, then says so the same way ----

/// A connection of "another process" holding the write lock of `path`.
fn hold_write_lock(path: &Path) -> Connection {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    conn
}

#[test]
fn every_write_waits_the_busy_timeout_then_reports_locked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.db");
    Store::open_or_create(&path)
        .unwrap()
        .add(note("one", &[]))
        .unwrap();
    let timeout = Duration::from_millis(200);
    let mut store = Store::open_with_timeout(&path, timeout).unwrap();
    let _lock = hold_write_lock(&path);
    let incoming = [Incoming {
        id: None,
        note: note("two", &[]),
    }];
    type Write<'a> = Box<dyn Fn(&mut Store) -> StoreError + 'a>;
    let writes: [(&str, Write<'_>); 4] = [
        ("add", Box::new(|s| s.add(note("two", &[])).unwrap_err())),
        (
            "add_all",
            Box::new(|s| s.add_all([note("two", &[])]).unwrap_err()),
        ),
        ("remove", Box::new(|s| s.remove(1).unwrap_err())),
        (
            "import",
            Box::new(|s| {
                s.import(&incoming, ImportMode::NewIds, false, false)
                    .unwrap_err()
            }),
        ),
    ];
    for (what, write) in writes {
        let started = Instant::now();
        let err = write(&mut store);
        assert!(started.elapsed() >= timeout, "{what} did not wait");
        assert!(matches!(err, StoreError::Locked { .. }), "{what}: {err:?}");
        assert!(
            err.to_string()
                .contains("is locked by another process (waited 200 ms)"),
            "{what}: {err}"
        );
    }
}

#[test]
fn a_write_waits_for_a_lock_released_within_the_busy_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.db");
    let mut store = Store::open_or_create(&path).unwrap();
    let lock = hold_write_lock(&path);
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        lock.execute_batch("COMMIT").unwrap();
    });
    // A deferred transaction failed here at once with "database is locked".
    store.add(note("after the lock", &[])).unwrap();
    store.remove(1).unwrap();
    release.join().unwrap();
}

// ---- Snapshots: a count and every page of one moment ----

/// A notebook file of `n` notes titled `note <i>`, bodies naming a walrus when `i` is even.
fn notebook_of(dir: &Path, n: usize) -> PathBuf {
    let path = dir.join("notes.db");
    let mut store = Store::open_or_create(&path).unwrap();
    store
        .add_all((1..=n).map(|i| {
            let mut n = note(
                &format!("note {i}"),
                if i % 2 == 0 { &["even"] } else { &[] },
            );
            if i % 2 == 0 {
                n.body = format!("a walrus in note {i}");
            }
            n
        }))
        .unwrap();
    path
}

/// Commits, in one transaction of another connection: notes 3 and 1050 renamed and edited
/// (1050 loses its walrus and its tag), note 700 deleted, a note added.
fn change_notes_3_and_1050(path: &Path) {
    let mut other = Store::open_with_timeout(path, Duration::from_millis(100)).unwrap();
    let tx = other
        .conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .unwrap();
    tx.execute_batch(
        "UPDATE notes SET title = 'renamed 3', body = 'edited 3' WHERE id = 3;
         UPDATE notes SET title = 'renamed 1050', body = 'no animal' WHERE id = 1050;
         DELETE FROM note_tags WHERE note_id = 1050;
         DELETE FROM notes WHERE id = 700;
         INSERT INTO notes (title, body, created, updated) VALUES ('added', 'a walrus', 0, 0);",
    )
    .unwrap();
    tx.commit().unwrap();
}

#[test]
fn a_snapshot_reads_every_page_at_one_moment_while_another_connection_commits() {
    let dir = tempfile::tempdir().unwrap();
    let n = PAGE_SIZE * 2 + 100;
    let path = notebook_of(dir.path(), n);
    let mut store = Store::open(&path).unwrap();
    let before = store.list(&Query::default()).unwrap();
    let walrus = Query {
        search: Some("walrus".parse().unwrap()),
        ..Query::tagged("even")
    };
    let walrus_before = store.list(&walrus).unwrap();

    let snapshot = store.snapshot().unwrap();
    let mut all = snapshot.notes(&Query::default()).unwrap();
    let mut walruses = snapshot.notes(&walrus).unwrap();
    let mut read = vec![all.next().unwrap().unwrap()];
    let mut read_walruses = vec![walruses.next().unwrap().unwrap()];
    // Writers are not blocked by the open snapshot.
    change_notes_3_and_1050(&path);
    read.extend(all.map(Result::unwrap));
    read_walruses.extend(walruses.map(Result::unwrap));
    assert_eq!(snapshot.count(&Query::default()).unwrap(), n as u64);
    assert_eq!(snapshot.count(&walrus).unwrap(), walrus_before.len() as u64);
    drop(snapshot);
    assert!(
        read == before,
        "the snapshot saw a change made after it began"
    );
    assert!(
        read_walruses == walrus_before,
        "the filtered stream saw a change"
    );

    let after = store.list(&Query::default()).unwrap();
    assert_eq!(after.len(), n);
    let title = |notes: &[Note], id| notes.iter().find(|n| n.id == id).map(|n| n.title.clone());
    assert_eq!(title(&after, 3).as_deref(), Some("renamed 3"));
    assert_eq!(title(&after, 1050).as_deref(), Some("renamed 1050"));
    assert_eq!(title(&after, 700), None);
    assert_eq!(title(&after, n as i64 + 1).as_deref(), Some("added"));
    assert!(store.list(&walrus).unwrap().iter().all(|n| n.id != 1050));
}

#[test]
fn streams_of_one_snapshot_read_on_several_threads_agree() {
    let dir = tempfile::tempdir().unwrap();
    let path = notebook_of(dir.path(), PAGE_SIZE + 10);
    let mut store = Store::open(&path).unwrap();
    let snapshot = store.snapshot().unwrap();
    let read = || -> Vec<Note> {
        snapshot
            .notes(&Query::default())
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(read);
        let b = s.spawn(read);
        (a.join().unwrap(), b.join().unwrap())
    });
    assert_eq!(a.len(), PAGE_SIZE + 10);
    assert!(a == b);
}

#[test]
fn a_shared_snapshot_streams_after_the_store_is_moved_into_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = notebook_of(dir.path(), 20);
    let snapshot = Arc::new(Store::open(&path).unwrap().into_snapshot().unwrap());
    let count = snapshot.count(&Query::default()).unwrap();
    let stream = snapshot.clone().into_notes(&Query::tagged("even")).unwrap();
    drop(snapshot);
    let ids = std::thread::spawn(move || stream.map(|n| n.unwrap().id).collect::<Vec<_>>())
        .join()
        .unwrap();
    assert_eq!(count, 20);
    assert_eq!(ids, (2..=20).step_by(2).collect::<Vec<_>>());
}

// ---- Damaged rows: that note fails, the stream goes on ----

/// Rows no smartnotes ever wrote, put there by raw SQL: (id, what is wrong).
const DAMAGE: &[(i64, &str)] = &[
    (PAGE_SIZE as i64, "title"),
    (PAGE_SIZE as i64 + 1, "body"),
    (600, "created"),
    (601, "updated"),
    (602, "tag"),
    (603, "title"),
    (MAX_ID + 1, "id"),
];

fn damage(path: &Path) {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(&format!(
        "UPDATE notes SET title = CAST(X'4361C3' || X'28' AS TEXT) WHERE id = {};
         UPDATE notes SET body = X'00FF' WHERE id = {};
         UPDATE notes SET created = {} WHERE id = 600;
         UPDATE notes SET updated = 'yesterday' WHERE id = 601;
         INSERT INTO note_tags (note_id, position, tag) VALUES (602, 9, X'FF');
         UPDATE notes SET title = CAST(X'FF' AS TEXT) WHERE id = 603;
         INSERT INTO notes (id, title, body, created, updated) VALUES ({}, 'far', '', 0, 0);",
        PAGE_SIZE,
        PAGE_SIZE + 1,
        i64::MAX,
        MAX_ID + 1,
    ))
    .unwrap();
}

#[test]
fn a_damaged_row_fails_only_its_note_and_every_order_goes_on_past_it() {
    let dir = tempfile::tempdir().unwrap();
    let n = PAGE_SIZE * 2 + 30;
    let path = notebook_of(dir.path(), n);
    damage(&path);
    let mut store = Store::open(&path).unwrap();
    let damaged: Vec<i64> = DAMAGE.iter().map(|&(id, _)| id).collect();
    for sort in [Sort::Id, Sort::Title, Sort::Created, Sort::Updated] {
        for descending in [false, true] {
            let query = Query {
                sort,
                descending,
                ..Query::default()
            };
            let snapshot = store.snapshot().unwrap();
            let (mut good, mut bad) = (Vec::new(), Vec::new());
            // At most one item per row: a cursor stuck on a damaged row would loop.
            for item in snapshot.notes(&query).unwrap().take(n + 10) {
                match item {
                    Ok(note) => good.push(note.id),
                    Err(StoreError::Corrupt { id, .. }) => bad.push(id),
                    Err(e) => panic!("{sort:?}: the stream ended: {e}"),
                }
            }
            good.sort();
            bad.sort();
            let mut want_bad = damaged.clone();
            want_bad.sort();
            assert_eq!(bad, want_bad, "{sort:?} descending {descending}");
            assert_eq!(good.len(), n + 1 - damaged.len(), "{sort:?} {descending}");
            assert!(good.iter().all(|id| !damaged.contains(id)));
        }
    }
}

#[test]
fn a_damaged_note_says_what_is_wrong_and_can_still_be_removed() {
    let dir = tempfile::tempdir().unwrap();
    let path = notebook_of(dir.path(), 700);
    damage(&path);
    let mut store = Store::open(&path).unwrap();
    for &(id, field) in DAMAGE {
        match store.get(id) {
            Err(StoreError::Corrupt { id: got, reason }) => {
                assert_eq!(got, id);
                assert!(reason.contains(field), "{id}: {reason}");
            }
            other => panic!("note {id}: {other:?}"),
        }
    }
    let err = store.get(PAGE_SIZE as i64).unwrap_err().to_string();
    assert!(err.contains("the title is not UTF-8"), "{err}");
    let err = store.get(600).unwrap_err().to_string();
    assert!(err.contains("out of range"), "{err}");
    for &(id, _) in DAMAGE {
        store.remove(id).unwrap();
    }
    assert!(store.list(&Query::default()).is_ok());
}

// ---- Ids and times: only what can come back goes in ----

fn with_id(id: i64) -> Incoming {
    Incoming {
        id: Some(id),
        note: note(&format!("id {id}"), &[]),
    }
}

#[test]
fn import_refuses_ids_outside_1_to_2_pow_53_minus_1_and_later_adds_still_work() {
    let mut store = Store::open_in_memory().unwrap();
    for id in [i64::MAX, MAX_ID + 1, 0, -1, i64::MIN] {
        for mode in [ImportMode::KeepIds, ImportMode::Update] {
            let err = store
                .import(&[with_id(id)], mode, false, false)
                .unwrap_err();
            assert!(
                matches!(err, StoreError::Invalid(NoteError::Id { id: got }) if got == id),
                "{id}: {err:?}"
            );
            let message = err.to_string();
            assert!(message.contains(&id.to_string()), "{message}");
            assert!(message.contains("1 to 9007199254740991"), "{message}");
        }
    }
    // Ids are ignored with new ids, so nothing is refused.
    let r = store
        .import(&[with_id(i64::MAX)], ImportMode::NewIds, false, false)
        .unwrap();
    assert_eq!(r.outcomes, [Outcome::Added(Some(1))]);
    assert_eq!(store.add(note("after", &[])).unwrap().id, 2);
    assert_eq!(store.add_all([note("seeded", &[])]).unwrap(), [3]);
}

#[test]
fn the_largest_id_is_kept_and_a_notebook_without_ids_left_says_so() {
    let mut store = Store::open_in_memory().unwrap();
    let r = store
        .import(&[with_id(MAX_ID)], ImportMode::KeepIds, false, false)
        .unwrap();
    assert_eq!(r.outcomes, [Outcome::Added(Some(MAX_ID))]);
    assert_eq!(store.get(MAX_ID).unwrap().id, MAX_ID);
    // Not "database or disk is full".
    let err = store.add(note("one more", &[])).unwrap_err();
    assert!(
        matches!(err, StoreError::IdsExhausted { last: MAX_ID, .. }),
        "{err:?}"
    );
    // A notebook that an older smartnotes let reach i64::MAX says the same.
    store
        .conn
        .execute("UPDATE sqlite_sequence SET seq = ?1", [i64::MAX])
        .unwrap();
    let err = store
        .import(
            &[Incoming {
                id: None,
                note: note("x", &[]),
            }],
            ImportMode::NewIds,
            false,
            false,
        )
        .unwrap_err();
    assert!(matches!(err, StoreError::IdsExhausted { .. }), "{err:?}");
    assert!(err.to_string().contains("9007199254740991"), "{err}");
}

fn at(text: &str) -> NewNote {
    let mut n = note("dated", &[]);
    n.created = text.parse().unwrap();
    n.updated = Timestamp::now();
    n
}

#[test]
fn add_and_import_refuse_times_outside_the_years_0001_to_9999_utc() {
    let mut store = Store::open_in_memory().unwrap();
    // Year 9999 with its offset, but 10000-01-01 in UTC: stored, it would export as
    // +10000-01-01, which no RFC 3339 reader reads.
    for text in [
        "9999-12-31T23:59:59.999999-23:59",
        "0000-12-31T23:59:59Z",
        "0001-01-01T00:00:00+00:01",
    ] {
        let err = store.add(at(text)).unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::Invalid(NoteError::Time {
                    field: "created",
                    reason: TimeProblem::OutOfRange,
                    ..
                })
            ),
            "{text}: {err:?}"
        );
        let message = err.to_string();
        assert!(message.contains("the created time"), "{message}");
        assert!(
            message.contains("0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z"),
            "{message}"
        );
        let incoming = [Incoming {
            id: Some(1),
            note: at(text),
        }];
        let err = store
            .import(&incoming, ImportMode::KeepIds, false, false)
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Invalid(NoteError::Time { .. })),
            "{err:?}"
        );
    }
    assert_eq!(store.count(&Query::default()).unwrap(), 0);
    // The limits themselves go in and come back.
    let mut edge = note("edges", &[]);
    (edge.created, edge.updated) = (Timestamp::MIN, Timestamp::MAX);
    let kept = store.add(edge).unwrap();
    assert_eq!(kept.created.to_string(), "0001-01-01T00:00:00Z");
    assert_eq!(kept.updated.to_string(), "9999-12-31T23:59:59.999999Z");
}

#[test]
fn a_leap_second_is_refused_by_name_not_moved_to_the_next_day() {
    let mut store = Store::open_in_memory().unwrap();
    let leap = chrono::NaiveDate::from_ymd_opt(2016, 12, 31)
        .unwrap()
        .and_hms_micro_opt(23, 59, 59, 1_000_000)
        .unwrap()
        .and_utc();
    let mut n = note("leap", &[]);
    n.updated = Timestamp::from(leap);
    let err = store.add(n).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Invalid(NoteError::Time {
                field: "updated",
                reason: TimeProblem::LeapSecond,
                ..
            })
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("leap second"), "{err}");
    assert!(err.to_string().contains("23:59:60"), "{err}");
}
