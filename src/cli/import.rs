//! `smartnotes import`: settings from the arguments, the import, the summary and the errors.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use smartnotes::import::{self, ImportConfig};
use smartnotes::store::{ImportMode, Outcome, Store};

use super::ExitCode;
use super::args::ImportArgs;

pub fn run(db: &Path, args: ImportArgs) -> anyhow::Result<ExitCode> {
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
        csv_safe: args.csv_safe,
        strict: args.strict,
        zone: args.timezone.clone().unwrap_or_default(),
    };
    // A dry run writes nothing, not even a new empty notebook: without one, every note
    // would be added, which an empty in-memory notebook says just as well.
    let mut store = if args.dry_run && !db.exists() {
        Store::open_in_memory()?
    } else {
        Store::open_or_create_with_timeout(db, Duration::from_millis(args.busy_timeout_ms))?
    };
    let summary = import::import(&mut store, &args.paths, &config)
        .with_context(|| format!("importing into {}", db.display()))?;

    let mut err = std::io::stderr().lock();
    for special in &summary.special_files {
        writeln!(
            err,
            "warning: {}: skipped, a {} is not a note file (never opened)",
            special.path.display(),
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
        writeln!(err, "{what}: {e}")?;
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
                    "path": e.path(),
                    "line": e.line(),
                    "message": e.to_string(),
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
                writeln!(out, "{what:<9} {id:>6}  {origin}")?;
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
            "{verb} {} files: {} added, {} updated, {} unchanged",
            summary.files, summary.added, summary.updated, summary.unchanged
        );
        if summary.duplicates > 0 {
            line += &format!(", {} duplicates", summary.duplicates);
        }
        if summary.invalid > 0 {
            line += &format!(", {} invalid", summary.invalid);
        }
        if !summary.warnings.is_empty() {
            line += &format!(", {} warnings", summary.warnings.len());
        }
        if summary.skipped_files > 0 {
            line += &format!(", {} other files skipped", summary.skipped_files);
        }
        if !summary.special_files.is_empty() {
            line += &format!(
                ", {} FIFOs, sockets or devices skipped",
                summary.special_files.len()
            );
        }
        writeln!(out, "{line} ({})", db.display())?;
        if summary.dates_without_zone > 0 {
            let zone = if summary.time_zone_is_local {
                format!("the local time zone, {}", summary.time_zone)
            } else {
                summary.time_zone.clone()
            };
            writeln!(
                out,
                "{} dates gave no time zone and were read in {zone} (--timezone ZONE to choose)",
                summary.dates_without_zone
            )?;
        }
    }
    Ok(if summary.errors.is_empty() {
        ExitCode::Success
    } else {
        ExitCode::Failure
    })
}
