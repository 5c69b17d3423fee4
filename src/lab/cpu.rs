//! Experiment `cpu`: CPU-bound work in sequence and on threads.
//!
//! The lesson's second program sums 0..5,000,000 twice, in sequence and on two threads. In
//! CPython the two take as long (about 1.0x): the global interpreter lock lets one thread run
//! Python code at a time. Rust has no such lock, so each thread gets its own core and the
//! speedup approaches the number of cores. (Free-threaded CPython, 3.13t and 3.14t, also runs
//! CPU threads in parallel, at a 5-10% cost on one thread: PEP 779.)

use std::hint::black_box;
use std::thread;
use std::time::{Duration, Instant};

use crate::sys::counted;
use serde::Serialize;

/// The sum of 0..n, computed one addition at a time: `black_box` keeps the compiler from
/// replacing the loop with the closed form n(n-1)/2, and `inline(never)` gives the sequential
/// and the threaded runs the same machine code.
#[inline(never)]
pub fn sum_to(n: u64) -> u64 {
    let mut total = 0u64;
    for i in 0..n {
        total = total.wrapping_add(black_box(i));
    }
    total
}

/// One task's work: `rounds` sums of 0..work.
fn task(work: u64, rounds: u32) {
    for _ in 0..rounds {
        black_box(sum_to(black_box(work)));
    }
}

/// Sequential against threaded, for one number of sums.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// Sums computed (and threads used).
    pub threads: usize,
    /// Fastest wall time of the tasks one after another, seconds.
    pub sequential_s: f64,
    /// Fastest wall time of the tasks on one thread each, seconds.
    pub threaded_s: f64,
    /// sequential / threaded.
    pub speedup: f64,
}

/// What `lab cpu` measured.
#[derive(Debug, Clone, Serialize)]
pub struct CpuReport {
    /// Cores available to this process.
    pub cores: usize,
    /// Each sum is over 0..work.
    pub work: u64,
    /// Each task repeats its sum this many times, so that a trial lasts about 50 ms: a 2 ms
    /// trial on a virtual machine measures how fast the second core wakes up, not the work.
    pub rounds: u32,
    /// Timings are the fastest of this many trials.
    pub trials: usize,
    /// Two sums: the lesson's experiment. Its speedup is `speedup`.
    pub two: Comparison,
    /// N sums on N threads.
    pub n: Comparison,
    /// The two-thread speedup.
    pub speedup: f64,
}

/// The fastest trial: on a shared machine other work only ever slows a trial down, so the
/// minimum is the closest to what the work itself costs.
fn fastest(xs: Vec<Duration>) -> f64 {
    xs.into_iter().min().map(|d| d.as_secs_f64()).unwrap_or(0.0)
}

/// Times `sums` tasks in sequence and on `sums` threads.
pub fn compare(sums: usize, work: u64, rounds: u32, trials: usize) -> Comparison {
    compare_with(sums, work, rounds, trials, |task| {
        thread::scope(|scope| {
            for _ in 0..sums {
                scope.spawn(task);
            }
        });
    })
}

/// Times `sums` tasks in sequence against `parallel`, which must run `task` `sums` times its own
/// way (threads, a pool, async tasks); each timing is the fastest of `trials`.
pub fn compare_with(
    sums: usize,
    work: u64,
    rounds: u32,
    trials: usize,
    mut parallel: impl FnMut(&(dyn Fn() + Sync)),
) -> Comparison {
    let one = move || task(work, rounds);
    let mut sequential = Vec::new();
    let mut threaded = Vec::new();
    for _ in 0..trials.max(1) {
        let started = Instant::now();
        for _ in 0..sums {
            one();
        }
        sequential.push(started.elapsed());
        let started = Instant::now();
        parallel(&one);
        threaded.push(started.elapsed());
    }
    let (sequential_s, threaded_s) = (fastest(sequential), fastest(threaded));
    Comparison {
        threads: sums,
        sequential_s,
        threaded_s,
        speedup: sequential_s / threaded_s.max(1e-9),
    }
}

/// Runs the experiment: two sums, then `threads` sums.
pub fn run(work: u64, threads: usize, trials: usize) -> CpuReport {
    let rounds = rounds_for(work, Duration::from_millis(50));
    let two = compare(2, work, rounds, trials);
    // With N = 2 the second comparison is the first one again: measure it once.
    let n = match threads.max(1) {
        2 => two.clone(),
        n => compare(n, work, rounds, trials),
    };
    CpuReport {
        cores: super::cores(),
        work,
        rounds,
        trials,
        speedup: two.speedup,
        two,
        n,
    }
}

/// How many sums of 0..work take about `target` on this machine (at least one).
pub fn rounds_for(work: u64, target: Duration) -> u32 {
    // Warm up first: the first run pays for page faults and frequency scaling.
    black_box(sum_to(black_box(work)));
    let started = Instant::now();
    black_box(sum_to(black_box(work)));
    let one = started.elapsed().as_secs_f64().max(1e-9);
    (target.as_secs_f64() / one).ceil().clamp(1.0, 10_000.0) as u32
}

impl std::fmt::Display for CpuReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "each task: the sum of 0..{}, {} times over (about 50 ms); fastest of {}; {}\n",
            self.work,
            self.rounds,
            counted(self.trials as u64, "trial", "trials"),
            counted(self.cores as u64, "core", "cores")
        )?;
        writeln!(
            f,
            "{:<10} {:>12} {:>12} {:>9}",
            "sums", "sequential", "threads", "speedup"
        )?;
        let rows = if self.n.threads == self.two.threads {
            vec![&self.two]
        } else {
            vec![&self.two, &self.n]
        };
        for c in rows {
            writeln!(
                f,
                "{:<10} {:>10.4} s {:>10.4} s {:>8.2}x",
                c.threads, c.sequential_s, c.threaded_s, c.speedup
            )?;
        }
        writeln!(f, "\nwhat this shows:")?;
        writeln!(
            f,
            "  In CPython the two sums take as long on two threads as in sequence (the lesson: 0.58 s"
        )?;
        writeln!(
            f,
            "  against 0.59 s): the GIL runs one thread's Python code at a time. Rust threads run on"
        )?;
        writeln!(
            f,
            "  separate cores, so the speedup approaches the number of cores ({} here).",
            self.cores
        )?;
        writeln!(
            f,
            "  Free-threaded CPython (3.13t, 3.14t) runs CPU threads in parallel too, at a 5-10% cost."
        )
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sum_is_the_closed_form() {
        assert_eq!(super::sum_to(0), 0);
        assert_eq!(super::sum_to(5_000_000), 5_000_000 * 4_999_999 / 2);
    }

    #[test]
    fn a_comparison_times_both_ways() {
        let c = super::compare(2, 10_000, 1, 1);
        assert!(c.sequential_s > 0.0 && c.threaded_s > 0.0, "{c:?}");
        assert_eq!(c.speedup, c.sequential_s / c.threaded_s, "{c:?}");
    }
}
