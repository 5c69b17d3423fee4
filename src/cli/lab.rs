//! `smartnotes lab`: runs an experiment, narrating it live, or prints its JSON report.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use serde::Serialize;
use smartnotes::lab::{self, predict::Predictions};

use super::ExitCode;
use super::args::{Experiment, LabArgs, LabCommon};

pub fn run(args: LabArgs) -> anyhow::Result<ExitCode> {
    let Some(experiment) = args.experiment else {
        say!(
            "smartnotes lab <experiment> [--json]: the threading lesson, measured on this machine\n"
        );
        for (name, what) in lab::EXPERIMENTS {
            say!("  {name:<8} {what}");
        }
        say!("\nsmartnotes lab <experiment> --help lists its options.");
        return Ok(ExitCode::Success);
    };
    match experiment {
        Experiment::Threads {
            durations,
            no_join,
            common,
        } => {
            let mut narrate = narrator(
                common,
                "each task simulates I/O by sleeping; lines print as they happen",
            );
            show(
                common,
                &lab::overlap::run(&durations.0, !no_join, &mut narrate),
            )
        }
        Experiment::Export {
            latency,
            out,
            common,
        } => {
            let (dir, _keep) = folder(out)?;
            let mut narrate = narrator(common, "the lesson's export through the real engine");
            show(
                common,
                &lab::lesson_export::run(&dir, latency, &mut narrate)?,
            )
        }
        Experiment::Cpu {
            work,
            threads,
            trials,
            common,
        } => {
            let threads = threads.unwrap_or_else(lab::cores);
            let _ = narrator(common, "summing; this is CPU work, no waiting");
            show(common, &lab::cpu::run(work, threads, trials))
        }
        Experiment::Race {
            increments,
            trials,
            variant,
            gap,
            common,
        } => {
            let variants = if variant.is_empty() {
                lab::race::Variant::ALL.to_vec()
            } else {
                variant
            };
            show(common, &lab::race::run(&variants, increments, trials, gap))
        }
        Experiment::Predict {
            mut durations,
            add,
            answers,
            common,
        } => {
            durations.0.extend(add);
            let predicted = match answers {
                Some(p) => p,
                None if std::io::stdin().is_terminal() => ask(&durations.0)?,
                None => anyhow::bail!(
                    "standard input is not a terminal: give the predictions with --answers FIRST,LAST,TOTAL (like B,A,3.0)"
                ),
            };
            let mut narrate = narrator(common, "running the threads");
            show(
                common,
                &lab::predict::run(&durations.0, predicted, &mut narrate),
            )
        }
        Experiment::Pool {
            workers,
            latency,
            common,
        } => {
            let (dir, _keep) = folder(None)?;
            show(common, &lab::pool_bound::run(&dir, workers, latency)?)
        }
        Experiment::Async { latency, common } => {
            let (dir, _keep) = folder(None)?;
            show(common, &lab::one_thread::run(&dir, latency)?)
        }
        Experiment::Verdict { latency, common } => {
            let (dir, _keep) = folder(None)?;
            let mut narrate = narrator(common, "running each experiment briefly");
            show(common, &lab::verdict::run(&dir, latency, &mut narrate)?)
        }
    }
}

/// Prints a line as it happens, unless the output is JSON.
fn narrator(common: LabCommon, intro: &str) -> impl FnMut(&str) {
    // A closed pipe ends the narration quietly; the report's own write then ends the command.
    let mut out = std::io::stdout();
    if !common.json {
        let _ = writeln!(out, "{intro}");
    }
    move |line: &str| {
        if !common.json {
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
        }
    }
}

fn show<R: Serialize + std::fmt::Display>(
    common: LabCommon,
    report: &R,
) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    if common.json {
        writeln!(out, "{}", serde_json::to_string(report)?)?;
    } else {
        write!(out, "{report}")?;
    }
    out.flush()?;
    Ok(ExitCode::Success)
}

/// The folder to export into: the one given, or a temporary one removed at the end.
fn folder(out: Option<PathBuf>) -> anyhow::Result<(PathBuf, Option<tempfile::TempDir>)> {
    match out {
        Some(dir) => Ok((dir, None)),
        None => {
            let tmp =
                tempfile::tempdir().context("cannot create a temporary folder for the export")?;
            Ok((tmp.path().to_path_buf(), Some(tmp)))
        }
    }
}

/// Asks for the three predictions on the terminal.
fn ask(durations: &[Duration]) -> anyhow::Result<Predictions> {
    say!("threads, started together, each waiting:");
    for (i, d) in durations.iter().enumerate() {
        say!("  {} waits {:.1} s", lab::label(i), d.as_secs_f64());
    }
    let stdin = std::io::stdin();
    let line = |question: &str| -> anyhow::Result<String> {
        let mut out = std::io::stdout().lock();
        write!(out, "{question} ")?;
        out.flush()?;
        let mut answer = String::new();
        stdin.lock().read_line(&mut answer)?;
        Ok(answer.trim().to_owned())
    };
    let first = line("which finishes first?")?;
    let last = line("which finishes last?")?;
    let total = line("total wall time, in seconds?")?;
    format!("{first},{last},{total}")
        .parse()
        .map_err(|e: String| anyhow::anyhow!(e))
}
