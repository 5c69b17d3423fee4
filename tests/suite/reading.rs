//! Issue 10, items 3 and 6 (engine side): an export reads the notebook at one moment (one
//! snapshot for the count and every note, whatever another process writes meanwhile), and a
//! damaged row fails only that note's jobs, named by its id; everything else is exported.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{TestEnv, assert_books_balance, published, staging_leftovers};
use serde_json::Value;

fn sql(env: &TestEnv, statement: &str) {
    let db = rusqlite::Connection::open(env.db()).unwrap();
    db.execute_batch(statement).unwrap();
}

/// Note 5 with a timestamp no Timestamp holds, note 9 with a title that is not UTF-8.
fn damage(env: &TestEnv) {
    sql(
        env,
        "UPDATE notes SET created = 9223372036854775807 WHERE id = 5;
         UPDATE notes SET title = CAST(X'41FF42' AS TEXT) WHERE id = 9;",
    );
}

fn export(env: &TestEnv, out: &str, args: &[&str]) -> (Option<i32>, Value) {
    let out = env
        .cmd()
        .args(["export", "--json", "--out", out])
        .args(args)
        .output()
        .unwrap();
    let summary = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
    });
    (out.status.code(), summary)
}

fn failed_notes(summary: &Value) -> Vec<(i64, String)> {
    let mut failed: Vec<(i64, String)> = summary["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            assert_eq!(f["kind"], "invalid_data", "{f}");
            let error = f["error"].as_str().unwrap();
            let id = f["note_id"].as_i64().unwrap();
            assert!(error.contains(&format!("note {id} ")), "{f}");
            (id, f["format"].as_str().unwrap().to_owned())
        })
        .collect();
    failed.sort();
    failed
}

#[test]
fn a_damaged_note_fails_alone_and_every_other_note_is_exported() {
    // The reproduction: one row with a non-UTF-8 title made `export` write nothing, with an
    // error that named no note.
    let env = TestEnv::seeded(30);
    env.export_json("clean", &[]);
    damage(&env);
    for strategy in ["sequential", "threads", "pool", "async"] {
        let out = format!("out-{strategy}");
        let (code, summary) = export(&env, &out, &["-s", strategy]);
        assert_eq!(code, Some(1), "{strategy}: {summary}");
        assert_eq!(
            assert_books_balance(&summary),
            (84, 6),
            "{strategy}: {summary}"
        );
        let mut want = Vec::new();
        for id in [5, 9] {
            for format in ["csv", "json", "md"] {
                want.push((id, format.to_owned()));
            }
        }
        assert_eq!(failed_notes(&summary), want, "{strategy}");
        // Every other note's files are the clean export's, byte for byte.
        let clean = published(&env.path("clean"));
        let got = published(&env.path(&out));
        assert_eq!(got.len(), 84);
        for (path, bytes) in &got {
            assert!(
                clean.get(path) == Some(bytes),
                "{strategy}: {}",
                path.display()
            );
        }
        assert!(staging_leftovers(&env.path(&out)).is_empty());
    }
}

#[test]
fn a_damaged_note_is_left_out_of_the_bundles_and_named() {
    let env = TestEnv::seeded(30);
    damage(&env);
    for strategy in ["sequential", "pool"] {
        let out = format!("bundle-{strategy}");
        let args = [
            "--layout",
            "bundle",
            "-f",
            "md,json,jsonl,csv",
            "-s",
            strategy,
        ];
        let (code, summary) = export(&env, &out, &args);
        assert_eq!(code, Some(1), "{summary}");
        assert_eq!(summary["files"], 4, "{summary}");
        let failed = failed_notes(&summary);
        assert_eq!(failed.len(), 8, "{summary}");
        assert!(failed.iter().all(|(id, _)| *id == 5 || *id == 9));
        let json: Vec<Value> =
            serde_json::from_slice(&std::fs::read(env.path(&out).join("notes.json")).unwrap())
                .unwrap();
        let ids: Vec<i64> = json.iter().map(|n| n["id"].as_i64().unwrap()).collect();
        let want: Vec<i64> = (1..=30).filter(|id| *id != 5 && *id != 9).collect();
        assert_eq!(ids, want, "{strategy}");
    }
}

#[test]
fn prune_keeps_the_old_file_of_a_damaged_note() {
    let env = TestEnv::seeded(30);
    env.export_json("out", &["--incremental"]);
    let before = published(&env.path("out"));
    damage(&env);
    let (code, summary) = export(&env, "out", &["--incremental", "--prune"]);
    assert_eq!(code, Some(1), "{summary}");
    assert_eq!(summary["removed"], 0, "{summary}");
    assert_eq!(summary["unchanged"], 84, "{summary}");
    assert!(
        published(&env.path("out")) == before,
        "nothing pruned or changed"
    );
}

#[test]
fn an_export_sees_the_notebook_at_one_moment() {
    // The reproduction: the count and each page of 512 notes were separate reads, so a
    // transaction that changed notes 3 and 1050 during an export gave the old note 3 and the
    // new note 1050, and a note renamed meanwhile was written under both names.
    let env = TestEnv::seeded(1200);
    let child = Command::new(assert_cmd::cargo::cargo_bin("smartnotes"))
        .current_dir(env.root())
        .env("SMARTNOTES_DB", env.db())
        .args(["export", "--json", "--out", "out", "-f", "md"])
        .args(["--latency", "2ms", "--strategy", "pool", "--jobs", "4"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while staging_leftovers(&env.path("out")).is_empty() {
        assert!(Instant::now() < deadline, "the export never started");
        std::thread::sleep(Duration::from_millis(5));
    }
    // The export is reading its first pages: one transaction changes an early and a late
    // note, renames another, adds one and deletes one.
    sql(
        &env,
        "BEGIN;
         UPDATE notes SET body = 'edited during the export' WHERE id IN (3, 1050);
         UPDATE notes SET title = 'Renamed during the export' WHERE id = 1100;
         INSERT INTO notes (title, body, created, updated) VALUES ('Added', 'x', 0, 0);
         DELETE FROM notes WHERE id = 1199;
         COMMIT;",
    );
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    let files = published(&env.path("out"));
    assert_eq!(files.len(), 1200, "one file per note of one moment");
    let body_of = |id: i64| -> String {
        let (_, bytes) = files
            .iter()
            .find(|(p, _)| {
                let name = p.file_name().unwrap().to_str().unwrap();
                name.starts_with(&format!("{id}-"))
            })
            .unwrap_or_else(|| panic!("no file for note {id}"));
        String::from_utf8(bytes.clone()).unwrap()
    };
    // Note 3 was read before the change: so was note 1050, though read long after it.
    assert!(!body_of(3).contains("edited during the export"));
    assert!(!body_of(1050).contains("edited during the export"));
    assert!(!body_of(1100).contains("Renamed during the export"));
    body_of(1199);
    assert_eq!(assert_books_balance(&summary), (1200, 0), "{summary}");
}
