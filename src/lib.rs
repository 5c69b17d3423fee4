//! smartnotes: a notebook in SQLite, exported to Markdown, JSON and CSV, fast and crash-safe.
//!
//! The library is the whole program; the `smartnotes` binary only parses arguments and prints.
//! The modules follow the path of a note:
//!
//! - [`model`]: the [`Note`](model::Note) and its UTC [`Timestamp`](model::Timestamp).
//! - [`store`]: the SQLite notebook, its migrations, the sample notebook and the seeder.
//! - [`format`]: one file per output format, each turning a note into bytes.
//! - [`export`]: jobs (note x format), where they are written, and the four strategies that
//!   run them: sequential, one thread per job, a thread pool and async tasks.
//! - [`lab`]: the experiments of the threading lesson, run on the export engine.
//! - [`resources`]: what a run costs the machine (peak memory).
#![deny(missing_docs)]

pub mod export;
pub mod format;
pub mod lab;
pub mod model;
pub mod resources;
pub mod store;
