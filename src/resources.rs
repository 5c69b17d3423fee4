//! What this process uses: OS threads and peak memory, read from `/proc/self/status`.
//!
//! The lab and the benchmarks report these beside their timings (the lesson's point about
//! threads is as much about their cost as about their speed). On systems without `/proc` the
//! readings are absent (`None` or 0), never guessed.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

fn status_field(name: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(name)?.strip_prefix(':')?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

/// Threads of this process (0 where there is no `/proc`).
pub fn os_threads() -> usize {
    status_field("Threads").unwrap_or(0) as usize
}

/// The most resident memory this process has had (`VmHWM`), in bytes, since it started or
/// since the last [`reset_peak_rss`].
pub fn peak_rss_bytes() -> Option<u64> {
    status_field("VmHWM").map(|kib| kib * 1024)
}

/// Memory resident now (`VmRSS`), in bytes.
pub fn rss_bytes() -> Option<u64> {
    status_field("VmRSS").map(|kib| kib * 1024)
}

/// Starts a new peak-memory measurement: `VmHWM` falls back to the current resident size
/// (Linux 4.0+, writing 5 to `/proc/self/clear_refs`). Returns whether it could.
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Runs `f` while a sampler thread records the most OS threads this process had.
///
/// `f` starts only once the sampler has taken its first reading: on a busy machine a new
/// thread may not run for milliseconds, and a short `f` would otherwise end unobserved.
pub fn peak_threads_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let peak = AtomicUsize::new(0);
    let done = AtomicBool::new(false);
    let started = std::sync::Barrier::new(2);
    let value = std::thread::scope(|scope| {
        scope.spawn(|| {
            peak.fetch_max(os_threads(), Ordering::Relaxed);
            started.wait();
            while !done.load(Ordering::Relaxed) {
                peak.fetch_max(os_threads(), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(2));
            }
        });
        started.wait();
        let value = f();
        done.store(true, Ordering::Relaxed);
        value
    });
    (value, peak.load(Ordering::Relaxed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_os = "linux")]
    fn readings_are_plausible_on_linux() {
        assert!(os_threads() >= 1);
        let now = rss_bytes().unwrap();
        let peak = peak_rss_bytes().unwrap();
        assert!(peak >= now && now > 0, "peak {peak} now {now}");
        let (_, threads) = peak_threads_during(|| {
            std::thread::scope(|s| {
                for _ in 0..4 {
                    s.spawn(|| std::thread::sleep(Duration::from_millis(30)));
                }
            })
        });
        // Four workers, the sampler and this thread.
        assert!(threads >= 6, "{threads}");
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn even_an_instant_task_is_observed_with_the_sampler_and_the_caller() {
        // Before the sampler waited for its first reading, a task that ends at once could
        // finish before the sampler ran at all (a busy machine): 0 threads.
        for _ in 0..100 {
            let ((), threads) = peak_threads_during(|| ());
            assert!(threads >= 2, "{threads}");
        }
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn a_reset_peak_follows_the_current_size() {
        let big = vec![1u8; 64 << 20];
        std::hint::black_box(&big);
        drop(big);
        // Linux resets the peak since 4.0 (`echo 5 > /proc/self/clear_refs`): no skip.
        assert!(reset_peak_rss(), "/proc/self/clear_refs refused the reset");
        let peak = peak_rss_bytes().unwrap();
        assert!(peak < rss_bytes().unwrap() + (32 << 20), "peak {peak}");
    }
}
