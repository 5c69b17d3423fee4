//! The hand-written JSON against serde_json, byte for byte, pretty and compact: generated
//! notes (proptest, and a million seeded cases in the ignored slow test), the seeder's corpus
//! and the real note collections under `tests/testdata` (every file as a body, every line as
//! a title and a tag). Where the fast path declines a note it must write nothing.

use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::fast_json::write;
use crate::format::testdata::{file_notes, plain_note, random_note};
use crate::model::{Note, Source, Timestamp};

fn check(note: &Note) -> bool {
    let mut took = true;
    for pretty in [true, false] {
        let mut library = b"before".to_vec();
        let _ = if pretty {
            serde_json::to_writer_pretty(&mut library, note)
        } else {
            serde_json::to_writer(&mut library, note)
        };
        let mut fast = b"before".to_vec();
        took = write(note, pretty, &mut fast);
        if took {
            assert_eq!(
                String::from_utf8_lossy(&fast),
                String::from_utf8_lossy(&library),
                "pretty: {pretty}"
            );
        } else {
            assert_eq!(fast, b"before", "declined but wrote");
        }
    }
    took
}

/// Text biased to what JSON escapes: quotes, backslashes, every control character, DEL,
/// characters of two, three and four bytes, runs longer than eight bytes.
fn tricky(rng: &mut impl Rng) -> String {
    const PIECES: &[&str] = &[
        "\"",
        "\\",
        "\n",
        "\r\n",
        "\t",
        "\u{8}",
        "\u{c}",
        "\0",
        "\u{1f}",
        "\u{7f}",
        "é",
        "日本",
        "🎉",
        "\u{2028}",
        "\u{feff}",
        "\\u0041",
        "</script>",
        "abcdefgh",
        "        ",
    ];
    let mut s = String::new();
    for _ in 0..rng.random_range(0..8) {
        match rng.random_range(0..4) {
            0 => s.push_str(PIECES[rng.random_range(0..PIECES.len())]),
            1 => s.push(char::from(rng.random_range(0u8..0x80))),
            2 => s.push(rng.random_range('\u{0}'..='\u{10ffff}')),
            _ => {
                for _ in 0..rng.random_range(1..20) {
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
fn seeded_cases_match_serde_json() {
    seeded(20_000, 1);
}

#[test]
#[ignore = "slow: a million cases (runs in CI with --include-ignored)"]
fn a_million_seeded_cases_match_serde_json() {
    crate::format::testdata::on_two_threads(seeded, 1_000_000);
}

#[test]
fn every_note_of_the_seeder_matches() {
    for (i, new) in crate::store::seed::notes(5_000, 42).enumerate() {
        assert!(check(&new.with_id(i as i64 + 1)));
    }
}

#[test]
fn the_real_note_collections_match_serde_json() {
    let notes = file_notes();
    for note in &notes {
        assert!(check(note));
    }
    assert!(notes.len() > 50, "only {} files", notes.len());
}

#[test]
fn a_note_with_properties_or_a_source_is_left_to_serde_json() {
    let mut note = plain_note(1, "t".into(), vec![], "b".into(), 0);
    note.source = Some(Source::new("a.md", None));
    assert!(!check(&note));
    note.source = None;
    note.properties.insert("k".into(), serde_json::json!(1));
    assert!(!check(&note));
}

proptest! {
    #[test]
    fn any_note_matches_serde_json(
        id in any::<i64>(),
        title in any::<String>(),
        tags in prop::collection::vec(any::<String>(), 0..4),
        body in any::<String>(),
        micros in Timestamp::MIN.as_micros()..=Timestamp::MAX.as_micros(),
    ) {
        prop_assert!(check(&plain_note(id, title, tags, body, micros)));
    }
}
