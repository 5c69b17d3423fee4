//! What a shell and `man` need: `smartnotes completions SHELL` prints a completion script
//! (clap_complete), `smartnotes man --out DIR` writes a man page per command (clap_mangen).
//! The pages are committed under `docs/man/`; a test regenerates them and fails when they
//! differ, so they never fall behind the options.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use clap::CommandFactory;

use super::ExitCode;
use super::args::{Cli, CompletionsArgs, ManArgs};
use super::terminal::{count, quoted};

pub fn completions(args: &CompletionsArgs) -> anyhow::Result<ExitCode> {
    // Generated into memory: clap_complete panics on a failed write, a closed pipe included.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "smartnotes", &mut script);
    let mut out = std::io::stdout().lock();
    out.write_all(&script)?;
    out.flush()?;
    Ok(ExitCode::Success)
}

pub fn man(args: &ManArgs) -> anyhow::Result<ExitCode> {
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create the folder {}", quoted(&args.out)))?;
    // Built, so that every subcommand knows its full name (`smartnotes-lab-race`).
    let mut command = Cli::command().disable_help_subcommand(true);
    command.build();
    let written = write_pages(&command, &args.out)?;
    say!(
        "wrote {} to {}",
        count(written, "man page", "man pages"),
        quoted(&args.out)
    );
    Ok(ExitCode::Success)
}

/// Writes the page of `command` (`smartnotes.1`) and of each of its subcommands
/// (`smartnotes-export.1`, `smartnotes-lab-race.1`), returning how many.
fn write_pages(command: &clap::Command, dir: &Path) -> anyhow::Result<u64> {
    let page = clap_mangen::Man::new(command.clone());
    let path = dir.join(page.get_filename());
    let mut bytes = Vec::new();
    page.render(&mut bytes)
        .context("cannot render a man page")?;
    std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", quoted(&path)))?;
    let mut written = 1;
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        written += write_pages(sub, dir)?;
    }
    Ok(written)
}
