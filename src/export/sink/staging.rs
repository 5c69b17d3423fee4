//! Crash-safe writing: a staging folder inside the export folder, published by renames.
//!
//! Every file is first written under `<out>/.smartnotes-staging-<pid>/`, which mirrors the
//! final layout, and booked in a ledger under its identity ([`OutFile`]: note, format, name),
//! one ledger per writing thread ([`PerThread`]), which publishing merges.
//! [`Staging::publish`] then moves the booked files into place: a format folder that does not
//! exist yet is moved with one `rename` (a fresh export of 100,000 notes costs one rename per
//! format, not one per file); into an existing folder each file is renamed over its old
//! version, which replaces it atomically. A reader therefore sees the old file or the new one,
//! never a half-written one, and a process killed at any point leaves only the staging folder,
//! which the next export into the same folder removes.
//!
//! Why not a temporary file beside each target and a rename per file: on tmpfs, one thread
//! wrote 50,000 small files at 113-121k files/s through a staging folder renamed once, and at
//! 69-74k files/s with a rename per file (`cargo run --release --example commit_methods`).
//!
//! Why one staged folder per format, not one per worker: two threads creating 100,000 small
//! files each on tmpfs made 177k files/s into one folder and 173k files/s into a folder each
//! (same CPU time: the folder's lock is not what limits two cores), and moving the second
//! worker's files into the final folder then cost a rename each, 0.41-0.46 s more (123k
//! files/s in all; 2-core VM, load 6, a C program, December 2026). Files are created through
//! the held folder handle (`openat`), as the floors of `smartnotes bench` do.
//!
//! The export folder is locked (`flock` on the folder itself) for the whole export, so two
//! exports into one folder cannot interleave and a staging folder found at the start is known
//! to be stale.
//!
//! Links. Everything here goes through folder handles (`openat`, `renameat`, `unlinkat` with
//! `O_NOFOLLOW`), never through a path looked up again later: a staged file is created
//! exclusively (a link planted at its name is not followed), a format folder that is a
//! symbolic link is refused for publishing and for removals alike, a link at a file's final
//! name is replaced by the rename, never written through, and [`Staging::remove_old`] removes
//! only regular files.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{self, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rustix::fs::{AtFlags, FileType, Mode, OFlags};
use rustix::io::Errno;

use super::Sink;
use crate::export::job::OutFile;
use crate::export::naming::{self, STAGING_PREFIX};
use crate::format::Format;
use crate::sys::{PerThread, lock};

/// Writes into a staging folder of the export folder; see the module docs.
#[derive(Debug)]
pub(crate) struct Staging {
    out: PathBuf,
    // The export folder, held open (and flock'ed) for the whole export: every publication
    // and removal goes through it.
    out_dir: File,
    // The staging folder's name in the export folder, and the folder itself.
    name: String,
    root: OwnedFd,
    // The staged format folders (files layout).
    folders: Vec<(Format, OwnedFd)>,
    // Booked by the thread that wrote the file, in its own slot: workers never take one
    // lock for every file. Publishing takes every slot.
    ledgers: PerThread<Mutex<Ledger>>,
}

/// The files staged so far, by identity.
#[derive(Debug, Default)]
struct Ledger {
    notes: Vec<(Format, Names)>,
    bundles: Vec<Format>,
    // Files the layout places (the vault; Jekyll's `_posts/`): note, format, path.
    placed: Vec<(i64, Format, String)>,
}

/// Notes' file names of one format, in one string: a few bytes per file more than the names.
#[derive(Debug, Default)]
struct Names {
    text: String,
    // (note id, end of its name in `text`)
    ends: Vec<(i64, usize)>,
}

impl Ledger {
    /// Books a note's file, fully written.
    fn book(&mut self, file: &OutFile) {
        let Some(id) = file.note else { return };
        if file.placed {
            self.placed.push((id, file.format, file.name.clone()));
            return;
        }
        let i = match self.notes.iter().position(|(f, _)| *f == file.format) {
            Some(i) => i,
            None => {
                self.notes.push((file.format, Names::default()));
                self.notes.len() - 1
            }
        };
        self.notes[i].1.push(id, &file.name);
    }
}

impl Ledger {
    /// Adds what `other` booked.
    fn merge(&mut self, other: Ledger) {
        for (format, names) in other.notes {
            match self.notes.iter_mut().find(|(f, _)| *f == format) {
                Some((_, mine)) => names.iter().for_each(|(id, name)| mine.push(id, name)),
                None => self.notes.push((format, names)),
            }
        }
        self.bundles.extend(other.bundles);
        self.placed.extend(other.placed);
    }
}

impl Names {
    fn push(&mut self, id: i64, name: &str) {
        self.text.push_str(name);
        self.ends.push((id, self.text.len()));
    }

    fn iter(&self) -> impl Iterator<Item = (i64, &str)> {
        let mut start = 0;
        self.ends.iter().map(move |&(id, end)| {
            let name = &self.text[start..end];
            start = end;
            (id, name)
        })
    }
}

/// A staged file that could not be moved into place.
#[derive(Debug)]
pub(crate) struct Unpublished {
    pub(crate) file: OutFile,
    /// Its size, no longer written.
    pub(crate) bytes: u64,
    pub(crate) error: io::Error,
}

/// What [`Staging::publish`] did.
#[derive(Debug, Default)]
pub(crate) struct Published {
    /// Files that could not be moved into place, with why.
    pub(crate) failed: Vec<Unpublished>,
    /// Files found in a format folder under another generated name of a note just published
    /// there (its title changed, or the naming did): old files, for
    /// [`Staging::remove_old`].
    pub(crate) earlier: Vec<OutFile>,
}

/// What [`Staging::remove_old`] did.
#[derive(Debug, Default)]
pub(crate) struct Removed {
    pub(crate) files: u64,
    /// Old files that could not be removed, with why.
    pub(crate) warnings: Vec<String>,
}

/// Why the export folder could not be prepared.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StagingError {
    /// The export folder could not be created or opened.
    #[error("cannot use the output folder {}", path.display())]
    Out {
        /// The folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// Another export holds the folder.
    #[error("another smartnotes export is writing to {}; wait for it to finish", path.display())]
    Busy {
        /// The folder.
        path: PathBuf,
    },
}

impl Staging {
    /// Prepares `out` for an export: creates it, locks it, removes stale staging folders and
    /// creates a new one with a subfolder for each of `formats` (none for bundles). Returns the
    /// staging and how many stale staging folders were removed.
    pub(crate) fn new(out: &Path, formats: &[Format]) -> Result<(Staging, usize), StagingError> {
        let err = |source| StagingError::Out {
            path: out.to_path_buf(),
            source,
        };
        fs::create_dir_all(out).map_err(err)?;
        let out_dir = File::open(out).map_err(err)?;
        match out_dir.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                return Err(StagingError::Busy {
                    path: out.to_path_buf(),
                });
            }
            Err(fs::TryLockError::Error(e)) => return Err(err(e)),
        }
        let stale = remove_stale(out).map_err(err)?;
        let name = format!("{STAGING_PREFIX}{}", std::process::id());
        let root = make_folder(&out_dir, &name).map_err(err)?;
        let mut folders = Vec::with_capacity(formats.len());
        for &format in formats {
            folders.push((format, make_folder(&root, format.extension()).map_err(err)?));
        }
        let staging = Staging {
            out: out.to_path_buf(),
            out_dir,
            name,
            root,
            folders,
            ledgers: PerThread::default(),
        };
        Ok((staging, stale))
    }

    /// The export folder, held open and locked for the whole export (attachments are
    /// published through it too: `export/attachments.rs`).
    pub(crate) fn out_dir(&self) -> &File {
        &self.out_dir
    }

    /// The staged folder that holds `file`.
    fn staged_folder(&self, file: &OutFile) -> io::Result<&OwnedFd> {
        if file.folder().is_none() {
            return Ok(&self.root);
        }
        self.format_folder(file.format)
            .ok_or_else(|| io::Error::other(format!("no staged folder for {}", file.format)))
    }

    /// The staged folder of `format` (files layout).
    fn format_folder(&self, format: Format) -> Option<&OwnedFd> {
        self.folders
            .iter()
            .find(|(f, _)| *f == format)
            .map(|(_, fd)| fd)
    }

    /// Moves every booked file to its final name and removes the staging folder.
    ///
    /// A file that cannot be moved is listed in [`Published::failed`] and deleted with the
    /// staging folder: it leaves nothing behind, neither under its final name nor as a stray
    /// temporary file.
    pub(crate) fn publish(&self) -> Published {
        let ledger = self.take_ledger();
        let mut published = Published::default();
        for (format, names) in &ledger.notes {
            self.publish_folder(*format, names, &mut published);
        }
        for format in ledger.bundles {
            let file = OutFile::bundle(format);
            if let Err(error) = rename(&self.root, &self.out_dir, &file.name) {
                let bytes = size(&self.root, &file.name);
                let error = self.explain(error, &file.path());
                published.failed.push(Unpublished { file, bytes, error });
            }
        }
        self.publish_placed(ledger.placed, &mut published);
        // Whatever is left (files that failed to move) goes with the staging folder.
        let _ = fs::remove_dir_all(self.out.join(&self.name));
        published
    }

    fn publish_folder(&self, format: Format, names: &Names, published: &mut Published) {
        let ext = format.extension();
        let Some(staged) = self.format_folder(format) else {
            return;
        };
        let target = match open_folder(&self.out_dir, ext) {
            Ok(target) => target,
            // A new folder: one rename moves all of it.
            Err(Errno::NOENT) => match rename(&self.root, &self.out_dir, ext) {
                Ok(()) => return,
                Err(e) => return self.fail_all(format, names, staged, e, published),
            },
            Err(e) => return self.fail_all(format, names, staged, e, published),
        };
        let mut earlier = earlier_names(&target, format);
        for (id, name) in names.iter() {
            let file = OutFile::in_folder(id, format, name);
            if let Err(e) = rename(staged, &target, name) {
                let bytes = size(staged, name);
                let error = self.explain(e, &file.path());
                published.failed.push(Unpublished { file, bytes, error });
                continue;
            }
            // The note's file under an older name goes (see `remove_old`): a folder holds one
            // file per note, never an old copy beside the new one.
            for old in earlier.remove(&id).unwrap_or_default() {
                if old != name {
                    published.earlier.push(OutFile {
                        name: old,
                        ..file.clone()
                    });
                }
            }
        }
    }

    /// Moves placed files into place, in path order (each folder's files together), making
    /// their folders as needed. A symbolic link, or a file, where a folder must be fails that
    /// file: nothing is ever written through a link.
    fn publish_placed(&self, mut placed: Vec<(i64, Format, String)>, published: &mut Published) {
        placed.sort_by(|a, b| a.2.cmp(&b.2));
        // The folder of the last file, staged and final, held open for the next ones.
        let mut current: Option<(String, io::Result<FolderPair>)> = None;
        for (id, format, path) in placed {
            let file = OutFile::placed(id, format, &path);
            let (dir, name) = split(&path);
            if current.as_ref().is_none_or(|(d, _)| d != dir) {
                let staged = walk(&self.root, dir, false).map_err(io::Error::from);
                let target = staged.and_then(|staged| {
                    walk(&self.out_dir, dir, true)
                        .map(|target| (staged, target))
                        .map_err(|e| self.explain_on_the_way(e, dir))
                });
                current = Some((dir.to_owned(), target));
            }
            let Some((_, folders)) = &current else {
                continue;
            };
            let result = match folders {
                Ok((staged, target)) => {
                    rename(staged, target, name).map_err(|e| self.explain(e, &file.path()))
                }
                Err(e) => Err(io::Error::new(e.kind(), e.to_string())),
            };
            if let Err(error) = result {
                let bytes = folders.as_ref().map_or(0, |(staged, _)| size(staged, name));
                published.failed.push(Unpublished { file, bytes, error });
            }
        }
    }

    /// An error opening the folders `dir` (relative to the export folder) on the way to a
    /// placed file.
    fn explain_on_the_way(&self, e: Errno, dir: &str) -> io::Error {
        match e {
            Errno::LOOP | Errno::NOTDIR => io::Error::new(
                io::Error::from(e).kind(),
                format!(
                    "{} is or passes a symbolic link or a file where a folder must be; smartnotes \
                     never writes through links out of the output folder",
                    self.out.join(dir).display()
                ),
            ),
            e => io::Error::from(e),
        }
    }

    fn fail_all(
        &self,
        format: Format,
        names: &Names,
        staged: &OwnedFd,
        e: Errno,
        published: &mut Published,
    ) {
        let error = self.explain(e, Path::new(format.extension()));
        for (id, name) in names.iter() {
            published.failed.push(Unpublished {
                file: OutFile::in_folder(id, format, name),
                bytes: size(staged, name),
                error: io::Error::new(error.kind(), error.to_string()),
            });
        }
    }

    /// An error about `rel` (relative to the export folder), in words where the bare errno
    /// would puzzle.
    fn explain(&self, e: Errno, rel: &Path) -> io::Error {
        let path = self.out.join(rel);
        // Opening a link as a folder without following it says ELOOP or ENOTDIR.
        let link = fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
        let text = match e {
            Errno::LOOP | Errno::NOTDIR if link => format!(
                "{} is a symbolic link; smartnotes never writes through links out of the output folder",
                path.display()
            ),
            Errno::NOTDIR => format!("{} exists and is not a folder", path.display()),
            Errno::ISDIR => format!("{} is a folder", path.display()),
            _ => return io::Error::from(e),
        };
        io::Error::new(io::Error::from(e).kind(), text)
    }

    /// Everything booked so far, from every thread's slot; the slots are left empty.
    fn take_ledger(&self) -> Ledger {
        let mut all = Ledger::default();
        for ledger in self.ledgers.all() {
            all.merge(std::mem::take(&mut *lock(ledger)));
        }
        all
    }

    /// Deletes every staged file, so that [`Staging::publish`] publishes nothing, and lists
    /// them with their sizes.
    pub(crate) fn discard_all(&self) -> Vec<(OutFile, u64)> {
        let ledger = self.take_ledger();
        let mut files = Vec::new();
        for (format, names) in &ledger.notes {
            for (id, name) in names.iter() {
                files.push(OutFile::in_folder(id, *format, name));
            }
        }
        files.extend(ledger.bundles.into_iter().map(OutFile::bundle));
        let placed = ledger.placed.iter();
        files.extend(placed.map(|(id, format, path)| OutFile::placed(*id, *format, path)));
        files
            .into_iter()
            .filter_map(|file| {
                let bytes = self.unstage(&file)?;
                Some((file, bytes))
            })
            .collect()
    }

    /// Deletes a staged file; its size if it was there.
    fn unstage(&self, file: &OutFile) -> Option<u64> {
        if file.placed {
            let (dir, name) = split(&file.name);
            let folder = walk(&self.root, dir, false).ok()?;
            let bytes = size(&folder, name);
            rustix::fs::unlinkat(&folder, name, AtFlags::empty()).ok()?;
            return Some(bytes);
        }
        let folder = self.staged_folder(file).ok()?;
        let bytes = size(folder, &file.name);
        rustix::fs::unlinkat(folder, file.name.as_str(), AtFlags::empty()).ok()?;
        Some(bytes)
    }

    /// Removes a placed old file: only a regular file, only through real folders.
    fn remove_placed(&self, file: &OutFile) -> io::Result<bool> {
        let (dir, name) = split(&file.name);
        match walk(&self.out_dir, dir, false) {
            Ok(folder) => remove_regular_file(folder, name),
            Err(Errno::NOENT) => Ok(false),
            Err(e) => Err(self.explain_on_the_way(e, dir)),
        }
    }

    /// Removes old files of notes from the export folder: only regular files, only through
    /// their format folder when it is a real folder (never a link), each at most once. A file
    /// already gone is not counted.
    pub(crate) fn remove_old(&self, files: &[OutFile]) -> Removed {
        let mut removed = Removed::default();
        let mut folders: HashMap<Format, Result<OwnedFd, Errno>> = HashMap::new();
        let mut done = std::collections::HashSet::new();
        for file in files {
            if !done.insert((file.format, file.folder(), file.name.as_str())) {
                continue;
            }
            let result = if file.placed {
                self.remove_placed(file)
            } else {
                self.remove_in_folder(file, &mut folders)
            };
            match result {
                Ok(true) => removed.files += 1,
                Ok(false) => {}
                Err(e) => removed.warnings.push(format!(
                    "cannot remove the old file {} of note {} [{}]: {e}",
                    self.out.join(file.path()).display(),
                    file.note
                        .map_or_else(|| "-".to_owned(), |id| id.to_string()),
                    file.format
                )),
            }
        }
        removed
    }

    fn remove_in_folder(
        &self,
        file: &OutFile,
        folders: &mut HashMap<Format, Result<OwnedFd, Errno>>,
    ) -> io::Result<bool> {
        {
            let folder = match file.folder() {
                Some(ext) => folders
                    .entry(file.format)
                    .or_insert_with(|| open_folder(&self.out_dir, ext))
                    .as_ref()
                    .map(|fd| fd.as_fd()),
                None => Ok(self.out_dir.as_fd()),
            };
            folder
                .map_err(|e| self.explain(*e, Path::new(file.format.extension())))
                .and_then(|folder| remove_regular_file(folder, &file.name))
        }
    }
}

impl Sink for Staging {
    fn write(&self, file: &OutFile, bytes: &[u8]) -> io::Result<()> {
        let placed_folder;
        let (folder, name) = if file.placed {
            let (dir, name) = split(&file.name);
            placed_folder = walk(&self.root, dir, true)?;
            (&placed_folder, name)
        } else {
            (self.staged_folder(file)?, file.name.as_str())
        };
        let written = create(folder, name).and_then(|mut f| f.write_all(bytes));
        match written {
            Ok(()) => {
                lock(self.ledgers.mine()).book(file);
                Ok(())
            }
            Err(e) => {
                // A half-written file (a full disk) must not be published at the end.
                let _ = rustix::fs::unlinkat(folder, name, AtFlags::empty());
                Err(e)
            }
        }
    }

    fn open(&self, file: &OutFile) -> io::Result<Box<dyn Write + Send>> {
        let stream = create(self.staged_folder(file)?, &file.name)?;
        lock(self.ledgers.mine()).bundles.push(file.format);
        Ok(Box::new(stream))
    }

    fn discard(&self, file: &OutFile) {
        if file.placed {
            let _ = self.unstage(file);
        } else if let Ok(folder) = self.staged_folder(file) {
            let _ = rustix::fs::unlinkat(folder, file.name.as_str(), AtFlags::empty());
        }
        if file.note.is_none() {
            for ledger in self.ledgers.all() {
                lock(ledger).bundles.retain(|f| *f != file.format);
            }
        }
    }
}

/// Creates the folder `name` in `parent` and opens it, refusing anything that is already
/// there.
pub(crate) fn make_folder(parent: impl AsFd, name: &str) -> io::Result<OwnedFd> {
    rustix::fs::mkdirat(&parent, name, Mode::from_raw_mode(0o777))?;
    Ok(open_folder(&parent, name)?)
}

/// A folder of placed files, staged and final, held open.
type FolderPair = (OwnedFd, OwnedFd);

/// A placed file's path as its folders (`a/b`, empty for none) and its name.
pub(crate) fn split(path: &str) -> (&str, &str) {
    path.rsplit_once('/').unwrap_or(("", path))
}

/// Opens the folders `dirs` (`a/b`, relative to `start`) one at a time, never following a
/// link; with `create`, a missing one is made. An empty `dirs` opens `start` again.
pub(crate) fn walk(start: impl AsFd, dirs: &str, create: bool) -> Result<OwnedFd, Errno> {
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
    let mut folder = rustix::fs::openat(&start, ".", flags, Mode::empty())?;
    for part in dirs.split('/').filter(|p| !p.is_empty()) {
        folder = match open_folder(&folder, part) {
            Err(Errno::NOENT) if create => {
                match rustix::fs::mkdirat(&folder, part, Mode::from_raw_mode(0o777)) {
                    Ok(()) | Err(Errno::EXIST) => {}
                    Err(e) => return Err(e),
                }
                open_folder(&folder, part)?
            }
            other => other?,
        };
    }
    Ok(folder)
}

/// Opens the folder `name` in `parent`; a symbolic link is `ELOOP`, a file `ENOTDIR`.
fn open_folder(parent: impl AsFd, name: &str) -> Result<OwnedFd, Errno> {
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    rustix::fs::openat(parent, name, flags, Mode::empty())
}

/// Creates the new file `name` in `folder`, exclusively: whatever is at that name already, a
/// link included, makes it fail.
pub(crate) fn create(folder: impl AsFd, name: &str) -> io::Result<File> {
    let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let fd = rustix::fs::openat(folder, name, flags, Mode::from_raw_mode(0o666))?;
    Ok(File::from(fd))
}

/// Renames `name` from folder `from` to folder `to`, replacing a file (or link) there.
fn rename(from: impl AsFd, to: impl AsFd, name: &str) -> Result<(), Errno> {
    rustix::fs::renameat(from, name, to, name)
}

/// The size of `name` in `folder`, 0 if it cannot be known.
fn size(folder: impl AsFd, name: &str) -> u64 {
    rustix::fs::statat(folder, name, AtFlags::SYMLINK_NOFOLLOW).map_or(0, |st| st.st_size as u64)
}

/// Removes `name` from `folder` if it is a regular file; `Ok(false)` if it is already gone.
pub(crate) fn remove_regular_file(folder: impl AsFd, name: &str) -> io::Result<bool> {
    let stat = match rustix::fs::statat(&folder, name, AtFlags::SYMLINK_NOFOLLOW) {
        Err(Errno::NOENT) => return Ok(false),
        stat => stat?,
    };
    match FileType::from_raw_mode(stat.st_mode) {
        FileType::RegularFile => {}
        FileType::Directory => return Err(io::Error::other("it is a folder; left in place")),
        _ => return Err(io::Error::other("it is not a regular file; left in place")),
    }
    match rustix::fs::unlinkat(&folder, name, AtFlags::empty()) {
        Ok(()) => Ok(true),
        Err(Errno::NOENT) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// The regular files of `folder` that have a generated name of `format`, by note.
fn earlier_names(folder: &OwnedFd, format: Format) -> HashMap<i64, Vec<String>> {
    let mut names: HashMap<i64, Vec<String>> = HashMap::new();
    let Ok(entries) = rustix::fs::Dir::read_from(folder) else {
        return names;
    };
    for entry in entries.flatten() {
        if entry.file_type() != FileType::RegularFile {
            continue;
        }
        let Ok(name) = entry.file_name().to_str() else {
            continue;
        };
        if let Some(id) = naming::generated_note(name, format) {
            names.entry(id).or_default().push(name.to_owned());
        }
    }
    names
}

/// Removes staging folders (and manifests being written) left by exports that were killed.
/// Only called with the lock held, so none of them can belong to a running export.
fn remove_stale(out: &Path) -> io::Result<usize> {
    let mut removed = 0;
    for entry in fs::read_dir(out)? {
        let entry = entry?;
        let stale = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(STAGING_PREFIX));
        if !stale {
            continue;
        }
        if entry.file_type()?.is_dir() {
            fs::remove_dir_all(entry.path())?;
            removed += 1;
        } else {
            // A manifest being written when the process died (see `manifest`), or a link.
            fs::remove_file(entry.path())?;
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stage(out: &Path) -> Staging {
        Staging::new(out, &[Format::Md]).unwrap().0
    }

    fn md(id: i64, name: &str) -> OutFile {
        OutFile {
            note: Some(id),
            format: Format::Md,
            name: name.into(),
            placed: false,
        }
    }

    #[test]
    fn nothing_is_visible_before_publish_and_everything_after() {
        let dir = tempfile::tempdir().unwrap();
        let staging = stage(dir.path());
        staging.write(&md(1, "1-a.md"), b"hello").unwrap();
        assert!(!dir.path().join("md/1-a.md").exists());
        let published = staging.publish();
        assert!(published.failed.is_empty());
        assert_eq!(fs::read(dir.path().join("md/1-a.md")).unwrap(), b"hello");
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["md"], "no staging folder left");
    }

    #[test]
    fn republishing_replaces_in_place_and_keeps_other_files() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("md")).unwrap();
        fs::write(dir.path().join("md/1-a.md"), "old").unwrap();
        fs::write(dir.path().join("md/keep.txt"), "mine").unwrap();
        let staging = stage(dir.path());
        staging.write(&md(1, "1-a.md"), b"new").unwrap();
        let published = staging.publish();
        assert!(published.failed.is_empty() && published.earlier.is_empty());
        assert_eq!(
            fs::read_to_string(dir.path().join("md/1-a.md")).unwrap(),
            "new"
        );
        assert_eq!(
            fs::read_to_string(dir.path().join("md/keep.txt")).unwrap(),
            "mine"
        );
        assert_eq!(
            fs::read_dir(dir.path().join("md")).unwrap().count(),
            2,
            "no copies"
        );
    }

    #[test]
    fn only_generated_names_of_a_published_note_are_earlier_files() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("md")).unwrap();
        for name in [
            "7-old-title.md",
            "7-my own draft.md",
            "7-x.txt",
            "07-y.md",
            "8-z.md",
        ] {
            fs::write(dir.path().join("md").join(name), "x").unwrap();
        }
        let staging = stage(dir.path());
        staging.write(&md(7, "7-new-title.md"), b"new").unwrap();
        let published = staging.publish();
        assert_eq!(published.earlier, [md(7, "7-old-title.md")]);
        let removed = staging.remove_old(&published.earlier);
        assert_eq!((removed.files, removed.warnings.len()), (1, 0));
        let mut left: Vec<_> = fs::read_dir(dir.path().join("md"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                "07-y.md",
                "7-my own draft.md",
                "7-new-title.md",
                "7-x.txt",
                "8-z.md"
            ]
        );
    }

    #[test]
    fn a_second_export_into_the_same_folder_is_refused_while_the_first_runs() {
        let dir = tempfile::tempdir().unwrap();
        let _first = stage(dir.path());
        assert!(matches!(
            Staging::new(dir.path(), &[]),
            Err(StagingError::Busy { .. })
        ));
    }

    #[test]
    fn stale_staging_folders_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let stale = dir.path().join(format!("{STAGING_PREFIX}999999/md"));
        fs::create_dir_all(&stale).unwrap();
        fs::write(stale.join("half.md"), "partial").unwrap();
        let (staging, removed) = Staging::new(dir.path(), &[Format::Md]).unwrap();
        assert_eq!(removed, 1);
        staging.publish();
        assert!(!dir.path().join(format!("{STAGING_PREFIX}999999")).exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_format_folder_that_is_a_link_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("1-a.md"), "theirs").unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("md")).unwrap();
        let staging = stage(dir.path());
        staging.write(&md(1, "1-b.md"), b"x").unwrap();
        let published = staging.publish();
        assert_eq!(published.failed.len(), 1);
        assert_eq!(published.failed[0].file.path(), Path::new("md/1-b.md"));
        let error = published.failed[0].error.to_string();
        assert!(error.contains("symbolic link"), "{error}");
        // Nor is it followed to remove an old file.
        let removed = staging.remove_old(&[md(1, "1-a.md")]);
        assert_eq!(removed.files, 0);
        assert!(
            removed.warnings[0].contains("symbolic link"),
            "{:?}",
            removed.warnings
        );
        let names: Vec<_> = fs::read_dir(outside.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "nothing written or removed outside");
        assert_eq!(
            fs::read_to_string(outside.path().join("1-a.md")).unwrap(),
            "theirs"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_link_at_a_final_name_is_replaced_not_written_through_and_never_removed_as_old() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let victim = outside.path().join("victim.txt");
        fs::write(&victim, "precious").unwrap();
        fs::create_dir(dir.path().join("md")).unwrap();
        std::os::unix::fs::symlink(&victim, dir.path().join("md/1-a.md")).unwrap();
        std::os::unix::fs::symlink(&victim, dir.path().join("md/2-old.md")).unwrap();
        let staging = stage(dir.path());
        staging.write(&md(1, "1-a.md"), b"new").unwrap();
        let published = staging.publish();
        assert!(published.failed.is_empty());
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
        let meta = fs::symlink_metadata(dir.path().join("md/1-a.md")).unwrap();
        assert!(meta.is_file());
        // A link is not a file smartnotes made: an old-file removal leaves it.
        let removed = staging.remove_old(&[md(2, "2-old.md")]);
        assert_eq!(removed.files, 0);
        assert!(fs::symlink_metadata(dir.path().join("md/2-old.md")).is_ok());
    }

    #[test]
    fn files_staged_by_many_threads_are_all_published_or_discarded() {
        let names = |t: i64| (0..50).map(move |i| (t * 100 + i, format!("{}-x.md", t * 100 + i)));
        let stage_from_threads = |staging: &Staging| {
            std::thread::scope(|scope| {
                for t in 1..=20 {
                    scope.spawn(move || {
                        for (id, name) in names(t) {
                            staging.write(&md(id, &name), name.as_bytes()).unwrap();
                        }
                    });
                }
            });
        };
        let listed = |dir: &Path| {
            let mut names: Vec<_> = fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            names.sort();
            names
        };
        let mut all: Vec<_> = (1..=20).flat_map(|t| names(t).map(|(_, n)| n)).collect();
        all.sort();
        // Into a new folder (one rename), then over it (a rename per file, each booked).
        for round in 0..2 {
            let dir = tempfile::tempdir().unwrap();
            if round == 1 {
                fs::create_dir(dir.path().join("md")).unwrap();
            }
            let staging = stage(dir.path());
            stage_from_threads(&staging);
            let published = staging.publish();
            assert!(published.failed.is_empty());
            assert_eq!(listed(&dir.path().join("md")), all, "round {round}");
        }
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("md")).unwrap();
        let staging = stage(dir.path());
        stage_from_threads(&staging);
        let mut discarded: Vec<_> = staging
            .discard_all()
            .into_iter()
            .map(|(f, _)| f.name)
            .collect();
        discarded.sort();
        assert_eq!(discarded, all);
        assert!(staging.publish().failed.is_empty());
        assert!(
            listed(&dir.path().join("md")).is_empty(),
            "nothing published"
        );
    }

    #[test]
    fn a_folder_at_a_final_name_fails_that_file_alone() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("md/2-b.md")).unwrap();
        let staging = stage(dir.path());
        staging.write(&md(1, "1-a.md"), b"a").unwrap();
        staging.write(&md(2, "2-b.md"), b"b").unwrap();
        let published = staging.publish();
        assert_eq!(published.failed.len(), 1);
        assert_eq!(published.failed[0].file, md(2, "2-b.md"));
        assert_eq!(published.failed[0].bytes, 1);
        assert_eq!(
            fs::read_to_string(dir.path().join("md/1-a.md")).unwrap(),
            "a"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_link_planted_at_a_staged_name_is_not_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let victim = outside.path().join("victim.txt");
        fs::write(&victim, "precious").unwrap();
        let staging = stage(dir.path());
        let staged = dir.path().join(&staging.name).join("md/1-a.md");
        std::os::unix::fs::symlink(&victim, staged).unwrap();
        assert!(staging.write(&md(1, "1-a.md"), b"x").is_err());
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
    }

    #[cfg(unix)]
    #[test]
    fn placed_files_make_their_folders_and_never_pass_a_link_or_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("a")).unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("a/link")).unwrap();
        fs::write(dir.path().join("file"), "mine").unwrap();
        let staging = Staging::new(dir.path(), &[]).unwrap().0;
        let placed = |id, path: &str| OutFile::placed(id, Format::Md, path);
        for (id, path) in [
            (1, "a/b/c/one.md"),
            (2, "a/link/two.md"),
            (3, "file/three.md"),
            (4, "top.md"),
            (5, "a/b/c/five.md"),
        ] {
            staging.write(&placed(id, path), path.as_bytes()).unwrap();
        }
        let published = staging.publish();
        let mut failed: Vec<_> = published
            .failed
            .iter()
            .map(|u| (u.file.note, u.error.to_string()))
            .collect();
        failed.sort();
        assert_eq!(failed.len(), 2, "{failed:?}");
        assert_eq!(failed[0].0, Some(2));
        assert!(failed[0].1.contains("symbolic link"), "{}", failed[0].1);
        assert_eq!(failed[1].0, Some(3));
        for path in ["a/b/c/one.md", "a/b/c/five.md", "top.md"] {
            assert_eq!(fs::read_to_string(dir.path().join(path)).unwrap(), path);
        }
        assert_eq!(fs::read_dir(outside.path()).unwrap().count(), 0);
        assert_eq!(fs::read_to_string(dir.path().join("file")).unwrap(), "mine");
        // Removing old placed files: only regular files, never through the link.
        fs::write(outside.path().join("two.md"), "theirs").unwrap();
        let removed = staging.remove_old(&[
            placed(1, "a/b/c/one.md"),
            placed(2, "a/link/two.md"),
            placed(9, "gone/x.md"),
        ]);
        assert_eq!(removed.files, 1);
        assert_eq!(removed.warnings.len(), 1, "{:?}", removed.warnings);
        assert_eq!(
            fs::read_to_string(outside.path().join("two.md")).unwrap(),
            "theirs"
        );
    }
}
