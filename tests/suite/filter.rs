//! The shared filter, the error policy, dry runs and deterministic output, end to end through
//! the `smartnotes` binary.
// Helpers outside #[test] functions unwrap too: a failure there is a failed test.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::common::{TestEnv, tree};
use predicates::prelude::*;
use serde_json::Value;

/// The notes `list --json <filter>` prints.
fn list_json(env: &TestEnv, filter: &[&str]) -> Vec<Value> {
    let out = env
        .cmd()
        .args(["list", "--json"])
        .args(filter)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "list {filter:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<Vec<Value>>(&out.stdout).unwrap()
}

fn ids_of(notes: &[Value]) -> Vec<i64> {
    notes.iter().map(|n| n["id"].as_i64().unwrap()).collect()
}

/// What `list --count <filter>` prints.
fn count(env: &TestEnv, filter: &[&str]) -> u64 {
    let out = env
        .cmd()
        .args(["list", "--count"])
        .args(filter)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

fn has_tag(note: &Value, tag: &str) -> bool {
    note["tags"].as_array().unwrap().iter().any(|t| t == tag)
}

/// The note id at the start of an exported file name.
fn id_of_file(path: &Path) -> i64 {
    let name = path.file_name().unwrap().to_str().unwrap();
    name.split('-').next().unwrap().parse().unwrap()
}

#[test]
fn count_matches_the_listed_notes_for_every_filter() {
    let env = TestEnv::seeded(300);
    let all = list_json(&env, &[]);
    assert_eq!(all.len(), 300);
    assert_eq!(count(&env, &[]), 300);
    let expect = |keep: &dyn Fn(&Value) -> bool| -> Vec<i64> {
        all.iter()
            .filter(|n| keep(n))
            .map(|n| n["id"].as_i64().unwrap())
            .collect()
    };
    let day = |n: &Value, field: &str| n[field].as_str().unwrap()[..10].to_owned();
    let cases: Vec<(Vec<&str>, Vec<i64>)> = vec![
        (vec!["--tag", "work"], expect(&|n| has_tag(n, "work"))),
        (
            vec!["--tag", "work", "--tag", "rust"],
            expect(&|n| has_tag(n, "work") && has_tag(n, "rust")),
        ),
        (
            vec!["--any-tag", "travel", "--any-tag", "日本語"],
            expect(&|n| has_tag(n, "travel") || has_tag(n, "日本語")),
        ),
        (
            vec!["--not-tag", "work", "--not-tag", "personal"],
            expect(&|n| !has_tag(n, "work") && !has_tag(n, "personal")),
        ),
        (
            vec![
                "--since",
                "2025-01-01",
                "--until",
                "2025-06-30",
                "--by",
                "created",
            ],
            expect(&|n| ("2025-01-01".."2025-07-01").contains(&day(n, "created").as_str())),
        ),
        (
            vec!["--until", "2024-03-31"],
            expect(&|n| day(n, "updated").as_str() <= "2024-03-31"),
        ),
        (
            // "budget" is one of the seeder's words and appears in no other word.
            vec!["--search", "budget"],
            expect(&|n| {
                n["body"].as_str().unwrap().contains("budget")
                    || n["title"].as_str().unwrap().contains("budget")
            }),
        ),
        (
            vec!["--tag", "café", "--search", "budget", "--not-tag", "rust"],
            expect(&|n| {
                has_tag(n, "café")
                    && !has_tag(n, "rust")
                    && n["body"].as_str().unwrap().contains("budget")
            }),
        ),
        (vec!["--tag", "no-such-tag"], vec![]),
    ];
    for (filter, expected) in cases {
        assert!(
            expected.len() < 300,
            "{filter:?} filters nothing out: a weak case"
        );
        assert_eq!(ids_of(&list_json(&env, &filter)), expected, "{filter:?}");
        assert_eq!(count(&env, &filter), expected.len() as u64, "{filter:?}");
    }
    assert_eq!(count(&env, &["--tag", "work", "--limit", "3"]), 3);
    assert_eq!(count(&env, &["--limit", "0"]), 0);
}

#[test]
fn sort_reverse_and_limit_on_the_command_line() {
    let env = TestEnv::seeded(100);
    let notes = list_json(&env, &["--sort", "updated", "--reverse", "--limit", "10"]);
    assert_eq!(notes.len(), 10);
    let all = list_json(&env, &[]);
    let mut newest: Vec<(String, i64)> = all
        .iter()
        .map(|n| {
            (
                n["updated"].as_str().unwrap().to_owned(),
                n["id"].as_i64().unwrap(),
            )
        })
        .collect();
    newest.sort();
    newest.reverse();
    let expected: Vec<i64> = newest.iter().take(10).map(|(_, id)| *id).collect();
    assert_eq!(ids_of(&notes), expected);
    let by_title = list_json(&env, &["--sort", "title"]);
    let titles: Vec<String> = by_title
        .iter()
        .map(|n| n["title"].as_str().unwrap().to_ascii_lowercase())
        .collect();
    assert!(titles.windows(2).all(|w| w[0] <= w[1]), "{titles:?}");
}

#[test]
fn export_with_a_filter_writes_exactly_the_listed_notes() {
    let env = TestEnv::seeded(200);
    let filter = [
        "--any-tag",
        "rust",
        "--any-tag",
        "ideas",
        "--not-tag",
        "work",
    ];
    let listed: BTreeSet<i64> = ids_of(&list_json(&env, &filter)).into_iter().collect();
    assert!(!listed.is_empty() && listed.len() < 200);
    let summary = env.export_json("out", &filter);
    assert_eq!(summary["notes"], listed.len() as u64);
    let files = tree(&env.path("out"));
    assert_eq!(files.len(), listed.len() * 3);
    for dir in ["md", "json", "csv"] {
        let exported: BTreeSet<i64> = files
            .keys()
            .filter(|p| p.starts_with(dir))
            .map(|p| id_of_file(p))
            .collect();
        assert_eq!(exported, listed, "{dir}");
    }
}

#[test]
fn relative_dates_find_only_recent_notes() {
    // The seeder dates notes from 2024 to early 2026; a note added now is the only recent one.
    let env = TestEnv::seeded(100);
    env.cmd()
        .args([
            "add",
            "--title",
            "Fresh today",
            "--body",
            "new",
            "--tag",
            "x",
        ])
        .assert()
        .success();
    for since in ["7d", "2w", "12h"] {
        let notes = list_json(&env, &["--since", since]);
        assert_eq!(ids_of(&notes), [101], "--since {since}");
        assert_eq!(count(&env, &["--since", since, "--by", "created"]), 1);
    }
    assert_eq!(count(&env, &["--until", "7d"]), 100);
    let summary = env.export_json("out", &["--since", "7d"]);
    assert_eq!(summary["files"], 3);
    let files = tree(&env.path("out"));
    assert!(
        files.contains_key(Path::new("md/101-fresh-today.md")),
        "{:?}",
        files.keys()
    );
}

#[test]
fn an_empty_result_exports_nothing_and_succeeds() {
    let env = TestEnv::seeded(20);
    env.cmd()
        .args(["export", "--out", "out", "--tag", "no-such-tag"])
        .assert()
        .success()
        .stdout(predicate::str::contains("exported 0 notes"));
    let out = env.path("out");
    let files = if out.exists() {
        tree(&out)
    } else {
        BTreeMap::new()
    };
    assert!(files.is_empty(), "{:?}", files.keys());
    assert_eq!(count(&env, &["--search", "\"no such phrase anywhere\""]), 0);
    assert_eq!(
        list_json(&env, &["--tag", "no-such-tag"]),
        Vec::<Value>::new()
    );
}

#[test]
fn a_bad_date_or_search_is_a_usage_error_that_says_why() {
    let env = TestEnv::seeded(5);
    for (args, message) in [
        (vec!["list", "--since", "yesterday"], "is not a date"),
        (vec!["list", "--until", "2026-13-45"], "is not a date"),
        (vec!["export", "--since=-3d"], "is not a date"),
        (
            vec!["list", "--search", "\"open phrase"],
            "unterminated quote",
        ),
        (vec!["export", "--search", "   "], "search text is empty"),
    ] {
        env.cmd()
            .args(&args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(message));
    }
    assert!(!env.path("smartnotes-export").exists());
}

/// Runs an export with injected faults and returns (exit code, JSON summary).
fn faulty_export(env: &TestEnv, out: &str, args: &[&str]) -> (i32, Value) {
    let output = env
        .cmd()
        .args(["export", "--json", "--out", out])
        .args(["--fail-rate", "0.3", "--fail-seed", "11"])
        .args(args)
        .output()
        .unwrap();
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&output.stderr));
    });
    (output.status.code().unwrap(), summary)
}

#[test]
fn continue_runs_every_job_and_lists_every_failure() {
    let env = TestEnv::seeded(100);
    let (code, summary) = faulty_export(
        &env,
        "out",
        &["--on-error", "continue", "--errors-json", "errors.json"],
    );
    assert_eq!(code, 1);
    let files = summary["files"].as_u64().unwrap();
    let failed = summary["failed"].as_u64().unwrap();
    assert_eq!(summary["planned_jobs"], 300);
    assert_eq!(files + failed, 300, "{summary}");
    assert!(failed > 30, "0.3 of 300 jobs should fail, {failed} did");
    assert_eq!(summary["stopped_early"], false);
    assert_eq!(tree(&env.path("out")).len() as u64, files);

    let errors: Vec<Value> =
        serde_json::from_slice(&std::fs::read(env.path("errors.json")).unwrap()).unwrap();
    assert_eq!(errors.len() as u64, failed);
    assert_eq!(&Value::Array(errors.clone()), &summary["failures"]);
    for error in &errors {
        let note_id = error["note_id"].as_i64().unwrap();
        let format = error["format"].as_str().unwrap();
        let path = PathBuf::from(error["path"].as_str().unwrap());
        assert!(path.starts_with(format), "{error}");
        assert_eq!(id_of_file(&path), note_id);
        assert!(
            error["error"].as_str().unwrap().contains("injected fault"),
            "{error}"
        );
        assert!(
            !env.path("out").join(&path).exists(),
            "{path:?} was written"
        );
    }

    // The human summary lists them too.
    let output = env
        .cmd()
        .args([
            "export",
            "--out",
            "out2",
            "--fail-rate",
            "0.3",
            "--fail-seed",
            "11",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(stdout.matches("FAILED note").count() as u64, failed);
}

#[test]
fn fail_fast_stops_at_the_first_failure() {
    let env = TestEnv::seeded(100);
    let (code, summary) = faulty_export(
        &env,
        "out",
        &[
            "--on-error",
            "fail-fast",
            "--strategy",
            "sequential",
            "--errors-json",
            "errors.json",
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(summary["failed"], 1, "{summary}");
    let files = summary["files"].as_u64().unwrap();
    let skipped = 300 - files - 1;
    assert!(skipped > 0, "{summary}");
    assert_eq!(summary["stopped_early"], true);
    assert_eq!(tree(&env.path("out")).len() as u64, files);
    let errors: Vec<Value> =
        serde_json::from_slice(&std::fs::read(env.path("errors.json")).unwrap()).unwrap();
    assert_eq!(errors.len(), 1);

    // The same failure ends the sequential run under continue, which goes on past it.
    let (code, all) = faulty_export(&env, "out-continue", &["--strategy", "sequential"]);
    assert_eq!(code, 1);
    assert_eq!(all["failures"][0], errors[0], "the first failure in order");
    assert!(all["files"].as_u64().unwrap() > files);

    // Concurrent strategies stop too: jobs in flight may add failures, but not every job runs.
    for strategy in ["pool", "async"] {
        let (code, s) = faulty_export(
            &env,
            &format!("out-{strategy}"),
            &[
                "--on-error",
                "fail-fast",
                "--strategy",
                strategy,
                "--jobs",
                "2",
            ],
        );
        assert_eq!(code, 1);
        let done = s["files"].as_u64().unwrap() + s["failed"].as_u64().unwrap();
        assert!(s["failed"].as_u64().unwrap() >= 1);
        assert!(done < 300, "{strategy}: {s}");
        assert_eq!(s["stopped_early"], true);
    }

    // The human summary says it stopped.
    env.cmd()
        .args(["export", "--out", "out-text", "--on-error", "fail-fast"])
        .args([
            "--strategy",
            "sequential",
            "--fail-rate",
            "0.3",
            "--fail-seed",
            "11",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("stopped at a failure"))
        .stdout(predicate::str::contains("FAILED note"));
}

#[test]
fn without_failures_errors_json_is_an_empty_array() {
    let env = TestEnv::seeded(5);
    env.cmd()
        .args(["export", "--out", "out", "--errors-json", "errors.json"])
        .assert()
        .success();
    let errors: Value =
        serde_json::from_slice(&std::fs::read(env.path("errors.json")).unwrap()).unwrap();
    assert_eq!(errors, Value::Array(vec![]));
}

#[test]
fn a_dry_run_writes_nothing_and_plans_exactly_what_an_export_writes() {
    let env = TestEnv::seeded(40);
    let before = tree(env.root());
    let output = env
        .cmd()
        .args([
            "export",
            "--out",
            "out/deeper",
            "--dry-run",
            "--tag",
            "work",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(!env.path("out").exists(), "the out folder was created");
    assert_eq!(tree(env.root()), before, "the notebook changed");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("dry run, nothing written"), "{stdout}");
    let planned: BTreeSet<PathBuf> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("would write "))
        .map(|l| PathBuf::from(&l[..l.rfind(" (").unwrap()]))
        .collect();

    let plan = env.export_json("out/deeper", &["--dry-run", "--tag", "work"]);
    assert!(!env.path("out").exists(), "the out folder was created");
    assert_eq!(plan["dry_run"], true);
    let sizes: BTreeMap<PathBuf, u64> = plan["planned"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                PathBuf::from(f["path"].as_str().unwrap()),
                f["bytes"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(!sizes.is_empty());
    assert_eq!(plan["files"], sizes.len() as u64);

    let real = env.export_json("out/deeper", &["--tag", "work"]);
    assert_eq!(real["files"], plan["files"]);
    assert_eq!(real["bytes"], plan["bytes"]);
    let written = tree(&env.path("out/deeper"));
    let written_paths: BTreeSet<PathBuf> = written
        .keys()
        .map(|p| Path::new("out/deeper").join(p))
        .collect();
    assert_eq!(planned, written_paths, "printed paths");
    let written_sizes: BTreeMap<PathBuf, u64> = written
        .iter()
        .map(|(p, bytes)| (p.clone(), bytes.len() as u64))
        .collect();
    assert_eq!(sizes, written_sizes, "planned sizes");
}

#[test]
fn a_dry_run_over_an_existing_export_leaves_it_alone() {
    let env = TestEnv::seeded(10);
    env.export_json("out", &[]);
    let before = tree(&env.path("out"));
    env.cmd()
        .args(["add", "--title", "Not yet exported", "--body", "b"])
        .assert()
        .success();
    let plan = env.export_json("out", &["--dry-run"]);
    assert_eq!(plan["files"], 33);
    assert_eq!(tree(&env.path("out")), before);
}

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
