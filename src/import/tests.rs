//! Round trips through every format (render with [`crate::format`], read back with this module)
//! and the readers' errors, lines and limits.

use std::path::{Path, PathBuf};

use proptest::prelude::*;

use super::*;
use crate::format::{Format, RenderOptions};
use crate::model::{MAX_ID, Note, validate_tag};
use crate::store::{Incoming, Outcome, Store};

/// Pieces that break naive writers and readers, mixed with arbitrary text: front matter and
/// `---` lines, a Markdown bundle's own record openings, line breaks of every kind, white space
/// at the ends, a byte-order mark, and what CSV, YAML and spreadsheets treat specially.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[^\\x00]{0,8}",
        1 => Just(SHOWN.to_owned()),
        1 => (1..=MAX_ID).prop_map(|id| format!("---\nid: {id}\ntitle: x\ncreated: 2026-01-01T00:00:00Z\nupdated: 2026-01-01T00:00:00Z\n---\n")),
        1 => prop::sample::select(vec![
            "---", "\n", "\r\n", "\r", "\n---\n", "---\nid: 1\n", "---\r\nid: 2\r\n", "\n---\nid:",
            "body_bytes: 3\n", "---\n---\n", " \n", "\t\r\n", "  ", "\u{feff}---\n", " ", "\t", "'", "''", "=", "+",
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

/// What `smartnotes show 1` prints: a whole Markdown file, front matter and all.
const SHOWN: &str = "---\nid: 1\ntitle: '読書メモ #1'\ntags:\n- personal\ncreated: 2025-04-02T10:48:32Z\nupdated: 2025-04-09T03:08:19Z\n---\n# 読書メモ #1\n\nSome text.\n";

fn timestamp() -> impl Strategy<Value = Timestamp> {
    // What the notebook keeps: 0001-01-01 to 9999-12-31 in UTC, to the microsecond.
    (-62_135_596_800_000_000i64..=253_402_300_799_999_999)
        .prop_map(|us| Timestamp::from_micros(us).expect("in chrono's range"))
}

fn note() -> impl Strategy<Value = Note> {
    (
        prop_oneof![1..=MAX_ID, Just(MAX_ID), Just(1)],
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
            properties: Default::default(),
            source: None,
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
            properties: Default::default(),
            source: None,
        },
    )
}

/// The shape of the files of a format.
pub(super) fn shape(format: Format) -> Shape {
    match format {
        Format::Md => Shape::Markdown,
        Format::Json => Shape::Json,
        Format::Jsonl => Shape::Jsonl,
        Format::Csv => Shape::Csv,
    }
}

/// Reading as `--strict` does (smartnotes' own files, every problem an error), or not, with a
/// fixed zone and modification time so that results do not depend on the machine.
pub(super) fn options(strict: bool, csv_safe: bool) -> ReadOptions {
    ReadOptions {
        strict,
        csv_safe,
        zone: Zone::utc(),
        modified: "2026-01-02T03:04:05Z".parse().ok(),
        ..ReadOptions::default()
    }
}

/// `text` read strictly as smartnotes' own `format`: the import of before other tools' notes
/// were read, which `--strict` keeps.
fn parse(path: &Path, text: &str, format: Format, csv_safe: bool) -> Vec<Parsed> {
    super::parse(path, text, shape(format), &options(true, csv_safe)).records
}

/// [`parse`], and the work the reader did.
fn parse_counted(path: &Path, text: &str, format: Format, csv_safe: bool) -> (Vec<Parsed>, u64) {
    let (read, work) = super::parse_counted(path, text, shape(format), &options(true, csv_safe));
    (read.records, work)
}

fn read_back(
    name: &str,
    bytes: &[u8],
    format: Format,
    csv_safe: bool,
) -> Vec<(Option<i64>, NewNote)> {
    read_back_as(name, bytes, format, csv_safe, true)
}

fn read_back_as(
    name: &str,
    bytes: &[u8],
    format: Format,
    csv_safe: bool,
    strict: bool,
) -> Vec<(Option<i64>, NewNote)> {
    let text = std::str::from_utf8(bytes).expect("formats write UTF-8");
    super::parse(
        Path::new(name),
        text,
        shape(format),
        &options(strict, csv_safe),
    )
    .records
    .into_iter()
    .map(|r| {
        let r = r.unwrap_or_else(|e| panic!("{e}\n--- file ---\n{text}"));
        (r.id, r.note)
    })
    .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Whatever goes in comes back (issue 10, item 4): every format, one file per note, read
    /// strictly and as import reads by default (issue 12: a file smartnotes wrote is read as
    /// written, its `#words` not taken for tags, its empty title kept).
    #[test]
    fn every_format_reads_back_the_note_it_wrote(note in note(), csv_safe: bool, strict: bool) {
        let options = RenderOptions {
            csv_safe,
            ..RenderOptions::default()
        };
        for format in Format::ALL {
            let mut bytes = Vec::new();
            format.render_file(&note, &options, &mut bytes);
            let name = format!("1-x.{}", format.extension());
            let back = read_back_as(&name, &bytes, format, csv_safe, strict);
            prop_assert_eq!(back, vec![record_of(&note)], "{}", format);
        }
    }

    /// Whatever goes in comes back (issue 10, item 4): every format as a bundle, whatever the
    /// bodies hold, the Markdown bundle included (it used to lose a body quoting front matter
    /// and add a line break to a body without one).
    #[test]
    fn bundles_read_back_every_note(notes in prop::collection::vec(note(), 0..5), csv_safe: bool) {
        let options = RenderOptions {
            csv_safe,
            ..RenderOptions::default()
        };
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
            let want: Vec<_> = notes.iter().map(record_of).collect();
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

    // Issue 12: a key smartnotes does not own was an error ("unknown field `colour`"); it is
    // the note's property now, even under --strict (smartnotes itself writes properties).
    let text = "---\nid: 3\ntitle: x\ncolour: red\ncreated: 2026-01-01T00:00:00Z\nupdated: 2026-01-01T00:00:00Z\n---\n";
    let r = parse(Path::new("3-x.md"), text, Format::Md, false);
    let note = &r[0].as_ref().unwrap().note;
    assert_eq!(note.properties["colour"], "red");
    assert_eq!(note.properties.len(), 1);
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
        bom: false,
        note: NewNote {
            title: title.into(),
            body: String::new(),
            tags: vec![],
            created: Timestamp::from_micros(0).unwrap(),
            updated: Timestamp::from_micros(0).unwrap(),
            properties: Default::default(),
            source: None,
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
            properties: Default::default(),
            source: None,
        },
    };
    let r = store
        .import(&[new("old", "walrus")], ImportMode::KeepIds, false, false)
        .unwrap();
    assert_eq!(r.outcomes, [Outcome::Added(Some(5))]);
    let count = |store: &Store, word: &str| {
        let q = crate::store::Query {
            search: Some(word.parse().unwrap()),
            ..Default::default()
        };
        store.count(&q).unwrap()
    };
    // The import writes the search index itself (its triggers are off meanwhile, so that FTS5
    // does not flush at every note): an imported note is found, and a note added after it is
    // too, so the triggers are back on.
    assert_eq!(count(&store, "walrus"), 1);
    store
        .add(NewNote::now("later", "a platypus", vec![]))
        .unwrap();
    assert_eq!(count(&store, "platypus"), 1);
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

fn md_bundle(notes: &[Note]) -> String {
    let mut bytes = Vec::new();
    Format::Md
        .write_bundle(
            notes.iter().cloned().map(Ok::<_, ()>),
            &RenderOptions::default(),
            &mut bytes,
        )
        .expect("into a Vec");
    String::from_utf8(bytes).expect("UTF-8")
}

fn plain_note(id: i64, body: &str) -> Note {
    let t: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
    Note {
        id,
        title: format!("note {id}"),
        tags: vec!["a".into()],
        created: t,
        updated: t,
        body: body.into(),
        properties: Default::default(),
        source: None,
    }
}

/// Issue 10: `smartnotes show 1 | smartnotes add -t "How an export looks"`, bundle export,
/// import: the body came back empty (and the quoted note came in as a note of its own).
#[test]
fn a_markdown_bundle_keeps_a_body_that_quotes_front_matter() {
    let notes = [
        plain_note(1, "first\n"),
        plain_note(4, SHOWN),
        plain_note(5, "---\r\nid: 9\r\n---\r\n"),
        plain_note(6, "no final line break\n---\nid: 7"),
        plain_note(8, "last\n"),
    ];
    let text = md_bundle(&notes);
    let back = read_back("notes.md", text.as_bytes(), Format::Md, false);
    assert_eq!(
        back,
        notes.iter().map(record_of).collect::<Vec<_>>(),
        "{text}"
    );
    // Only the records that need it say how long their body is.
    assert_eq!(text.matches("\nbody_bytes: ").count(), 3, "{text}");
    assert!(text.contains(&format!("\nbody_bytes: {}\n---\n{SHOWN}", SHOWN.len())));
}

#[test]
fn the_bundle_key_is_the_one_the_writer_names() {
    let text = md_bundle(&[plain_note(1, "x")]);
    assert!(
        text.contains(&format!("\n{}: 1\n", crate::format::BODY_BYTES)),
        "{text}"
    );
}

/// A bundle written before `body_bytes` existed (every body ended with a line break, added by
/// the writer where the note had none) still imports, to what it always gave.
#[test]
fn an_old_markdown_bundle_still_imports() {
    let old = "---\nid: 1\ntitle: a\ntags: []\ncreated: 2026-01-01T00:00:00Z\nupdated: 2026-01-01T00:00:00Z\n---\nbody\n---\nnot a record\n---\nid: 2\ntitle: b\ntags:\n- x\ncreated: 2026-01-01T00:00:00Z\nupdated: 2026-01-01T00:00:00Z\n---\n---\nid: 3\ntitle: c\ntags: []\ncreated: 2026-01-01T00:00:00Z\nupdated: 2026-01-01T00:00:00Z\n---\nno newline once\n";
    let back = read_back("notes.md", old.as_bytes(), Format::Md, false);
    let bodies: Vec<_> = back.iter().map(|(id, n)| (*id, n.body.as_str())).collect();
    assert_eq!(
        bodies,
        [
            (Some(1), "body\n---\nnot a record\n"),
            (Some(2), ""),
            (Some(3), "no newline once\n")
        ]
    );
}

#[test]
fn a_wrong_body_length_is_an_error_at_its_line() {
    let text = md_bundle(&[plain_note(1, "short"), plain_note(2, "two\n")]);
    let edited = text.replace("short", "shorter");
    let e = errors("notes.md", &edited, Format::Md);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].starts_with("notes.md:8: front matter: body_bytes: 5 bytes of body are not followed by the next note"), "{e:?}");
    let alone = md_bundle(&[plain_note(1, "short")]);
    let e = errors("notes.md", &alone[..alone.len() - 3], Format::Md);
    assert!(
        e[0].starts_with(
            "notes.md:8: front matter: body_bytes: 5 bytes of body run past the end of the file"
        ),
        "{e:?}"
    );
    let e = errors("notes.md", &alone.replace("short", "shorté"), Format::Md);
    assert!(
        e[0].contains("body_bytes: 5 bytes of body are not followed"),
        "{e:?}"
    );
    let e = errors(
        "notes.md",
        &alone.replace("short", "shor\u{e9}"),
        Format::Md,
    );
    assert!(
        e[0].contains("body_bytes: 5 bytes of body end inside a character"),
        "{e:?}"
    );
    // In a file of its own a note has no use for the key: the file was a renamed bundle.
    let e = errors("1-note.md", &text, Format::Md);
    assert!(
        e[0].starts_with(
            "1-note.md:8: front matter: unknown field `body_bytes`: only a Markdown bundle"
        ),
        "{e:?}"
    );
}

/// A broken record of a bundle is an error at its line; it used to be read, silently, as part of
/// the body before it.
#[test]
fn a_broken_record_in_a_bundle_is_an_error_not_part_of_a_body() {
    let text = md_bundle(&[plain_note(1, "one\n"), plain_note(2, "two\n")]);
    let broken = text.replace("title: note 2", "title: [note 2");
    let e = errors("notes.md", &broken, Format::Md);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].starts_with("notes.md:12: front matter: title: "),
        "{e:?}"
    );
}

/// Issue 10: errors pointed at line 2 whatever line the field was on, without naming it.
#[test]
fn markdown_errors_name_the_line_and_the_field() {
    let md = |id: &str, tags: &str, created: &str, updated: &str| {
        format!(
            "---\nid: {id}\ntitle: x\ntags:{tags}\ncreated: {created}\nupdated: {updated}\n---\nbody\n"
        )
    };
    let ok = "2026-01-01T00:00:00Z";
    let cases = [
        (
            md("1", " []", "yesterday", ok),
            "x.md:5: front matter: created: \"yesterday\" is not an RFC 3339 timestamp",
        ),
        (
            md("1", " []", ok, "2016-12-31T23:59:60Z"),
            "x.md:6: front matter: updated: \"2016-12-31T23:59:60Z\" is a leap second",
        ),
        (
            md("1", " []", ok, "9999-12-31T23:59:59.999999-23:59"),
            "x.md:6: front matter: updated: \"9999-12-31T23:59:59.999999-23:59\" is out of range: times are from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z",
        ),
        (
            md("9223372036854775807", " []", ok, ok),
            "x.md:2: front matter: id: 9223372036854775807 is out of range: ids are 1 to 9007199254740991",
        ),
        (
            md("0", " []", ok, ok),
            "x.md:2: front matter: id: 0 is out of range",
        ),
        (
            md("99999999999999999999", " []", ok, ok),
            "x.md:2: front matter: id: 99999999999999999999 is out of range",
        ),
        (
            md("1", "\n- fine\n- 'a;b'", ok, ok),
            "x.md:6: front matter: tags[1]: invalid tag \"a;b\"",
        ),
        (
            md("1", " [fine, ' pad']", ok, ok),
            "x.md:4: front matter: tags[1]: invalid tag \" pad\"",
        ),
    ];
    for (text, want) in cases {
        let e = errors("x.md", &text, Format::Md);
        assert!(
            e.len() == 1 && e[0].starts_with(want),
            "want {want:?}\ngot {e:?}"
        );
    }
    for (id, want) in [
        ("'5'", "id: invalid type: string \"5\", expected an id"),
        (
            "1.0",
            "id: invalid type: floating point `1.0`, expected an id",
        ),
    ] {
        let e = errors("x.md", &md(id, " []", ok, ok), Format::Md);
        assert!(
            e[0].starts_with(&format!("x.md:2: front matter: {want}")),
            "{e:?}"
        );
    }
    // With the fields in another order, the line follows the field.
    let moved = "---\nupdated: 2026-01-01T00:00:00Z\ntitle: x\n\n\nid: 1\ncreated: 10000-01-01T00:00:00Z\n---\n";
    let e = errors("x.md", moved, Format::Md);
    assert!(e[0].starts_with("x.md:7: front matter: created: "), "{e:?}");
}

#[test]
fn json_jsonl_and_csv_errors_name_the_line_and_the_field() {
    let ok = "2026-01-01T00:00:00Z";
    let json = format!(
        "[\n  {{\n    \"id\": 1,\n    \"title\": \"a\",\n    \"created\": \"{ok}\",\n    \"updated\": \"{ok}\"\n  }},\n  {{\n    \"id\": 2,\n    \"title\": \"b\",\n    \"created\": \"{ok}\",\n    \"updated\": \"2016-12-31T23:59:60Z\"\n  }},\n  {{\"id\": 9007199254740992, \"title\": \"c\", \"created\": \"{ok}\", \"updated\": \"{ok}\"}}\n]\n"
    );
    let results = parse(Path::new("n.json"), &json, Format::Json, false);
    assert!(results[0].is_ok(), "a bad note fails alone: {results:?}");
    let e: Vec<String> = results
        .iter()
        .filter_map(|r| r.as_ref().err().map(|e| e.to_string()))
        .collect();
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(
        e[0].starts_with("n.json:12: JSON: updated: \"2016-12-31T23:59:60Z\" is a leap second"),
        "{e:?}"
    );
    assert!(
        e[1].starts_with("n.json:14: JSON: id: 9007199254740992 is out of range"),
        "{e:?}"
    );
    assert!(e[1].contains("(column "), "{e:?}");
    let huge = format!(
        "{{\"id\": 99999999999999999999, \"title\": \"c\", \"created\": \"{ok}\", \"updated\": \"{ok}\"}}"
    );
    let e = errors("n.json", &huge, Format::Json);
    assert!(
        e[0].starts_with("n.json:1: JSON: id: 100000000000000000000 is out of range"),
        "{e:?}"
    );

    let jsonl = format!(
        "{{\"id\":1,\"title\":\"a\",\"created\":\"{ok}\",\"updated\":\"{ok}\"}}\n\n{{\"id\":2,\"title\":\"b\",\"tags\":[\"x\",\"\"],\"created\":\"{ok}\",\"updated\":\"{ok}\"}}\n"
    );
    let e = errors("n.jsonl", &jsonl, Format::Jsonl);
    assert!(
        e.len() == 1 && e[0].starts_with("n.jsonl:3: JSON: tags[1]: invalid tag \"\""),
        "{e:?}"
    );

    let head = "id,title,tags,created,updated,body\r\n";
    let csv =
        format!("{head}1,\"two\nlines\",,{ok},0000-12-31T00:00:00Z,b\r\n0,x,,{ok},{ok},b\r\n");
    let e = errors("n.csv", &csv, Format::Csv);
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(
        e[0].starts_with("n.csv:3: CSV: updated: \"0000-12-31T00:00:00Z\" is out of range"),
        "{e:?}"
    );
    assert!(
        e[1].starts_with("n.csv:4: CSV: id: 0 is out of range"),
        "{e:?}"
    );
}

/// Issue 10: a `.md` saved with a byte-order mark was imported with its front matter as body,
/// a new id and today's dates; a `.json` with one gave "expected value".
#[test]
fn a_byte_order_mark_is_read_past_in_every_format() {
    let t = "2026-01-01T00:00:00Z";
    let files = [
        (
            "n.md",
            Format::Md,
            format!(
                "\u{feff}---\nid: 5\ntitle: x\ntags: []\ncreated: {t}\nupdated: {t}\n---\nbody\n"
            ),
        ),
        (
            "n.json",
            Format::Json,
            format!(
                "\u{feff}{{\"id\": 5, \"title\": \"x\", \"created\": \"{t}\", \"updated\": \"{t}\", \"body\": \"body\\n\"}}"
            ),
        ),
        (
            "n.jsonl",
            Format::Jsonl,
            format!(
                "\u{feff}{{\"id\": 5, \"title\": \"x\", \"created\": \"{t}\", \"updated\": \"{t}\", \"body\": \"body\\n\"}}\n"
            ),
        ),
        (
            "n.csv",
            Format::Csv,
            format!("\u{feff}id,title,tags,created,updated,body\r\n5,x,,{t},{t},\"body\n\"\r\n"),
        ),
    ];
    for (name, format, text) in files {
        let r = parse(Path::new(name), &text, format, false);
        let r = r[0].as_ref().unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            (r.id, r.note.title.as_str(), r.note.body.as_str()),
            (Some(5), "x", "body\n"),
            "{name}"
        );
        assert_eq!(r.note.created.to_string(), t, "{name}");
        assert!(r.bom, "{name}");
    }
    let r = parse(
        Path::new("plain.md"),
        "\u{feff}# Heading\ntext\n",
        Format::Md,
        false,
    );
    let r = r[0].as_ref().unwrap();
    assert_eq!(
        (r.note.title.as_str(), r.note.body.as_str(), r.bom),
        ("Heading", "# Heading\ntext\n", true)
    );
    let e = errors("bom.json", "\u{feff}", Format::Json);
    assert_eq!(e, ["bom.json: the file is empty"]);
}

/// Issue 10: front matter of `[` x 100,000 then `]` x 100,000 (200 KB) took 152 s to refuse.
#[test]
fn a_deeply_nested_front_matter_is_refused_before_parsing() {
    let bomb = format!(
        "---\nid: 1\ntitle: {}{}\ncreated: 2026-01-01T00:00:00Z\nupdated: 2026-01-01T00:00:00Z\n---\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let (results, work) = parse_counted(Path::new("bomb.md"), &bomb, Format::Md, false);
    let e = results[0].as_ref().unwrap_err().to_string();
    assert_eq!(
        e,
        "bomb.md:3: front matter: lists or maps nested more than 32 deep"
    );
    // Refused before the YAML parser saw it: the text was scanned a few times, no more.
    assert!(work < 4 * bomb.len() as u64, "{work}");
    let mut big = format!(
        "---\nid: 1\ntitle: {}\n",
        "x".repeat(front_matter::MAX_BYTES)
    );
    big.push_str("---\n");
    let e = errors("big.md", &big, Format::Md);
    assert!(
        e[0].starts_with("big.md:1: front matter: no closing `---` line within 1048576 bytes"),
        "{e:?}"
    );
}

/// A bundle of `n` notes in `format`, of bodies that make readers look for record ends.
fn bundle_of(n: i64, format: Format) -> String {
    let notes: Vec<Note> = (1..=n)
        .map(|id| {
            plain_note(
                id,
                if id % 3 == 0 {
                    SHOWN
                } else {
                    "a line\n---\nand a rule\n"
                },
            )
        })
        .collect();
    let mut bytes = Vec::new();
    format
        .write_bundle(
            notes.into_iter().map(Ok::<_, ()>),
            &RenderOptions::default(),
            &mut bytes,
        )
        .expect("into a Vec");
    String::from_utf8(bytes).expect("UTF-8")
}

/// Issue 10: a 10,000-note Markdown bundle took 48-60 s against 1 s for JSON (newlines counted
/// again from the start for every record). The work a reader does, in bytes looked at, is a
/// small multiple of its input's size however many records it holds.
#[test]
fn every_reader_does_work_linear_in_its_input() {
    for format in Format::ALL {
        let per_byte = |n: i64| {
            let text = bundle_of(n, format);
            let name = format!("notes.{}", format.extension());
            let (results, work) = parse_counted(Path::new(&name), &text, format, false);
            assert_eq!(results.len(), n as usize);
            assert!(results.iter().all(Result::is_ok), "{format}");
            work as f64 / text.len() as f64
        };
        let (small, large) = (per_byte(200), per_byte(3000));
        assert!(large < 8.0, "{format}: {large} bytes looked at per byte");
        assert!(
            large < small * 1.5,
            "{format}: {small} per byte for 200 notes, {large} for 3000"
        );
    }
}

/// Every note of a JSON array that shares an id with thousands of others and differs from them
/// is kept, with one lookup each.
#[test]
fn copies_are_found_by_hash() {
    let t = Timestamp::from_micros(0).unwrap();
    let records: Vec<Record> = (0..20_000)
        .map(|i| Record {
            origin: Origin {
                path: "n.json".into(),
                line: None,
            },
            id: Some(1),
            bom: false,
            note: NewNote {
                title: format!("{i}"),
                body: String::new(),
                tags: vec![],
                created: t,
                updated: t,
                properties: Default::default(),
                source: None,
            },
        })
        .collect();
    let mut doubled = records.clone();
    doubled.extend(records);
    let (kept, dups, errs) = fold_duplicates(doubled, ImportMode::NewIds);
    assert_eq!((kept.len(), dups, errs.len()), (20_000, 20_000, 0));
}

#[cfg(unix)]
#[test]
fn fifos_sockets_and_devices_are_never_opened() {
    let dir = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("mkfifo")
        .arg(dir.path().join("pipe.md"))
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
    let _socket = std::os::unix::net::UnixListener::bind(dir.path().join("socket.json")).unwrap();
    std::os::unix::fs::symlink("/dev/null", dir.path().join("null.csv")).unwrap();
    std::fs::write(dir.path().join("note.md"), "# A note\n").unwrap();
    let walked = walk(&[dir.path().to_path_buf()]);
    let names = |files: Vec<PathBuf>| -> Vec<String> {
        files
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect()
    };
    assert_eq!(
        names(walked.files.into_iter().map(|f| f.path).collect()),
        ["note.md"]
    );
    let special: Vec<_> = walked
        .special
        .iter()
        .map(|s| {
            (
                s.path.file_name().unwrap().to_string_lossy().into_owned(),
                s.kind,
            )
        })
        .collect();
    assert_eq!(
        special,
        [
            ("null.csv".to_owned(), SpecialKind::CharDevice),
            ("pipe.md".to_owned(), SpecialKind::Fifo),
            ("socket.json".to_owned(), SpecialKind::Socket)
        ]
    );
    // Named, or read directly: refused at once (opening the FIFO would wait for a writer).
    let pipe = dir.path().join("pipe.md");
    let e = read_text(&pipe, DEFAULT_MAX_SIZE).unwrap_err();
    assert!(
        e.to_string()
            .ends_with("pipe.md: is a FIFO, not a regular file"),
        "{e}"
    );
    let walked = walk(std::slice::from_ref(&pipe));
    assert!(walked.files.is_empty());
    assert!(
        walked.errors[0]
            .to_string()
            .ends_with("pipe.md: is a FIFO, not a regular file")
    );
}

/// The store writes the search index itself during an import, its triggers off (FTS5 flushed
/// at every note through them: 30% of an import's time). Whatever the import's end, committed,
/// rolled back by a clash, or given up by the engine, the triggers are on again after it.
#[test]
fn triggers_are_back_on_after_every_kind_of_import() {
    let mut store = Store::open_in_memory().unwrap();
    let t = Timestamp::from_micros(0).unwrap();
    let note = |title: &str, body: &str| NewNote {
        title: title.into(),
        body: body.into(),
        tags: vec![],
        created: t,
        updated: t,
        properties: Default::default(),
        source: None,
    };
    let search = |store: &Store, word: &str| {
        let q = crate::store::Query {
            search: Some(word.parse().unwrap()),
            ..Default::default()
        };
        store.count(&q).unwrap()
    };
    let one = |id, title: &str, body: &str| Incoming {
        id: Some(id),
        note: note(title, body),
    };
    store
        .import(&[one(1, "a", "alpaca")], ImportMode::KeepIds, false, false)
        .unwrap();
    // A clash: rolled back.
    let r = store
        .import(&[one(1, "b", "bison")], ImportMode::KeepIds, false, false)
        .unwrap();
    assert!(!r.committed);
    // Given up by the feed: rolled back, what it wrote gone from the index too.
    let r = store
        .import_each(ImportMode::NewIds, false, false, |sink| {
            sink.put(&Incoming {
                id: None,
                note: note("c", "caribou"),
            })?;
            Ok(false)
        })
        .unwrap();
    assert!(!r.committed);
    assert_eq!(
        (
            search(&store, "alpaca"),
            search(&store, "bison"),
            search(&store, "caribou")
        ),
        (1, 0, 0)
    );
    // Updated through an import: the old words leave the index, the new come in.
    store
        .import(&[one(1, "a", "dingo")], ImportMode::Update, false, false)
        .unwrap();
    assert_eq!((search(&store, "alpaca"), search(&store, "dingo")), (0, 1));
    // And a note added outside an import is indexed by the triggers.
    store.add(note("e", "emu")).unwrap();
    assert_eq!(search(&store, "emu"), 1);
    // A note removed after an import leaves the index (the delete trigger runs).
    store.remove(1).unwrap();
    assert_eq!(search(&store, "dingo"), 0);
}

/// Issue 12, item 5: the readers of other tools' notes do work linear in their input too, as
/// the trust issue's rule says: a vault note with a long YAML, TOML or JSON front matter and a
/// long body of tags and code, jrnl's JSON export and its journal file, `n` units each.
#[test]
fn the_readers_of_other_tools_do_work_linear_in_their_input() {
    /// A file's name and shape, and how to make it of `n` units.
    type Unit = (&'static str, Shape, fn(usize) -> String);
    let units: [Unit; 6] = [
        // A warning for every key: each is named at its line, the front matter scanned once.
        ("n.md", Shape::Markdown, |n| {
            let keys: Vec<String> = (0..n).map(|i| format!("\"k\\u0001{i}\": 1")).collect();
            format!("{{\n{}\n}}\nbody\n", keys.join(",\n"))
        }),
        ("n.md", Shape::Markdown, |n| {
            let keys: String = (0..n)
                .map(|i| format!("key{i}: [a, b, {{c: {i}}}]\n"))
                .collect();
            let body: String = (0..n)
                .map(|i| format!("#tag{i} text `#code` [[link#{i}]]\n\n```\n# no\n```\n"))
                .collect();
            format!("---\n{keys}tags: x, y\ndate: 2019-05-01 16:54\n---\n{body}")
        }),
        ("n.md", Shape::Markdown, |n| {
            let keys: String = (0..n)
                .map(|i| format!("key{i} = [\"a\", {{ c = {i} }}]\n"))
                .collect();
            format!("+++\n{keys}date = 2019-05-01T16:54:00\n+++\nbody #t\n")
        }),
        ("n.md", Shape::Markdown, |n| {
            let keys: Vec<String> = (0..n)
                .map(|i| format!("\"key{i}\": [\"a\", {{\"c\": {i}}}]"))
                .collect();
            format!("{{\n{}\n}}\nbody\n", keys.join(",\n"))
        }),
        ("j.json", Shape::Json, |n| {
            let entries: Vec<String> = (0..n)
                .map(|i| format!("{{\"title\": \"t{i}\", \"body\": \"@a b\", \"date\": \"2013-06-09\", \"time\": \"15:39\", \"tags\": [\"@a\"], \"starred\": false}}"))
                .collect();
            format!(
                "{{\"tags\": {{\"@a\": {n}}}, \"entries\": [\n{}\n]}}",
                entries.join(",\n")
            )
        }),
        ("j.txt", Shape::Text, |n| {
            (0..n)
                .map(|i| {
                    format!("[2020-08-29 11:11] Entry {i}. *\n\nLorem @ipsum dolor @tag{i}.\n\n")
                })
                .collect()
        }),
    ];
    for (name, shape, make) in units {
        let per_byte = |n: usize| {
            let text = make(n);
            let (read, work) =
                super::parse_counted(Path::new(name), &text, shape, &options(false, false));
            assert!(
                read.records.iter().all(Result::is_ok),
                "{name}: {:?}",
                read.records.iter().find(|r| r.is_err())
            );
            if text.contains("\\u0001") {
                assert_eq!(read.warnings.len(), n, "{:?}", read.warnings.first());
            }
            work as f64 / text.len() as f64
        };
        let (small, large) = (per_byte(200), per_byte(3000));
        assert!(large < 8.0, "{name}: {large} bytes looked at per byte");
        assert!(
            large < small * 1.5,
            "{name}: {small} per byte for 200 units, {large} for 3000"
        );
    }
}
