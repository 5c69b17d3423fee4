//! Incremental export: a manifest in the export folder says what is already there, so a re-export
//! writes only new and changed notes (`--incremental`) and removes deleted ones (`--prune`).
//!
//! The manifest, `<out>/.smartnotes-manifest.json`, maps every (note id, format) to the file
//! that holds it: its path relative to the export folder, its size and the BLAKE3 hash of its
//! bytes. It also records the settings that change those bytes or names (naming, `--csv-safe`,
//! the smartnotes version). An incremental export still renders every note (rendering is cheap;
//! writing is what costs), hashes the bytes, and skips the write when the manifest has the same
//! path and hash and the file is still there with that size. A note whose title changed gets
//! its new file, and its old file is removed once the new one is published.
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
//! file (old entry, hash equal again, same size, different bytes on disk). An export that
//! changes nothing does not touch the manifest at all, and a plain (not incremental) export
//! into the folder removes the manifest before it publishes anything. A file edited by hand
//! is noticed only if its size changed (the bytes on disk are not hashed again: that is what
//! keeps a re-export cheap).
//!
//! Only the `files` layout is incremental; `--prune` only removes files that the manifest
//! lists, never anything else in the folder, and only after a run that read every note
//! (not after Ctrl-C or a read error).

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::naming::{self, Naming};
use super::sink::STAGING_PREFIX;
use super::work::lock;
use crate::format::{Format, RenderOptions};

/// The manifest's file name, in the export folder.
pub const MANIFEST_NAME: &str = ".smartnotes-manifest.json";

/// The manifest layout; another number means a full export.
pub const MANIFEST_VERSION: u32 = 1;

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
}

impl ManifestSettings {
    /// The settings of an export.
    pub fn of(naming: Naming, render: &RenderOptions) -> Self {
        ManifestSettings {
            naming: match naming {
                Naming::Slug => "slug".into(),
                Naming::Id => "id".into(),
            },
            csv_safe: render.csv_safe,
            smartnotes: env!("CARGO_PKG_VERSION").into(),
        }
    }
}

/// One exported file, as the manifest stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The note.
    pub id: i64,
    /// The format.
    pub format: Format,
    /// Relative to the export folder, `/`-separated.
    pub path: String,
    /// Its size in bytes.
    pub size: u64,
    /// BLAKE3 of its bytes, hex.
    pub hash: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct ManifestFile {
    version: u32,
    settings: ManifestSettings,
    files: Vec<Entry>,
}

type Key = (i64, Format);

/// An entry as kept in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Known {
    path: PathBuf,
    size: u64,
    hash: [u8; 32],
}

/// The incremental state of one export: the old manifest, and what this run decided.
#[derive(Debug)]
pub struct Incremental {
    out: PathBuf,
    settings: ManifestSettings,
    old: HashMap<Key, Known>,
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
    /// Loads the manifest of `out`, if there is a usable one.
    pub fn load(out: &Path, settings: ManifestSettings) -> Self {
        let (old, full_reason) = match read_manifest(out, &settings) {
            Ok(old) => (old, None),
            Err(reason) => (HashMap::new(), Some(reason)),
        };
        Incremental {
            out: out.to_path_buf(),
            settings,
            old,
            full_reason,
            seen: Mutex::new(Vec::new()),
        }
    }

    /// Whether the file of (`id`, `format`) at `rel` already holds the `size` bytes whose
    /// BLAKE3 hash is `hash`. When it does, the job is booked as unchanged.
    pub fn unchanged(
        &self,
        id: i64,
        format: Format,
        rel: &Path,
        size: u64,
        hash: &[u8; 32],
    ) -> bool {
        let Some(known) = self.old.get(&(id, format)) else {
            return false;
        };
        if known.path != rel || known.size != size || known.hash != *hash {
            return false;
        }
        // Deleted or replaced by hand since: write it again.
        let on_disk = fs::symlink_metadata(self.out.join(rel));
        if !on_disk.is_ok_and(|m| m.is_file() && m.len() == known.size) {
            return false;
        }
        lock(&self.seen).push(((id, format), None));
        true
    }

    /// Books a file written to the sink (published later by the staging folder).
    pub fn written(&self, id: i64, format: Format, rel: &Path, size: u64, hash: [u8; 32]) {
        let known = Known {
            path: rel.to_path_buf(),
            size,
            hash,
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
        if written.is_empty() && !self.old.keys().any(pruned) {
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
                    if let Some(old) = self.old.get(&key) {
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
        let mut files: Vec<Entry> = entries
            .into_iter()
            .map(|((id, format), k)| Entry {
                id,
                format,
                path: k.path.to_string_lossy().replace('\\', "/"),
                size: k.size,
                hash: blake3::Hash::from_bytes(k.hash).to_hex().to_string(),
            })
            .collect();
        files.sort_by_key(|e| (e.id, e.format));
        let manifest = ManifestFile {
            version: MANIFEST_VERSION,
            settings: self.settings.clone(),
            files,
        };
        // The staging prefix: a copy left by a crash is removed by the next export.
        let tmp = self
            .out
            .join(format!("{STAGING_PREFIX}{}.manifest", std::process::id()));
        let result = (|| {
            let mut w = io::BufWriter::new(fs::File::create(&tmp)?);
            serde_json::to_writer(&mut w, &manifest)?;
            w.write_all(b"\n")?;
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

fn read_manifest(out: &Path, settings: &ManifestSettings) -> Result<HashMap<Key, Known>, String> {
    let path = out.join(MANIFEST_NAME);
    let text = match fs::read(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(format!("no manifest at {} yet", path.display()));
        }
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let manifest: ManifestFile =
        serde_json::from_slice(&text).map_err(|e| format!("{} is damaged: {e}", path.display()))?;
    if manifest.version != MANIFEST_VERSION {
        return Err(format!(
            "{} has version {}, this smartnotes writes {MANIFEST_VERSION}",
            path.display(),
            manifest.version
        ));
    }
    if manifest.settings != *settings {
        return Err(format!(
            "{} was made with other settings ({:?}, now {:?})",
            path.display(),
            manifest.settings,
            settings
        ));
    }
    let mut old = HashMap::with_capacity(manifest.files.len());
    for e in manifest.files {
        let rel = PathBuf::from(&e.path);
        if !is_own_path(&rel, e.id, e.format) {
            return Err(format!(
                "{} is damaged: {:?} is not a file smartnotes writes for note {} [{}]",
                path.display(),
                e.path,
                e.id,
                e.format
            ));
        }
        let mut hash = [0u8; 32];
        let bytes = e.hash.as_bytes();
        if bytes.len() != 64 || !decode_hex(bytes, &mut hash) {
            return Err(format!(
                "{} is damaged: bad hash for note {} [{}]",
                path.display(),
                e.id,
                e.format
            ));
        }
        let known = Known {
            path: rel,
            size: e.size,
            hash,
        };
        if old.insert((e.id, e.format), known).is_some() {
            return Err(format!(
                "{} is damaged: note {} [{}] is listed twice",
                path.display(),
                e.id,
                e.format
            ));
        }
    }
    Ok(old)
}

/// Whether `rel` is a path [`naming::relative_path`] could make for this note and format:
/// `<ext>/<name>` with the note's id in the name, nothing else (no `..`, no root, no link
/// out of the folder through a deeper path).
fn is_own_path(rel: &Path, id: i64, format: Format) -> bool {
    let parts: Vec<Component<'_>> = rel.components().collect();
    let [Component::Normal(dir), Component::Normal(name)] = parts.as_slice() else {
        return false;
    };
    let Some(name) = name.to_str() else {
        return false;
    };
    *dir == format.extension()
        && !name.starts_with('.')
        && name.ends_with(&format!(".{}", format.extension()))
        && naming::id_from_file_name(name) == Some(id)
}

fn decode_hex(hex: &[u8], out: &mut [u8; 32]) -> bool {
    let val = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
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

    fn h(bytes: &[u8]) -> (u64, [u8; 32]) {
        (bytes.len() as u64, *blake3::hash(bytes).as_bytes())
    }

    fn settings() -> ManifestSettings {
        ManifestSettings::of(Naming::Slug, &RenderOptions::default())
    }

    #[test]
    fn a_manifest_round_trips_and_a_hostile_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("md")).unwrap();
        fs::write(dir.path().join("md/1-a.md"), "hello").unwrap();
        let inc = Incremental::load(dir.path(), settings());
        assert!(inc.full_reason.as_deref().unwrap().contains("no manifest"));
        let (size, hash) = h(b"hello");
        inc.written(1, Format::Md, Path::new("md/1-a.md"), size, hash);
        inc.prepare(false).unwrap();
        let f = inc.finish(false, &HashSet::new());
        assert!(f.manifest_error.is_none());

        let again = Incremental::load(dir.path(), settings());
        assert_eq!(again.full_reason, None);
        let md = |p: &str, b: &[u8]| {
            let (size, hash) = h(b);
            again.unchanged(1, Format::Md, Path::new(p), size, &hash)
        };
        assert!(!md("md/1-a.md", b"hellO"));
        assert!(!md("md/1-b.md", b"hello"));
        assert!(md("md/1-a.md", b"hello"));

        let other = ManifestSettings {
            csv_safe: true,
            ..settings()
        };
        assert!(
            Incremental::load(dir.path(), other)
                .full_reason
                .unwrap()
                .contains("other settings")
        );

        let text = fs::read_to_string(dir.path().join(MANIFEST_NAME)).unwrap();
        for bad in [
            text.replace("md/1-a.md", "../../etc/passwd"),
            text.replace("md/1-a.md", "/etc/passwd"),
            text.replace("md/1-a.md", "md/2-a.md"),
            text.replace("\"version\":1", "\"version\":99"),
            text[..text.len() / 2].to_owned(),
        ] {
            fs::write(dir.path().join(MANIFEST_NAME), bad).unwrap();
            let inc = Incremental::load(dir.path(), settings());
            assert!(inc.full_reason.is_some());
            assert!(!inc.unchanged(1, Format::Md, Path::new("md/1-a.md"), size, &hash));
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
    }
}
