//! [`import`], step by step: walk, read and parse every file (on threads), fold copies, find
//! the notes the notebook already holds, write in one transaction, count.
//!
//! What is matched with what, so that an import repeated never doubles a note:
//! - a note with an id under `--keep-ids` or `--update`: by that id ([`Store::import`]);
//! - a note with a source path (every Markdown file of a folder: a vault, or smartnotes' own
//!   export in files): by that path, so importing the same folder again updates what changed
//!   and counts the rest unchanged ([`Store::import`]);
//! - a note without one (jrnl entries, smartnotes' JSON, JSON Lines and CSV records, a
//!   Markdown bundle's records): by its content, here, under new ids: a note equal in every
//!   field (title, tags, both times, body, properties) to one the notebook holds is counted
//!   unchanged and not added again. Importing the same backup or journal twice adds nothing.

use std::collections::HashMap;
use std::path::PathBuf;

use rayon::prelude::*;
use serde::Serialize;

use super::error::{ImportError, Origin, Warning};
use super::walk::{Shape, SpecialFile, WalkedFile, read_text, walk};
use super::{FileRead, ImportConfig, ReadOptions, Record, parse};
use crate::model::ContentHash;
use crate::store::{ImportMode, Incoming, Outcome, Query, Store, StoreError};

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Default, Serialize)]
pub struct ImportSummary {
    /// Note files read (including those with errors).
    pub files: u64,
    /// Files in folders left out (other extensions, hidden names, `.txt` files that are no
    /// journal).
    pub skipped_files: u64,
    /// FIFOs, sockets and devices in folders, left out without being opened.
    pub special_files: Vec<SpecialFile>,
    /// Notes added.
    pub added: u64,
    /// Notes that replaced the note with their id (`--update`) or their source path.
    pub updated: u64,
    /// Notes identical to one the notebook holds: the note with their id or source path, or
    /// an equal note.
    pub unchanged: u64,
    /// Copies of a note already read from another file or format.
    pub duplicates: u64,
    /// Notes (or files) not imported because of an error.
    pub invalid: u64,
    /// True when the notebook was written.
    pub committed: bool,
    /// True for a dry run.
    pub dry_run: bool,
    /// True under `--strict`.
    pub strict: bool,
    /// The zone dates without one were read in (`Europe/Paris`, `UTC`).
    pub time_zone: String,
    /// True when that zone is the machine's own, not one given with `--timezone`.
    pub time_zone_is_local: bool,
    /// How many dates gave no zone and were read in [`ImportSummary::time_zone`].
    pub dates_without_zone: u64,
    /// What was read, but not exactly as written, in the order found.
    pub warnings: Vec<Warning>,
    /// What would happen to each note, in a dry run: (where from, id, what).
    #[serde(skip)]
    pub plan: Vec<(Origin, Option<i64>, Outcome)>,
    /// Every error, in the order found.
    #[serde(skip)]
    pub errors: Vec<ImportError>,
}

/// Imports every note under `paths` into `store` as `config` says.
///
/// Errors in the input are not an `Err`: they are in [`ImportSummary::errors`], and unless
/// [`ImportConfig::skip_invalid`] is set any of them means nothing is written
/// ([`ImportSummary::committed`] is false). `Err` is for the notebook itself (locked,
/// unreadable).
pub fn import(
    store: &mut Store,
    paths: &[PathBuf],
    config: &ImportConfig,
) -> Result<ImportSummary, StoreError> {
    let mut walked = walk(paths);
    if config.strict {
        // Under --strict only smartnotes' own formats are read, as before journals were: a
        // journal in a folder is another file, one named is of an unknown extension.
        for file in walked.files.iter().filter(|f| f.shape == Shape::Text) {
            match file.named {
                true => walked.errors.push(ImportError::UnknownExtension {
                    path: file.path.clone(),
                }),
                false => walked.skipped += 1,
            }
        }
        walked.files.retain(|f| f.shape != Shape::Text);
    }
    let mut summary = ImportSummary {
        files: walked.files.len() as u64,
        skipped_files: walked.skipped,
        special_files: walked.special,
        dry_run: config.dry_run,
        strict: config.strict,
        time_zone: config.zone.name().to_owned(),
        time_zone_is_local: config.zone.is_local(),
        errors: walked.errors,
        ..ImportSummary::default()
    };
    let records = read_all(&walked.files, config, &mut summary);
    let (records, duplicates, conflicts) = fold_duplicates(records, config.mode);
    summary.duplicates = duplicates;
    summary.errors.extend(conflicts);
    summary.errors.extend(same_paths(&records));
    if records.is_empty() && summary.errors.is_empty() && summary.skipped_files > 0 {
        if let Some(path) = paths.first() {
            summary.errors.push(ImportError::NoNotes {
                path: path.clone(),
                skipped: summary.skipped_files,
            });
        }
    }
    let known = known_notes(store, &records, config.mode)?;
    write(store, records, known, config, &mut summary)?;
    Ok(summary)
}

/// Reads and parses every file, two at a time or more (rayon's pool: reading waits on the
/// disk, parsing YAML costs CPU), and gathers the results in the walk's order.
fn read_all(
    files: &[WalkedFile],
    config: &ImportConfig,
    summary: &mut ImportSummary,
) -> Vec<Record> {
    let reads: Vec<Result<FileRead, ImportError>> = files
        .par_iter()
        .map(|file| {
            let text = read_text(&file.path, config.max_size)?;
            let options = ReadOptions {
                source_path: Some(file.relative.clone()),
                modified: text.modified,
                ..ReadOptions::of(config)
            };
            Ok(parse(&file.path, &text.text, file.shape, &options))
        })
        .collect();
    let mut records = Vec::with_capacity(files.len());
    for (file, read) in files.iter().zip(reads) {
        let read = match read {
            Ok(read) => read,
            Err(e) => {
                summary.errors.push(e);
                continue;
            }
        };
        if read.skipped {
            summary.skipped_files += 1;
            summary.files -= 1;
            summary.warnings.push(Warning {
                path: file.path.clone(),
                line: Some(1),
                message: "skipped: its first line opens no jrnl entry (`[YYYY-MM-DD HH:MM] Title`), so it is no journal".into(),
            });
        }
        summary.warnings.extend(read.warnings);
        summary.dates_without_zone += read.zoneless;
        for result in read.records {
            match result {
                Ok(record) => records.push(record),
                Err(e) => summary.errors.push(e),
            }
        }
    }
    records
}

/// Folds the copies of one note: records with the same id and the same fields (the same note
/// exported to several formats) are kept once, and the others counted as duplicates. A copy
/// that knows where its note came from (a Markdown file's source) gives its source to the one
/// kept.
///
/// Records that share an id but differ are a [`ImportError::Conflict`] naming both files when
/// ids are kept ([`ImportMode::KeepIds`], [`ImportMode::Update`]): which one would win is not
/// ours to guess. With new ids they are simply different notes and both are kept.
pub fn fold_duplicates(
    records: Vec<Record>,
    mode: ImportMode,
) -> (Vec<Record>, u64, Vec<ImportError>) {
    let mut kept: Vec<Record> = Vec::with_capacity(records.len());
    // The first record kept for each id, and the records kept for each id and content hash:
    // a lookup each, however many records share an id.
    let mut first: HashMap<i64, usize> = HashMap::new();
    let mut same: HashMap<(i64, ContentHash), Vec<usize>> = HashMap::new();
    let mut duplicates = 0;
    let mut errors = Vec::new();
    for record in records {
        let Some(id) = record.id else {
            kept.push(record);
            continue;
        };
        let key = (id, record.note.content_hash());
        let copies = same.get(&key).map_or(&[][..], Vec::as_slice);
        if let Some(&copy) = copies.iter().find(|&&i| same_fields(&kept[i], &record)) {
            duplicates += 1;
            if kept[copy].note.source.is_none() {
                kept[copy].note.source = record.note.source;
            }
            continue;
        }
        if let (Some(&first), false) = (first.get(&id), mode == ImportMode::NewIds) {
            errors.push(ImportError::Conflict {
                id,
                first: kept[first].origin.clone(),
                second: record.origin,
            });
            continue;
        }
        first.entry(id).or_insert(kept.len());
        same.entry(key).or_default().push(kept.len());
        kept.push(record);
    }
    (kept, duplicates, errors)
}

/// Every field but the source equal (a note exported to JSON has no source; its Markdown copy
/// has one).
fn same_fields(a: &Record, b: &Record) -> bool {
    let (a, b) = (&a.note, &b.note);
    a.title == b.title
        && a.body == b.body
        && a.tags == b.tags
        && a.created == b.created
        && a.updated == b.updated
        && a.properties == b.properties
        && a.properties.keys().eq(b.properties.keys())
}

/// Two records that would come in at one source path (two roots holding `x.md`): the second
/// would replace the first on the next import.
fn same_paths(records: &[Record]) -> Vec<ImportError> {
    let mut seen: HashMap<&str, &PathBuf> = HashMap::new();
    let mut errors = Vec::new();
    for record in records {
        let Some(source) = &record.note.source else {
            continue;
        };
        match seen.get(source.path.as_str()) {
            Some(&first) => errors.push(ImportError::SamePath {
                relative: source.path.clone(),
                first: first.clone(),
                second: record.origin.path.clone(),
            }),
            None => {
                seen.insert(&source.path, &record.origin.path);
            }
        }
    }
    errors
}

/// The ids of the notebook's notes by content, when some record has nothing else to be
/// matched by (no source, new ids): see the module's documentation. Damaged notes are left
/// out; they match nothing.
fn known_notes(
    store: &mut Store,
    records: &[Record],
    mode: ImportMode,
) -> Result<HashMap<ContentHash, i64>, StoreError> {
    let mut known = HashMap::new();
    if mode != ImportMode::NewIds || records.iter().all(|r| r.note.source.is_some()) {
        return Ok(known);
    }
    let snapshot = store.snapshot()?;
    for note in snapshot.notes(&Query::default())?.flatten() {
        known.entry(note.content_hash()).or_insert(note.id);
    }
    Ok(known)
}

/// Gives the store the records it has to decide on, and counts what happened to each.
fn write(
    store: &mut Store,
    records: Vec<Record>,
    known: HashMap<ContentHash, i64>,
    config: &ImportConfig,
    summary: &mut ImportSummary,
) -> Result<(), StoreError> {
    // Each record's outcome when it is already known; the others go to the store, in order.
    let settled: Vec<Option<Outcome>> = records
        .iter()
        .map(|r| match &r.note.source {
            None => known
                .get(&r.note.content_hash())
                .map(|&id| Outcome::Unchanged(id)),
            Some(_) => None,
        })
        .collect();
    let incoming: Vec<Incoming> = records
        .iter()
        .zip(&settled)
        .filter(|(_, s)| s.is_none())
        .map(|(r, _)| Incoming {
            id: r.id,
            note: r.note.clone(),
        })
        .collect();
    // Any error so far already means nothing is written: ask the store only what it would
    // do, so clashes are reported too.
    let failed = !summary.errors.is_empty() && !config.skip_invalid;
    let report = store.import(
        &incoming,
        config.mode,
        config.dry_run || failed,
        config.skip_invalid,
    )?;
    let mut from_store = report.outcomes.into_iter();
    for (record, settled) in records.into_iter().zip(settled) {
        let Some(outcome) = settled.or_else(|| from_store.next()) else {
            continue;
        };
        count(record, outcome, config.dry_run, summary);
    }
    summary.invalid = summary.errors.len() as u64;
    summary.committed = report.committed;
    if !report.committed && !config.dry_run {
        // Nothing was written: say so in the counts a script reads, unless this was only a
        // dry run, whose counts are the point.
        summary.added = 0;
        summary.updated = 0;
        summary.unchanged = 0;
    }
    Ok(())
}

fn count(record: Record, outcome: Outcome, dry_run: bool, summary: &mut ImportSummary) {
    if let Outcome::Clash(existing) = &outcome {
        summary.errors.push(ImportError::Clash {
            id: existing.id,
            title: record.note.title,
            existing: existing.title.clone(),
            origin: record.origin,
        });
        return;
    }
    match outcome {
        Outcome::Added(_) => summary.added += 1,
        Outcome::Updated(_) => summary.updated += 1,
        Outcome::Unchanged(_) => summary.unchanged += 1,
        Outcome::Clash(_) => {}
    }
    if dry_run {
        summary.plan.push((record.origin, record.id, outcome));
    }
}
