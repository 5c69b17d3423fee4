//! The format folders of an incremental export as [`super::incremental`] sees them: which of
//! their files are there ([`list`]), and a [`FolderState`] that says a folder's entries have not
//! changed since it was taken, so that a re-export need not list the folder again.
//!
//! A listing reads the folder's entries with `getdents64` into one buffer (rustix's
//! [`RawDir`]), with no allocation per entry: only the names that can be a note's file are
//! kept. Listing three folders of 100,000 files is still most of the time of an unchanged
//! re-export, nearly all of it in the kernel (tmpfs spent 0.17 s of 0.35 s of CPU there), so
//! an unchanged folder is not listed at all.
//!
//! A folder's state is its device, inode, size, link count, modification and change time.
//! Creating, removing or renaming an entry in a folder (a file deleted by hand, a file
//! replaced by a folder or a link) sets its modification and change time to the current time;
//! the change time no program can set back (only the system clock can). So a folder whose
//! state equals the one recorded with the manifest, when the manifest's files were all there,
//! still holds them. The state is trusted only:
//! - on a file system known to keep timestamps in nanoseconds from the kernel's clock (tmpfs,
//!   ext2/3/4, XFS, Btrfs, F2FS), and with timestamps that are not whole seconds (an ext3
//!   inode too small for nanoseconds); anywhere else the folder is listed every time;
//! - when taken after the coarse clock (the one the kernel stamps files with) passed the
//!   folder's times ([`settled`]): a change in the same clock tick as the last one would keep
//!   the times as they were (the "racy" case of git's index). Waiting for that costs at most
//!   a tick (1-10 ms), and only in a run that changed the folder.

use std::ffi::CStr;
use std::io;
use std::mem::MaybeUninit;
use std::os::fd::OwnedFd;
use std::path::Path;

use rustix::fs::{AtFlags, CWD, FileType, Mode, OFlags, RawDir};
use serde::{Deserialize, Serialize};

use crate::format::Format;

/// What says a folder's entries did not change: see the module docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct FolderState {
    dev: u64,
    ino: u64,
    size: u64,
    nlink: u64,
    mtime: (i64, u32),
    ctime: (i64, u32),
}

/// The file systems whose timestamps are kept in nanoseconds and taken from the kernel's clock
/// (`statfs` magic numbers): tmpfs, ext2/3/4, XFS, Btrfs, F2FS.
const TRUSTED_FILE_SYSTEMS: [u64; 5] = [0x0102_1994, 0xEF53, 0x5846_5342, 0x9123_683E, 0xF2F5_2010];

/// How long [`settled`] waits at most for the clock to pass a folder's times.
const SETTLE_TRIES: u32 = 100;

/// Opens the folder `dir` for listing and taking its state; a symbolic link at its name is
/// refused (`O_NOFOLLOW`), as is anything but a folder.
pub(crate) fn open(dir: &Path) -> io::Result<OwnedFd> {
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    Ok(rustix::fs::openat(CWD, dir, flags, Mode::empty())?)
}

/// The state of the open folder `fd` now, if its file system can be trusted with it.
pub(crate) fn state(fd: &OwnedFd) -> Option<FolderState> {
    let fs_type = rustix::fs::fstatfs(fd).ok()?.f_type as u64;
    if !TRUSTED_FILE_SYSTEMS.contains(&(fs_type & 0xFFFF_FFFF)) {
        return None;
    }
    let st = rustix::fs::fstat(fd).ok()?;
    let state = FolderState {
        dev: st.st_dev,
        ino: st.st_ino,
        size: st.st_size as u64,
        nlink: st.st_nlink,
        mtime: (st.st_mtime, st.st_mtime_nsec as u32),
        ctime: (st.st_ctime, st.st_ctime_nsec as u32),
    };
    // Whole seconds: a file system that keeps no nanoseconds for this folder.
    (state.mtime.1 != 0 || state.ctime.1 != 0).then_some(state)
}

/// The state of `fd` once the coarse clock has passed its times, so that any later change
/// of the folder gives it other times; `None` if that cannot be had (see the module docs).
pub(crate) fn settled(fd: &OwnedFd) -> Option<FolderState> {
    for _ in 0..SETTLE_TRIES {
        // Read before the state: every change after it is stamped at this time or later.
        let now = rustix::time::clock_gettime(rustix::time::ClockId::RealtimeCoarse);
        let now = (now.tv_sec, now.tv_nsec as u32);
        let state = state(fd)?;
        if state.mtime < now && state.ctime < now {
            return Some(state);
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    None
}

/// The files of the open folder `fd` that can be generated names of `format`, with the note
/// each belongs to, sorted by id then name; and the folder's state for which that listing
/// holds, if it has one ([`settled`] before, unchanged after). A listing that fails half-way
/// lists what it read: files it missed are only written again.
pub(crate) fn list(fd: &OwnedFd, format: Format) -> (Vec<(i64, String)>, Option<FolderState>) {
    let before = settled(fd);
    let mut names = Vec::new();
    let mut buf = vec![MaybeUninit::<u8>::uninit(); 1 << 16];
    let mut entries = RawDir::new(fd, &mut buf);
    while let Some(entry) = entries.next() {
        let Ok(entry) = entry else { break };
        let name = entry.file_name();
        let Some((id, name)) = note_file(name, format) else {
            continue;
        };
        if is_file(fd, entry.file_type(), entry.file_name()) {
            names.push((id, name.to_owned()));
        }
    }
    names.sort_unstable();
    let after = state(fd);
    (names, before.filter(|b| Some(*b) == after))
}

/// The note id and name of a listed `name` that can be a generated name of `format`.
fn note_file(name: &CStr, format: Format) -> Option<(i64, &str)> {
    let name = name.to_str().ok()?;
    Some((listed_id(name, format)?, name))
}

/// Whether the entry `name` of `dir` is a regular file; the type comes with the listing on
/// most file systems, and is asked for (never following a link) where it does not.
fn is_file(dir: &OwnedFd, listed: FileType, name: &CStr) -> bool {
    match listed {
        FileType::Unknown => rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW)
            .is_ok_and(|st| FileType::from_raw_mode(st.st_mode) == FileType::RegularFile),
        other => other == FileType::RegularFile,
    }
}

/// The note id a listed file name starts with, if it can be a generated name of `format`
/// (`<id>-....<ext>` or `note_<id>.<ext>`). Only a quick sieve: a listed name counts only when
/// it equals the name of a manifest entry, and those were checked to be generated names when
/// the manifest was read, so the slug is not checked again here.
fn listed_id(name: &str, format: Format) -> Option<i64> {
    let stem = name.strip_suffix(format.extension())?.strip_suffix('.')?;
    let digits = match stem.strip_prefix("note_") {
        Some(id) => id,
        None => stem.split_once('-')?.0,
    };
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::os::unix::ffi::OsStrExt;

    #[test]
    fn a_listing_keeps_only_regular_files_with_note_names_whatever_bytes_the_others_hold() {
        let dir = tempfile::tempdir().unwrap();
        let md = dir.path();
        let weird: &[&[u8]] = &[
            b"12-\xff\xfe.md",
            b"13-a\nb.md",
            b"14-tab\there.md",
            b"x\x01y.md",
            b"-1-a.md",
            b"99999999999999999999-a.md",
            b"15-a.md.tmp",
            b".16-a.md",
        ];
        for name in weird {
            fs::write(md.join(std::ffi::OsStr::from_bytes(name)), "x").unwrap();
        }
        let long = format!("17-{}.md", "é".repeat(120));
        fs::write(md.join(&long), "x").unwrap();
        fs::write(md.join("2-b.md"), "x").unwrap();
        fs::write(md.join("note_3.md"), "x").unwrap();
        fs::create_dir(md.join("4-a-folder.md")).unwrap();
        std::os::unix::fs::symlink(md.join("2-b.md"), md.join("5-a-link.md")).unwrap();
        let fd = open(md).unwrap();
        let (names, _) = list(&fd, Format::Md);
        // `-1-a.md` and the 20-digit id are no note's: no id parses.
        let want: Vec<(i64, String)> = vec![
            (2, "2-b.md".into()),
            (3, "note_3.md".into()),
            (13, "13-a\nb.md".into()),
            (14, "14-tab\there.md".into()),
            (17, long),
        ];
        assert_eq!(names, want);
        assert_eq!(list(&fd, Format::Json).0, []);
    }

    #[test]
    fn a_listing_of_many_files_misses_none() {
        let dir = tempfile::tempdir().unwrap();
        // Far more than one buffer of entries (64 KiB holds about 1,500 of these).
        let mut want: Vec<(i64, String)> = (1..=20_000)
            .map(|id| (id, format!("{id}-a-title-of-some-length-{id}.csv")))
            .collect();
        for (_, name) in &want {
            fs::write(dir.path().join(name), "").unwrap();
        }
        fs::write(dir.path().join("notes.csv"), "").unwrap();
        want.sort();
        let (names, _) = list(&open(dir.path()).unwrap(), Format::Csv);
        assert_eq!(names, want);
    }

    #[test]
    fn a_folder_or_link_is_opened_only_as_a_folder() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("real")).unwrap();
        fs::write(dir.path().join("file"), "").unwrap();
        std::os::unix::fs::symlink(dir.path().join("real"), dir.path().join("link")).unwrap();
        assert!(open(&dir.path().join("real")).is_ok());
        assert!(open(&dir.path().join("link")).is_err());
        assert!(open(&dir.path().join("file")).is_err());
    }

    #[test]
    fn a_settled_state_is_older_than_the_clock_even_right_after_a_change() {
        let dir = tempfile::tempdir().unwrap();
        let fd = open(dir.path()).unwrap();
        for i in 0..20 {
            fs::write(dir.path().join(format!("{i}-a.md")), "").unwrap();
            let state = settled(&fd).unwrap();
            let now = rustix::time::clock_gettime(rustix::time::ClockId::RealtimeCoarse);
            let now = (now.tv_sec, now.tv_nsec as u32);
            assert!(
                state.ctime < now && state.mtime < now,
                "{state:?} at {now:?}"
            );
        }
    }

    /// Where the state can be had (the tests' folders are on tmpfs or a local disk): every
    /// change of an entry, right after the state was taken, changes it.
    #[test]
    fn every_change_of_an_entry_changes_the_settled_state_even_in_the_same_tick() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let fd = open(d).unwrap();
        let Some(_) = state(&fd) else {
            panic!("no folder state on the file system of {}", d.display());
        };
        fs::write(d.join("1-a.md"), "x").unwrap();
        type Change = fn(&Path);
        let changes: [(&str, Change); 6] = [
            ("delete", |d| fs::remove_file(d.join("1-a.md")).unwrap()),
            ("create", |d| fs::write(d.join("1-a.md"), "x").unwrap()),
            ("rename", |d| {
                fs::rename(d.join("1-a.md"), d.join("1-b.md")).unwrap()
            }),
            ("to a folder", |d| {
                fs::remove_file(d.join("1-b.md")).unwrap();
                fs::create_dir(d.join("1-b.md")).unwrap();
            }),
            ("to a link", |d| {
                fs::remove_dir(d.join("1-b.md")).unwrap();
                std::os::unix::fs::symlink("x", d.join("1-b.md")).unwrap();
            }),
            ("a foreign file", |d| {
                fs::write(d.join("mine.txt"), "").unwrap()
            }),
        ];
        for (what, change) in changes {
            let before = settled(&fd).unwrap();
            assert_eq!(state(&fd), Some(before), "{what}: nothing changed yet");
            change(d);
            assert_ne!(state(&fd), Some(before), "{what}");
        }
        // Writing a file's bytes is no change of the folder (only --verify sees it).
        let before = settled(&fd).unwrap();
        fs::write(d.join("mine.txt"), "more").unwrap();
        assert_eq!(state(&fd), Some(before));
    }
}
