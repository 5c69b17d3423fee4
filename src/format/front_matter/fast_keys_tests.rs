//! The hand-written keys against serde_yaml_ng, byte for byte: generated notes (proptest, and
//! a million seeded cases in the ignored slow test), the seeder's corpus and every line, word
//! and file name of the real note collections under `tests/testdata`. Where the fast path
//! declines a note it must write nothing.

use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::fast_keys::{Style, style, write};
use super::smartnotes::library_keys;
use crate::model::{Note, Timestamp};

/// Pieces YAML gives a meaning to, which the generators put together.
const PIECES: &[&str] = &[
    "null", "Null", "NULL", "nULL", "~", "true", "True", "TRUE", "tRUE", "false", "FALSE", "yes",
    "Yes", "no", "NO", "on", "Off", "y", "Y", "n", "N", "<<", "=", ".inf", "-.inf", "+.inf",
    ".NaN", ".nan", "inf", "nan", "infinity", "Infinity", "0x1F", "0o17", "0b101", "-0x1", "1e5",
    "1E+5", "e5", "1_000", "1:30", "007", "-007", "+1", "-0", "0", "1.5", ".5", "---", "...", "--",
    "-", "?", ":", "? x", ": x", "- x", "a: b", "a:b", "a:", "a #b", "a#b", "#", "#tag", "'", "''",
    "\"", "it's", "[a]", "{a}", "&a", "*a", "!a", "|", ">", "%", "@", "`", ",", " ", "  ", "\t",
    "\r", "\n", "\r\n", "\u{85}", "\u{2028}", "\u{feff}", "\u{7f}", "\0", "é", "日本", "🎉", "x",
    "Rust", "note", "Note #12", "a/b", "a\\b", "(x)", "_x",
];

/// A string made of a few pieces and random characters, biased to what YAML cares about.
fn tricky(rng: &mut impl Rng) -> String {
    let mut s = String::new();
    for _ in 0..rng.random_range(0..4) {
        match rng.random_range(0..4) {
            0 => s.push_str(PIECES[rng.random_range(0..PIECES.len())]),
            1 => s.push(rng.random_range(0x20u8..0x7f) as char),
            2 => {
                for _ in 0..rng.random_range(1..12) {
                    s.push(rng.random_range(b'a'..=b'z') as char);
                }
            }
            _ => s.push(' '),
        }
    }
    s
}

fn timestamp(rng: &mut impl Rng) -> Timestamp {
    let micros = match rng.random_range(0..4) {
        0 => Timestamp::MIN.as_micros(),
        1 => Timestamp::MAX.as_micros(),
        // Whole seconds and whole milliseconds, which RFC 3339 writes shorter.
        2 => rng.random_range(0..253_402_300_799i64) * 1_000_000,
        _ => rng.random_range(Timestamp::MIN.as_micros()..=Timestamp::MAX.as_micros()),
    };
    Timestamp::from_micros(micros).unwrap_or(Timestamp::MIN)
}

fn note_with(id: i64, title: String, tags: Vec<String>, created: Timestamp) -> Note {
    Note {
        id,
        title,
        tags,
        created,
        updated: created,
        body: String::new(),
        properties: Default::default(),
        source: None,
    }
}

fn random_note(rng: &mut impl Rng) -> (Note, Option<usize>) {
    let id = match rng.random_range(0..3) {
        0 => rng.random(),
        _ => rng.random_range(1..=crate::model::MAX_ID),
    };
    let tags = (0..rng.random_range(0..4)).map(|_| tricky(rng)).collect();
    let mut note = note_with(id, tricky(rng), tags, timestamp(rng));
    note.updated = timestamp(rng);
    let body_bytes = rng.random_bool(0.3).then(|| rng.random_range(0..1 << 40));
    (note, body_bytes)
}

/// Whether the fast path took the note; panics if it wrote other bytes than serde_yaml_ng, or
/// anything at all when it declined.
fn check(note: &Note, body_bytes: Option<usize>) -> bool {
    let mut library = b"before".to_vec();
    library_keys(note, body_bytes, &mut library);
    let mut fast = b"before".to_vec();
    let took = write(note, body_bytes, &mut fast);
    if took {
        assert_eq!(
            String::from_utf8_lossy(&fast),
            String::from_utf8_lossy(&library),
            "title {:?}, tags {:?}",
            note.title,
            note.tags
        );
    } else {
        assert_eq!(fast, b"before", "declined but wrote: {note:?}");
    }
    took
}

fn seeded(cases: u64, seed: u64) -> u64 {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..cases)
        .filter(|_| {
            let (note, body_bytes) = random_note(&mut rng);
            check(&note, body_bytes)
        })
        .count() as u64
}

#[test]
fn seeded_cases_match_serde_yaml_ng() {
    let taken = seeded(20_000, 1);
    // The generator is built to be hard: still, most of its notes must take the fast path, or
    // the test would prove little.
    assert!(taken > 2_000, "only {taken} of 20,000 took the fast path");
}

#[test]
#[ignore = "slow: a million cases (runs in CI with --include-ignored)"]
fn a_million_seeded_cases_match_serde_yaml_ng() {
    let taken: u64 = crate::format::testdata::on_two_threads(seeded, 1_000_000)
        .iter()
        .sum();
    assert!(
        taken > 100_000,
        "only {taken} of 1,000,000 took the fast path"
    );
}

#[test]
fn every_note_of_the_seeder_takes_the_fast_path_and_matches() {
    for (i, new) in crate::store::seed::notes(5_000, 42).enumerate() {
        let note = new.with_id(i as i64 + 1);
        assert!(check(&note, None), "declined: {note:?}");
        assert!(check(&note, Some(note.body.len())));
    }
}

/// Every line, white-space separated word and file name under `tests/testdata` (the golden
/// notebook, the vault fixtures, the other tools' notes).
fn real_texts() -> Vec<String> {
    let mut texts = Vec::new();
    for (path, text) in crate::format::testdata::files() {
        if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
            texts.push(stem.to_owned());
        }
        let Some(text) = text else {
            continue;
        };
        for line in text.lines() {
            texts.push(line.to_owned());
            texts.push(line.trim().to_owned());
            // A front matter line's value, as an importer hands it over.
            if let Some((_, value)) = line.split_once(": ") {
                texts.push(value.to_owned());
            }
            texts.extend(line.split_whitespace().map(str::to_owned));
        }
    }
    texts.sort();
    texts.dedup();
    texts
}

#[test]
fn the_real_note_collections_match_serde_yaml_ng() {
    let texts = real_texts();
    assert!(texts.len() > 1_000, "only {} texts found", texts.len());
    let mut taken = 0;
    for (i, text) in texts.iter().enumerate() {
        let tag = texts[(i * 7 + 3) % texts.len()].clone();
        let note = note_with(
            i as i64,
            text.clone(),
            vec![tag, text.clone()],
            Timestamp::MIN,
        );
        taken += usize::from(check(&note, None));
    }
    assert!(taken > texts.len() / 4, "{taken} of {} taken", texts.len());
}

#[test]
fn each_style_is_the_one_libyaml_picks() {
    for plain in [
        "Rust",
        "é",
        "日本語のノート",
        "a:b:c",
        "a#b",
        "it's",
        "a/b",
        "_x",
        "x:",
        "x ?",
        "a - b",
    ] {
        let want = if plain.ends_with(':') {
            Some(Style::SingleQuoted)
        } else {
            Some(Style::Plain)
        };
        assert_eq!(style(plain), want, "{plain}");
    }
    for quoted in [
        "Note #12", "a: b", "#x", "'x'", "@me", "? x", "x ", "?", ":", "%x", "`x`",
    ] {
        assert_eq!(style(quoted), Some(Style::SingleQuoted), "{quoted}");
    }
    for declined in [
        "",
        "1x",
        "-x",
        ".x",
        "~",
        "+1",
        "null",
        "TRUE",
        "yes",
        "\u{feff}x",
        "a\u{2028}b",
        "\u{85}",
        "a\nb",
        "a\tb",
    ] {
        assert_eq!(style(declined), None, "{declined:?}");
    }
}

proptest! {
    #[test]
    fn any_note_matches_serde_yaml_ng(
        id in any::<i64>(),
        title in any::<String>(),
        tags in prop::collection::vec("[ -~]{0,10}", 0..4),
        micros in Timestamp::MIN.as_micros()..=Timestamp::MAX.as_micros(),
        body_bytes in prop::option::of(any::<usize>()),
    ) {
        let created = Timestamp::from_micros(micros).unwrap_or(Timestamp::MIN);
        let note = note_with(id, title, tags, created);
        check(&note, body_bytes);
    }

    #[test]
    fn printable_ascii_notes_match_serde_yaml_ng(
        title in "[ -~]{0,24}",
        tags in prop::collection::vec("[ -~]{0,10}", 0..4),
    ) {
        check(&note_with(1, title, tags, Timestamp::MAX), None);
    }
}
