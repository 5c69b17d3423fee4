//! Incremental export: the [manifest](super::manifest) says what is already in the export
//! folder, so a re-export writes only new and changed notes (`--incremental`) and removes
//! deleted ones (`--prune`).
//!
//! Rendering is a pure function of the note and the [`ManifestSettings`] ([`crate::format`]),
//! and so is a file's name ([`super::naming`]); so a note whose [`note_hash`](manifest::note_hash) and settings are
//! those of the manifest renders to the very bytes of its file, and an incremental export
//! neither renders nor schedules it: the notes are read and hashed (once per note, on the
//! reading thread), and a (note, format) is skipped when the manifest has the same hash and its
//! file is still there, a regular file in its format's folder. Whether it is: a folder whose
//! state is the one the manifest recorded holds every file the manifest lists there; any other
//! folder is listed once, at the start ([`super::listing`]). That check costs a hash and two
//! lookups per file, with no system call per file, and for an unchanged folder not even a
//! listing: it is what makes a re-export of 100,000 unchanged notes take a tenth of a second.
//! A folder's state is recorded with the manifest only when every file the manifest lists in
//! it was found: by this run's listing, or at the start in a state that has not changed since.
//! Only the notes that changed become jobs, whatever the strategy. A note whose title changed
//! gets its new file, and its old file is named by [`Incremental::settle`] for removal once the
//! new one is published.
//!
//! Files edited by hand. A deleted file, or one replaced by a folder or a link, is written
//! again. A file whose bytes were edited in place is not noticed (looking at 300,000 files
//! costs a system call each, more than the whole re-export), unless the export runs with
//! `--verify`: then every note is rendered and compared with the bytes of its file, and every
//! file that differs is written again.
//!
//! Never a wrong export: a manifest that cannot be trusted is ignored as a whole, the export
//! is a full one, and the summary says why ([`Incremental::full_reason`]).
//!
//! Crash safety. Files are still written to the staging folder and published by renames
//! ([`super::sink`]), so each file under a final name is complete: either the old version or
//! the new one. The manifest is only ever replaced atomically, and in two steps: before
//! anything is published or removed, [`Incremental::prepare`] rewrites it *without* the entries
//! of every file about to change; after publishing and removing, the full new manifest
//! replaces it. A crash at any point therefore leaves a manifest whose every entry describes a
//! file that did not change since it was written: an entry of a file that was being replaced is
//! simply missing, which makes the next run rewrite that file. Without the first step, a note
//! edited and then edited back could keep a stale file (old entry, hash equal again, file
//! present, different bytes on disk). The first manifest carries no folder state, so after a
//! crash every folder is listed. An export that changes nothing does not touch the manifest,
//! unless it listed a folder and found it in a state worth recording (a file of the user's
//! added: the next run need not list it again); a plain (not incremental) export into the
//! folder removes the manifest before it publishes anything.
//!
//! Only the `files` layout is incremental; `--prune` only removes files that the manifest
//! lists, never anything else in the folder, and only after a run that read every note
//! (not after Ctrl-C or a read error).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::thread::JoinHandle;

use super::job::OutFile;
use super::listing::{self, FolderState};
use super::manifest::{self, Entry, Folders, Key, ManifestSettings, NoteHash};
use super::naming;
use crate::format::Format;
use crate::sys::lock;

/// The incremental state of one export: the old manifest, the files present, and what this
/// run decided.
#[derive(Debug)]
pub(crate) struct Incremental {
    out: PathBuf,
    settings: ManifestSettings,
    verify: bool,
    // The old manifest and the folders' listings, read on a thread of its own while the
    // export starts and the first notes are read ([`Incremental::loaded`] waits for them).
    loaded: OnceLock<Loaded>,
    loading: Mutex<Option<JoinHandle<Loaded>>>,
    // Where in `old` the last lookup found its entry.
    hint: AtomicUsize,
    // Every job that ended with its file in place: written (`Some`) or unchanged (`None`: the
    // old entry holds). Boxed: most runs book far more unchanged files than written ones,
    // and an unchanged one then takes 24 bytes instead of 64.
    seen: Mutex<Vec<(Key, Option<Box<Entry>>)>>,
}

impl Drop for Incremental {
    // The old manifest's 300,000 names were made on the loading thread: freeing them on the
    // exporting one was 58 M instructions (a fifth of its own, callgrind), most of it
    // mimalloc taking back the pages of a thread that has ended. A thread of their own frees
    // them, which the process need not wait for; without a thread to spare, here.
    fn drop(&mut self) {
        let Some(loaded) = self.loaded.take() else {
            return;
        };
        let freeing = std::thread::Builder::new()
            .name("manifest-free".into())
            .stack_size(crate::sys::STACK_SIZE);
        // A thread that cannot be made drops its closure, and the manifest with it, here.
        let _ = freeing.spawn(move || drop(loaded));
    }
}

/// What the start of an incremental export found.
#[derive(Debug)]
struct Loaded {
    // Sorted by key: the notes come in id order, so lookups walk it nearly in sequence. The
    // manifest's own list, as it was read: copying its 300,000 entries into a list of their
    // own (entry and flag) was 95 M instructions and a seventh of the page faults of an
    // unchanged re-export.
    old: Vec<(Key, Entry)>,
    // Beside `old`, entry by entry: its file was listed, as a regular file, when the export
    // started.
    present: Vec<bool>,
    full_reason: Option<String>,
    // The folders' states the manifest recorded.
    recorded: Folders,
    // The state of each folder for which `present` was found: the recorded one if the folder
    // still had it, else the one its listing held for.
    start: Folders,
}

/// What the end of an incremental export comes to: the old files to remove, and the new
/// manifest to write once they are gone (`None` when the old one still says it all).
#[derive(Debug, Default)]
pub(crate) struct Settled {
    pub(crate) old_files: Vec<OutFile>,
    manifest: Option<HashMap<Key, Entry>>,
}

impl Incremental {
    /// Starts loading the manifest of `out`, if there is a usable one, and listing the folders
    /// of `formats`, on a thread of its own (and one per folder), and returns at once: the
    /// first question asked waits for them. With `verify`, files are compared with what they
    /// should hold ([`Incremental::same_on_disk`]).
    pub(crate) fn load(
        out: &Path,
        settings: ManifestSettings,
        formats: &[Format],
        verify: bool,
    ) -> Self {
        let job = {
            let (out, settings, formats) = (out.to_path_buf(), settings.clone(), formats.to_vec());
            move || load(&out, &settings, &formats)
        };
        let loading = std::thread::Builder::new()
            .name("manifest".into())
            .stack_size(crate::sys::STACK_SIZE)
            .spawn(job.clone());
        let inc = Incremental {
            out: out.to_path_buf(),
            settings,
            verify,
            loaded: OnceLock::new(),
            loading: Mutex::new(None),
            hint: AtomicUsize::new(0),
            seen: Mutex::new(Vec::new()),
        };
        match loading {
            Ok(handle) => *lock(&inc.loading) = Some(handle),
            // No thread to spare: load here and now.
            Err(_) => {
                let _ = inc.loaded.set(job());
            }
        }
        inc
    }

    /// The old manifest and the listings, waited for the first time.
    fn loaded(&self) -> &Loaded {
        self.loaded.get_or_init(|| {
            let handle = lock(&self.loading).take();
            handle
                .and_then(|h| h.join().ok())
                .unwrap_or_else(|| Loaded {
                    old: Vec::new(),
                    present: Vec::new(),
                    // A loading thread that died: trust nothing, write everything.
                    full_reason: Some("the manifest could not be read".into()),
                    recorded: Folders::new(),
                    start: Folders::new(),
                })
        })
    }

    /// Whether files are compared with their bytes on disk (`--verify`) rather than trusted
    /// when the manifest vouches for them.
    pub(crate) fn verify(&self) -> bool {
        self.verify
    }

    /// Why the old manifest was not used (the export is a full one), if it was not.
    pub(crate) fn full_reason(&self) -> Option<&str> {
        self.loaded().full_reason.as_deref()
    }

    // The manifest's entry of (`id`, `format`) if it is for a note with this `hash` and its
    // file was in the folder at the start.
    fn vouched(&self, id: i64, format: Format, hash: &NoteHash) -> Option<&Entry> {
        self.old(&(id, format))
            .filter(|(entry, present)| *present && entry.hash == *hash)
            .map(|(entry, _)| entry)
    }

    // The old manifest's entry of `key`, and whether its file was there at the start.
    fn old(&self, key: &Key) -> Option<(&Entry, bool)> {
        let Loaded { old, present, .. } = self.loaded();
        // The notes come in id order and each asks for its formats in turn: the entry is
        // nearly always at or just after the last one found (a binary search per lookup was
        // a third of an unchanged re-export's reading thread).
        let hint = self.hint.load(Ordering::Relaxed);
        let near = (hint..old.len().min(hint + 4)).find(|&i| old[i].0 == *key);
        let i = match near {
            Some(i) => i,
            None => old.binary_search_by_key(key, |(k, _)| *k).ok()?,
        };
        self.hint.store(i, Ordering::Relaxed);
        Some((&old[i].1, present[i]))
    }

    /// Whether the file of (`id`, `format`) already holds the note whose [`note_hash`](manifest::note_hash) is
    /// `hash`: the manifest says so and the file is still there, and for a file the layout
    /// places, at `place` (another note may have taken or freed a name since). When it does,
    /// the job is booked as unchanged.
    pub(crate) fn unchanged(
        &self,
        id: i64,
        format: Format,
        hash: &NoteHash,
        place: Option<&str>,
    ) -> bool {
        if !self.vouches(id, format, hash, place) {
            return false;
        }
        self.book((id, format), None);
        true
    }

    /// Whether [`Incremental::unchanged`] would hold, booking nothing: for deciding, before
    /// a note is read, whether it must be.
    pub(crate) fn vouches(
        &self,
        id: i64,
        format: Format,
        hash: &NoteHash,
        place: Option<&str>,
    ) -> bool {
        let same_place = |entry: &Entry| match place {
            Some(path) => entry.placed && entry.name == path,
            None => !entry.placed,
        };
        self.vouched(id, format, hash).is_some_and(same_place)
    }

    /// `--verify`: whether `file`, vouched for by the manifest for the note whose hash is
    /// `hash`, holds exactly `bytes` on disk. When it does, the job is booked as unchanged.
    pub(crate) fn same_on_disk(&self, file: &OutFile, hash: &NoteHash, bytes: &[u8]) -> bool {
        let Some(id) = file.note else { return false };
        if self
            .vouched(id, file.format, hash)
            .is_none_or(|entry| entry.name != file.name)
        {
            return false;
        }
        // A link is never followed: only a regular file of the right length is read.
        let path = self.out.join(file.path());
        if file.placed && !placed_file_present(&self.out, &file.name) {
            return false;
        }
        let same = fs::symlink_metadata(&path)
            .is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64)
            && manifest::read_no_link(&path).is_ok_and(|on_disk| on_disk == bytes);
        if same {
            self.book((id, file.format), None);
        }
        same
    }

    /// Books the file of (`id`, `format`) as left as it was: its job failed, so its old file
    /// (if any) stays, with its entry.
    pub(crate) fn kept(&self, id: i64, format: Format) {
        // Only a file the manifest lists has anything to keep.
        if self.old(&(id, format)).is_some() {
            self.book((id, format), None);
        }
    }

    /// Books `file`, written to the sink (published later by the staging folder), for the note
    /// whose [`note_hash`](manifest::note_hash) is `hash`.
    pub(crate) fn written(&self, file: &OutFile, hash: NoteHash) {
        let Some(id) = file.note else { return };
        let entry = Entry {
            name: file.name.clone(),
            hash,
            placed: file.placed,
        };
        self.book((id, file.format), Some(Box::new(entry)));
    }

    /// Books a job whose file ended in place. The list takes room for every file the
    /// manifest lists at its first job: grown by doubling, its copies and fresh pages were
    /// half the page faults of an unchanged re-export of 300,000 files.
    fn book(&self, key: Key, entry: Option<Box<Entry>>) {
        let mut seen = lock(&self.seen);
        if seen.capacity() == 0 {
            seen.reserve(self.loaded().old.len());
        }
        seen.push((key, entry));
    }

    /// Before publishing: rewrites the manifest without the entries of files about to change
    /// (see the module docs), or removes it if it cannot be rewritten. Does nothing if nothing
    /// will change. On `Err` the old manifest is still there, and nothing may be published.
    pub(crate) fn prepare(&self, prune: bool) -> io::Result<()> {
        let seen = lock(&self.seen);
        let written: HashSet<Key> = seen.iter().filter(|s| s.1.is_some()).map(|s| s.0).collect();
        let all_seen = seen.len() == self.loaded().old.len() && written.is_empty();
        let seen_keys: HashSet<Key> = if prune && !all_seen {
            seen.iter().map(|s| s.0).collect()
        } else {
            HashSet::new()
        };
        drop(seen);
        let pruned = |k: &Key| prune && !all_seen && !seen_keys.contains(k);
        if written.is_empty() && !self.loaded().old.iter().any(|(k, _)| pruned(k)) {
            return Ok(());
        }
        let keep = self
            .loaded()
            .old
            .iter()
            .filter(|(k, _)| !written.contains(k) && !pruned(k))
            .map(|(k, v)| (*k, v));
        // No folder state: after a crash here, the next run lists the folders.
        let folders = Folders::new();
        match manifest::write(&self.out, &self.settings, keep.collect(), &folders) {
            Ok(()) => Ok(()),
            // No room for a new manifest (a full disk): no manifest is safe too, it only
            // makes the next run a full one. Only if even that fails must nothing change.
            Err(_) => manifest::remove(&self.out),
        }
    }

    /// After publishing: the old files to remove (of renamed notes, and with `prune` of notes
    /// no longer exported) and the new manifest. `unpublished` are the (note, format) whose
    /// file was written but could not be published: their old entries stay.
    pub(crate) fn settle(&self, prune: bool, unpublished: &HashSet<Key>) -> Settled {
        let seen = std::mem::take(&mut *lock(&self.seen));
        // Nothing written, every known file seen unchanged: the manifest already says it all,
        // unless a folder was listed and can now be recorded unchanged (the next run then
        // need not list it).
        if self.loaded().full_reason.is_none()
            && seen.len() == self.loaded().old.len()
            && seen.iter().all(|s| s.1.is_none())
            && !self.states_renewed()
        {
            return Settled::default();
        }
        let mut new: HashMap<Key, Entry> =
            HashMap::with_capacity(self.loaded().old.len().max(seen.len()));
        let mut changed = false;
        let mut seen_keys = HashSet::with_capacity(seen.len());
        for (key, entry) in seen {
            seen_keys.insert(key);
            match entry {
                Some(_) if unpublished.contains(&key) => {}
                Some(entry) => {
                    changed = true;
                    new.insert(key, *entry);
                }
                None => {
                    if let Some((old, _)) = self.old(&key) {
                        new.insert(key, old.clone());
                    }
                }
            }
        }
        // Files that hold a current note: never removed, whatever an old entry says.
        let live: HashSet<(Format, String)> =
            new.iter().map(|(k, e)| (k.1, e.name.clone())).collect();
        let mut old_files = Vec::new();
        for (key, old) in &self.loaded().old {
            let remove = match new.get(key) {
                Some(now) => now.name != old.name,
                None if !seen_keys.contains(key) && prune => true,
                None => {
                    // Not reached this run (interrupted, or its format not exported), or
                    // failed: the old file is still what the entry says.
                    new.insert(*key, old.clone());
                    false
                }
            };
            if remove && !live.contains(&(key.1, old.name.clone())) {
                changed = true;
                old_files.push(if old.placed {
                    OutFile::placed(key.0, key.1, &old.name)
                } else {
                    OutFile::in_folder(key.0, key.1, &old.name)
                });
            }
        }
        let renew = changed || self.loaded().full_reason.is_some() || self.states_renewed();
        Settled {
            old_files,
            manifest: renew.then_some(new),
        }
    }

    /// Whether a folder was listed at the start and found in a state the manifest does not
    /// record yet.
    fn states_renewed(&self) -> bool {
        let loaded = self.loaded();
        (loaded.start.iter()).any(|(format, state)| loaded.recorded.get(format) != Some(state))
    }

    /// The folders whose state now vouches for every file `entries` lists in them: those whose
    /// state did not change since the start, with every file found there then; and those
    /// listed now, with every file found (see [`super::listing`]).
    fn end_states(&self, entries: &HashMap<Key, Entry>) -> Folders {
        let mut states = Folders::new();
        let formats: BTreeSet<Format> = (entries.iter())
            .filter(|(_, e)| !e.placed)
            .map(|(k, _)| k.1)
            .collect();
        for format in formats {
            let Ok(fd) = listing::open(&self.out.join(format.extension())) else {
                continue;
            };
            let mut files = entries.iter().filter(|(k, e)| k.1 == format && !e.placed);
            let start = self.loaded().start.get(&format).copied();
            if start.is_some() && listing::state(&fd) == start {
                let found = |(key, entry): (&Key, &Entry)| {
                    self.old(key)
                        .is_some_and(|(old, present)| present && old.name == entry.name)
                };
                if let (Some(state), true) = (start, files.all(found)) {
                    states.insert(format, state);
                }
                continue;
            }
            if let (names, Some(state)) = listing::list(&fd, format) {
                let mut wanted: Vec<(i64, &str)> =
                    files.map(|(k, e)| (k.0, e.name.as_str())).collect();
                wanted.sort_unstable();
                if all_listed(&wanted, &names) {
                    states.insert(format, state);
                }
            }
        }
        states
    }

    /// Writes the manifest `settled` holds, if it holds one; the error is a warning (the
    /// export itself is fine; the next one is full).
    pub(crate) fn commit(&self, settled: Settled) -> Option<String> {
        let entries = settled.manifest?;
        let folders = self.end_states(&entries);
        let entries = entries.iter().map(|(k, e)| (*k, e)).collect();
        manifest::write(&self.out, &self.settings, entries, &folders)
            .err()
            .map(|e| {
                format!(
                    "cannot write {}: {e}",
                    self.out.join(naming::MANIFEST_NAME).display()
                )
            })
    }
}

/// Reads the manifest of `out`, and marks which of its files are there: in a folder of
/// `formats` whose state is the one recorded, all; in another, those its listing finds (a
/// thread per folder).
fn load(out: &Path, settings: &ManifestSettings, formats: &[Format]) -> Loaded {
    let (old, recorded, full_reason) = match manifest::read(out, settings) {
        Ok((old, recorded)) => (old, recorded, None),
        Err(reason) => (Vec::new(), Folders::new(), Some(reason)),
    };
    let mut present = vec![false; old.len()];
    // No entry, nothing to look for.
    let formats = if old.is_empty() { &[][..] } else { formats };
    let looks: Vec<(Format, Look)> = std::thread::scope(|scope| {
        let recorded = &recorded;
        let looks: Vec<_> = formats
            .iter()
            .map(|&f| scope.spawn(move || (f, look(out, f, recorded.get(&f)))))
            .collect();
        looks
            .into_iter()
            .zip(formats)
            // A listing thread that died lists nothing: every file is written again.
            .map(|(l, &f)| l.join().unwrap_or((f, Look::Listed(Vec::new(), None))))
            .collect()
    });
    let mut start = Folders::new();
    for (format, look) in looks {
        let state = match look {
            Look::Unchanged(state) => {
                let entries = (old.iter().zip(&mut present))
                    .filter(|((k, entry), _)| k.1 == format && !entry.placed);
                entries.for_each(|(_, present)| *present = true);
                Some(state)
            }
            Look::Listed(names, state) => {
                mark_present(&old, &mut present, format, &names);
                state
            }
        };
        start.extend(state.map(|s| (format, s)));
    }
    // A placed file is looked at on its own: one `lstat` per folder on its way.
    for ((_, entry), present) in old.iter().zip(&mut present) {
        if entry.placed {
            *present = placed_file_present(out, &entry.name);
        }
    }
    Loaded {
        old,
        present,
        full_reason,
        recorded,
        start,
    }
}

/// What the start of an export found of a format folder.
enum Look {
    // In the state the manifest recorded: every file it lists there is there.
    Unchanged(FolderState),
    // Listed (nothing if it cannot be read or is a symbolic link: every file of that format is
    // then written again), and the state the listing holds for, if there is one.
    Listed(Vec<(i64, String)>, Option<FolderState>),
}

/// Looks at the folder of `format` in `out`: see [`Look`].
fn look(out: &Path, format: Format, recorded: Option<&FolderState>) -> Look {
    let Ok(fd) = listing::open(&out.join(format.extension())) else {
        return Look::Listed(Vec::new(), None);
    };
    match (recorded, listing::state(&fd)) {
        (Some(recorded), Some(now)) if *recorded == now => Look::Unchanged(now),
        _ => {
            let (names, state) = listing::list(&fd, format);
            Look::Listed(names, state)
        }
    }
}

/// Whether every (id, name) of `wanted` is in `names` (both sorted): one merge.
fn all_listed(wanted: &[(i64, &str)], names: &[(i64, String)]) -> bool {
    let mut names = names.iter().peekable();
    wanted.iter().all(|&(id, name)| {
        while names
            .next_if(|(n, listed)| (*n, listed.as_str()) < (id, name))
            .is_some()
        {}
        names
            .peek()
            .is_some_and(|(n, listed)| *n == id && listed == name)
    })
}

/// Whether the placed file `path` (relative to `out`) is a regular file reached through real
/// folders, no symbolic link on the way.
fn placed_file_present(out: &Path, path: &str) -> bool {
    let mut at = out.to_path_buf();
    let parts: Vec<&str> = path.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        at.push(part);
        let Ok(meta) = fs::symlink_metadata(&at) else {
            return false;
        };
        let last = i + 1 == parts.len();
        if (last && !meta.is_file()) || (!last && !meta.is_dir()) {
            return false;
        }
    }
    true
}

/// Marks, in `present` (beside `old`, sorted by key), the entries of `format` whose file is in
/// `names` (sorted, from [`listing::list`]): one merge of two sorted lists, no lookup per file.
fn mark_present(
    old: &[(Key, Entry)],
    present: &mut [bool],
    format: Format,
    names: &[(i64, String)],
) {
    let mut names = names.iter().peekable();
    for (((id, f), entry), present) in old.iter().zip(present) {
        if *f != format {
            continue;
        }
        while names.next_if(|(n, _)| n < id).is_some() {}
        *present = names
            .clone()
            .take_while(|(n, _)| n == id)
            .any(|(_, name)| *name == entry.name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::manifest::note_hash;
    use crate::export::naming::{MANIFEST_NAME, Naming};
    use crate::format::RenderOptions;
    use crate::model::Note;

    fn settings() -> ManifestSettings {
        ManifestSettings::of(Naming::Slug, &RenderOptions::default(), "files")
    }

    fn note(id: i64, title: &str, body: &str) -> Note {
        serde_json::from_value(serde_json::json!({
            "id": id, "title": title, "tags": ["a"], "created": "2026-01-01T00:00:00Z",
            "updated": "2026-01-01T00:00:00Z", "body": body
        }))
        .unwrap()
    }

    fn md(name: &str) -> OutFile {
        OutFile {
            note: Some(1),
            format: Format::Md,
            name: name.into(),
            placed: false,
        }
    }

    #[test]
    fn a_manifest_round_trips_and_a_hostile_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("md")).unwrap();
        fs::write(dir.path().join("md/1-a.md"), "hello").unwrap();
        let load = |s: ManifestSettings| Incremental::load(dir.path(), s, &[Format::Md], false);
        let inc = load(settings());
        assert!(inc.full_reason().unwrap().contains("no manifest"));
        let hash = note_hash(&note(1, "a", "hello"));
        inc.written(&md("1-a.md"), hash);
        inc.prepare(false).unwrap();
        let settled = inc.settle(false, &HashSet::new());
        assert!(settled.old_files.is_empty());
        assert_eq!(inc.commit(settled), None);

        let again = load(settings());
        assert_eq!(again.full_reason(), None);
        assert!(!again.unchanged(1, Format::Md, &note_hash(&note(1, "a", "hellO")), None));
        assert!(!again.unchanged(2, Format::Md, &hash, None));
        assert!(!again.unchanged(1, Format::Json, &hash, None));
        assert!(again.unchanged(1, Format::Md, &hash, None));
        // --verify reads the file: the bytes must be the same too.
        assert!(again.same_on_disk(&md("1-a.md"), &hash, b"hello"));
        assert!(!again.same_on_disk(&md("1-a.md"), &hash, b"hellO"));
        assert!(!again.same_on_disk(&md("1-b.md"), &hash, b"hello"));

        // A file deleted or replaced by a folder is not vouched for.
        fs::remove_file(dir.path().join("md/1-a.md")).unwrap();
        assert!(!load(settings()).unchanged(1, Format::Md, &hash, None));
        fs::create_dir(dir.path().join("md/1-a.md")).unwrap();
        assert!(!load(settings()).unchanged(1, Format::Md, &hash, None));
        fs::remove_dir(dir.path().join("md/1-a.md")).unwrap();
        fs::write(dir.path().join("md/1-a.md"), "hello").unwrap();
        assert!(load(settings()).unchanged(1, Format::Md, &hash, None));

        let other = ManifestSettings {
            csv_safe: true,
            ..settings()
        };
        assert!(
            load(other)
                .full_reason()
                .unwrap()
                .contains("other settings")
        );

        // The hostile copies are of the text layout, which is still read (the binary one's
        // are in `manifest::tests`).
        let (written, _) = manifest::read(dir.path(), &settings()).unwrap();
        let text = manifest::text_manifest(&settings(), &written);
        let twice = format!("{text}{}\n", text.lines().nth(1).unwrap());
        for (bad, why) in [
            (text.replace("md/1-a.md", "../../etc/passwd"), "not a file"),
            (text.replace("md/1-a.md", "/etc/passwd"), "not a file"),
            (text.replace("md/1-a.md", "md/2-a.md"), "not a file"),
            (text.replace("md/1-a.md", "md/.1-a.md"), "not a file"),
            (text.replace("md/1-a.md", "md/1-a.json"), "not a file"),
            (text.replace("md/1-a.md", "md/1-my draft.md"), "not a file"),
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
            let reason = inc.full_reason().unwrap_or("");
            assert!(reason.contains(why), "{bad:?}: {reason}");
            assert!(!inc.unchanged(1, Format::Md, &hash, None));
        }
    }

    #[test]
    fn a_folder_state_is_recorded_only_when_every_file_listed_there_is_there() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("md")).unwrap();
        fs::create_dir(dir.path().join("json")).unwrap();
        let formats = [Format::Md, Format::Json];
        let first = Incremental::load(dir.path(), settings(), &formats, false);
        let (one, two) = (note(1, "a", "x"), note(2, "b", "y"));
        for format in formats {
            for n in [&one, &two] {
                let file = OutFile::of_note(n, format, Naming::Slug);
                // Note 2's JSON file is booked written, yet never reaches the folder.
                if (n.id, format) != (2, Format::Json) {
                    fs::write(dir.path().join(file.path()), "x").unwrap();
                }
                first.written(&file, note_hash(n));
            }
        }
        let settled = first.settle(false, &HashSet::new());
        assert_eq!(first.commit(settled), None);
        let (_, folders) = manifest::read(dir.path(), &settings()).unwrap();
        assert_eq!(folders.keys().collect::<Vec<_>>(), [&Format::Md]);
        // The folder without its file is listed, and the file is not vouched for; the one with
        // all its files is trusted as it is.
        let again = Incremental::load(dir.path(), settings(), &formats, false);
        assert!(again.unchanged(1, Format::Md, &note_hash(&one), None));
        assert!(again.unchanged(1, Format::Json, &note_hash(&one), None));
        assert!(!again.unchanged(2, Format::Json, &note_hash(&two), None));
        assert_eq!(
            again.loaded().start.get(&Format::Md),
            folders.get(&Format::Md)
        );
        // A file removed from the trusted folder changes its state: it is listed again.
        fs::remove_file(dir.path().join("md/2-b.md")).unwrap();
        let third = Incremental::load(dir.path(), settings(), &formats, false);
        assert!(!third.unchanged(2, Format::Md, &note_hash(&two), None));
        assert!(third.unchanged(1, Format::Md, &note_hash(&one), None));
    }

    #[test]
    fn a_renamed_note_names_its_old_file_once_and_a_pruned_one_only_with_prune() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("md")).unwrap();
        let first = Incremental::load(dir.path(), settings(), &[Format::Md], false);
        let (one, two) = (note(1, "a", "x"), note(2, "b", "y"));
        for (n, name) in [(&one, "1-a.md"), (&two, "2-b.md")] {
            fs::write(dir.path().join("md").join(name), "x").unwrap();
            let file = OutFile::of_note(n, Format::Md, Naming::Slug);
            first.written(&file, note_hash(n));
        }
        first.prepare(false).unwrap();
        let settled = first.settle(false, &HashSet::new());
        assert_eq!(first.commit(settled), None);

        // Note 1 renamed, note 2 gone.
        let renamed = note(1, "new title", "x");
        for prune in [false, true] {
            let inc = Incremental::load(dir.path(), settings(), &[Format::Md], false);
            let file = OutFile::of_note(&renamed, Format::Md, Naming::Slug);
            inc.written(&file, note_hash(&renamed));
            let settled = inc.settle(prune, &HashSet::new());
            let mut old: Vec<_> = settled.old_files.iter().map(OutFile::path).collect();
            old.sort();
            let mut want = vec![PathBuf::from("md/1-a.md")];
            if prune {
                want.push(PathBuf::from("md/2-b.md"));
            }
            assert_eq!(old, want, "prune {prune}");
        }
    }
}
