//! Issue 10, item 1: only what smartnotes made is ever replaced or deleted in `--out`. Files a
//! user keeps beside the exports survive every export, rename and `--prune`; no removal or
//! write follows a symbolic link (a format folder that is a link, a link planted where the
//! manifest is written).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{TestEnv, published, staging_leftovers, tree};

fn sql(env: &TestEnv, statement: &str) {
    let db = rusqlite::Connection::open(env.db()).unwrap();
    db.execute_batch(statement).unwrap();
}

#[test]
fn files_a_user_put_beside_the_exports_are_never_deleted() {
    // The reproduction: after an export, a plain re-export removed these three ("removed 3
    // file(s) under a note's old name"): any name starting with digits was taken for a note.
    let env = TestEnv::seeded(30);
    env.export_json("uf", &[]);
    let mine = [
        "md/7-my-own-draft.txt",
        "md/12.jpg",
        "md/20 things to do.md",
        "md/007-x.md",
        "json/3-my-notes.txt",
        "notes.md",
    ];
    for (i, rel) in mine.iter().enumerate() {
        std::fs::write(env.path("uf").join(rel), format!("mine {i}")).unwrap();
    }
    let again = env.export_json("uf", &[]);
    assert_eq!(again["removed"], 0, "{again}");
    // A note renamed since: its old file goes, the user's files stay.
    sql(
        &env,
        "UPDATE notes SET title = 'A brand new title' WHERE id = 7",
    );
    let renamed = env.export_json("uf", &[]);
    assert_eq!(renamed["removed"], 3, "one old file per format: {renamed}");
    assert_eq!(renamed["failed"], 0, "{renamed}");
    for (i, rel) in mine.iter().enumerate() {
        let path = env.path("uf").join(rel);
        assert_eq!(
            std::fs::read_to_string(&path).ok(),
            Some(format!("mine {i}")),
            "{rel} was touched"
        );
    }
    let md: Vec<String> = std::fs::read_dir(env.path("uf/md"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("7-"))
        .collect();
    assert_eq!(md.len(), 2, "the new file and the user's draft: {md:?}");
    assert!(md.contains(&"7-a-brand-new-title.md".to_owned()), "{md:?}");
}

#[test]
fn incremental_prune_keeps_files_it_did_not_make() {
    let env = TestEnv::seeded(30);
    env.export_json("out", &["--incremental"]);
    std::fs::write(env.path("out/md/5-my-copy.txt"), "mine").unwrap();
    std::fs::write(env.path("out/md/99 ideas.md"), "mine").unwrap();
    sql(&env, "DELETE FROM notes WHERE id IN (5, 6)");
    let pruned = env.export_json("out", &["--incremental", "--prune"]);
    assert_eq!(pruned["removed"], 6, "{pruned}");
    assert_eq!(
        std::fs::read_to_string(env.path("out/md/5-my-copy.txt")).unwrap(),
        "mine"
    );
    assert_eq!(
        std::fs::read_to_string(env.path("out/md/99 ideas.md")).unwrap(),
        "mine"
    );
}

#[cfg(unix)]
#[test]
fn prune_never_deletes_through_a_format_folder_that_is_a_link() {
    // The reproduction: a format folder replaced by a link to another folder had that
    // folder's files deleted by --prune (publishing already refused the link).
    let env = TestEnv::seeded(30);
    env.export_json("out", &["--incremental"]);
    let elsewhere = env.path("elsewhere");
    std::fs::rename(env.path("out/md"), &elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, env.path("out/md")).unwrap();
    let before = tree(&elsewhere);
    assert_eq!(before.len(), 30);
    sql(&env, "DELETE FROM notes WHERE id <= 10");
    let out = env
        .cmd()
        .args([
            "export",
            "--json",
            "--out",
            "out",
            "--incremental",
            "--prune",
        ])
        .output()
        .unwrap();
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(tree(&elsewhere) == before, "files deleted through the link");
    assert_eq!(out.status.code(), Some(1), "{summary}");
    let warnings = summary["warnings"].to_string();
    assert!(warnings.contains("symbolic link"), "{summary}");
    // The other formats' deleted notes are pruned as usual.
    assert_eq!(summary["removed"], 20, "{summary}");
    assert_eq!(std::fs::read_dir(env.path("out/json")).unwrap().count(), 20);
    assert!(staging_leftovers(&env.path("out")).is_empty());
}

#[cfg(unix)]
#[test]
fn a_link_planted_where_the_manifest_is_written_is_not_written_through() {
    // The reproduction: the manifest was written with File::create under a predictable name
    // beside --out (`.smartnotes-staging-<pid>.manifest`), so a link planted there was
    // written through. Now its temporary name is unpredictable and created exclusively.
    let env = TestEnv::seeded(300);
    let victim = env.path("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    let child = Command::new(assert_cmd::cargo::cargo_bin("smartnotes"))
        .current_dir(env.root())
        .env("SMARTNOTES_DB", env.db())
        .args(["export", "-q", "--out", "out", "--incremental", "-f", "md"])
        .args(["--latency", "5ms", "--strategy", "pool", "--jobs", "4"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while staging_leftovers(&env.path("out")).is_empty() {
        assert!(Instant::now() < deadline, "the export never started");
        std::thread::sleep(Duration::from_millis(5));
    }
    let predictable = format!(".smartnotes-staging-{}.manifest", child.id());
    std::os::unix::fs::symlink(&victim, env.path("out").join(predictable)).unwrap();
    std::os::unix::fs::symlink(&victim, env.path("out/.smartnotes-manifest.json")).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    let manifest = std::fs::symlink_metadata(env.path("out/.smartnotes-manifest.json")).unwrap();
    assert!(
        manifest.is_file(),
        "the link at the manifest's name is replaced"
    );
    assert_eq!(published(&env.path("out")).len(), 300);
    // The next export trusts that manifest and removes the planted link with the rest.
    let again = env.export_json("out", &["--incremental", "-f", "md"]);
    assert_eq!(again["unchanged"], 300, "{again}");
    assert!(staging_leftovers(&env.path("out")).is_empty());
}

#[cfg(unix)]
#[test]
fn a_manifest_that_is_a_link_is_not_trusted() {
    let env = TestEnv::seeded(10);
    env.export_json("a", &["--incremental"]);
    env.export_json("b", &["--incremental"]);
    // b's manifest becomes a link to a's: b must not take a's word for its files.
    std::fs::remove_file(env.path("b/.smartnotes-manifest.json")).unwrap();
    std::os::unix::fs::symlink(
        env.path("a/.smartnotes-manifest.json"),
        env.path("b/.smartnotes-manifest.json"),
    )
    .unwrap();
    let a_manifest = std::fs::read(env.path("a/.smartnotes-manifest.json")).unwrap();
    let again = env.export_json("b", &["--incremental"]);
    let reason = again["full_export_reason"].as_str().unwrap_or("");
    assert!(reason.contains("symbolic link"), "{again}");
    assert_eq!(
        std::fs::read(env.path("a/.smartnotes-manifest.json")).unwrap(),
        a_manifest,
        "the link's target is left as it was"
    );
    assert!(Path::new(&env.path("b/.smartnotes-manifest.json")).is_file());
}
