//! `smartnotes import`: settings from the arguments, the import, the summary and the errors.
//!
//! `-` is standard input: read whole (under `--max-size`), in the format `--format` names or
//! the one its first line shows, into a private temporary file named like the bundle of that
//! format (so that a bundle piped from `export --out -` reads back as one); messages name it
//! `(standard input)`.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use smartnotes::format::Format;
use smartnotes::import::{self, ImportConfig};
use smartnotes::store::{ImportMode, Outcome, Store};

use super::args::ImportArgs;
use super::progress::{self, Bar};
use super::terminal::{count, escape, quoted};
use super::{ExitCode, usage_error};

/// How standard input is named in messages.
const STDIN: &str = "(standard input)";

pub fn run(db: &Path, mut args: ImportArgs) -> anyhow::Result<ExitCode> {
    let stdin = match args.paths.iter().filter(|p| p.as_os_str() == "-").count() {
        0 => None,
        1 => Some(read_stdin(args.format, args.max_size)?),
        _ => return Err(usage_error("`-` (standard input) can be given once")),
    };
    if args.format.is_some() && stdin.is_none() {
        return Err(usage_error(
            "--format is for `-` (standard input): files are read by their extension",
        ));
    }
    if let Some(stdin) = &stdin {
        for path in &mut args.paths {
            if path.as_os_str() == "-" {
                *path = stdin.path.clone();
            }
        }
    }
    let shown = |text: String| match &stdin {
        Some(stdin) => text.replace(&stdin.path.display().to_string(), STDIN),
        None => text,
    };
    let unnamed: Vec<PathBuf> = stdin.iter().map(|s| s.path.clone()).collect();
    report(db, &args, unnamed, shown)
}

/// Standard input, kept in a temporary file for the import.
struct Stdin {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

fn read_stdin(format: Option<Format>, max_size: u64) -> anyhow::Result<Stdin> {
    if std::io::stdin().is_terminal() {
        eprintln!("reading notes from standard input; end with Ctrl-D");
    }
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(max_size.saturating_add(1))
        .read_to_end(&mut bytes)
        .context("cannot read standard input")?;
    if bytes.len() as u64 > max_size {
        bail!("{STDIN}: over the size limit of {max_size} bytes (see --max-size)");
    }
    // An empty file is an empty note, but nothing piped in is most likely a mistake.
    if bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(&bytes)
        .is_empty()
    {
        bail!("{STDIN}: the file is empty: nothing was piped in");
    }
    let format = format.unwrap_or_else(|| detect(&bytes));
    let dir = tempfile::Builder::new()
        .prefix("smartnotes-stdin-")
        .tempdir()
        .context("cannot make a temporary folder for standard input")?;
    let path = dir.path().join(format!("notes.{}", format.extension()));
    std::fs::write(&path, &bytes).with_context(|| format!("cannot write {}", quoted(&path)))?;
    Ok(Stdin { _dir: dir, path })
}

/// The format of a text by its first line: `---` Markdown with front matter, `[` or a lone
/// `{` JSON, a whole `{...}` JSON Lines, `id,` CSV; anything else is Markdown (a note
/// without front matter).
fn detect(bytes: &[u8]) -> Format {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    let first = text.lines().next().unwrap_or("").trim();
    if first.starts_with('[') || first == "{" {
        Format::Json
    } else if first.starts_with('{') {
        Format::Jsonl
    } else if first.starts_with("id,") {
        Format::Csv
    } else {
        Format::Md
    }
}

fn report(
    db: &Path,
    args: &ImportArgs,
    unnamed: Vec<PathBuf>,
    shown: impl Fn(String) -> String,
) -> anyhow::Result<ExitCode> {
    let mode = match (args.update, args.keep_ids) {
        (true, _) => ImportMode::Update,
        (false, true) => ImportMode::KeepIds,
        (false, false) => ImportMode::NewIds,
    };
    let config = ImportConfig {
        mode,
        skip_invalid: args.skip_invalid,
        dry_run: args.dry_run,
        max_size: args.max_size,
        max_attachment_size: args.max_attachment_size,
        csv_safe: args.csv_safe,
        strict: args.strict,
        zone: args.timezone.clone().unwrap_or_default(),
        unnamed,
    };
    // A dry run writes nothing, not even a new empty notebook: without one, every note
    // would be added, which an empty in-memory notebook says just as well.
    let mut store = if args.dry_run && !db.exists() {
        Store::open_in_memory()?
    } else {
        Store::open_or_create_with_timeout(db, Duration::from_millis(args.busy_timeout_ms))?
    };
    let quiet = args.quiet || args.json;
    let summary = match progress::bar("files", "finding the files", quiet) {
        Some(bar) => {
            let bar = Arc::new(Bar(bar.then("writing the notes")));
            import::import_with_progress(&mut store, &args.paths, &config, bar.as_ref())
        }
        None => import::import(&mut store, &args.paths, &config),
    }
    .with_context(|| format!("importing into {}", quoted(db)))?;

    let mut err = std::io::stderr().lock();
    for special in &summary.special_files {
        writeln!(
            err,
            "warning: {}: skipped, a {} is not a note file (never opened)",
            escape(&special.path.display().to_string()),
            special.kind
        )?;
    }
    for w in &summary.warnings {
        let w = w.to_string();
        writeln!(err, "warning: {}", super::terminal::escape(&w))?;
    }
    for e in &summary.errors {
        let what = if args.skip_invalid && !args.dry_run {
            "skipped"
        } else {
            "error"
        };
        writeln!(err, "{what}: {}", escape(&shown(e.to_string())))?;
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        let mut value = serde_json::to_value(&summary)?;
        value["db"] = db.display().to_string().into();
        value["errors"] = summary
            .errors
            .iter()
            .map(|e| {
                serde_json::json!({
                    "path": shown(e.path().display().to_string()),
                    "line": e.line(),
                    "message": shown(e.to_string()),
                })
            })
            .collect();
        serde_json::to_writer_pretty(&mut out, &value)?;
        writeln!(out)?;
    } else {
        if args.dry_run {
            for (origin, id, outcome) in &summary.plan {
                let (what, id) = match outcome {
                    Outcome::Added(given) => ("add", given.or(*id)),
                    Outcome::Updated(id) => ("update", Some(*id)),
                    Outcome::Unchanged(id) => ("unchanged", Some(*id)),
                    Outcome::Clash(_) => continue,
                };
                let id = id.map_or_else(|| "new".to_owned(), |id| id.to_string());
                writeln!(
                    out,
                    "{what:<9} {id:>6}  {}",
                    escape(&shown(origin.to_string()))
                )?;
            }
        }
        let verb = if args.dry_run {
            "dry run: would import"
        } else if summary.committed {
            "imported"
        } else {
            "nothing imported from"
        };
        let mut line = format!(
            "{verb} {}: {} added, {} updated, {} unchanged",
            count(summary.files, "file", "files"),
            summary.added,
            summary.updated,
            summary.unchanged
        );
        if summary.duplicates > 0 {
            line += &format!(", {}", count(summary.duplicates, "duplicate", "duplicates"));
        }
        if summary.invalid > 0 {
            line += &format!(", {} invalid", summary.invalid);
        }
        if !summary.warnings.is_empty() {
            line += &format!(", {} warnings", summary.warnings.len());
        }
        if summary.skipped_files > 0 {
            line += &format!(
                ", {} skipped",
                count(summary.skipped_files, "other file", "other files")
            );
        }
        if !summary.special_files.is_empty() {
            let n = summary.special_files.len() as u64;
            line += &format!(
                ", {} skipped",
                count(n, "FIFO, socket or device", "FIFOs, sockets or devices")
            );
        }
        writeln!(out, "{line} ({})", escape(&db.display().to_string()))?;
        super::attach::report_import(&mut out, &summary.attachments, args.dry_run)?;
        if summary.dates_without_zone > 0 {
            let zone = if summary.time_zone_is_local {
                format!("the local time zone, {}", summary.time_zone)
            } else {
                summary.time_zone.clone()
            };
            writeln!(
                out,
                "{} gave no time zone and {} read in {zone} (--timezone ZONE to choose)",
                count(summary.dates_without_zone, "date", "dates"),
                if summary.dates_without_zone == 1 {
                    "was"
                } else {
                    "were"
                }
            )?;
        }
    }
    Ok(if summary.errors.is_empty() {
        ExitCode::Success
    } else {
        ExitCode::Failure
    })
}
