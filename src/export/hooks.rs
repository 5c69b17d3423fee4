//! How a running export talks to its caller: it reports [`Progress`], it can be told to stop
//! or abort through a [`Cancel`] handle, and it can record a timeline. [`Hooks`] holds the
//! three; `Hooks::default()` is an export nobody watches and nothing interrupts.
//!
//! The engine only calls these; it knows no terminal, no progress bar and no signal. The
//! binary turns a [`Progress`] into a progress bar and wires SIGINT, SIGTERM and SIGHUP to a
//! [`Cancel`].

use std::fmt;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::sys::lock;

/// Told how far an export has come.
///
/// Contract: [`Progress::planned`] is called once, before any job runs, with the planned
/// jobs; [`Progress::advance`] once or more per finished job (written, unchanged or failed),
/// from any of the export's threads, so it must be cheap and thread-safe; the advances add
/// up to at most the planned jobs. [`Progress::finish`] is called once at the end, also when
/// the export stops early or fails.
pub trait Progress: Send + Sync {
    /// The export plans `jobs` jobs.
    fn planned(&self, _jobs: u64) {}
    /// `jobs` more jobs are done.
    fn advance(&self, jobs: u64);
    /// The export is over.
    fn finish(&self) {}
}

/// Asks a running export to stop, at one of two levels; clone it freely (every clone is the
/// same handle), and call it from any thread, a signal handler's thread included.
///
/// - [`Cancel::stop`]: no new job is scheduled; jobs in flight finish (their simulated
///   latency included) and are published, the staging folder is removed, the summary says
///   the export was interrupted.
/// - [`Cancel::abort`]: the same, and the simulated waits in flight end at once. Files are
///   still complete: a job's wait comes after its write, so there is never a partial file.
///
/// [`Cancel::escalate`] is the usual wiring for a signal: the first one stops, the next
/// aborts.
#[derive(Clone, Default)]
pub struct Cancel {
    state: Arc<CancelState>,
}

#[derive(Default)]
struct CancelState {
    // RUNNING, STOP or ABORT; only ever goes up.
    level: AtomicU8,
    // Threads waiting out a latency sleep on `wake` under this mutex, so that `abort`
    // wakes them all at once.
    sleepers: Mutex<()>,
    wake: Condvar,
    // The same for async tasks.
    notify: tokio::sync::Notify,
}

const RUNNING: u8 = 0;
const STOP: u8 = 1;
const ABORT: u8 = 2;

/// How far a [`Cancel`] handle has gone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum CancelLevel {
    /// Nothing asked.
    Running,
    /// [`Cancel::stop`]: schedule nothing more.
    Stop,
    /// [`Cancel::abort`]: also cut the waits in flight short.
    Abort,
}

impl Cancel {
    /// A handle nothing has triggered yet.
    pub fn new() -> Self {
        Cancel::default()
    }

    /// Stops the scheduling of new jobs; jobs in flight finish and are published.
    pub fn stop(&self) {
        let _ = self.state.level.fetch_max(STOP, Ordering::SeqCst);
    }

    /// Like [`Cancel::stop`], and cuts every simulated wait in flight short at once.
    pub fn abort(&self) {
        self.state.level.store(ABORT, Ordering::SeqCst);
        // Taking the lock orders this store before any sleeper's next check: a thread is
        // either still to check the level (and sees ABORT) or waiting (and is woken).
        drop(lock(&self.state.sleepers));
        self.state.wake.notify_all();
        self.state.notify.notify_waiters();
    }

    /// Stops on the first call and aborts on the next: what a second Ctrl-C means. Returns
    /// the level now in force.
    pub fn escalate(&self) -> CancelLevel {
        // One atomic step, so that of two signals at once exactly one stops.
        match (self.state.level).compare_exchange(RUNNING, STOP, Ordering::SeqCst, Ordering::SeqCst)
        {
            Ok(_) => CancelLevel::Stop,
            Err(_) => {
                self.abort();
                CancelLevel::Abort
            }
        }
    }

    /// The level in force.
    pub fn level(&self) -> CancelLevel {
        match self.state.level.load(Ordering::SeqCst) {
            RUNNING => CancelLevel::Running,
            STOP => CancelLevel::Stop,
            _ => CancelLevel::Abort,
        }
    }

    /// Whether [`Cancel::stop`] or [`Cancel::abort`] was called: the export is interrupted.
    pub fn is_interrupted(&self) -> bool {
        self.state.level.load(Ordering::Relaxed) != RUNNING
    }

    /// Whether [`Cancel::abort`] was called.
    pub fn is_aborted(&self) -> bool {
        self.state.level.load(Ordering::Relaxed) == ABORT
    }

    /// Sleeps `pause` on this thread, or less if the handle is aborted meanwhile.
    pub(crate) fn sleep(&self, pause: Duration) {
        if pause.is_zero() {
            return;
        }
        let deadline = Instant::now() + pause;
        let mut guard = lock(&self.state.sleepers);
        while !self.is_aborted() {
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                return;
            };
            guard = match self.state.wake.wait_timeout(guard, left) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
    }

    /// Waits `pause` on the tokio timer, or less if the handle is aborted meanwhile.
    pub(crate) async fn sleep_async(&self, pause: Duration) {
        let aborted = self.state.notify.notified();
        tokio::pin!(aborted);
        // Registered before the check, so an abort between the two is not missed.
        aborted.as_mut().enable();
        if self.is_aborted() {
            return;
        }
        tokio::select! {
            () = tokio::time::sleep(pause) => {}
            () = aborted => {}
        }
    }
}

impl fmt::Debug for Cancel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Cancel").field(&self.level()).finish()
    }
}

/// What an export reports to, and is steered by, while it runs.
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct Hooks {
    /// Told of every finished job.
    pub progress: Option<Arc<dyn Progress>>,
    /// Stops or aborts the export from outside (Ctrl-C).
    pub cancel: Cancel,
    /// Record when each job started and ended ([`Summary::spans`](crate::export::Summary)).
    pub timeline: bool,
}

impl Hooks {
    /// These hooks, reporting progress to `progress`.
    pub fn with_progress(mut self, progress: Arc<dyn Progress>) -> Self {
        self.progress = Some(progress);
        self
    }

    /// These hooks, steered by `cancel`.
    pub fn with_cancel(mut self, cancel: Cancel) -> Self {
        self.cancel = cancel;
        self
    }

    /// These hooks, recording a timeline or not.
    pub fn with_timeline(mut self, timeline: bool) -> Self {
        self.timeline = timeline;
        self
    }
}

impl fmt::Debug for Hooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hooks")
            .field("progress", &self.progress.as_ref().map(|_| "dyn Progress"))
            .field("cancel", &self.cancel)
            .field("timeline", &self.timeline)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_then_abort_and_escalate_goes_up_one_level_a_call() {
        let cancel = Cancel::new();
        assert_eq!(cancel.level(), CancelLevel::Running);
        assert!(!cancel.is_interrupted());
        assert_eq!(cancel.clone().escalate(), CancelLevel::Stop);
        assert!(cancel.is_interrupted() && !cancel.is_aborted());
        cancel.stop();
        assert_eq!(cancel.level(), CancelLevel::Stop, "stop never lowers");
        assert_eq!(cancel.escalate(), CancelLevel::Abort);
        assert!(cancel.is_aborted());
        cancel.stop();
        assert_eq!(cancel.level(), CancelLevel::Abort, "abort stays");
    }

    #[test]
    fn abort_cuts_a_blocking_and_an_async_sleep_short() {
        let cancel = Cancel::new();
        let started = Instant::now();
        std::thread::scope(|s| {
            let sleeper = s.spawn(|| cancel.sleep(Duration::from_secs(60)));
            std::thread::sleep(Duration::from_millis(50));
            cancel.abort();
            sleeper.join().unwrap();
        });
        assert!(started.elapsed() < Duration::from_secs(30));

        let cancel = Cancel::new();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let started = Instant::now();
        runtime.block_on(async {
            let waiter = tokio::spawn({
                let cancel = cancel.clone();
                async move { cancel.sleep_async(Duration::from_secs(60)).await }
            });
            tokio::time::sleep(Duration::from_millis(50)).await;
            cancel.abort();
            waiter.await.unwrap();
        });
        assert!(started.elapsed() < Duration::from_secs(30));
        // Aborted already: no wait at all.
        runtime.block_on(cancel.sleep_async(Duration::from_secs(60)));
        cancel.sleep(Duration::from_secs(60));
    }

    #[test]
    fn a_sleep_nobody_aborts_lasts_at_least_its_pause() {
        let cancel = Cancel::new();
        cancel.stop();
        let started = Instant::now();
        cancel.sleep(Duration::from_millis(30));
        assert!(started.elapsed() >= Duration::from_millis(30));
    }
}
