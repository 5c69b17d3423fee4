//! The per-note version the notebook keeps (migration 6), and what incremental export does
//! with it: every change of a note, by smartnotes or by anyone writing the SQLite file, gives
//! the note a new version; nothing else does; and an unchanged note is never read on
//! re-export, not even its body.

use std::collections::BTreeMap;

use crate::common::{TestEnv, assert_books_balance, manifest_as_text, published};

const MANIFEST: &str = ".smartnotes-manifest.json";

fn sql(env: &TestEnv, statement: &str) {
    let db = rusqlite::Connection::open(env.db()).unwrap();
    db.execute_batch(statement).unwrap();
}

fn versions(env: &TestEnv) -> BTreeMap<i64, i64> {
    let db = rusqlite::Connection::open(env.db()).unwrap();
    let mut stmt = db.prepare("SELECT id, version FROM notes").unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// The ids whose version differs between `before` and now, and the notes added since.
fn changed(before: &BTreeMap<i64, i64>, env: &TestEnv) -> Vec<i64> {
    let now = versions(env);
    now.iter()
        .filter(|(id, v)| before.get(id) != Some(v))
        .map(|(id, _)| *id)
        .collect()
}

#[test]
fn every_change_of_a_note_gives_it_a_new_version_and_nothing_else_does() {
    let env = TestEnv::seeded(6);
    let start = versions(&env);
    assert_eq!(start.len(), 6);
    assert!(start.values().all(|&v| v != 0), "{start:?}");
    let distinct: std::collections::BTreeSet<_> = start.values().collect();
    assert_eq!(
        distinct.len(),
        6,
        "versions are random, not shared: {start:?}"
    );

    // smartnotes' own commands.
    let mut before = versions(&env);
    env.cmd()
        .args(["tag", "add", "fresh", "1"])
        .assert()
        .success();
    assert_eq!(changed(&before, &env), [1]);
    before = versions(&env);
    env.cmd()
        .args(["tag", "remove", "fresh", "1"])
        .assert()
        .success();
    assert_eq!(changed(&before, &env), [1]);

    // Another program writing the file: the triggers keep the promise.
    for (statement, note) in [
        ("UPDATE notes SET body = 'edited' WHERE id = 2", 2),
        (
            "UPDATE notes SET title = 'renamed', version = version WHERE id = 3",
            3,
        ),
        (
            "INSERT INTO note_tags (note_id, position, tag) VALUES (4, 99, 'x')",
            4,
        ),
        (
            "UPDATE note_tags SET tag = 'other' WHERE note_id = 4 AND position = 99",
            4,
        ),
        (
            "DELETE FROM note_tags WHERE note_id = 4 AND position = 99",
            4,
        ),
        ("UPDATE notes SET properties = '{\"a\":1}' WHERE id = 6", 6),
    ] {
        let before = versions(&env);
        sql(&env, statement);
        assert_eq!(changed(&before, &env), [note], "{statement}");
    }
    // A note inserted without a version gets one.
    let before = versions(&env);
    sql(
        &env,
        "INSERT INTO notes (title, body, created, updated) VALUES ('raw', '', 0, 0)",
    );
    let added = changed(&before, &env);
    assert_eq!(added, [7]);
    assert_ne!(versions(&env)[&7], 0);

    // Import: an unchanged note keeps its version, a changed one gets a new one.
    env.cmd()
        .args(["export", "--out", "out", "-f", "json", "-q"])
        .assert()
        .success();
    let before = versions(&env);
    env.cmd()
        .args(["import", "--update", "out/json", "-q"])
        .assert()
        .success();
    assert_eq!(changed(&before, &env), Vec::<i64>::new(), "nothing changed");
    let file = std::fs::read_dir(env.path("out/json"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("2-"))
        .unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("\"edited\"", "\"edited again\"")).unwrap();
    let before = versions(&env);
    env.cmd()
        .args(["import", "--update", "out/json", "-q"])
        .assert()
        .success();
    assert_eq!(changed(&before, &env), [2]);
}

#[test]
fn an_unchanged_note_is_never_read_on_re_export_not_even_its_body() {
    let env = TestEnv::seeded(40);
    let first = env.export_json("out", &["--incremental", "-f", "md,json"]);
    assert_eq!(first["files"], 80);
    let before = published(&env.path("out"));
    // Damage note 7's body behind the notebook's back, keeping its version: only a read of
    // the body can notice it (a plain export fails that note, below).
    sql(
        &env,
        "DROP TRIGGER notes_version_update;
         UPDATE notes SET body = CAST(x'ff00ff' AS TEXT) WHERE id = 7;",
    );
    let again = env.export_json("out", &["--incremental", "-f", "md,json"]);
    assert_books_balance(&again);
    assert_eq!(
        (&again["files"], &again["unchanged"], &again["failed"]),
        (
            &serde_json::json!(0),
            &serde_json::json!(80),
            &serde_json::json!(0)
        ),
        "{again}"
    );
    assert!(published(&env.path("out")) == before);
    let plain = env.export_json("plain", &["-f", "md,json"]);
    assert_eq!(
        plain["failed"], 2,
        "the body is damaged: reading it fails: {plain}"
    );
    // With --verify every note is read, and compared.
    let verified = env.export_json("out", &["--incremental", "--verify", "-f", "md,json"]);
    assert_eq!(verified["failed"], 2, "{verified}");
}

#[test]
fn a_manifest_whose_keys_are_not_versions_means_every_file_once_never_damage() {
    // A manifest written before the notebook kept versions holds content hashes: it is read,
    // its entries no longer match, every file is written again once, and the next run is
    // unchanged; prune still knows the old files.
    let env = TestEnv::seeded(20);
    env.export_json("out", &["--incremental"]);
    let manifest = env.path(&format!("out/{MANIFEST}"));
    // Such a manifest is of the first, text layout: every hash made one that is no version key.
    let old = manifest_as_text(&manifest, Some(&"ab".repeat(16)));
    std::fs::write(&manifest, old).unwrap();
    sql(&env, "DELETE FROM notes WHERE id = 20");
    let again = env.export_json("out", &["--incremental", "--prune"]);
    assert_books_balance(&again);
    assert_eq!(
        again["full_export_reason"],
        serde_json::Value::Null,
        "{again}"
    );
    assert_eq!(
        (&again["files"], &again["failed"]),
        (&serde_json::json!(57), &serde_json::json!(0))
    );
    assert_eq!(
        again["removed"], 3,
        "note 20's files, which the manifest listed"
    );
    let third = env.export_json("out", &["--incremental"]);
    assert_eq!(
        (&third["files"], &third["unchanged"]),
        (&serde_json::json!(0), &serde_json::json!(57))
    );
}

#[test]
fn a_sorted_limited_filtered_incremental_export_pages_its_versions_like_a_plain_one() {
    // More notes than a page of versions (512), in every order, limited and filtered: the
    // versions' pages must select and order exactly the notes a plain export writes.
    let env = TestEnv::seeded(1200);
    for (i, args) in [
        vec!["--sort", "title", "--limit", "1100"],
        vec!["--sort", "created", "--reverse", "--limit", "700"],
        vec!["--sort", "updated"],
        vec!["--tag", "rust"],
    ]
    .into_iter()
    .enumerate()
    {
        let (inc, plain) = (format!("inc-{i}"), format!("plain-{i}"));
        let args: Vec<&str> = args.into_iter().chain(["-f", "md"]).collect();
        let first = env.export_json(&inc, &[&["--incremental"][..], &args].concat());
        let again = env.export_json(&inc, &[&["--incremental"][..], &args].concat());
        let reference = env.export_json(&plain, &args);
        assert_eq!(first["files"], reference["files"], "{args:?}");
        assert_eq!(again["files"], 0, "{args:?}: {again}");
        assert_eq!(again["unchanged"], reference["files"], "{args:?}");
        let mut written = published(&env.path(&inc));
        written.retain(|path, _| path != std::path::Path::new(MANIFEST));
        assert!(written == published(&env.path(&plain)), "{args:?}");
    }
}
