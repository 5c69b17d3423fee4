//! `smartnotes export`: settings from the arguments (which notebook, whether the sample may
//! stand in for it, where `--errors-json` may go), a progress bar, the stop signals, the
//! summary.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use smartnotes::export::{self, ExportConfig, Faults, Hooks, Layout, NoteSource, human_bytes};
use smartnotes::format::{BundleError, Format};
use smartnotes::model::Timestamp;
use smartnotes::store::{Store, StoreError};

use super::args::ExportArgs;
use super::config::Effective;
use super::progress::{self, Bar};
use super::signals::Interrupts;
use super::terminal::{count, escape, escape_lines, quoted};
use super::{ExitCode, Notebook, usage_error};

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
    fn new(
        notebook: &Notebook,
        effective: &Effective,
        args: ExportArgs,
    ) -> anyhow::Result<Settings> {
        let out = effective.out.value.clone();
        if let Some(path) = &args.errors_json {
            check_errors_json(path, &notebook.path, &out)?;
        }
        let (source, sample) = match args.synthetic {
            Some(count) => (NoteSource::Synthetic { count, seed: 42 }, false),
            None if use_sample(notebook, &out, &args)? => (NoteSource::sample(), true),
            None => (
                NoteSource::Store {
                    path: notebook.path.clone(),
                    query: args.filter.query(Timestamp::now()),
                },
                false,
            ),
        };
        let mut config = ExportConfig::new(out);
        config.formats = effective.formats.value.clone();
        // A vault is Markdown; the default formats mean "the vault's".
        if args.layout == Layout::Vault && config.formats == Format::DEFAULT {
            config.formats = vec![Format::Md];
        }
        config.layout = args.layout;
        config.naming = args.naming;
        config.strategy = effective.strategy.value;
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
        config.render.csv_safe = args.csv_safe;
        config.render.csv_bom = args.csv_bom;
        config.render.front_matter = args.front_matter;
        config.links = args.links;
        config.embeds = args.embeds;
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

/// Whether the built-in sample notebook stands in for a notebook that does not exist: only on
/// a first run. A notebook that exists is used; a missing one is an error naming it when the
/// user named it (`--db`, `SMARTNOTES_DB`), when the export is incremental (its manifest and
/// `--prune` would take the sample for the notebook) or when `--out` holds an earlier export
/// (the sample would replace its files).
fn use_sample(notebook: &Notebook, out: &Path, args: &ExportArgs) -> anyhow::Result<bool> {
    let path = &notebook.path;
    let exists = path
        .try_exists()
        .with_context(|| format!("cannot tell whether the notebook {} exists", quoted(path)))?;
    if exists {
        return Ok(false);
    }
    let missing = format!("no notebook at {}", path.display());
    if notebook.given {
        bail!(
            "{missing} (check --db, SMARTNOTES_DB or the config file's `db`); nothing was exported"
        );
    }
    if args.incremental || args.prune {
        bail!(
            "{missing}; the built-in sample notebook is for a first plain export only, never \
             with --incremental or --prune: pass --db PATH"
        );
    }
    if export::holds_export(out) {
        bail!(
            "{missing}, and {} holds an earlier export: the built-in sample notebook is not \
             exported over it; pass --db PATH",
            quoted(out)
        );
    }
    Ok(true)
}

/// `--errors-json` may name neither the notebook (nor its `-wal` and `-shm` files) nor anything
/// inside `--out`: writing there would replace the notebook or an exported file. Paths are
/// compared once resolved (links followed, `..` taken out), so no spelling gets around it.
fn check_errors_json(path: &Path, db: &Path, out: &Path) -> anyhow::Result<()> {
    let target = resolved(path);
    let db = resolved(db);
    for suffix in ["", "-wal", "-shm"] {
        let mut name = OsString::from(db.as_os_str());
        name.push(suffix);
        if target == Path::new(&name) {
            return Err(usage_error(format!(
                "--errors-json {} is the notebook{}: it would be replaced by the list of failures",
                escape(&path.display().to_string()),
                if suffix.is_empty() {
                    String::new()
                } else {
                    format!("'s {suffix} file")
                }
            )));
        }
    }
    if target.starts_with(resolved(out)) {
        return Err(usage_error(format!(
            "--errors-json {} is inside the export folder {}: name a file outside it",
            escape(&path.display().to_string()),
            escape(&out.display().to_string())
        )));
    }
    // Found now rather than after the export: the list of failures would have nowhere to go.
    if target.is_dir() {
        bail!(
            "cannot write the failures to {}: it is a folder",
            path.display()
        );
    }
    if !target.parent().is_some_and(Path::is_dir) {
        bail!(
            "cannot write the failures to {}: its folder does not exist",
            path.display()
        );
    }
    Ok(())
}

/// `path` made absolute with its links resolved: the longest part that exists is
/// canonicalized, the rest (which cannot hold a link) appended with `.` and `..` applied.
fn resolved(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    let base = loop {
        if let Ok(canonical) = existing.canonicalize() {
            break canonical;
        }
        match (existing.parent(), existing.components().next_back()) {
            (Some(parent), Some(last)) => {
                rest.push(last);
                existing = parent;
            }
            _ => break PathBuf::new(),
        }
    };
    let mut result = base;
    for component in rest.into_iter().rev() {
        match component {
            Component::ParentDir => {
                result.pop();
            }
            Component::CurDir => {}
            other => result.push(other),
        }
    }
    result
}

pub fn run(
    notebook: &Notebook,
    effective: &Effective,
    args: ExportArgs,
) -> anyhow::Result<ExitCode> {
    let to_stdout = effective.out.value.as_os_str() == "-";
    if to_stdout {
        check_stdout(effective, &args)?;
    }
    let settings = Settings::new(notebook, effective, args)?;
    if settings.sample && !settings.quiet {
        eprintln!(
            "no notebook at {} yet: exporting the built-in sample notebook (10 notes)",
            escape(&notebook.path.display().to_string())
        );
    }
    if to_stdout {
        return bundle_to_stdout(&settings);
    }
    let interrupts = Interrupts::install()?;
    let mut hooks = Hooks::default().with_cancel(interrupts.cancel());
    let doing = if settings.config.incremental {
        "comparing the notes with the last export"
    } else {
        "reading the notes"
    };
    if let Some(bar) = progress::bar("files", doing, settings.quiet || settings.json) {
        let bar = bar.then("moving the files into place");
        hooks = hooks.with_progress(Arc::new(Bar(bar)));
    }
    let summary = export::export(&settings.source, &settings.config, &hooks)
        .with_context(|| format!("export to {} failed", quoted(&settings.config.out)))?;
    if let Some(path) = &settings.errors_json {
        write_errors_json(path, &summary.failures)
            .with_context(|| format!("cannot write the failures to {}", path.display()))?;
    }
    if settings.json {
        say!("{}", serde_json::to_string(&summary)?);
    } else if !settings.quiet {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        for file in &summary.planned {
            let size = file
                .bytes
                .map(human_bytes)
                .unwrap_or_else(|| "bundle".into());
            let path = summary.out.join(&file.path).display().to_string();
            writeln!(out, "would write {} ({size})", escape(&path))?;
        }
        write!(out, "{}", escape_lines(&summary.to_string()))?;
        out.flush()?;
    } else {
        // Quiet still reports what failed: a silent failure is the one thing not allowed.
        for warning in &summary.warnings {
            eprintln!("WARNING {}", escape(warning));
        }
        for failure in &summary.failures {
            let path = settings
                .config
                .out
                .join(&failure.path)
                .display()
                .to_string();
            eprintln!("FAILED {}: {}", escape(&path), escape(&failure.error));
        }
        if summary.interrupted {
            eprintln!("interrupted: {}", summary.not_run());
        }
    }
    Ok(match interrupts.received() {
        Some(signal) if summary.interrupted => ExitCode::Signalled(signal),
        _ if summary.failed > 0 || !summary.warnings.is_empty() => ExitCode::Failure,
        _ => ExitCode::Success,
    })
}

/// Writes `failures` as a JSON array, atomically: a script never reads half a list.
fn write_errors_json(path: &Path, failures: &[export::Failure]) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    // An unpredictable name, created exclusively, renamed over the name given: a link planted
    // at that name is replaced, never written through.
    let mut file = tempfile::Builder::new()
        .prefix(".smartnotes-errors-")
        .tempfile_in(dir)?;
    serde_json::to_writer_pretty(&mut file, failures)?;
    file.write_all(b"\n")?;
    file.persist(path)?;
    Ok(())
}

/// `--out -` is for one bundle: a folder of files, several bundles, or the bookkeeping of an
/// incremental export have no place on standard output.
fn check_stdout(effective: &Effective, args: &ExportArgs) -> anyhow::Result<()> {
    let refuse = |why: &str| Err(usage_error(format!("--out - (standard output) {why}")));
    if args.layout != Layout::Bundle {
        return refuse("takes one bundle: add --layout bundle");
    }
    if effective.formats.value.len() != 1 {
        return refuse("takes one bundle of one format: name it with -f (md, json, jsonl or csv)");
    }
    if args.incremental || args.dry_run || args.errors_json.is_some() || args.synthetic.is_some() {
        return refuse(
            "writes the bundle and nothing else: not with --incremental, --dry-run, \
             --errors-json or --synthetic",
        );
    }
    if args.fail_rate.is_some() || args.latency.is_some() {
        return refuse("writes for real: not with --fail-rate or --latency");
    }
    Ok(())
}

/// Streams the one bundle to standard output. A damaged note is left out, named on standard
/// error, and the exit code is 1, as for a bundle file.
fn bundle_to_stdout(settings: &Settings) -> anyhow::Result<ExitCode> {
    let format = settings.config.formats[0];
    let mut damaged = Vec::new();
    let mut keep = |note: Result<smartnotes::model::Note, StoreError>| match note {
        Err(StoreError::Corrupt { id, reason }) => {
            eprintln!(
                "warning: note {id} is damaged and not exported: {}",
                escape(&reason)
            );
            damaged.push(id);
            None
        }
        other => Some(other),
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let options = &settings.config.render;
    let written = match &settings.source {
        NoteSource::Store { path, query } => {
            let snapshot = Store::open(path)?.into_snapshot()?;
            let notes = snapshot.notes(query)?.filter_map(&mut keep);
            format.write_bundle(notes, options, &mut out)
        }
        NoteSource::Memory(notes) => {
            format.write_bundle(notes.iter().map(Ok::<_, StoreError>), options, &mut out)
        }
        _ => bail!("--out - takes the notes of a notebook"),
    };
    written.map_err(|e| match e {
        BundleError::Io(e) => anyhow::Error::from(e),
        BundleError::Source(e) => anyhow::Error::from(e).context("reading the notes failed"),
    })?;
    out.flush()?;
    if !damaged.is_empty() {
        eprintln!(
            "error: {} not exported: {}",
            count(damaged.len() as u64, "damaged note", "damaged notes"),
            super::notes::ids(&damaged)
        );
        return Ok(ExitCode::Failure);
    }
    Ok(ExitCode::Success)
}
