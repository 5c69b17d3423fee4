//! The four ways of running the same jobs: one enum, one trait, one file each.
//!
//! Every strategy receives the jobs as a stream produced on the calling thread (which reads
//! the notebook) and hands each one to [`Work`](crate::export::work::Work), which renders and
//! writes it. They differ only in how many jobs are in flight at once and what waits: the
//! calling thread ([`sequential`]), one OS thread per job ([`threads`]), a fixed pool of
//! threads ([`pool`]), or tasks on a tokio runtime ([`asynchronous`]). Because the jobs and the
//! rendering are the same, so are the bytes written.
//!
//! [`StrategyKind`] is the public choice; [`StrategyKind::admit`] is the one admission every
//! export goes through (a thread per job or per worker only within [`limit`]); the
//! [`Strategy`] trait ([`contract`]) is what the engine runs, fed in [`batches`] by the pool
//! and async.

mod asynchronous;
mod batches;
mod contract;
mod limit;
mod pool;
mod sequential;
mod threads;

use serde::Serialize;

pub use asynchronous::AsyncRuntime;
pub(crate) use contract::Strategy;

use crate::export::error::ExportError;
use crate::sys::cores;

/// How the jobs of an export are run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum StrategyKind {
    /// One job after another on one thread: the baseline.
    Sequential,
    /// One OS thread per job, all started at once, as in the lesson. Refused beyond what the
    /// machine can hold.
    Threads,
    /// A fixed pool of N worker threads: at most N jobs at once. Refused beyond what the
    /// machine can hold, like threads.
    Pool,
    /// Tasks on a tokio runtime: at most N in flight, latency waited with timers.
    Async,
}

/// What [`StrategyKind::admit`] granted: the concurrency N and the threads it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Admitted {
    pub(crate) concurrency: usize,
    pub(crate) threads: usize,
}

impl StrategyKind {
    /// Every strategy, in the order of the lesson.
    pub const ALL: [StrategyKind; 4] = [
        StrategyKind::Sequential,
        StrategyKind::Threads,
        StrategyKind::Pool,
        StrategyKind::Async,
    ];

    /// The strategy used when none is named; see "Choosing a strategy" in docs/GUIDE.md.
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

    /// The concurrency N used when none is given, for an export of `planned_jobs` jobs that
    /// each wait `latency` (simulated) after their write.
    pub fn default_concurrency(self, planned_jobs: u64, latency: std::time::Duration) -> usize {
        let n = match self {
            StrategyKind::Sequential => 1,
            StrategyKind::Threads => usize::try_from(planned_jobs).unwrap_or(usize::MAX),
            // Jobs that wait want many workers, jobs that only compute and write want one per
            // core: more only take turns on the cores and on the folder locks (300,000 files
            // to tmpfs: 149k files/s on 2 workers, 125k/s on 32).
            StrategyKind::Pool if latency.is_zero() => cores(),
            StrategyKind::Pool => pool::DEFAULT_WORKERS,
            StrategyKind::Async => asynchronous::DEFAULT_IN_FLIGHT,
        };
        n.max(1)
    }

    /// Admits an export of `planned_jobs` jobs at concurrency `concurrency` (N), jobs that
    /// `wait` (simulated latency) or not, or refuses it before anything is written: one thread
    /// per job, or a pool worker per job up to N, only as many as the machine can hold
    /// ([`limit`]). A pool never gets more workers than jobs; when its jobs do not wait, the
    /// calling thread is one of them ([`pool`]), so it starts one thread fewer.
    pub(crate) fn admit(
        self,
        planned_jobs: u64,
        concurrency: usize,
        runtime: AsyncRuntime,
        wait: bool,
    ) -> Result<Admitted, ExportError> {
        let jobs = usize::try_from(planned_jobs).unwrap_or(usize::MAX);
        let (concurrency, threads) = match self {
            StrategyKind::Sequential => (1, 0),
            StrategyKind::Threads => (concurrency, jobs),
            StrategyKind::Pool => {
                let workers = concurrency.min(jobs).max(1);
                (workers, if wait { workers } else { workers - 1 })
            }
            StrategyKind::Async => (concurrency, runtime.threads()),
        };
        let what = match self {
            StrategyKind::Threads => format!("one thread per job would start {jobs} threads"),
            StrategyKind::Pool => {
                format!("a pool of {concurrency} workers starts {threads} threads")
            }
            StrategyKind::Sequential | StrategyKind::Async => {
                return Ok(Admitted {
                    concurrency,
                    threads,
                });
            }
        };
        let limit = limit::thread_limit();
        if threads > limit.max {
            let instead = match self {
                StrategyKind::Pool => "use fewer --jobs or --strategy async",
                _ => "use --strategy pool or async",
            };
            return Err(ExportError::Refused {
                strategy: self.name(),
                planned_jobs,
                reason: format!(
                    "{what}, more than the {} this machine can safely hold ({}); {instead}",
                    limit.max, limit.reason
                ),
            });
        }
        Ok(Admitted {
            concurrency,
            threads,
        })
    }

    /// The strategy itself, running at most `concurrency` jobs at once.
    pub(crate) fn build(self, concurrency: usize, runtime: AsyncRuntime) -> Box<dyn Strategy> {
        match self {
            StrategyKind::Sequential => Box::new(sequential::Sequential),
            StrategyKind::Threads => Box::new(threads::Threads),
            StrategyKind::Pool => Box::new(pool::Pool {
                workers: concurrency,
            }),
            StrategyKind::Async => Box::new(asynchronous::Async {
                in_flight: concurrency,
                render_ahead: asynchronous::RENDER_AHEAD,
                runtime,
            }),
        }
    }
}

impl std::fmt::Display for StrategyKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
