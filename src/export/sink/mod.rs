//! Where rendered bytes go.
//!
//! A [`Sink`] takes one finished file at a time, by its identity ([`OutFile`]). [`Staging`] is
//! the real one: it writes into a hidden staging folder inside the export folder and publishes
//! with renames at the end, so no file ever appears under its final name half-written.
//! [`Null`] discards (benchmarks that must not measure the disk), [`Recorder`] keeps only names
//! and sizes (dry runs), and [`Faulty`] wraps another sink and fails chosen writes (tests and
//! demos of failure handling).

mod faulty;
mod null;
mod staging;

use std::io::{self, Write};

pub use faulty::FaultKind;
pub(crate) use faulty::Faulty;
pub use null::PlannedFile;
pub(crate) use null::{Null, Recorder};
pub use staging::StagingError;
pub(crate) use staging::{Staging, Unpublished};
// Folder handles that never follow a link, for the attachments' own staging.
pub(crate) use staging::{create, make_folder, remove_regular_file, split, walk};

use super::job::OutFile;

/// A destination for exported files.
///
/// Contract: `write` stores `bytes` as `file` and returns `Ok` only when all of it is stored;
/// on `Err` nothing is visible under the final name. It is called from many threads at once,
/// each with a different file.
pub(crate) trait Sink: Send + Sync {
    /// Stores one file.
    fn write(&self, file: &OutFile, bytes: &[u8]) -> io::Result<()>;

    /// Opens one file to be written as a stream (a bundle), with the same guarantee: its
    /// content counts only once the returned writer is flushed and dropped without error.
    fn open(&self, file: &OutFile) -> io::Result<Box<dyn Write + Send>>;

    /// Forgets a file whose write or stream failed, so that no part of it is ever published.
    fn discard(&self, _file: &OutFile) {}
}

impl<S: Sink + ?Sized> Sink for std::sync::Arc<S> {
    fn write(&self, file: &OutFile, bytes: &[u8]) -> io::Result<()> {
        (**self).write(file, bytes)
    }

    fn open(&self, file: &OutFile) -> io::Result<Box<dyn Write + Send>> {
        (**self).open(file)
    }

    fn discard(&self, file: &OutFile) {
        (**self).discard(file)
    }
}
