//! What the process costs the machine: peak memory, for export summaries and benchmarks.

/// The peak resident memory of this process so far (the kernel's `VmHWM`), in bytes, or `None`
/// where it cannot be read (not Linux, no `/proc`).
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line["VmHWM:".len()..]
        .trim()
        .strip_suffix("kB")?
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    #[test]
    fn peak_rss_is_read_on_linux() {
        if cfg!(target_os = "linux") {
            let rss = super::peak_rss_bytes().unwrap();
            assert!(rss > 100_000 && rss < 1 << 40, "{rss}");
        }
    }
}
