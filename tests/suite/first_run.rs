//! The command line keeps the backup promise (issue 10): the sample notebook only on a first
//! run, `--errors-json` never replacing the notebook or an exported file, usage errors for
//! impossible numbers, a bench that removes only what it made, and text from the notebook
//! printed with its control characters escaped. Each test is a reproduction that failed
//! before the change.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::common::{TestEnv, tree};

/// Every file and folder under `dir` (links as links, not followed), with a file's bytes or a
/// link's target: two snapshots are equal only if nothing was added, removed or changed.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Option<Vec<u8>>> {
    fn walk(root: &Path, dir: &Path, all: &mut BTreeMap<PathBuf, Option<Vec<u8>>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(root).unwrap().to_path_buf();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.is_symlink() {
                let target = std::fs::read_link(&path).unwrap();
                all.insert(rel, Some(target.into_os_string().into_encoded_bytes()));
            } else if meta.is_dir() {
                all.insert(rel, None);
                walk(root, &path, all);
            } else {
                all.insert(rel, Some(std::fs::read(&path).unwrap()));
            }
        }
    }
    let mut all = BTreeMap::new();
    walk(dir, dir, &mut all);
    all
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

// ---- The sample notebook is for a first run only ----------------------------------------

/// The reproduction of issue 10 as a cron job would run it: the real notebook is
/// `real/notes.db`, the command says `real/note.db`. It used to export the sample over the
/// backup and prune 2,970 of its 3,001 files, exit 0.
#[test]
fn a_mistyped_db_in_a_cron_backup_leaves_the_backup_byte_identical_and_exits_1() {
    let env = TestEnv::new();
    env.cmd()
        .args(["--db", "real/notes.db", "seed", "-n", "40"])
        .assert()
        .success();
    env.cmd()
        .args(["--db", "real/notes.db", "export", "--out", "backup"])
        .args(["--incremental", "-q"])
        .assert()
        .success();
    let before = snapshot(&env.path("backup"));
    assert_eq!(tree(&env.path("backup/md")).len(), 40);

    let out = env
        .cmd()
        .args(["--db", "real/note.db", "export", "--out", "backup"])
        .args(["--incremental", "--prune", "-q"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no notebook at real/note.db"),
        "the message names the path: {}",
        stderr(&out)
    );
    assert!(out.stdout.is_empty());
    assert!(
        snapshot(&env.path("backup")) == before,
        "the backup must be left byte-identical"
    );
    assert!(
        !env.path("real/note.db").exists(),
        "the mistyped notebook is not created"
    );
}

#[test]
fn a_named_notebook_that_does_not_exist_is_an_error_even_into_a_fresh_folder() {
    // SMARTNOTES_DB names notes.db, which does not exist.
    let env = TestEnv::new();
    let out = env
        .cmd()
        .args(["export", "--out", "fresh"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("no notebook at {}", env.db().display())),
        "{}",
        stderr(&out)
    );
    assert!(!env.path("fresh").exists(), "nothing is created");
    assert!(!env.db().exists());
}

/// The README's first command, on a fresh machine: no --db, no SMARTNOTES_DB, no notebook.
#[test]
fn the_readme_first_command_exports_the_sample_notebook_on_a_fresh_machine() {
    let env = TestEnv::first_run();
    let out = env
        .cmd()
        .args(["export", "--out", "notes-export"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("built-in sample notebook (10 notes)"));
    assert_eq!(tree(&env.path("notes-export")).len(), 30);
    assert!(!env.db().exists(), "the sample creates no notebook");
}

#[test]
fn the_sample_is_never_exported_incrementally_or_with_prune() {
    let env = TestEnv::first_run();
    for extra in [&["--incremental"][..], &["--incremental", "--prune"]] {
        let out = env
            .cmd()
            .args(["export", "--out", "fresh"])
            .args(extra)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{extra:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains("no notebook at") && err.contains("--incremental"),
            "{err}"
        );
        assert!(!env.path("fresh").exists(), "{extra:?}: nothing is created");
    }
}

/// A folder that holds an earlier export (a manifest, a bundle, a format folder with a note's
/// file, a staging folder) never gets the sample, on a machine without a notebook.
#[test]
fn the_sample_never_lands_on_an_earlier_export() {
    let env = TestEnv::first_run();
    let earlier: [(&str, &[u8]); 5] = [
        ("out-manifest/.smartnotes-manifest.json", b"{}"),
        ("out-bundle/notes.json", b"[]"),
        ("out-files/md/17-groceries.md", b"# mine\n"),
        ("out-lesson/csv/note_3.csv", b"id\n"),
        ("out-staging/.smartnotes-staging-999/md/x", b""),
    ];
    for (path, bytes) in earlier {
        let path = env.path(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        let out_dir = env.root().join(
            path.strip_prefix(env.root())
                .unwrap()
                .components()
                .next()
                .unwrap(),
        );
        let before = snapshot(&out_dir);
        let out = env
            .cmd()
            .args(["export", "--out"])
            .arg(&out_dir)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", path.display());
        assert!(
            stderr(&out).contains("holds an earlier export"),
            "{}",
            stderr(&out)
        );
        assert!(
            snapshot(&out_dir) == before,
            "{} changed",
            out_dir.display()
        );
    }
    // A folder of the user's own files is not an export: the sample may go there.
    std::fs::create_dir_all(env.path("mine/md")).unwrap();
    std::fs::write(env.path("mine/md/draft.txt"), "mine").unwrap();
    std::fs::write(env.path("mine/notes.txt"), "mine").unwrap();
    env.cmd()
        .args(["export", "--out", "mine", "-q"])
        .assert()
        .success();
    assert_eq!(
        std::fs::read(env.path("mine/md/draft.txt")).unwrap(),
        b"mine"
    );
}

// ---- --errors-json ---------------------------------------------------------------------

#[test]
fn errors_json_refuses_the_notebook_and_its_wal_and_shm_however_spelled() {
    let env = TestEnv::seeded(5);
    std::fs::create_dir(env.path("sub")).unwrap();
    std::os::unix::fs::symlink(env.db(), env.path("link.json")).unwrap();
    let db_bytes = std::fs::read(env.db()).unwrap();
    for target in [
        "notes.db",
        "./sub/../notes.db",
        "notes.db-wal",
        "notes.db-shm",
        "link.json",
    ] {
        let out = env
            .cmd()
            .args(["export", "--out", "out", "--errors-json", target])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{target}: {}", stderr(&out));
        assert!(stderr(&out).contains("is the notebook"), "{}", stderr(&out));
        assert!(!env.path("out").exists(), "{target}: nothing ran");
        assert_eq!(std::fs::read(env.db()).unwrap(), db_bytes, "{target}");
    }
    env.cmd()
        .args(["list", "--count"])
        .assert()
        .success()
        .stdout("5\n");
}

#[test]
fn errors_json_refuses_any_path_inside_out() {
    let env = TestEnv::seeded(3);
    env.cmd()
        .args(["export", "--out", "out", "-q"])
        .assert()
        .success();
    let before = snapshot(&env.path("out"));
    let exported = tree(&env.path("out/md")).keys().next().unwrap().clone();
    let inside = format!("out/md/{}", exported.display());
    for target in [
        inside.as_str(),
        "out",
        "out/new/errors.json",
        "./out/../out/x",
    ] {
        let out = env
            .cmd()
            .args(["export", "--out", "out", "--errors-json", target])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{target}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("inside the export folder"),
            "{}",
            stderr(&out)
        );
        assert!(snapshot(&env.path("out")) == before, "{target}");
    }
}

#[test]
fn errors_json_replaces_a_link_planted_at_its_name_and_never_writes_through_it() {
    let env = TestEnv::seeded(3);
    std::fs::write(env.path("victim.txt"), "precious").unwrap();
    std::os::unix::fs::symlink(env.path("victim.txt"), env.path("errors.json")).unwrap();
    env.cmd()
        .args([
            "export",
            "--out",
            "out",
            "-q",
            "--errors-json",
            "errors.json",
        ])
        .assert()
        .success();
    assert_eq!(
        std::fs::read_to_string(env.path("victim.txt")).unwrap(),
        "precious"
    );
    let meta = std::fs::symlink_metadata(env.path("errors.json")).unwrap();
    assert!(meta.is_file(), "the link was replaced by the file");
    assert_eq!(
        std::fs::read_to_string(env.path("errors.json")).unwrap(),
        "[]\n"
    );
    let leftovers: Vec<_> = std::fs::read_dir(env.root())
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .contains("smartnotes-errors")
        })
        .collect();
    assert!(leftovers.is_empty(), "no temporary file is left");
}

#[test]
fn errors_json_into_a_missing_folder_or_onto_a_folder_fails_before_the_export() {
    let env = TestEnv::seeded(3);
    std::fs::create_dir(env.path("a-folder")).unwrap();
    for (target, why) in [
        ("no/such/errors.json", "its folder does not exist"),
        ("a-folder", "it is a folder"),
    ] {
        let out = env
            .cmd()
            .args(["export", "--out", "out", "--errors-json", target])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{target}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(&format!("cannot write the failures to {target}: {why}")),
            "{}",
            stderr(&out)
        );
        assert!(
            !env.path("out").exists(),
            "{target}: the export did not run"
        );
    }
}

// ---- Usage errors ------------------------------------------------------------------------

#[test]
fn impossible_numbers_are_usage_errors_everywhere() {
    let env = TestEnv::seeded(2);
    let cases: [&[&str]; 12] = [
        &["export", "--out", "out", "--jobs", "0"],
        &["export", "--out", "out", "--fail-rate", "NaN"],
        &["export", "--out", "out", "--fail-rate", "1.5"],
        &["export", "--out", "out", "--fail-rate=-0.1"],
        &["export", "--out", "out", "--latency", "1000000000000s"],
        &["export", "--out", "out", "--latency", "61min"],
        &["bench", "--jobs", "0"],
        &["bench", "--latency", "2h"],
        &["bench", "--runs", "0"],
        &["lab", "pool", "--workers", "0"],
        &["lab", "async", "--latency", "1000000000000s"],
        &["lab", "threads", "--durations", "1e30"],
    ];
    for args in cases {
        let out = env.cmd().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.starts_with("error: invalid value"), "{args:?}: {err}");
        assert!(!env.path("out").exists(), "{args:?}: nothing ran");
    }
    // The limit itself is allowed (on no notes, so that nothing waits it).
    let out = env
        .cmd()
        .args([
            "export",
            "--out",
            "out",
            "--latency",
            "1h",
            "--tag",
            "none",
            "-q",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

// ---- The bench removes only what it made ------------------------------------------------

#[test]
fn bench_dir_removes_only_the_folder_it_made() {
    let env = TestEnv::new();
    let dir = env.path("dir");
    for (path, bytes) in [
        ("run-2024-marathon-photos/finish.jpg", &b"jpeg"[..]),
        ("floor-plans/kitchen.pdf", b"pdf"),
        ("smartnotes-bench-mine/keep.txt", b"mine"),
        ("notes.txt", b"text"),
    ] {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    let before = snapshot(&dir);
    for workload in [
        &["--workload", "disk"][..],
        &["--workload", "scale", "--sink", "dir"],
    ] {
        let out = env
            .cmd()
            .arg("bench")
            .args(workload)
            .args(["--notes", "10", "--runs", "1", "--latency", "1ms", "-q"])
            .args(["--strategies", "sequential,pool", "--dir"])
            .arg(&dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "{workload:?}: {}", stderr(&out));
        assert!(
            snapshot(&dir) == before,
            "{workload:?}: --dir holds exactly what it held before"
        );
    }
}

// ---- Terminal output --------------------------------------------------------------------

const HOSTILE_TITLE: &str = "\x1b]0;pwned\x07Groceries";
// Tags refuse C0 controls, not the bidirectional overrides that reorder a line.
const HOSTILE_TAG: &str = "tag\u{202e}txt.exe";

#[test]
fn add_list_and_rm_print_titles_and_tags_with_controls_escaped() {
    let env = TestEnv::new();
    let out = env
        .cmd()
        .args(["add", "-t", HOSTILE_TITLE, "--tag", HOSTILE_TAG, "-b", "x"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text, "added note 1: \\x1b]0;pwned\\x07Groceries\n");

    let out = env.cmd().arg("list").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains(['\x1b', '\x07', '\u{202e}']), "{text:?}");
    assert!(
        text.contains("\\x1b]0;pwned\\x07Groceries  [tag\\u{202e}txt.exe]"),
        "{text:?}"
    );

    let out = env.cmd().args(["rm", "1"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text, "removed note 1: \\x1b]0;pwned\\x07Groceries\n");
}

/// `show` prints the note's bytes as they are into a pipe or a file (`show 1 > n.md` is the
/// note), and escapes control characters only on a terminal, as ls does. The terminal is a
/// pseudo-terminal made by `script` (util-linux). (The title is quoted by the YAML front
/// matter, which escapes it itself; the body is the note's own text.)
#[test]
fn show_is_exact_into_a_pipe_and_escaped_on_a_terminal() {
    let env = TestEnv::new();
    let body = "\x1b]0;pwned\x07line\r\nbell\x07 tab\tend";
    env.cmd()
        .args(["add", "-t", "Groceries", "-b", body])
        .assert()
        .success();
    let piped = env.cmd().args(["show", "1"]).output().unwrap();
    let piped = String::from_utf8(piped.stdout).unwrap();
    assert!(piped.contains(body), "raw into a pipe: {piped:?}");

    let binary = assert_cmd::cargo::cargo_bin("smartnotes");
    let out = std::process::Command::new("script")
        .current_dir(env.root())
        .env("SMARTNOTES_DB", env.db())
        .args(["-qec", &format!("{} show 1", binary.display()), "/dev/null"])
        .output()
        .expect("script (util-linux) runs the command on a pseudo-terminal");
    assert!(out.status.success(), "{}", stderr(&out));
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(
        !screen.contains('\x1b') && !screen.contains('\x07'),
        "{screen:?}"
    );
    assert!(screen.contains("\\x1b]0;pwned\\x07line"), "{screen:?}");
    assert!(screen.contains("line\\r"), "{screen:?}");
    assert!(screen.contains("tab\tend"), "tabs stay: {screen:?}");
}

#[test]
fn the_export_summary_and_errors_escape_paths() {
    let env = TestEnv::seeded(2);
    let out = env
        .cmd()
        .args(["export", "--out", "out\x1b[2Jx"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("to out\\x1b[2Jx"), "{text:?}");
    assert!(!text.contains('\x1b'), "{text:?}");

    let out = env
        .cmd()
        .args(["--db", "no\x1b]0;pwned\x07.db", "export", "--out", "o"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("no notebook at no\\x1b]0;pwned\\x07.db"),
        "{err:?}"
    );
    assert!(!err.contains('\x1b'), "{err:?}");
}
