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
//! Jobs that do not wait (no simulated latency: the disk workload) run differently: the
//! calling thread is one of the N workers, beside N - 1 helper threads. It reads the jobs,
//! queues batches for the helpers while their queue has room, and writes a batch itself when
//! it is full. A reading thread beside N busy workers took turns with them on N cores, and
//! every batch taken from a full queue woke it again: on the disk workload (300,000 files to
//! tmpfs, 2 cores) this cut the pool's CPU time by 17% (3,966 to 3,305 perf samples a run,
//! medians of 5 runs, against 2,633 and 2,606 for the C loop of the same runs).
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
        // Jobs that do not wait: the calling thread is one of the workers (module docs).
        let caller_works = work.latency().is_zero();
        let threads = self.workers - usize::from(caller_works && self.workers > 0);
        let queued = match caller_works {
            true => (threads * QUEUED_PER_HELPER).max(1),
            false => self.workers * 2,
        };
        let (tx, rx) = mpsc::sync_channel::<Batch>(queued);
        let rx = Mutex::new(rx);
        thread::scope(|scope| {
            for i in 0..threads {
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
                            run_batch(batch, work);
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
            let result = feed(jobs, work, &tx, caller_works.then_some(threads));
            drop(tx);
            result
        })
    }
}

/// Batches queued per helper when the calling thread is one of the workers: enough that a
/// helper never runs dry while the caller writes a batch of its own.
const QUEUED_PER_HELPER: usize = 4;

/// Reads the jobs in batches and sends them to the workers. With `caller_works` (the number
/// of helper threads), a batch that finds their queue full, or every batch when there is no
/// helper, is run here instead.
fn feed(
    jobs: &mut Jobs<'_>,
    work: &Work,
    tx: &mpsc::SyncSender<Batch>,
    caller_works: Option<usize>,
) -> Result<(), ExportError> {
    for batch in Batches::new(jobs, work, false) {
        if work.must_stop() {
            break;
        }
        let batch = batch?;
        let batch = match caller_works {
            // The workers hold the receiver until the channel closes: send cannot fail.
            None => match tx.send(batch) {
                Ok(()) => continue,
                Err(_) => break,
            },
            Some(0) => batch,
            Some(_) => match tx.try_send(batch) {
                Ok(()) => continue,
                Err(mpsc::TrySendError::Full(batch)) => batch,
                Err(mpsc::TrySendError::Disconnected(_)) => break,
            },
        };
        run_batch(batch, work);
    }
    Ok(())
}

/// Runs the jobs of a batch in turn, until the export must stop.
fn run_batch(batch: Batch, work: &Work) {
    for job in batch {
        if work.must_stop() {
            break;
        }
        work.run_blocking(job);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::io;
    use std::thread::ThreadId;
    use std::time::{Duration, Instant};

    use super::*;
    use crate::export::hooks::Hooks;
    use crate::export::job::{Job, OutFile};
    use crate::export::sink::Sink;
    use crate::export::work::WorkSettings;
    use crate::format::Format;
    use crate::model::NewNote;

    /// Books which thread wrote each file; a write off the test's own thread takes a
    /// millisecond, so that the helpers' queue fills and the caller has to write too.
    struct ByThread {
        caller: ThreadId,
        written: Mutex<Vec<(String, ThreadId)>>,
    }

    impl Sink for ByThread {
        fn write(&self, file: &OutFile, _bytes: &[u8]) -> io::Result<()> {
            let me = thread::current().id();
            if me != self.caller {
                thread::sleep(Duration::from_millis(1));
            }
            lock(&self.written).push((file.name.clone(), me));
            Ok(())
        }

        fn open(&self, _file: &OutFile) -> io::Result<Box<dyn io::Write + Send>> {
            Err(io::Error::other("no bundles here"))
        }
    }

    fn export(workers: usize, notes: i64) -> Vec<(String, ThreadId)> {
        let formats = [Format::Md, Format::Json, Format::Csv];
        let sink = Arc::new(ByThread {
            caller: thread::current().id(),
            written: Mutex::default(),
        });
        let settings = WorkSettings::for_test(Duration::ZERO, notes as u64 * 3);
        let work = Arc::new(Work::new(
            settings,
            sink.clone(),
            None,
            &Hooks::default(),
            Instant::now(),
        ));
        let mut jobs = (1..=notes).flat_map(|id| {
            let note = Arc::new(NewNote::now("t", "b", Vec::new()).with_id(id));
            let stem: Arc<str> = format!("{id}-t").into();
            formats.map(|format| {
                Ok(Job {
                    index: (id as u64 - 1) * 3,
                    note: note.clone(),
                    hash: None,
                    stem: stem.clone(),
                    format,
                    place: None,
                })
            })
        });
        Pool { workers }.run(&mut jobs, &work).unwrap();
        assert_eq!(work.close().files, notes as u64 * 3);
        std::mem::take(&mut *lock(&sink.written))
    }

    #[test]
    fn jobs_that_do_not_wait_run_once_each_on_the_caller_and_n_minus_one_helpers() {
        let caller = thread::current().id();
        for workers in [1, 2, 3] {
            let written = export(workers, 400);
            let mut names: Vec<_> = written.iter().map(|(name, _)| name.clone()).collect();
            names.sort();
            names.dedup();
            assert_eq!(
                names.len(),
                1200,
                "every job once, none twice ({workers} workers)"
            );
            assert_eq!(written.len(), 1200);
            let threads: HashSet<_> = written.iter().map(|(_, t)| *t).collect();
            assert!(threads.len() <= workers, "{workers} workers, {threads:?}");
            assert!(
                threads.contains(&caller),
                "the caller writes too ({workers} workers)"
            );
            if workers > 1 {
                assert!(threads.len() > 1, "the helpers write ({workers} workers)");
            }
        }
    }
}
