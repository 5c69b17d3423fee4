//! The real notes the differential tests of the hand-written writers (`fast_*_tests.rs`) feed
//! to both sides: every file under `tests/testdata` (the golden notebook, the vault fixtures,
//! other tools' notes), the plain notes both sides are given, and the two-thread harness of
//! their million-case runs.

use std::path::{Path, PathBuf};

use rand::Rng;

use crate::model::{Note, Timestamp};

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

/// A note without properties or source (what the fast paths take), its two dates one.
pub(crate) fn plain_note(
    id: i64,
    title: String,
    tags: Vec<String>,
    body: String,
    micros: i64,
) -> Note {
    let time = Timestamp::from_micros(micros).unwrap_or(Timestamp::MIN);
    Note {
        id,
        title,
        tags,
        created: time,
        updated: time,
        body,
        properties: Default::default(),
        source: None,
    }
}

/// A plain note of the seeded runs: random id and date, its title, tags and body from `text`.
pub(crate) fn random_note<R: Rng>(rng: &mut R, text: fn(&mut R) -> String) -> Note {
    let tags = (0..rng.random_range(0..4)).map(|_| text(rng)).collect();
    let micros = rng.random_range(Timestamp::MIN.as_micros()..=Timestamp::MAX.as_micros());
    plain_note(rng.random(), text(rng), tags, text(rng), micros)
}

/// Every UTF-8 file under `tests/testdata` as a plain note: its first line the title, its
/// lines the tags, its text the body.
pub(crate) fn file_notes() -> Vec<Note> {
    let texts = files().into_iter().filter_map(|(_, text)| text);
    texts
        .enumerate()
        .map(|(i, text)| {
            let lines: Vec<String> = text.lines().map(str::to_owned).collect();
            let title = lines.first().cloned().unwrap_or_default();
            plain_note(i as i64 + 1, title, lines, text, 0)
        })
        .collect()
}
