//! Command-line interface: clap's derive types, the validated settings built from them, and
//! one function per command. Errors get their context here (anyhow); the library's own errors
//! are typed.
//!
//! Everything printed for a script goes through [`say!`] (or a writer on a locked standard
//! output), never `println!`: a write into a closed pipe comes back as an error, which `main`
//! ends quietly with exit 0, where `println!` would panic.

/// `writeln!` to standard output, the error (a closed pipe) returned to the caller.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)?;
    }};
}

mod args;
mod attach;
mod bench;
mod config;
mod edit;
mod export;
mod import;
mod lab;
mod links;
mod notes;
mod progress;
mod shell;
mod signals;
mod tags;
mod terminal;

use std::path::PathBuf;

use clap::Parser;

pub use args::Cli;
use args::{Command, Defaults};
pub use terminal::escape_lines;

/// A usage error found after parsing (two options that contradict each other through the
/// file system): printed the way clap prints its own, exit code 2.
pub fn usage_error(message: impl std::fmt::Display) -> anyhow::Error {
    use clap::CommandFactory;
    Cli::command()
        .error(clap::error::ErrorKind::ValueValidation, message)
        .into()
}

/// How the process ends (docs/GUIDE.md, "Exit codes").
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
    // These two describe the program, whatever the settings: a broken config file must not
    // keep a shell from completing.
    match cli.command {
        Command::Completions(args) => return shell::completions(&args),
        Command::Man(args) => return shell::man(&args),
        _ => {}
    }
    let flags = match &cli.command {
        Command::Export(args) => args.defaults.clone(),
        Command::Config(args) => args.defaults.clone(),
        _ => Defaults::default(),
    };
    let settings = config::Effective::load(cli.db.clone(), &flags)?;
    let notebook = Notebook {
        path: settings.db.value.clone(),
        given: settings.db.origin != config::Origin::Default,
    };
    let db = notebook.path.as_path();
    match cli.command {
        Command::Add(args) => notes::add(db, args),
        Command::List(args) => notes::list(db, args),
        Command::Show(args) => notes::show(db, args),
        Command::Edit(args) => edit::edit(db, args),
        Command::Rm(args) => notes::rm(db, args),
        Command::Tag(args) => tags::run(db, args),
        Command::Attach(args) => attach::attach(db, args),
        Command::Gc(args) => attach::gc(db, args),
        Command::Seed(args) => notes::seed(db, args),
        Command::Export(args) => export::run(&notebook, &settings, args),
        Command::Import(args) => import::run(db, args),
        Command::Lab(args) => lab::run(args),
        Command::Bench(args) => bench::run(db, args),
        Command::Config(args) => config::show(&settings, &args),
        Command::Completions(_) | Command::Man(_) => Ok(ExitCode::Success),
    }
}

/// The notebook a command works on, and whether the user named it.
#[derive(Debug, Clone)]
pub struct Notebook {
    /// `--db`, else `SMARTNOTES_DB`, else the config file's `db`, else `notes.db` in the
    /// per-user data folder.
    pub path: PathBuf,
    /// Whether `path` came from `--db`, `SMARTNOTES_DB` or the config file: a named notebook
    /// that does not exist is a mistake to report, never a first run.
    pub given: bool,
}
