//! A fixed pool of N worker threads, the Rust counterpart of Python's `ThreadPoolExecutor`:
//! at most N jobs are in flight, so 30 jobs of 0.1 s on 8 workers take ceil(30/8) x 0.1 s =
//! 0.4 s.
//!
//! The parallelism comes from N scoped threads taking jobs from one bounded channel that the
//! calling thread fills as it reads the notebook, so memory holds at most two batches per
//! worker whatever the size of the notebook (a batch is one job when jobs wait, a few dozen of
//! one format when they do not: see [`Batches`]). Every worker is started before the first
//! job is sent: if the kernel refuses one, the export ends with that error and nothing
//! written, instead of an abort or a silently smaller pool. N never exceeds the jobs, nor what
//! the machine can hold ([`super::StrategyKind::admit`]).
//!
//! A plain channel rather than rayon: these jobs block (a write, a simulated wait), and a
//! work-stealing pool built for computation schedules blocked workers badly. With 4,096
//! workers and 60,000 jobs of 0.1 s, rayon's `par_bridge` took 53 s where this pool takes the
//! expected 1.5 s. rayon stays where it belongs, on the lab's CPU sums.

use std::sync::{Arc, Mutex, mpsc};
use std::thread;

use super::batches::{Batch, Batches};
use super::contract::{Jobs, Strategy};
use crate::export::error::ExportError;
use crate::export::work::Work;
use crate::sys::{STACK_SIZE, lock};

/// Workers when none are asked for and jobs wait (simulated latency): enough for the
/// lesson's 30 jobs to run in one wave, and far from any thread limit. Jobs that do not wait
/// get one worker per core ([`super::StrategyKind::default_concurrency`]).
pub(crate) const DEFAULT_WORKERS: usize = 32;

/// Runs jobs on a pool of `workers` threads.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pool {
    /// Pool size N.
    pub(crate) workers: usize,
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
                                if work.must_stop() {
                                    break;
                                }
                                work.run_blocking(job);
                            }
                        }
                    });
                if let Err(source) = spawned {
                    // Dropping the sender ends the workers already started.
                    drop(tx);
                    return Err(ExportError::Spawn {
                        what: format!("pool worker {} of {}", i + 1, self.workers),
                        source,
                    });
                }
            }
            let mut result = Ok(());
            for batch in Batches::new(jobs, work, false) {
                if work.must_stop() {
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
}
