//! `smartnotes bench --workload scale --python`: Python's asyncio gathering as many sleeps as
//! the workload has jobs, timed in the same run (the `python-asyncio` row) and compared with
//! async under the table. No speed is asserted: the wall times are checked against the exact
//! lower bound the simulated latency gives, and the derived figures against the walls.

use crate::common::TestEnv;
use serde_json::Value;

const SCALE: [&str; 10] = [
    "bench",
    "--workload",
    "scale",
    "--notes",
    "10",
    "--latency",
    "20ms",
    "--strategies",
    "async",
    "--runs",
];

fn bench(env: &TestEnv, extra: &[&str]) -> std::process::Output {
    let out = env.cmd().args(SCALE).arg("2").args(extra).output().unwrap();
    assert!(
        out.status.success(),
        "bench {extra:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn row<'a>(report: &'a Value, strategy: &str) -> Option<&'a Value> {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["workload"] == "scale" && r["strategy"] == strategy)
}

#[test]
fn python_asyncio_is_timed_in_the_same_run_with_its_figures_from_its_walls() {
    let env = TestEnv::new();
    let out = bench(&env, &["--python", "--json", "-q"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let python = row(&report, "python-asyncio").expect("a python-asyncio row");
    let f = |k: &str| {
        python[k]
            .as_f64()
            .unwrap_or_else(|| panic!("{k} in {python}"))
    };
    assert_eq!(python["jobs"], 30, "{python}");
    assert_eq!(
        python["runs"], 2,
        "one Python run per measured async run: {python}"
    );
    assert!(python["refused"].is_null(), "{python}");
    // Every sleep lasts the latency: no run can be shorter.
    assert!(f("wall_min_s") >= 0.020, "{python}");
    assert!(f("wall_min_s") <= f("wall_s") && f("wall_s") <= f("wall_max_s"));
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs());
    assert!(close(f("files_per_s"), 30.0 / f("wall_s")), "{python}");
    assert!(close(f("efficiency"), 0.020 / f("wall_s")), "{python}");
    assert!(
        f("peak_rss_bytes") > 1e6,
        "a Python process takes megabytes: {python}"
    );
    assert!(row(&report, "async").is_some());
}

#[test]
fn the_table_says_how_many_times_faster_async_is_than_python() {
    let env = TestEnv::new();
    let text = String::from_utf8(bench(&env, &["--python", "-q"]).stdout).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("scale: async "))
        .unwrap_or_else(|| panic!("no comparison line in\n{text}"));
    assert!(
        line.contains("against Python asyncio gathering the same 30 sleeps")
            && line.contains("x faster")
            && line.contains("x less memory"),
        "{line}"
    );
}

#[test]
fn a_python_that_cannot_run_is_a_refused_row_naming_it_and_none_is_asked_by_default() {
    let env = TestEnv::new();
    let out = bench(&env, &["--python", "/nonexistent/python3", "--json", "-q"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let python = row(&report, "python-asyncio").expect("a python-asyncio row");
    let reason = python["refused"].as_str().unwrap_or_default();
    assert!(reason.contains("/nonexistent/python3"), "{python}");
    assert!(python["wall_s"].is_null());

    let out = bench(&env, &["--json", "-q"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        row(&report, "python-asyncio").is_none(),
        "no --python, no row"
    );
}
