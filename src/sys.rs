//! Small helpers every part of the crate may use, and that depend on no other module: a lock
//! that survives a panicking thread, the number of cores, the stack size of the threads the
//! crate starts, counts in words, and values kept per thread ([`PerThread`]). Crate-internal:
//! nothing here is part of the library's API.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
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

/// Slots of a [`PerThread`]: more than the threads that write at once on the machines this
/// runs on (one per core), so that two of them rarely share one.
const SLOTS: usize = 16;

/// This thread's slot in a [`PerThread`], from 0 to `SLOTS - 1`: each thread takes the next
/// slot the first time it asks.
fn thread_slot() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        // Const-initialised: reading it is a load, with no lazy-initialisation check.
        static SLOT: Cell<usize> = const { Cell::new(usize::MAX) };
    }
    SLOT.with(|slot| match slot.get() {
        usize::MAX => {
            let next = NEXT.fetch_add(1, Ordering::Relaxed) % SLOTS;
            slot.set(next);
            next
        }
        mine => mine,
    })
}

/// One `T` per thread slot, each on a cache line of its own: threads that update a value for
/// every file they write (a count, a list of names) each touch their own line instead of
/// passing one line back and forth, and whoever reads the value combines the slots once.
/// Two threads may share a slot: each slot is as thread-safe as `T` itself.
#[derive(Debug, Default)]
pub(crate) struct PerThread<T> {
    slots: [Padded<T>; SLOTS],
}

#[derive(Debug, Default)]
#[repr(align(128))]
struct Padded<T>(T);

impl<T> PerThread<T> {
    /// The calling thread's slot.
    pub(crate) fn mine(&self) -> &T {
        &self.slots[thread_slot()].0
    }

    /// Every slot.
    pub(crate) fn all(&self) -> impl Iterator<Item = &T> {
        self.slots.iter().map(|slot| &slot.0)
    }
}

impl PerThread<AtomicU64> {
    /// Adds `n` to the calling thread's count.
    pub(crate) fn add(&self, n: u64) {
        self.mine().fetch_add(n, Ordering::Relaxed);
    }

    /// Takes `n` from the calling thread's count: a slot may wrap below zero, the sum does not.
    pub(crate) fn sub(&self, n: u64) {
        self.mine().fetch_sub(n, Ordering::Relaxed);
    }

    /// The sum of every slot.
    pub(crate) fn sum(&self) -> u64 {
        self.all()
            .fold(0u64, |sum, n| sum.wrapping_add(n.load(Ordering::Relaxed)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_thread_counts_sum_exactly_whatever_thread_adds_or_takes() {
        let count = PerThread::<AtomicU64>::default();
        // More threads than slots: some share one.
        std::thread::scope(|scope| {
            for t in 0..40u64 {
                let count = &count;
                scope.spawn(move || {
                    for _ in 0..1000 {
                        count.add(t + 1);
                    }
                    // A thread may take more than it added: its slot wraps, the sum does not.
                    count.sub(1000 * (t + 1) + t);
                });
            }
        });
        count.add(1_000_000);
        assert_eq!(count.sum(), 1_000_000 - (0..40).sum::<u64>());
        let used = count
            .all()
            .filter(|n| n.load(Ordering::Relaxed) != 0)
            .count();
        assert!(used > 1, "the threads spread over the slots");
    }
}
