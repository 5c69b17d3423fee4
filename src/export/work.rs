//! One job, done: render a note (or a whole bundle), hand the bytes to the sink, count it.
//!
//! [`Work`] is what every strategy shares. It does the real work of a job in
//! [`Work::execute`] and books the outcome in [`Work::record`]; the strategy decides only
//! *when* jobs run and how the simulated latency is waited out between the two (a blocking
//! sleep on a thread, or a timer in async). Keeping the job itself here is what makes every
//! strategy write the same bytes.
//!
//! It is also the one place where a write is retried: [`is_transient`] I/O errors (EINTR,
//! EAGAIN, a timeout, a busy resource) are tried again up to `retries` times, after waits that
//! double from [`FIRST_BACKOFF`] up to [`MAX_BACKOFF`]; every other error (permission denied, a
//! full disk, a missing folder) fails the job at once. The wait blocks the job's thread (a
//! tokio worker under `async`): retries are rare, and a simple blocking pause keeps them the
//! same for every strategy.

use std::cell::RefCell;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::ProgressBar;
use serde::Serialize;

use super::incremental::{self, Incremental};
use super::naming::{self, Naming};
use super::sink::Sink;
use super::source::NoteSource;
use crate::format::{Format, RenderOptions};
use crate::model::Note;

/// One unit of work: a file to produce.
#[derive(Debug, Clone)]
pub struct Job {
    /// Position in the export, from 0; the order jobs were scheduled in.
    pub index: u64,
    /// What to produce.
    pub kind: JobKind,
}

/// What a job produces.
#[derive(Debug, Clone)]
pub enum JobKind {
    /// One note in one format (the `files` layout).
    Note {
        /// The note, shared by the jobs of its formats.
        note: Arc<Note>,
        /// The format.
        format: Format,
    },
    /// Every note in one format, in one file (the `bundle` layout).
    Bundle {
        /// The format.
        format: Format,
    },
}

/// A job that did not produce its file.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Failure {
    /// The note, or `None` for a bundle.
    pub note_id: Option<i64>,
    /// The format.
    pub format: Format,
    /// The file, relative to the export folder.
    pub path: PathBuf,
    /// What went wrong.
    pub error: String,
}

/// When one job ran, for the `--timeline` picture.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Span {
    /// The job's [`Job::index`].
    pub index: u64,
    /// Seconds from the start of the export to the start of the job.
    pub start_s: f64,
    /// Seconds from the start of the export to the end of the job, latency included.
    pub end_s: f64,
}

/// The first wait before a retry; each further one doubles.
pub const FIRST_BACKOFF: Duration = Duration::from_millis(10);

/// The longest wait between two attempts.
pub const MAX_BACKOFF: Duration = Duration::from_millis(640);

/// Whether an I/O error may go away if the same write is tried again.
pub fn is_transient(e: &io::Error) -> bool {
    use io::ErrorKind::*;
    matches!(e.kind(), Interrupted | WouldBlock | TimedOut | ResourceBusy)
}

/// The wait before retry number `attempt` (from 0): 10 ms, 20 ms, 40 ms, ... at most
/// [`MAX_BACKOFF`].
pub fn backoff(attempt: u32) -> Duration {
    FIRST_BACKOFF
        .saturating_mul(1u32 << attempt.min(16))
        .min(MAX_BACKOFF)
}

/// What [`Work::execute`] did, kept small: async strategies hold it across the latency wait.
#[derive(Debug)]
pub struct Outcome {
    index: u64,
    // Bytes written, or `None` when the file was already up to date (incremental).
    result: Result<Option<u64>, Failure>,
}

/// The state every strategy shares during one export.
pub struct Work {
    pub(crate) source: NoteSource,
    pub(crate) naming: Naming,
    pub(crate) render: RenderOptions,
    pub(crate) sink: Arc<dyn Sink>,
    pub(crate) latency: Duration,
    /// Jobs the export plans (before incremental skips): strategies size their batches by it.
    pub(crate) jobs: u64,
    pub(crate) cancel: Arc<AtomicBool>,
    pub(crate) fail_fast: bool,
    pub(crate) stopped: AtomicBool,
    pub(crate) progress: Option<ProgressBar>,
    pub(crate) epoch: Instant,
    pub(crate) retries: u32,
    pub(crate) incremental: Option<Arc<Incremental>>,
    pub(crate) files: AtomicU64,
    pub(crate) bytes: AtomicU64,
    pub(crate) unchanged: AtomicU64,
    pub(crate) retried: AtomicU64,
    pub(crate) failures: Mutex<Vec<Failure>>,
    pub(crate) spans: Option<Mutex<Vec<Span>>>,
}

thread_local! {
    // One render buffer per thread, reused: a job allocates nothing for its bytes.
    static BUFFER: RefCell<Vec<u8>> = RefCell::new(Vec::with_capacity(16 * 1024));
}

impl Work {
    /// The simulated latency each job waits after its write (zero when not simulating).
    pub fn latency(&self) -> Duration {
        self.latency
    }

    /// Whether strategies must stop scheduling new jobs: Ctrl-C, or a failure under
    /// fail-fast.
    pub fn cancelled(&self) -> bool {
        self.interrupted() || self.stopped_early()
    }

    /// Whether the export was interrupted from outside (Ctrl-C).
    pub fn interrupted(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// Whether a failure stopped the scheduling (`--on-error fail-fast`, or a thread that
    /// could not be started).
    pub fn stopped_early(&self) -> bool {
        self.stopped.load(Ordering::Relaxed)
    }

    /// Stops the scheduling of new jobs after a failure.
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::Relaxed);
    }

    /// Does the real work of a job: renders it and writes it to the sink.
    pub fn execute(&self, job: Job) -> Outcome {
        let result = match job.kind {
            JobKind::Note { note, format } => self.write_note(&note, format),
            JobKind::Bundle { format } => self.write_bundle(format),
        };
        Outcome {
            index: job.index,
            result,
        }
    }

    /// Runs `op` until it succeeds, fails for good, or has been retried `retries` times.
    fn with_retries<T>(&self, mut op: impl FnMut() -> io::Result<T>) -> Result<T, String> {
        let mut attempt = 0;
        loop {
            match op() {
                Ok(v) => return Ok(v),
                Err(e) if is_transient(&e) && attempt < self.retries => {
                    wait_blocking(backoff(attempt));
                    attempt += 1;
                    self.retried.fetch_add(1, Ordering::Relaxed);
                }
                Err(e) if attempt > 0 => return Err(format!("{e} (after {attempt} retries)")),
                Err(e) => return Err(e.to_string()),
            }
        }
    }

    fn write_note(&self, note: &Note, format: Format) -> Result<Option<u64>, Failure> {
        let rel = naming::relative_path(note, format, self.naming);
        BUFFER.with_borrow_mut(|buf| {
            buf.clear();
            format.render_file(note, &self.render, buf);
            let size = buf.len() as u64;
            // Unchanged files were left out before they became jobs, except under --verify,
            // which compares the bytes on disk here, on the strategy's threads.
            let hash = self
                .incremental
                .as_ref()
                .map(|inc| (inc, incremental::note_hash(note)));
            if let Some((inc, hash)) = &hash
                && inc.verify()
                && inc.same_on_disk(note.id, format, &rel, hash, buf)
            {
                return Ok(None);
            }
            match self.with_retries(|| self.sink.write(&rel, buf)) {
                Ok(()) => {
                    if let Some((inc, hash)) = hash {
                        inc.written(note.id, format, &rel, hash);
                    }
                    Ok(Some(size))
                }
                Err(error) => {
                    self.sink.discard(&rel);
                    Err(Failure {
                        note_id: Some(note.id),
                        format,
                        path: rel,
                        error,
                    })
                }
            }
        })
    }

    fn write_bundle(&self, format: Format) -> Result<Option<u64>, Failure> {
        let rel = PathBuf::from(naming::bundle_name(format));
        let result = self.stream_bundle(format, &rel);
        if result.is_err() {
            // Whatever part of the bundle was streamed must not be published.
            self.sink.discard(&rel);
        }
        result.map(Some)
    }

    fn stream_bundle(&self, format: Format, rel: &std::path::Path) -> Result<u64, Failure> {
        let fail = |error: String| Failure {
            note_id: None,
            format,
            path: rel.to_path_buf(),
            error,
        };
        let notes = self.source.notes().map_err(|e| fail(e.to_string()))?;
        let file = self.with_retries(|| self.sink.open(rel)).map_err(fail)?;
        let mut counted = CountingWriter {
            inner: std::io::BufWriter::new(file),
            bytes: 0,
        };
        format
            .write_bundle(notes, &self.render, &mut counted)
            .map_err(|e| fail(error_chain(&e)))?;
        counted.flush().map_err(|e| fail(e.to_string()))?;
        Ok(counted.bytes)
    }

    /// Books the outcome of a job that started at `started` (its latency already waited).
    pub fn record(&self, started: Instant, outcome: Outcome) {
        match outcome.result {
            Ok(Some(bytes)) => {
                self.files.fetch_add(1, Ordering::Relaxed);
                self.bytes.fetch_add(bytes, Ordering::Relaxed);
            }
            Ok(None) => {
                self.unchanged.fetch_add(1, Ordering::Relaxed);
            }
            Err(failure) => {
                lock(&self.failures).push(failure);
                if self.fail_fast {
                    self.stop();
                }
            }
        }
        if let Some(spans) = &self.spans {
            let end = self.epoch.elapsed().as_secs_f64();
            let start = started.duration_since(self.epoch).as_secs_f64();
            lock(spans).push(Span {
                index: outcome.index,
                start_s: start,
                end_s: end,
            });
        }
        if let Some(bar) = &self.progress {
            bar.inc(1);
        }
    }

    /// Runs a job on the calling thread, latency as a blocking sleep: the thread strategies.
    pub fn run_blocking(&self, job: Job) {
        let started = Instant::now();
        let outcome = self.execute(job);
        if !self.latency.is_zero() {
            std::thread::sleep(self.latency);
        }
        self.record(started, outcome);
    }
}

/// Sleeps on this thread. On a worker of a multi-threaded tokio runtime (the async strategy)
/// the runtime is told first, so that it moves the worker's other tasks to another thread
/// instead of leaving them stuck behind a retry's backoff.
fn wait_blocking(pause: Duration) {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(RuntimeFlavor::MultiThread) => {
            tokio::task::block_in_place(|| std::thread::sleep(pause));
        }
        _ => std::thread::sleep(pause),
    }
}

/// Locks a mutex, taking the data even if another thread panicked while holding it: the
/// tallies stay meaningful, and one panicking job must not hide the others' results.
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

struct CountingWriter<W> {
    inner: W,
    bytes: u64,
}

impl<W: Write> Write for CountingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_transient_errors_are_retried_and_the_wait_doubles_up_to_a_cap() {
        use io::ErrorKind::*;
        for kind in [Interrupted, WouldBlock, TimedOut, ResourceBusy] {
            assert!(is_transient(&io::Error::from(kind)), "{kind:?}");
        }
        for kind in [PermissionDenied, StorageFull, NotFound, Other] {
            assert!(!is_transient(&io::Error::from(kind)), "{kind:?}");
        }
        assert!(!is_transient(&io::Error::from_raw_os_error(28)), "ENOSPC");
        assert!(is_transient(&io::Error::from_raw_os_error(11)), "EAGAIN");
        assert_eq!(backoff(0), Duration::from_millis(10));
        assert_eq!(backoff(1), Duration::from_millis(20));
        assert_eq!(backoff(2), Duration::from_millis(40));
        assert_eq!(backoff(10), MAX_BACKOFF);
        assert_eq!(backoff(u32::MAX), MAX_BACKOFF);
    }
}
