//! Python's asyncio gathering the same sleeps as the scale workload, timed by the same bench
//! run (`smartnotes bench --workload scale --python`), so that the ratio the issue asks for
//! (async against `asyncio.gather` of as many 100 ms sleeps) is measured side by side, under
//! the same load, instead of quoted from another day.
//!
//! Each run is a fresh `python3` process (so its peak memory is its own) running a few lines
//! of the standard library: `asyncio.run` of `asyncio.gather` over one `asyncio.sleep(latency)`
//! per job, timed inside the process from before the coroutines are made to after the last
//! one ends; it prints its wall time and `ru_maxrss` as JSON. Python does no rendering here:
//! it is the cost of the waits alone, the floor of any asyncio program with that many jobs.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use super::{BenchResult, Workload};

/// The strategy name of Python's row in the report.
pub const PYTHON_ASYNCIO: &str = "python-asyncio";

/// What each Python process runs: `argv[1]` sleeps of `argv[2]` seconds, gathered.
const SCRIPT: &str = r#"
import asyncio, json, resource, sys, time
n, latency = int(sys.argv[1]), float(sys.argv[2])
async def main():
    await asyncio.gather(*(asyncio.sleep(latency) for _ in range(n)))
start = time.perf_counter()
asyncio.run(main())
wall = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"wall_s": wall, "peak_rss_bytes": rss}))
"#;

/// One timed run: wall seconds and peak RSS bytes, or why it could not run.
pub(super) fn run_once(python: &Path, jobs: u64, latency: Duration) -> Result<(f64, u64), String> {
    let out = Command::new(python)
        .args([
            "-c",
            SCRIPT,
            &jobs.to_string(),
            &latency.as_secs_f64().to_string(),
        ])
        .output()
        .map_err(|e| format!("{} could not be started: {e}", python.display()))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let last = stderr.lines().last().unwrap_or_default();
        return Err(format!(
            "{} failed ({}): {last}",
            python.display(),
            out.status
        ));
    }
    let value: serde_json::Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("{} printed no JSON: {e}", python.display()))?;
    match (value["wall_s"].as_f64(), value["peak_rss_bytes"].as_u64()) {
        (Some(wall), Some(rss)) => Ok((wall, rss)),
        _ => Err(format!(
            "{} printed {value} without wall_s and peak_rss_bytes",
            python.display()
        )),
    }
}

/// Python's row, from the walls and peak memories of its runs (or why it could not run).
pub(super) fn row(
    runs: Result<Vec<(f64, u64)>, String>,
    jobs: u64,
    latency: Duration,
) -> BenchResult {
    let ideal = latency.as_secs_f64();
    let mut row = BenchResult {
        workload: Workload::Scale,
        strategy: PYTHON_ASYNCIO.to_owned(),
        jobs,
        concurrency: jobs as usize,
        wall_s: None,
        wall_min_s: None,
        wall_max_s: None,
        runs: 0,
        speedup: None,
        efficiency: None,
        ideal_s: Some(ideal),
        files_per_s: None,
        peak_rss_bytes: None,
        threads: 1,
        computed: false,
        refused: None,
        failed: 0,
    };
    match runs {
        Ok(runs) if !runs.is_empty() => {
            let mut walls: Vec<f64> = runs.iter().map(|r| r.0).collect();
            walls.sort_by(f64::total_cmp);
            let median = walls[walls.len() / 2];
            row.wall_s = Some(median);
            row.wall_min_s = walls.first().copied();
            row.wall_max_s = walls.last().copied();
            row.runs = walls.len();
            row.efficiency = Some(ideal / median);
            row.files_per_s = Some(jobs as f64 / median);
            row.peak_rss_bytes = runs.iter().map(|r| r.1).max();
        }
        Ok(_) => row.refused = Some("no run".into()),
        Err(reason) => row.refused = Some(reason),
    }
    row
}
