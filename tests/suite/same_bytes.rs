//! Golden-file tests, in the style of obsidian-export: a small hand-written notebook
//! (`tests/testdata/input/notes.json`, fixed ids and timestamps, one hard case per note) is
//! imported with `--keep-ids` and exported every way; every exported file must equal, byte for
//! byte, the file of the same path under `tests/testdata/expected/<case>/`, and no file may be
//! missing or extra. The cases: `files` (md, json, jsonl, csv, one file per note; checked for
//! every strategy), `bundle` (one file per format) and `csv-safe` (`--csv-safe` CSV files).
//!
//! A change in what smartnotes writes shows up here as a failure naming the file and its first
//! differing line. When the change is intended, regenerate the expected tree with
//!
//! ```text
//! SMARTNOTES_BLESS=1 cargo test --release --test golden
//! ```
//!
//! which writes `tests/testdata/expected/` instead of comparing (each case's folder is replaced
//! whole, so files no longer exported disappear), then review the change with `git diff`.
//! `.gitattributes` marks `tests/testdata/**` as `-text` so git keeps the CRLF lines and the
//! missing final newline some of these files hold.

// Helpers outside #[test] functions unwrap too: a failure there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::common::{TestEnv, tree};

const ALL: &str = "md,json,jsonl,csv";

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testdata")
}

fn blessing() -> bool {
    std::env::var_os("SMARTNOTES_BLESS").is_some_and(|v| v == "1")
}

/// A notebook holding the golden input, imported with its own ids.
fn golden_notebook() -> TestEnv {
    let env = TestEnv::new();
    env.cmd()
        .arg("--db")
        .arg(env.db())
        .arg("import")
        .arg(testdata().join("input/notes.json"))
        .arg("--keep-ids")
        .assert()
        .success();
    env
}

/// Runs `smartnotes export --out <out> <args>` and returns what it wrote.
fn export(env: &TestEnv, out: &str, args: &[&str]) -> BTreeMap<PathBuf, Vec<u8>> {
    env.cmd()
        .arg("--db")
        .arg(env.db())
        .args(["export", "-q", "--out", out])
        .args(args)
        .assert()
        .success();
    tree(&env.path(out))
}

/// Where two byte strings first differ, as a line number and both lines (debug-quoted, so a
/// `\r` or a missing final newline shows).
fn first_difference(got: &[u8], want: &[u8]) -> String {
    let lines = |b: &[u8]| -> Vec<String> {
        b.split_inclusive(|&c| c == b'\n')
            .map(|l| format!("{:?}", String::from_utf8_lossy(l)))
            .collect()
    };
    let (got, want) = (lines(got), lines(want));
    let none = "(end of file)".to_owned();
    for i in 0..got.len().max(want.len()) {
        let (g, w) = (got.get(i).unwrap_or(&none), want.get(i).unwrap_or(&none));
        if g != w {
            return format!(
                "first difference at line {}:\n  got:  {g}\n  want: {w}",
                i + 1
            );
        }
    }
    "no line differs".to_owned()
}

/// Compares `got` with the expected tree of `case`, or writes it there when blessing.
fn check(case: &str, what: &str, got: &BTreeMap<PathBuf, Vec<u8>>) {
    let dir = testdata().join("expected").join(case);
    assert!(!got.is_empty(), "{what}: the export wrote nothing");
    if blessing() {
        if dir.exists() {
            std::fs::remove_dir_all(&dir).unwrap();
        }
        for (path, bytes) in got {
            let file = dir.join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(&file, bytes).unwrap();
        }
        eprintln!("blessed {} ({} files)", dir.display(), got.len());
        return;
    }
    assert!(
        dir.is_dir(),
        "{} is missing: run SMARTNOTES_BLESS=1 cargo test --test golden",
        dir.display()
    );
    let want = tree(&dir);
    let mut problems = Vec::new();
    for path in want.keys().filter(|p| !got.contains_key(*p)) {
        problems.push(format!("missing: {}", path.display()));
    }
    for path in got.keys().filter(|p| !want.contains_key(*p)) {
        problems.push(format!("extra (not expected): {}", path.display()));
    }
    for (path, bytes) in got {
        if let Some(expected) = want.get(path)
            && expected != bytes
        {
            problems.push(format!(
                "differs: {} ({} bytes, want {}); {}",
                path.display(),
                bytes.len(),
                expected.len(),
                first_difference(bytes, expected)
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{what} does not match {}:\n{}\n(if the change is intended: SMARTNOTES_BLESS=1 cargo \
         test --test golden, then review git diff)",
        dir.display(),
        problems.join("\n")
    );
}

#[test]
fn files_layout_matches_expected_for_every_strategy() {
    let env = golden_notebook();
    let got = export(&env, "files", &["-f", ALL]);
    check("files", "the files layout", &got);
    if blessing() {
        return;
    }
    // A file's bytes depend on the note alone, never on how the jobs ran.
    for strategy in ["sequential", "threads", "pool", "async"] {
        let got = export(&env, strategy, &["-f", ALL, "--strategy", strategy]);
        check("files", &format!("the files layout ({strategy})"), &got);
    }
}

#[test]
fn bundle_layout_matches_expected() {
    let env = golden_notebook();
    let got = export(&env, "bundle", &["-f", ALL, "--layout", "bundle"]);
    check("bundle", "the bundle layout", &got);
}

#[test]
fn csv_safe_matches_expected() {
    let env = golden_notebook();
    let got = export(&env, "csv-safe", &["-f", "csv", "--csv-safe"]);
    check("csv-safe", "the --csv-safe CSV files", &got);
}

#[test]
fn first_difference_points_at_the_line() {
    let hint = first_difference(b"a\nb\r\nc", b"a\nb\nc");
    assert!(hint.contains("line 2"), "{hint}");
    assert!(hint.contains(r#""b\r\n""#), "{hint}");
    let hint = first_difference(b"a\n", b"a\nb\n");
    assert!(hint.contains("(end of file)"), "{hint}");
}
