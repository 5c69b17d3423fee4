//! Round trips through every format (render with [`crate::format`], read back with this module)
//! and the readers' errors.

use std::path::Path;

use proptest::prelude::*;

use super::*;
use crate::format::{Format, RenderOptions};
use crate::model::{Note, validate_tag};

/// Pieces that break naive writers and readers, mixed with arbitrary text.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[^\\x00]{0,8}",
        1 => prop::sample::select(vec![
            "---", "\n", "\r\n", "\r", "\n---\n", "---\nid: 1\n", " ", "\t", "'", "''", "=", "+",
            "-", "@", "\"", ",", ";", "#", "# ", ": ", "- ", "yes", "~", "1:30", "\u{1}",
            "\u{7f}", "\u{85}", "\u{2028}", "\u{feff}", "\u{1b}[0m", "...", "|", ">", "{}",
            "[]", "&a", "*a", "!x", "%", "é", "日本", "💡",
        ])
        .prop_map(str::to_owned),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..10).prop_map(|p| p.concat())
}

fn tag() -> impl Strategy<Value = String> {
    prop_oneof!["[^;\\x00-\\x1f\\x7f]{1,12}", "[-=+@'a-z]{1,6}"]
        .prop_filter("a valid tag", |t| validate_tag(t).is_ok())
}

fn timestamp() -> impl Strategy<Value = Timestamp> {
    // RFC 3339 has four-digit years: 0000-01-01 to 9999-12-31, to the microsecond.
    (-62_167_219_200_000_000i64..=253_402_300_799_999_999)
        .prop_map(|us| Timestamp::from_micros(us).expect("in chrono's range"))
}

fn note() -> impl Strategy<Value = Note> {
    (
        1..=i64::MAX,
        text(),
        prop::collection::vec(tag(), 0..4),
        timestamp(),
        timestamp(),
        text(),
    )
        .prop_map(|(id, title, tags, created, updated, body)| Note {
            id,
            title,
            tags,
            created,
            updated,
            body,
        })
}

fn record_of(note: &Note) -> (Option<i64>, NewNote) {
    (
        Some(note.id),
        NewNote {
            title: note.title.clone(),
            body: note.body.clone(),
            tags: note.tags.clone(),
            created: note.created,
            updated: note.updated,
        },
    )
}

fn read_back(
    name: &str,
    bytes: &[u8],
    format: Format,
    csv_safe: bool,
) -> Vec<(Option<i64>, NewNote)> {
    let text = std::str::from_utf8(bytes).expect("formats write UTF-8");
    parse(Path::new(name), text, format, csv_safe)
        .into_iter()
        .map(|r| {
            let r = r.unwrap_or_else(|e| panic!("{e}\n--- file ---\n{text}"));
            (r.id, r.note)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_format_reads_back_the_note_it_wrote(note in note(), csv_safe: bool) {
        let options = RenderOptions { csv_safe };
        for format in Format::ALL {
            let mut bytes = Vec::new();
            format.render_file(&note, &options, &mut bytes);
            let name = format!("1-x.{}", format.extension());
            let back = read_back(&name, &bytes, format, csv_safe);
            prop_assert_eq!(back, vec![record_of(&note)], "{}", format);
        }
    }

    #[test]
    fn bundles_read_back_every_note(notes in prop::collection::vec(note(), 0..5), csv_safe: bool) {
        let options = RenderOptions { csv_safe };
        for format in Format::ALL {
            let mut bytes = Vec::new();
            format
                .write_bundle(notes.iter().cloned().map(Ok::<_, ()>), &options, &mut bytes)
                .expect("into a Vec");
            if bytes.is_empty() {
                // An empty Markdown or JSON Lines bundle is an empty file: refused on import.
                continue;
            }
            let back = read_back(&format!("notes.{}", format.extension()), &bytes, format, csv_safe);
            let mut want: Vec<_> = notes.iter().map(record_of).collect();
            if format == Format::Md {
                // The Markdown bundle ends every body with a line break (see markdown.rs).
                for (_, n) in &mut want {
                    if !n.body.is_empty() && !n.body.ends_with('\n') {
                        n.body.push('\n');
                    }
                }
            }
            prop_assert_eq!(back, want, "{}", format);
        }
    }
}

fn errors(name: &str, text: &str, format: Format) -> Vec<String> {
    parse(Path::new(name), text, format, false)
        .into_iter()
        .filter_map(|r| r.err().map(|e| e.to_string()))
        .collect()
}

#[test]
fn front_matter_errors_name_the_file_and_line() {
    let text = "---\nid: 3\ntitle: x\ntags: [\ncreated: 2026-01-01T00:00:00Z\n---\nbody";
    let e = errors("3-x.md", text, Format::Md);
    assert_eq!(e.len(), 1);
    assert!(e[0].starts_with("3-x.md:5: front matter: "), "{e:?}");

    let e = errors("3-x.md", "---\nid: 3\ntitle: x\n", Format::Md);
    assert!(
        e[0].starts_with("3-x.md:1: front matter: no closing"),
        "{e:?}"
    );

    let text = "---\nid: 3\ntitle: x\ncolour: red\ncreated: 2026-01-01T00:00:00Z\nupdated: 2026-01-01T00:00:00Z\n---\n";
    let e = errors("3-x.md", text, Format::Md);
    assert!(e[0].contains("unknown field `colour`"), "{e:?}");
}

#[test]
fn markdown_without_front_matter_takes_the_heading_or_the_file_name() {
    let r = parse(
        Path::new("dir/plain.md"),
        "intro\n# The Title #\ntext\r\n",
        Format::Md,
        false,
    );
    let r = r[0].as_ref().unwrap();
    assert_eq!(r.id, None);
    assert_eq!(r.note.title, "The Title");
    assert_eq!(r.note.body, "intro\n# The Title #\ntext\r\n");
    let r = parse(Path::new("dir/plain.md"), "no heading\n", Format::Md, false);
    assert_eq!(r[0].as_ref().unwrap().note.title, "plain");
}

#[test]
fn json_errors_carry_serde_line_and_column() {
    let e = errors(
        "n.json",
        "{\n  \"id\": 1,\n  \"title\": \"x\",,\n}",
        Format::Json,
    );
    assert!(e[0].starts_with("n.json:3: JSON: "), "{e:?}");
    assert!(e[0].contains("column"), "{e:?}");
    let e = errors("n.jsonl", "{\"id\":1}\n\n{oops}\n", Format::Jsonl);
    assert_eq!(e.len(), 2);
    assert!(e[0].starts_with("n.jsonl:1: JSON: missing field"), "{e:?}");
    assert!(e[1].starts_with("n.jsonl:3: JSON: "), "{e:?}");
}

#[test]
fn csv_checks_header_and_columns() {
    let e = errors("n.csv", "id,title\r\n1,x\r\n", Format::Csv);
    assert!(e[0].starts_with("n.csv:1: CSV: the header"), "{e:?}");
    let head = "id,title,tags,created,updated,body\r\n";
    let text = format!(
        "{head}1,a,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z\r\n2,b,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,body,more\r\n"
    );
    let e = errors("n.csv", &text, Format::Csv);
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(e[0].starts_with("n.csv:2: CSV: missing columns"), "{e:?}");
    assert!(e[1].starts_with("n.csv:3: CSV: extra columns"), "{e:?}");
}

#[test]
fn csv_safe_prefix_is_removed_only_when_asked() {
    let head = "id,title,tags,created,updated,body\r\n";
    let text =
        format!("{head}1,'=1+1,'-x;y,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,''quoted\r\n");
    let safe = parse(Path::new("n.csv"), &text, Format::Csv, true);
    let n = &safe[0].as_ref().unwrap().note;
    assert_eq!((n.title.as_str(), n.body.as_str()), ("=1+1", "'quoted"));
    assert_eq!(n.tags, ["-x", "y"]);
    let plain = parse(Path::new("n.csv"), &text, Format::Csv, false);
    assert_eq!(plain[0].as_ref().unwrap().note.title, "'=1+1");
}

#[test]
fn invalid_utf8_names_line_and_byte() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.md");
    std::fs::write(&path, b"ok\nstill ok\nbad \xff here").unwrap();
    let e = read_text(&path, DEFAULT_MAX_SIZE).unwrap_err().to_string();
    assert!(e.ends_with("bad.md:3: invalid UTF-8 at byte 16"), "{e}");
}

#[test]
fn sizes_parse() {
    assert_eq!(parse_size("1KB"), Ok(1000));
    assert_eq!(parse_size("16MiB"), Ok(16 << 20));
    assert_eq!(parse_size("512"), Ok(512));
    assert!(parse_size("12 parsecs").is_err());
}

#[test]
fn identical_copies_fold_and_differing_ones_conflict() {
    let rec = |path: &str, title: &str| Record {
        origin: Origin {
            path: path.into(),
            line: None,
        },
        id: Some(7),
        note: NewNote {
            title: title.into(),
            body: String::new(),
            tags: vec![],
            created: Timestamp::from_micros(0).unwrap(),
            updated: Timestamp::from_micros(0).unwrap(),
        },
    };
    let input = vec![rec("a.md", "x"), rec("a.json", "x"), rec("a.csv", "y")];
    let (kept, dups, errs) = fold_duplicates(input.clone(), ImportMode::KeepIds);
    assert_eq!((kept.len(), dups, errs.len()), (1, 1, 1));
    assert!(
        errs[0]
            .to_string()
            .starts_with("a.csv: note 7 differs from note 7 read from a.md"),
        "{}",
        errs[0]
    );
    let (kept, dups, errs) = fold_duplicates(input, ImportMode::NewIds);
    assert_eq!((kept.len(), dups, errs.len()), (2, 1, 0));
}

#[test]
fn update_keeps_search_in_step() {
    let mut store = Store::open_in_memory().unwrap();
    let t = Timestamp::from_micros(0).unwrap();
    let new = |title: &str, body: &str| Incoming {
        id: Some(5),
        note: NewNote {
            title: title.into(),
            body: body.into(),
            tags: vec!["a".into()],
            created: t,
            updated: t,
        },
    };
    let r = store
        .import(&[new("old", "walrus")], ImportMode::KeepIds, false, false)
        .unwrap();
    assert_eq!(r.outcomes, [Outcome::Added(Some(5))]);
    let r = store
        .import(&[new("old", "walrus")], ImportMode::KeepIds, false, false)
        .unwrap();
    assert!(matches!(r.outcomes[0], Outcome::Clash(_)) && !r.committed);
    let r = store
        .import(&[new("old", "walrus")], ImportMode::Update, false, false)
        .unwrap();
    assert_eq!(r.outcomes, [Outcome::Unchanged(5)]);
    let r = store
        .import(&[new("new", "narwhal")], ImportMode::Update, false, false)
        .unwrap();
    assert_eq!(r.outcomes, [Outcome::Updated(5)]);
    let search = |word: &str| {
        let q = crate::store::Query {
            search: Some(word.parse().unwrap()),
            ..Default::default()
        };
        store.count(&q).unwrap()
    };
    assert_eq!((search("narwhal"), search("walrus")), (1, 0));
    assert_eq!(store.get(5).unwrap().tags, ["a"]);
}
