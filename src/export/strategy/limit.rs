//! How many threads this process may start for one export, and why: the admission of the
//! strategies that start a thread per job or per worker (threads, pool).
//!
//! Linux caps a process at roughly 15,000 threads (`vm.max_map_count`, `pid_max`), an open-file
//! limit caps the writers, and an address-space limit (`ulimit -v`) caps the stacks. Past any
//! of them Rust may abort the whole process instead of returning an error (rust-lang/rust#78497;
//! under `ulimit -v` the abort is "memory allocation failed": the stacks fill the address space
//! and the next allocation, anywhere, cannot be served). So an export is refused up front,
//! before anything is written, when it would start more than half of the tightest limit.

use crate::sys::STACK_SIZE;

/// The most threads one export may start, and what sets that number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ThreadLimit {
    /// The most threads allowed at once.
    pub(crate) max: usize,
    /// What the number comes from, for the refusal message.
    pub(crate) reason: String,
}

/// Address space a started thread costs beside its stack: the guard page, its thread-local
/// render buffer, the allocator's bookkeeping.
const PER_THREAD_EXTRA: usize = 64 * 1024;

/// Half of the tightest of the kernel's limits on threads, mappings, open files and address
/// space.
pub(crate) fn thread_limit() -> ThreadLimit {
    let read =
        |path: &str| -> Option<usize> { std::fs::read_to_string(path).ok()?.trim().parse().ok() };
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap_or_default();
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let soft = |name: &str| -> Option<usize> {
        let line = limits.lines().find(|l| l.starts_with(name))?;
        line[name.len()..].split_whitespace().next()?.parse().ok()
    };
    let in_use_kb = |name: &str| -> usize {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
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
    for (limit, flag, used) in [
        ("Max address space", "-v", "VmSize:"),
        ("Max data size", "-d", "VmData:"),
    ] {
        if let Some(bytes) = soft(limit) {
            let free = bytes.saturating_sub(in_use_kb(used) * 1024);
            candidates.push((
                free / (STACK_SIZE + PER_THREAD_EXTRA),
                format!(
                    "ulimit {flag} is {} KiB, {} MiB of it free, about {} KiB per thread",
                    bytes / 1024,
                    free >> 20,
                    (STACK_SIZE + PER_THREAD_EXTRA) / 1024
                ),
            ));
        }
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

#[cfg(test)]
mod tests {
    #[test]
    fn the_limit_is_positive_and_below_the_linux_ceiling() {
        let limit = super::thread_limit();
        assert!(limit.max >= 1);
        assert!(limit.max <= 16_384, "{limit:?}");
        assert!(!limit.reason.is_empty());
    }
}
