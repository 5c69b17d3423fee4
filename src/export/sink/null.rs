//! A sink that discards everything: the cost of rendering and scheduling without the disk.

use std::io;
use std::path::Path;

use super::Sink;

/// Accepts every write and keeps nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct Null;

impl Sink for Null {
    fn write(&self, _rel: &Path, bytes: &[u8]) -> io::Result<()> {
        std::hint::black_box(bytes);
        Ok(())
    }

    fn open(&self, _rel: &Path) -> io::Result<Box<dyn io::Write + Send>> {
        Ok(Box::new(io::sink()))
    }
}
