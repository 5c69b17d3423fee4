//! The names of exported files: valid, distinct and inside `--out` whatever the title, stable
//! from one export to the next, and only a renamed note's own files renamed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use crate::common::{TestEnv, id_of_file, tree};

#[test]
fn a_title_change_renames_only_that_notes_files() {
    let env = TestEnv::seeded(30);
    env.export_json("out", &[]);
    let before = tree(&env.path("out"));
    let old: Vec<PathBuf> = before
        .keys()
        .filter(|p| id_of_file(p) == 7)
        .cloned()
        .collect();
    assert_eq!(old.len(), 3);
    {
        let db = rusqlite::Connection::open(env.db()).unwrap();
        db.execute("UPDATE notes SET title = 'Renamed: now 7' WHERE id = 7", [])
            .unwrap();
    }
    let summary = env.export_json("out", &[]);
    assert_eq!(summary["files"], 90);
    assert_eq!(summary["removed"], 3, "{summary}");
    let after = tree(&env.path("out"));
    let new: Vec<PathBuf> = ["md", "json", "csv"]
        .iter()
        .map(|ext| PathBuf::from(format!("{ext}/7-renamed-now-7.{ext}")))
        .collect();
    for path in &new {
        let bytes = after
            .get(path)
            .unwrap_or_else(|| panic!("{path:?} missing"));
        assert!(String::from_utf8_lossy(bytes).contains("Renamed: now 7"));
    }
    for (path, bytes) in &before {
        if !old.contains(path) {
            assert_eq!(after.get(path), Some(bytes), "{path:?} changed");
        }
    }
    // Nothing else appeared: no "(1)" copies, no second name for any other note.
    let added: BTreeSet<&PathBuf> = after.keys().filter(|p| !before.contains_key(*p)).collect();
    assert_eq!(added, new.iter().collect::<BTreeSet<_>>());
    assert!(after.keys().all(|p| !p.to_string_lossy().contains("(1)")));
    // The files under note 7's old name are gone: one file per note, never an old copy.
    for path in &old {
        assert!(!after.contains_key(path), "{path:?} is still there");
    }
    assert_eq!(after.len(), before.len());
}

#[test]
fn names_stay_valid_and_distinct_for_tricky_titles() {
    let env = TestEnv::new();
    let long_chars = "word ".repeat(60); // 300 characters
    let long_bytes = "é".repeat(500); // 1000 bytes
    let cjk = "日本語".repeat(100); // 900 bytes
    let titles = [
        "Meeting Notes",
        "meeting notes",
        "MEETING NOTES",
        "Caf\u{e9} cr\u{e8}me",
        "Cafe\u{301} cre\u{300}me",
        long_chars.trim_end(),
        long_bytes.as_str(),
        cjk.as_str(),
    ];
    for title in titles {
        env.cmd()
            .args(["add", "--title", title, "--body", "b"])
            .assert()
            .success();
    }
    env.export_json("out", &["--format", "md,json,jsonl,csv"]);
    let files = tree(&env.path("out"));
    assert_eq!(files.len(), titles.len() * 4);
    let mut slugs = BTreeMap::new();
    for path in files.keys() {
        let name = path.file_name().unwrap().to_str().expect("UTF-8 name");
        assert!(name.len() <= 255, "{name} is {} bytes", name.len());
        assert!(!name.contains(['/', '\\', '\0']));
        let (id, rest) = name.split_once('-').unwrap();
        slugs.insert(
            id.parse::<i64>().unwrap(),
            rest.rsplit_once('.').unwrap().0.to_owned(),
        );
    }
    assert_eq!(slugs.len(), titles.len(), "one name per note");
    // Case and normalisation variants share a slug; the id keeps their files apart.
    assert_eq!(slugs[&1], "meeting-notes");
    assert_eq!(slugs[&1], slugs[&2]);
    assert_eq!(slugs[&2], slugs[&3]);
    assert_eq!(slugs[&4], slugs[&5]);
    assert_eq!(slugs[&4], "caf\u{e9}-cr\u{e8}me", "NFC");
    // A re-export into the same folder keeps exactly these names.
    env.export_json("out", &["--format", "md,json,jsonl,csv"]);
    assert_eq!(tree(&env.path("out")), files);
}

#[test]
fn naming_id_gives_the_lessons_names() {
    let env = TestEnv::first_run();
    env.export_json("out", &["--naming", "id", "--format", "json"]);
    let files = tree(&env.path("out"));
    let names: Vec<String> = files.keys().map(|p| p.display().to_string()).collect();
    assert!(names.contains(&"json/note_1.json".to_owned()), "{names:?}");
    assert_eq!(names.len(), 10);
}

#[test]
fn hostile_titles_stay_inside_out() {
    let env = TestEnv::new();
    for title in [
        "../../etc/passwd",
        "/etc/passwd",
        "a/b\\c",
        "CON",
        "",
        "🚀",
        &"x".repeat(10_000),
    ] {
        env.cmd()
            .args(["add", "--title", title, "--body", "b"])
            .assert()
            .success();
    }
    env.export_json("out/inner", &[]);
    let files = tree(&env.path("out"));
    assert_eq!(files.len(), 21);
    for path in files.keys() {
        assert!(path.starts_with("inner"), "{path:?} escaped");
        assert!(path.file_name().unwrap().len() < 255);
    }
}
