//! `export --incremental` and `--prune`: only new and changed notes are written, renamed notes
//! lose their old file, deleted ones are pruned, and a bad manifest means a full export.

use crate::common::{TestEnv, assert_books_balance, manifest_as_text, published};

const MANIFEST: &str = ".smartnotes-manifest.json";

fn sql(env: &TestEnv, statement: &str) {
    let db = rusqlite::Connection::open(env.db()).unwrap();
    db.execute_batch(statement).unwrap();
}

#[test]
fn an_unchanged_notebook_writes_nothing_under_every_strategy() {
    let env = TestEnv::seeded(300);
    for strategy in ["sequential", "threads", "pool", "async"] {
        let out = format!("out-{strategy}");
        let first = env.export_json(&out, &["--incremental", "--strategy", strategy]);
        assert_eq!(first["files"], 900);
        assert!(
            first["full_export_reason"]
                .as_str()
                .unwrap()
                .contains("no manifest")
        );
        let before = published(&env.path(&out));
        let second = env.export_json(&out, &["--incremental", "--strategy", strategy]);
        assert_books_balance(&second);
        assert_eq!(second["files"], 0, "{strategy}: {second}");
        assert_eq!(second["unchanged"], 900);
        assert_eq!(second["full_export_reason"], serde_json::Value::Null);
        assert!(published(&env.path(&out)) == before);
    }
}

#[test]
fn changed_renamed_new_and_deleted_notes() {
    let env = TestEnv::seeded(50);
    env.export_json("out", &["--incremental"]);
    sql(
        &env,
        "UPDATE notes SET body = 'changed body' WHERE id = 3;
         UPDATE notes SET title = 'A brand new title' WHERE id = 4;
         DELETE FROM notes WHERE id = 5;",
    );
    env.cmd()
        .args(["add", "--title", "Fresh", "--body", "new"])
        .assert()
        .success();
    let summary = env.export_json("out", &["--incremental"]);
    assert_books_balance(&summary);
    // Note 3 changed (3 files), note 4 renamed (3 new files), note 51 new (3 files).
    assert_eq!(summary["files"], 9, "{summary}");
    assert_eq!(summary["unchanged"], 48 * 3 - 3);
    assert_eq!(summary["removed"], 3, "the renamed note's old files");
    let files = published(&env.path("out"));
    let names: Vec<String> = files.keys().map(|p| p.display().to_string()).collect();
    assert!(names.iter().any(|n| n == "md/4-a-brand-new-title.md"));
    assert_eq!(names.iter().filter(|n| n.starts_with("md/4-")).count(), 1);
    assert!(
        names.iter().any(|n| n.starts_with("md/5-")),
        "kept without --prune"
    );

    let pruned = env.export_json("out", &["--incremental", "--prune"]);
    assert_eq!(
        (pruned["files"].as_u64(), pruned["removed"].as_u64()),
        (Some(0), Some(3))
    );
    let after = published(&env.path("out"));
    assert!(!after.keys().any(|p| p.to_string_lossy().contains("/5-")));

    // The result is what a clean export writes.
    env.export_json("clean", &[]);
    assert!(after == published(&env.path("clean")));
}

#[test]
fn a_file_deleted_or_edited_by_hand_is_written_again() {
    let env = TestEnv::seeded(10);
    env.export_json("out", &["--incremental", "--format", "md"]);
    let files = published(&env.path("out"));
    let mut paths = files.keys();
    let (gone, edited) = (paths.next().unwrap(), paths.next().unwrap());
    std::fs::remove_file(env.path("out").join(gone)).unwrap();
    std::fs::write(env.path("out").join(edited), "scribbled over").unwrap();
    // A deleted file changes its folder's state, so the folder is listed and the file is
    // missed; an edit in place is seen only by --verify, which reads every file (the default
    // run makes no system call per file).
    let summary = env.export_json("out", &["--incremental", "--format", "md"]);
    assert_eq!(summary["files"], 1, "{summary}");
    assert_eq!(
        std::fs::read(env.path("out").join(gone)).unwrap(),
        files[gone]
    );
    let summary = env.export_json("out", &["--incremental", "--verify", "--format", "md"]);
    assert_eq!(
        (summary["files"].as_u64(), summary["unchanged"].as_u64()),
        (Some(1), Some(9)),
        "{summary}"
    );
    assert!(published(&env.path("out")) == files);
}

/// The files of `format` in the export folder `out`, by name.
fn names_in(out: &std::path::Path, format: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(out.join(format))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

#[test]
fn a_file_removed_replaced_or_renamed_at_once_after_an_export_is_written_again() {
    // Each change is made right after an export, in the clock tick it ended in if the machine
    // is fast enough: the folder's recorded state must not hide it (see src/export/listing.rs).
    let env = TestEnv::seeded(30);
    let out = env.path("out");
    env.export_json("out", &["--incremental"]);
    let files = published(&out);
    let (md, json, csv) = (
        names_in(&out, "md"),
        names_in(&out, "json"),
        names_in(&out, "csv"),
    );
    let outside = env.path("outside.txt");
    std::fs::write(&outside, "not a note").unwrap();
    type Change<'a> = Box<dyn Fn() + 'a>;
    let changes: Vec<(&str, Change<'_>, u64)> = vec![
        (
            "removed",
            Box::new(|| std::fs::remove_file(out.join("md").join(&md[0])).unwrap()),
            1,
        ),
        (
            "replaced by a link",
            Box::new(|| {
                let at = out.join("csv").join(&csv[2]);
                std::fs::remove_file(&at).unwrap();
                std::os::unix::fs::symlink(&outside, &at).unwrap();
            }),
            1,
        ),
        (
            "renamed",
            Box::new(|| {
                let at = out.join("md").join(&md[3]);
                std::fs::rename(&at, out.join("md").join("keep.txt")).unwrap();
            }),
            1,
        ),
        (
            "two removed in two folders",
            Box::new(|| {
                std::fs::remove_file(out.join("md").join(&md[4])).unwrap();
                std::fs::remove_file(out.join("csv").join(&csv[5])).unwrap();
            }),
            2,
        ),
        (
            "a file of the user's added",
            Box::new(|| std::fs::write(out.join("json").join("mine.txt"), "").unwrap()),
            0,
        ),
    ];
    for (what, change, rewritten) in changes {
        change();
        let summary = env.export_json("out", &["--incremental"]);
        assert_books_balance(&summary);
        assert_eq!(summary["files"], rewritten, "{what}: {summary}");
        let mut now = published(&out);
        now.retain(|path, _| path.extension().is_some_and(|e| e != "txt"));
        assert!(now == files, "{what}: the export is not the one it was");
        // The run after is unchanged, and leaves the manifest as it was, byte for byte.
        let manifest = std::fs::read(out.join(MANIFEST)).unwrap();
        let again = env.export_json("out", &["--incremental"]);
        assert_eq!(
            (&again["files"], &again["unchanged"]),
            (&0.into(), &90.into()),
            "{what}"
        );
        assert!(
            std::fs::read(out.join(MANIFEST)).unwrap() == manifest,
            "{what}"
        );
    }
    // A file replaced by a folder is tried again: the user's folder is never removed, so the
    // job fails, naming it.
    let at = out.join("json").join(&json[1]);
    std::fs::remove_file(&at).unwrap();
    std::fs::create_dir(&at).unwrap();
    let summary = env.export_json("out", &["--incremental"]);
    assert_eq!(
        (&summary["files"], &summary["failed"]),
        (&0.into(), &1.into()),
        "{summary}"
    );
    assert_eq!(
        summary["failures"][0]["kind"], "is_a_directory",
        "{summary}"
    );
}

#[test]
fn a_manifest_copied_with_its_folders_states_into_another_export_trusts_no_folder() {
    // A manifest names its folders' states (device, inode, times): copied beside other files,
    // or left in a folder restored from a backup, it vouches for nothing that was not found.
    let env = TestEnv::seeded(10);
    env.export_json("a", &["--incremental"]);
    env.export_json("b", &["--incremental"]);
    let name = names_in(&env.path("b"), "md")[0].clone();
    std::fs::remove_file(env.path("b").join("md").join(name)).unwrap();
    std::fs::copy(env.path("a").join(MANIFEST), env.path("b").join(MANIFEST)).unwrap();
    let summary = env.export_json("b", &["--incremental"]);
    assert_eq!(summary["files"], 1, "{summary}");
    assert!(published(&env.path("b")) == published(&env.path("a")));
}

#[test]
fn a_missing_or_damaged_manifest_means_a_full_export() {
    let env = TestEnv::seeded(20);
    env.export_json("out", &["--incremental"]);
    let good = std::fs::read(env.path("out").join(MANIFEST)).unwrap();
    // The text layout, still read: a hostile path is easy to plant in it.
    let text = manifest_as_text(&env.path("out").join(MANIFEST), None);
    let mut cut = good.clone();
    cut.truncate(good.len() - 1);
    let mut changed = good.clone();
    changed[good.len() - 40] ^= 1;
    for (damage, why) in [
        (b"{ not json".to_vec(), "damaged"),
        (
            text.replace("\"version\":1", "\"version\":7").into_bytes(),
            "version 7",
        ),
        (cut, "checksum does not match"),
        (changed, "checksum does not match"),
        (
            text.replacen("md/1-", "../../1-", 1).into_bytes(),
            "is not a file smartnotes writes",
        ),
    ] {
        std::fs::write(env.path("out").join(MANIFEST), damage).unwrap();
        let summary = env.export_json("out", &["--incremental"]);
        assert_eq!(summary["files"], 60, "{why}: {summary}");
        let reason = summary["full_export_reason"].as_str().unwrap();
        assert!(reason.contains(why), "{reason}");
    }
    // Other settings: every file is written again, with the new settings.
    let summary = env.export_json("out", &["--incremental", "--naming", "id"]);
    assert_eq!(summary["files"], 60);
    assert!(
        summary["full_export_reason"]
            .as_str()
            .unwrap()
            .contains("other settings")
    );
    std::fs::remove_file(env.path("out").join(MANIFEST)).unwrap();
    let summary = env.export_json("out", &["--incremental", "--naming", "id"]);
    assert_eq!(summary["files"], 60);
}

#[test]
fn prune_needs_incremental_and_incremental_needs_files_layout() {
    let env = TestEnv::seeded(2);
    env.cmd()
        .args(["export", "--verify"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--incremental"));
    env.cmd()
        .args(["export", "--prune"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--incremental"));
    env.cmd()
        .args(["export", "--incremental", "--layout", "bundle"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("--layout files only"));
}

#[test]
fn prune_removes_only_the_listed_files_of_notes_left_out() {
    // A filter narrows what is exported: --prune then removes the files of the notes left out,
    // and only those the manifest lists.
    let env = TestEnv::seeded(20);
    env.export_json("out", &["--incremental", "--format", "md"]);
    std::fs::write(env.path("out/md/mine.txt"), "not smartnotes'").unwrap();
    let summary = env.export_json(
        "out",
        &["--incremental", "--prune", "--format", "md", "--limit", "5"],
    );
    assert_eq!(summary["removed"], 15, "{summary}");
    let files = published(&env.path("out"));
    assert_eq!(files.len(), 6, "5 notes and the foreign file");
    assert!(env.path("out/md/mine.txt").exists());
}

#[test]
fn a_plain_export_over_an_incremental_one_drops_the_manifest() {
    let env = TestEnv::seeded(10);
    env.export_json("out", &["--incremental"]);
    sql(&env, "UPDATE notes SET body = 'x' WHERE id = 2;");
    env.export_json("out", &[]);
    assert!(!env.path("out").join(MANIFEST).exists());
    let summary = env.export_json("out", &["--incremental"]);
    assert_eq!(summary["files"], 30, "a full export: {summary}");
}
