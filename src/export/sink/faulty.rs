//! A sink that fails some writes on purpose, the same ones every run.
//!
//! Whether a file fails depends only on the seed and its path (a BLAKE3 hash of both), not on
//! timing or order, so every strategy fails the same jobs and tests can name them in advance.

use std::io;
use std::path::Path;

use super::Sink;

/// Wraps a sink and fails a fraction of its writes with an I/O error.
#[derive(Debug)]
pub struct Faulty<S> {
    inner: S,
    rate: f64,
    seed: u64,
}

impl<S: Sink> Faulty<S> {
    /// Fails about `rate` (0.0 to 1.0) of the writes to `inner`, chosen by `seed`.
    pub fn new(inner: S, rate: f64, seed: u64) -> Self {
        Faulty {
            inner,
            rate: rate.clamp(0.0, 1.0),
            seed,
        }
    }

    /// Whether the write of `rel` is one that fails.
    pub fn fails(&self, rel: &Path) -> bool {
        let mut hasher = blake3::Hasher::new();
        hasher.update(&self.seed.to_le_bytes());
        hasher.update(rel.as_os_str().as_encoded_bytes());
        let mut word = [0u8; 8];
        word.copy_from_slice(&hasher.finalize().as_bytes()[..8]);
        (u64::from_le_bytes(word) as f64 / u64::MAX as f64) < self.rate
    }
}

impl<S: Sink> Sink for Faulty<S> {
    fn write(&self, rel: &Path, bytes: &[u8]) -> io::Result<()> {
        if self.fails(rel) {
            return Err(io::Error::other("injected fault (--fail-rate)"));
        }
        self.inner.write(rel, bytes)
    }

    fn open(&self, rel: &Path) -> io::Result<Box<dyn io::Write + Send>> {
        if self.fails(rel) {
            return Err(io::Error::other("injected fault (--fail-rate)"));
        }
        self.inner.open(rel)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::sink::Null;

    #[test]
    fn the_same_files_fail_every_time_at_about_the_rate() {
        let sink = Faulty::new(Null, 0.3, 9);
        let paths: Vec<String> = (0..2000).map(|i| format!("md/{i}.md")).collect();
        let fails = |s: &Faulty<Null>| paths.iter().filter(|p| s.fails(Path::new(p))).count();
        let n = fails(&sink);
        assert_eq!(n, fails(&Faulty::new(Null, 0.3, 9)));
        assert!((450..750).contains(&n), "{n} of 2000 at rate 0.3");
        assert_eq!(fails(&Faulty::new(Null, 0.0, 9)), 0);
        assert_eq!(fails(&Faulty::new(Null, 1.0, 9)), 2000);
        let failing = paths.iter().find(|p| sink.fails(Path::new(p))).unwrap();
        let passing = paths.iter().find(|p| !sink.fails(Path::new(p))).unwrap();
        assert!(sink.write(Path::new(failing), b"x").is_err());
        assert!(sink.write(Path::new(passing), b"x").is_ok());
    }
}
