//! Issue 12, Done when: a vault of our own (`tests/testdata/vault`: nested folders, front matter
//! of every shape, none, CRLF, BOM, empty files, Unicode names in NFC and NFD, a `Templates/`
//! note with `{{title}}`) imported, then exported with `--layout vault --front-matter keep -f md --links keep`
//! (and again with the vault's default `--links wikilink`),
//! gives back every Markdown file byte-identical at its path (`diff -r` empty); and the same
//! after importing it again into the same notebook, which doubles nothing and changes nothing.
//! `tests/testdata/vault_real` does the same with files of public collections.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{TestEnv, published, tree};
use predicates::prelude::*;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/testdata")
        .join(name)
}

/// `--layout vault --front-matter keep -f md` into `out`, links as `links` says (`keep`, the
/// issue's command, or `wikilink`, the vault layout's default, which leaves a link as written
/// when it still leads to the exported file: in a vault export, every one).
fn export(env: &TestEnv, out: &str, links: &str) {
    env.cmd()
        .args([
            "export",
            "--layout",
            "vault",
            "--front-matter",
            "keep",
            "-f",
            "md",
            "-q",
        ])
        .args(["--links", links, "--out", out])
        .assert()
        .success();
}

/// The export in `out` holds exactly the files of `vault`, byte for byte; `diff -r` agrees.
fn assert_same(vault: &Path, out: &Path) {
    let (want, got) = (tree(vault), published(out));
    let names =
        |t: &std::collections::BTreeMap<PathBuf, Vec<u8>>| t.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&got), names(&want), "the files at their paths");
    for (path, bytes) in &want {
        assert!(
            &got[path] == bytes,
            "{} differs: got {:?}, want {:?}",
            path.display(),
            String::from_utf8_lossy(&got[path]),
            String::from_utf8_lossy(bytes)
        );
    }
    let diff = Command::new("diff")
        .arg("-r")
        .arg(vault)
        .arg(out)
        .output()
        .unwrap();
    assert!(
        diff.status.success() && diff.stdout.is_empty(),
        "diff -r: {}",
        String::from_utf8_lossy(&diff.stdout)
    );
}

fn round_trip(name: &str, notes: usize) {
    let vault = fixture(name);
    let env = TestEnv::new();
    env.cmd()
        .arg("import")
        .arg(&vault)
        .args(["--timezone", "Europe/Paris"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "imported {notes} files: {notes} added, 0 updated, 0 unchanged"
        )));
    export(&env, "out", "keep");
    assert_same(&vault, &env.path("out"));
    // Again, into the same notebook: nothing doubled, everything unchanged.
    env.cmd()
        .arg("import")
        .arg(&vault)
        .args(["--timezone", "Europe/Paris"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "imported {notes} files: 0 added, 0 updated, {notes} unchanged"
        )));
    let listed = env.cmd().args(["list", "--json"]).output().unwrap();
    let listed: Vec<serde_json::Value> = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(listed.len(), notes);
    export(&env, "again", "wikilink");
    assert_same(&vault, &env.path("again"));
}

#[test]
fn our_vault_comes_back_byte_for_byte_and_again_after_a_second_import() {
    round_trip("vault", 22);
}

#[test]
fn files_of_public_collections_come_back_byte_for_byte() {
    let real = fixture("vault_real");
    let notes = tree(&real)
        .keys()
        .filter(|p| p.extension().is_some_and(|e| e == "md" || e == "markdown"))
        .count();
    round_trip_markdown_only(&real, notes);
}

/// The public files' folder holds its README too: import and export only its notes.
fn round_trip_markdown_only(real: &Path, notes: usize) {
    let env = TestEnv::new();
    let vault = env.path("vault");
    for (rel, bytes) in tree(real) {
        if rel
            .extension()
            .is_some_and(|e| e == "md" || e == "markdown")
            && rel != Path::new("README.md")
        {
            let path = vault.join(&rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        }
    }
    let notes = notes - 1;
    env.cmd()
        .arg("import")
        .arg(&vault)
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("{notes} added")));
    export(&env, "out", "keep");
    assert_same(&vault, &env.path("out"));
}
