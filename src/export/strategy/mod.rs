//! The four ways of running the same jobs: one enum, one trait, one file each.
//!
//! Every strategy receives the jobs as a stream produced on the calling thread (which reads
//! the notebook) and hands each one to [`Work`], which renders and writes it. They differ only
//! in how many jobs are in flight at once and what waits: the calling thread
//! ([`sequential`]), one OS thread per job ([`threads`]), a fixed pool of threads ([`pool`]),
//! or tasks on a tokio runtime ([`asynchronous`]). Because the jobs and the rendering are the
//! same, so are the bytes written.

pub mod asynchronous;
pub mod pool;
pub mod sequential;
pub mod threads;

use std::collections::VecDeque;
use std::sync::Arc;

use serde::Serialize;

use super::ExportError;
use super::work::{Job, JobKind, Work};
use crate::format::Format;
use crate::store::StoreError;

/// The jobs of an export, as the strategies receive them.
pub type Jobs<'a> = dyn Iterator<Item = Result<Job, StoreError>> + 'a;

/// How the jobs of an export are run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum StrategyKind {
    /// One job after another on one thread: the baseline.
    Sequential,
    /// One OS thread per job, all started at once, as in the lesson. Refused beyond what the
    /// machine can hold.
    Threads,
    /// A fixed pool of N worker threads: at most N jobs at once.
    Pool,
    /// Tasks on a tokio runtime: at most N in flight, latency waited with timers.
    Async,
}

impl StrategyKind {
    /// Every strategy, in the order of the lesson.
    pub const ALL: [StrategyKind; 4] = [
        StrategyKind::Sequential,
        StrategyKind::Threads,
        StrategyKind::Pool,
        StrategyKind::Async,
    ];

    /// The strategy used when none is named; see the README's "Choosing a strategy".
    pub const DEFAULT: StrategyKind = StrategyKind::Async;

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            StrategyKind::Sequential => "sequential",
            StrategyKind::Threads => "threads",
            StrategyKind::Pool => "pool",
            StrategyKind::Async => "async",
        }
    }

    /// The concurrency N used when `--jobs` is not given, for an export of `jobs` jobs that
    /// each wait `latency` (simulated) after their write.
    pub fn default_concurrency(self, jobs: u64, latency: std::time::Duration) -> usize {
        let n = match self {
            StrategyKind::Sequential => 1,
            StrategyKind::Threads => jobs as usize,
            // Jobs that wait want many workers, jobs that only compute and write want one per
            // core: more only take turns on the cores and on the folder locks (300,000 files
            // to tmpfs: 149k files/s on 2 workers, 125k/s on 32).
            StrategyKind::Pool if latency.is_zero() => crate::lab::cores(),
            StrategyKind::Pool => pool::DEFAULT_WORKERS,
            StrategyKind::Async => asynchronous::DEFAULT_IN_FLIGHT,
        };
        n.max(1)
    }

    /// The strategy itself, running at most `concurrency` jobs at once.
    pub(crate) fn build(
        self,
        concurrency: usize,
        runtime: asynchronous::Flavor,
    ) -> Box<dyn Strategy> {
        match self {
            StrategyKind::Sequential => Box::new(sequential::Sequential),
            StrategyKind::Threads => Box::new(threads::Threads),
            StrategyKind::Pool => Box::new(pool::Pool {
                workers: concurrency,
            }),
            StrategyKind::Async => Box::new(asynchronous::Async {
                in_flight: concurrency,
                flavor: runtime,
            }),
        }
    }
}

impl std::fmt::Display for StrategyKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A way of running jobs.
///
/// Contract: `run` takes every job from `jobs` until it ends, fails or [`Work::cancelled`] turns
/// true, passes each to [`Work::execute`] exactly once, waits [`Work::latency`] after it, and
/// then passes the outcome to [`Work::record`]. It returns only when every job it started has
/// been recorded. A read error from `jobs` stops scheduling and is returned once the jobs in
/// flight are done.
pub trait Strategy {
    /// Refuses, before anything is written, an export this strategy cannot hold.
    fn admit(&self, _jobs: u64) -> Result<(), ExportError> {
        Ok(())
    }

    /// Runs the jobs.
    fn run(&self, jobs: &mut Jobs<'_>, work: &Arc<Work>) -> Result<(), ExportError>;

    /// OS threads this strategy runs jobs on, beside the calling thread, for `jobs` jobs.
    fn threads(&self, jobs: u64) -> usize;
}

/// Jobs handed to one worker at once.
pub type Batch = Vec<Job>;

/// Jobs read per batch when jobs do not wait: about 32 notes' worth in three formats.
pub const BATCH_JOBS: usize = 96;

/// Jobs per batch when jobs wait and can share one timer (async only), for exports of more
/// than [`SHARED_WAIT_ABOVE`] jobs.
pub const SHARED_WAIT_JOBS: usize = 8;

/// Exports with more jobs than this let async tasks carry [`SHARED_WAIT_JOBS`] waiting jobs.
/// Below it (the lesson's 30 jobs, any timeline worth drawing) every job has its own task.
pub const SHARED_WAIT_ABOVE: u64 = 10_000;

/// The jobs of an export grouped for the workers of [`pool`] and [`asynchronous`].
///
/// Jobs that only compute and write come in batches of one format: a worker wakes once per
/// batch instead of once per file, and two workers mostly write into different format folders
/// at the same moment. The second matters more than it seems: creating a file locks its
/// folder, so two threads creating files in one folder take turns (on tmpfs, that contention
/// more than doubled the system time of an export).
///
/// Jobs that wait (simulated latency) come one per batch, so that N of them overlap; except
/// that an async task may carry a few ([`SHARED_WAIT_JOBS`]) in a large export: their writes
/// take microseconds, so their waits start within the same millisecond, which is the
/// resolution of tokio's timer anyway, and one timer and one task serve them all. A pool
/// worker cannot share a wait this way (it sleeps), so it always gets single jobs.
pub struct Batches<'j, 'a> {
    jobs: &'j mut Jobs<'a>,
    size: usize,
    ready: VecDeque<Batch>,
    error: Option<StoreError>,
}

impl<'j, 'a> Batches<'j, 'a> {
    /// Batches of `jobs` for `work`; `shared_wait` when one task can wait for several jobs.
    pub fn new(jobs: &'j mut Jobs<'a>, work: &Work, shared_wait: bool) -> Self {
        let size = if work.latency().is_zero() {
            BATCH_JOBS
        } else if shared_wait && work.jobs > SHARED_WAIT_ABOVE {
            SHARED_WAIT_JOBS
        } else {
            1
        };
        Batches {
            jobs,
            size,
            ready: VecDeque::new(),
            error: None,
        }
    }

    fn fill(&mut self) {
        let mut by_format: Vec<(Format, Batch)> = Vec::new();
        for job in (&mut *self.jobs).take(self.size) {
            let job = match job {
                Ok(job) => job,
                Err(e) => {
                    self.error = Some(e);
                    break;
                }
            };
            let format = match job.kind {
                JobKind::Note { format, .. } | JobKind::Bundle { format } => format,
            };
            match by_format.iter_mut().find(|(f, _)| *f == format) {
                Some((_, batch)) => batch.push(job),
                None => by_format.push((format, vec![job])),
            }
        }
        self.ready
            .extend(by_format.into_iter().map(|(_, batch)| batch));
    }
}

impl Iterator for Batches<'_, '_> {
    type Item = Result<Batch, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.ready.is_empty() && self.error.is_none() {
            self.fill();
        }
        match self.ready.pop_front() {
            Some(batch) => Some(Ok(batch)),
            None => self.error.take().map(Err),
        }
    }
}
