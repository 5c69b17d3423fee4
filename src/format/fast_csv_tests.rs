//! The hand-written CSV record against the `csv` crate, byte for byte, with and without
//! `--csv-safe`: generated notes (proptest, and a million seeded cases in the ignored slow
//! test), the seeder's corpus and the real note collections under `tests/testdata`. Where the
//! fast path declines a note it must write nothing.

use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::csv::{cell, library_record};
use super::fast_csv::write;
use crate::format::testdata::{file_notes, plain_note, random_note};
use crate::model::{Note, Source, Timestamp};

fn check(note: &Note) -> bool {
    let mut took = true;
    for safe in [false, true] {
        let mut library = b"before".to_vec();
        library_record(note, safe, &mut library);
        let mut fast = b"before".to_vec();
        took = write(note, |s| cell(s, safe), &mut fast);
        if took {
            assert_eq!(
                String::from_utf8_lossy(&fast),
                String::from_utf8_lossy(&library),
                "safe: {safe}"
            );
        } else {
            assert_eq!(fast, b"before", "declined but wrote");
        }
    }
    took
}

/// Text biased to what CSV quotes and what `--csv-safe` prefixes.
fn tricky(rng: &mut impl Rng) -> String {
    const PIECES: &[&str] = &[
        ",", "\"", "\"\"", "\r", "\n", "\r\n", ";", "=", "+", "-", "@", "\t", "'", "=SUM(A1)", " ",
        "\0", "é", "日本", "🎉", "\u{feff}", "#", "abcdefgh",
    ];
    let mut s = String::new();
    for _ in 0..rng.random_range(0..6) {
        match rng.random_range(0..3) {
            0 => s.push_str(PIECES[rng.random_range(0..PIECES.len())]),
            1 => s.push(char::from(rng.random_range(0u8..0x80))),
            _ => {
                for _ in 0..rng.random_range(1..12) {
                    s.push(char::from(rng.random_range(b'a'..=b'z')));
                }
            }
        }
    }
    s
}

fn seeded(cases: u64, seed: u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for _ in 0..cases {
        assert!(check(&random_note(&mut rng, tricky)));
    }
}

#[test]
fn seeded_cases_match_the_csv_crate() {
    seeded(20_000, 1);
}

#[test]
#[ignore = "slow: a million cases (runs in CI with --include-ignored)"]
fn a_million_seeded_cases_match_the_csv_crate() {
    crate::format::testdata::on_two_threads(seeded, 1_000_000);
}

#[test]
fn every_note_of_the_seeder_matches() {
    for (i, new) in crate::store::seed::notes(5_000, 42).enumerate() {
        assert!(check(&new.with_id(i as i64 + 1)));
    }
}

#[test]
fn the_real_note_collections_match_the_csv_crate() {
    let notes = file_notes();
    for note in &notes {
        assert!(check(note));
        for line in note.tags.iter().take(50) {
            assert!(check(&plain_note(
                note.id,
                line.clone(),
                vec![],
                line.clone(),
                0
            )));
        }
    }
    assert!(notes.len() > 50, "only {} files", notes.len());
}

#[test]
fn a_note_with_properties_or_a_source_is_left_to_the_csv_crate() {
    let mut note = plain_note(1, "t".into(), vec![], "b".into(), 0);
    note.source = Some(Source::new("a.md", None));
    assert!(!check(&note));
    note.source = None;
    note.properties.insert("k".into(), serde_json::json!(1));
    assert!(!check(&note));
}

proptest! {
    #[test]
    fn any_note_matches_the_csv_crate(
        id in any::<i64>(),
        title in any::<String>(),
        tags in prop::collection::vec(any::<String>(), 0..4),
        body in any::<String>(),
        micros in Timestamp::MIN.as_micros()..=Timestamp::MAX.as_micros(),
    ) {
        prop_assert!(check(&plain_note(id, title, tags, body, micros)));
    }
}
