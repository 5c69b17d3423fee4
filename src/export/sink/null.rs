//! Sinks that store nothing: the cost of rendering and scheduling without the disk, and the
//! plan of a dry run.

use std::io;
use std::path::PathBuf;
use std::sync::Mutex;

use serde::Serialize;

use super::Sink;
use crate::export::job::OutFile;
use crate::sys::lock;

/// Accepts every write and keeps nothing.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Null;

impl Sink for Null {
    fn write(&self, _file: &OutFile, bytes: &[u8]) -> io::Result<()> {
        std::hint::black_box(bytes);
        Ok(())
    }

    fn open(&self, _file: &OutFile) -> io::Result<Box<dyn io::Write + Send>> {
        Ok(Box::new(io::sink()))
    }
}

/// A file an export would write.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[non_exhaustive]
pub struct PlannedFile {
    /// Relative to the export folder.
    pub path: PathBuf,
    /// Its size. For a bundle, `None`: its bytes are counted by the summary.
    pub bytes: Option<u64>,
}

/// Keeps the name and size of every write, and none of the bytes: `export --dry-run`.
#[derive(Debug, Default)]
pub(crate) struct Recorder {
    files: Mutex<Vec<PlannedFile>>,
}

impl Recorder {
    /// Every file written so far, by path.
    pub(crate) fn take(&self) -> Vec<PlannedFile> {
        let mut files = std::mem::take(&mut *lock(&self.files));
        files.sort();
        files
    }
}

impl Sink for Recorder {
    fn write(&self, file: &OutFile, bytes: &[u8]) -> io::Result<()> {
        lock(&self.files).push(PlannedFile {
            path: file.path(),
            bytes: Some(bytes.len() as u64),
        });
        Ok(())
    }

    fn open(&self, file: &OutFile) -> io::Result<Box<dyn io::Write + Send>> {
        lock(&self.files).push(PlannedFile {
            path: file.path(),
            bytes: None,
        });
        Ok(Box::new(io::sink()))
    }
}
