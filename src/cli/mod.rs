//! Command-line interface: clap's derive types, the validated settings built from them, and
//! one function per command. Errors get their context here (anyhow); the library's own errors
//! are typed.

mod args;
mod bench;
mod export;
mod import;
mod lab;
mod notes;

use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;

pub use args::Cli;
use args::Command;

/// How the process ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// Everything done.
    Success,
    /// Something failed: a job, a note, the command itself.
    Failure,
    /// Stopped by Ctrl-C.
    Interrupted,
}

impl From<ExitCode> for std::process::ExitCode {
    fn from(code: ExitCode) -> Self {
        std::process::ExitCode::from(match code {
            ExitCode::Success => 0,
            ExitCode::Failure => 1,
            ExitCode::Interrupted => 130,
        })
    }
}

/// Parses the command line and runs the command.
pub fn run() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    let db = database_path(cli.db.clone())?;
    match cli.command {
        Command::Add(args) => notes::add(&db, args),
        Command::List(args) => notes::list(&db, args),
        Command::Show(args) => notes::show(&db, args),
        Command::Rm(args) => notes::rm(&db, args),
        Command::Seed(args) => notes::seed(&db, args),
        Command::Export(args) => export::run(&db, args),
        Command::Import(args) => import::run(&db, args),
        Command::Lab(args) => lab::run(args),
        Command::Bench(args) => bench::run(&db, args),
    }
}

/// `--db`, else `SMARTNOTES_DB` (clap reads both), else `notes.db` in the per-user data folder.
fn database_path(given: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    if let Some(path) = given {
        return Ok(path);
    }
    let dirs = directories::ProjectDirs::from("", "", "smartnotes").context(
        "cannot find a home folder for the notebook; pass --db PATH or set SMARTNOTES_DB",
    )?;
    Ok(dirs.data_dir().join("notes.db"))
}
