//! Experiment `pool`: one thread per file against a pool of N workers (Python's
//! `ThreadPoolExecutor`).
//!
//! A pool runs at most N jobs at once, so 30 jobs of 0.1 s take about ceil(30 / N) x 0.1 s:
//! N bounds the overlap, and with it the threads, memory and open files an export can use.

use std::path::Path;
use std::time::Duration;

use serde::Serialize;

use super::lesson_export::{Run, lesson_export};
use crate::export::{AsyncRuntime, ExportError, StrategyKind};
use crate::sys::counted;

/// What `lab pool` measured.
#[derive(Debug, Clone, Serialize)]
pub struct PoolReport {
    /// Files per run.
    pub jobs: u64,
    /// Pool size N.
    pub workers: usize,
    /// Simulated latency per file, seconds.
    pub latency_s: f64,
    /// ceil(jobs / N) x latency: what the pool should take.
    pub expected_pool_s: f64,
    /// Thread per file, then the pool (speedups over jobs x latency).
    pub runs: Vec<Run>,
}

/// Runs the lesson's export with a thread per file and with a pool of `workers`.
pub fn run(out: &Path, workers: usize, latency: Duration) -> Result<PoolReport, ExportError> {
    let mut runs = Vec::new();
    let mut jobs = 0;
    for (strategy, n) in [
        (StrategyKind::Threads, None),
        (StrategyKind::Pool, Some(workers.max(1))),
    ] {
        let s = lesson_export(out, strategy, n, AsyncRuntime::MultiThread, latency)?;
        jobs = s.planned_jobs;
        let sequential = s.planned_jobs as f64 * latency.as_secs_f64();
        runs.push(Run {
            strategy: strategy.name().to_owned(),
            concurrency: s.concurrency,
            files: s.files,
            wall_s: s.wall_s,
            speedup: sequential / s.wall_s,
        });
    }
    let waves = (jobs as f64 / workers.max(1) as f64).ceil();
    Ok(PoolReport {
        jobs,
        workers,
        latency_s: latency.as_secs_f64(),
        expected_pool_s: waves * latency.as_secs_f64(),
        runs,
    })
}

impl std::fmt::Display for PoolReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "{} files, {:.0} ms of simulated I/O each; speedup over {} x {:.1} s\n",
            self.jobs,
            self.latency_s * 1e3,
            self.jobs,
            self.latency_s
        )?;
        super::lesson_export::table(f, &self.runs)?;
        writeln!(
            f,
            "\nexpected for the pool: ceil({} / {}) x {:.1} s = {:.2} s",
            self.jobs, self.workers, self.latency_s, self.expected_pool_s
        )?;
        writeln!(f, "\nwhat this shows:")?;
        writeln!(
            f,
            "  The pool never runs more than N = {} at once, so the export takes",
            counted(self.workers as u64, "job", "jobs")
        )?;
        writeln!(
            f,
            "  ceil(jobs / N) rounds of the latency. That bound is the point: a pool caps threads,"
        )?;
        writeln!(
            f,
            "  memory and open files however large the notebook, where one thread per file does not."
        )
    }
}
