//! Workload `scale`: 100,000 notes x 3 formats (`--notes`), 100 ms of simulated I/O per file.
//!
//! Sequential would take jobs x 0.1 s (8 hours for 300,000 jobs): its time is computed, not
//! run, and marked so. One thread per job is run only where the machine can hold that many
//! threads, and otherwise reported as refused with the strategy's own reason. The pool gets
//! enough workers to finish in seconds ([`SCALE_POOL_WORKERS`]); async gets all 300,000 jobs
//! in flight ([`SCALE_ASYNC_IN_FLIGHT`]). Output is discarded by default (`--sink null`), so the disk is
//! not what is measured. With `--python`, Python's asyncio gathering as many sleeps is timed
//! right before each measured run of async ([`super::python`]): the `python-asyncio` row.

use std::cell::RefCell;

use super::{
    BenchConfig, BenchDir, BenchError, BenchResult, Measure, Report, Workload, clear, measure_all,
    python, speedups,
};
use crate::export::{ExportConfig, StrategyKind};

/// Pool workers for this workload: 300,000 jobs of 0.1 s take 300,000 / 4,096 x 0.1 s = 7.3 s,
/// and 4,096 threads are well inside the thread limits of a small machine.
pub const SCALE_POOL_WORKERS: usize = 4096;

/// Async's jobs in flight for this workload: every one of its 300,000, so that all of them
/// wait at once and the run is one wave of 0.1 s after the last write. Before async bounded
/// its notes read but not yet rendered (`RENDER_AHEAD` jobs, in
/// `strategy/asynchronous.rs`), each job in flight held its note until a worker rendered it,
/// about 660 bytes a job: 150,000 in flight took 0.311 s and 69 MB (two waves), 300,000
/// 0.26-0.28 s but 136 MB, over the 100 MB. With the bound, a waiting job holds only a
/// start instant and what its write did (40 bytes): 300,000 in flight peak at 20-32 MB
/// (medians of 7 runs, mimalloc, load 3-8, where wall times moved by 13-35%: 0.31-0.38 s
/// against 0.36-0.42 s for 150,000 side by side).
pub const SCALE_ASYNC_IN_FLIGHT: usize = 300_000;

pub(super) fn run(
    config: &BenchConfig,
    idle_threads: usize,
    report: &mut Report,
    progress: &mut dyn FnMut(&str),
) -> Result<(), BenchError> {
    let source = config.notes_source();
    let dir = BenchDir::new(config.dir.as_deref())?;
    let root = dir.path().to_path_buf();
    let jobs_override = config.jobs;
    // With --python: one Python run right before each measured run of async, side by side.
    let python_runs = RefCell::new(Ok(Vec::new()));
    let latency = config.latency;
    let prepare = |export: &mut ExportConfig, run: usize| {
        if let (Some(python), StrategyKind::Async, 1..) = (&config.python, export.strategy, run) {
            let jobs = crate::export::plan(&source, export)?.planned_jobs;
            let mut runs = python_runs.borrow_mut();
            if let Ok(done) = runs.as_mut() {
                match python::run_once(python, jobs, latency) {
                    Ok(figures) => done.push(figures),
                    Err(reason) => *runs = Err(reason),
                }
            }
        }
        clear(&root)?;
        export.out = root.join(format!("run-{run}-{}", export.strategy));
        if export.strategy == StrategyKind::Pool && jobs_override.is_none() {
            export.concurrency = Some(SCALE_POOL_WORKERS);
        }
        if export.strategy == StrategyKind::Async && jobs_override.is_none() {
            export.concurrency = Some(SCALE_ASYNC_IN_FLIGHT);
        }
        Ok(())
    };
    let base = ExportConfig {
        latency: config.latency,
        concurrency: config.jobs,
        sink: config.scale_sink,
        ..ExportConfig::new(dir.path())
    };
    let jobs = crate::export::plan(&source, &base)?.planned_jobs;
    let computed = BenchResult {
        workload: Workload::Scale,
        strategy: StrategyKind::Sequential.to_string(),
        jobs,
        concurrency: 1,
        wall_s: Some(jobs as f64 * config.latency.as_secs_f64()),
        wall_min_s: None,
        wall_max_s: None,
        runs: 0,
        speedup: None,
        efficiency: Some(1.0 / jobs.max(1) as f64),
        ideal_s: Some(config.latency.as_secs_f64()),
        files_per_s: Some(1.0 / config.latency.as_secs_f64().max(f64::MIN_POSITIVE)),
        peak_rss_bytes: None,
        threads: 1,
        computed: true,
        refused: None,
        failed: 0,
    };
    let measure = Measure {
        workload: Workload::Scale,
        source: &source,
        config: base,
        runs: config.runs,
        ideal_s: Some(config.latency.as_secs_f64()),
        prepare: &prepare,
        idle_threads,
        timeline: false,
    };
    let mut rows = measure_all(config, &measure, report, progress, Some(computed))?;
    if config.python.is_some() && config.strategies.contains(&StrategyKind::Async) {
        rows.push(python::row(python_runs.into_inner(), jobs, config.latency));
    }
    speedups(&mut rows);
    report.results.extend(rows);
    Ok(())
}
