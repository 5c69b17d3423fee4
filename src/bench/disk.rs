//! Workload `disk`: 100,000 notes x 3 formats of real files (`--notes`), no simulated latency,
//! into `--dir`, with the same staging and atomic publication as a real export.
//!
//! On a tmpfs (/dev/shm, the default when it exists) this measures what an export costs in
//! CPU and system calls. Beside the strategies it measures the floors ([`floor`]): the same
//! number of files, with the same names and sizes, written by the simplest parallel loops
//! there are, in Rust (one thread per core) and in C (one process per core, compiled with
//! `cc` at bench time), each worker into folders of its own, with no rendering, no staging,
//! no renames. The C loop is the workload's physical limit on this machine (the Rust one's
//! where there is no C compiler); each row's efficiency is that limit's wall / its wall.

use std::path::Path;

use super::{
    BenchConfig, BenchDir, BenchError, BenchResult, Measure, Report, Workload, clear, floor,
    measure_all, speedups,
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

    progress("disk: floors (raw parallel writes, Rust and C)");
    let (floor, c_floor) = measure_floors(&source, &base.formats, dir.path(), config.runs)?;
    // The C loop is the physical limit where it ran; else the Rust loop.
    let ideal = c_floor.wall_s.or(floor.wall_s);

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
    rows.push(c_floor);
    speedups(&mut rows);
    for row in rows.iter_mut().filter(|r| r.strategy.starts_with("floor")) {
        row.ideal_s = ideal;
        row.efficiency = match (ideal, row.wall_s) {
            (Some(ideal), Some(wall)) if wall > 0.0 => Some(ideal / wall),
            _ => None,
        };
    }
    report.results.extend(rows);
    Ok(())
}

/// The floors ([`floor`]): the Rust loop, and the C loop when a C compiler is here (a
/// refused row saying why when not), each `runs` times after a warm-up, interleaved so that
/// both see the same load. The C floor, when it ran, is the ideal of every row.
fn measure_floors(
    source: &NoteSource,
    formats: &[Format],
    root: &Path,
    runs: usize,
) -> Result<(BenchResult, BenchResult), BenchError> {
    let files = floor_files(source, formats)?;
    let cores = crate::sys::cores();
    let work = tempfile::Builder::new()
        .prefix("floor-work-")
        .tempdir_in(root)
        .map_err(|source| BenchError::Dir {
            path: root.to_path_buf(),
            source,
        })?;
    let c = floor::CFloor::compile(work.path());
    let (mut rust_walls, mut c_walls) = (Vec::new(), Vec::new());
    let mut peak = None;
    for run in 0..=runs {
        let out = root.join(format!("floor-{run}"));
        resources::reset_peak_rss();
        let wall = floor::rust(&files, &out, cores)?;
        peak = peak.max(resources::peak_rss_bytes());
        clear_but(root, work.path())?;
        let c_wall = match &c {
            Ok(c) => Some(c.run(&files, work.path(), &out, cores)?),
            Err(_) => None,
        };
        clear_but(root, work.path())?;
        // Run 0 is the warm-up.
        if run > 0 {
            rust_walls.push(wall);
            c_walls.extend(c_wall);
        }
    }
    drop(work);
    let jobs = files.files.len() as u64;
    let rust = floor_row("floor", jobs, cores, &mut rust_walls, peak, cores + 1);
    let c = match c {
        Ok(_) => floor_row("floor-c", jobs, cores, &mut c_walls, None, 1),
        Err(reason) => BenchResult {
            refused: Some(reason),
            ..floor_row("floor-c", jobs, cores, &mut Vec::new(), None, 0)
        },
    };
    Ok((rust, c))
}

/// The files of the export, names and bytes, prepared before any clock starts: the floors do
/// no rendering.
fn floor_files(source: &NoteSource, formats: &[Format]) -> Result<floor::Files, BenchError> {
    let mut files = floor::Files {
        formats: formats.to_vec(),
        pool: Vec::new(),
        files: Vec::new(),
    };
    let options = RenderOptions::default();
    // The same snapshot path as the export's: one read of the notebook.
    source.read(|reader| -> Result<(), ExportError> {
        for (i, note) in reader.notes()?.enumerate() {
            let note = note?;
            for (f, &format) in formats.iter().enumerate() {
                if i < FLOOR_POOL {
                    let mut bytes = Vec::new();
                    format.render_file(&note, &options, &mut bytes);
                    files.pool.push(bytes);
                }
                let data = (i % FLOOR_POOL) * formats.len() + f;
                files
                    .files
                    .push((f, naming::file_name(&note, format, Naming::Slug), data));
            }
        }
        Ok(())
    })?;
    // Fewer notes than the pool: every index is one of theirs.
    let pool = files.pool.len().max(1);
    for file in &mut files.files {
        file.2 %= pool;
    }
    Ok(files)
}

/// A floor's row from its measured walls (sorted here); no walls, no figures.
fn floor_row(
    name: &str,
    jobs: u64,
    concurrency: usize,
    walls: &mut [f64],
    peak: Option<u64>,
    threads: usize,
) -> BenchResult {
    walls.sort_by(f64::total_cmp);
    let median = walls.get(walls.len() / 2).copied();
    BenchResult {
        workload: Workload::Disk,
        strategy: name.to_owned(),
        jobs,
        concurrency,
        wall_s: median,
        wall_min_s: walls.first().copied(),
        wall_max_s: walls.last().copied(),
        runs: walls.len(),
        speedup: None,
        efficiency: None,
        ideal_s: None,
        files_per_s: median.map(|m| jobs as f64 / m),
        peak_rss_bytes: peak,
        threads,
        computed: false,
        refused: None,
        failed: 0,
    }
}

/// Empties `root` but for `keep` (the C floor's work folder).
fn clear_but(root: &Path, keep: &Path) -> Result<(), BenchError> {
    let err = |source| BenchError::Dir {
        path: root.to_path_buf(),
        source,
    };
    for entry in std::fs::read_dir(root).map_err(err)? {
        let path = entry.map_err(err)?.path();
        if path != keep {
            std::fs::remove_dir_all(&path).map_err(|source| BenchError::Dir { path, source })?;
        }
    }
    Ok(())
}
