//! `smartnotes import` end to end: round trips, --update, --dry-run, and every kind of bad input
//! (each refused with the file, the line and the problem, exit code 1, the notebook unchanged).

use std::path::Path;

use crate::common::{TestEnv, tree};
use predicates::prelude::*;

const ALL: &str = "md,json,jsonl,csv";

fn hash(path: &Path) -> blake3::Hash {
    blake3::hash(&std::fs::read(path).expect("read the notebook"))
}

fn count(env: &TestEnv) -> u64 {
    let out = env.cmd().args(["list", "--count"]).output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// Exports `from`'s notes, imports them into an empty notebook with `import_args`, exports that
/// one the same way, and checks the two trees are byte-identical.
fn round_trip(from: &TestEnv, export_args: &[&str], import_args: &[&str]) {
    from.cmd()
        .args(["export", "--out", "a", "-q", "-f", ALL])
        .args(export_args)
        .assert()
        .success();
    let to = TestEnv::new();
    to.cmd()
        .arg("import")
        .arg(from.path("a"))
        .args(["--keep-ids"])
        .args(import_args)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            " 200 added, 0 updated, 0 unchanged",
        ));
    to.cmd()
        .args(["export", "--out", "b", "-q", "-f", ALL])
        .args(export_args)
        .assert()
        .success();
    let (a, b) = (tree(&from.path("a")), tree(&to.path("b")));
    assert!(!a.is_empty());
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(
            bytes == &b[path],
            "{} differs after the round trip",
            path.display()
        );
    }
}

#[test]
fn round_trip_files_layout_is_byte_identical() {
    let env = TestEnv::seeded(200);
    round_trip(&env, &[], &[]);
}

#[test]
fn round_trip_with_csv_safe_is_byte_identical() {
    let env = TestEnv::seeded(200);
    // Titles and bodies a spreadsheet would run, and one that really starts with a quote.
    for title in ["=1+1", "-minus", "@at", "'quoted", "''=both", "\tTab"] {
        env.cmd()
            .args([
                "add",
                &format!("--title={title}"),
                "--body=+body",
                "--tag=-t",
            ])
            .assert()
            .success();
    }
    // Keep 200 notes, as round_trip expects.
    for id in 1..=6 {
        env.cmd().args(["rm", &id.to_string()]).assert().success();
    }
    round_trip(&env, &["--csv-safe"], &["--csv-safe"]);
    let csv = std::fs::read_to_string(env.path("a/csv/201-1-1.csv")).unwrap();
    assert!(csv.contains("'=1+1"), "{csv}");
}

#[test]
fn round_trip_bundles_are_byte_identical() {
    let from = TestEnv::seeded(200);
    for format in ["md", "json", "jsonl", "csv"] {
        let out = format!("bundle-{format}");
        from.cmd()
            .args([
                "export", "-q", "--layout", "bundle", "-f", format, "--out", &out,
            ])
            .assert()
            .success();
        let to = TestEnv::new();
        to.cmd()
            .arg("import")
            .arg(from.path(&out))
            .arg("--keep-ids")
            .assert()
            .success()
            .stdout(predicate::str::contains("imported 1 file: 200 added"));
        to.cmd()
            .args([
                "export", "-q", "--layout", "bundle", "-f", format, "--out", "b",
            ])
            .assert()
            .success();
        assert!(
            tree(&from.path(&out)) == tree(&to.path("b")),
            "{format} bundle differs"
        );
    }
}

#[test]
fn without_keep_ids_notes_get_new_ids_and_copies_in_other_formats_count_once() {
    let env = TestEnv::seeded(3);
    env.cmd()
        .args(["export", "--out", "x", "-q", "-f", ALL])
        .assert()
        .success();
    env.cmd()
        .args(["import", "x"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "imported 12 files: 0 added, 0 updated, 3 unchanged, 9 duplicates",
        ));
    assert_eq!(count(&env), 3);
}

/// Runs `import` with `args` in `env`, which must fail with exit code 1, print every one of
/// `expected` on stderr, and leave the notebook byte for byte as it was.
fn refused(env: &TestEnv, args: &[&str], expected: &[&str]) {
    let before = hash(&env.db());
    let out = env.cmd().arg("import").args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
    for want in expected {
        assert!(stderr.contains(want), "{args:?}: no {want:?} in {stderr}");
    }
    assert_eq!(hash(&env.db()), before, "{args:?} changed the notebook");
}

fn write(env: &TestEnv, rel: &str, bytes: impl AsRef<[u8]>) {
    let path = env.path(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

const NOTE_MD: &str = "---\nid: 1\ntitle: Fine\ntags: []\ncreated: 2026-01-01T00:00:00Z\nupdated: 2026-01-01T00:00:00Z\n---\nbody\n";

#[test]
fn bad_input_names_file_line_and_problem_and_writes_nothing() {
    let env = TestEnv::seeded(3);
    let head = "id,title,tags,created,updated,body\r\n";
    let t = "2026-01-01T00:00:00Z";
    write(&env, "utf8.md", b"line one\nline \xff two\n");
    write(
        &env,
        "front.md",
        "---\nid: 1\ntitle: [unclosed\ncreated: x\n---\nbody\n",
    );
    write(
        &env,
        "syntax.json",
        "{\n  \"id\": 1,\n  \"title\": \"x\"\n  \"tags\": []\n}\n",
    );
    write(
        &env,
        "missing.csv",
        format!("{head}1,a,,{t},{t},ok\r\n2,b,,{t},{t}\r\n"),
    );
    write(
        &env,
        "extra.csv",
        format!("{head}1,a,,{t},{t},ok\r\n2,b,,{t},{t},body,surplus\r\n"),
    );
    write(
        &env,
        "unknown.jsonl",
        format!(
            "{{\"id\":1,\"title\":\"a\",\"created\":\"{t}\",\"updated\":\"{t}\"}}\n{{\"id\":2,\"title\":\"b\",\"colour\":\"red\",\"created\":\"{t}\",\"updated\":\"{t}\"}}\n"
        ),
    );
    write(&env, "big.md", "x".repeat(1001));
    write(&env, "empty.json", "");
    std::fs::create_dir(env.path("folder.json")).unwrap();

    let cases: &[(&[&str], &[&str])] = &[
        (&["utf8.md"], &["utf8.md:2: invalid UTF-8 at byte 14"]),
        (&["front.md", "--strict"], &["front.md:3: front matter: "]),
        (
            &["syntax.json"],
            &["syntax.json:4: JSON: expected `,` or `}`"],
        ),
        (&["missing.csv"], &["missing.csv:3: CSV: missing columns"]),
        (&["extra.csv"], &["extra.csv:3: CSV: extra columns"]),
        (
            &["unknown.jsonl"],
            &["unknown.jsonl:2: JSON: unknown field `colour`"],
        ),
        (
            &["big.md", "--max-size", "1KB"],
            &["big.md: 1001 bytes is over the size limit of 1000 bytes"],
        ),
        (&["empty.json"], &["empty.json: the file is empty"]),
        (&["folder.json"], &["folder.json: is a folder, not a file"]),
        (&["nowhere.md"], &["nowhere.md: cannot read"]),
        (&["utf8.md", "--skip-invalid"], &["skipped: utf8.md:2"]),
    ];
    for (args, expected) in cases {
        refused(&env, args, expected);
    }
    assert_eq!(count(&env), 3);
}

#[test]
fn import_is_all_or_nothing_and_lists_every_error() {
    let env = TestEnv::seeded(3);
    for i in 1..=5 {
        write(
            &env,
            &format!("in/{i}.md"),
            NOTE_MD.replace("id: 1", &format!("id: {}", 100 + i)),
        );
    }
    write(&env, "in/sub/bad-a.md", "---\nid: 9\n");
    write(&env, "in/sub/bad-b.json", "[1, 2]");
    write(&env, "in/readme.txt", "not a note");
    refused(
        &env,
        &["in", "--strict"],
        &[
            "bad-a.md:1: front matter: no closing",
            "bad-b.json:1: JSON: ",
        ],
    );
    let out = env
        .cmd()
        .args(["import", "in", "--strict"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("nothing imported from 7 files") && stdout.contains("1 other file skipped"),
        "{stdout}"
    );
    assert_eq!(count(&env), 3);

    // --skip-invalid imports the five good notes, lists the three bad records of the two bad
    // files (each element of the JSON array is a record of its own), and still exits 1.
    env.cmd()
        .args(["import", "in", "--skip-invalid", "--strict"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("skipped: ").count(3))
        .stdout(predicate::str::contains("imported 7 files: 5 added"));
    assert_eq!(count(&env), 8);
}

#[test]
fn keep_ids_clash_names_both_notes_and_writes_nothing() {
    let env = TestEnv::seeded(3);
    let existing = env.cmd().args(["show", "2", "--json"]).output().unwrap();
    let existing: serde_json::Value = serde_json::from_slice(&existing.stdout).unwrap();
    write(&env, "in/ok.md", NOTE_MD.replace("id: 1", "id: 50"));
    write(&env, "in/two.md", NOTE_MD.replace("id: 1", "id: 2"));
    refused(
        &env,
        &["in", "--keep-ids"],
        &[
            "two.md:1: note 2 (\"Fine\") clashes with note 2",
            existing["title"].as_str().unwrap(),
        ],
    );
    // Two records with one id and different contents: an error naming both files.
    write(
        &env,
        "in/also-50.md",
        NOTE_MD.replace("id: 1", "id: 50").replace("body", "other"),
    );
    refused(
        &env,
        &["in/ok.md", "in/also-50.md", "--keep-ids"],
        &["also-50.md:1: note 50 differs from note 50 read from in/ok.md:1"],
    );
}

#[test]
fn update_counts_added_updated_unchanged_and_search_sees_new_text() {
    let env = TestEnv::seeded(5);
    env.cmd()
        .args(["export", "--out", "x", "-q", "-f", "json"])
        .assert()
        .success();
    let files = tree(&env.path("x"));
    let (first, bytes) = files.iter().next().unwrap();
    let mut note: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    assert_eq!(note["id"], 1);
    note["body"] = "a zanzibarian walrus".into();
    std::fs::write(
        env.path("x").join(first),
        serde_json::to_vec(&note).unwrap(),
    )
    .unwrap();
    note["id"] = 77.into();
    std::fs::write(
        env.path("x/json/77-new.json"),
        serde_json::to_vec(&note).unwrap(),
    )
    .unwrap();

    env.cmd()
        .args(["import", "x", "--update"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "imported 6 files: 1 added, 1 updated, 4 unchanged",
        ));
    assert_eq!(count(&env), 6);
    env.cmd()
        .args(["list", "--search", "zanzibarian", "--count"])
        .assert()
        .stdout("2\n");
    // Again: nothing left to change.
    env.cmd()
        .args(["import", "x", "--update", "--json"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"unchanged\": 6"));
}

#[test]
fn dry_run_reports_the_plan_and_leaves_the_notebook_byte_identical() {
    let env = TestEnv::seeded(5);
    env.cmd()
        .args(["export", "--out", "x", "-q", "-f", "json"])
        .assert()
        .success();
    write(&env, "x/json/9-new.json", {
        let one = std::fs::read_to_string(
            tree(&env.path("x"))
                .keys()
                .next()
                .map(|k| env.path("x").join(k))
                .unwrap(),
        )
        .unwrap();
        one.replace("\"id\": 1,", "\"id\": 9,")
    });
    let before = hash(&env.db());
    env.cmd()
        .args(["import", "x", "--update", "--dry-run"])
        .assert()
        .success()
        .stdout(predicate::str::contains("add            9  "))
        .stdout(predicate::str::contains(
            "dry run: would import 6 files: 1 added, 0 updated, 5 unchanged",
        ));
    assert_eq!(hash(&env.db()), before);
    assert_eq!(count(&env), 5);

    // Without a notebook, a dry run does not create one.
    let empty = TestEnv::new();
    empty
        .cmd()
        .arg("import")
        .arg(env.path("x"))
        .arg("--dry-run")
        .assert()
        .success()
        .stdout(predicate::str::contains("would import 6 files: 6 added"));
    assert!(!empty.db().exists());
}

#[test]
fn a_notebook_that_is_not_sqlite_is_refused_and_kept() {
    let env = TestEnv::new();
    write(
        &env,
        "notes.db",
        "this is a text file, not a database; it must survive",
    );
    write(&env, "n.md", NOTE_MD);
    refused(
        &env,
        &["n.md"],
        &["is not a smartnotes notebook", "notes.db"],
    );
}

#[test]
fn a_locked_notebook_is_reported_and_left_alone() {
    let env = TestEnv::seeded(3);
    write(&env, "n.md", NOTE_MD);
    let lock = rusqlite::Connection::open(env.db()).unwrap();
    lock.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let out = env
        .cmd()
        .args(["import", "n.md"])
        .env("SMARTNOTES_BUSY_TIMEOUT_MS", "100")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("is locked by another process"), "{stderr}");
    assert!(stderr.contains("notes.db"), "{stderr}");
    lock.execute_batch("ROLLBACK").unwrap();
    drop(lock);
    assert_eq!(count(&env), 3);
    env.cmd().args(["import", "n.md"]).assert().success();
    assert_eq!(count(&env), 4);
}

/// Issue 10: `smartnotes show 1 | smartnotes add -t "How an export looks"`, bundle export,
/// import: the body came back empty.
#[test]
fn a_markdown_bundle_keeps_a_body_that_quotes_front_matter() {
    let env = TestEnv::seeded(3);
    let shown = env.cmd().args(["show", "1"]).output().unwrap();
    assert!(shown.status.success());
    env.cmd()
        .args(["add", "-t", "How an export looks"])
        .write_stdin(shown.stdout.clone())
        .assert()
        .success();
    env.cmd()
        .args([
            "export", "-q", "--layout", "bundle", "-f", "md", "--out", "b",
        ])
        .assert()
        .success();
    let to = TestEnv::new();
    to.cmd()
        .arg("import")
        .arg(env.path("b"))
        .arg("--keep-ids")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "imported 1 file: 4 added, 0 updated",
        ));
    let body = |env: &TestEnv| {
        let out = env.cmd().args(["show", "4", "--json"]).output().unwrap();
        let note: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        note["body"].as_str().unwrap().to_owned()
    };
    let shown = String::from_utf8(shown.stdout).unwrap();
    assert!(shown.starts_with("---\nid: 1\n"), "{shown}");
    assert_eq!(body(&to), shown);
    assert_eq!(body(&to), body(&env));
}

/// A command that must end on its own: on main these waited forever on a FIFO.
fn bounded(mut cmd: assert_cmd::Command) -> assert_cmd::assert::Assert {
    cmd.timeout(std::time::Duration::from_secs(60)).assert()
}

/// Issue 10: a FIFO in an import folder blocked the import forever.
#[cfg(unix)]
#[test]
fn fifos_sockets_and_devices_in_a_folder_are_skipped_and_named() {
    let env = TestEnv::seeded(1);
    write(&env, "in/1.md", NOTE_MD.replace("id: 1", "id: 101"));
    let status = std::process::Command::new("mkfifo")
        .arg(env.path("in/pipe.md"))
        .status()
        .unwrap();
    assert!(status.success());
    let _socket = std::os::unix::net::UnixListener::bind(env.path("in/sock.json")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", env.path("in/zero.csv")).unwrap();
    let mut cmd = env.cmd();
    cmd.args(["import", "in"]);
    bounded(cmd)
        .success()
        .stdout(predicate::str::contains(
            "imported 1 file: 1 added, 0 updated, 0 unchanged, 3 FIFOs, sockets or devices skipped",
        ))
        .stderr(predicate::str::contains(
            "pipe.md: skipped, a FIFO is not a note file",
        ))
        .stderr(predicate::str::contains(
            "sock.json: skipped, a socket is not a note file",
        ))
        .stderr(predicate::str::contains(
            "zero.csv: skipped, a character device is not a note file",
        ));
    let mut cmd = env.cmd();
    cmd.args(["import", "in", "--dry-run", "--json"]);
    let out = bounded(cmd).success().get_output().stdout.clone();
    let summary: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let kinds: Vec<_> = (0..3)
        .map(|i| summary["special_files"][i]["kind"].clone())
        .collect();
    assert_eq!(kinds, ["fifo", "socket", "char-device"], "{summary}");
    assert_eq!(
        summary["special_files"][0]["path"], "in/pipe.md",
        "{summary}"
    );
    // Named on the command line: refused at once, nothing written.
    let before = hash(&env.db());
    let mut cmd = env.cmd();
    cmd.args(["import", "in/pipe.md"]);
    bounded(cmd).code(1).stderr(predicate::str::contains(
        "in/pipe.md: is a FIFO, not a regular file",
    ));
    assert_eq!(hash(&env.db()), before);
}

/// Issue 10: front matter of `[` x 100,000 then `]` x 100,000 (200 KB) took 152 s.
#[test]
fn a_deeply_nested_front_matter_is_refused_at_once() {
    let env = TestEnv::seeded(1);
    let bomb = format!(
        "---\nid: 1\ntitle: {}{}\ncreated: 2026-01-01T00:00:00Z\nupdated: 2026-01-01T00:00:00Z\n---\nbody\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    write(&env, "bomb.md", bomb);
    let mut cmd = env.cmd();
    cmd.args(["import", "bomb.md", "--strict"]);
    // A generous bound: on main this took minutes; the check itself takes milliseconds.
    bounded(cmd).code(1).stderr(predicate::str::contains(
        "bomb.md:3: front matter: lists or maps nested more than 32 deep",
    ));
}

/// Issue 10: a `.md` saved with a byte-order mark came in with its front matter as body, a new
/// id and today's dates; a `.json` with one gave "expected value".
#[test]
fn files_with_a_byte_order_mark_import_as_without_one() {
    let env = TestEnv::new();
    write(
        &env,
        "in/bom.md",
        format!("\u{feff}{}", NOTE_MD.replace("id: 1", "id: 7")),
    );
    let t = "2026-01-01T00:00:00Z";
    write(
        &env,
        "in/bom.json",
        format!(
            "\u{feff}{{\"id\": 8, \"title\": \"J\", \"created\": \"{t}\", \"updated\": \"{t}\"}}"
        ),
    );
    write(
        &env,
        "in/bom.jsonl",
        format!(
            "\u{feff}{{\"id\": 9, \"title\": \"L\", \"created\": \"{t}\", \"updated\": \"{t}\"}}\n"
        ),
    );
    write(
        &env,
        "in/bom.csv",
        format!("\u{feff}id,title,tags,created,updated,body\r\n10,C,,{t},{t},b\r\n"),
    );
    env.cmd()
        .args(["import", "in", "--keep-ids"])
        .assert()
        .success()
        .stdout(predicate::str::contains("imported 4 files: 4 added"));
    let out = env.cmd().args(["show", "7", "--json"]).output().unwrap();
    let note: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (note["title"].as_str(), note["body"].as_str()),
        (Some("Fine"), Some("body\n"))
    );
    assert_eq!(note["created"], t);
}

/// Issue 10, item 4: values the notebook cannot give back are refused by file, line, field and
/// the allowed range (the id used to break every later `add`; the timestamp used to be stored
/// and exported as year 10000, which no import reads; the leap second became the next day).
#[test]
fn out_of_range_values_are_refused_by_line_and_field() {
    let env = TestEnv::seeded(1);
    let note = |id: &str, created: &str, updated: &str| {
        format!(
            "---\nid: {id}\ntitle: x\ntags: []\ncreated: {created}\nupdated: {updated}\n---\nbody\n"
        )
    };
    let t = "2026-01-01T00:00:00Z";
    write(&env, "id.md", note("9223372036854775807", t, t));
    write(
        &env,
        "far.md",
        note("5", t, "9999-12-31T23:59:59.999999-23:59"),
    );
    write(&env, "leap.md", note("6", "2016-12-31T23:59:60Z", t));
    write(&env, "zone.md", note("7", "yesterday", t));
    refused(
        &env,
        &["id.md", "--keep-ids"],
        &[
            "id.md:2: front matter: id: 9223372036854775807 is out of range: ids are 1 to 9007199254740991",
        ],
    );
    refused(
        &env,
        &["far.md", "--keep-ids"],
        &[
            "far.md:6: front matter: updated: \"9999-12-31T23:59:59.999999-23:59\" is out of range",
            "9999-12-31T23:59:59.999999Z",
        ],
    );
    refused(
        &env,
        &["leap.md", "--keep-ids"],
        &["leap.md:5: front matter: created: \"2016-12-31T23:59:60Z\" is a leap second"],
    );
    refused(
        &env,
        &["zone.md", "--strict"],
        &["zone.md:5: front matter: created: \"yesterday\""],
    );
    // And a later `add` still works.
    env.cmd().args(["add", "-t", "after"]).assert().success();
}

/// Two imports of one backup started together, while a third process holds the notebook's
/// write lock: each waits for the lock, and the second to get it finds the notes the first
/// added (it added them all again: the notes it matches by content were read before it
/// waited).
#[test]
fn two_imports_of_one_backup_at_once_add_its_notes_once() {
    let env = TestEnv::seeded(300);
    env.export_json("backup", &["-f", "json"]);
    let db = env.path("copy.db");
    env.cmd()
        .arg("--db")
        .arg(&db)
        .args(["add", "--title", "first", "--body", "x"])
        .assert()
        .success();
    let holder = rusqlite::Connection::open(&db).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let start = || {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("smartnotes"))
            .current_dir(env.root())
            .env("SMARTNOTES_BUSY_TIMEOUT_MS", "60000")
            .arg("--db")
            .arg(&db)
            .args(["import", "-q", "backup/json"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    let (mut a, mut b) = (start(), start());
    // Both are waiting for the lock by now, whatever they read before.
    std::thread::sleep(std::time::Duration::from_millis(500));
    holder.execute_batch("COMMIT").unwrap();
    assert!(a.wait().unwrap().success());
    assert!(b.wait().unwrap().success());
    let count = env
        .cmd()
        .arg("--db")
        .arg(&db)
        .args(["list", "--count"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&count.stdout).trim(), "301");
}
