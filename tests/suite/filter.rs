//! The shared filter (`--tag`, `--any-tag`, `--not-tag`, `--since`, `--until`, `--search`,
//! `--sort`, `--limit`): `list`, `list --count` and `export` select exactly the same notes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::common::{TestEnv, id_of_file, tree};
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

fn has_tag(note: &Value, tag: &str) -> bool {
    note["tags"].as_array().unwrap().iter().any(|t| t == tag)
}

#[test]
fn count_matches_the_listed_notes_for_every_filter() {
    let env = TestEnv::seeded(300);
    let all = list_json(&env, &[]);
    assert_eq!(all.len(), 300);
    assert_eq!(env.count(&[]), 300);
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
        assert_eq!(env.count(&filter), expected.len() as u64, "{filter:?}");
    }
    assert_eq!(env.count(&["--tag", "work", "--limit", "3"]), 3);
    assert_eq!(env.count(&["--limit", "0"]), 0);
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
        assert_eq!(env.count(&["--since", since, "--by", "created"]), 1);
    }
    assert_eq!(env.count(&["--until", "7d"]), 100);
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
    assert_eq!(env.count(&["--search", "\"no such phrase anywhere\""]), 0);
    assert_eq!(
        list_json(&env, &["--tag", "no-such-tag"]),
        Vec::<Value>::new()
    );
}

#[test]
fn a_bad_date_or_search_is_a_usage_error_that_says_why() {
    let env = TestEnv::seeded(5);
    for (args, message) in [
        (vec!["list", "--since", "next blursday"], "is not a date"),
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
