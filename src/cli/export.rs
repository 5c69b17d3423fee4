//! `smartnotes export`: settings from the arguments, a progress bar, Ctrl-C, the summary.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use smartnotes::export::{
    self, Cancel, ExportConfig, Faults, Hooks, NoteSource, Progress, human_bytes,
};
use smartnotes::format::RenderOptions;
use smartnotes::model::Timestamp;

use super::ExitCode;
use super::args::ExportArgs;

/// The validated settings of one `export` command.
struct Settings {
    config: ExportConfig,
    source: NoteSource,
    sample: bool,
    errors_json: Option<PathBuf>,
    json: bool,
    quiet: bool,
}

impl Settings {
    fn new(db: &Path, args: ExportArgs) -> anyhow::Result<Settings> {
        let sample = !db.exists() && args.synthetic.is_none();
        let source = if let Some(count) = args.synthetic {
            NoteSource::Synthetic { count, seed: 42 }
        } else if sample {
            NoteSource::sample()
        } else {
            NoteSource::Store {
                path: db.to_path_buf(),
                query: args.filter.query(Timestamp::now()),
            }
        };
        let mut config = ExportConfig::new(args.out);
        config.formats = args.format;
        config.layout = args.layout;
        config.naming = args.naming;
        config.strategy = args.strategy;
        config.concurrency = args.jobs;
        config.latency = args.latency.unwrap_or_default();
        config.faults = args.fail_rate.map(|rate| Faults {
            rate,
            seed: args.fail_seed,
            kind: args.fail_kind,
        });
        config.retry_limit = args.retries;
        config.incremental = args.incremental;
        config.prune = args.prune;
        config.verify = args.verify;
        config.sink = args.sink;
        config.render = RenderOptions {
            csv_safe: args.csv_safe,
        };
        config.on_error = args.on_error;
        config.dry_run = args.dry_run;
        let config = config.validate()?;
        Ok(Settings {
            config,
            source,
            sample,
            errors_json: args.errors_json,
            json: args.json,
            quiet: args.quiet,
        })
    }
}

pub fn run(db: &Path, args: ExportArgs) -> anyhow::Result<ExitCode> {
    let settings = Settings::new(db, args)?;
    if settings.sample && !settings.quiet {
        eprintln!(
            "no notebook at {} yet: exporting the built-in sample notebook (10 notes)",
            db.display()
        );
    }
    let cancel = Cancel::new();
    {
        let cancel = cancel.clone();
        // A second handler cannot be installed in one process; the binary sets it only here.
        ctrlc::set_handler(move || cancel.stop()).context("cannot install the Ctrl-C handler")?;
    }
    let mut hooks = Hooks::default().with_cancel(cancel);
    if let Some(bar) = progress_bar(&settings) {
        hooks = hooks.with_progress(Arc::new(Bar(bar)));
    }
    let summary = export::export(&settings.source, &settings.config, &hooks)
        .with_context(|| format!("export to {} failed", settings.config.out.display()))?;
    if let Some(path) = &settings.errors_json {
        write_errors_json(path, &summary.failures)
            .with_context(|| format!("cannot write the failures to {}", path.display()))?;
    }
    if settings.json {
        println!("{}", serde_json::to_string(&summary)?);
    } else if !settings.quiet {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        for file in &summary.planned {
            let size = file
                .bytes
                .map(human_bytes)
                .unwrap_or_else(|| "bundle".into());
            writeln!(
                out,
                "would write {} ({size})",
                summary.out.join(&file.path).display()
            )?;
        }
        write!(out, "{summary}")?;
        out.flush()?;
    } else {
        // Quiet still reports what failed: a silent failure is the one thing not allowed.
        for warning in &summary.warnings {
            eprintln!("WARNING {warning}");
        }
        for failure in &summary.failures {
            eprintln!(
                "FAILED {}: {}",
                settings.config.out.join(&failure.path).display(),
                failure.error
            );
        }
    }
    Ok(if summary.interrupted {
        ExitCode::Interrupted
    } else if summary.failed > 0 || !summary.warnings.is_empty() {
        ExitCode::Failure
    } else {
        ExitCode::Success
    })
}

/// Writes `failures` as a JSON array, atomically: a script never reads half a list.
fn write_errors_json(path: &Path, failures: &[export::Failure]) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    serde_json::to_writer_pretty(&mut file, failures)?;
    file.write_all(b"\n")?;
    file.persist(path)?;
    Ok(())
}

/// The export's progress on an indicatif bar.
struct Bar(ProgressBar);

impl Progress for Bar {
    fn planned(&self, jobs: u64) {
        self.0.set_length(jobs);
    }

    fn advance(&self, jobs: u64) {
        self.0.inc(jobs);
    }

    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

/// A bar on standard error when it is a terminal and output is not quiet or JSON.
fn progress_bar(settings: &Settings) -> Option<ProgressBar> {
    if settings.quiet || settings.json || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template("{bar:40} {pos}/{len} files {per_sec} {eta}")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    Some(bar)
}
