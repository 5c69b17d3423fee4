//! `--errors-json FILE`, the failures as JSON (issue 10, item 1): written whether or not a job
//! failed, and never over what smartnotes did not make: it refuses the notebook (and its
//! `-wal` and `-shm`) and any path inside `--out` before anything runs, fails before the export
//! where it cannot be written, and replaces a link planted at its name instead of writing
//! through it.

use serde_json::Value;

use crate::common::{TestEnv, contents, stderr, tree};

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
    let before = contents(&env.path("out"));
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
        assert!(contents(&env.path("out")) == before, "{target}");
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
