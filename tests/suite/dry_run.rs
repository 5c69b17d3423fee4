//! `export --dry-run`: writes nothing, not even the folder, and plans exactly the files and
//! sizes a real export then writes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::common::{TestEnv, tree};

#[test]
fn a_dry_run_writes_nothing_and_plans_exactly_what_an_export_writes() {
    let env = TestEnv::seeded(40);
    let before = tree(env.root());
    let output = env
        .cmd()
        .args([
            "export",
            "--out",
            "out/deeper",
            "--dry-run",
            "--tag",
            "work",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(!env.path("out").exists(), "the out folder was created");
    assert_eq!(tree(env.root()), before, "the notebook changed");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("dry run, nothing written"), "{stdout}");
    let planned: BTreeSet<PathBuf> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("would write "))
        .map(|l| PathBuf::from(&l[..l.rfind(" (").unwrap()]))
        .collect();

    let plan = env.export_json("out/deeper", &["--dry-run", "--tag", "work"]);
    assert!(!env.path("out").exists(), "the out folder was created");
    assert_eq!(plan["dry_run"], true);
    let sizes: BTreeMap<PathBuf, u64> = plan["planned"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                PathBuf::from(f["path"].as_str().unwrap()),
                f["bytes"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(!sizes.is_empty());
    assert_eq!(plan["files"], sizes.len() as u64);

    let real = env.export_json("out/deeper", &["--tag", "work"]);
    assert_eq!(real["files"], plan["files"]);
    assert_eq!(real["bytes"], plan["bytes"]);
    let written = tree(&env.path("out/deeper"));
    let written_paths: BTreeSet<PathBuf> = written
        .keys()
        .map(|p| Path::new("out/deeper").join(p))
        .collect();
    assert_eq!(planned, written_paths, "printed paths");
    let written_sizes: BTreeMap<PathBuf, u64> = written
        .iter()
        .map(|(p, bytes)| (p.clone(), bytes.len() as u64))
        .collect();
    assert_eq!(sizes, written_sizes, "planned sizes");
}

#[test]
fn a_dry_run_over_an_existing_export_leaves_it_alone() {
    let env = TestEnv::seeded(10);
    env.export_json("out", &[]);
    let before = tree(&env.path("out"));
    env.cmd()
        .args(["add", "--title", "Not yet exported", "--body", "b"])
        .assert()
        .success();
    let plan = env.export_json("out", &["--dry-run"]);
    assert_eq!(plan["files"], 33);
    assert_eq!(tree(&env.path("out")), before);
}
