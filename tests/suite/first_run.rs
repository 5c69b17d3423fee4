//! The sample notebook is for a first run only (issue 10, item 2): with no notebook named
//! and none at the default place, `export` falls back to the built-in sample, but never with
//! `--incremental` or `--prune`, never onto an earlier export, and a notebook named by
//! `--db` or `SMARTNOTES_DB` that does not exist is an error naming it. Each test is a
//! reproduction that failed before the change.

use crate::common::{TestEnv, contents, stderr, tree};

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
    let before = contents(&env.path("backup"));
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
        contents(&env.path("backup")) == before,
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
    assert!(
        stderr(&out).contains("built-in sample notebook (10 notes)"),
        "it says so: {}",
        stderr(&out)
    );
    let summary = String::from_utf8(out.stdout).unwrap();
    assert!(summary.contains("files written: 30"), "{summary}");
    let files = tree(&env.path("notes-export"));
    assert_eq!(files.len(), 30);
    for dir in ["md", "json", "csv"] {
        assert_eq!(
            files.keys().filter(|p| p.starts_with(dir)).count(),
            10,
            "{dir}"
        );
    }
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
        let before = contents(&out_dir);
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
            contents(&out_dir) == before,
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
