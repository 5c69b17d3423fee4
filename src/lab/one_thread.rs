//! Experiment `async`: the lesson's export as tasks on a current-thread tokio runtime.
//!
//! One OS thread runs every task; a task that waits for its (simulated) I/O yields at the
//! `.await`, and the thread moves on to the next. All 30 waits overlap on one thread: the
//! lesson's recommended tool for I/O, and the one that scales to hundreds of thousands of
//! waits.

use std::path::Path;
use std::time::Duration;

use serde::Serialize;

use super::lesson_export::{Run, lesson_export};
use crate::export::{AsyncRuntime, ExportError, StrategyKind};
use crate::resources::{os_threads, peak_threads_during};

/// What `lab async` measured.
#[derive(Debug, Clone, Serialize)]
pub struct AsyncReport {
    /// Files written.
    pub jobs: u64,
    /// Simulated latency per file, seconds.
    pub latency_s: f64,
    /// The run, speedup over jobs x latency.
    pub run: Run,
    /// OS threads in the process before the export.
    pub threads_before: usize,
    /// Most OS threads in the process seen during the export, the sampler included.
    pub threads_peak: usize,
    /// Threads that ran tasks: the runtime's only thread, the calling one.
    pub task_threads: usize,
}

/// Runs the lesson's export on a current-thread runtime.
pub fn run(out: &Path, latency: Duration) -> Result<AsyncReport, ExportError> {
    let threads_before = os_threads();
    let (summary, threads_peak) = peak_threads_during(|| {
        lesson_export(
            out,
            StrategyKind::Async,
            None,
            AsyncRuntime::CurrentThread,
            latency,
        )
    });
    let s = summary?;
    let sequential = s.planned_jobs as f64 * latency.as_secs_f64();
    Ok(AsyncReport {
        jobs: s.planned_jobs,
        latency_s: latency.as_secs_f64(),
        run: Run {
            strategy: "async (current thread)".into(),
            concurrency: s.concurrency,
            files: s.files,
            wall_s: s.wall_s,
            speedup: sequential / s.wall_s,
        },
        threads_before,
        threads_peak,
        task_threads: 1,
    })
}

impl std::fmt::Display for AsyncReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "{} files, {:.0} ms of simulated I/O each, as tasks on a current-thread tokio runtime\n",
            self.jobs,
            self.latency_s * 1e3
        )?;
        super::lesson_export::table(f, std::slice::from_ref(&self.run))?;
        writeln!(
            f,
            "\nOS threads: {} before; at most {} during the export, counting the sampler that counts them;",
            self.threads_before, self.threads_peak
        )?;
        writeln!(
            f,
            "tasks ran on {} thread (the calling one).",
            self.task_threads
        )?;
        writeln!(f, "\nwhat this shows:")?;
        writeln!(
            f,
            "  One thread, {} overlapping waits: a task that waits yields at `.await` and the",
            self.jobs
        )?;
        writeln!(
            f,
            "  thread runs another. A waiting task costs a few hundred bytes, a waiting thread a stack"
        )?;
        writeln!(
            f,
            "  and a kernel task, which is why async is the tool for many waits and threads are not."
        )
    }
}
