//! `smartnotes lab`: every experiment's CLI entry, with short durations so the suite stays quick.

use crate::common::TestEnv;
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
                r"(?s)starting [AB].*starting [AB].*done B.*done A.*total 0\.[6-9]",
            )
            .unwrap(),
        );
    let report = TestEnv::new().lab_json(&["threads", "--durations", "0.6,0.3"]);
    let f = |k: &str| report[k].as_f64().unwrap();
    assert_eq!(report["durations_s"], serde_json::json!([0.6, 0.3]));
    assert_eq!((f("sum_s"), f("longest_s")), (0.6 + 0.3, 0.6));
    let events = report["events"].as_array().unwrap();
    let steps: Vec<(&str, &str)> = events
        .iter()
        .map(|e| (e["what"].as_str().unwrap(), e["task"].as_str().unwrap()))
        .collect();
    assert_eq!(
        steps[2..],
        [("done", "B"), ("done", "A")],
        "the shorter task ends first"
    );
    // Exact lower bounds: each task ends at least its wait after the start, and the total
    // (run_threaded's, which joins every thread) at least the longest wait.
    let at = |i: usize| events[i]["at_s"].as_f64().unwrap();
    assert!(at(2) >= 0.3 && at(3) >= 0.6, "{report}");
    assert_eq!(f("last_done_s"), at(3));
    assert!(f("total_s") >= 0.6, "{report}");
}

#[test]
fn threads_overlap_their_waits_instead_of_adding_them() {
    // Two waits of 0.5 s: the total is at least 0.5 s (exact), and under the sum (1.0 s) by a
    // margin a loaded machine keeps (the threads start within milliseconds of each other).
    let report = TestEnv::new().lab_json(&["threads", "--durations", "0.5,0.5"]);
    let total = report["total_s"].as_f64().unwrap();
    assert!((0.5..0.95).contains(&total), "{report}");
}

#[test]
fn threads_without_join_reports_before_the_tasks_end() {
    let report = TestEnv::new().lab_json(&["threads", "--durations", "0.2", "--no-join"]);
    assert_eq!(report["joined"], false);
    assert!(report["total_s"].as_f64().unwrap() < 0.2);
    assert!(report["last_done_s"].as_f64().unwrap() >= 0.2);
}

/// Whether two figures are equal but for the last digit (serde_json may round a float it
/// reads back by one unit in the last place).
fn same(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs())
}

/// The figures of one I/O run of the lab: `(strategy, concurrency, files, wall_s, speedup)`.
fn run_figures(run: &Value) -> (&str, u64, u64, f64, f64) {
    (
        run["strategy"].as_str().unwrap(),
        run["concurrency"].as_u64().unwrap(),
        run["files"].as_u64().unwrap(),
        run["wall_s"].as_f64().unwrap(),
        run["speedup"].as_f64().unwrap(),
    )
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
    assert_eq!(
        (report["notes"].as_u64(), report["jobs"].as_u64()),
        (Some(10), Some(30))
    );
    assert_eq!(report["latency_s"], 0.02);
    let runs: Vec<_> = report["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(run_figures)
        .collect();
    let names: Vec<&str> = runs.iter().map(|r| r.0).collect();
    assert_eq!(names, ["sequential", "threads", "pool", "async"]);
    let sequential_s = runs[0].3;
    // Exact lower bounds: sequential waits 30 x 20 ms in turn; the others at least one wait.
    assert!(sequential_s >= 0.6, "{report}");
    for &(strategy, concurrency, files, wall_s, speedup) in &runs {
        assert_eq!(files, 30, "{strategy}");
        assert!(wall_s >= 0.02, "{strategy}: {wall_s}");
        assert!(
            same(speedup, sequential_s / wall_s),
            "{strategy}: {speedup} is over the measured sequential"
        );
        // Each strategy's default N: one job at a time, one thread per job, the pool's 32
        // workers but never more than the 30 jobs, async's 100,000 tasks in flight.
        let expected_n = match strategy {
            "sequential" => 1,
            "threads" | "pool" => 30,
            _ => 100_000,
        };
        assert_eq!(concurrency, expected_n, "{strategy}");
    }
    // Generous: the overlapped run need only beat half the sum, even on a loaded machine.
    assert!(runs[3].4 > 2.0);
    for strategy in names {
        assert_eq!(
            crate::common::tree(&env.path(&format!("lab-out/{strategy}"))).len(),
            30,
            "{strategy}: real files were written"
        );
    }
}

#[test]
fn cpu_reports_the_two_sums_and_the_n_sums_with_consistent_figures() {
    let report =
        TestEnv::new().lab_json(&["cpu", "--work", "100000", "--trials", "1", "--threads", "3"]);
    let cores = std::thread::available_parallelism().unwrap().get();
    assert_eq!(report["cores"].as_u64().unwrap() as usize, cores);
    assert_eq!(
        (report["work"].as_u64(), report["trials"].as_u64()),
        (Some(100_000), Some(1))
    );
    assert!(report["rounds"].as_u64().unwrap() >= 1);
    let (two, n) = (&report["two"], &report["n"]);
    assert_eq!(
        (two["threads"].as_u64(), n["threads"].as_u64()),
        (Some(2), Some(3))
    );
    for c in [two, n] {
        let f = |k: &str| c[k].as_f64().unwrap();
        assert!(f("sequential_s") > 0.0 && f("threaded_s") > 0.0, "{c}");
        assert!(
            same(f("speedup"), f("sequential_s") / f("threaded_s")),
            "{c}"
        );
    }
    assert_eq!(
        report["speedup"], two["speedup"],
        "the headline is the two-sum speedup"
    );
}

#[test]
fn race_mutex_and_atomic_are_exact_and_the_books_of_unsync_balance() {
    let report = TestEnv::new().lab_json(&["race", "--increments", "20000", "--trials", "3"]);
    assert_eq!(report["expected"], 40_000);
    assert_eq!(report["gap"], "yield", "the widened window is the default");
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
        assert_eq!(v["lossy_trials"], 0);
    }
    let got: Vec<u64> = variants[0]["got"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g.as_u64().unwrap())
        .collect();
    assert_eq!(got.len(), 3);
    assert!(got.iter().all(|&g| (2..=40_000).contains(&g)), "{got:?}");
    assert_eq!(
        variants[0]["lossy_trials"].as_u64().unwrap() as usize,
        got.iter().filter(|&&g| g != 40_000).count()
    );
}

/// The race must show on a busy machine too (issue 11: 0 of 10 trials lost an update while a
/// build kept both cores busy). With `--gap yield` (the default) each increment of `unsync` is
/// read, yield, write, and nearly all of a thread's time is spent inside that window. So:
/// - if the two threads ever run at the same moment on two cores, the other's writes land in
///   the window and are overwritten: updates are lost;
/// - if they share one core, the yield hands it to the other thread between a read and a
///   write, exactly as an interpreter's thread switch does: the other's increments are lost
///   when the first writes back.
///
/// A trial loses nothing only if one thread ran its whole loop of 300,000 yields (as many
/// system calls: at least 15 ms at 50 ns a call, about 30 ms on a quiet machine here, seconds
/// on a busy one, where each yield switches threads) while the other, runnable since the
/// barrier both started from, never got a core: Linux's scheduler gives a runnable thread the
/// CPU within a few milliseconds (a slice of about 3 ms per runnable thread ahead of it), and
/// the busier the machine, the longer the loop. All three trials missing would take three
/// such starvations in a row. This asserts no time, only the count.
#[test]
fn race_loses_updates_with_the_widened_window_even_on_a_busy_machine() {
    let report = TestEnv::new().lab_json(&[
        "race",
        "--variant",
        "unsync",
        "--increments",
        "300000",
        "--trials",
        "3",
    ]);
    let unsync = &report["variants"][0];
    assert_eq!(unsync["name"], "unsync");
    assert!(
        unsync["lossy_trials"].as_u64().unwrap() >= 1,
        "no trial lost an update: {unsync}"
    );
}

#[test]
fn race_reports_how_many_trials_lost_and_the_gap() {
    let out = TestEnv::new()
        .cmd()
        .args(["lab", "race", "--variant", "unsync,atomic", "--gap", "none"])
        .args(["--increments", "1000", "--trials", "2"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("unsync's gap between its read and its write: none"),
        "{text}"
    );
    assert!(
        predicate::str::is_match(r"\nunsync lost updates in [0-2] of 2 trials\n")
            .unwrap()
            .eval(&text),
        "{text}"
    );
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
    assert_eq!(report["jobs"], 30);
    assert_eq!(report["workers"], 10);
    assert_eq!(
        report["expected_pool_s"].as_f64().unwrap(),
        0.09,
        "ceil(30 / 10) x 30 ms"
    );
    let runs: Vec<_> = report["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(run_figures)
        .collect();
    let (threads, pool) = (runs[0], runs[1]);
    assert_eq!((threads.0, threads.1, threads.2), ("threads", 30, 30));
    assert_eq!((pool.0, pool.1, pool.2), ("pool", 10, 30));
    assert!(threads.3 >= 0.03, "one wave of 30 ms: {}", threads.3);
    assert!(pool.3 >= 0.09, "3 waves of 30 ms: {}", pool.3);
    for run in [threads, pool] {
        assert!(
            same(run.4, 30.0 * 0.03 / run.3),
            "{}: speedup over 30 x 30 ms",
            run.0
        );
    }
}

#[test]
fn async_runs_on_one_thread() {
    let report = TestEnv::new().lab_json(&["async", "--latency", "30ms"]);
    assert_eq!(report["task_threads"], 1);
    let (strategy, _, files, wall_s, speedup) = run_figures(&report["run"]);
    assert_eq!((strategy, files), ("async (current thread)", 30));
    assert!(wall_s >= 0.03, "at least one wait: {wall_s}");
    assert!(
        wall_s < 0.6,
        "the waits overlap (the sum is 0.9 s): {wall_s}"
    );
    assert!(same(speedup, 30.0 * 0.03 / wall_s), "{speedup}");
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
