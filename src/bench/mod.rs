//! `smartnotes bench`: the strategies side by side on one workload, measured in one process.
//!
//! A [`Workload`] is a fixed export (the lesson's 30 files, 300,000 simulated waits, or
//! 300,000 real files on a fast disk); [`run`] exports it under each strategy in turn, after
//! a warm-up, `runs` times each, and reports the median wall time with its spread, the
//! speedup over sequential, the efficiency against the workload's physical limit, the peak
//! memory and the OS threads each strategy used. Every figure comes from the real export
//! engine ([`crate::export::export`]); the bench adds only the stopwatch and the readings of
//! [`crate::resources`]. Each workload is one file here; [`chart`], [`timeline`] and
//! [`table`] turn a [`Report`] into pictures and text.

pub mod chart;
mod disk;
mod floor;
mod lesson;
mod python;
mod scale;
pub mod table;
pub mod timeline;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

pub use python::PYTHON_ASYNCIO;

use crate::export::{
    ExportConfig, ExportError, Hooks, NoteSource, SinkKind, Span, StrategyKind, Summary, export,
};
use crate::resources;

/// One of the bench's exports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Workload {
    /// The lesson: 10 notes x 3 formats, 100 ms of simulated I/O per file.
    Lesson,
    /// 100,000 notes x 3 formats, 100 ms of simulated I/O per file (`--notes`).
    Scale,
    /// 100,000 notes x 3 formats of real files, no simulated latency, into `--dir`.
    Disk,
}

impl Workload {
    /// Every workload, in the order `--workload all` runs them.
    pub const ALL: [Workload; 3] = [Workload::Lesson, Workload::Scale, Workload::Disk];
}

/// What to measure.
#[derive(Clone, Debug)]
pub struct BenchConfig {
    /// The workloads, in order.
    pub workloads: Vec<Workload>,
    /// The strategies, in order; sequential first gives the speedups their base.
    pub strategies: Vec<StrategyKind>,
    /// Measured runs per strategy (the median is reported).
    pub runs: usize,
    /// Notes of the `scale` and `disk` workloads.
    pub notes: u64,
    /// Simulated I/O per file of the `lesson` and `scale` workloads.
    pub latency: Duration,
    /// Where the workloads write (a tmpfs such as /dev/shm measures CPU and system calls, not
    /// the device): the bench makes a folder of its own inside it and removes only that.
    /// Default: /dev/shm when it exists, else the temp folder.
    pub dir: Option<PathBuf>,
    /// Where `scale` writes: nowhere (default), so that the disk is not what is measured, or
    /// files in `dir`.
    pub scale_sink: SinkKind,
    /// N for pool and async; `None` for each workload's default.
    pub jobs: Option<usize>,
    /// Notes to use instead of synthetic ones for `scale` and `disk` (a filtered notebook).
    pub source: Option<NoteSource>,
    /// Record every job's start and end in the `lesson` workload, for [`timeline`].
    pub timeline: bool,
    /// The Python interpreter that times asyncio gathering as many sleeps as the `scale`
    /// workload has jobs, one run right before each measured run of async (the
    /// `python-asyncio` row); `None`: no Python.
    pub python: Option<PathBuf>,
}

impl BenchConfig {
    /// The notes of the `scale` and `disk` workloads: the given source, or `notes` synthetic
    /// ones (seed 42, so every run and every machine exports the same notes).
    pub fn notes_source(&self) -> NoteSource {
        self.source.clone().unwrap_or(NoteSource::Synthetic {
            count: self.notes,
            seed: 42,
        })
    }
}

impl Default for BenchConfig {
    fn default() -> Self {
        BenchConfig {
            workloads: vec![Workload::Lesson],
            strategies: StrategyKind::ALL.to_vec(),
            runs: 3,
            notes: 100_000,
            latency: Duration::from_millis(100),
            dir: None,
            scale_sink: SinkKind::Null,
            jobs: None,
            source: None,
            timeline: false,
            python: None,
        }
    }
}

/// One strategy on one workload.
#[derive(Clone, Debug, Serialize)]
pub struct BenchResult {
    /// The workload.
    pub workload: Workload,
    /// The strategy, or `floor` / `floor-c` for the raw write loops (Rust, C) of the disk
    /// workload.
    pub strategy: String,
    /// Jobs (files) of the export.
    pub jobs: u64,
    /// N: the most jobs in flight.
    pub concurrency: usize,
    /// Median wall time, seconds; computed (not run) when `computed`, absent when refused.
    pub wall_s: Option<f64>,
    /// Fastest run.
    pub wall_min_s: Option<f64>,
    /// Slowest run.
    pub wall_max_s: Option<f64>,
    /// Measured runs.
    pub runs: usize,
    /// Sequential's wall time over this one.
    pub speedup: Option<f64>,
    /// The workload's physical limit (`ideal_s`) over this wall time: 1.0 is perfect.
    pub efficiency: Option<f64>,
    /// The physical limit: the longest single job for simulated latency; the raw write
    /// loop's time for the disk workload.
    pub ideal_s: Option<f64>,
    /// Files per second of wall time.
    pub files_per_s: Option<f64>,
    /// Most resident memory of the process during the runs, bytes.
    pub peak_rss_bytes: Option<u64>,
    /// Most OS threads of the process during the runs (the measuring thread excluded).
    pub threads: usize,
    /// Whether `wall_s` is computed (jobs x latency) instead of measured.
    pub computed: bool,
    /// Why the strategy did not run, when it refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
    /// Jobs that failed in the measured runs (should be 0).
    pub failed: u64,
}

/// The machine a report was measured on.
#[derive(Clone, Debug, Serialize)]
pub struct Machine {
    /// Logical cores.
    pub cores: usize,
    /// Operating system and architecture.
    pub os: String,
    /// The CPU model, from /proc/cpuinfo where there is one.
    pub cpu: Option<String>,
}

impl Machine {
    /// This machine.
    pub fn this() -> Self {
        let cpu = std::fs::read_to_string("/proc/cpuinfo").ok().and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, name)| name.trim().to_owned())
        });
        Machine {
            cores: crate::sys::cores(),
            os: format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
            cpu,
        }
    }
}

/// The jobs of one strategy's run of the lesson, for the timeline picture.
#[derive(Clone, Debug, Serialize)]
pub struct StrategySpans {
    /// The strategy.
    pub strategy: StrategyKind,
    /// Wall time of that run, seconds.
    pub wall_s: f64,
    /// One per job, by job index.
    pub spans: Vec<Span>,
}

/// Everything one `smartnotes bench` measured.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Where.
    pub machine: Machine,
    /// One per workload and strategy, in the order run.
    pub results: Vec<BenchResult>,
    /// The lesson's job spans per strategy, when asked for.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub timeline: Vec<StrategySpans>,
}

/// Why the bench could not run.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// An export could not run at all (a refusal is not an error: it is reported).
    #[error(transparent)]
    Export(#[from] ExportError),
    /// The disk workload's folder could not be prepared.
    #[error("cannot prepare the benchmark folder {path}")]
    Dir {
        /// The folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Nothing to run.
    #[error("invalid bench settings: {0}")]
    Config(String),
}

/// Runs every workload of `config` under every strategy and reports.
pub fn run(config: &BenchConfig, progress: &mut dyn FnMut(&str)) -> Result<Report, BenchError> {
    if config.runs == 0 {
        return Err(BenchError::Config("--runs must be at least 1".into()));
    }
    if config.strategies.is_empty() || config.workloads.is_empty() {
        return Err(BenchError::Config(
            "at least one workload and one strategy are needed".into(),
        ));
    }
    let mut report = Report {
        machine: Machine::this(),
        results: Vec::new(),
        timeline: Vec::new(),
    };
    // The threads of the process before any run: the bench waits for the threads of one run
    // to be gone (down to this many) before it measures the next.
    let idle = resources::os_threads();
    for workload in &config.workloads {
        match workload {
            Workload::Lesson => lesson::run(config, idle, &mut report, progress)?,
            Workload::Scale => scale::run(config, idle, &mut report, progress)?,
            Workload::Disk => disk::run(config, idle, &mut report, progress)?,
        }
    }
    Ok(report)
}

/// What a workload measures a strategy with: the export settings and where each run writes.
struct Measure<'a> {
    workload: Workload,
    source: &'a NoteSource,
    config: ExportConfig,
    runs: usize,
    /// The ideal time, for the efficiency.
    ideal_s: Option<f64>,
    /// Called before each run (warm-up included) with the run's number: prepares its folder.
    prepare: &'a dyn Fn(&mut ExportConfig, usize) -> Result<(), BenchError>,
    timeline: bool,
    /// Threads of the process before the bench started.
    idle_threads: usize,
}

/// The result of measuring one strategy: the row and, if asked, the spans of its last run.
struct Measured {
    row: BenchResult,
    spans: Option<StrategySpans>,
}

impl Measure<'_> {
    /// One warm-up run, then `runs` measured ones.
    fn strategy(&self, strategy: StrategyKind) -> Result<Measured, BenchError> {
        let mut config = ExportConfig {
            strategy,
            ..self.config.clone()
        };
        let hooks = Hooks::default().with_timeline(self.timeline);
        // The warm-up does the same work without the simulated waits: code, allocator and
        // page cache get warm.
        (self.prepare)(&mut config, 0)?;
        let warm_up = ExportConfig {
            latency: Duration::ZERO,
            ..config.clone()
        };
        // Admission first, at the full size (the warm-up is smaller), through the engine's
        // own admission: a refusal names the real number of jobs, and once admitted no run
        // can be refused.
        match crate::export::plan(self.source, &config) {
            Err(ExportError::Refused {
                planned_jobs,
                reason,
                ..
            }) => {
                return Ok(Measured {
                    row: self.refused(strategy, planned_jobs, reason),
                    spans: None,
                });
            }
            other => other?,
        };
        // A synthetic notebook warms up on a tenth of its size, at most 20,000 notes: enough
        // to fault in code and memory, without a second full run of the disk workload.
        let warm_source = match self.source {
            NoteSource::Synthetic { count, seed } => NoteSource::Synthetic {
                count: (*count / 10).clamp(1, 20_000).min(*count),
                seed: *seed,
            },
            other => other.clone(),
        };
        export(&warm_source, &warm_up, &Hooks::default())?;
        let mut walls = Vec::with_capacity(self.runs);
        let mut peak = None;
        let mut threads = 0;
        let mut last: Option<Summary> = None;
        let mut failed = 0;
        for run in 1..=self.runs {
            (self.prepare)(&mut config, run)?;
            settle_threads(self.idle_threads);
            resources::reset_peak_rss();
            let (summary, peak_threads) =
                resources::peak_threads_during(|| export(self.source, &config, &hooks));
            let summary = summary?;
            peak = peak.max(resources::peak_rss_bytes());
            threads = threads.max(peak_threads.saturating_sub(1));
            walls.push(summary.wall_s);
            failed += summary.failed;
            last = Some(summary);
        }
        walls.sort_by(f64::total_cmp);
        let median = walls[walls.len() / 2];
        let Some(last) = last else {
            return Err(BenchError::Config("no run was measured".into()));
        };
        let spans = self.timeline.then(|| StrategySpans {
            strategy,
            wall_s: last.wall_s,
            spans: last.spans.clone(),
        });
        Ok(Measured {
            row: BenchResult {
                workload: self.workload,
                strategy: strategy.to_string(),
                jobs: last.planned_jobs,
                // N as it acted: 100,000 permits on 30 jobs overlap 30.
                concurrency: last.concurrency.min(last.planned_jobs as usize),
                wall_s: Some(median),
                wall_min_s: walls.first().copied(),
                wall_max_s: walls.last().copied(),
                runs: walls.len(),
                speedup: None,
                efficiency: self.ideal_s.map(|ideal| ideal / median),
                ideal_s: self.ideal_s,
                files_per_s: Some(last.planned_jobs as f64 / median),
                peak_rss_bytes: peak,
                threads,
                computed: false,
                refused: None,
                failed,
            },
            spans,
        })
    }

    fn refused(&self, strategy: StrategyKind, jobs: u64, reason: String) -> BenchResult {
        BenchResult {
            workload: self.workload,
            strategy: strategy.to_string(),
            jobs,
            concurrency: jobs as usize,
            wall_s: None,
            wall_min_s: None,
            wall_max_s: None,
            runs: 0,
            speedup: None,
            efficiency: None,
            ideal_s: self.ideal_s,
            files_per_s: None,
            peak_rss_bytes: None,
            threads: 0,
            computed: false,
            refused: Some(reason),
            failed: 0,
        }
    }
}

/// Waits (at most two seconds) for the threads of an earlier run to be gone: a joined thread
/// can still be counted by the kernel for a moment, and 4,096 of them would be charged to the
/// next strategy.
fn settle_threads(baseline: usize) {
    let deadline = std::time::Instant::now() + Duration::from_secs(2);
    while resources::os_threads() > baseline && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The folder a workload writes in: a folder of its own, made for this run with a fresh,
/// unpredictable name (`smartnotes-bench-XXXXXX`) inside `--dir`, or on tmpfs (/dev/shm) when
/// there is one, so that a slow disk is not what is measured. Removed afterwards, with
/// everything in it and nothing else: what `--dir` held before is never touched.
pub(crate) struct BenchDir {
    dir: tempfile::TempDir,
}

impl BenchDir {
    pub(crate) fn new(dir: Option<&Path>) -> Result<Self, BenchError> {
        let parent = match dir {
            Some(dir) => dir.to_path_buf(),
            None => {
                let shm = Path::new("/dev/shm");
                if shm.is_dir() {
                    shm.to_path_buf()
                } else {
                    std::env::temp_dir()
                }
            }
        };
        let err = |source| BenchError::Dir {
            path: parent.clone(),
            source,
        };
        std::fs::create_dir_all(&parent).map_err(err)?;
        let dir = tempfile::Builder::new()
            .prefix("smartnotes-bench-")
            .tempdir_in(&parent)
            .map_err(err)?;
        Ok(BenchDir { dir })
    }

    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// Empties `root`, a [`BenchDir`]'s own folder, between runs (untimed): everything in it was
/// made by this bench run. Links are removed, never followed.
pub(crate) fn clear(root: &Path) -> Result<(), BenchError> {
    let err = |source| BenchError::Dir {
        path: root.to_path_buf(),
        source,
    };
    for entry in std::fs::read_dir(root).map_err(err)? {
        let path = entry.map_err(err)?.path();
        let is_dir = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir());
        let removed = if is_dir {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        removed.map_err(|source| BenchError::Dir {
            path: path.clone(),
            source,
        })?;
    }
    Ok(())
}

/// Fills in each row's speedup over the workload's sequential row (measured or computed).
fn speedups(rows: &mut [BenchResult]) {
    let base = rows
        .iter()
        .find(|r| r.strategy == StrategyKind::Sequential.to_string())
        .and_then(|r| r.wall_s);
    for row in rows {
        row.speedup = match (base, row.wall_s) {
            (Some(base), Some(wall)) if wall > 0.0 => Some(base / wall),
            _ => None,
        };
    }
}

/// Measures every strategy of `config` with `measure` and adds the rows (and spans).
fn measure_all(
    config: &BenchConfig,
    measure: &Measure<'_>,
    report: &mut Report,
    progress: &mut dyn FnMut(&str),
    computed_sequential: Option<BenchResult>,
) -> Result<Vec<BenchResult>, BenchError> {
    let mut rows = Vec::new();
    for &strategy in &config.strategies {
        if strategy == StrategyKind::Sequential
            && let Some(row) = &computed_sequential
        {
            rows.push(row.clone());
            continue;
        }
        progress(&format!("{}: {strategy}", name(measure.workload)));
        let measured = measure.strategy(strategy)?;
        rows.push(measured.row);
        report.timeline.extend(measured.spans);
    }
    Ok(rows)
}

fn name(workload: Workload) -> &'static str {
    match workload {
        Workload::Lesson => "lesson",
        Workload::Scale => "scale",
        Workload::Disk => "disk",
    }
}

impl std::fmt::Display for Workload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(name(*self))
    }
}
