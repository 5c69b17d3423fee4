//! One job, done: render a note (or a whole bundle), hand the bytes to the sink, book it.
//!
//! [`Work`] is what every strategy shares. It does the real work of a job in
//! [`Work::execute`] and books it in [`Work::record`]; the strategy decides only *when* jobs
//! run and how the simulated latency is waited out between the two (a blocking sleep on a
//! thread, or a timer in async; both cut short by an abort). Keeping the job itself here is
//! what makes every strategy write the same bytes. Its state is its own: strategies go
//! through its methods, and the counts live in its [`Tally`].
//!
//! It is also the one place where a write is retried: [`is_transient`] I/O errors (EINTR,
//! EAGAIN, a timeout, a busy resource) are tried again up to the retry limit, after waits that
//! double from [`FIRST_BACKOFF`] up to [`MAX_BACKOFF`]; every other error (permission denied, a
//! full disk, a missing folder) fails the job at once. The wait blocks the job's thread (a
//! tokio worker under `async`, which tokio is told of): retries are rare, and a simple
//! blocking pause keeps them the same for every strategy.

use std::cell::RefCell;
use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::books::{Books, Failure, Tally};
use super::hooks::{Cancel, Hooks, Progress};
use super::incremental::Incremental;
use super::job::{Job, OutFile};
use super::manifest::NoteHash;
use super::naming::Naming;
use super::sink::{Sink, Unpublished};
use crate::format::{Format, RenderOptions};
use crate::model::Note;
use crate::store::StoreError;
use crate::sys::counted;

/// The first wait before a retry; each further one doubles.
pub(crate) const FIRST_BACKOFF: Duration = Duration::from_millis(10);

/// The longest wait between two attempts.
pub(crate) const MAX_BACKOFF: Duration = Duration::from_millis(640);

/// Whether an I/O error may go away if the same write is tried again.
pub(crate) fn is_transient(e: &io::Error) -> bool {
    use io::ErrorKind::*;
    matches!(e.kind(), Interrupted | WouldBlock | TimedOut | ResourceBusy)
}

/// The wait before retry number `attempt` (from 0): 10 ms, 20 ms, 40 ms, ... at most
/// [`MAX_BACKOFF`].
pub(crate) fn backoff(attempt: u32) -> Duration {
    FIRST_BACKOFF
        .saturating_mul(1u32 << attempt.min(16))
        .min(MAX_BACKOFF)
}

/// What [`Work::execute`] did, kept small: async strategies hold one per waiting job across
/// the latency wait (300,000 at once in the scale workload), so a failure, which is rare, is
/// boxed: 24 bytes a job instead of 80.
#[derive(Debug)]
pub(crate) struct Executed {
    index: u64,
    // Bytes written, or `None` when the file was already up to date (incremental).
    result: Result<Option<u64>, Box<Failure>>,
}

/// The settings of [`Work`] that come from the export's config and plan.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WorkSettings {
    pub(crate) naming: Naming,
    pub(crate) render: RenderOptions,
    pub(crate) latency: Duration,
    pub(crate) planned_jobs: u64,
    pub(crate) retry_limit: u32,
    pub(crate) fail_fast: bool,
}

#[cfg(test)]
impl WorkSettings {
    /// Settings for a strategy's unit test: `planned_jobs` jobs with `latency` each, default
    /// naming and rendering, no retries, no fail-fast.
    pub(crate) fn for_test(latency: Duration, planned_jobs: u64) -> Self {
        WorkSettings {
            naming: Naming::default(),
            render: RenderOptions::default(),
            latency,
            planned_jobs,
            retry_limit: 0,
            fail_fast: false,
        }
    }
}

/// The state every strategy shares during one export.
pub(crate) struct Work {
    settings: WorkSettings,
    sink: Arc<dyn Sink>,
    incremental: Option<Arc<Incremental>>,
    cancel: Cancel,
    progress: Option<Arc<dyn Progress>>,
    epoch: Instant,
    // A failure stopped the scheduling (fail-fast, or a thread that could not start).
    stopped: AtomicBool,
    tally: Tally,
}

thread_local! {
    // One render buffer per thread, reused: a job allocates nothing for its bytes.
    static BUFFER: RefCell<Vec<u8>> = RefCell::new(Vec::with_capacity(16 * 1024));
    // One file per thread, renamed for each job: nor for its name.
    static FILE: RefCell<OutFile> = RefCell::new(OutFile::in_folder(0, Format::Md, ""));
}

impl Work {
    /// The shared state of an export that began at `epoch`.
    pub(crate) fn new(
        settings: WorkSettings,
        sink: Arc<dyn Sink>,
        incremental: Option<Arc<Incremental>>,
        hooks: &Hooks,
        epoch: Instant,
    ) -> Self {
        Work {
            settings,
            sink,
            incremental,
            cancel: hooks.cancel.clone(),
            progress: hooks.progress.clone(),
            epoch,
            stopped: AtomicBool::new(false),
            tally: Tally::new(hooks.timeline),
        }
    }

    /// The simulated latency each job waits after its write (zero when not simulating).
    pub(crate) fn latency(&self) -> Duration {
        self.settings.latency
    }

    /// How the export names a note's files.
    pub(crate) fn naming(&self) -> Naming {
        self.settings.naming
    }

    /// Jobs the export plans (before incremental skips): strategies size their batches by it.
    pub(crate) fn planned_jobs(&self) -> u64 {
        self.settings.planned_jobs
    }

    /// The export's cancel handle, for waits that an abort must cut short.
    pub(crate) fn cancel(&self) -> &Cancel {
        &self.cancel
    }

    /// Whether strategies must schedule no new job: interrupted from outside, or stopped
    /// early by a failure.
    pub(crate) fn must_stop(&self) -> bool {
        self.interrupted() || self.stopped_early()
    }

    /// Whether the export was interrupted from outside ([`Cancel::stop`] or abort).
    pub(crate) fn interrupted(&self) -> bool {
        self.cancel.is_interrupted()
    }

    /// Whether a failure stopped the scheduling (`--on-error fail-fast`, or a thread that
    /// could not be started).
    pub(crate) fn stopped_early(&self) -> bool {
        self.stopped.load(Ordering::Relaxed)
    }

    /// Does the real work of a job: renders it and writes it to the sink.
    pub(crate) fn execute(&self, job: Job) -> Executed {
        let result = FILE.with_borrow_mut(|file| {
            job.file_into(file);
            self.write_note(&job.note, file, job.hash, job.format)
        });
        let result = result.map_err(Box::new);
        Executed {
            index: job.index,
            result,
        }
    }

    /// Runs a job on the calling thread, latency as a blocking sleep: the thread strategies.
    pub(crate) fn run_blocking(&self, job: Job) {
        // A job's start is kept only in a span: the clock is read only for a timeline.
        let started = match self.tally.keeps_spans() {
            true => Instant::now(),
            false => self.epoch,
        };
        let executed = self.execute(job);
        self.cancel.sleep(self.settings.latency);
        self.record(started, executed);
    }

    /// Books the outcome of a job that started at `started` (its latency already waited).
    pub(crate) fn record(&self, started: Instant, executed: Executed) {
        match executed.result {
            Ok(Some(bytes)) => self.tally.written(bytes),
            Ok(None) => self.tally.unchanged(1),
            Err(failure) => self.book_failure(*failure),
        }
        if self.tally.keeps_spans() {
            let end = self.epoch.elapsed().as_secs_f64();
            let start = started.duration_since(self.epoch).as_secs_f64();
            self.tally.span(executed.index, start, end);
        }
        self.advance(1);
    }

    /// A job that could not even start (its thread was refused): it fails with `error`, and
    /// nothing more is scheduled.
    pub(crate) fn fail(&self, job: &Job, error: &io::Error) {
        self.tally.failed(Failure::of(&job.file(), error));
        self.stopped.store(true, Ordering::Relaxed);
        self.advance(1);
    }

    /// The jobs of a note the notebook holds damaged (`error`, a [`StoreError::Corrupt`]):
    /// its file in each of `formats` fails, named by the note's id (its file name cannot be
    /// made: the failure's path is the format's folder), and the export goes on.
    pub(crate) fn fail_damaged(&self, id: i64, formats: &[Format], error: &StoreError) {
        for &format in formats {
            let folder = format.extension().into();
            self.book_failure(Failure::damaged(id, format, folder, error.to_string()));
        }
        self.advance(formats.len() as u64);
    }

    /// A damaged note (`error`) left out of the bundle of `format`: a failure named by the
    /// note's id, beside the bundle, which holds every other note.
    pub(crate) fn damaged_in_bundle(&self, id: i64, format: Format, error: &StoreError) {
        let bundle = OutFile::bundle(format);
        let reason = format!("{error}; {} holds every other note", bundle.name);
        self.book_failure(Failure::damaged(id, format, bundle.path(), reason));
    }

    /// The job of `note` in `format` that cannot be placed: its remembered path cannot be
    /// written inside the export folder (`reason`). It fails, named by that path.
    pub(crate) fn fail_refused(&self, note: &Note, format: Format, reason: &str) {
        let path = note
            .source
            .as_ref()
            .map_or_else(|| format.extension().into(), |s| s.path.clone().into());
        self.book_failure(Failure::refused(note.id, format, path, reason.to_owned()));
        self.advance(1);
    }

    /// Counts what the front matter profile changes in `note`'s tags, once per note, when the
    /// export writes Markdown.
    pub(crate) fn front_matter_of(&self, note: &Note, formats: &[Format]) {
        if formats.contains(&Format::Md) {
            let changes = self.settings.render.front_matter.tag_changes(note);
            if !changes.is_empty() {
                self.tally.tags_changed(&changes);
            }
        }
    }

    /// Books `n` jobs left out because their files are up to date (no span: they never ran).
    pub(crate) fn skipped(&self, n: u64) {
        self.tally.unchanged(n);
        self.advance(n);
    }

    /// A file that was written but could not be published: it counts as failed.
    pub(crate) fn unpublish(&self, unpublished: Unpublished) {
        let failure = Failure::of(&unpublished.file, &unpublished.error);
        self.tally.unpublished(failure, unpublished.bytes);
    }

    /// The books, once every job is done.
    pub(crate) fn close(&self) -> Books {
        self.tally.close()
    }

    fn book_failure(&self, failure: Failure) {
        // A note's file that failed keeps its old version, which the manifest still
        // describes: never pruned for a failure.
        if let (Some(inc), Some(id)) = (&self.incremental, failure.note_id) {
            inc.kept(id, failure.format);
        }
        self.tally.failed(failure);
        if self.settings.fail_fast {
            self.stopped.store(true, Ordering::Relaxed);
        }
    }

    fn advance(&self, jobs: u64) {
        if let Some(progress) = &self.progress {
            progress.advance(jobs);
        }
    }

    /// Runs `op` until it succeeds, fails for good, or has been retried up to the limit. An
    /// abort ends the retries.
    fn with_retries<T>(&self, mut op: impl FnMut() -> io::Result<T>) -> io::Result<T> {
        let mut attempt = 0;
        loop {
            match op() {
                Ok(v) => return Ok(v),
                Err(e)
                    if is_transient(&e)
                        && attempt < self.settings.retry_limit
                        && !self.cancel.is_aborted() =>
                {
                    self.pause(backoff(attempt));
                    attempt += 1;
                    self.tally.retried();
                }
                Err(e) if attempt > 0 => {
                    return Err(io::Error::new(
                        e.kind(),
                        format!("{e} (after {})", counted(attempt, "retry", "retries")),
                    ));
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Sleeps on this thread, cut short by an abort. On a worker of a multi-threaded tokio
    /// runtime (the async strategy) the runtime is told first, so that it moves the worker's
    /// other tasks to another thread instead of leaving them stuck behind a retry's backoff.
    fn pause(&self, pause: Duration) {
        use tokio::runtime::{Handle, RuntimeFlavor};
        match Handle::try_current().map(|h| h.runtime_flavor()) {
            Ok(RuntimeFlavor::MultiThread) => {
                tokio::task::block_in_place(|| self.cancel.sleep(pause));
            }
            _ => self.cancel.sleep(pause),
        }
    }

    fn write_note(
        &self,
        note: &Note,
        file: &OutFile,
        hash: Option<NoteHash>,
        format: Format,
    ) -> Result<Option<u64>, Failure> {
        BUFFER.with_borrow_mut(|buf| {
            buf.clear();
            format.render_file(note, &self.settings.render, buf);
            let size = buf.len() as u64;
            let incremental = self.incremental.as_deref().zip(hash);
            // Unchanged files were left out before they became jobs, except under --verify,
            // which compares the bytes on disk here, on the strategy's threads.
            if let Some((inc, hash)) = incremental
                && inc.verify()
                && inc.same_on_disk(file, &hash, buf)
            {
                return Ok(None);
            }
            match self.with_retries(|| self.sink.write(file, buf)) {
                Ok(()) => {
                    if let Some((inc, hash)) = incremental {
                        inc.written(file, hash);
                    }
                    Ok(Some(size))
                }
                Err(error) => {
                    self.sink.discard(file);
                    Err(Failure::of(file, &error))
                }
            }
        })
    }

    /// Writes the bundle of `format` from `notes` (one stream of the snapshot), then waits the
    /// latency, and books it as job `index`. A note the stream gives as an error other than a
    /// damaged note fails the whole bundle: no part of it is published.
    pub(crate) fn run_bundle(
        &self,
        index: u64,
        format: Format,
        notes: impl Iterator<Item = Result<Arc<Note>, io::Error>>,
    ) {
        let started = Instant::now();
        let file = OutFile::bundle(format);
        let result = self.stream_bundle(&file, notes);
        if result.is_err() {
            // Whatever part of the bundle was streamed must not be published.
            self.sink.discard(&file);
        }
        let executed = Executed {
            index,
            result: result.map(Some).map_err(Box::new),
        };
        self.cancel.sleep(self.settings.latency);
        self.record(started, executed);
    }

    fn stream_bundle(
        &self,
        file: &OutFile,
        notes: impl Iterator<Item = Result<Arc<Note>, io::Error>>,
    ) -> Result<u64, Failure> {
        let fail = |error: io::Error| Failure::of(file, &error);
        let stream = self.with_retries(|| self.sink.open(file)).map_err(fail)?;
        let mut counted = CountingWriter {
            inner: io::BufWriter::new(stream),
            bytes: 0,
        };
        file.format
            .write_bundle(notes, &self.settings.render, &mut counted)
            .map_err(|e| fail(io::Error::other(error_chain(&e))))?;
        counted.flush().map_err(fail)?;
        Ok(counted.bytes)
    }
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
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_waiting_job_holds_stays_small() {
        // Async holds a start instant and an `Executed` per waiting job: 300,000 of them in
        // the scale workload.
        assert!(size_of::<Executed>() <= 24, "{}", size_of::<Executed>());
    }

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
