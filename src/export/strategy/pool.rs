//! A fixed pool of N worker threads (rayon), the Rust counterpart of Python's
//! `ThreadPoolExecutor`: at most N jobs are in flight, so 30 jobs of 0.1 s on 8 workers take
//! ceil(30/8) x 0.1 s = 0.4 s.
//!
//! The parallelism comes from rayon's N threads taking jobs from a bounded channel that the
//! calling thread fills as it reads the notebook (`par_bridge`), so memory holds at most a few
//! jobs per worker whatever the size of the notebook.

use std::sync::Arc;
use std::sync::mpsc;

use rayon::iter::{ParallelBridge, ParallelIterator};

use super::{Jobs, Strategy};
use crate::export::ExportError;
use crate::export::work::Work;

/// Workers when `--jobs` is not given: enough for the lesson's 30 jobs to run in one wave, and
/// far from any thread limit. Jobs that wait (latency) want many workers; jobs that compute
/// (tmpfs, no latency) want one per core, and 32 costs them little (see the README).
pub const DEFAULT_WORKERS: usize = 32;

/// Runs jobs on a pool of `workers` threads.
#[derive(Debug, Clone, Copy)]
pub struct Pool {
    /// Pool size N.
    pub workers: usize,
}

impl Strategy for Pool {
    fn run(&self, jobs: &mut Jobs<'_>, work: &Arc<Work>) -> Result<(), ExportError> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(self.workers)
            .thread_name(|i| format!("pool-{i}"))
            .build()
            .map_err(|e| ExportError::Runtime(std::io::Error::other(e)))?;
        let (tx, rx) = mpsc::sync_channel(self.workers * 4);
        pool.in_place_scope(|scope| {
            scope.spawn(|_| {
                rx.into_iter()
                    .par_bridge()
                    .for_each(|job| work.run_blocking(job));
            });
            for job in jobs {
                if work.cancelled() {
                    break;
                }
                // The workers only stop taking jobs when the channel closes: send cannot fail.
                if tx.send(job?).is_err() {
                    break;
                }
            }
            drop(tx);
            Ok(())
        })
    }

    fn threads(&self, _jobs: u64) -> usize {
        self.workers
    }
}
