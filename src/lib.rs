//! smartnotes: a notebook in SQLite, exported to Markdown, JSON and CSV, fast and crash-safe.
//!
//! The library is the whole program; the `smartnotes` binary only parses arguments and prints
//! (it needs the `cli` feature, on by default; `cargo build --lib --no-default-features` builds
//! the library without clap). The modules follow the path of a note:
//!
//! - [`model`]: the [`Note`](model::Note) and its UTC [`Timestamp`](model::Timestamp).
//! - [`store`]: the SQLite notebook, its migrations, the sample notebook and the seeder.
//! - [`format`](mod@format): one file per output format, each turning a note into bytes.
//! - [`import`]: files read back into the notebook, the mirror of export.
//! - [`links`]: links between notes and to attachments: found, resolved, rewritten at export.
//! - [`export`](mod@export): the engine: one snapshot of the notes becomes jobs (note x format), a
//!   strategy runs them (sequential, one thread per job, a thread pool or async tasks), a
//!   staging folder publishes them atomically.
//! - [`lab`]: the experiments of the threading lesson, run on the export engine.
//! - [`bench`](mod@bench): the strategies side by side on the lesson's, a large and a disk workload.
//! - [`resources`]: OS threads and peak memory of this process, for the lab and the bench.
//!
//! What a program needs to export a notebook is re-exported here: [`export()`],
//! [`ExportConfig`], [`NoteSource`], [`Hooks`] (with [`Progress`] and [`Cancel`]), and what comes
//! back, [`Summary`] and [`Failure`].
//!
//! ```
//! use smartnotes::{export, ExportConfig, Hooks, Layout, NoteSource};
//!
//! let out = tempfile::tempdir()?;
//! let mut config = ExportConfig::new(out.path());
//! config.layout = Layout::Files;
//! let summary = export(&NoteSource::sample(), &config.validate()?, &Hooks::default())?;
//!
//! // The sample notebook's 10 notes in the 3 default formats, every file written.
//! assert_eq!((summary.notes, summary.planned_jobs, summary.files), (10, 30, 30));
//! assert!(summary.ok() && summary.failures.is_empty());
//! assert!(out.path().join("md/1-why-threads-help-with-i-o.md").is_file());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

pub mod bench;
pub mod export;
pub mod format;
pub mod import;
pub mod lab;
pub mod links;
pub mod model;
pub mod resources;
pub mod store;
mod sys;

pub use export::{
    AsyncRuntime, Cancel, CancelLevel, ConfigError, ExportConfig, ExportError, Failure, FaultKind,
    Faults, Hooks, Layout, Naming, NoteSource, OnError, Plan, Progress, SinkKind, StrategyKind,
    Summary, export, plan,
};
pub use format::{Format, RenderOptions};
