//! `smartnotes bench`: settings from the arguments, progress on standard error, the table or
//! JSON on standard output, the pictures where asked.

use std::path::Path;

use anyhow::{Context, bail};
use smartnotes::bench::{self, BenchConfig, Workload};
use smartnotes::export::NoteSource;
use smartnotes::model::Timestamp;

use super::ExitCode;
use super::args::{BenchArgs, WorkloadChoice};

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
            bail!("--notebook: there is no notebook at {}", db.display());
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
    };
    let quiet = args.quiet;
    let mut progress = |step: &str| {
        if !quiet {
            eprintln!("bench {step} ...");
        }
    };
    let report = bench::run(&config, &mut progress).context("the benchmark could not run")?;
    if let Some(path) = &args.chart {
        bench::chart::write(&report, path)?;
        progress(&format!("chart written to {}", path.display()));
    }
    if let Some(path) = &args.timeline {
        bench::timeline::write(&report.timeline, path)?;
        progress(&format!("timeline written to {}", path.display()));
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{report}");
    }
    let failed: u64 = report.results.iter().map(|r| r.failed).sum();
    Ok(if failed > 0 {
        eprintln!("{failed} jobs failed during the benchmark");
        ExitCode::Failure
    } else {
        ExitCode::Success
    })
}
