//! One OS thread per job, as in the lesson: every job starts at once, so the whole export takes
//! about as long as its slowest job.
//!
//! The parallelism comes from the kernel scheduling one thread per job; waiting threads cost no
//! CPU. What they do cost is memory and kernel objects: each thread has a stack mapping and a
//! task id, and Linux caps a process at roughly 15,000 threads (`vm.max_map_count`, `pid_max`).
//! Past that ceiling Rust may abort the whole process instead of returning an error
//! (rust-lang/rust#78497), so this strategy refuses, before writing anything, any export with
//! more jobs than [`limit`] allows, which stays well below the ceiling.

use std::sync::Arc;
use std::thread;

use super::{Jobs, Strategy};
use crate::export::ExportError;
use crate::export::work::{Failure, Work, lock};

/// Stack size of a job thread. A job renders one note and writes it; 256 KiB is ample and
/// keeps the address space of thousands of threads small.
const STACK_SIZE: usize = 256 * 1024;

/// Starts one scoped thread per job.
#[derive(Debug, Clone, Copy)]
pub struct Threads;

/// How many threads this process may start for one export, and what sets that number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadLimit {
    /// The most job threads allowed at once.
    pub max: usize,
    /// What the number comes from, for the refusal message.
    pub reason: String,
}

/// Half of the tightest of the kernel's limits on threads, mappings and open files: the export
/// must stay well below the point where thread creation fails or aborts.
pub fn limit() -> ThreadLimit {
    let read =
        |path: &str| -> Option<usize> { std::fs::read_to_string(path).ok()?.trim().parse().ok() };
    let soft = |name: &str| -> Option<usize> {
        let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
        let line = limits.lines().find(|l| l.starts_with(name))?;
        line[name.len()..].split_whitespace().next()?.parse().ok()
    };
    let mut candidates: Vec<(usize, String)> = Vec::new();
    if let Some(maps) = read("/proc/sys/vm/max_map_count") {
        candidates.push((
            maps / 4,
            format!("vm.max_map_count is {maps}, about 4 mappings per thread"),
        ));
    }
    if let Some(pids) = read("/proc/sys/kernel/pid_max") {
        candidates.push((pids, format!("kernel.pid_max is {pids}")));
    }
    if let Some(threads) = read("/proc/sys/kernel/threads-max") {
        candidates.push((threads, format!("kernel.threads-max is {threads}")));
    }
    if let Some(procs) = soft("Max processes") {
        candidates.push((procs, format!("ulimit -u is {procs}")));
    }
    if let Some(files) = soft("Max open files") {
        // Every job thread holds one file open while it writes; keep room for the rest.
        candidates.push((
            files.saturating_sub(64) * 2,
            format!("ulimit -n is {files}, one open file per writing thread"),
        ));
    }
    let (ceiling, reason) = candidates.into_iter().min_by_key(|(n, _)| *n).unwrap_or((
        20_000,
        "no kernel limits could be read; assuming 20,000".to_owned(),
    ));
    ThreadLimit {
        max: (ceiling / 2).max(1),
        reason,
    }
}

impl Strategy for Threads {
    fn admit(&self, jobs: u64) -> Result<(), ExportError> {
        let limit = limit();
        if jobs > limit.max as u64 {
            return Err(ExportError::Refused {
                strategy: "threads",
                reason: format!(
                    "one thread per job would start {jobs} threads, more than the {} this machine can safely hold ({}); use --strategy pool or async",
                    limit.max, limit.reason
                ),
            });
        }
        Ok(())
    }

    fn run(&self, jobs: &mut Jobs<'_>, work: &Arc<Work>) -> Result<(), ExportError> {
        thread::scope(|scope| {
            for job in jobs {
                if work.cancelled() {
                    break;
                }
                let job = job?;
                let spawned = thread::Builder::new()
                    .name(format!("job-{}", job.index))
                    .stack_size(STACK_SIZE)
                    .spawn_scoped(scope, {
                        let job = job.clone();
                        move || work.run_blocking(job)
                    });
                if let Err(e) = spawned {
                    // The kernel said no despite the limit: fail this job, start no more.
                    let (note_id, format, path) = describe(&job, work);
                    lock(&work.failures).push(Failure {
                        note_id,
                        format,
                        path,
                        error: format!("could not start a thread: {e}"),
                    });
                    work.stop();
                }
            }
            // The scope joins every thread before returning.
            Ok(())
        })
    }

    fn threads(&self, jobs: u64) -> usize {
        jobs as usize
    }
}

fn describe(
    job: &crate::export::work::Job,
    work: &Work,
) -> (Option<i64>, crate::format::Format, std::path::PathBuf) {
    use crate::export::work::JobKind;
    match &job.kind {
        JobKind::Note { note, format } => (
            Some(note.id),
            *format,
            crate::export::naming::relative_path(note, *format, work.naming),
        ),
        JobKind::Bundle { format } => (
            None,
            *format,
            crate::export::naming::bundle_name(*format).into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_limit_is_positive_and_below_the_linux_ceiling() {
        let limit = super::limit();
        assert!(limit.max >= 1);
        assert!(limit.max <= 16_384, "{limit:?}");
        assert!(!limit.reason.is_empty());
    }
}
