//! The notebook is respected (issue 10, items 2, 4 and 6), as a user meets it on the command
//! line: a mistyped `--db` creates nothing, another program's SQLite file (or a file that is
//! not SQLite) is refused and left byte for byte as it was, a read-only notebook (file,
//! folder, file system) can be listed, shown and exported, every command waits for a lock the
//! same way, a damaged row costs only its note, and only ids and times that can come back go
//! in.
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use predicates::prelude::*;

use crate::common::{TestEnv, contents, smartnotes_without_override, stderr, stdout};

// ---- Item 2: only add, seed and import create a notebook ----

#[test]
fn reading_commands_with_a_mistyped_db_fail_naming_it_and_create_nothing() {
    let env = TestEnv::seeded(3);
    let typo = env.path("typo/sub/note.db");
    let before = contents(env.root());
    for args in [
        &["list"][..],
        &["list", "--count"],
        &["list", "--json"],
        &["show", "1"],
        &["rm", "1"],
    ] {
        let out = env
            .cmd()
            .arg("--db")
            .arg(&typo)
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(&format!("no notebook at {}", typo.display())),
            "{args:?}: {}",
            stderr(&out)
        );
        assert_eq!(contents(env.root()), before, "{args:?} created something");
    }
}

#[test]
fn add_and_seed_create_the_notebook_and_its_folder() {
    let env = TestEnv::new();
    let db = env.path("new/folder/notes.db");
    env.cmd()
        .arg("--db")
        .arg(&db)
        .args(["add", "-t", "first"])
        .assert()
        .success();
    let other = env.path("other/notes.db");
    env.cmd()
        .arg("--db")
        .arg(&other)
        .args(["seed", "--count", "3"])
        .assert()
        .success();
    for (db, count) in [(db, "1\n"), (other, "3\n")] {
        env.cmd()
            .arg("--db")
            .arg(&db)
            .args(["list", "--count"])
            .assert()
            .success()
            .stdout(count);
    }
}

// ---- Item 6: another program's SQLite file is refused by name and left byte-identical ----

/// A WAL-mode database of another program (Firefox's history has this table) at `path`.
fn foreign_database(path: &Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    let _: String = conn
        .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
        .unwrap();
    conn.execute_batch(
        "CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT);
         INSERT INTO moz_places (url) VALUES ('https://example.org');",
    )
    .unwrap();
}

const NOTE_JSON: &str = r#"{"id": 1, "title": "Fine", "tags": [], "created": "2026-01-01T00:00:00Z", "updated": "2026-01-01T00:00:00Z", "body": "body"}"#;

#[test]
fn another_programs_sqlite_file_is_refused_by_every_command_and_left_byte_identical() {
    let env = TestEnv::new();
    foreign_database(&env.db());
    std::fs::write(env.path("in.json"), NOTE_JSON).unwrap();
    let before = contents(env.root());
    for args in [
        &["list", "--count"][..],
        &["list"],
        &["show", "1"],
        &["rm", "1"],
        &["add", "-t", "x", "--body", "y"],
        &["seed", "--count", "2"],
        &["import", "in.json"],
        &["import", "--dry-run", "in.json"],
    ] {
        let out = env.cmd().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        let message = stderr(&out);
        assert!(
            message.contains(&format!(
                "{} is not a smartnotes notebook: it holds other tables (moz_places)",
                env.db().display()
            )),
            "{args:?}: {message}"
        );
        // The same bytes, and no -wal, -shm or -journal beside it.
        assert_eq!(contents(env.root()), before, "{args:?} touched it");
    }
}

#[test]
fn an_empty_file_is_refused_by_reading_commands_and_becomes_a_notebook_with_add() {
    let env = TestEnv::new();
    std::fs::write(env.db(), "").unwrap();
    let out = env.cmd().args(["list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is an empty file"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::metadata(env.db()).unwrap().len(), 0);
    env.cmd().args(["add", "-t", "first"]).assert().success();
    env.cmd()
        .args(["list", "--count"])
        .assert()
        .success()
        .stdout("1\n");
}

#[test]
fn a_file_that_is_not_a_notebook_is_named_in_the_error() {
    let env = TestEnv::new();
    std::fs::write(env.db(), vec![b'x'; 4096]).unwrap();
    env.cmd().args(["list"]).assert().code(1).stderr(
        predicate::str::contains("notes.db is not a smartnotes notebook")
            .and(predicate::str::contains("not a SQLite database")),
    );
}

// ---- Item 6: a read-only notebook can be listed, shown and exported ----

/// The smartnotes binary run so that file modes apply (see
/// [`smartnotes_without_override`]), in `env`'s folder, naming no notebook by environment.
fn without_override(env: &TestEnv) -> Command {
    let mut cmd = smartnotes_without_override();
    cmd.current_dir(env.root()).env_remove("SMARTNOTES_DB");
    cmd
}

fn run(mut cmd: Command, db: &Path, args: &[&str]) -> Output {
    let out = cmd
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .expect("run smartnotes (as root this needs setpriv from util-linux)");
    assert!(
        !stderr(&out).contains("setpriv:"),
        "setpriv could not drop the capabilities: {}",
        stderr(&out)
    );
    out
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Lists, shows and exports the read-only notebook `db` (5 seeded notes), checks that `add`
/// is refused as read-only, and that the notebook is byte for byte what it was.
fn assert_readable_not_writable(env: &TestEnv, db: &Path, out_dir: &Path) {
    let before = std::fs::read(db).unwrap();
    let list = run(without_override(env), db, &["list"]);
    assert!(list.status.success(), "list: {}", stderr(&list));
    assert_eq!(stdout(&list).lines().count(), 5, "{}", stdout(&list));
    let count = run(without_override(env), db, &["list", "--count"]);
    assert_eq!(stdout(&count), "5\n", "{}", stderr(&count));
    let show = run(without_override(env), db, &["show", "2"]);
    assert!(show.status.success(), "show: {}", stderr(&show));
    assert!(stdout(&show).contains("id: 2"), "{}", stdout(&show));
    let out = out_dir.to_str().unwrap();
    let export = run(
        without_override(env),
        db,
        &["export", "--out", out, "-q", "-f", "json"],
    );
    assert!(export.status.success(), "export: {}", stderr(&export));
    assert_eq!(std::fs::read_dir(out_dir.join("json")).unwrap().count(), 5);
    let add = run(without_override(env), db, &["add", "-t", "no"]);
    assert_eq!(add.status.code(), Some(1), "add: {}", stderr(&add));
    assert!(
        stderr(&add).contains("is read-only"),
        "add: {}",
        stderr(&add)
    );
    assert_eq!(std::fs::read(db).unwrap(), before, "the notebook changed");
}

/// A folder `name` in `env` holding a notebook of 5 notes, closed (no -wal or -shm left).
fn notebook_folder(env: &TestEnv, name: &str) -> PathBuf {
    let folder = env.path(name);
    let db = folder.join("notes.db");
    env.cmd()
        .arg("--db")
        .arg(&db)
        .args(["seed", "--count", "5"])
        .assert()
        .success();
    assert!(!folder.join("notes.db-wal").exists());
    folder
}

#[test]
fn a_read_only_notebook_file_can_be_listed_shown_and_exported() {
    let env = TestEnv::new();
    chmod(env.root(), 0o777);
    let folder = notebook_folder(&env, "nb");
    // The folder stays writable: SQLite may make the -shm file it needs to read.
    chmod(&folder, 0o777);
    chmod(&folder.join("notes.db"), 0o444);
    let out_dir = env.path("backup");
    assert_readable_not_writable(&env, &folder.join("notes.db"), &out_dir);
}

#[test]
fn a_notebook_in_a_read_only_folder_can_be_listed_shown_and_exported() {
    let env = TestEnv::new();
    chmod(env.root(), 0o777);
    let folder = notebook_folder(&env, "nb");
    // No -shm file can be made beside it: read as immutable, the main file alone.
    chmod(&folder.join("notes.db"), 0o444);
    chmod(&folder, 0o555);
    let out_dir = env.path("backup");
    assert_readable_not_writable(&env, &folder.join("notes.db"), &out_dir);
    let names: Vec<_> = std::fs::read_dir(&folder).unwrap().collect();
    assert_eq!(names.len(), 1, "{names:?}");
    chmod(&folder, 0o755);
}

#[test]
fn a_notebook_on_a_read_only_file_system_can_be_listed_shown_and_exported() {
    let env = TestEnv::new();
    let folder = notebook_folder(&env, "nb");
    let mount = env.path("mnt");
    std::fs::create_dir(&mount).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("smartnotes");
    // In a mount namespace of its own: a tmpfs holding a copy of the notebook, remounted
    // read-only (EROFS even for root), then the commands.
    let script = r#"
        set -e
        mount -t tmpfs smartnotes-test "$MNT"
        cp "$SRC/notes.db" "$MNT/notes.db"
        mount -o remount,ro "$MNT"
        "$BIN" --db "$MNT/notes.db" list --count
        "$BIN" --db "$MNT/notes.db" show 3 | grep -q 'id: 3'
        "$BIN" --db "$MNT/notes.db" export --out "$OUT" -q -f md
        if "$BIN" --db "$MNT/notes.db" add -t refused 2>"$OUT.add-error"; then exit 9; fi
        grep -q 'is read-only' "$OUT.add-error"
        ls "$MNT"
    "#;
    let out = Command::new("unshare")
        .args(["--mount", "--map-root-user", "sh", "-c", script])
        .env("MNT", &mount)
        .env("SRC", &folder)
        .env("BIN", &bin)
        .env("OUT", env.path("backup"))
        .output()
        .expect("unshare (util-linux) runs the read-only file system test");
    assert!(
        out.status.success(),
        "a read-only tmpfs could not be mounted, or a command failed on it: {}{}",
        stdout(&out),
        stderr(&out)
    );
    // The count, then `ls`: the notebook alone, no -wal or -shm could be made.
    assert_eq!(stdout(&out), "5\nnotes.db\n");
    assert_eq!(std::fs::read_dir(env.path("backup/md")).unwrap().count(), 5);
}

// ---- Item 6: every command waits the same busy timeout and reports a lock the same way ----

/// Takes the write lock of `db` as another process would; `ROLLBACK` on the connection
/// releases it.
fn lock(db: &Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    conn
}

/// Starts `smartnotes <args>` on `env`'s notebook with the default busy timeout.
fn spawn(env: &TestEnv, args: &[&str]) -> std::process::Child {
    Command::new(assert_cmd::cargo::cargo_bin("smartnotes"))
        .current_dir(env.root())
        .env("SMARTNOTES_DB", env.db())
        .env_remove("SMARTNOTES_BUSY_TIMEOUT_MS")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// The three writers start while another process holds the lock: none may finish while it
/// is held (each waits; the old `add` and `seed` failed at once with a raw "database is
/// locked"), and each succeeds once it is released, well within the busy timeout.
#[test]
fn add_seed_and_rm_wait_for_a_lock_released_within_the_busy_timeout() {
    let env = TestEnv::seeded(3);
    let held = lock(&env.db());
    let mut writers: Vec<_> = [
        &["add", "-t", "waited", "--body", "b"][..],
        &["seed", "--count", "2", "--yes"],
        &["rm", "1"],
    ]
    .into_iter()
    .map(|args| (args, spawn(&env, args)))
    .collect();
    std::thread::sleep(Duration::from_millis(700));
    for (args, child) in &mut writers {
        assert!(
            child.try_wait().unwrap().is_none(),
            "{args:?} ended while the notebook was locked"
        );
    }
    held.execute_batch("ROLLBACK").unwrap();
    for (args, child) in writers {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    }
    env.cmd()
        .args(["list", "--count"])
        .assert()
        .success()
        .stdout("5\n");
}

/// Four writers at once against a lock held until they have all given up: each waits the
/// default busy timeout (5 s: an exact lower bound of their run) and says so the same way.
#[test]
fn every_writing_command_reports_a_lock_held_too_long_the_same_way() {
    let env = TestEnv::seeded(3);
    std::fs::write(env.path("in.json"), NOTE_JSON).unwrap();
    let held = lock(&env.db());
    let started = std::time::Instant::now();
    let writers: Vec<_> = [
        &["add", "-t", "x", "--body", "y"][..],
        &["seed", "--count", "2", "--yes"],
        &["rm", "1"],
        &["import", "in.json"],
    ]
    .into_iter()
    .map(|args| (args, spawn(&env, args)))
    .collect();
    // Reading is not blocked by a writer (WAL).
    env.cmd()
        .args(["list", "--count"])
        .assert()
        .success()
        .stdout("3\n");
    for (args, child) in writers {
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(&format!(
                "the notebook {} is locked by another process (waited 5000 ms)",
                env.db().display()
            )),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    assert!(
        started.elapsed() >= Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    held.execute_batch("ROLLBACK").unwrap();
}

// ---- Item 6: a damaged row costs only its note ----

/// Note 5 gets a title that is not UTF-8, note 9 a time no note may carry, by raw SQL.
fn damage(db: &Path) {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute_batch(&format!(
        "UPDATE notes SET title = CAST(X'4F6BFF' AS TEXT) WHERE id = 5;
         UPDATE notes SET updated = {} WHERE id = 9;",
        i64::MAX
    ))
    .unwrap();
}

#[test]
fn list_shows_every_other_note_and_names_each_damaged_one() {
    let env = TestEnv::seeded(20);
    damage(&env.db());
    let out = env.cmd().args(["list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let listed = stdout(&out);
    let ids: Vec<&str> = listed
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(ids.len(), 18, "{listed}");
    assert!(!ids.contains(&"5") && !ids.contains(&"9"));
    let warnings = stderr(&out);
    assert!(
        warnings.contains("warning: note 5 is damaged and not listed: the title is not UTF-8"),
        "{warnings}"
    );
    assert!(
        warnings.contains("warning: note 9 is damaged and not listed: the updated time"),
        "{warnings}"
    );
    let json = env.cmd().args(["list", "--json"]).output().unwrap();
    assert_eq!(json.status.code(), Some(1));
    let notes: Vec<serde_json::Value> = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(notes.len(), 18);
    let show = env.cmd().args(["show", "5"]).output().unwrap();
    assert_eq!(show.status.code(), Some(1));
    assert!(
        stderr(&show).contains("note 5 in the notebook is damaged"),
        "{}",
        stderr(&show)
    );
    // A damaged note can be removed: that is how one gets rid of it.
    for id in ["5", "9"] {
        env.cmd().args(["rm", id]).assert().success();
    }
    env.cmd().args(["list"]).assert().success();
}

// ---- Item 4: only ids and times that can come back go in ----

fn note_json(id: &str, created: &str, tag: &str) -> String {
    format!(
        r#"{{"id": {id}, "title": "t", "tags": ["{tag}"], "created": "{created}", "updated": "2026-01-01T00:00:00Z", "body": ""}}"#
    )
}

#[test]
fn an_id_beyond_2_pow_53_is_refused_on_import_and_later_adds_still_work() {
    let env = TestEnv::seeded(2);
    std::fs::write(
        env.path("huge.json"),
        note_json("9223372036854775807", "2026-01-01T00:00:00Z", "a"),
    )
    .unwrap();
    let out = env
        .cmd()
        .args(["import", "--keep-ids", "huge.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out)
            .contains("huge.json:1: JSON: id: 9223372036854775807 is out of range: ids are 1 to 9007199254740991"),
        "{}",
        stderr(&out)
    );
    // Everything that adds notes still works (it failed with "database or disk is full").
    env.cmd().args(["add", "-t", "after"]).assert().success();
    env.cmd()
        .args(["seed", "--count", "2", "--yes"])
        .assert()
        .success();
    std::fs::write(env.path("no-id.md"), "a note without front matter\n").unwrap();
    env.cmd().args(["import", "no-id.md"]).assert().success();
    env.cmd()
        .args(["list", "--count"])
        .assert()
        .success()
        .stdout("6\n");
}

#[test]
fn a_time_outside_years_0001_to_9999_utc_is_refused_on_import_naming_the_field() {
    let env = TestEnv::seeded(2);
    let before = std::fs::read(env.db()).unwrap();
    // Year 9999 as written, 10000-01-01 in UTC: it was stored and exported as +10000-01-01,
    // which no import reads.
    std::fs::write(
        env.path("late.json"),
        note_json("7", "9999-12-31T23:59:59.999999-23:59", "a"),
    )
    .unwrap();
    let out = env
        .cmd()
        .args(["import", "--keep-ids", "late.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let message = stderr(&out);
    assert!(message.contains("late.json:1: JSON: created:"), "{message}");
    assert!(
        message.contains("0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z"),
        "{message}"
    );
    assert_eq!(std::fs::read(env.db()).unwrap(), before);
}

#[test]
fn a_leap_second_is_refused_on_import_with_a_message_that_says_so() {
    let env = TestEnv::seeded(2);
    std::fs::write(
        env.path("leap.json"),
        note_json("7", "2016-12-31T23:59:60Z", "a"),
    )
    .unwrap();
    let out = env
        .cmd()
        .args(["import", "--keep-ids", "leap.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("leap second"), "{}", stderr(&out));
    env.cmd()
        .args(["list", "--count"])
        .assert()
        .success()
        .stdout("2\n");
}

#[test]
fn a_huge_tag_is_quoted_short_in_the_error_not_echoed_whole() {
    let env = TestEnv::new();
    // An argument is at most 128 KiB on Linux; a file carries a 1 MB tag.
    let tag = format!("{}\u{1b}]0;pwned\u{7}", "t".repeat(100_000));
    let out = env
        .cmd()
        .args(["add", "-t", "x", "--tag", &tag])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).len() < 600,
        "{} bytes of error",
        stderr(&out).len()
    );
    assert!(stderr(&out).contains("bytes)"), "{}", stderr(&out));
    std::fs::write(
        env.path("big.json"),
        note_json("1", "2026-01-01T00:00:00Z", &"t".repeat(1 << 20)),
    )
    .unwrap();
    let out = env.cmd().args(["import", "big.json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).len() < 1000,
        "{} bytes of error",
        stderr(&out).len()
    );
    assert!(stderr(&out).contains("(1048576 bytes)"), "{}", stderr(&out));
}
