//! Fuzz-style tests of every importer (issue 10, Done when; issue 12 adds the readers of other
//! tools' notes): arbitrary bytes, and arbitrary input shaped like each format (front matter
//! with every YAML construct and bundle separator; other tools' Markdown with YAML, TOML and
//! JSON front matter, dates, tags and code of every form; JSON values of any shape; jrnl's
//! JSON export and journal file; CSV with any quoting), cut short at any point, read strictly
//! and not. For every input: no panic; every error and warning names the file; the work the
//! reader does is bounded by a small multiple of the input's size (counted by
//! [`super::lines::Lines`], not timed); a Markdown note's source and body together are the file,
//! byte for byte; and every note of smartnotes' own it accepts is written back by its format
//! and read again to the same note.
//!
//! The default run tries a few hundred inputs per importer; the `#[ignore]`d `_many` tests try
//! many more (CI runs them with `--include-ignored`).

use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::Value;

use super::{ReadOptions, Record, Shape, Zone, decode, parse, parse_counted, tests};
use crate::format::{Format, RenderOptions};
use crate::model::Note;

/// Inputs are at most a few KiB, so each case's time is bounded by its work.
const MAX_INPUT: usize = 4096;

/// How a fuzzed text is read: strictly or not, with `--csv-safe` or not.
#[derive(Clone, Copy, Debug)]
struct Mode {
    strict: bool,
    csv_safe: bool,
}

fn options(mode: Mode, name: &str) -> ReadOptions {
    ReadOptions {
        strict: mode.strict,
        csv_safe: mode.csv_safe,
        zone: Zone::utc(),
        source_path: Some(name.to_owned()),
        modified: "2026-01-02T03:04:05Z".parse().ok(),
        ..ReadOptions::default()
    }
}

/// Reads `bytes` as the file `name` of `shape` and checks what the reader did.
fn check(name: &str, bytes: &[u8], shape: Shape, mode: Mode) -> Result<(), TestCaseError> {
    let path = Path::new(name);
    let text = match decode(path, bytes.to_vec()) {
        Ok(text) => text,
        Err(e) => {
            prop_assert_eq!(e.path(), path);
            prop_assert!(e.to_string().starts_with(name), "{}", e);
            return Ok(());
        }
    };
    let (read, work) = parse_counted(path, &text, shape, &options(mode, name));
    prop_assert!(
        work <= 16 * text.len() as u64 + 64,
        "{} bytes looked at for {} bytes of input",
        work,
        text.len()
    );
    for warning in &read.warnings {
        prop_assert_eq!(&warning.path, path);
        prop_assert!(warning.to_string().starts_with(name), "{}", warning);
    }
    for result in read.records {
        match result {
            Ok(record) => {
                prop_assert_eq!(&record.origin.path, path);
                nothing_lost(&record, &text)?;
                if let Some(format) = format_of(shape) {
                    round_trip(&record, format, mode)?;
                }
            }
            Err(e) => {
                prop_assert_eq!(e.path(), path);
                prop_assert!(e.to_string().starts_with(name), "{}", e);
            }
        }
    }
    Ok(())
}

/// The format that writes files of `shape`, if smartnotes writes them.
fn format_of(shape: Shape) -> Option<Format> {
    match shape {
        Shape::Markdown => Some(Format::Md),
        Shape::Json => Some(Format::Json),
        Shape::Jsonl => Some(Format::Jsonl),
        Shape::Csv => Some(Format::Csv),
        _ => None,
    }
}

/// A Markdown file's note keeps, in its source, the exact bytes before its body: the two
/// together are the file, byte for byte (what `--front-matter keep` writes back).
fn nothing_lost(record: &Record, text: &str) -> Result<(), TestCaseError> {
    let Some(front) = record
        .note
        .source
        .as_ref()
        .and_then(|s| s.front_matter.as_ref())
    else {
        return Ok(());
    };
    prop_assert_eq!(format!("{front}{}", record.note.body), text);
    Ok(())
}

/// A note a reader accepted with its id (smartnotes' own), written by its format and read
/// again, strictly and not, is the same note.
fn round_trip(record: &Record, format: Format, mode: Mode) -> Result<(), TestCaseError> {
    let Some(id) = record.id else {
        // Another tool's note: a new note, written back with smartnotes' front matter.
        return Ok(());
    };
    let n = &record.note;
    let note = Note {
        id,
        title: n.title.clone(),
        tags: n.tags.clone(),
        created: n.created,
        updated: n.updated,
        body: n.body.clone(),
        properties: n.properties.clone(),
        source: None,
    };
    let mut bytes = Vec::new();
    let csv_safe = mode.csv_safe;
    format.render_file(
        &note,
        &RenderOptions {
            csv_safe,
            ..RenderOptions::default()
        },
        &mut bytes,
    );
    let text = String::from_utf8(bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let name = format!("1-x.{}", format.extension());
    for strict in [true, false] {
        let options = ReadOptions {
            strict,
            csv_safe,
            ..options(mode, &name)
        };
        let back = parse(Path::new(&name), &text, tests::shape(format), &options).records;
        prop_assert_eq!(back.len(), 1);
        match &back[0] {
            Ok(again) => {
                let mut again = again.note.clone();
                again.source = None;
                let mut want = n.clone();
                want.source = None;
                prop_assert_eq!(again, want, "strict: {}\n{}", strict, text);
            }
            Err(e) => prop_assert!(
                false,
                "{} accepted, but its own rendering is refused: {}",
                name,
                e
            ),
        }
    }
    Ok(())
}

/// Any bytes, and now and then a byte-order mark before them.
fn bytes() -> impl Strategy<Value = Vec<u8>> {
    (
        any::<bool>(),
        prop::collection::vec(any::<u8>(), 0..MAX_INPUT),
    )
        .prop_map(|(bom, b)| {
            let mut out = if bom {
                "\u{feff}".as_bytes().to_vec()
            } else {
                Vec::new()
            };
            out.extend(b);
            out
        })
}

/// Text cut short at any byte, or not at all.
fn cut(text: String, at: Option<prop::sample::Index>) -> Vec<u8> {
    let mut bytes = text.into_bytes();
    bytes.truncate(MAX_INPUT);
    if let Some(at) = at {
        bytes.truncate(at.index(bytes.len() + 1));
    }
    bytes
}

fn timestamp_text() -> impl Strategy<Value = String> {
    prop_oneof![
        12 => Just("2026-01-01T00:00:00Z".to_owned()),
        6 => (1u32..=9999, 1u32..=12, 1u32..=28, 0u32..24, 0u32..60, 0u32..60, 0u32..1_000_000)
            .prop_map(|(y, mo, d, h, mi, s, us)| format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{us:06}+01:30")),
        1 => Just("2016-12-31T23:59:60Z".to_owned()),
        1 => Just("9999-12-31T23:59:59.999999-23:59".to_owned()),
        1 => Just("0001-01-01T00:00:00+00:01".to_owned()),
        1 => Just("+10000-01-01T00:00:00Z".to_owned()),
        1 => "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})",
        1 => "[ -~]{0,12}",
    ]
}

fn id_text() -> impl Strategy<Value = String> {
    prop_oneof![
        24 => (1i64..=crate::model::MAX_ID).prop_map(|n| n.to_string()),
        1 => Just("9007199254740992".to_owned()),
        1 => Just("9223372036854775807".to_owned()),
        1 => Just("99999999999999999999".to_owned()),
        1 => Just("0".to_owned()),
        1 => Just("-1".to_owned()),
        1 => Just("1.5".to_owned()),
        1 => "[ -~]{0,6}",
    ]
}

/// Pieces of front matter and body: every YAML construct that changes how the rest is read,
/// the bundle's separators, and the fields with good and bad values.
fn md_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "---\n", "---\r\n", "---", "\n", "\r\n", "id: ", "title: ", "tags:", "tags: []",
            "\n- ", "created: ", "updated: ", "body_bytes: ", "colour: red", "[", "]", "{", "}",
            ",", "'", "''", "\"", "\\", "|", "|-", "|2", ">", "#", " #", ": ", ":", "- ", "? ",
            "  ", "\t", "&a ", "*a", "!!str ", "...", "%YAML 1.2\n", "\u{feff}", "\u{0}", "é",
            "💡", "\u{85}", "\u{2028}", "yes", "~", "null", "1:30",
        ])
        .prop_map(str::to_owned),
        1 => id_text().prop_map(|id| format!("---\nid: {id}\n")),
        1 => timestamp_text().prop_map(|t| format!("created: {t}\n")),
        1 => timestamp_text().prop_map(|t| format!("updated: {t}\n")),
        1 => (0u64..64).prop_map(|n| format!("body_bytes: {n}\n")),
        1 => (1usize..80).prop_map(|n| "[".repeat(n)),
        2 => "[^\\x00]{0,10}",
    ]
}

/// Markdown shaped like smartnotes' own: mostly complete records, pieces in between.
fn md_text() -> impl Strategy<Value = String> {
    let record = (
        id_text(),
        "[ -~]{0,12}",
        prop::collection::vec(tag_text(), 0..3),
        timestamp_text(),
        timestamp_text(),
        prop::collection::vec(md_piece(), 0..6),
    )
        .prop_map(|(id, title, tags, c, u, body)| {
            let tags: String = tags.iter().map(|t| format!("\n- {t}")).collect();
            format!(
                "---\nid: {id}\ntitle: {title}\ntags:{tags}\ncreated: {c}\nupdated: {u}\n---\n{}",
                body.concat()
            )
        });
    prop::collection::vec(prop_oneof![2 => record, 3 => md_piece()], 0..24).prop_map(|p| p.concat())
}

/// A JSON value of any shape, with the note fields' names among its keys.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        id_text().prop_map(|t| serde_json::from_str(&t).unwrap_or(Value::String(t))),
        timestamp_text().prop_map(Value::from),
        "[^\\x00]{0,10}".prop_map(Value::from),
    ];
    leaf.prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::vec((json_key(), inner), 0..7)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn json_key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec!["id", "title", "tags", "created", "updated", "body"]).prop_map(str::to_owned),
        1 => "[a-z]{1,6}",
    ]
}

/// A tag: mostly valid, now and then not.
fn tag_text() -> impl Strategy<Value = String> {
    prop_oneof![8 => "[a-zé日 _/#-]{1,8}", 1 => "[^\\x00]{0,6}", 1 => Just(" pad".to_owned())]
}

/// Text for a title or a body, with what breaks readers.
fn free_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop_oneof![4 => "[^\\x00]{0,8}", 1 => md_piece()], 0..5)
        .prop_map(|p| p.concat())
}

/// A note object with every field present, each valid or not.
fn json_note() -> impl Strategy<Value = Value> {
    (
        id_text(),
        free_text(),
        prop::collection::vec(tag_text(), 0..3),
        timestamp_text(),
        timestamp_text(),
        free_text(),
    )
        .prop_map(|(id, title, tags, created, updated, body)| {
            serde_json::json!({
                "id": serde_json::from_str::<Value>(&id).unwrap_or(Value::String(id)),
                "title": title, "tags": tags, "created": created, "updated": updated, "body": body,
            })
        })
}

fn json_text() -> impl Strategy<Value = String> {
    let one = prop_oneof![2 => json_note(), 1 => json_value()];
    (
        prop::collection::vec(one, 0..6),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(values, array, pretty)| {
            let value = if array || values.len() != 1 {
                Value::from(values)
            } else {
                values[0].clone()
            };
            let text = if pretty {
                serde_json::to_string_pretty(&value)
            } else {
                serde_json::to_string(&value)
            };
            text.unwrap_or_default()
        })
}

fn jsonl_text() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        3 => json_note().prop_map(|v| v.to_string()),
        1 => json_value().prop_map(|v| v.to_string()),
        1 => "[ -~]{0,20}",
    ];
    prop::collection::vec(line, 0..8).prop_map(|lines| lines.join("\n"))
}

fn csv_cell() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => "[^\\x00]{0,10}",
        1 => id_text(),
        1 => timestamp_text(),
        1 => prop::sample::select(vec!["", "\"", "\"\"", ",", "\r\n", "\n", "\r", "'=1", "'", ";", "a;b", "\"a,b\"", "\"a\nb\"", "\"unclosed"]).prop_map(str::to_owned),
    ]
}

fn csv_text() -> impl Strategy<Value = String> {
    let header = prop_oneof![
        4 => Just("id,title,tags,created,updated,body".to_owned()),
        1 => "[a-z,]{0,40}",
    ];
    let quoted = |cell: String| format!("\"{}\"", cell.replace('"', "\"\""));
    let note_row = (
        id_text(),
        free_text(),
        prop::collection::vec(tag_text(), 0..3),
        timestamp_text(),
        timestamp_text(),
        free_text(),
    )
        .prop_map(move |(id, title, tags, c, u, body)| {
            [
                id,
                quoted(title),
                quoted(tags.join(";")),
                c,
                u,
                quoted(body),
            ]
            .join(",")
        });
    let row = prop_oneof![
        3 => note_row,
        1 => prop::collection::vec(csv_cell(), 0..8).prop_map(|cells| cells.join(",")),
    ];
    (
        header,
        prop::collection::vec(row, 0..8),
        prop::sample::select(vec!["\r\n", "\n"]),
    )
        .prop_map(|(h, rows, end)| {
            let mut text = h;
            for row in rows {
                text.push_str(end);
                text.push_str(&row);
            }
            text
        })
}

/// Pieces of another tool's front matter: keys smartnotes owns or reads in any case, dates of
/// every shape, tags of every form, YAML constructs.
fn foreign_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "title: ", "Title: ", "TiTLe: ", "tags: ", "Tags: ", "date: ", "created: ", "updated: ",
            "lastmod: ", "modified: ", "created_at: ", "creation date: ", "id: ", "aliases: ",
            "draft: false", "permalink: /x/", "body_bytes: 3", "\n", "\r\n", "[", "]", "{", "}",
            ",", "'", "\"", "#", " #", "#tag", ": ", "- ", "  ", "\t", "&a ", "*a", "!x ", "|",
            ">", "~", "null", "2017-01-01", "2019-05-01 16:54", "2019-05-01 16:54-07:00",
            "2011-05-16 09:58:57", "2021-03-04T10:00:00", "2026-12-01T11:31",
            "2013-05-06 02:12:52 +0200", "1700000000", "2016-12-31T23:59:60Z", "rust, cli",
            "[\"#a\", project/alpha]", "[2024]", "{{date}}", "{{title}}", "", "é", "💡",
            "\u{feff}", "\u{85}", "9999-12-31T23:59:59.999999-23:59", "99999999999999999999",
        ])
        .prop_map(str::to_owned),
        1 => (1usize..40).prop_map(|n| "[".repeat(n)),
        1 => "[^\\x00]{0,8}",
    ]
}

/// Pieces of a Markdown body: code blocks of every fence, headings, tags, links.
fn body_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "# Title\n", "# Title #\n", "## Sub\n", "```\n", "~~~\n", "````\n", "    # indented\n",
            "# {{title}}\n", "#tag ", "#1984 ", "\\#no ", "[[Note#H]] ", "[#x](y) ", "`#code` ",
            "---\n", "...\n", "+++\n", "\r\n", "\n", "> # q\n", "<div>\n", "#a/b ", "*#em* ",
            "$#m$ ", "- [ ] #t\n", "[^1]\n", "é", "\u{feff}",
        ])
        .prop_map(str::to_owned),
        1 => "[^\\x00]{0,10}",
    ]
}

/// A Markdown file of another tool: YAML (closed by `---` or `...`), TOML, JSON or no front
/// matter, with CRLF or not, then a body.
fn vault_text() -> impl Strategy<Value = String> {
    let front = prop::collection::vec(
        (prop::collection::vec(foreign_piece(), 1..4), any::<bool>()),
        0..8,
    );
    (
        0u8..5,
        front,
        prop::collection::vec(body_piece(), 0..12),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(kind, lines, body, crlf, bom)| {
            let end = if crlf { "\r\n" } else { "\n" };
            let yaml: String = lines
                .iter()
                .map(|(pieces, _)| format!("{}{end}", pieces.concat()))
                .collect();
            let toml: String = lines
                .iter()
                .map(|(pieces, quoted)| {
                    let value = pieces.concat();
                    if *quoted {
                        format!("k{} = {:?}{end}", value.len(), value)
                    } else {
                        format!("{value}{end}")
                    }
                })
                .collect();
            let json: Vec<String> = lines
                .iter()
                .map(|(pieces, _)| format!("{:?}: {:?}", pieces[0].trim(), pieces.concat()))
                .collect();
            let head = match kind {
                0 => format!("---{end}{yaml}---{end}"),
                1 => format!("---{end}{yaml}...{end}"),
                2 => format!("+++{end}{toml}+++{end}"),
                3 => format!("{{{end}{}{end}}}{end}", json.join(&format!(",{end}"))),
                _ => String::new(),
            };
            format!(
                "{}{head}{}",
                if bom { "\u{feff}" } else { "" },
                body.concat()
            )
        })
}

/// jrnl's JSON export, entries of good and bad shapes, or another tool's object.
fn jrnl_json_text() -> impl Strategy<Value = String> {
    let date = prop_oneof![
        3 => Just(Value::from("2013-06-09")),
        1 => timestamp_text().prop_map(Value::from),
        1 => json_value(),
    ];
    let time = prop_oneof![3 => Just(Value::from("15:39")), 1 => "[0-9:]{0,6}".prop_map(Value::from), 1 => json_value()];
    let entry = (
        free_text(),
        free_text(),
        date,
        time,
        prop::collection::vec(tag_text().prop_map(|t| format!("@{t}")), 0..3),
        any::<bool>(),
        prop::option::of(json_value()),
    )
        .prop_map(|(title, body, date, time, tags, starred, extra)| {
            let mut e = serde_json::json!({"title": title, "body": body, "date": date, "time": time, "tags": tags, "starred": starred});
            if let Some(extra) = extra {
                e["uuid"] = extra;
            }
            e
        });
    let entries = prop::collection::vec(prop_oneof![4 => entry, 1 => json_value()], 0..5);
    (entries, any::<bool>(), prop::option::of(json_value())).prop_map(|(entries, pretty, other)| {
        let mut top = serde_json::json!({"tags": {"@a": 1}, "entries": entries});
        if let Some(other) = other {
            top["metadata"] = other;
        }
        let text = if pretty {
            serde_json::to_string_pretty(&top)
        } else {
            serde_json::to_string(&top)
        };
        text.unwrap_or_default()
    })
}

/// jrnl's journal file: entry openings of every time form, stars, `@tags`, and lines that
/// only look like openings.
fn jrnl_text() -> impl Strategy<Value = String> {
    let opening = prop_oneof![
        3 => (1u32..=9999, 1u32..=12, 1u32..=28, 0u32..24, 0u32..60).prop_map(|(y, m, d, h, mi)| format!("[{y:04}-{m:02}-{d:02} {h:02}:{mi:02}] ")),
        1 => (1u32..=12, 0u32..60).prop_map(|(h, mi)| format!("[2020-08-31 {h}:{mi:02}:00 PM] ")),
        1 => "\\[[0-9: -]{0,20}\\] ?",
    ];
    let piece = prop_oneof![
        2 => "[^\\x00]{0,12}",
        1 => prop::sample::select(vec!["*", " *", "@tag", " @Two.", "\n", "\r\n", "\n\n", "[x] ", "@", "@@", "é"]).prop_map(str::to_owned),
    ];
    let entry = (opening, prop::collection::vec(piece, 0..6))
        .prop_map(|(o, p)| format!("{o}{}\n", p.concat()));
    prop::collection::vec(entry, 0..8).prop_map(|e| e.concat())
}

fn name_for(format: Format, bundle: bool) -> String {
    if bundle {
        format!("notes.{}", format.extension())
    } else {
        format!("in/1-x.{}", format.extension())
    }
}

fn fuzz_bytes(format: Format, bytes: &[u8], bundle: bool, mode: Mode) -> Result<(), TestCaseError> {
    check(&name_for(format, bundle), bytes, tests::shape(format), mode)
}

const SHAPES: [Shape; 5] = [
    Shape::Markdown,
    Shape::Json,
    Shape::Jsonl,
    Shape::Csv,
    Shape::Text,
];

macro_rules! fuzz_suite {
    ($cases:expr, $($ignore:meta)?; $bytes:ident, $md:ident, $json:ident, $jsonl:ident, $csv:ident, $vault:ident, $jrnl_json:ident, $jrnl_text:ident) => {
        proptest! {
            #![proptest_config(ProptestConfig::with_cases($cases))]

            $(#[$ignore])?
            #[test]
            fn $bytes(bytes in bytes(), bundle: bool, strict: bool, csv_safe: bool) {
                let mode = Mode { strict, csv_safe };
                for format in Format::ALL {
                    fuzz_bytes(format, &bytes, bundle, mode)?;
                }
                for shape in SHAPES {
                    check("in/x.txt", &bytes, shape, mode)?;
                }
            }

            $(#[$ignore])?
            #[test]
            fn $md(text in md_text(), at in prop::option::of(any::<prop::sample::Index>()), bundle: bool, strict: bool) {
                fuzz_bytes(Format::Md, &cut(text, at), bundle, Mode { strict, csv_safe: false })?;
            }

            $(#[$ignore])?
            #[test]
            fn $json(text in json_text(), at in prop::option::of(any::<prop::sample::Index>()), bundle: bool, strict: bool) {
                fuzz_bytes(Format::Json, &cut(text, at), bundle, Mode { strict, csv_safe: false })?;
            }

            $(#[$ignore])?
            #[test]
            fn $jsonl(text in jsonl_text(), at in prop::option::of(any::<prop::sample::Index>()), bundle: bool) {
                fuzz_bytes(Format::Jsonl, &cut(text, at), bundle, Mode { strict: false, csv_safe: false })?;
            }

            $(#[$ignore])?
            #[test]
            fn $csv(text in csv_text(), at in prop::option::of(any::<prop::sample::Index>()), csv_safe: bool) {
                fuzz_bytes(Format::Csv, &cut(text, at), true, Mode { strict: false, csv_safe })?;
            }

            /// Another tool's Markdown: YAML, TOML and JSON front matter, code, tags, CRLF.
            $(#[$ignore])?
            #[test]
            fn $vault(text in vault_text(), at in prop::option::of(any::<prop::sample::Index>()), strict: bool) {
                check("in/Some Note.md", &cut(text, at), Shape::Markdown, Mode { strict, csv_safe: false })?;
            }

            $(#[$ignore])?
            #[test]
            fn $jrnl_json(text in jrnl_json_text(), at in prop::option::of(any::<prop::sample::Index>()), strict: bool) {
                check("in/journal.json", &cut(text, at), Shape::Json, Mode { strict, csv_safe: false })?;
            }

            $(#[$ignore])?
            #[test]
            fn $jrnl_text(text in jrnl_text(), at in prop::option::of(any::<prop::sample::Index>())) {
                check("in/journal.txt", &cut(text, at), Shape::Text, Mode { strict: false, csv_safe: false })?;
            }
        }
    };
}

fuzz_suite!(256,; any_bytes_in_any_format, markdown_shaped_input, json_shaped_input, jsonl_shaped_input, csv_shaped_input, other_tools_markdown, jrnl_json_shaped_input, jrnl_text_shaped_input);

fuzz_suite!(
    10_000,
    ignore = "slow: many cases of every fuzz test; CI runs it with --include-ignored";
    any_bytes_in_any_format_many,
    markdown_shaped_input_many,
    json_shaped_input_many,
    jsonl_shaped_input_many,
    csv_shaped_input_many,
    other_tools_markdown_many,
    jrnl_json_shaped_input_many,
    jrnl_text_shaped_input_many
);
