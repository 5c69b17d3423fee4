//! What an export does when jobs fail (`--on-error`): `continue` runs every job and lists
//! every failure, `fail-fast` stops scheduling at the first one, under every strategy.

use std::path::PathBuf;

use crate::common::{TestEnv, id_of_file, tree};
use predicates::prelude::*;
use serde_json::Value;

/// Runs an export with injected faults and returns (exit code, JSON summary).
fn faulty_export(env: &TestEnv, out: &str, args: &[&str]) -> (i32, Value) {
    let output = env
        .cmd()
        .args(["export", "--json", "--out", out])
        .args(["--fail-rate", "0.3", "--fail-seed", "11"])
        .args(args)
        .output()
        .unwrap();
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&output.stderr));
    });
    (output.status.code().unwrap(), summary)
}

#[test]
fn continue_runs_every_job_and_lists_every_failure() {
    let env = TestEnv::seeded(100);
    let (code, summary) = faulty_export(
        &env,
        "out",
        &["--on-error", "continue", "--errors-json", "errors.json"],
    );
    assert_eq!(code, 1);
    let files = summary["files"].as_u64().unwrap();
    let failed = summary["failed"].as_u64().unwrap();
    assert_eq!(summary["planned_jobs"], 300);
    assert_eq!(files + failed, 300, "{summary}");
    assert!(failed > 30, "0.3 of 300 jobs should fail, {failed} did");
    assert_eq!(summary["stopped_early"], false);
    assert_eq!(tree(&env.path("out")).len() as u64, files);

    let errors: Vec<Value> =
        serde_json::from_slice(&std::fs::read(env.path("errors.json")).unwrap()).unwrap();
    assert_eq!(errors.len() as u64, failed);
    assert_eq!(&Value::Array(errors.clone()), &summary["failures"]);
    for error in &errors {
        let note_id = error["note_id"].as_i64().unwrap();
        let format = error["format"].as_str().unwrap();
        let path = PathBuf::from(error["path"].as_str().unwrap());
        assert!(path.starts_with(format), "{error}");
        assert_eq!(id_of_file(&path), note_id);
        assert!(
            error["error"].as_str().unwrap().contains("injected fault"),
            "{error}"
        );
        assert!(
            !env.path("out").join(&path).exists(),
            "{path:?} was written"
        );
    }

    // The human summary lists them too.
    let output = env
        .cmd()
        .args([
            "export",
            "--out",
            "out2",
            "--fail-rate",
            "0.3",
            "--fail-seed",
            "11",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(stdout.matches("FAILED note").count() as u64, failed);
}

#[test]
fn fail_fast_stops_at_the_first_failure() {
    let env = TestEnv::seeded(100);
    let (code, summary) = faulty_export(
        &env,
        "out",
        &[
            "--on-error",
            "fail-fast",
            "--strategy",
            "sequential",
            "--errors-json",
            "errors.json",
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(summary["failed"], 1, "{summary}");
    let files = summary["files"].as_u64().unwrap();
    let skipped = 300 - files - 1;
    assert!(skipped > 0, "{summary}");
    assert_eq!(summary["stopped_early"], true);
    assert_eq!(tree(&env.path("out")).len() as u64, files);
    let errors: Vec<Value> =
        serde_json::from_slice(&std::fs::read(env.path("errors.json")).unwrap()).unwrap();
    assert_eq!(errors.len(), 1);

    // The same failure ends the sequential run under continue, which goes on past it.
    let (code, all) = faulty_export(&env, "out-continue", &["--strategy", "sequential"]);
    assert_eq!(code, 1);
    assert_eq!(all["failures"][0], errors[0], "the first failure in order");
    assert!(all["files"].as_u64().unwrap() > files);

    // Concurrent strategies stop too: jobs in flight may add failures, but not every job runs.
    for strategy in ["pool", "async"] {
        let (code, s) = faulty_export(
            &env,
            &format!("out-{strategy}"),
            &[
                "--on-error",
                "fail-fast",
                "--strategy",
                strategy,
                "--jobs",
                "2",
            ],
        );
        assert_eq!(code, 1);
        let done = s["files"].as_u64().unwrap() + s["failed"].as_u64().unwrap();
        assert!(s["failed"].as_u64().unwrap() >= 1);
        assert!(done < 300, "{strategy}: {s}");
        assert_eq!(s["stopped_early"], true);
    }

    // The human summary says it stopped.
    env.cmd()
        .args(["export", "--out", "out-text", "--on-error", "fail-fast"])
        .args([
            "--strategy",
            "sequential",
            "--fail-rate",
            "0.3",
            "--fail-seed",
            "11",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("stopped at a failure"))
        .stdout(predicate::str::contains("FAILED note"));
}
