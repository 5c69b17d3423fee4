//! The export engine: notes x formats become jobs, a strategy runs them, a sink stores them.
//!
//! [`export`] is the whole pipeline. It counts the notes, turns each (note, format) pair into
//! a [`Job`](work::Job) as the notes stream in, lets the chosen [`strategy`] run the jobs
//! through the shared [`Work`](work::Work), and finally publishes the staged files (see
//! [`sink`]). One failed job never stops the others: it is listed in the [`Summary`], which
//! also carries the counts every caller reports (files, bytes, failures, wall time).
//! Transient write errors are retried in [`work`]; `--incremental` ([`incremental`]) skips
//! files that are already up to date.

pub mod incremental;
pub mod naming;
pub mod sink;
pub mod source;
pub mod strategy;
mod summary;
pub mod work;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::ProgressBar;
use serde::Serialize;

pub use naming::Naming;
pub use sink::{FaultKind, PlannedFile};
pub use source::NoteSource;
pub use strategy::StrategyKind;
pub use summary::{Summary, human_bytes};
pub use work::{Failure, Span};

use crate::format::{Format, RenderOptions};
use crate::store::StoreError;
use sink::{Faulty, Null, Recorder, Sink, Staging};
use work::{Job, JobKind, Work, lock};

/// How files are laid out in the export folder.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    /// One file per note per format: `<out>/<format>/<id>-<slug>.<ext>`.
    #[default]
    Files,
    /// One file per format holding every note: `<out>/notes.<ext>`.
    Bundle,
}

/// Where the bytes go.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum SinkKind {
    /// Files in the output folder, staged and published atomically.
    #[default]
    Dir,
    /// Nowhere: render and schedule without touching the disk (benchmarks).
    Null,
}

/// What an export does after a job fails.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum OnError {
    /// Run every job; report the failures at the end.
    #[default]
    Continue,
    /// Schedule no new job after the first failure; jobs in flight end and are published.
    FailFast,
}

/// Deterministic fault injection: fail about `rate` of the writes, chosen by `seed`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Faults {
    /// Fraction of writes that fail, 0.0 to 1.0.
    pub rate: f64,
    /// Which ones.
    pub seed: u64,
    /// Permanent errors, a full disk, or transient errors that retries cure.
    pub kind: FaultKind,
}

/// Retries of a transient write error when none are configured.
pub const DEFAULT_RETRIES: u32 = 3;

/// Everything that decides what an export writes and how. Build one, then call [`export`].
#[derive(Clone, Debug)]
pub struct ExportConfig {
    /// The export folder; nothing is ever written outside it.
    pub out: PathBuf,
    /// Formats, each written once per note (or once, in a bundle).
    pub formats: Vec<Format>,
    /// Files or bundle.
    pub layout: Layout,
    /// How per-note files are named.
    pub naming: Naming,
    /// How jobs are run.
    pub strategy: StrategyKind,
    /// N, the most jobs in flight; `None` for the strategy's default.
    pub concurrency: Option<usize>,
    /// Simulated I/O latency added to every write (the lesson's slow disk); zero for none.
    pub latency: Duration,
    /// Where bytes go.
    pub sink: SinkKind,
    /// Injected failures, for tests and demos.
    pub faults: Option<Faults>,
    /// Rendering choices.
    pub render: RenderOptions,
    /// Go on after a failed job, or stop scheduling.
    pub on_error: OnError,
    /// Render everything and report what would be written, writing nothing.
    pub dry_run: bool,
    /// The tokio runtime of the `async` strategy: one worker per core (default), or only the
    /// calling thread (the lab's "one thread, many tasks").
    pub runtime: strategy::asynchronous::Flavor,
    /// How many times a write that failed with a transient error is tried again.
    pub retries: u32,
    /// Skip notes whose file is already up to date, by the manifest ([`incremental`]).
    pub incremental: bool,
    /// With `incremental`: remove the files of notes no longer exported.
    pub prune: bool,
    /// With `incremental`: render every note and compare it with its file on disk, so that
    /// files edited by hand are written again (slower: every file is read).
    pub verify: bool,
}

impl ExportConfig {
    /// The defaults: every default format into `out`, files layout, slug names, the default
    /// strategy, no latency.
    pub fn new(out: impl Into<PathBuf>) -> Self {
        ExportConfig {
            out: out.into(),
            formats: Format::DEFAULT.to_vec(),
            layout: Layout::Files,
            naming: Naming::Slug,
            strategy: StrategyKind::DEFAULT,
            concurrency: None,
            latency: Duration::ZERO,
            sink: SinkKind::Dir,
            faults: None,
            render: RenderOptions::default(),
            on_error: OnError::Continue,
            dry_run: false,
            runtime: strategy::asynchronous::Flavor::MultiThread,
            retries: DEFAULT_RETRIES,
            incremental: false,
            prune: false,
            verify: false,
        }
    }

    /// N for an export of `jobs` jobs, and the strategy that runs them, once it has accepted
    /// them: a refusal (too many threads) comes before anything is written.
    pub(crate) fn admit(
        &self,
        jobs: u64,
    ) -> Result<(usize, Box<dyn strategy::Strategy>), ExportError> {
        let concurrency = self
            .concurrency
            .unwrap_or_else(|| self.strategy.default_concurrency(jobs, self.latency))
            .max(1);
        let strategy = self.strategy.build(concurrency, self.runtime);
        strategy.admit(jobs)?;
        Ok((concurrency, strategy))
    }

    /// Checks the settings that types alone cannot: at least one format, each once; N >= 1.
    pub fn validate(mut self) -> Result<Self, ExportError> {
        if self.formats.is_empty() {
            return Err(ExportError::Config("at least one format is needed".into()));
        }
        let mut seen = Vec::new();
        self.formats.retain(|f| {
            let new = !seen.contains(f);
            seen.push(*f);
            new
        });
        if self.concurrency == Some(0) {
            return Err(ExportError::Config("--jobs must be at least 1".into()));
        }
        if let Some(f) = self.faults
            && !(0.0..=1.0).contains(&f.rate)
        {
            return Err(ExportError::Config(format!(
                "--fail-rate {} is not between 0 and 1",
                f.rate
            )));
        }
        if self.verify && !self.incremental {
            return Err(ExportError::Config(
                "--verify needs --incremental: it checks the files the manifest lists".into(),
            ));
        }
        if self.prune && !self.incremental {
            return Err(ExportError::Config(
                "--prune needs --incremental: only the manifest says which files are ours".into(),
            ));
        }
        if self.incremental && self.layout != Layout::Files {
            return Err(ExportError::Config(
                "--incremental works with --layout files only".into(),
            ));
        }
        if self.incremental && self.sink != SinkKind::Dir {
            return Err(ExportError::Config(
                "--incremental needs files on disk (--sink dir)".into(),
            ));
        }
        Ok(self)
    }
}

/// Things an export reports to, or is steered by, while it runs.
#[derive(Clone, Debug, Default)]
pub struct Hooks {
    /// Advanced by one per finished job.
    pub progress: Option<ProgressBar>,
    /// Set it (Ctrl-C) to stop scheduling new jobs; jobs in flight finish and are published.
    pub cancel: Option<Arc<AtomicBool>>,
    /// Record when each job started and ended ([`Summary::spans`]).
    pub timeline: bool,
}

/// Why an export could not run at all. Failures of single jobs are not errors: they are in
/// [`Summary::failures`].
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The settings do not make sense.
    #[error("invalid export settings: {0}")]
    Config(String),
    /// The strategy cannot hold this export; nothing was written.
    #[error("the {strategy} strategy refuses this export: {reason}")]
    Refused {
        /// Which strategy.
        strategy: &'static str,
        /// Why, with the limit and where it comes from.
        reason: String,
    },
    /// Reading the notes failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The output folder cannot be used.
    #[error(transparent)]
    Staging(#[from] sink::StagingError),
    /// A thread pool or runtime could not be started.
    #[error("cannot start the worker threads")]
    Runtime(#[source] std::io::Error),
}

/// Runs an export of `source` as `config` says, and reports what it did.
pub fn export(
    source: &NoteSource,
    config: &ExportConfig,
    hooks: &Hooks,
) -> Result<Summary, ExportError> {
    let started = Instant::now();
    let notes = source.count()?;
    let job_count = match config.layout {
        Layout::Files => notes * config.formats.len() as u64,
        Layout::Bundle => config.formats.len() as u64,
    };
    let (concurrency, strategy) = config.admit(job_count)?;

    let mut stale_removed = 0;
    let recorder = config.dry_run.then(|| Arc::new(Recorder::default()));
    let (staging, base): (Option<Arc<Staging>>, Arc<dyn Sink>) = match config.sink {
        _ if let Some(recorder) = &recorder => (None, recorder.clone()),
        SinkKind::Dir => {
            let subdirs: Vec<&str> = match config.layout {
                Layout::Files => config.formats.iter().map(|f| f.extension()).collect(),
                Layout::Bundle => Vec::new(),
            };
            let (staging, stale) = Staging::new(&config.out, &subdirs)?;
            stale_removed = stale;
            let staging = Arc::new(staging);
            (Some(staging.clone()), staging)
        }
        SinkKind::Null => (None, Arc::new(Null)),
    };
    let sink: Arc<dyn Sink> = match config.faults {
        Some(f) => Arc::new(Faulty::with_kind(base, f.rate, f.seed, f.kind)),
        None => base,
    };
    // Loaded after the staging folder exists, so under the folder's lock.
    let incremental = config.incremental.then(|| {
        Arc::new(incremental::Incremental::load(
            &config.out,
            incremental::ManifestSettings::of(config.naming, &config.render),
            &config.formats,
            config.verify,
        ))
    });
    if let Some(bar) = &hooks.progress {
        bar.set_length(job_count);
    }
    let work = Arc::new(Work {
        source: source.clone(),
        naming: config.naming,
        render: config.render,
        sink,
        latency: config.latency,
        jobs: job_count,
        cancel: hooks.cancel.clone().unwrap_or_default(),
        fail_fast: config.on_error == OnError::FailFast,
        stopped: AtomicBool::new(false),
        progress: hooks.progress.clone(),
        epoch: started,
        retries: config.retries,
        incremental: incremental.clone(),
        files: AtomicU64::new(0),
        bytes: AtomicU64::new(0),
        unchanged: AtomicU64::new(0),
        retried: AtomicU64::new(0),
        failures: Mutex::new(Vec::new()),
        spans: hooks.timeline.then(|| Mutex::new(Vec::new())),
    });

    let run = match config.layout {
        Layout::Files => {
            let formats = config.formats.clone();
            // Unchanged files are booked here, on the reading thread, and never become jobs:
            // a re-export of an unchanged notebook schedules nothing, whatever the strategy.
            let skip = incremental.clone().filter(|inc| !inc.verify());
            let producer = work.clone();
            let mut index = 0u64;
            let mut jobs = source.notes()?.flat_map(move |note| {
                let note = match note {
                    Ok(note) => Arc::new(note),
                    Err(e) => return vec![Err(e)],
                };
                let hash = skip.as_ref().map(|_| incremental::note_hash(&note));
                let mut per_format = Vec::with_capacity(formats.len());
                let mut unchanged = 0;
                for &format in &formats {
                    index += 1;
                    // After Ctrl-C, the job goes to the strategy, which stops there.
                    if let (Some(inc), Some(hash)) = (&skip, &hash)
                        && !producer.cancelled()
                        && inc.unchanged(note.id, format, hash)
                    {
                        unchanged += 1;
                        continue;
                    }
                    per_format.push(Ok(Job {
                        index: index - 1,
                        kind: JobKind::Note {
                            note: note.clone(),
                            format,
                        },
                    }));
                }
                if unchanged > 0 {
                    producer.skipped(unchanged);
                }
                per_format
            });
            strategy.run(&mut jobs, &work)
        }
        Layout::Bundle => {
            let mut jobs = config.formats.iter().enumerate().map(|(i, &format)| {
                Ok(Job {
                    index: i as u64,
                    kind: JobKind::Bundle { format },
                })
            });
            strategy.run(&mut jobs, &work)
        }
    };

    // Publish what was written even when reading failed or the run was interrupted: those
    // files are complete, and leaving them staged would only be deleted next time.
    let mut removed = 0;
    let mut warnings = Vec::new();
    if let Some(staging) = &staging {
        // Prune only after a run that saw every note: an unread note is not a deleted one.
        let prune = config.prune && run.is_ok() && !work.cancelled();
        let manifest_ok = match &incremental {
            Some(inc) => inc.prepare(prune),
            // A plain export replaces files the manifest of an earlier incremental one vouches
            // for: that manifest must go before they change (the next incremental run is full).
            None => match std::fs::remove_file(config.out.join(incremental::MANIFEST_NAME)) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            },
        };
        if let Err(e) = &manifest_ok {
            // Not one file may change while the manifest could still vouch for its old bytes.
            let error = format!("cannot update the manifest before publishing: {e}");
            for file in staging.discard_all() {
                work.unpublish(sink::Unpublished {
                    path: file.path,
                    bytes: file.bytes.unwrap_or(0),
                    error: std::io::Error::other(error.clone()),
                });
            }
        }
        let published = staging.publish();
        removed = published.renamed;
        let unpublished: std::collections::HashSet<PathBuf> =
            published.failed.iter().map(|u| u.path.clone()).collect();
        for unpublished in published.failed {
            work.unpublish(unpublished);
        }
        if let (Some(inc), Ok(())) = (&incremental, manifest_ok) {
            let finished = inc.finish(prune, &unpublished);
            removed += finished.removed;
            warnings.extend(finished.remove_failed);
            warnings.extend(finished.manifest_error);
        }
    }
    if let Some(bar) = &hooks.progress {
        bar.finish_and_clear();
    }
    run?;

    let mut failures = std::mem::take(&mut *lock(&work.failures));
    failures.sort_by(|a, b| (a.note_id, a.format, &a.path).cmp(&(b.note_id, b.format, &b.path)));
    let mut spans = work
        .spans
        .as_ref()
        .map(|s| std::mem::take(&mut *lock(s)))
        .unwrap_or_default();
    spans.sort_by_key(|s| s.index);
    let wall = started.elapsed();
    Ok(Summary {
        files: work.files.load(std::sync::atomic::Ordering::Relaxed),
        unchanged: work.unchanged.load(std::sync::atomic::Ordering::Relaxed),
        removed,
        retries: work.retried.load(std::sync::atomic::Ordering::Relaxed),
        incremental: config.incremental,
        full_export_reason: incremental.as_ref().and_then(|i| i.full_reason.clone()),
        peak_rss_bytes: crate::resources::peak_rss_bytes(),
        bytes: work.bytes.load(std::sync::atomic::Ordering::Relaxed),
        failed: failures.len() as u64,
        warnings,
        jobs: job_count,
        notes,
        wall_s: wall.as_secs_f64(),
        files_per_s: if wall.is_zero() {
            0.0
        } else {
            job_count as f64 / wall.as_secs_f64()
        },
        strategy: config.strategy,
        concurrency,
        threads: strategy.threads(job_count),
        formats: config.formats.clone(),
        layout: config.layout,
        latency_ms: (!config.latency.is_zero()).then_some(config.latency.as_secs_f64() * 1e3),
        out: config.out.clone(),
        source: source.describe(),
        cancelled: work.interrupted(),
        on_error: config.on_error,
        stopped_early: work.stopped_early(),
        dry_run: config.dry_run,
        planned: recorder.map(|r| r.take()).unwrap_or_default(),
        stale_removed,
        failures,
        spans,
    })
}

impl Work {
    /// Books `n` jobs left out because their files are up to date (no span: they never ran).
    fn skipped(&self, n: u64) {
        self.unchanged
            .fetch_add(n, std::sync::atomic::Ordering::Relaxed);
        if let Some(bar) = &self.progress {
            bar.inc(n);
        }
    }

    /// A job whose file was written but could not be published: it counts as failed.
    fn unpublish(&self, unpublished: sink::Unpublished) {
        let sink::Unpublished { path, bytes, error } = unpublished;
        let error = error.to_string();
        let format = path
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .and_then(|dir| {
                Format::ALL
                    .into_iter()
                    .find(|f| f.extension() == dir || naming::bundle_name(*f) == dir)
            });
        let note_id = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(naming::id_from_file_name);
        let Some(format) = format else { return };
        let mut failures = lock(&self.failures);
        if failures.iter().any(|f| f.path == path) {
            return;
        }
        self.files
            .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
        self.bytes
            .fetch_sub(bytes, std::sync::atomic::Ordering::Relaxed);
        failures.push(Failure {
            note_id,
            format,
            path,
            error,
        });
    }
}
