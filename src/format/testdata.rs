//! The real notes the differential tests of the hand-written writers (`fast_*_tests.rs`) feed
//! to both sides: every file under `tests/testdata` (the golden notebook, the vault fixtures,
//! other tools' notes), and the two-thread harness of their million-case runs.

use std::path::{Path, PathBuf};

/// Every file under `tests/testdata`, with its text when it is UTF-8.
pub(crate) fn files() -> Vec<(PathBuf, Option<String>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testdata");
    let mut found = Vec::new();
    let mut folders = vec![root];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).ok();
            found.push((path, text));
        }
    }
    found
}

/// `seeded(cases, seed)` on two threads (the machines that run it have two cores), half the
/// cases each, with seeds of their own; what each returned.
pub(crate) fn on_two_threads<T: Send + 'static>(seeded: fn(u64, u64) -> T, cases: u64) -> Vec<T> {
    let handles: Vec<_> = (0..2u64)
        .map(|seed| std::thread::spawn(move || seeded(cases / 2, 1000 + seed)))
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}
