//! Command-line interface: clap's derive types, the validated settings built from them, and
//! one function per command. Errors get their context here (anyhow); the library's own errors
//! are typed.

mod args;
mod bench;
mod export;
mod import;
mod lab;
mod notes;
mod signals;
mod terminal;

use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;

pub use args::Cli;
use args::Command;
pub use terminal::escape_lines;

/// A usage error found after parsing (two options that contradict each other through the
/// file system): printed the way clap prints its own, exit code 2.
pub fn usage_error(message: impl std::fmt::Display) -> anyhow::Error {
    use clap::CommandFactory;
    Cli::command()
        .error(clap::error::ErrorKind::ValueValidation, message)
        .into()
}

/// How the process ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// Everything done.
    Success,
    /// Something failed: a job, a note, the command itself.
    Failure,
    /// Stopped by a signal (Ctrl-C, SIGTERM, SIGHUP): exits with 128 + its number.
    Signalled(i32),
}

impl From<ExitCode> for std::process::ExitCode {
    fn from(code: ExitCode) -> Self {
        std::process::ExitCode::from(match code {
            ExitCode::Success => 0,
            ExitCode::Failure => 1,
            ExitCode::Signalled(signal) => u8::try_from(128 + signal).unwrap_or(u8::MAX),
        })
    }
}

/// Parses the command line and runs the command.
pub fn run() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    let notebook = Notebook::of(cli.db.clone())?;
    let db = notebook.path.as_path();
    match cli.command {
        Command::Add(args) => notes::add(db, args),
        Command::List(args) => notes::list(db, args),
        Command::Show(args) => notes::show(db, args),
        Command::Rm(args) => notes::rm(db, args),
        Command::Seed(args) => notes::seed(db, args),
        Command::Export(args) => export::run(&notebook, args),
        Command::Import(args) => import::run(db, args),
        Command::Lab(args) => lab::run(args),
        Command::Bench(args) => bench::run(db, args),
    }
}

/// The notebook a command works on, and whether the user named it.
#[derive(Debug, Clone)]
pub struct Notebook {
    /// `--db`, else `SMARTNOTES_DB` (clap reads both), else `notes.db` in the per-user data
    /// folder.
    pub path: PathBuf,
    /// Whether `path` came from `--db` or `SMARTNOTES_DB`: a named notebook that does not
    /// exist is a mistake to report, never a first run.
    pub given: bool,
}

impl Notebook {
    fn of(given: Option<PathBuf>) -> anyhow::Result<Notebook> {
        if let Some(path) = given {
            return Ok(Notebook { path, given: true });
        }
        let dirs = directories::ProjectDirs::from("", "", "smartnotes").context(
            "cannot find a home folder for the notebook; pass --db PATH or set SMARTNOTES_DB",
        )?;
        Ok(Notebook {
            path: dirs.data_dir().join("notes.db"),
            given: false,
        })
    }
}
