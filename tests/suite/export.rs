//! `smartnotes export` end to end: the JSON summary, a job that fails alone, re-exporting in
//! place, the bundle layout.

use crate::common::{TestEnv, tree};

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
    let written: usize = tree(&env.path("out")).values().map(Vec::len).sum();
    assert_eq!(summary["bytes"], written as u64, "{summary}");
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
