//! A fixed pool of N worker threads, the Rust counterpart of Python's `ThreadPoolExecutor`:
//! at most N jobs are in flight, so 30 jobs of 0.1 s on 8 workers take ceil(30/8) x 0.1 s =
//! 0.4 s.
//!
//! The parallelism comes from N scoped threads taking jobs from one bounded channel that the
//! calling thread fills as it reads the notebook, so memory holds at most two batches per
//! worker whatever the size of the notebook (a batch is one job when jobs wait, a few dozen of
//! one format when they do not: see [`Batches`]).
//!
//! A plain channel rather than rayon: these jobs block (a write, a simulated wait), and a
//! work-stealing pool built for computation schedules blocked workers badly. With 4,096
//! workers and 60,000 jobs of 0.1 s, rayon's `par_bridge` took 53 s where this pool takes the
//! expected 1.5 s. rayon stays where it belongs, on the lab's CPU sums.

use std::sync::{Arc, Mutex, mpsc};
use std::thread;

use super::{Batch, Batches, Jobs, Strategy};
use crate::export::ExportError;
use crate::export::work::{Work, lock};

/// Workers when `--jobs` is not given and jobs wait (simulated latency): enough for the
/// lesson's 30 jobs to run in one wave, and far from any thread limit. Jobs that do not wait
/// get one worker per core ([`super::StrategyKind::default_concurrency`]).
pub const DEFAULT_WORKERS: usize = 32;

/// Stack of a worker: a job needs little (its render buffer is on the heap), and 4,096
/// workers at the default 2 MiB would reserve 8 GiB of address space.
const STACK_SIZE: usize = 256 * 1024;

/// Runs jobs on a pool of `workers` threads.
#[derive(Debug, Clone, Copy)]
pub struct Pool {
    /// Pool size N.
    pub workers: usize,
}

impl Strategy for Pool {
    fn run(&self, jobs: &mut Jobs<'_>, work: &Arc<Work>) -> Result<(), ExportError> {
        let (tx, rx) = mpsc::sync_channel::<Batch>(self.workers * 2);
        let rx = Mutex::new(rx);
        thread::scope(|scope| {
            for i in 0..self.workers {
                let rx = &rx;
                let spawned = thread::Builder::new()
                    .name(format!("pool-{i}"))
                    .stack_size(STACK_SIZE)
                    .spawn_scoped(scope, move || {
                        // The lock is held only to take a job (a separate statement: in a
                        // `while let` scrutinee the guard would live through the job and
                        // serialise the pool). `recv` fails once the channel is closed and
                        // empty, which ends the worker.
                        loop {
                            let next = lock(rx).recv();
                            let Ok(batch) = next else { break };
                            for job in batch {
                                if work.cancelled() {
                                    break;
                                }
                                work.run_blocking(job);
                            }
                        }
                    });
                if let Err(e) = spawned {
                    if i == 0 {
                        return Err(ExportError::Runtime(e));
                    }
                    // Fewer workers than asked is slower, not wrong.
                    break;
                }
            }
            let mut result = Ok(());
            for batch in Batches::new(jobs, work, false) {
                if work.cancelled() {
                    break;
                }
                match batch {
                    // The workers hold the receiver until the channel closes: send cannot fail.
                    Ok(batch) => {
                        if tx.send(batch).is_err() {
                            break;
                        }
                    }
                    Err(e) => {
                        result = Err(e.into());
                        break;
                    }
                }
            }
            drop(tx);
            result
        })
    }

    fn threads(&self, _jobs: u64) -> usize {
        self.workers
    }
}
