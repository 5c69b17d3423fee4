//! `smartnotes lab`: every experiment's CLI entry, with short durations so the suite stays quick.

mod common;

use common::TestEnv;
use predicates::prelude::*;
use serde_json::Value;

#[test]
fn lab_without_a_name_lists_every_experiment() {
    let out = TestEnv::new().cmd().arg("lab").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for name in [
        "threads", "export", "cpu", "race", "predict", "pool", "async", "verdict",
    ] {
        assert!(
            text.contains(&format!("  {name} ")),
            "{name} missing in {text}"
        );
    }
}

#[test]
fn threads_prints_events_in_order_and_the_longest_total() {
    TestEnv::new()
        .cmd()
        .args(["lab", "threads", "--durations", "0.6,0.3"])
        .assert()
        .success()
        .stdout(
            // The two threads start together, in either order; B (0.3 s) ends first.
            predicate::str::is_match(
                r"(?s)starting [AB].*starting [AB].*done B.*done A.*total 0\.[6-8]",
            )
            .unwrap(),
        );
    // The lower bound is exact; the upper one leaves a quarter second of slack for a loaded
    // machine and still rules out the sum (0.9 s).
    let report = TestEnv::new().lab_json(&["threads", "--durations", "0.6,0.3"]);
    assert!(report["total_s"].as_f64().unwrap() >= 0.6);
    assert!(report["total_s"].as_f64().unwrap() < 0.85, "not the sum");
    assert_eq!(report["events"].as_array().unwrap().len(), 4);
}

#[test]
fn threads_without_join_reports_before_the_tasks_end() {
    let report = TestEnv::new().lab_json(&["threads", "--durations", "0.2", "--no-join"]);
    assert_eq!(report["joined"], false);
    assert!(report["total_s"].as_f64().unwrap() < 0.2);
    assert!(report["last_done_s"].as_f64().unwrap() >= 0.2);
}

#[test]
fn export_runs_all_four_strategies_through_the_engine() {
    let env = TestEnv::new();
    let out = env
        .cmd()
        .args([
            "lab",
            "export",
            "--latency",
            "20ms",
            "--json",
            "--out",
            "lab-out",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let runs = report["runs"].as_array().unwrap();
    let names: Vec<&str> = runs
        .iter()
        .map(|r| r["strategy"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["sequential", "threads", "pool", "async"]);
    for run in runs {
        assert_eq!(run["files"], 30);
    }
    assert!(
        runs[0]["wall_s"].as_f64().unwrap() >= 0.6,
        "30 x 20 ms in sequence"
    );
    // Generous: the overlapped run need only beat half the sum, even on a loaded machine.
    assert!(runs[3]["speedup"].as_f64().unwrap() > 2.0);
    assert_eq!(
        common::tree(&env.path("lab-out/async")).len(),
        30,
        "real files were written"
    );
}

#[test]
fn cpu_reports_speedup_and_cores() {
    let report = TestEnv::new().lab_json(&["cpu", "--work", "100000", "--trials", "1"]);
    assert!(report["speedup"].as_f64().unwrap() > 0.0);
    assert_eq!(
        report["cores"].as_u64().unwrap() as usize,
        std::thread::available_parallelism().unwrap().get()
    );
}

#[test]
fn race_json_has_expected_and_variants() {
    let report = TestEnv::new().lab_json(&["race", "--increments", "20000", "--trials", "3"]);
    assert_eq!(report["expected"], 40_000);
    let variants = report["variants"].as_array().unwrap();
    let names: Vec<&str> = variants
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["unsync", "mutex", "atomic"]);
    for v in &variants[1..] {
        assert_eq!(
            v["got"],
            serde_json::json!([40_000, 40_000, 40_000]),
            "{} is exact",
            v["name"]
        );
    }
    for got in variants[0]["got"].as_array().unwrap() {
        assert!(got.as_u64().unwrap() <= 40_000);
    }
}

#[test]
fn predict_scores_scripted_answers() {
    let report = TestEnv::new().lab_json(&[
        "predict",
        "--durations",
        "0.3,0.1,0.2",
        "--answers",
        "B,A,0.3",
    ]);
    assert_eq!(report["first"], "B");
    assert_eq!(report["last"], "A");
    assert_eq!(report["score"]["points"], 3);
    let report = TestEnv::new().lab_json(&[
        "predict",
        "--durations",
        "0.3,0.1,0.2",
        "--add",
        "0.05",
        "--answers",
        "B,A,0.6",
    ]);
    assert_eq!(report["first"], "D", "the added thread is D and shortest");
    assert_eq!(report["score"]["first_ok"], false);
    assert_eq!(
        report["score"]["total_ok"], false,
        "the sum is not the total"
    );
}

#[test]
fn predict_without_a_terminal_or_answers_says_how() {
    TestEnv::new()
        .cmd()
        .args(["lab", "predict", "--durations", "0.1"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--answers"));
}

#[test]
fn pool_bounds_the_overlap() {
    let report = TestEnv::new().lab_json(&["pool", "--workers", "10", "--latency", "30ms"]);
    assert_eq!(report["expected_pool_s"].as_f64().unwrap(), 0.09);
    let pool = &report["runs"][1];
    assert_eq!(pool["strategy"], "pool");
    assert!(pool["wall_s"].as_f64().unwrap() >= 0.09, "3 waves of 30 ms");
}

#[test]
fn async_runs_on_one_thread() {
    let report = TestEnv::new().lab_json(&["async", "--latency", "30ms"]);
    assert_eq!(report["task_threads"], 1);
    assert_eq!(report["run"]["files"], 30);
    assert!(
        report["run"]["wall_s"].as_f64().unwrap() < 0.6,
        "the waits overlap"
    );
}

#[test]
#[ignore = "slow: runs every experiment (about 3 s)"]
fn verdict_has_a_row_per_model() {
    let report = TestEnv::new().lab_json(&["verdict", "--latency", "10ms"]);
    let models: Vec<&str> = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["model"].as_str().unwrap())
        .collect();
    assert_eq!(models, ["threads", "pool", "async"]);
    for row in report["rows"].as_array().unwrap() {
        assert!(row["io_speedup"].as_f64().unwrap() > 1.0, "{row}");
    }
}
