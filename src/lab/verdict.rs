//! Experiment `verdict`: the lesson's closing table, for Rust, measured in this run.
//!
//! For threads, a pool and async it measures the I/O speedup on the lesson's export, the CPU
//! speedup on two sums, the shared-state risk (how many updates the racy counter lost here),
//! and what each costs to start (a thread, a pool job, a task), all taken now, on this machine.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::{cpu, lesson_export, race};
use crate::export::ExportError;
use crate::sys::counted;

/// One row of the verdict table.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// threads, pool or async.
    pub model: &'static str,
    /// Speedup over sequential on the lesson's export (simulated latency).
    pub io_speedup: f64,
    /// Speedup over sequential on two CPU-bound sums.
    pub cpu_speedup: f64,
    /// What can go wrong with shared state.
    pub shared_state: String,
    /// Measured cost of starting one unit of work, microseconds.
    pub start_cost_us: f64,
    /// What else it costs.
    pub cost: &'static str,
}

/// What `lab verdict` measured.
#[derive(Debug, Clone, Serialize)]
pub struct VerdictReport {
    /// Cores.
    pub cores: usize,
    /// Latency used for the I/O figures, seconds.
    pub latency_s: f64,
    /// Updates the racy counter lost, of the expected total, in this run.
    pub unsync_lost: u64,
    /// Expected count of the racy counter.
    pub unsync_expected: u64,
    /// The rows.
    pub rows: Vec<Row>,
}

/// Trials of each CPU measurement; the fastest counts (see [`cpu`]). Fewer than about 9 often
/// miss a moment when both cores of a shared machine are free.
const CPU_TRIALS: usize = 9;

fn per_unit_us(units: u32, f: impl FnOnce()) -> f64 {
    let started = Instant::now();
    f();
    started.elapsed().as_secs_f64() * 1e6 / f64::from(units)
}

/// Two sums as two tasks on one async thread: CPU work does not overlap there.
fn async_cpu_speedup(work: u64, rounds: u32, trials: usize) -> Result<f64, ExportError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(ExportError::Runtime)?;
    Ok(cpu::compare_with(2, work, rounds, trials, |task| {
        runtime.block_on(async { tokio::join!(async { task() }, async { task() }) });
    })
    .speedup)
}

/// Two sums on a rayon pool of two workers.
fn pool_cpu_speedup(work: u64, rounds: u32, trials: usize) -> Result<f64, ExportError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .map_err(|e| ExportError::Runtime(std::io::Error::other(e)))?;
    // The pool starts its threads lazily: let them start before the clock does.
    pool.join(|| black_box(1), || black_box(2));
    // Two jobs injected into the pool, one for each worker: `pool.join` measured about 1.0x
    // here, as if both halves ran on one worker.
    Ok(cpu::compare_with(2, work, rounds, trials, |task| {
        pool.scope(|scope| {
            scope.spawn(|_| task());
            scope.spawn(|_| task());
        });
    })
    .speedup)
}

/// Runs everything briefly and builds the table.
pub fn run(
    out: &Path,
    latency: Duration,
    narrate: super::Narrator<'_>,
) -> Result<VerdictReport, ExportError> {
    narrate("measuring I/O: the lesson's export, four ways...");
    let io = lesson_export::run(out, latency, &mut |_| {})?;
    let io_speedup = |name: &str| {
        io.runs
            .iter()
            .find(|r| r.strategy == name)
            .map_or(0.0, |r| r.speedup)
    };
    narrate("measuring CPU: two sums of 0..5,000,000...");
    let work = 5_000_000;
    let rounds = cpu::rounds_for(work, Duration::from_millis(50));
    let cpu_threads = cpu::compare(2, work, rounds, CPU_TRIALS).speedup;
    let cpu_pool = pool_cpu_speedup(work, rounds, CPU_TRIALS)?;
    let cpu_async = async_cpu_speedup(work, rounds, CPU_TRIALS)?;
    narrate("measuring shared state: the racy counter, and start-up costs...");
    let racy = race::run(&[race::Variant::Unsync], 100_000, 3, race::Gap::default());
    let unsync_expected = racy.expected * racy.trials as u64;
    let unsync_lost = racy
        .variants
        .iter()
        .flat_map(|v| v.got.iter())
        .map(|g| racy.expected - g)
        .sum();
    let thread_us = per_unit_us(200, || {
        for _ in 0..200 {
            let _ = std::thread::spawn(|| black_box(1)).join();
        }
    });
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().ok();
    let pool_us = per_unit_us(10_000, || {
        if let Some(pool) = &pool {
            pool.scope(|s| {
                for _ in 0..10_000 {
                    s.spawn(|_| {
                        black_box(1);
                    });
                }
            });
        }
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(ExportError::Runtime)?;
    let task_us = per_unit_us(100_000, || {
        runtime.block_on(async {
            let handles: Vec<_> = (0..100_000)
                .map(|_| tokio::spawn(async { black_box(1) }))
                .collect();
            for h in handles {
                let _ = h.await;
            }
        })
    });
    let lost_pct = 100.0 * unsync_lost as f64 / unsync_expected as f64;
    let rows = vec![
        Row {
            model: "threads",
            io_speedup: io_speedup("threads"),
            cpu_speedup: cpu_threads,
            shared_state: format!(
                "race conditions possible (racy counter lost {lost_pct:.0}% here); data races rejected by the compiler"
            ),
            start_cost_us: thread_us,
            cost: "a stack mapping and a kernel task per thread; capped near 15,000 threads per process",
        },
        Row {
            model: "pool",
            io_speedup: io_speedup("pool"),
            cpu_speedup: cpu_pool,
            shared_state: "same as threads (the workers are threads)".into(),
            start_cost_us: pool_us,
            cost: "N threads, reused; overlap bounded by N",
        },
        Row {
            model: "async",
            io_speedup: io_speedup("async"),
            cpu_speedup: cpu_async,
            shared_state:
                "on one thread, tasks switch only at .await; on many, Send + Sync rules as threads"
                    .into(),
            start_cost_us: task_us,
            cost: "a few hundred bytes per waiting task; CPU work blocks the thread it runs on",
        },
    ];
    Ok(VerdictReport {
        cores: super::cores(),
        latency_s: latency.as_secs_f64(),
        unsync_lost,
        unsync_expected,
        rows,
    })
}

impl std::fmt::Display for VerdictReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "\nmeasured now: {}; I/O = the lesson's 30-file export at {:.0} ms per file; CPU = two sums on",
            counted(self.cores as u64, "core", "cores"),
            self.latency_s * 1e3
        )?;
        writeln!(
            f,
            "two threads / a pool of two / two tasks on one async thread\n"
        )?;
        writeln!(
            f,
            "{:<8} {:>10} {:>10} {:>11}  shared state / cost",
            "model", "I/O", "CPU", "start"
        )?;
        for r in &self.rows {
            writeln!(
                f,
                "{:<8} {:>9.1}x {:>9.2}x {:>8.2} us  {}",
                r.model, r.io_speedup, r.cpu_speedup, r.start_cost_us, r.shared_state
            )?;
            writeln!(f, "{:<45}  {}", "", r.cost)?;
        }
        writeln!(f, "\nwhat this shows:")?;
        writeln!(
            f,
            "  For waiting (I/O), all three overlap the waits; async does it without a thread per wait."
        )?;
        writeln!(
            f,
            "  For computing (CPU), threads and pools use every core in Rust (no GIL); one async thread"
        )?;
        writeln!(
            f,
            "  does not. Shared state needs a Mutex or an atomic in every model; the compiler refuses"
        )?;
        writeln!(f, "  the unsynchronised version outright.")
    }
}
