//! Tasks on a tokio runtime: one task per job, at most N in flight, the latency waited with a
//! timer instead of a sleeping thread.
//!
//! The parallelism comes from overlap, not threads: a task that waits holds no thread, so one
//! OS thread can keep hundreds of thousands of waits in flight (a waiting task costs a few
//! hundred bytes against a thread's stack). The calling thread reads the notebook and spawns
//! tasks, taking a semaphore permit for each job, so at most N jobs are in flight at once and
//! memory stays bounded whatever the size of the notebook. A wait ends early when the export
//! is aborted ([`crate::export::Cancel::abort`]).
//!
//! Two bounds, because a job costs two very different amounts of memory in its life: read but
//! not yet rendered, it holds its note (hundreds of bytes to kilobytes); rendered and
//! waiting, only a start instant and what its write did (40 bytes). The calling thread
//! reads faster than the workers render, so with one bound every job in flight would hold its
//! note. A second semaphore ([`Async::render_ahead`], [`RENDER_AHEAD`] by default) bounds
//! the jobs read but not yet rendered; a task gives those permits back once it has rendered
//! its jobs, before it waits, and keeps the first (N) until it has recorded them. So N can
//! be every job of a large export without holding every note.
//!
//! The write itself is a plain `std::fs` call inside the task. `tokio::fs` would send each
//! call through `spawn_blocking`, which costs more than writing a small file (tokio#3664
//! measured 25-64x slower for many small files); a small write blocks a worker for a few
//! microseconds, which is the cheaper trade.

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::batches::{Batch, Batches};
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

/// Jobs read but not yet rendered, at most: fourteen reads of
/// [`super::batches::SHARED_WAIT_JOBS`] jobs, enough that the workers of a small machine
/// rarely wait for the reading thread, and about 3 MB of notes at the scale workload's 660
/// bytes a job. Fewer notes held is also less CPU: they stay in cache and the allocator
/// reuses their pages. Measured (scale workload, 300,000 jobs all in flight, CPU time of the
/// whole process, `perf stat -r 7..9`, load 6.8-7.3): 288 jobs 232 ms, 576 234 ms, 1,024
/// 237-326 ms, 2,048 298 ms, 4,096 243 ms, 16,384 288 ms, 300,000 (no bound) 301 ms; peak RSS
/// 20-23 MB up to 4,096, 30 MB at 16,384, 63-69 MB at 65,536, 97-120 MB unbounded.
pub(crate) const RENDER_AHEAD: usize = 4_096;

/// Runs jobs as tokio tasks.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Async {
    /// At most this many jobs in flight (N): read, rendered or waiting.
    pub(crate) in_flight: usize,
    /// At most this many jobs read but not yet rendered (each holding its note); at least
    /// one batch.
    pub(crate) render_ahead: usize,
    /// The runtime.
    pub(crate) runtime: AsyncRuntime,
}

impl Strategy for Async {
    fn run(&self, jobs: &mut Jobs<'_>, work: &Arc<Work>) -> Result<(), ExportError> {
        let runtime = self.runtime.build().map_err(ExportError::Runtime)?;
        let most = Semaphore::MAX_PERMITS.min(u32::MAX as usize);
        let permits = self.in_flight.clamp(1, most);
        let ahead = self.render_ahead.clamp(1, most);
        runtime.block_on(async {
            let in_flight = Arc::new(Semaphore::new(permits));
            let unrendered = Arc::new(Semaphore::new(ahead));
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
                // Permits per job, so both bounds count jobs whatever the batch size. The
                // semaphores are never closed, so acquiring cannot fail.
                let jobs = batch.len();
                let (Ok(waiting), Ok(reading)) = (
                    in_flight
                        .clone()
                        .acquire_many_owned(jobs.min(permits) as u32)
                        .await,
                    unrendered
                        .clone()
                        .acquire_many_owned(jobs.min(ahead) as u32)
                        .await,
                ) else {
                    break;
                };
                tokio::spawn(run_batch(Arc::clone(work), batch, waiting, reading));
            }
            // Every task holds its permits of N until it has recorded: taking them all back
            // means every task has finished.
            let _all = in_flight.acquire_many(permits as u32).await;
            result
        })
    }
}

/// One task's jobs: rendered and written, then (when jobs wait) one wait for them all, then
/// booked. `reading` (the render bound) goes back once the notes are rendered, `waiting` (N)
/// once the jobs are booked.
async fn run_batch(
    work: Arc<Work>,
    batch: Batch,
    waiting: OwnedSemaphorePermit,
    reading: OwnedSemaphorePermit,
) {
    if work.latency().is_zero() {
        // Jobs that do not wait: a batch per task, so a task's cost is paid once per batch,
        // not once per file.
        for job in batch {
            if work.must_stop() {
                break;
            }
            work.run_blocking(job);
        }
        drop((reading, waiting));
        return;
    }
    // Waiting jobs, one per task, or many sharing one timer (see `Batches`): each job's wait
    // starts after its own write, and all end with the last.
    let mut done = Vec::with_capacity(batch.len());
    for job in batch {
        done.push((Instant::now(), work.execute(job)));
    }
    // The notes are gone (each job's with its `execute`): only `done` waits.
    drop(reading);
    work.cancel().sleep_async(work.latency()).await;
    for (started, executed) in done {
        work.record(started, executed);
    }
    drop(waiting);
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;
    use crate::export::hooks::{Hooks, Progress};
    use crate::export::job::{Job, OutFile};
    use crate::export::sink::Sink;
    use crate::export::strategy::batches::SHARED_WAIT_JOBS;
    use crate::export::work::WorkSettings;
    use crate::format::Format;
    use crate::model::Note;
    use crate::store::StoreError;

    /// Counts the files written, which is the jobs rendered.
    #[derive(Default)]
    struct Counting(AtomicU64);

    impl Sink for Counting {
        fn write(&self, _file: &OutFile, _bytes: &[u8]) -> io::Result<()> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }

        fn open(&self, _file: &OutFile) -> io::Result<Box<dyn io::Write + Send>> {
            Ok(Box::new(io::sink()))
        }
    }

    /// Counts the jobs booked.
    #[derive(Default)]
    struct Booked(AtomicU64);

    impl Progress for Booked {
        fn advance(&self, jobs: u64) {
            self.0.fetch_add(jobs, Ordering::SeqCst);
        }
    }

    /// What a run saw from the reading thread.
    struct Seen {
        /// The most jobs read and not yet rendered (written) at any pull of the job stream.
        most_unrendered: u64,
        /// Jobs rendered and jobs booked when the stream ended.
        rendered_at_end: u64,
        booked_at_end: u64,
        /// Jobs booked once the strategy returned.
        booked: u64,
    }

    /// Runs `notes` notes x 3 formats through `strategy` with `latency`; with `abort_at_end`
    /// the export is aborted once the last job has been read (ending the waits at once; the
    /// jobs read with it are not started). Every job booked wrote its file.
    fn run(strategy: Async, notes: u64, latency: Duration, abort_at_end: bool) -> Seen {
        let formats = [Format::Md, Format::Json, Format::Csv];
        let sink = Arc::new(Counting::default());
        let booked = Arc::new(Booked::default());
        let hooks = Hooks {
            progress: Some(booked.clone()),
            ..Hooks::default()
        };
        let settings = WorkSettings::for_test(latency, notes * formats.len() as u64);
        let work = Arc::new(Work::new(
            settings,
            sink.clone(),
            None,
            &hooks,
            Instant::now(),
        ));
        let (ended, guard) = std::sync::mpsc::channel::<()>();
        let cancel = hooks.cancel.clone();
        let guard = std::thread::spawn(move || {
            if guard.recv_timeout(Duration::from_secs(60)).is_err() {
                cancel.abort();
            }
        });
        let pool: Vec<Note> = crate::store::seed::notes(64, 7)
            .enumerate()
            .map(|(i, n)| n.with_id(i as i64 + 1))
            .collect();
        let read = AtomicUsize::new(0);
        let most = AtomicU64::new(0);
        let at_end = AtomicU64::new(u64::MAX);
        let booked_at_end = AtomicU64::new(u64::MAX);
        let total = notes as usize * formats.len();
        let mut jobs = (0..=total).filter_map(|index| {
            let rendered = sink.0.load(Ordering::SeqCst);
            let unrendered = read.load(Ordering::SeqCst) as u64 - rendered;
            most.fetch_max(unrendered, Ordering::SeqCst);
            if index == total {
                let _ = ended.send(());
                at_end.store(rendered, Ordering::SeqCst);
                booked_at_end.store(booked.0.load(Ordering::SeqCst), Ordering::SeqCst);
                if abort_at_end {
                    hooks.cancel.abort();
                }
                return None;
            }
            read.fetch_add(1, Ordering::SeqCst);
            let note = Arc::new(pool[index / formats.len() % pool.len()].clone());
            Some(Ok::<_, StoreError>(Job {
                index: index as u64,
                stem: format!("{}-note", note.id).into(),
                note,
                hash: None,
                format: formats[index % formats.len()],
                place: None,
            }))
        });
        strategy.run(&mut jobs, &work).unwrap();
        drop(jobs);
        guard.join().unwrap();
        let booked = booked.0.load(Ordering::SeqCst);
        assert_eq!(
            work.close().files,
            booked,
            "every job booked wrote its file"
        );
        if !abort_at_end {
            assert_eq!(booked, total as u64, "every job ran");
        }
        Seen {
            most_unrendered: most.into_inner(),
            rendered_at_end: at_end.into_inner(),
            booked_at_end: booked_at_end.into_inner(),
            booked,
        }
    }

    // 4,000 notes x 3 formats is above `SHARED_WAIT_ABOVE`: tasks carry 96 jobs each.
    const NOTES: u64 = 4_000;

    #[test]
    fn at_most_render_ahead_jobs_hold_their_notes_unrendered() {
        // On one thread the spawned tasks run only when the reading loop waits for a permit:
        // without the render bound, it would read every job before any is rendered.
        for runtime in [AsyncRuntime::CurrentThread, AsyncRuntime::MultiThread] {
            for latency in [Duration::ZERO, Duration::from_millis(1)] {
                let strategy = Async {
                    in_flight: 1_000_000,
                    render_ahead: 300,
                    runtime,
                };
                let seen = run(strategy, NOTES, latency, false);
                // Batches are read SHARED_WAIT_JOBS jobs at a time, before their permits.
                let bound = 300 + SHARED_WAIT_JOBS as u64;
                assert!(
                    seen.most_unrendered <= bound,
                    "{runtime:?}, {latency:?}: {} unrendered at once, bound {bound}",
                    seen.most_unrendered
                );
                assert_eq!(seen.booked, NOTES * 3);
            }
        }
    }

    #[test]
    fn every_job_can_wait_at_once_while_few_hold_their_notes() {
        // An hour of latency, cut short by an abort once the last job is read: by then every
        // job read before the last batches is rendered and waiting, none is booked. Were the
        // notes held through the wait, reading would stall for the hour: a guard aborts after
        // a minute instead, and the assertions below fail.
        let strategy = Async {
            in_flight: 1_000_000,
            render_ahead: 300,
            runtime: AsyncRuntime::CurrentThread,
        };
        let seen = run(strategy, NOTES, Duration::from_secs(3600), true);
        let jobs = NOTES * 3;
        assert_eq!(seen.booked_at_end, 0, "no wait ended before the abort");
        assert!(
            seen.rendered_at_end >= jobs - 300 - SHARED_WAIT_JOBS as u64,
            "{} of {jobs} rendered and waiting at once",
            seen.rendered_at_end
        );
        // The abort ended the waits; the batches read with the last job were not started.
        assert!(
            seen.booked >= seen.rendered_at_end,
            "every job started was booked"
        );
    }

    #[test]
    fn in_flight_bounds_the_waiting_jobs() {
        // N = 600 jobs in flight: when the stream ends, at most 600 jobs were rendered and not
        // yet booked (the waits run their 10 ms; the abort only ends the last ones).
        let strategy = Async {
            in_flight: 600,
            render_ahead: 300,
            runtime: AsyncRuntime::CurrentThread,
        };
        let seen = run(strategy, NOTES, Duration::from_millis(10), true);
        let waiting = seen.rendered_at_end - seen.booked_at_end;
        assert!(waiting <= 600, "{waiting} jobs waiting at once, N = 600");
        assert!(seen.booked >= seen.rendered_at_end);
    }
}
