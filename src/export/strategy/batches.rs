//! Jobs grouped for the workers of the pool and the tasks of async.

use std::collections::VecDeque;

use super::contract::Jobs;
use crate::export::job::Job;
use crate::export::work::Work;
use crate::format::Format;
use crate::store::StoreError;

/// Jobs handed to one worker at once.
pub(crate) type Batch = Vec<Job>;

/// Jobs read per batch when jobs do not wait: about 32 notes' worth in three formats.
pub(crate) const BATCH_JOBS: usize = 96;

/// Jobs read per batch when jobs wait and can share one timer (async only), for exports of
/// more than [`SHARED_WAIT_ABOVE`] jobs: split by format, 96 jobs per task and timer in the
/// default three formats. Measured on the scale workload (300,000 jobs, 2 cores, load 7,
/// medians of 5 runs, twice): 8 jobs 1.46-1.55 s, 32 0.70-0.87 s, 96 0.59-0.78 s, 288
/// 0.61-0.64 s and the least memory (39-48 MB against 69-72 MB); instructions (callgrind,
/// 66,000 jobs) 833 M, 746 M, 718 M, 707 M. The cost of a task and its timer is paid once
/// per batch; a batch's writes take well under a millisecond, tokio's timer resolution.
pub(crate) const SHARED_WAIT_JOBS: usize = 288;

/// Exports with more jobs than this let async tasks carry [`SHARED_WAIT_JOBS`] waiting jobs.
/// Below it (the lesson's 30 jobs, any timeline worth drawing) every job has its own task.
pub(crate) const SHARED_WAIT_ABOVE: u64 = 10_000;

/// The jobs of an export grouped for the workers of the pool and the tasks of async.
///
/// Jobs that only compute and write come in batches of one format: a worker wakes once per
/// batch instead of once per file, and two workers mostly write into different format folders
/// at the same moment. The second matters more than it seems: creating a file locks its
/// folder, so two threads creating files in one folder take turns (on tmpfs, that contention
/// more than doubled the system time of an export).
///
/// Jobs that wait (simulated latency) come one per batch, so that N of them overlap; except
/// that an async task may carry many ([`SHARED_WAIT_JOBS`]) in a large export: their writes
/// take microseconds, so their waits start within the same millisecond, which is the
/// resolution of tokio's timer anyway, and one timer and one task serve them all. A pool
/// worker cannot share a wait this way (it sleeps), so it always gets single jobs.
pub(crate) struct Batches<'j, 'a> {
    jobs: &'j mut Jobs<'a>,
    size: usize,
    ready: VecDeque<Batch>,
    error: Option<StoreError>,
}

impl<'j, 'a> Batches<'j, 'a> {
    /// Batches of `jobs` for `work`; `shared_wait` when one task can wait for several jobs.
    pub(crate) fn new(jobs: &'j mut Jobs<'a>, work: &Work, shared_wait: bool) -> Self {
        let size = if work.latency().is_zero() {
            BATCH_JOBS
        } else if shared_wait && work.planned_jobs() > SHARED_WAIT_ABOVE {
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
            let format = job.format;
            match by_format.iter_mut().find(|(f, _)| *f == format) {
                Some((_, batch)) => batch.push(job),
                None => {
                    // Room for every job of the read: a batch that grew one job at a time
                    // moved its jobs again at each doubling (memmove was the reading
                    // thread's largest cost in a profile of the scale workload).
                    let mut batch = Vec::with_capacity(self.size);
                    batch.push(job);
                    by_format.push((format, batch));
                }
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
