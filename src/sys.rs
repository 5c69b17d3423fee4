//! Small helpers every part of the crate may use, and that depend on no other module: a lock
//! that survives a panicking thread, the number of cores, the stack size of the threads the
//! crate starts, and counts in words. Crate-internal: nothing here is part of the library's API.

use std::sync::{Mutex, MutexGuard, PoisonError};

/// Stack of a thread the crate starts to run jobs (a job thread, a pool worker, a bundle
/// writer): a job needs little (its render buffer is on the heap), and 4,096 workers at the
/// default 2 MiB would reserve 8 GiB of address space.
pub(crate) const STACK_SIZE: usize = 256 * 1024;

/// Locks a mutex, taking the data even if another thread panicked while holding it: the
/// tallies stay meaningful, and one panicking job must not hide the others' results.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// `1 note`, `2 notes`: a count with its noun in the singular for one, so that no message
/// says "1 files".
pub(crate) fn counted(n: impl Into<u64>, one: &str, many: &str) -> String {
    match n.into() {
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    }
}

/// Number of CPU cores available to this process (1 when it cannot be known).
pub(crate) fn cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}
