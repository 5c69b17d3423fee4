//! [`import`], step by step: walk; read and parse the files, a chunk at a time on rayon's
//! threads, while this thread folds the copies of a note, matches each note with the notebook's
//! and writes it, all in one transaction ([`Store::import_each`]), which is committed at the
//! end unless the input held an error; count.
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

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use rayon::prelude::*;
use serde::Serialize;

use super::attachments::{HashedFile, hash_attachment, link_targets};
use super::error::{ImportError, Origin, Warning};
use super::walk::{Shape, SpecialFile, WalkedAttachment, WalkedFile, read_text, walk};
use super::{FileRead, ImportConfig, ReadOptions, Record, parse};
use crate::export::Progress;
use crate::model::ContentHash;
use crate::store::{
    AttachmentFile, AttachmentIndex, ImportMode, ImportSink, Incoming, Outcome, Store, StoreError,
    Stored, source_dir,
};

/// Files read and parsed at a time: enough to keep every thread busy, few enough that the
/// writer starts at once and memory holds a few chunks, not the whole import.
const CHUNK: usize = 512;

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
    /// The attachments (every other file of a folder): how many were stored, and how.
    pub attachments: AttachmentCounts,
    /// What was read, but not exactly as written, in the order found.
    pub warnings: Vec<Warning>,
    /// What would happen to each note, in a dry run: (where from, id, what).
    #[serde(skip)]
    pub plan: Vec<(Origin, Option<i64>, Outcome)>,
    /// Every error, in the order found.
    #[serde(skip)]
    pub errors: Vec<ImportError>,
}

/// What an import did with the attachments it found (see [`ImportSummary::attachments`]).
#[derive(Debug, Default, Serialize)]
pub struct AttachmentCounts {
    /// Files found that are not notes.
    pub files: u64,
    /// New paths.
    pub added: u64,
    /// Paths that held other bytes (the file changed since it was imported).
    pub updated: u64,
    /// Paths that already held these bytes.
    pub unchanged: u64,
    /// Bytes new to the notebook (a file whose bytes it already held, at any path, costs
    /// none).
    pub new_bytes: u64,
    /// Attachments of this import that no note of it links to: kept, and not exported with
    /// any note, until `smartnotes gc` removes them.
    pub unused: u64,
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
    import_with_progress(store, paths, config, &NoProgress)
}

/// [`import`], telling `progress` how far it has come: [`Progress::planned`] with the number
/// of files found, [`Progress::advance`] once per file read and written, [`Progress::finish`]
/// once the notes are committed (or found not to be).
pub fn import_with_progress(
    store: &mut Store,
    paths: &[PathBuf],
    config: &ImportConfig,
    progress: &dyn Progress,
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
        // Nor are attachments: a folder of smartnotes' files holds none.
        walked.skipped += walked.attachments.len() as u64;
        walked.attachments.clear();
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
    for path in &walked.outside {
        summary.warnings.push(Warning {
            path: path.clone(),
            line: None,
            message: "skipped: a link to a file outside the folder imported (never followed)"
                .into(),
        });
    }
    let attachments = hash_attachments(&walked.attachments, config, &mut summary);
    let files = &walked.files;
    progress.planned(files.len() as u64);
    let report = std::thread::scope(|scope| {
        let (send, receive) = sync_channel(4);
        scope.spawn(move || read_chunks(files, config, &send));
        store.import_each(config.mode, config.dry_run, config.skip_invalid, |sink| {
            let stored = store_attachments(&attachments, sink, &mut summary)?;
            // Read in the import's transaction, not before it: an import that waited for
            // another's lock sees the notes that one added (see the module's documentation).
            let known = match config.mode {
                ImportMode::NewIds => sink.notes_by_content()?,
                _ => HashMap::new(),
            };
            let mut writing = Writing::new(known, config, &mut summary, progress);
            writing.attachments = sink.attachment_index()?;
            writing.all(files, receive, sink)?;
            let used = std::mem::take(&mut writing.used_attachments);
            let notes = writing.notes;
            summary.attachments.unused =
                stored.iter().filter(|id| !used.contains(id)).count() as u64;
            if let (0, true, true, Some(path)) = (
                notes,
                summary.errors.is_empty(),
                summary.skipped_files > 0,
                paths.first(),
            ) {
                summary.errors.push(ImportError::NoNotes {
                    path: path.clone(),
                    skipped: summary.skipped_files,
                });
            }
            Ok(summary.errors.is_empty() || config.skip_invalid)
        })
    });
    progress.finish();
    let report = report?;
    summary.invalid = summary.errors.len() as u64;
    summary.committed = report.committed;
    if !report.committed && !config.dry_run {
        // Nothing was written: say so in the counts a script reads, unless this was only a
        // dry run, whose counts are the point.
        summary.added = 0;
        summary.updated = 0;
        summary.unchanged = 0;
    }
    Ok(summary)
}

/// Hashes the attachments found, on rayon's threads: each file read once, a piece at a time.
/// A file that cannot be read, or is too large, is an error of the import, by its path.
fn hash_attachments(
    found: &[WalkedAttachment],
    config: &ImportConfig,
    summary: &mut ImportSummary,
) -> Vec<(String, HashedFile)> {
    summary.attachments.files = found.len() as u64;
    let hashed: Vec<_> = found
        .par_iter()
        .map(|a| hash_attachment(&a.path, config.max_attachment_size))
        .collect();
    let mut ok = Vec::with_capacity(hashed.len());
    for (a, result) in found.iter().zip(hashed) {
        match result {
            Ok(file) => ok.push((a.relative.clone(), file)),
            Err(e) => summary.errors.push(e),
        }
    }
    ok
}

/// Stores the hashed attachments in the import's transaction; the ids of those stored. A file
/// that changed or could not be read again is an error of the import, by its path; a notebook
/// that fails is the import's `Err`.
fn store_attachments(
    hashed: &[(String, HashedFile)],
    sink: &mut ImportSink<'_, '_>,
    summary: &mut ImportSummary,
) -> Result<HashSet<i64>, StoreError> {
    let mut ids = HashSet::new();
    for (relative, file) in hashed {
        let open = || file.reopen();
        let source = AttachmentFile {
            origin: &file.path,
            size: file.size,
            hash: file.hash,
            open: &open,
        };
        match sink.attachment(relative, &source) {
            Ok(stored) => {
                let counts = &mut summary.attachments;
                match stored.stored {
                    Stored::Added => counts.added += 1,
                    Stored::Updated => counts.updated += 1,
                    Stored::Unchanged => counts.unchanged += 1,
                }
                if stored.new_bytes {
                    counts.new_bytes += file.size;
                }
                ids.insert(stored.attachment.id);
            }
            Err(e) => match attachment_problem(&e) {
                Some(reason) => summary.errors.push(ImportError::Attachment {
                    path: file.path.clone(),
                    reason,
                }),
                None => return Err(e),
            },
        }
    }
    Ok(ids)
}

/// What is wrong with an attachment's file, when `error` is about the file, not the notebook.
fn attachment_problem(error: &StoreError) -> Option<String> {
    match error {
        StoreError::AttachmentRead { source, .. } => Some(source.to_string()),
        StoreError::AttachmentChanged { .. } => {
            Some("the file changed while it was stored (try again)".into())
        }
        StoreError::AttachmentTooLarge { size, .. } => Some(format!(
            "{size} bytes is more than the notebook can hold in one attachment ({} bytes)",
            crate::store::MAX_ATTACHMENT_SIZE
        )),
        StoreError::AttachmentPath { reason, .. } => {
            Some(format!("its path cannot be remembered: {reason}"))
        }
        _ => None,
    }
}

/// The progress of an import nobody watches.
struct NoProgress;

impl Progress for NoProgress {
    fn advance(&self, _files: u64) {}
}

/// A file read and parsed, each record with its content hash.
type Read = Result<(FileRead, Vec<ContentHash>), ImportError>;

/// Reads and parses `files` a chunk at a time on rayon's pool (reading waits on the disk,
/// parsing YAML costs CPU), hashes every note there too (the writer matches by hash, and the
/// source of a note is stamped with it), and sends each chunk's results, in the walk's order,
/// until the files end or the writer stops listening.
fn read_chunks(files: &[WalkedFile], config: &ImportConfig, send: &SyncSender<Vec<Read>>) {
    for chunk in files.chunks(CHUNK) {
        let reads: Vec<Read> = chunk
            .par_iter()
            .map(|file| {
                let text = read_text(&file.path, config.max_size)?;
                let options = ReadOptions {
                    source_path: (!config.unnamed.contains(&file.path))
                        .then(|| file.relative.clone()),
                    modified: text.modified,
                    ..ReadOptions::of(config)
                };
                let mut read = parse(&file.path, &text.text, file.shape, &options);
                let hashes = read
                    .records
                    .iter_mut()
                    .flatten()
                    .map(|r| {
                        let hash = r.note.content_hash();
                        if let Some(source) = &mut r.note.source {
                            source.imported_hash.get_or_insert(hash);
                        }
                        hash
                    })
                    .collect();
                Ok((read, hashes))
            })
            .collect();
        if send.send(reads).is_err() {
            return;
        }
    }
}

/// The writer's side of an import: every record read goes through the fold, the path check
/// and the notebook, and is counted.
struct Writing<'a> {
    config: &'a ImportConfig,
    summary: &'a mut ImportSummary,
    fold: Fold,
    /// The file each source path came from.
    paths: HashMap<String, PathBuf>,
    known: HashMap<ContentHash, i64>,
    /// Records kept (not copies).
    notes: u64,
    progress: &'a dyn Progress,
    /// The notebook's attachments: each note's links are resolved to them.
    attachments: AttachmentIndex,
    /// The attachments the notes of this import link to.
    used_attachments: HashSet<i64>,
}

impl<'a> Writing<'a> {
    fn new(
        known: HashMap<ContentHash, i64>,
        config: &'a ImportConfig,
        summary: &'a mut ImportSummary,
        progress: &'a dyn Progress,
    ) -> Self {
        Writing {
            config,
            summary,
            progress,
            fold: Fold::new(config.mode),
            paths: HashMap::new(),
            known,
            notes: 0,
            attachments: AttachmentIndex::default(),
            used_attachments: HashSet::new(),
        }
    }

    fn all(
        &mut self,
        files: &[WalkedFile],
        receive: Receiver<Vec<Read>>,
        sink: &mut ImportSink<'_, '_>,
    ) -> Result<(), StoreError> {
        let mut files = files.iter();
        for chunk in receive {
            // The chunk first: zip takes from its first iterator before it finds the second
            // exhausted, and a file taken past the chunk would be lost.
            for (read, file) in chunk.into_iter().zip(files.by_ref()) {
                self.file(file, read, sink)?;
                self.progress.advance(1);
            }
        }
        Ok(())
    }

    fn file(
        &mut self,
        file: &WalkedFile,
        read: Read,
        sink: &mut ImportSink<'_, '_>,
    ) -> Result<(), StoreError> {
        let (read, hashes) = match read {
            Ok(read) => read,
            Err(e) => {
                self.summary.errors.push(e);
                return Ok(());
            }
        };
        if read.skipped {
            self.summary.skipped_files += 1;
            self.summary.files -= 1;
            self.summary.warnings.push(Warning {
                path: file.path.clone(),
                line: Some(1),
                message: "skipped: its first line opens no jrnl entry (`[YYYY-MM-DD HH:MM] Title`), so it is no journal".into(),
            });
        }
        self.summary.warnings.extend(read.warnings);
        self.summary.dates_without_zone += read.zoneless;
        let mut hashes = hashes.into_iter();
        for result in read.records {
            match (result, hashes.next()) {
                (Ok(record), Some(hash)) => self.record(record, hash, sink)?,
                (Ok(_), None) => {}
                (Err(e), _) => self.summary.errors.push(e),
            }
        }
        Ok(())
    }

    fn record(
        &mut self,
        record: Record,
        hash: ContentHash,
        sink: &mut ImportSink<'_, '_>,
    ) -> Result<(), StoreError> {
        let record = match self.fold.take(record, hash) {
            Folded::Keep(record) => record,
            Folded::Copy => {
                self.summary.duplicates += 1;
                return Ok(());
            }
            Folded::Conflict(e) => {
                self.summary.errors.push(e);
                return Ok(());
            }
        };
        self.notes += 1;
        if let Some(source) = &record.note.source {
            if let Some(first) = self.paths.get(&source.path) {
                self.summary.errors.push(ImportError::SamePath {
                    relative: source.path.clone(),
                    first: first.clone(),
                    second: record.origin.path.clone(),
                });
                return Ok(());
            }
            self.paths
                .insert(source.path.clone(), record.origin.path.clone());
        }
        let known = match &record.note.source {
            None => self.known.get(&hash).map(|&id| Outcome::Unchanged(id)),
            _ => None,
        };
        let Record {
            origin, id, note, ..
        } = record;
        let targets = match self.attachments.is_empty() {
            false => link_targets(&note.body),
            true => Vec::new(),
        };
        let dir = note.source.as_ref().map(|s| source_dir(&s.path).to_owned());
        let (outcome, title) = match known {
            Some(outcome) => (outcome, String::new()),
            None => {
                let title = note.title.clone();
                (sink.put(&Incoming { id, note })?.clone(), title)
            }
        };
        let note_id = match outcome {
            Outcome::Added(Some(id)) | Outcome::Updated(id) | Outcome::Unchanged(id) => Some(id),
            Outcome::Added(None) | Outcome::Clash(_) => None,
        };
        if let Some(note_id) = note_id {
            let dir = dir.as_deref().unwrap_or("");
            // A link to a note (`[[Other note]]`, `other.md`) is not an attachment's: only
            // targets with an extension that is no note's are looked up.
            let files = targets.iter().filter(|t| {
                let path = std::path::Path::new(t.as_str());
                path.extension().is_some() && super::walk::shape_of(path).is_none()
            });
            for target in files {
                if let Some(id) = sink.use_attachment(&self.attachments, note_id, dir, target)? {
                    self.used_attachments.insert(id);
                }
            }
        }
        count(
            Kept { origin, id, title },
            outcome,
            self.config.dry_run,
            self.summary,
        );
        Ok(())
    }
}

/// What the fold makes of a record.
// A record is moved through once per note: boxing it would cost an allocation each.
#[allow(clippy::large_enum_variant)]
enum Folded {
    /// A note to import.
    Keep(Record),
    /// A copy of one already kept.
    Copy,
    /// Same id as one kept, other contents, with ids kept.
    Conflict(ImportError),
}

/// The copies of a note already seen: records with the same id and the same fields (the same
/// note exported to several formats) are kept once. Records that share an id but differ are a
/// [`ImportError::Conflict`] naming both files when ids are kept ([`ImportMode::KeepIds`],
/// [`ImportMode::Update`]): which one would win is not ours to guess. With new ids they are
/// simply different notes and both are kept.
struct Fold {
    mode: ImportMode,
    /// Where the first record of each id was read.
    first: HashMap<i64, Origin>,
    /// The id and content hash of every record kept: a lookup each, however many records share
    /// an id. The hash is 128 bits of BLAKE3 over every field but the source, so two records
    /// with the same key hold the same note.
    same: HashSet<(i64, ContentHash)>,
}

impl Fold {
    fn new(mode: ImportMode) -> Self {
        Fold {
            mode,
            first: HashMap::new(),
            same: HashSet::new(),
        }
    }

    /// `record`, whose content hash is `hash`, kept, or what it is instead.
    fn take(&mut self, record: Record, hash: ContentHash) -> Folded {
        let Some(id) = record.id else {
            return Folded::Keep(record);
        };
        let key = (id, hash);
        if self.same.contains(&key) {
            return Folded::Copy;
        }
        if let (Some(first), false) = (self.first.get(&id), self.mode == ImportMode::NewIds) {
            return Folded::Conflict(ImportError::Conflict {
                id,
                first: first.clone(),
                second: record.origin,
            });
        }
        self.first
            .entry(id)
            .or_insert_with(|| record.origin.clone());
        self.same.insert(key);
        Folded::Keep(record)
    }
}

/// Folds the copies of one note, as an import does (see `Fold`): the records to import, how
/// many copies were left out, and the conflicts.
pub fn fold_duplicates(
    records: Vec<Record>,
    mode: ImportMode,
) -> (Vec<Record>, u64, Vec<ImportError>) {
    let mut fold = Fold::new(mode);
    let (mut kept, mut duplicates, mut errors) = (Vec::new(), 0, Vec::new());
    for record in records {
        let hash = record.note.content_hash();
        match fold.take(record, hash) {
            Folded::Keep(record) => kept.push(record),
            Folded::Copy => duplicates += 1,
            Folded::Conflict(e) => errors.push(e),
        }
    }
    (kept, duplicates, errors)
}

/// What is left of a record once its note went to the store: what the summary names.
struct Kept {
    origin: Origin,
    id: Option<i64>,
    title: String,
}

fn count(record: Kept, outcome: Outcome, dry_run: bool, summary: &mut ImportSummary) {
    if let Outcome::Clash(existing) = &outcome {
        summary.errors.push(ImportError::Clash {
            id: existing.id,
            title: record.title,
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
