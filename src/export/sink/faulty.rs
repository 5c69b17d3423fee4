//! A sink that fails some writes on purpose, the same ones every run.
//!
//! Whether a file fails depends only on the seed and its path (a BLAKE3 hash of both), not on
//! timing or order, so every strategy fails the same jobs and tests can name them in advance.
//! A fault is one of three kinds ([`FaultKind`]): a permanent error, a full disk (ENOSPC), or a
//! transient error that goes away after [`TRANSIENT_ATTEMPTS`] failed attempts at that file,
//! which is what the export's retry limit ([`crate::export::ExportConfig::retry_limit`]) is
//! for.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::Sink;
use crate::export::job::OutFile;
use crate::sys::lock;

/// How many attempts at a file a transient fault fails before the write goes through: three
/// retries are enough, none is not.
pub(crate) const TRANSIENT_ATTEMPTS: u32 = 2;

/// What an injected fault looks like.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[non_exhaustive]
#[serde(rename_all = "kebab-case")]
pub enum FaultKind {
    /// An error that no retry cures (`ErrorKind::Other`).
    #[default]
    Permanent,
    /// A full disk: ENOSPC (`ErrorKind::StorageFull`), permanent too.
    NoSpace,
    /// `ErrorKind::Interrupted` for the first two attempts at a file, then
    /// success.
    Transient,
}

/// Wraps a sink and fails a fraction of its writes with an I/O error.
#[derive(Debug)]
pub(crate) struct Faulty<S> {
    inner: S,
    rate: f64,
    seed: u64,
    kind: FaultKind,
    // Attempts so far at each failing file, for transient faults.
    attempts: Mutex<HashMap<PathBuf, u32>>,
}

impl<S: Sink> Faulty<S> {
    /// Fails about `rate` (0.0 to 1.0) of the writes to `inner`, chosen by `seed`, with
    /// faults of `kind`.
    pub(crate) fn new(inner: S, rate: f64, seed: u64, kind: FaultKind) -> Self {
        Faulty {
            inner,
            rate: rate.clamp(0.0, 1.0),
            seed,
            kind,
            attempts: Mutex::new(HashMap::new()),
        }
    }

    /// The error for this attempt at `rel`, if it is one that fails.
    fn fault(&self, rel: &Path) -> Option<io::Error> {
        if !self.fails(rel) {
            return None;
        }
        match self.kind {
            FaultKind::Permanent => Some(io::Error::other("injected fault (--fail-rate)")),
            // ENOSPC: the error a full disk gives.
            FaultKind::NoSpace => Some(io::Error::from_raw_os_error(28)),
            FaultKind::Transient => {
                let mut attempts = lock(&self.attempts);
                let n = attempts.entry(rel.to_path_buf()).or_insert(0);
                *n += 1;
                (*n <= TRANSIENT_ATTEMPTS).then(|| {
                    io::Error::new(
                        io::ErrorKind::Interrupted,
                        "injected transient fault (--fail-kind transient)",
                    )
                })
            }
        }
    }

    /// Whether the write of `rel` is one that fails.
    pub(crate) fn fails(&self, rel: &Path) -> bool {
        let mut hasher = blake3::Hasher::new();
        hasher.update(&self.seed.to_le_bytes());
        hasher.update(rel.as_os_str().as_encoded_bytes());
        let mut word = [0u8; 8];
        word.copy_from_slice(&hasher.finalize().as_bytes()[..8]);
        (u64::from_le_bytes(word) as f64 / u64::MAX as f64) < self.rate
    }
}

impl<S: Sink> Sink for Faulty<S> {
    fn write(&self, file: &OutFile, bytes: &[u8]) -> io::Result<()> {
        if let Some(e) = self.fault(&file.path()) {
            return Err(e);
        }
        self.inner.write(file, bytes)
    }

    fn open(&self, file: &OutFile) -> io::Result<Box<dyn io::Write + Send>> {
        if let Some(e) = self.fault(&file.path()) {
            return Err(e);
        }
        self.inner.open(file)
    }

    fn discard(&self, file: &OutFile) {
        self.inner.discard(file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::sink::Null;
    use crate::format::Format;

    fn md(id: i64) -> OutFile {
        OutFile {
            note: Some(id),
            format: Format::Md,
            name: format!("{id}.md"),
            placed: false,
        }
    }

    #[test]
    fn the_same_files_fail_every_time_at_about_the_rate() {
        let permanent = |rate| Faulty::new(Null, rate, 9, FaultKind::Permanent);
        let sink = permanent(0.3);
        let files: Vec<OutFile> = (0..2000).map(md).collect();
        let fails = |s: &Faulty<Null>| files.iter().filter(|f| s.fails(&f.path())).count();
        let n = fails(&sink);
        assert_eq!(n, fails(&permanent(0.3)));
        assert!((450..750).contains(&n), "{n} of 2000 at rate 0.3");
        assert_eq!(fails(&permanent(0.0)), 0);
        assert_eq!(fails(&permanent(1.0)), 2000);
        let failing = files.iter().find(|f| sink.fails(&f.path())).unwrap();
        let passing = files.iter().find(|f| !sink.fails(&f.path())).unwrap();
        assert!(sink.write(failing, b"x").is_err());
        assert!(sink.write(passing, b"x").is_ok());
    }

    #[test]
    fn transient_faults_clear_after_a_few_attempts_and_no_space_is_enospc() {
        let sink = Faulty::new(Null, 1.0, 1, FaultKind::Transient);
        let p = md(1);
        for _ in 0..TRANSIENT_ATTEMPTS {
            let e = sink.write(&p, b"x").unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::Interrupted);
        }
        assert!(sink.write(&p, b"x").is_ok());
        let full = Faulty::new(Null, 1.0, 1, FaultKind::NoSpace);
        let e = full.write(&p, b"x").unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::StorageFull);
        assert_eq!(e.raw_os_error(), Some(28));
    }
}
