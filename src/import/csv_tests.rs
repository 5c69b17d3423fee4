//! The CSV reader a thread keeps for small files (`csv.rs`, `READER`) against a new reader per
//! file: the same records, errors and lines for every file, read one after another on one
//! thread in a random order, so that each file follows files of every kind (broken quotes,
//! missing columns, other tools' headers, files cut anywhere).

use std::path::Path;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::csv::{read, read_new};
use super::lines::Lines;
use crate::format::testdata::{file_notes, files, random_note};
use crate::format::{Format, RenderOptions};

/// Text biased to what CSV quotes.
fn tricky(rng: &mut ChaCha8Rng) -> String {
    const PIECES: &[&str] = &[
        ",", "\"", "\r\n", "\n", ";", "=", "'", "é", "日本", " ", "x",
    ];
    (0..rng.random_range(0..8))
        .map(|_| PIECES[rng.random_range(0..PIECES.len())])
        .collect()
}

/// CSV texts: smartnotes' files and bundles of real and random notes (plain and `--csv-safe`),
/// every CSV file of tests/testdata, hand-made broken ones, and cuts of all of those.
fn texts(rng: &mut ChaCha8Rng) -> Vec<String> {
    let mut notes = file_notes();
    notes.extend((0..200).map(|_| random_note(rng, tricky)));
    let mut texts = Vec::new();
    for (i, note) in notes.iter().enumerate() {
        let options = RenderOptions {
            csv_safe: i % 2 == 0,
            ..RenderOptions::default()
        };
        let mut bytes = Vec::new();
        Format::Csv.render_file(note, &options, &mut bytes);
        texts.push(String::from_utf8(bytes).unwrap());
    }
    let mut bundle = Vec::new();
    Format::Csv
        .write_bundle(
            notes.iter().take(20).cloned().map(Ok::<_, ()>),
            &RenderOptions::default(),
            &mut bundle,
        )
        .unwrap();
    texts.push(String::from_utf8(bundle).unwrap());
    let real = files()
        .into_iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "csv"));
    texts.extend(real.filter_map(|(_, text)| text));
    for broken in [
        "",
        "id,title,tags,created,updated,body\r\n",
        "id,title\r\n1,x\r\n",
        "name,email\r\nx,y\r\n",
        "id,title,tags,created,updated,body\r\n1,\"open,,,,\r\n",
        "id,title,tags,created,updated,body\r\n1,a,,2026-01-01T00:00:00Z\r\n",
        "id,title,tags,created,updated,body\r\n1,a,,x,y,z,extra,more\r\n",
        "\"id\",\"title\r\n",
    ] {
        texts.push(broken.to_owned());
    }
    let cuts: Vec<String> = texts
        .iter()
        .filter(|t| t.len() > 1)
        .take(60)
        .map(|t| {
            let mut at = rng.random_range(1..t.len());
            while !t.is_char_boundary(at) {
                at -= 1;
            }
            t[..at].to_owned()
        })
        .collect();
    texts.extend(cuts);
    texts
}

fn seen(text: &str, reused: bool) -> String {
    let path = Path::new("notes/1-x.csv");
    let mut lines = Lines::new(text);
    let parsed = match reused {
        true => read(path, text, false, &mut lines),
        false => read_new(path, text, false, &mut lines),
    };
    format!("{parsed:?}")
}

#[test]
fn a_reused_reader_reads_every_file_as_a_new_one_would() {
    let mut rng = ChaCha8Rng::seed_from_u64(14);
    let mut texts = texts(&mut rng);
    assert!(texts.len() > 300);
    let mut errors = 0;
    for _ in 0..3 {
        texts.shuffle(&mut rng);
        for text in &texts {
            let new = seen(text, false);
            assert_eq!(seen(text, true), new, "--- file ---\n{text}");
            errors += usize::from(new.contains("Err("));
        }
    }
    assert!(errors > 30, "the files hold errors of every kind: {errors}");
}
