//! Usage errors exit 2 with a message saying what is wrong (issue 10): impossible numbers
//! everywhere (`--jobs 0`, a NaN rate, a latency of years) and a latency that does not parse.

use predicates::prelude::*;

use crate::common::{TestEnv, stderr};

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

#[test]
fn a_bad_latency_is_a_clear_usage_error() {
    TestEnv::new()
        .cmd()
        .args(["export", "--latency", "soon"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("100ms"));
}
