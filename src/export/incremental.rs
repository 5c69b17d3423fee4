//! Incremental export: a manifest in the export folder says what is already there, so a re-export
//! writes only new and changed notes (`--incremental`) and removes deleted ones (`--prune`).
//!
//! The manifest, `<out>/.smartnotes-manifest.json`, maps every (note id, format) to the file
//! that holds it (its path relative to the export folder) and to the [`note_hash`] of the note
//! it was rendered from: a BLAKE3 hash (16 bytes) of every field of the note. It also records
//! the settings that change the bytes or names of files (naming, `--csv-safe`, the smartnotes
//! version, and a fingerprint of the renderers: the hash of the built-in sample notebook
//! rendered in every format). Rendering is a pure function of the note and those settings
//! ([`crate::format`]), and so is a file's name ([`naming`]); so a note whose hash and settings
//! are those of the manifest renders to the very bytes of its file, and an incremental export
//! neither renders nor schedules it: the notes are read and hashed, and a (note, format) is
//! skipped when the manifest has the same hash and its file is still listed, as a regular
//! file, in its format's folder (each folder is read once, at the start). That check costs a
//! hash and two lookups per file, with no system call per file: it is what makes a re-export of
//! 100,000 unchanged notes take a fraction of a second. Only the notes that changed become jobs,
//! whatever the strategy. A note whose title changed gets its new file, and its old file is
//! removed once the new one is published.
//!
//! Files edited by hand. A deleted file, or one replaced by a folder or a link, is written
//! again. A file whose bytes were edited in place is not noticed (looking at 300,000 files
//! costs a system call each, more than the whole re-export), unless the export runs with
//! `--verify`: then every note is rendered and compared with the bytes of its file, and every
//! file that differs is written again.
//!
//! Never a wrong export: a manifest that is missing, unreadable, of another version, made with
//! other settings, or holding a path that is not one smartnotes makes (`../x`, an absolute
//! path, a name without the note's id) is ignored as a whole, the export is a full one, and the
//! summary says why.
//!
//! Crash safety. Files are still written to the staging folder and published by renames
//! ([`super::sink::Staging`]), so each file under a final name is complete: either the old
//! version or the new one. The manifest is only ever replaced atomically (written under a
//! staging name, then renamed), and in two steps: before anything is published or removed,
//! it is rewritten *without* the entries of every file about to change; after publishing and
//! removing, the full new manifest replaces it. A crash at any point therefore leaves a
//! manifest whose every entry describes a file that did not change since it was written: an
//! entry of a file that was being replaced is simply missing, which makes the next run rewrite
//! that file. Without the first step, a note edited and then edited back could keep a stale
//! file (old entry, hash equal again, file present, different bytes on disk). An export that
//! changes nothing does not touch the manifest at all, and a plain (not incremental) export
//! into the folder removes the manifest before it publishes anything.
//!
//! The manifest's layout is built to be read fast: a first line of JSON (version, settings,
//! number of entries), then one line per file, `<id> <hash, 32 hex digits> <path>` separated
//! by tabs. A manifest whose line count differs from the header's is damaged.
//!
//! Only the `files` layout is incremental; `--prune` only removes files that the manifest
//! lists, never anything else in the folder, and only after a run that read every note
//! (not after Ctrl-C or a read error).

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::naming::{self, Naming};
use super::sink::STAGING_PREFIX;
use super::work::lock;
use crate::format::{Format, RenderOptions};
use crate::model::Note;

/// The manifest's file name, in the export folder.
pub const MANIFEST_NAME: &str = ".smartnotes-manifest.json";

/// The manifest layout; another number means a full export.
pub const MANIFEST_VERSION: u32 = 1;

/// What the manifest keeps of a note: the first 16 bytes of a BLAKE3 hash of all its fields.
pub type NoteHash = [u8; 16];

/// The hash of every field of `note`, each one length-prefixed so that no two notes share
/// the bytes hashed. Two notes with the same hash render to the same bytes in every format.
pub fn note_hash(note: &Note) -> NoteHash {
    // Destructured so that a new field of `Note` cannot be forgotten here.
    let Note {
        id,
        title,
        tags,
        created,
        updated,
        body,
    } = note;
    let mut h = blake3::Hasher::new();
    let mut text = |s: &str| {
        h.update(&(s.len() as u64).to_le_bytes());
        h.update(s.as_bytes());
    };
    text(title);
    text(body);
    for tag in tags {
        text(tag);
    }
    h.update(&(tags.len() as u64).to_le_bytes());
    h.update(&id.to_le_bytes());
    h.update(&created.as_micros().to_le_bytes());
    h.update(&updated.as_micros().to_le_bytes());
    let mut out = [0u8; 16];
    out.copy_from_slice(&h.finalize().as_bytes()[..16]);
    out
}

/// The settings that decide a file's name and bytes: a manifest made with others is ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestSettings {
    /// `slug` or `id`.
    pub naming: String,
    /// `--csv-safe`.
    pub csv_safe: bool,
    /// The smartnotes version, standing for the formats' version: another release may render
    /// differently.
    pub smartnotes: String,
    /// BLAKE3 (hex, 16 bytes) of the sample notebook rendered and named in every format with
    /// these settings: catches a renderer changed without a new version number.
    pub renderer: String,
}

impl ManifestSettings {
    /// The settings of an export.
    pub fn of(naming: Naming, render: &RenderOptions) -> Self {
        let mut h = blake3::Hasher::new();
        let mut buf = Vec::new();
        for note in crate::store::sample::notes() {
            for format in Format::ALL {
                buf.clear();
                format.render_file(&note, render, &mut buf);
                let path = naming::relative_path(&note, format, naming);
                h.update(path.to_string_lossy().as_bytes());
                h.update(&(buf.len() as u64).to_le_bytes());
                h.update(&buf);
            }
        }
        ManifestSettings {
            naming: match naming {
                Naming::Slug => "slug".into(),
                Naming::Id => "id".into(),
            },
            csv_safe: render.csv_safe,
            smartnotes: env!("CARGO_PKG_VERSION").into(),
            renderer: hex(&h.finalize().as_bytes()[..16]),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Header {
    version: u32,
    settings: ManifestSettings,
    // How many entry lines follow.
    files: u64,
}

type Key = (i64, Format);

/// An entry as kept in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Known {
    path: PathBuf,
    hash: NoteHash,
    // Its file was listed, as a regular file, when the export started.
    present: bool,
}

/// The incremental state of one export: the old manifest, the files present, and what this
/// run decided.
#[derive(Debug)]
pub struct Incremental {
    out: PathBuf,
    settings: ManifestSettings,
    // Sorted by key: the notes come in id order, so lookups walk it nearly in sequence.
    old: Vec<(Key, Known)>,
    verify: bool,
    /// Why the old manifest was not used, if it was not.
    pub full_reason: Option<String>,
    // Every job that ended with its file in place: written (`Some`) or unchanged (`None`: the
    // old entry holds).
    seen: Mutex<Vec<(Key, Option<Known>)>>,
}

/// What [`Incremental::finish`] did.
#[derive(Debug, Default)]
pub struct Finished {
    /// Files of renamed or (with prune) deleted notes that were removed.
    pub removed: u64,
    /// Old files that could not be removed, with why.
    pub remove_failed: Vec<String>,
    /// The manifest could not be written (the export itself is fine; the next one is full).
    pub manifest_error: Option<String>,
}

impl Incremental {
    /// Loads the manifest of `out`, if there is a usable one, and lists the folders of
    /// `formats` (on one thread per folder, while the manifest is read). With `verify`, files
    /// are compared with what they should hold ([`Incremental::same_on_disk`]).
    pub fn load(out: &Path, settings: ManifestSettings, formats: &[Format], verify: bool) -> Self {
        let (manifest, listings) = std::thread::scope(|scope| {
            let listings: Vec<_> = formats
                .iter()
                .map(|&f| scope.spawn(move || (f, list_files(&out.join(f.extension())))))
                .collect();
            let manifest = read_manifest(out, &settings);
            let listings: Vec<(Format, Vec<(i64, String)>)> = listings
                .into_iter()
                .zip(formats)
                // A listing thread that died lists nothing: every file is written again.
                .map(|(l, &f)| l.join().unwrap_or_else(|_| (f, Vec::new())))
                .collect();
            (manifest, listings)
        });
        let (mut old, full_reason) = match manifest {
            Ok(old) => (old, None),
            Err(reason) => (Vec::new(), Some(reason)),
        };
        for (format, names) in listings {
            mark_present(&mut old, format, &names);
        }
        Incremental {
            out: out.to_path_buf(),
            settings,
            old,
            verify,
            full_reason,
            seen: Mutex::new(Vec::new()),
        }
    }

    /// Whether files are compared with their bytes on disk (`--verify`) rather than trusted
    /// when the manifest vouches for them.
    pub fn verify(&self) -> bool {
        self.verify
    }

    // The manifest's entry of (`id`, `format`) if it is for a note with this `hash` and its
    // file was in the folder at the start.
    fn vouched(&self, id: i64, format: Format, hash: &NoteHash) -> Option<&Known> {
        self.old(&(id, format))
            .filter(|known| known.present && known.hash == *hash)
    }

    fn old(&self, key: &Key) -> Option<&Known> {
        let i = self.old.binary_search_by_key(key, |(k, _)| *k).ok()?;
        Some(&self.old[i].1)
    }

    /// Whether the file of (`id`, `format`) already holds the note whose [`note_hash`] is
    /// `hash`: the manifest says so and the file is still there. When it does, the job is
    /// booked as unchanged.
    pub fn unchanged(&self, id: i64, format: Format, hash: &NoteHash) -> bool {
        if self.vouched(id, format, hash).is_none() {
            return false;
        }
        lock(&self.seen).push(((id, format), None));
        true
    }

    /// `--verify`: whether the file of (`id`, `format`) at `rel`, vouched for by the manifest,
    /// holds exactly `bytes` on disk. When it does, the job is booked as unchanged.
    pub fn same_on_disk(
        &self,
        id: i64,
        format: Format,
        rel: &Path,
        hash: &NoteHash,
        bytes: &[u8],
    ) -> bool {
        if self
            .vouched(id, format, hash)
            .is_none_or(|known| known.path != rel)
        {
            return false;
        }
        let path = self.out.join(rel);
        // A link is never followed: only a regular file of the right length is read.
        let same = fs::symlink_metadata(&path)
            .is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64)
            && fs::read(&path).is_ok_and(|on_disk| on_disk == bytes);
        if same {
            lock(&self.seen).push(((id, format), None));
        }
        same
    }

    /// Books a file written to the sink (published later by the staging folder) for the note
    /// whose [`note_hash`] is `hash`.
    pub fn written(&self, id: i64, format: Format, rel: &Path, hash: NoteHash) {
        let known = Known {
            path: rel.to_path_buf(),
            hash,
            present: true,
        };
        lock(&self.seen).push(((id, format), Some(known)));
    }
    /// Before publishing: rewrites the manifest without the entries of files about to change
    /// (see the module docs), or removes it if it cannot be rewritten. Does nothing if nothing
    /// will change. On `Err` the old manifest is still there, and nothing may be published.
    pub fn prepare(&self, prune: bool) -> io::Result<()> {
        let seen = lock(&self.seen);
        let written: HashSet<Key> = seen.iter().filter(|s| s.1.is_some()).map(|s| s.0).collect();
        let all_seen = seen.len() == self.old.len() && written.is_empty();
        let seen_keys: HashSet<Key> = if prune && !all_seen {
            seen.iter().map(|s| s.0).collect()
        } else {
            HashSet::new()
        };
        drop(seen);
        let pruned = |k: &Key| prune && !all_seen && !seen_keys.contains(k);
        if written.is_empty() && !self.old.iter().any(|(k, _)| pruned(k)) {
            return Ok(());
        }
        let keep = self
            .old
            .iter()
            .filter(|(k, _)| !written.contains(k) && !pruned(k))
            .map(|(k, v)| (*k, v.clone()));
        match self.write_manifest(keep.collect()) {
            Ok(()) => Ok(()),
            // No room for a new manifest (a full disk): no manifest is safe too, it only
            // makes the next run a full one. Only if even that fails must nothing change.
            Err(_) => match fs::remove_file(self.out.join(MANIFEST_NAME)) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            },
        }
    }

    /// After publishing: removes the old files of renamed notes (and, with `prune`, of notes
    /// no longer exported), then writes the new manifest. `unpublished` are the files that
    /// were written but could not be published; their old entries stay.
    pub fn finish(&self, prune: bool, unpublished: &HashSet<PathBuf>) -> Finished {
        let mut finished = Finished::default();
        let seen = std::mem::take(&mut *lock(&self.seen));
        // Nothing written, every known file seen unchanged: the manifest already says it all.
        if self.full_reason.is_none()
            && seen.len() == self.old.len()
            && seen.iter().all(|s| s.1.is_none())
        {
            return finished;
        }
        let mut new: HashMap<Key, Known> = HashMap::with_capacity(self.old.len().max(seen.len()));
        let mut changed = false;
        let mut seen_keys = HashSet::with_capacity(seen.len());
        for (key, known) in seen {
            seen_keys.insert(key);
            match known {
                Some(known) if unpublished.contains(&known.path) => {}
                Some(known) => {
                    changed = true;
                    new.insert(key, known);
                }
                None => {
                    if let Some(old) = self.old(&key) {
                        new.insert(key, old.clone());
                    }
                }
            }
        }
        // Paths that hold a current file: never removed, whatever an old entry says.
        let live: HashSet<PathBuf> = new.values().map(|k| k.path.clone()).collect();
        for (key, old) in &self.old {
            let remove = match new.get(key) {
                Some(now) => now.path != old.path,
                None if !seen_keys.contains(key) && prune => true,
                None => {
                    // Not reached this run (interrupted, or its format not exported), or
                    // failed: the old file is still what the entry says.
                    new.insert(*key, old.clone());
                    false
                }
            };
            if !remove || live.contains(&old.path) {
                continue;
            }
            changed = true;
            match remove_file(&self.out.join(&old.path)) {
                Ok(true) => finished.removed += 1,
                Ok(false) => {}
                Err(e) => finished.remove_failed.push(format!(
                    "cannot remove the old file {} of note {} [{}]: {e}",
                    self.out.join(&old.path).display(),
                    key.0,
                    key.1
                )),
            }
        }
        if (changed || self.full_reason.is_some())
            && let Err(e) = self.write_manifest(new)
        {
            {
                finished.manifest_error = Some(format!(
                    "cannot write {}: {e}",
                    self.out.join(MANIFEST_NAME).display()
                ));
            }
        }
        finished
    }

    /// Writes `entries` as the manifest, atomically: a staging-named file, then a rename.
    fn write_manifest(&self, entries: HashMap<Key, Known>) -> io::Result<()> {
        let mut files: Vec<(Key, &Known)> = entries.iter().map(|(k, v)| (*k, v)).collect();
        files.sort_by_key(|(key, _)| *key);
        let header = Header {
            version: MANIFEST_VERSION,
            settings: self.settings.clone(),
            files: files.len() as u64,
        };
        // The staging prefix: a copy left by a crash is removed by the next export.
        let tmp = self
            .out
            .join(format!("{STAGING_PREFIX}{}.manifest", std::process::id()));
        let result = (|| {
            let mut w = io::BufWriter::with_capacity(1 << 16, fs::File::create(&tmp)?);
            serde_json::to_writer(&mut w, &header)?;
            w.write_all(b"\n")?;
            for ((id, _), known) in &files {
                // Paths are smartnotes' own (checked again when read): no tab, no newline.
                let path = known.path.to_string_lossy().replace('\\', "/");
                writeln!(w, "{id}\t{}\t{path}", hex(&known.hash))?;
            }
            w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
            fs::rename(&tmp, self.out.join(MANIFEST_NAME))
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result
    }
}

/// Removes a file (or a link, never what it points to); `Ok(false)` if it was already gone.
fn remove_file(path: &Path) -> io::Result<bool> {
    match fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
        Ok(m) if m.is_dir() => Err(io::Error::other(format!(
            "{} is a folder; left in place",
            path.display()
        ))),
        Ok(_) => fs::remove_file(path).map(|()| true),
    }
}

/// The names of the regular files in `dir` (none if it cannot be read: every file of that
/// format is then written again). The file type comes with the listing on most file systems,
/// so this costs no system call per file.
/// The names are returned with the note id each starts with, sorted, ready for
/// [`mark_present`].
fn list_files(dir: &Path) -> Vec<(i64, String)> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<(i64, String)> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter_map(|name| Some((naming::id_from_file_name(&name)?, name)))
        .collect();
    names.sort_unstable();
    names
}

/// Marks the entries of `format` in `old` (sorted by key) whose file is in `names` (sorted,
/// from [`list_files`]): one merge of two sorted lists, no lookup per file.
fn mark_present(old: &mut [(Key, Known)], format: Format, names: &[(i64, String)]) {
    let mut names = names.iter().peekable();
    for ((id, f), known) in old.iter_mut() {
        if *f != format {
            continue;
        }
        while names.next_if(|(n, _)| n < id).is_some() {}
        let file_name = known.path.to_str().and_then(|p| p.split_once('/'));
        known.present = file_name.is_some_and(|(_, file_name)| {
            names
                .clone()
                .take_while(|(n, _)| n == id)
                .any(|(_, name)| name == file_name)
        });
    }
}

/// The entries of the manifest of `out`, sorted by key and none yet marked present; `Err`
/// says why there are none to trust.
fn read_manifest(out: &Path, settings: &ManifestSettings) -> Result<Vec<(Key, Known)>, String> {
    let path = out.join(MANIFEST_NAME);
    let text = match fs::read(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(format!("no manifest at {} yet", path.display()));
        }
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let damaged = |what: String| format!("{} is damaged: {what}", path.display());
    let text = String::from_utf8(text).map_err(|e| damaged(e.to_string()))?;
    let (header, body) = text.split_once('\n').unwrap_or((&text, ""));
    // Every line ends with a newline: no line at all after the header if there is no entry.
    let body = body.strip_suffix('\n').unwrap_or(body);
    let lines = body.split('\n').filter(|_| !body.is_empty());
    let header: Header =
        serde_json::from_str(header).map_err(|e| damaged(format!("line 1: {e}")))?;
    if header.version != MANIFEST_VERSION {
        return Err(format!(
            "{} has version {}, this smartnotes writes {MANIFEST_VERSION}",
            path.display(),
            header.version
        ));
    }
    if header.settings != *settings {
        return Err(format!(
            "{} was made with other settings ({:?}, now {:?})",
            path.display(),
            header.settings,
            settings
        ));
    }
    let mut old = Vec::with_capacity(header.files.min(1 << 24) as usize);
    for (i, line) in lines.enumerate() {
        let line_no = i + 2;
        let mut fields = line.splitn(3, '\t');
        let (Some(id), Some(hash), Some(rel)) = (fields.next(), fields.next(), fields.next())
        else {
            return Err(damaged(format!("line {line_no} is not <id> <hash> <path>")));
        };
        let id: i64 = id
            .parse()
            .map_err(|_| damaged(format!("line {line_no}: {id:?} is not a note id")))?;
        let mut note_hash = [0u8; 16];
        if hash.len() != 32 || !decode_hex(hash.as_bytes(), &mut note_hash) {
            return Err(damaged(format!("line {line_no}: bad hash for note {id}")));
        }
        let Some(format) = own_path_format(rel, id) else {
            return Err(damaged(format!(
                "line {line_no}: {rel:?} is not a file smartnotes writes for note {id}"
            )));
        };
        let known = Known {
            path: PathBuf::from(rel),
            hash: note_hash,
            present: false,
        };
        old.push(((id, format), known));
    }
    // Written sorted; sorted again only if someone reordered it.
    if !old.is_sorted_by(|a, b| a.0 < b.0) {
        old.sort_by_key(|e| e.0);
        if let Some(w) = old.windows(2).find(|w| w[0].0 == w[1].0) {
            let (id, format) = w[0].0;
            return Err(damaged(format!("note {id} [{format}] is listed twice")));
        }
    }
    if old.len() as u64 != header.files {
        return Err(damaged(format!(
            "{} entries, the header says {}",
            old.len(),
            header.files
        )));
    }
    Ok(old)
}

/// The format whose file `rel` is, if it is a path [`naming::relative_path`] could make for
/// note `id`: `<ext>/<name>` with the note's id in the name, nothing else (no `..`, no root,
/// no link out of the folder through a deeper path).
fn own_path_format(rel: &str, id: i64) -> Option<Format> {
    let (dir, name) = rel.split_once('/')?;
    let format = Format::ALL.into_iter().find(|f| f.extension() == dir)?;
    let own = !name.starts_with('.')
        && !name.contains(['/', '\\', '\0'])
        && name
            .strip_suffix(format.extension())
            .is_some_and(|stem| stem.ends_with('.'))
        && naming::id_from_file_name(name) == Some(id);
    own.then_some(format)
}

/// Whether `rel` is a path [`naming::relative_path`] could make for this note and format.
#[cfg(test)]
fn is_own_path(rel: &Path, id: i64, format: Format) -> bool {
    rel.to_str()
        .and_then(|rel| own_path_format(rel, id))
        .is_some_and(|f| f == format)
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

fn decode_hex(hex: &[u8], out: &mut [u8]) -> bool {
    let val = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    if hex.len() != out.len() * 2 {
        return false;
    }
    for (i, pair) in hex.chunks(2).enumerate() {
        match (val(pair[0]), val(pair[1])) {
            (Some(h), Some(l)) => out[i] = h << 4 | l,
            _ => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> ManifestSettings {
        ManifestSettings::of(Naming::Slug, &RenderOptions::default())
    }

    fn note(id: i64, title: &str, body: &str) -> Note {
        serde_json::from_value(serde_json::json!({
            "id": id, "title": title, "tags": ["a"], "created": "2026-01-01T00:00:00Z",
            "updated": "2026-01-01T00:00:00Z", "body": body
        }))
        .unwrap()
    }

    #[test]
    fn every_field_changes_the_hash() {
        let base = note(1, "t", "b");
        let h = note_hash(&base);
        assert_eq!(h, note_hash(&base.clone()));
        let mut changed = vec![note(2, "t", "b"), note(1, "T", "b"), note(1, "t", "B")];
        // Moving bytes between fields is a change too.
        changed.push(note(1, "tb", ""));
        let mut n = base.clone();
        n.tags.push("b".into());
        changed.push(n);
        let mut n = base.clone();
        n.tags = vec!["ab".into()];
        changed.push(n);
        let mut n = base.clone();
        n.created = crate::model::Timestamp::from_micros(1).unwrap();
        changed.push(n);
        let mut n = base.clone();
        n.updated = crate::model::Timestamp::from_micros(1).unwrap();
        changed.push(n);
        for n in changed {
            assert_ne!(note_hash(&n), h, "{n:?}");
        }
    }

    #[test]
    fn a_manifest_round_trips_and_a_hostile_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("md")).unwrap();
        fs::write(dir.path().join("md/1-a.md"), "hello").unwrap();
        let load = |s: ManifestSettings| Incremental::load(dir.path(), s, &[Format::Md], false);
        let inc = load(settings());
        assert!(inc.full_reason.as_deref().unwrap().contains("no manifest"));
        let hash = note_hash(&note(1, "a", "hello"));
        inc.written(1, Format::Md, Path::new("md/1-a.md"), hash);
        inc.prepare(false).unwrap();
        let f = inc.finish(false, &HashSet::new());
        assert!(f.manifest_error.is_none());

        let again = load(settings());
        assert_eq!(again.full_reason, None);
        assert!(!again.unchanged(1, Format::Md, &note_hash(&note(1, "a", "hellO"))));
        assert!(!again.unchanged(2, Format::Md, &hash));
        assert!(!again.unchanged(1, Format::Json, &hash));
        assert!(again.unchanged(1, Format::Md, &hash));
        // --verify reads the file: the bytes must be the same too.
        assert!(again.same_on_disk(1, Format::Md, Path::new("md/1-a.md"), &hash, b"hello"));
        assert!(!again.same_on_disk(1, Format::Md, Path::new("md/1-a.md"), &hash, b"hellO"));
        assert!(!again.same_on_disk(1, Format::Md, Path::new("md/1-b.md"), &hash, b"hello"));

        // A file deleted or replaced by a folder is not vouched for.
        fs::remove_file(dir.path().join("md/1-a.md")).unwrap();
        assert!(!load(settings()).unchanged(1, Format::Md, &hash));
        fs::create_dir(dir.path().join("md/1-a.md")).unwrap();
        assert!(!load(settings()).unchanged(1, Format::Md, &hash));
        fs::remove_dir(dir.path().join("md/1-a.md")).unwrap();
        fs::write(dir.path().join("md/1-a.md"), "hello").unwrap();
        assert!(load(settings()).unchanged(1, Format::Md, &hash));

        let other = ManifestSettings {
            csv_safe: true,
            ..settings()
        };
        assert!(load(other).full_reason.unwrap().contains("other settings"));

        let text = fs::read_to_string(dir.path().join(MANIFEST_NAME)).unwrap();
        let twice = format!("{text}{}\n", text.lines().nth(1).unwrap());
        for (bad, why) in [
            (text.replace("md/1-a.md", "../../etc/passwd"), "not a file"),
            (text.replace("md/1-a.md", "/etc/passwd"), "not a file"),
            (text.replace("md/1-a.md", "md/2-a.md"), "not a file"),
            (text.replace("md/1-a.md", "md/.1-a.md"), "not a file"),
            (text.replace("md/1-a.md", "md/1-a.json"), "not a file"),
            (
                text.replace("\"version\":1", "\"version\":99"),
                "version 99",
            ),
            (
                text.replace("\"files\":1", "\"files\":2"),
                "the header says 2",
            ),
            (twice, "listed twice"),
            (text.clone() + &text, "line 3"),
            (text[..text.len() / 2].to_owned(), "damaged"),
            (text.lines().next().unwrap().to_owned(), "the header says 1"),
        ] {
            fs::write(dir.path().join(MANIFEST_NAME), &bad).unwrap();
            let inc = load(settings());
            let reason = inc.full_reason.as_deref().unwrap_or("");
            assert!(reason.contains(why), "{bad:?}: {reason}");
            assert!(!inc.unchanged(1, Format::Md, &hash));
        }
    }

    #[test]
    fn own_paths_only() {
        assert!(is_own_path(Path::new("md/12-x.md"), 12, Format::Md));
        assert!(is_own_path(Path::new("csv/note_12.csv"), 12, Format::Csv));
        assert!(!is_own_path(Path::new("md/12-x.md"), 13, Format::Md));
        assert!(!is_own_path(Path::new("json/12-x.md"), 12, Format::Md));
        assert!(!is_own_path(Path::new("md/../12-x.md"), 12, Format::Md));
        assert!(!is_own_path(Path::new("md/a/12-x.md"), 12, Format::Md));
        assert!(!is_own_path(Path::new("/md/12-x.md"), 12, Format::Md));
        assert!(!is_own_path(Path::new("md/12-x.xmd"), 12, Format::Md));
        assert!(!is_own_path(Path::new("md/12-x\\y.md"), 12, Format::Md));
    }

    #[test]
    fn hex_round_trips() {
        let bytes: Vec<u8> = (0..=255).collect();
        let mut back = vec![0u8; 256];
        assert!(decode_hex(hex(&bytes).as_bytes(), &mut back));
        assert_eq!(back, bytes);
        assert!(!decode_hex(b"0g", &mut [0u8; 1]));
        assert!(!decode_hex(b"00", &mut [0u8; 2]));
    }
}
