//! Workload `disk`: 100,000 notes x 3 formats of real files (`--notes`), no simulated latency,
//! into `--dir`, with the same staging and atomic publication as a real export.
//!
//! On a tmpfs (/dev/shm, the default when it exists) this measures what an export costs in
//! CPU and system calls. Beside the strategies it measures the floor: the same number of
//! files, with the same names and sizes, written by the simplest parallel loop there is (one
//! thread per core, `std::fs::write`, no rendering, no staging, no renames). The floor is the
//! workload's physical limit on this machine; each strategy's efficiency is floor / wall.

use std::path::{Path, PathBuf};

use std::time::Instant;

use super::{
    BenchConfig, BenchDir, BenchError, BenchResult, Measure, Report, Workload, clear, measure_all,
    speedups,
};
use crate::export::naming::{self, Naming};
use crate::export::{ExportConfig, ExportError, NoteSource};
use crate::format::{Format, RenderOptions};
use crate::resources;

/// Notes rendered for the floor's bytes; file `i` gets the bytes of note `i % FLOOR_POOL`.
const FLOOR_POOL: usize = 1024;

pub(super) fn run(
    config: &BenchConfig,
    idle_threads: usize,
    report: &mut Report,
    progress: &mut dyn FnMut(&str),
) -> Result<(), BenchError> {
    let source = config.notes_source();
    let dir = BenchDir::new(config.dir.as_deref())?;
    let base = ExportConfig {
        concurrency: config.jobs,
        ..ExportConfig::new(dir.path())
    };

    progress("disk: floor (raw parallel writes)");
    let floor = measure_floor(&source, &base.formats, dir.path(), config.runs)?;
    let ideal = floor.wall_s;

    let root = dir.path().to_path_buf();
    let prepare = move |export: &mut ExportConfig, run: usize| {
        let out = root.join(format!("run-{run}-{}", export.strategy));
        clear(&root)?;
        export.out = out;
        Ok(())
    };
    let measure = Measure {
        workload: Workload::Disk,
        source: &source,
        config: base,
        runs: config.runs,
        ideal_s: ideal,
        prepare: &prepare,
        idle_threads,
        timeline: false,
    };
    let mut rows = measure_all(config, &measure, report, progress, None)?;
    clear(dir.path())?;
    rows.push(floor);
    speedups(&mut rows);
    report.results.extend(rows);
    Ok(())
}

/// The floor: every file of the export written by `cores` threads with `std::fs::write`.
fn measure_floor(
    source: &NoteSource,
    formats: &[Format],
    root: &Path,
    runs: usize,
) -> Result<BenchResult, BenchError> {
    // Names and bytes prepared before the clock starts: the floor does no rendering.
    let mut pool: Vec<Vec<u8>> = Vec::new();
    let mut paths: Vec<PathBuf> = Vec::new();
    let options = RenderOptions::default();
    // The same snapshot path as the export's: one read of the notebook.
    source.read(|reader| -> Result<(), ExportError> {
        for (i, note) in reader.notes()?.enumerate() {
            let note = note?;
            for &format in formats {
                if i < FLOOR_POOL {
                    let mut bytes = Vec::new();
                    format.render_file(&note, &options, &mut bytes);
                    pool.push(bytes);
                }
                paths.push(naming::relative_path(&note, format, Naming::Slug));
            }
        }
        Ok(())
    })?;
    let threads = crate::sys::cores();
    let mut walls = Vec::new();
    let mut peak = None;
    for run in 0..=runs {
        clear(root)?;
        let out = root.join(format!("floor-{run}"));
        for format in formats {
            let dir = out.join(format.extension());
            std::fs::create_dir_all(&dir)
                .map_err(|source| BenchError::Dir { path: dir, source })?;
        }
        resources::reset_peak_rss();
        let started = Instant::now();
        let failed = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let (paths, pool, out) = (&paths, &pool, &out);
                    scope.spawn(move || {
                        let mut failed = 0u64;
                        for i in (t..paths.len()).step_by(threads) {
                            let bytes = &pool[i % pool.len().max(1)];
                            if std::fs::write(out.join(&paths[i]), bytes).is_err() {
                                failed += 1;
                            }
                        }
                        failed
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or(u64::MAX))
                .fold(0u64, u64::saturating_add)
        });
        let wall = started.elapsed().as_secs_f64();
        if failed > 0 {
            return Err(BenchError::Dir {
                path: out,
                source: std::io::Error::other(format!("{failed} raw writes failed")),
            });
        }
        // Run 0 is the warm-up.
        if run > 0 {
            walls.push(wall);
            peak = peak.max(resources::peak_rss_bytes());
        }
    }
    clear(root)?;
    walls.sort_by(f64::total_cmp);
    let median = walls[walls.len() / 2];
    let jobs = paths.len() as u64;
    Ok(BenchResult {
        workload: Workload::Disk,
        strategy: "floor".to_owned(),
        jobs,
        concurrency: threads,
        wall_s: Some(median),
        wall_min_s: walls.first().copied(),
        wall_max_s: walls.last().copied(),
        runs: walls.len(),
        speedup: None,
        efficiency: Some(1.0),
        ideal_s: Some(median),
        files_per_s: Some(jobs as f64 / median),
        peak_rss_bytes: peak,
        threads: threads + 1,
        computed: false,
        refused: None,
        failed: 0,
    })
}
