//! Properties and sources round-trip through every format and layout (issue 12, item 1): any
//! note with any properties (keys and values of every shape, in any order) and any source,
//! rendered by each format in a file of its own and in a bundle, reads back equal, the order
//! of its properties included, with and without `--csv-safe`.
//!
//! JSON, JSON Lines and CSV are read back by smartnotes' own readers. Markdown is read back by
//! a real YAML parser (serde_yaml_ng), in every front matter profile that writes YAML: its
//! importer is being rewritten on the vault-in branch, whose tests add the Markdown import
//! of properties to this round trip.

use std::path::Path;

use proptest::prelude::*;
use serde_json::Value;
use smartnotes::format::{Format, FrontMatter, RenderOptions};
use smartnotes::import::{ReadOptions, Shape, parse};
use smartnotes::model::{
    NewNote, Note, OWNED_KEYS, Properties, Source, Timestamp, validate_properties,
};

/// Text that trips writers: YAML and CSV specials, front matter lines, line breaks of every
/// kind, controls, and arbitrary Unicode.
fn text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => "[^\\x00]{0,6}",
        1 => prop::sample::select(vec![
            "yes", "No", "on", "~", "null", "1:30", "1_000", "0x1F", "1e3", "2017-01-01",
            "2026-12-01T11:31", "---", "\n---\nid: 1\n", "...", "+++", "\r\n", "\r", "\u{85}",
            "\u{2028}", "\u{feff}", "\u{7f}", "\t", " ", "#", ": ", "- ", "'", "\"", "\\", ",",
            ";", "=", "@", "[a]", "{b}", "&x", "*x", "!x", "%", "|", ">", "é", "日本", "💡",
        ])
        .prop_map(str::to_owned),
    ];
    prop::collection::vec(piece, 0..5).prop_map(|p| p.concat())
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![3 => "[a-zA-Z][a-zA-Z0-9_ -]{0,8}", 1 => text()]
        .prop_filter("a key a property may have", |k| {
            !k.is_empty() && !k.chars().any(char::is_control) && !OWNED_KEYS.contains(&k.as_str())
        })
}

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((text(), inner), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn properties() -> impl Strategy<Value = Properties> {
    prop::collection::vec((key(), value()), 0..6).prop_map(|kv| kv.into_iter().collect())
}

fn source() -> impl Strategy<Value = Option<Source>> {
    let path = "[a-zA-Z0-9 _./-]{1,20}|[^\\x00]{1,10}";
    prop::option::of(
        (
            path,
            prop::option::of(text()),
            prop::option::of(any::<[u8; 16]>()),
        )
            .prop_map(|(path, front_matter, imported_hash)| Source {
                path,
                front_matter,
                imported_hash,
            }),
    )
}

fn timestamp() -> impl Strategy<Value = Timestamp> {
    (-62_135_596_800_000_000i64..=253_402_300_799_999_999)
        .prop_map(|us| Timestamp::from_micros(us).expect("in chrono's range"))
}

fn note() -> impl Strategy<Value = Note> {
    (
        1..=1000i64,
        text(),
        timestamp(),
        text(),
        properties(),
        source(),
    )
        .prop_map(|(id, title, created, body, properties, source)| Note {
            id,
            title,
            tags: vec!["a".into(), "yes".into()],
            created,
            updated: created,
            body,
            properties,
            source,
        })
}

/// The note as a reader gives it, with its properties as the text the notebook keeps (a JSON
/// map compares regardless of order; this compares the order too).
fn comparable(id: Option<i64>, note: &NewNote) -> (Option<i64>, NewNote, String) {
    (
        id,
        note.clone(),
        serde_json::to_string(&note.properties).unwrap(),
    )
}

fn read_back(
    name: &str,
    bytes: &[u8],
    format: Format,
    csv_safe: bool,
) -> Vec<(Option<i64>, NewNote, String)> {
    let text = std::str::from_utf8(bytes).expect("formats write UTF-8");
    let shape = match format {
        Format::Md => Shape::Markdown,
        Format::Json => Shape::Json,
        Format::Jsonl => Shape::Jsonl,
        Format::Csv => Shape::Csv,
    };
    let options = ReadOptions {
        csv_safe,
        ..ReadOptions::default()
    };
    parse(Path::new(name), text, shape, &options)
        .records
        .into_iter()
        .map(|r| {
            let r = r.unwrap_or_else(|e| panic!("{e}\n--- file ---\n{text}"));
            comparable(r.id, &r.note)
        })
        .collect()
}

fn options(csv_safe: bool, front_matter: FrontMatter) -> RenderOptions {
    let mut options = RenderOptions::default();
    options.csv_safe = csv_safe;
    options.front_matter = front_matter;
    options
}

/// The properties a YAML front matter holds after the keys `skip` names, in order.
fn yaml_properties(text: &str, skip: &[&str]) -> Properties {
    let inner = text.strip_prefix("---\n").expect("opens with ---");
    let end = inner.find("\n---\n").map_or(0, |i| i + 1);
    let all: Properties =
        serde_yaml_ng::from_str(&inner[..end]).unwrap_or_else(|e| panic!("{e}\n{text}"));
    all.into_iter()
        .filter(|(k, _)| !skip.contains(&k.as_str()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn json_jsonl_and_csv_read_back_properties_and_source_per_file_and_in_bundles(
        notes in prop::collection::vec(note(), 1..4),
        csv_safe: bool,
    ) {
        for note in &notes {
            prop_assert!(validate_properties(&note.properties).is_ok());
        }
        let options = options(csv_safe, FrontMatter::Smartnotes);
        let want: Vec<_> = notes.iter().map(|n| comparable(Some(n.id), &NewNote::from(n.clone()))).collect();
        for format in [Format::Json, Format::Jsonl, Format::Csv] {
            let mut bytes = Vec::new();
            format.render_file(&notes[0], &options, &mut bytes);
            let name = format!("1-x.{}", format.extension());
            prop_assert_eq!(read_back(&name, &bytes, format, csv_safe), want[..1].to_vec(), "{} file", format);
            let mut bundle = Vec::new();
            format.write_bundle(notes.iter().cloned().map(Ok::<_, ()>), &options, &mut bundle).unwrap();
            let name = format!("notes.{}", format.extension());
            prop_assert_eq!(read_back(&name, &bundle, format, csv_safe), want.clone(), "{} bundle", format);
        }
    }

    #[test]
    fn markdown_front_matter_holds_the_properties_in_order_in_every_yaml_profile(note in note()) {
        let want = serde_json::to_string(&note.properties).unwrap();
        for (profile, skip) in [
            (FrontMatter::Smartnotes, &["id", "title", "tags", "created", "updated"][..]),
            (FrontMatter::Obsidian, &["title", "tags", "created", "updated"][..]),
        ] {
            let mut bytes = Vec::new();
            Format::Md.render_file(&note, &options(false, profile), &mut bytes);
            let text = String::from_utf8(bytes).unwrap();
            prop_assert!(text.ends_with(&note.body), "{}", text);
            let got = yaml_properties(&text, skip);
            // Obsidian writes `aliases` right after the title; the order of the rest holds.
            let mut expected = note.properties.clone();
            if profile == FrontMatter::Obsidian && let Some(aliases) = expected.shift_remove("aliases") {
                let mut first = Properties::new();
                first.insert("aliases".into(), aliases);
                first.extend(expected);
                expected = first;
            }
            let expected = if profile == FrontMatter::Smartnotes { want.clone() } else { serde_json::to_string(&expected).unwrap() };
            prop_assert_eq!(serde_json::to_string(&got).unwrap(), expected, "{}: {}", profile, text);
        }
        // A Markdown bundle's records carry the properties too.
        let mut bundle = Vec::new();
        Format::Md.write_bundle(std::iter::once(Ok::<_, ()>(note.clone())), &RenderOptions::default(), &mut bundle).unwrap();
        let text = String::from_utf8(bundle).unwrap();
        let got = yaml_properties(&text, &["id", "title", "tags", "created", "updated", "body_bytes"]);
        prop_assert_eq!(serde_json::to_string(&got).unwrap(), want);
    }
}

#[test]
fn show_list_and_export_carry_properties_and_prop_filters_what_both_see() {
    let env = crate::common::TestEnv::new();
    let notes = serde_json::json!([
        {"id": 1, "title": "draft one", "created": "2026-01-01T00:00:00Z", "updated": "2026-01-01T00:00:00Z",
         "body": "a\n", "properties": {"draft": true, "aliases": ["One", "Uno"], "weight": 2}},
        {"id": 2, "title": "published", "created": "2026-01-01T00:00:00Z", "updated": "2026-01-01T00:00:00Z",
         "body": "b\n", "properties": {"draft": false, "author": "Ann"}},
        {"id": 3, "title": "plain", "created": "2026-01-01T00:00:00Z", "updated": "2026-01-01T00:00:00Z", "body": "c\n"},
    ]);
    std::fs::write(env.path("n.json"), notes.to_string()).unwrap();
    env.cmd()
        .args(["import", "n.json", "--keep-ids"])
        .assert()
        .success();
    let shown = env.cmd().args(["show", "1"]).output().unwrap();
    let shown = String::from_utf8(shown.stdout).unwrap();
    assert!(
        shown.contains("\ndraft: true\naliases:\n  - One\n  - Uno\nweight: 2\n---\na\n"),
        "{shown}"
    );
    let json = env.cmd().args(["show", "1", "--json"]).output().unwrap();
    let json: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(
        json["properties"],
        serde_json::json!({"draft": true, "aliases": ["One", "Uno"], "weight": 2})
    );
    let ids = |args: &[&str]| -> Vec<u64> {
        let out = env
            .cmd()
            .args(["list", "--json"])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let list: Value = serde_json::from_slice(&out.stdout).unwrap();
        list.as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(ids(&[]), [1, 2, 3]);
    assert_eq!(ids(&["--prop", "draft"]), [1, 2]);
    assert_eq!(ids(&["--prop", "draft=false"]), [2]);
    assert_eq!(ids(&["--prop", "aliases=Uno", "--prop", "weight=2"]), [1]);
    let out = env.cmd().args(["list", "--json"]).output().unwrap();
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list[1]["properties"]["author"], "Ann");
    assert!(list[2].get("properties").is_none(), "none, none written");
    // export writes exactly what list shows.
    let summary = env.export_json("out", &["-f", "json", "--prop", "draft"]);
    assert_eq!(summary["notes"], 2, "{summary}");
    let bad = env.cmd().args(["list", "--prop", "=x"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2), "a usage error");
}
