//! The notebook commands: add, list, show, rm, seed.

use crate::common::TestEnv;
use predicates::prelude::*;

#[test]
fn add_list_show_rm() {
    let env = TestEnv::new();
    env.cmd()
        .args([
            "add",
            "--title",
            "Groceries: milk",
            "--tag",
            "home",
            "--body=- milk\n- eggs",
        ])
        .assert()
        .success()
        .stdout("added note 1: Groceries: milk\n");
    env.cmd()
        .args(["add", "--title", "Other", "--tag", "work"])
        .write_stdin("from stdin\n")
        .assert()
        .success();
    env.cmd()
        .args(["list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Groceries: milk  [home]"));
    env.cmd()
        .args(["list", "--tag", "work"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Other").and(predicate::str::contains("Groceries").not()));
    let json = env.cmd().args(["list", "--json"]).output().unwrap();
    let notes: Vec<serde_json::Value> = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(notes.len(), 2);
    assert_eq!(notes[1]["body"], "from stdin\n");
    env.cmd().args(["show", "1"]).assert().success().stdout(
        predicate::str::contains("title: 'Groceries: milk'")
            .and(predicate::str::contains("- eggs")),
    );
    env.cmd()
        .args(["rm", "1"])
        .assert()
        .success()
        .stdout("removed note 1: Groceries: milk\n");
    env.cmd()
        .args(["show", "1"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no note with id 1"));
}

#[test]
fn an_invalid_tag_is_refused_with_the_reason() {
    TestEnv::new()
        .cmd()
        .args(["add", "--title", "t", "--tag", "a;b", "--body", ""])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("invalid tag \"a;b\""));
}

#[test]
fn seed_is_deterministic() {
    let a = TestEnv::seeded(30);
    let b = TestEnv::seeded(30);
    let list = |env: &TestEnv| env.cmd().args(["list", "--json"]).output().unwrap().stdout;
    assert_eq!(list(&a), list(&b));
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let env = TestEnv::seeded(2000);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("smartnotes"))
        .args(["list"])
        .env("SMARTNOTES_DB", env.db())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
