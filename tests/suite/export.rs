//! `smartnotes export` end to end: the embedded default, strategies, layouts, failures.

use crate::common::{TestEnv, tree};
use predicates::prelude::*;

#[test]
fn first_run_exports_the_sample_notebook_and_says_so() {
    let env = TestEnv::first_run();
    env.cmd()
        .args(["export", "--out", "out"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "built-in sample notebook (10 notes)",
        ))
        .stdout(predicate::str::contains("files written: 30"));
    let files = tree(&env.path("out"));
    assert_eq!(files.len(), 30);
    for dir in ["md", "json", "csv"] {
        assert_eq!(
            files.keys().filter(|p| p.starts_with(dir)).count(),
            10,
            "{dir}"
        );
    }
    assert!(
        !env.db().exists(),
        "exporting the sample must not create a notebook"
    );
}

#[test]
fn json_summary_has_the_documented_keys() {
    let env = TestEnv::first_run();
    let summary = env.export_json("out", &["--strategy", "pool"]);
    for key in [
        "files",
        "bytes",
        "failed",
        "wall_s",
        "strategy",
        "planned_jobs",
        "concurrency",
        "retries_done",
        "interrupted",
        "stopped_early",
        "failures",
    ] {
        assert!(summary.get(key).is_some(), "missing {key} in {summary}");
    }
    assert_eq!(summary["strategy"], "pool");
    assert_eq!(summary["planned_jobs"], 30);
    // The keys of earlier versions, kept as documented aliases.
    for (alias, key) in [
        ("jobs", "planned_jobs"),
        ("retries", "retries_done"),
        ("cancelled", "interrupted"),
    ] {
        assert_eq!(summary[alias], summary[key], "{alias} in {summary}");
    }
    assert!(summary["bytes"].as_u64().unwrap() > 1000);
}

#[test]
fn a_job_that_cannot_be_written_fails_alone() {
    // The sample's notes in a notebook: the second export goes over the first one.
    let env = TestEnv::with_sample_notebook();
    // A folder where note 3's JSON file must go: that one job cannot be published.
    let blocked = env.path("out/json/3-race-conditions-counter-1.json");
    std::fs::create_dir_all(&blocked).unwrap();
    let out = env.cmd().args(["export", "--out", "out"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("files written: 29"), "{stdout}");
    assert!(stdout.contains("FAILED note 3 [json]"), "{stdout}");
    assert!(
        stdout.contains("3-race-conditions-counter-1.json"),
        "{stdout}"
    );
    let files = tree(&env.path("out"));
    assert_eq!(files.len(), 29);
    assert!(blocked.is_dir(), "the folder in the way is left alone");
    let summary = env.export_json("out", &[]);
    let written: usize = tree(&env.path("out")).values().map(Vec::len).sum();
    assert_eq!(
        summary["bytes"], written as u64,
        "bytes count only published files"
    );
    assert_eq!(summary["failures"][0]["note_id"], 3);
    assert_eq!(summary["failures"][0]["format"], "json");
}

#[test]
fn injected_faults_fail_the_same_jobs_under_every_strategy() {
    let env = TestEnv::seeded(200);
    let mut failed_paths = Vec::new();
    for strategy in ["sequential", "pool", "async"] {
        let summary = env.export_json(
            &format!("out-{strategy}"),
            &[
                "--strategy",
                strategy,
                "--fail-rate",
                "0.1",
                "--fail-seed",
                "3",
            ],
        );
        let failed = summary["failed"].as_u64().unwrap();
        assert_eq!(summary["files"].as_u64().unwrap() + failed, 600);
        assert!(failed > 20 && failed < 100, "{failed}");
        let paths: Vec<String> = summary["failures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["path"].to_string())
            .collect();
        failed_paths.push(paths);
    }
    assert_eq!(failed_paths[0], failed_paths[1]);
    assert_eq!(failed_paths[0], failed_paths[2]);
}

#[test]
fn re_exporting_replaces_files_in_place() {
    let env = TestEnv::seeded(20);
    env.export_json("out", &[]);
    let before = tree(&env.path("out"));
    let summary = env.export_json("out", &["--strategy", "threads"]);
    assert_eq!(summary["files"], 60);
    assert_eq!(
        tree(&env.path("out")),
        before,
        "same names, same bytes, no copies"
    );
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
fn bundle_layout_writes_one_file_per_format() {
    let env = TestEnv::seeded(50);
    let summary = env.export_json(
        "out",
        &["--layout", "bundle", "--format", "md,json,jsonl,csv"],
    );
    assert_eq!(summary["files"], 4);
    let files = tree(&env.path("out"));
    let names: Vec<String> = files.keys().map(|p| p.display().to_string()).collect();
    assert_eq!(
        names,
        ["notes.csv", "notes.json", "notes.jsonl", "notes.md"]
    );
    let notes: Vec<serde_json::Value> =
        serde_json::from_slice(&files[std::path::Path::new("notes.json")]).unwrap();
    assert_eq!(notes.len(), 50);
    let jsonl = String::from_utf8(files[std::path::Path::new("notes.jsonl")].clone()).unwrap();
    assert_eq!(jsonl.lines().count(), 50);
}

#[test]
fn thread_per_job_refuses_what_the_machine_cannot_hold() {
    let env = TestEnv::new();
    env.cmd()
        .args(["seed", "--count", "20000"])
        .assert()
        .success();
    env.cmd()
        .args(["export", "--out", "out", "--strategy", "threads"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("threads strategy refuses"))
        .stderr(predicate::str::contains("use --strategy pool or async"));
    assert!(!env.path("out/md").exists(), "nothing written");
}

#[test]
fn a_bad_latency_is_a_clear_usage_error() {
    TestEnv::new()
        .cmd()
        .args(["export", "--latency", "soon"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("100ms"));
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
