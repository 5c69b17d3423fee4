//! Tasks on a tokio runtime: one task per job, at most N in flight, the latency waited with a
//! timer instead of a sleeping thread.
//!
//! The parallelism comes from overlap, not threads: a task that waits holds no thread, so one
//! OS thread can keep hundreds of thousands of waits in flight (a waiting task costs a few
//! hundred bytes against a thread's stack). The calling thread reads the notebook and spawns
//! tasks, taking a semaphore permit for each, so at most N tasks exist at once and memory
//! stays bounded whatever the size of the notebook. A wait ends early when the export is
//! aborted ([`crate::export::Cancel::abort`]).
//!
//! The write itself is a plain `std::fs` call inside the task. `tokio::fs` would send each
//! call through `spawn_blocking`, which costs more than writing a small file (tokio#3664
//! measured 25-64x slower for many small files); a small write blocks a worker for a few
//! microseconds, which is the cheaper trade.

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::Semaphore;

use super::batches::Batches;
use super::contract::{Jobs, Strategy};
use crate::export::error::ExportError;
use crate::export::work::Work;
use crate::sys::cores;

/// Tasks in flight when none are asked for: 100,000 simulated waits at once cost about
/// 50 MB, and the lesson's 30 or a notebook's 300,000 jobs finish in one to three waves.
pub(crate) const DEFAULT_IN_FLIGHT: usize = 100_000;

/// Which tokio runtime the `async` strategy runs its tasks on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum AsyncRuntime {
    /// One worker per core: rendering runs in parallel too.
    #[default]
    MultiThread,
    /// Everything on the calling thread: the lesson's "one thread, many tasks".
    CurrentThread,
}

impl AsyncRuntime {
    /// OS threads the runtime runs tasks on, beside the calling thread.
    pub(crate) fn threads(self) -> usize {
        match self {
            AsyncRuntime::MultiThread => cores(),
            AsyncRuntime::CurrentThread => 0,
        }
    }

    fn build(self) -> std::io::Result<tokio::runtime::Runtime> {
        match self {
            AsyncRuntime::MultiThread => tokio::runtime::Builder::new_multi_thread()
                .worker_threads(cores())
                .thread_name("async-worker")
                .enable_time()
                .build(),
            AsyncRuntime::CurrentThread => tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .build(),
        }
    }
}

/// Runs jobs as tokio tasks.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Async {
    /// At most this many tasks in flight (N).
    pub(crate) in_flight: usize,
    /// The runtime.
    pub(crate) runtime: AsyncRuntime,
}

impl Strategy for Async {
    fn run(&self, jobs: &mut Jobs<'_>, work: &Arc<Work>) -> Result<(), ExportError> {
        let runtime = self.runtime.build().map_err(ExportError::Runtime)?;
        let permits = self
            .in_flight
            .clamp(1, Semaphore::MAX_PERMITS.min(u32::MAX as usize));
        runtime.block_on(async {
            let semaphore = Arc::new(Semaphore::new(permits));
            let mut result = Ok(());
            for batch in Batches::new(jobs, work, true) {
                if work.must_stop() {
                    break;
                }
                let batch = match batch {
                    Ok(batch) => batch,
                    Err(e) => {
                        result = Err(e.into());
                        break;
                    }
                };
                // A permit per job, so N counts jobs whatever the batch size. The semaphore
                // is never closed, so acquiring cannot fail.
                let Ok(permit) = semaphore
                    .clone()
                    .acquire_many_owned(batch.len().min(permits) as u32)
                    .await
                else {
                    break;
                };
                let work = Arc::clone(work);
                if !work.latency().is_zero() {
                    // Waiting jobs, one per task, or many sharing one timer (see `Batches`):
                    // each job's wait starts after its own write, and all end with the last.
                    tokio::spawn(async move {
                        let mut done = Vec::with_capacity(batch.len());
                        for job in batch {
                            done.push((Instant::now(), work.execute(job)));
                        }
                        work.cancel().sleep_async(work.latency()).await;
                        for (started, executed) in done {
                            work.record(started, executed);
                        }
                        drop(permit);
                    });
                } else {
                    // Jobs that do not wait: a batch per task, so a task's cost is paid once
                    // per batch, not once per file.
                    tokio::spawn(async move {
                        for job in batch {
                            if work.must_stop() {
                                break;
                            }
                            work.run_blocking(job);
                        }
                        drop(permit);
                    });
                }
            }
            // Every task holds a permit until it has recorded: taking them all back means
            // every task has finished.
            let _all = semaphore.acquire_many(permits as u32).await;
            result
        })
    }
}
