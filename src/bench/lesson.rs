//! Workload `lesson`: the lesson's export, 10 notes x 3 formats with 100 ms of simulated I/O
//! per file, written for real into a fresh folder (on tmpfs when there is one: the simulated
//! latency is the I/O being studied, not the disk of the machine). The physical limit is one file's
//! latency: every wait overlapped.

use super::{
    BenchConfig, BenchDir, BenchError, Measure, Report, Workload, clear, measure_all, speedups,
};
use crate::export::{ExportConfig, NoteSource};

pub(super) fn run(
    config: &BenchConfig,
    idle_threads: usize,
    report: &mut Report,
    progress: &mut dyn FnMut(&str),
) -> Result<(), BenchError> {
    let source = NoteSource::sample();
    let dir = BenchDir::new(config.dir.as_deref())?;
    let root = dir.path().to_path_buf();
    let prepare = move |export: &mut ExportConfig, run: usize| {
        clear(&root)?;
        // A fresh folder per run: every run writes new files, none replaces old ones.
        export.out = root.join(format!("run-{run}-{}", export.strategy));
        Ok(())
    };
    let measure = Measure {
        workload: Workload::Lesson,
        source: &source,
        config: ExportConfig {
            latency: config.latency,
            concurrency: config.jobs,
            ..ExportConfig::new(dir.path())
        },
        runs: config.runs,
        ideal_s: Some(config.latency.as_secs_f64()),
        prepare: &prepare,
        idle_threads,
        timeline: config.timeline,
    };
    let mut rows = measure_all(config, &measure, report, progress, None)?;
    speedups(&mut rows);
    report.results.extend(rows);
    Ok(())
}
