//! Where rendered bytes go.
//!
//! A [`Sink`] takes one finished file at a time. [`Staging`] is the real one: it writes into a
//! hidden staging folder inside the export folder and publishes with renames at the end, so no
//! file ever appears under its final name half-written. [`Null`] discards (benchmarks that
//! must not measure the disk), [`Recorder`] keeps only names and sizes (dry runs), and
//! [`Faulty`] wraps another sink and fails chosen writes (tests and demos of failure handling).

mod faulty;
mod null;
mod staging;

use std::io::{self, Write};
use std::path::Path;

pub use faulty::{FaultKind, Faulty, TRANSIENT_ATTEMPTS};
pub use null::{Null, PlannedFile, Recorder};
pub use staging::{Published, STAGING_PREFIX, Staging, StagingError, Unpublished};

/// A destination for exported files.
///
/// Contract: `write` stores `bytes` as the file `rel` (a relative path made by
/// [`crate::export::naming`], never absolute, never with `..`) and returns `Ok` only when all
/// of it is stored; on `Err` nothing is visible under the final name. It is called from many
/// threads at once, each with a different `rel`.
pub trait Sink: Send + Sync {
    /// Stores one file.
    fn write(&self, rel: &Path, bytes: &[u8]) -> io::Result<()>;

    /// Opens one file to be written as a stream (a bundle), with the same guarantee: its
    /// content counts only once the returned writer is flushed and dropped without error.
    fn open(&self, rel: &Path) -> io::Result<Box<dyn Write + Send>>;

    /// Forgets a file whose write or stream failed, so that no part of it is ever published.
    fn discard(&self, _rel: &Path) {}
}

impl<S: Sink + ?Sized> Sink for std::sync::Arc<S> {
    fn write(&self, rel: &Path, bytes: &[u8]) -> io::Result<()> {
        (**self).write(rel, bytes)
    }

    fn open(&self, rel: &Path) -> io::Result<Box<dyn Write + Send>> {
        (**self).open(rel)
    }

    fn discard(&self, rel: &Path) {
        (**self).discard(rel)
    }
}
