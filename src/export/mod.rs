//! The export engine: notes x formats become jobs, a strategy runs them, a sink stores them.
//!
//! [`export()`] is the whole pipeline, in steps, each in a module of its own (the modules are
//! crate-internal; their names are given for readers of the source):
//!
//! 1. read (`source.rs`): the [`NoteSource`] is opened once: one snapshot of the notebook
//!    gives the count and every note;
//! 2. plan (`plan.rs`, `strategy/`): the strategy admits the planned jobs or refuses them
//!    before anything is written; [`plan()`] asks the same question without exporting;
//! 3. open the sink (`sink/`): the staging folder in the export folder, or nothing for a dry
//!    run or the null sink, and with `--incremental` the manifest (`incremental.rs`,
//!    `manifest.rs`);
//! 4. run: in the `files` and `vault` layouts the notes become jobs (`job.rs`) as they
//!    stream in (`produce.rs`), placed where the layout says (`placement.rs`: the vault's
//!    remembered paths, Jekyll's `_posts/`, read once before the jobs), and the strategy runs
//!    them through the shared `Work` (`work.rs`); in the `bundle` layout one writer per format
//!    is fed from the same stream (`bundle.rs`);
//! 5. publish (`publish.rs`): the staged files go into place and old files go;
//! 6. attachments (`attachments.rs`): the files the exported notes use, staged, published
//!    and kept in a manifest of their own, under the same lock;
//! 7. summarise: the books (`books.rs`) become the [`Summary`].
//!
//! One failed job never stops the others: it is a [`Failure`] in the summary, with the counts
//! every caller reports (files, bytes, failures, wall time). The caller watches and steers a
//! running export through its [`Hooks`] (`hooks.rs`): a [`Progress`], a two-level
//! [`Cancel`], the timeline. [`ExportConfig`] (`config.rs`) holds what an export is asked to
//! do, [`ExportError`] (`error.rs`) why it could not run, and `naming.rs` every name it gives
//! a file.

mod attachments;
mod books;
mod bundle;
mod config;
mod error;
mod hooks;
mod incremental;
mod job;
mod links;
mod listing;
mod manifest;
pub(crate) mod naming;
mod placement;
mod plan;
mod produce;
mod publish;
mod sink;
mod source;
mod strategy;
mod summary;
mod work;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Instant;

pub use attachments::{ATTACHMENTS_FOLDER, AttachmentLayout, AttachmentsDone, attachment_path};
pub use books::{Failure, Span, error_kind_name};
pub use config::{DEFAULT_RETRY_LIMIT, ExportConfig, Faults, Layout, OnError, SinkKind};
pub use error::{ConfigError, ExportError};
pub use hooks::{Cancel, CancelLevel, Hooks, Progress};
pub use links::LinksReport;
pub use naming::{Naming, holds_export};
pub use plan::{Plan, plan};
pub use sink::{FaultKind, PlannedFile, StagingError};
pub use source::NoteSource;
pub use strategy::{AsyncRuntime, StrategyKind};
pub use summary::{Summary, human_bytes};

use incremental::Incremental;
use links::Linker;
use manifest::ManifestSettings;
use placement::Placements;
use publish::Publication;
use sink::{Faulty, Null, Recorder, Sink, Staging};
use source::Reader;
use work::{Work, WorkSettings};

/// Runs an export of `source` as `config` says, and reports what it did. `Err` only when the
/// export could not run at all (refused, a bad folder, a notebook that cannot be read);
/// failed jobs are in the summary.
pub fn export(
    source: &NoteSource,
    config: &ExportConfig,
    hooks: &Hooks,
) -> Result<Summary, ExportError> {
    let started = Instant::now();
    source.read(|reader| {
        let plan = Plan::admit(reader.count()?, config)?;
        let sinks = open_sink(config)?;
        let work = Arc::new(Work::new(
            work_settings(config, &plan),
            sinks.sink.clone(),
            sinks.incremental.clone(),
            hooks,
            started,
        ));
        if let Some(progress) = &hooks.progress {
            progress.planned(plan.planned_jobs);
        }
        let mut links_report = None;
        let mut note_paths = HashSet::new();
        let run = Placements::plan(reader, config)
            .map_err(ExportError::from)
            .and_then(|placements| {
                if let Some(placements) = &placements {
                    note_paths = placements.paths().map(crate::links::resolve::key).collect();
                }
                let inc = sinks.incremental.as_deref();
                let linker = Linker::new(reader, config, placements.as_ref())?;
                let ran = run(
                    reader,
                    config,
                    &plan,
                    &work,
                    inc,
                    placements.as_ref(),
                    linker.as_ref(),
                );
                links_report = linker.map(|l| l.report());
                ran
            });
        // Publish what was written even when reading failed or the run was interrupted:
        // those files are complete, and leaving them staged would only delete them.
        let publication = match &sinks.staging {
            Some(staging) => {
                let prune = config.prune && run.is_ok() && !work.must_stop();
                let inc = sinks.incremental.as_deref();
                publish::publish(staging, &config.out, inc, prune, &work)
            }
            None => Publication::default(),
        };
        let attached = match run.is_ok() && !work.must_stop() {
            true => attachments::export(reader, config, sinks.staging.as_deref(), &note_paths),
            false => attachments::Attached::default(),
        };
        if let Some(progress) = &hooks.progress {
            progress.finish();
        }
        run?;
        let mut summary = summarise(source, config, &plan, &work, &sinks, publication, started);
        summary.warnings.extend(attached.warnings);
        summary.planned.extend(attached.planned);
        summary.attachments = attached.done;
        summary.links = links_report;
        Ok(summary)
    })
}

/// Where an export's bytes go, and what keeps track of them.
struct Sinks {
    sink: Arc<dyn Sink>,
    staging: Option<Arc<Staging>>,
    recorder: Option<Arc<Recorder>>,
    incremental: Option<Arc<Incremental>>,
    stale_removed: usize,
}

/// Opens the sink `config` asks for: the staging folder (which locks the export folder and
/// removes stale staging folders), a recorder for a dry run, or nothing; faults on top; and
/// with `--incremental` the manifest, loaded under the folder's lock.
fn open_sink(config: &ExportConfig) -> Result<Sinks, ExportError> {
    let mut sinks = Sinks {
        sink: Arc::new(Null),
        staging: None,
        recorder: None,
        incremental: None,
        stale_removed: 0,
    };
    if config.dry_run {
        let recorder = Arc::new(Recorder::default());
        sinks.sink = recorder.clone();
        sinks.recorder = Some(recorder);
    } else if config.sink == SinkKind::Dir {
        let folders: &[_] = match config.layout {
            Layout::Files => &config.formats,
            Layout::Bundle | Layout::Vault => &[],
        };
        let (staging, stale) = Staging::new(&config.out, folders)?;
        let staging = Arc::new(staging);
        sinks.sink = staging.clone();
        sinks.staging = Some(staging);
        sinks.stale_removed = stale;
    }
    if let Some(f) = config.faults {
        sinks.sink = Arc::new(Faulty::new(sinks.sink, f.rate, f.seed, f.kind));
    }
    sinks.incremental = config.incremental.then(|| {
        Arc::new(Incremental::load(
            &config.out,
            ManifestSettings::of(config.naming, &config.render, config.layout.name()),
            &config.formats,
            config.verify,
        ))
    });
    Ok(sinks)
}

fn work_settings(config: &ExportConfig, plan: &Plan) -> WorkSettings {
    WorkSettings {
        naming: config.naming,
        render: config.render,
        latency: config.latency,
        planned_jobs: plan.planned_jobs,
        retry_limit: config.retry_limit,
        fail_fast: config.on_error == OnError::FailFast,
    }
}

/// Runs every job of the export: the strategy on the note jobs, or the bundle writers.
fn run(
    reader: &Reader<'_>,
    config: &ExportConfig,
    plan: &Plan,
    work: &Arc<Work>,
    incremental: Option<&Incremental>,
    placements: Option<&Placements>,
    linker: Option<&Linker<'_>>,
) -> Result<(), ExportError> {
    match config.layout {
        Layout::Files | Layout::Vault => {
            let strategy = config.strategy.build(plan.concurrency, config.runtime);
            let formats = &config.formats;
            let mut jobs =
                produce::NoteJobs::new(reader, formats, work, incremental, placements, linker)?;
            strategy.run(&mut jobs, work)
        }
        Layout::Bundle => bundle::write_bundles(reader, &config.formats, plan.concurrency, work),
    }
}

/// The summary of a finished export.
fn summarise(
    source: &NoteSource,
    config: &ExportConfig,
    plan: &Plan,
    work: &Work,
    sinks: &Sinks,
    publication: Publication,
    started: Instant,
) -> Summary {
    let books = work.close();
    let wall = started.elapsed();
    Summary {
        files: books.files,
        bytes: books.bytes,
        failed: books.failures.len() as u64,
        unchanged: books.unchanged,
        removed: publication.removed,
        retries_done: books.retries_done,
        incremental: config.incremental,
        full_export_reason: (sinks.incremental.as_ref())
            .and_then(|i| i.full_reason().map(str::to_owned)),
        warnings: publication.warnings,
        peak_rss_bytes: crate::resources::peak_rss_bytes(),
        planned_jobs: plan.planned_jobs,
        notes: plan.notes,
        wall_s: wall.as_secs_f64(),
        files_per_s: if wall.is_zero() {
            0.0
        } else {
            plan.planned_jobs as f64 / wall.as_secs_f64()
        },
        strategy: config.strategy,
        concurrency: plan.concurrency,
        threads: plan.threads,
        formats: config.formats.clone(),
        layout: config.layout,
        latency_ms: (!config.latency.is_zero()).then_some(config.latency.as_secs_f64() * 1e3),
        out: config.out.clone(),
        source: source.describe(),
        interrupted: work.interrupted(),
        on_error: config.on_error,
        stopped_early: work.stopped_early(),
        dry_run: config.dry_run,
        planned: sinks
            .recorder
            .as_ref()
            .map(|r| r.take())
            .unwrap_or_default(),
        stale_removed: sinks.stale_removed,
        front_matter: config.render.front_matter,
        tags_changed: books.tags_changed.changes.into_iter().collect(),
        notes_with_tags_changed: books.tags_changed.notes,
        failures: books.failures,
        spans: books.spans,
        attachments: AttachmentsDone::default(),
        links: None,
    }
}
