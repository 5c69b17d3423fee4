//! Signals during an export (issue 10, item 7): Ctrl-C (SIGINT), SIGTERM and SIGHUP stop it
//! the same way (jobs in flight finish and are published, the staging folder goes, the
//! summary says what was done, exit 128 + the signal), and a second Ctrl-C stops at once
//! instead of waiting out every job in flight. The binary runs for real and gets real signals
//! (`kill`).

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::{
    TestEnv, assert_all_complete, assert_books_balance, published, staging_leftovers, tree,
};

/// Files staged so far by the running export into `out`.
fn staged(out: &Path) -> usize {
    staging_leftovers(out)
        .iter()
        .map(|name| tree(&out.join(name)).len())
        .sum()
}

/// Waits until the export into `out` has staged `files` files (at most 60 s).
fn wait_for_staged(out: &Path, files: usize) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while staged(out) < files {
        assert!(
            Instant::now() < deadline,
            "the export never staged {files} files"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn send(child: &Child, signal: &str) {
    let status = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "kill -{signal}");
}

/// Waits for `child` at most `limit`, killing it (and failing) if it takes longer.
fn finish(mut child: Child, limit: Duration) -> Output {
    let deadline = Instant::now() + limit;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the export did not end within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// Starts `smartnotes export --out <out> <args>` in the background.
fn spawn_export(env: &TestEnv, out: &str, args: &[&str]) -> Child {
    Command::new(assert_cmd::cargo::cargo_bin("smartnotes"))
        .current_dir(env.root())
        .env("SMARTNOTES_DB", env.db())
        .args(["export", "--out", out])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// A reference export of the same notebook, to compare every published file with.
fn reference(env: &TestEnv) -> std::collections::BTreeMap<std::path::PathBuf, Vec<u8>> {
    env.cmd()
        .args(["export", "--out", "reference", "-q"])
        .assert()
        .success();
    published(&env.path("reference"))
}

/// One signal: the export stops scheduling, publishes what finished and says so.
fn stops_like_ctrl_c(signal: &str, code: i32, message: &str) {
    let env = TestEnv::seeded(10);
    let reference = reference(&env);
    // Sequential, 200 ms per file: when the second file is staged, the first job is done.
    let child = spawn_export(&env, "out", &["-s", "sequential", "--latency", "200ms"]);
    wait_for_staged(&env.path("out"), 2);
    send(&child, signal);
    let out = finish(child, Duration::from_secs(30));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(code), "{stderr}");
    assert!(stderr.contains(message), "{stderr}");
    assert!(
        stdout.contains("files written: ")
            && stdout.contains("interrupted: ")
            && stdout.contains(" of 30 jobs were not run"),
        "the summary says what was done: {stdout}"
    );
    let out_dir = env.path("out");
    assert!(staging_leftovers(&out_dir).is_empty(), "no staging folder");
    let files = published(&out_dir);
    assert!(
        (2..30).contains(&files.len()),
        "the jobs done and in flight are published, the rest not: {}",
        files.len()
    );
    assert_all_complete(&out_dir, &reference);
}

#[test]
fn sigterm_mid_export_publishes_what_finished_and_exits_143() {
    stops_like_ctrl_c("TERM", 143, "terminated (SIGTERM): stopping");
}

#[test]
fn sighup_mid_export_publishes_what_finished_and_exits_129() {
    stops_like_ctrl_c("HUP", 129, "hung up (SIGHUP): stopping");
}

#[test]
fn sigint_mid_export_publishes_what_finished_and_exits_130() {
    stops_like_ctrl_c("INT", 130, "interrupted (Ctrl-C): stopping");
}

/// Ctrl-C under every strategy that has jobs in flight: the JSON summary says interrupted,
/// its books balance, and every file it counts is published whole. 400 notes at 5 ms each:
/// without the signal sequential would run 6 s.
#[test]
fn ctrl_c_under_every_strategy_publishes_every_file_it_counts() {
    let env = TestEnv::seeded(400);
    let reference = reference(&env);
    for strategy in ["sequential", "pool", "async"] {
        let out = format!("out-{strategy}");
        let args = [
            "--json",
            "--latency",
            "5ms",
            "--strategy",
            strategy,
            "--jobs",
            "4",
        ];
        let child = spawn_export(&env, &out, &args);
        wait_for_staged(&env.path(&out), 8);
        send(&child, "INT");
        let output = finish(child, Duration::from_secs(30));
        assert_eq!(output.status.code(), Some(130), "{strategy}");
        let summary: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(summary["interrupted"], true, "{strategy}: {summary}");
        let (files, failed) = assert_books_balance(&summary);
        assert_eq!(failed, 0);
        assert!((8..1200).contains(&files), "{strategy}: {files}");
        let tree = published(&env.path(&out));
        assert_eq!(
            tree.len() as u64,
            files,
            "{strategy}: every written file published"
        );
        assert_all_complete(&env.path(&out), &reference);
        assert!(staging_leftovers(&env.path(&out)).is_empty(), "{strategy}");
    }
}

/// Starts an export of `env`'s ten notes whose thirty jobs each wait 20 s after their write
/// (one thread each), waits until all thirty files are staged, then presses Ctrl-C twice,
/// 300 ms apart. Returns what the process printed and how long it took from the first signal.
fn ctrl_c_twice(env: &TestEnv) -> (Output, Duration) {
    let child = spawn_export(env, "out", &["-s", "threads", "--latency", "20s"]);
    wait_for_staged(&env.path("out"), 30);
    let first = Instant::now();
    send(&child, "INT");
    std::thread::sleep(Duration::from_millis(300));
    send(&child, "INT");
    let out = finish(child, Duration::from_secs(60));
    (out, first.elapsed())
}

/// The first Ctrl-C would wait out the thirty 20 s waits, the second stops at once. The bound
/// (10 s from the first signal) is generous: stopping takes milliseconds.
#[test]
fn a_second_ctrl_c_stops_at_once_without_a_partial_file() {
    let env = TestEnv::seeded(10);
    let reference = reference(&env);
    let (out, took) = ctrl_c_twice(&env);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(took < Duration::from_secs(10), "took {took:?}: {stderr}");
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    let out_dir = env.path("out");
    assert!(staging_leftovers(&out_dir).is_empty(), "no staging folder");
    // Every job had written its file before its wait began: the abort cuts the waits, and
    // what is published is whole (each file equal to a clean export's).
    assert!(
        stdout_of(&out).contains("of 30 jobs"),
        "the summary is printed after an abort too: {}",
        stdout_of(&out)
    );
    assert_all_complete(&out_dir, &reference);
}

/// The second Ctrl-C says that it stops at once, every time, not only when the message wins
/// a race. Fails on main (about one run in three on a busy two-core machine, so five runs
/// nearly always show it): `src/cli/signals.rs` escalates the cancel handle (which cuts the
/// waits) before it prints, and the export, its waits cut, can end the process first.
#[test]
fn a_second_ctrl_c_always_says_it_stops_at_once() {
    let env = TestEnv::seeded(10);
    for run in 0..5 {
        std::fs::remove_dir_all(env.path("out")).ok();
        let (out, _) = ctrl_c_twice(&env);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(130), "run {run}: {stderr}");
        assert!(
            stderr.contains("interrupted (Ctrl-C) again: stopping at once"),
            "run {run}: the second Ctrl-C said nothing: {stderr}"
        );
    }
}

fn stdout_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}
