//! `smartnotes bench`: settings from the arguments, progress on standard error, the table or
//! JSON on standard output, the pictures where asked.

use std::path::Path;

use anyhow::{Context, bail};
use smartnotes::bench::{self, BenchConfig, Workload};
use smartnotes::export::NoteSource;
use smartnotes::model::Timestamp;

use std::io::Write;

use super::ExitCode;
use super::args::{BenchArgs, WorkloadChoice};
use super::progress;
use super::terminal::{count, quoted};

pub fn run(db: &Path, args: BenchArgs) -> anyhow::Result<ExitCode> {
    let workloads = match args.workload {
        WorkloadChoice::Lesson => vec![Workload::Lesson],
        WorkloadChoice::Scale => vec![Workload::Scale],
        WorkloadChoice::Disk => vec![Workload::Disk],
        WorkloadChoice::All => Workload::ALL.to_vec(),
    };
    if args.timeline.is_some() && !workloads.contains(&Workload::Lesson) {
        bail!("--timeline draws the lesson workload: use --workload lesson or all");
    }
    let source = if args.notebook {
        if !db.exists() {
            bail!("--notebook: there is no notebook at {}", quoted(db));
        }
        Some(NoteSource::Store {
            path: db.to_path_buf(),
            query: args.filter.query(Timestamp::now()),
        })
    } else {
        None
    };
    let config = BenchConfig {
        workloads,
        strategies: args.strategies,
        runs: args.runs,
        notes: args.notes,
        latency: args.latency,
        dir: args.dir,
        scale_sink: args.sink,
        jobs: args.jobs,
        source,
        timeline: args.timeline.is_some(),
        python: args.python,
    };
    let quiet = args.quiet;
    // On a terminal a spinner names the step under way; elsewhere each step is a line.
    let bar = progress::bar("runs", "bench", quiet);
    let mut progress = |step: &str| match &bar {
        Some(bar) => bar.doing(format!("bench {step}")),
        None if !quiet => eprintln!("bench {step} ..."),
        None => {}
    };
    let report = bench::run(&config, &mut progress).context("the benchmark could not run")?;
    if let Some(path) = &args.chart {
        bench::chart::write(&report, path)?;
        progress(&format!("chart written to {}", quoted(path)));
    }
    if let Some(path) = &args.timeline {
        bench::timeline::write(&report.timeline, path)?;
        progress(&format!("timeline written to {}", quoted(path)));
    }
    if let Some(bar) = &bar {
        bar.finish();
    }
    if args.json {
        say!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        let mut out = std::io::stdout().lock();
        write!(out, "{report}")?;
        out.flush()?;
    }
    let failed: u64 = report.results.iter().map(|r| r.failed).sum();
    Ok(if failed > 0 {
        eprintln!(
            "{} during the benchmark",
            count(failed, "job failed", "jobs failed")
        );
        ExitCode::Failure
    } else {
        ExitCode::Success
    })
}
