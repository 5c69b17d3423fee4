//! Attachments at export: the files the exported notes use, written beside them once each,
//! crash-safe, incremental and in bounded memory.
//!
//! Where each goes is [`attachment_path`]: its remembered path in the vault layout (a vault
//! comes back as it was), `attachments/<name>` in the others, with the first 8 hex digits of
//! its hash before the extension when attachments with other bytes share the name
//! (`attachments/photo-1a2b3c4d.png`). The step runs after the notes are published, under the
//! same lock on the export folder:
//!
//! 1. the attachments of the exported notes are listed from the export's snapshot (each once,
//!    however many notes use it; two attachments at one export path with the same bytes are
//!    one file);
//! 2. with `--incremental`, one whose path and hash the attachments' manifest
//!    (`<out>/.smartnotes-attachments.json`) lists, and whose file is still there as a regular
//!    file, is unchanged: neither read from the notebook nor written, and its file is not
//!    read either (the hashes compared are the notebook's and the manifest's); with `--verify`
//!    the file is read and hashed too;
//! 3. the manifest is rewritten without the entries of the files about to change (a plain
//!    export removes it), as the notes' manifest is (see `incremental.rs`);
//! 4. each attachment to write is copied from the notebook, 64 KiB at a time, into a file
//!    created exclusively in a staging folder of its own (`.smartnotes-staging-<pid>-
//!    attachments`, removed by the next export after a crash), then renamed into place
//!    through folder handles that never follow a link (`sink/staging.rs`); with `--prune`,
//!    files the manifest lists that no exported note uses any more are removed (regular files
//!    only);
//! 5. the new manifest is written (incremental exports only).
//!
//! A failure (the notebook's bytes unreadable, a folder or a link where a folder must be) is
//! a warning naming the file, so the export exits 1; the other attachments are written.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};

use rustix::fs::{AtFlags, Mode, OFlags};
use serde::{Deserialize, Serialize};

use super::config::{ExportConfig, Layout};
use super::manifest::read_no_link;
use super::naming::STAGING_PREFIX;
use super::sink::{PlannedFile, Staging, create, make_folder, remove_regular_file, split, walk};
use super::source::Reader;
use crate::links::resolve::key;
use crate::store::{AttachmentRef, attachment_path_problem};

/// The folder attachments go in, in the layouts other than the vault.
pub const ATTACHMENTS_FOLDER: &str = "attachments";

/// The attachments' manifest, in the export folder.
pub(crate) const ATTACHMENT_MANIFEST: &str = ".smartnotes-attachments.json";

const MANIFEST_VERSION: u32 = 1;

/// Where the attachments of one export go: the layout, and the names that attachments with
/// other bytes share (those get the hash in their name).
#[derive(Clone, Debug)]
pub struct AttachmentLayout {
    layout: Layout,
    shared: HashSet<String>,
}

impl AttachmentLayout {
    /// The placement of `attachments`, the ones an export writes, in `layout`.
    pub fn new(layout: Layout, attachments: &[AttachmentRef]) -> Self {
        let mut hashes: HashMap<&str, HashSet<[u8; 32]>> = HashMap::new();
        for a in attachments {
            hashes.entry(&a.name).or_default().insert(a.hash);
        }
        let shared = (hashes.into_iter())
            .filter(|(_, h)| h.len() > 1)
            .map(|(name, _)| name.to_owned())
            .collect();
        AttachmentLayout { layout, shared }
    }

    /// The layout.
    pub fn layout(&self) -> Layout {
        self.layout
    }
}

/// Where `attachment` goes, relative to `--out`: its remembered path in the vault layout,
/// `attachments/<name>` in the others, with the first 8 hex digits of its hash before the
/// extension when attachments with other bytes in the same export share its name.
pub fn attachment_path(layout: &AttachmentLayout, attachment: &AttachmentRef) -> PathBuf {
    if layout.layout == Layout::Vault {
        return attachment.path.split('/').collect();
    }
    let name = &attachment.name;
    if !layout.shared.contains(name) {
        return [ATTACHMENTS_FOLDER, name].iter().collect();
    }
    let short = &attachment.hex()[..8];
    let named = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => format!("{stem}-{short}.{ext}"),
        _ => format!("{name}-{short}"),
    };
    [ATTACHMENTS_FOLDER, named.as_str()].iter().collect()
}

/// What the attachments step did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AttachmentsDone {
    /// Attachments of the exported notes.
    pub attachments: u64,
    /// Files written (or, in a dry run, to write).
    pub written: u64,
    /// Bytes in them.
    pub bytes: u64,
    /// Incremental: files already up to date, neither read nor written.
    pub unchanged: u64,
    /// Files that could not be written; each is a warning.
    pub failed: u64,
    /// `--prune`: files of attachments no exported note uses any more, removed.
    pub removed: u64,
}

/// The attachments' side of one export's outcome.
#[derive(Debug, Default)]
pub(crate) struct Attached {
    pub(crate) done: AttachmentsDone,
    pub(crate) warnings: Vec<String>,
    pub(crate) planned: Vec<PlannedFile>,
}

/// The attachments of the exported notes, by export path, each path once (two attachments
/// with the same bytes at one path are one file); a path two attachments with other bytes
/// would share is a warning, and the first in path order is written.
fn planned(
    reader: &Reader<'_>,
    layout: Layout,
    warnings: &mut Vec<String>,
) -> Result<BTreeMap<String, AttachmentRef>, String> {
    let list = reader
        .attachments()
        .map_err(|e| format!("cannot list the attachments: {e}"))?;
    let placement = AttachmentLayout::new(layout, &list);
    let mut by_path: BTreeMap<String, AttachmentRef> = BTreeMap::new();
    for a in list {
        let path = attachment_path(&placement, &a)
            .to_string_lossy()
            .into_owned();
        match by_path.get(&path) {
            Some(first) if first.hash != a.hash => warnings.push(format!(
                "the attachments {:?} and {:?} would both be written at {path}: only the first is",
                first.path, a.path
            )),
            Some(_) => {}
            None => {
                by_path.insert(path, a);
            }
        }
    }
    Ok(by_path)
}

/// Writes the attachments of the notes `reader` exports into `staging`'s export folder (or,
/// with no staging and a dry run, lists them); see the module docs.
/// `notes` holds the paths the notes' files took, by [`key`]: an attachment never takes one.
pub(crate) fn export(
    reader: &Reader<'_>,
    config: &ExportConfig,
    staging: Option<&Staging>,
    notes: &HashSet<String>,
) -> Attached {
    let mut attached = Attached::default();
    let by_path = match planned(reader, config.layout, &mut attached.warnings) {
        Ok(mut by_path) => {
            by_path.retain(|path, a| {
                let free = !notes.contains(&key(path));
                if !free {
                    attached.done.failed += 1;
                    attached.warnings.push(format!(
                        "the attachment {:?} is not written: a note's file takes {path}",
                        a.path
                    ));
                }
                free
            });
            by_path
        }
        Err(warning) => {
            attached.warnings.push(warning);
            return attached;
        }
    };
    attached.done.attachments = by_path.len() as u64;
    match staging {
        Some(staging) => Writer::new(reader, config, staging, &mut attached).run(by_path),
        None if config.dry_run => {
            for (path, a) in by_path {
                attached.done.written += 1;
                attached.done.bytes += a.size;
                attached.planned.push(PlannedFile {
                    path: PathBuf::from(path),
                    bytes: Some(a.size),
                });
            }
        }
        None => {}
    }
    attached
}

/// The attachments' manifest: the path and hash of every attachment file an incremental
/// export left in place.
#[derive(Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
struct Manifest {
    version: u32,
    layout: String,
    /// Path relative to the export folder -> BLAKE3 of the bytes there, in hex.
    files: BTreeMap<String, String>,
}

struct Writer<'a, 'r> {
    reader: &'a Reader<'r>,
    config: &'a ExportConfig,
    out_dir: &'a fs::File,
    attached: &'a mut Attached,
}

impl<'a, 'r> Writer<'a, 'r> {
    fn new(
        reader: &'a Reader<'r>,
        config: &'a ExportConfig,
        staging: &'a Staging,
        attached: &'a mut Attached,
    ) -> Self {
        Writer {
            reader,
            config,
            out_dir: staging.out_dir(),
            attached,
        }
    }

    fn warn(&mut self, path: &str, what: impl std::fmt::Display) {
        self.attached.done.failed += 1;
        (self.attached.warnings).push(format!(
            "cannot write the attachment {}: {what}",
            self.config.out.join(path).display()
        ));
    }

    fn run(mut self, by_path: BTreeMap<String, AttachmentRef>) {
        let old = match self.config.incremental {
            true => self.read_manifest(),
            false => {
                if let Err(e) = remove_manifest(&self.config.out) {
                    (self.attached.warnings)
                        .push(format!("cannot remove {ATTACHMENT_MANIFEST}: {e}"));
                    return;
                }
                None
            }
        };
        let old_files = old.as_ref().map(|m| m.files.clone()).unwrap_or_default();
        let mut todo = Vec::new();
        let mut now = BTreeMap::new();
        for (path, a) in by_path {
            if let Some(problem) = export_path_problem(&path) {
                self.warn(&path, problem);
            } else if old_files.get(&path) == Some(&a.hex()) && self.still_there(&path, &a) {
                self.attached.done.unchanged += 1;
                now.insert(path, a.hex());
            } else {
                todo.push((path, a));
            }
        }
        let gone: Vec<String> = match self.config.prune {
            true => (old_files.keys())
                .filter(|p| !now.contains_key(*p) && !todo.iter().any(|(t, _)| t == *p))
                .cloned()
                .collect(),
            false => Vec::new(),
        };
        if todo.is_empty() && gone.is_empty() {
            // Nothing changes: the manifest is rewritten only if it lists files no longer
            // exported (and not pruned, so kept), never made where there are no attachments.
            if old.is_some_and(|m| m.files != self.final_files(&old_files, &now, &gone)) {
                self.write_manifest(&old_files, &now, &gone);
            }
            return;
        }
        // Before anything changes: no entry may vouch for a file about to be replaced.
        if self.config.incremental && old.is_some() {
            let mut before = old_files.clone();
            for (path, _) in &todo {
                before.remove(path);
            }
            if let Err(e) = write_manifest(&self.config.out, self.config.layout, &before) {
                for (path, _) in &todo {
                    self.warn(
                        path,
                        format!("cannot update {ATTACHMENT_MANIFEST} first: {e}"),
                    );
                }
                return;
            }
        }
        for (path, a) in self.publish(todo) {
            now.insert(path, a.hex());
        }
        self.prune(&gone);
        if self.config.incremental {
            self.write_manifest(&old_files, &now, &gone);
        }
    }

    /// Writes the final manifest ([`Writer::final_files`]); a failure is a warning.
    fn write_manifest(
        &mut self,
        old: &BTreeMap<String, String>,
        now: &BTreeMap<String, String>,
        gone: &[String],
    ) {
        let files = self.final_files(old, now, gone);
        if let Err(e) = write_manifest(&self.config.out, self.config.layout, &files) {
            (self.attached.warnings).push(format!("cannot write {ATTACHMENT_MANIFEST}: {e}"));
        }
    }

    /// The entries of the new manifest: the files in place now and, without `--prune`, the
    /// old entries of files this export did not touch.
    fn final_files(
        &self,
        old: &BTreeMap<String, String>,
        now: &BTreeMap<String, String>,
        gone: &[String],
    ) -> BTreeMap<String, String> {
        let mut files = now.clone();
        for (path, hash) in old {
            if !gone.contains(path) && !files.contains_key(path) && !self.config.prune {
                files.insert(path.clone(), hash.clone());
            }
        }
        files
    }

    fn read_manifest(&self) -> Option<Manifest> {
        let bytes = read_no_link(&self.config.out.join(ATTACHMENT_MANIFEST)).ok()?;
        let manifest: Manifest = serde_json::from_slice(&bytes).ok()?;
        let trusted = manifest.version == MANIFEST_VERSION
            && manifest.layout == self.config.layout.name()
            && manifest
                .files
                .keys()
                .all(|p| export_path_problem(p).is_none());
        trusted.then_some(manifest)
    }

    /// Whether the file at `path` is still a regular file, and with `--verify` still holds the
    /// bytes of `a`. Without `--verify` none of its bytes are read.
    fn still_there(&self, path: &str, a: &AttachmentRef) -> bool {
        let (dir, name) = split(path);
        let Ok(folder) = walk(self.out_dir, dir, false) else {
            return false;
        };
        let Ok(stat) = rustix::fs::statat(&folder, name, AtFlags::SYMLINK_NOFOLLOW) else {
            return false;
        };
        if rustix::fs::FileType::from_raw_mode(stat.st_mode) != rustix::fs::FileType::RegularFile
            || stat.st_size as u64 != a.size
        {
            return false;
        }
        !self.config.verify || same_bytes(&folder, name, &a.hash)
    }

    /// Stages every attachment of `todo` and moves it into place; those published.
    fn publish(&mut self, todo: Vec<(String, AttachmentRef)>) -> Vec<(String, AttachmentRef)> {
        let stage_name = format!("{STAGING_PREFIX}{}-attachments", std::process::id());
        let stage = match make_folder(self.out_dir, &stage_name) {
            Ok(stage) => stage,
            Err(e) => {
                for (path, _) in &todo {
                    self.warn(path, format!("cannot make the staging folder: {e}"));
                }
                return Vec::new();
            }
        };
        let mut published = Vec::new();
        for (i, (path, a)) in todo.into_iter().enumerate() {
            let staged = i.to_string();
            let result = self
                .stage(&stage, &staged, &a)
                .and_then(|()| self.move_into_place(&stage, &staged, &path));
            match result {
                Ok(()) => {
                    self.attached.done.written += 1;
                    self.attached.done.bytes += a.size;
                    published.push((path, a));
                }
                Err(e) => {
                    let _ = rustix::fs::unlinkat(&stage, staged.as_str(), AtFlags::empty());
                    self.warn(&path, e);
                }
            }
        }
        let _ = fs::remove_dir_all(self.config.out.join(&stage_name));
        published
    }

    /// Copies `a` from the notebook into the new file `staged` of `stage`, 64 KiB at a time.
    fn stage(&self, stage: &OwnedFd, staged: &str, a: &AttachmentRef) -> io::Result<()> {
        let mut file = create(stage, staged)?;
        let copied = self.reader.copy_attachment(a, &mut file)?;
        if copied != a.size {
            return Err(io::Error::other(format!(
                "the notebook holds {copied} bytes for it, {} expected",
                a.size
            )));
        }
        file.flush()
    }

    /// Renames `staged` to `path` (relative to the export folder), making its folders, never
    /// through a link: a link at the final name is replaced, not followed.
    fn move_into_place(&self, stage: &OwnedFd, staged: &str, path: &str) -> io::Result<()> {
        let (dir, name) = split(path);
        let target = walk(self.out_dir, dir, true).map_err(|e| {
            io::Error::new(
                io::Error::from(e).kind(),
                format!(
                    "{} is or passes a symbolic link or a file where a folder must be; smartnotes \
                     never writes through links out of the output folder",
                    self.config.out.join(dir).display()
                ),
            )
        })?;
        rustix::fs::renameat(stage, staged, &target, name).map_err(io::Error::from)
    }

    /// `--prune`: removes the files of `gone` (regular files only, never through a link).
    fn prune(&mut self, gone: &[String]) {
        for path in gone {
            let (dir, name) = split(path);
            let result = match walk(self.out_dir, dir, false) {
                Ok(folder) => remove_regular_file(folder, name),
                Err(rustix::io::Errno::NOENT) => Ok(false),
                Err(e) => Err(io::Error::from(e)),
            };
            match result {
                Ok(true) => self.attached.done.removed += 1,
                Ok(false) => {}
                Err(e) => self.attached.warnings.push(format!(
                    "cannot remove the old attachment {}: {e}",
                    self.config.out.join(path).display()
                )),
            }
        }
    }
}

/// Why `path` (relative to the export folder) cannot be written, if it cannot: what
/// [`attachment_path_problem`] refuses, and smartnotes' own bookkeeping names at the top.
fn export_path_problem(path: &str) -> Option<&'static str> {
    if let Some(problem) = attachment_path_problem(path) {
        return Some(problem);
    }
    path.starts_with(".smartnotes-")
        .then_some("its name is one of smartnotes' bookkeeping files")
}

/// Whether `name` in `folder` holds bytes whose BLAKE3 is `hash` (`--verify`).
fn same_bytes(folder: impl AsFd, name: &str, hash: &[u8; 32]) -> bool {
    let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NONBLOCK;
    let Ok(fd) = rustix::fs::openat(folder, name, flags, Mode::empty()) else {
        return false;
    };
    let mut file = fs::File::from(fd);
    let mut hasher = blake3::Hasher::new();
    let mut buf = vec![0u8; 64 << 10];
    loop {
        match file.read(&mut buf) {
            Ok(0) => return hasher.finalize().as_bytes() == hash,
            Ok(n) => {
                hasher.update(&buf[..n]);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
}

/// Writes the attachments' manifest atomically: a temporary file created exclusively (with
/// the staging prefix, so a crash leaves nothing the next export does not remove), synced,
/// renamed over the old one.
fn write_manifest(out: &Path, layout: Layout, files: &BTreeMap<String, String>) -> io::Result<()> {
    let manifest = Manifest {
        version: MANIFEST_VERSION,
        layout: layout.name().to_owned(),
        files: files.clone(),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!("{STAGING_PREFIX}attachments-"))
        .tempfile_in(out)?;
    serde_json::to_writer(io::BufWriter::new(tmp.as_file_mut()), &manifest)?;
    tmp.as_file().sync_all()?;
    tmp.persist(out.join(ATTACHMENT_MANIFEST))
        .map_err(|e| e.error)?;
    Ok(())
}

/// Removes the attachments' manifest (a link at its name is removed, never followed).
fn remove_manifest(out: &Path) -> io::Result<()> {
    match fs::remove_file(out.join(ATTACHMENT_MANIFEST)) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(id: i64, path: &str, byte: u8) -> AttachmentRef {
        AttachmentRef {
            id,
            hash: [byte; 32],
            name: path.rsplit('/').next().unwrap().to_owned(),
            path: path.to_owned(),
            size: 1,
        }
    }

    #[test]
    fn a_name_gets_the_hash_only_when_other_bytes_share_it() {
        let list = [
            a(1, "img/photo.png", 0x1a),
            a(2, "old/photo.png", 0x2b),
            a(3, "same/logo.svg", 7),
            a(4, "copy/logo.svg", 7),
            a(5, "README", 1),
            a(6, "x/README", 2),
        ];
        let files = AttachmentLayout::new(Layout::Files, &list);
        let paths: Vec<_> = list.iter().map(|x| attachment_path(&files, x)).collect();
        assert_eq!(
            paths,
            [
                "attachments/photo-1a1a1a1a.png",
                "attachments/photo-2b2b2b2b.png",
                "attachments/logo.svg",
                "attachments/logo.svg",
                "attachments/README-01010101",
                "attachments/README-02020202",
            ]
            .map(PathBuf::from)
        );
        let vault = AttachmentLayout::new(Layout::Vault, &list);
        assert_eq!(
            attachment_path(&vault, &list[1]),
            PathBuf::from("old/photo.png")
        );
        let alone = AttachmentLayout::new(Layout::Bundle, &list[..1]);
        assert_eq!(
            attachment_path(&alone, &list[0]),
            PathBuf::from("attachments/photo.png")
        );
    }

    #[test]
    fn bookkeeping_names_and_escaping_paths_are_refused() {
        assert!(export_path_problem(".smartnotes-attachments.json").is_some());
        assert!(export_path_problem("../x.png").is_some());
        assert!(export_path_problem("/etc/x").is_some());
        assert!(export_path_problem("a//b.png").is_some());
        assert_eq!(export_path_problem("a/.smartnotes-x/b.png"), None);
        assert_eq!(export_path_problem("img/a b.png"), None);
    }
}
