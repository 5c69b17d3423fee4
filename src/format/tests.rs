//! Format tests: snapshots of real renders, and every render parsed back by the format's own
//! reader to the same fields.

use super::*;
use crate::model::Timestamp;

fn note(title: &str, body: &str, tags: &[&str]) -> Note {
    Note {
        id: 42,
        title: title.into(),
        tags: tags.iter().map(|s| s.to_string()).collect(),
        created: "2026-11-24T09:30:00Z".parse().unwrap(),
        updated: "2026-11-24T10:45:30.250Z".parse().unwrap(),
        body: body.into(),
        properties: Default::default(),
        source: None,
    }
}

fn render(format: Format, note: &Note) -> String {
    let mut out = Vec::new();
    format.render_file(note, &RenderOptions::default(), &mut out);
    String::from_utf8(out).unwrap()
}

/// Titles that break front matter or file names when pasted by hand.
const AWKWARD_TITLES: &[&str] = &[
    "key: value",
    "---",
    "#tag",
    "- item",
    "\"quoted\"",
    "it's",
    "yes",
    "null",
    "123",
    " padded ",
    "two\nlines",
    "../../etc/passwd",
    "a/b\\c",
    "🚀🎉",
    "Ünïcödé 日本語",
    "",
];

#[derive(serde::Deserialize, Debug)]
struct Front {
    id: i64,
    title: String,
    tags: Vec<String>,
    created: String,
    updated: String,
}

/// Splits a rendered Markdown file into its front matter and body, as a reader would: the
/// front matter ends at the first `---` line after the opening one.
fn split_markdown(text: &str) -> (Front, &str) {
    let rest = text.strip_prefix("---\n").unwrap();
    let end = rest.find("\n---\n").unwrap();
    let front = serde_yaml_ng::from_str(&rest[..end + 1]).unwrap();
    (front, &rest[end + 5..])
}

#[test]
fn markdown_front_matter_parses_back_for_awkward_titles() {
    for title in AWKWARD_TITLES.iter().copied().chain([&*"long ".repeat(60)]) {
        let n = note(title, "body\n---\nnot front matter\r\n", &["a", "b c"]);
        let text = render(Format::Md, &n);
        let (front, body) = split_markdown(&text);
        assert_eq!(front.title, title, "in {text}");
        assert_eq!(front.id, 42);
        assert_eq!(front.tags, ["a", "b c"]);
        assert_eq!(front.created, "2026-11-24T09:30:00Z");
        assert_eq!(front.updated, "2026-11-24T10:45:30.250Z");
        assert_eq!(body, n.body);
    }
}

#[test]
fn yaml_1_1_booleans_are_quoted_for_jekyll_and_hugo() {
    // Psych (Jekyll) and older YAML readers take a bare `yes` or `on` as a boolean.
    for title in ["yes", "no", "on", "off", "true", "y", "~"] {
        let text = render(Format::Md, &note(title, "", &[]));
        let line = text.lines().find(|l| l.starts_with("title:")).unwrap();
        assert_ne!(line, format!("title: {title}"), "{title} must be quoted");
    }
}

#[test]
fn json_parses_back_to_the_same_note_with_stable_key_order() {
    for title in AWKWARD_TITLES {
        let n = note(title, "a, \"b\"\r\nc\u{1}", &["x"]);
        let text = render(Format::Json, &n);
        assert_eq!(serde_json::from_str::<Note>(&text).unwrap(), n);
        let keys: Vec<usize> = [
            "\"id\"",
            "\"title\"",
            "\"tags\"",
            "\"created\"",
            "\"updated\"",
            "\"body\"",
        ]
        .iter()
        .map(|k| text.find(k).unwrap())
        .collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "key order in {text}");
        assert!(text.ends_with("}\n"));
    }
}

#[test]
fn jsonl_is_one_line() {
    let n = note("t", "line 1\nline 2\r\n", &[]);
    let text = render(Format::Jsonl, &n);
    assert_eq!(text.matches('\n').count(), 1);
    assert_eq!(serde_json::from_str::<Note>(text.trim_end()).unwrap(), n);
}

#[test]
fn csv_is_rfc_4180_and_parses_back() {
    for title in AWKWARD_TITLES {
        let n = note(title, "comma, \"quote\"\r\nnew line\n", &["x", "日本"]);
        let text = render(Format::Csv, &n);
        assert!(text.starts_with("id,title,tags,created,updated,body,properties,source\r\n"));
        let mut reader = ::csv::Reader::from_reader(text.as_bytes());
        let rows: Vec<::csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        assert_eq!(&row[0], "42");
        assert_eq!(&row[1], *title);
        assert_eq!(&row[2], "x;日本");
        assert_eq!(&row[3], "2026-11-24T09:30:00Z");
        assert_eq!(&row[5], n.body);
    }
}

#[test]
fn csv_safe_prefixes_formula_cells_only() {
    let options = RenderOptions {
        csv_safe: true,
        ..Default::default()
    };
    let mut out = Vec::new();
    Format::Csv.render_file(
        &note("=HYPERLINK(\"x\")", "plain", &["@a"]),
        &options,
        &mut out,
    );
    let mut reader = ::csv::Reader::from_reader(&out[..]);
    let row = reader.records().next().unwrap().unwrap();
    assert_eq!(&row[1], "'=HYPERLINK(\"x\")");
    assert_eq!(&row[2], "'@a");
    assert_eq!(&row[5], "plain");
}

#[test]
fn render_is_deterministic() {
    let n = note("same", "same body", &["t"]);
    for format in Format::ALL {
        assert_eq!(render(format, &n), render(format, &n));
    }
}

#[test]
fn bundles_hold_every_note_and_parse_back() {
    let notes: Vec<Note> = (1..=3)
        .map(|i| Note {
            id: i,
            ..note(&format!("n{i}: x"), "b\n---\n", &["t"])
        })
        .collect();
    let bundle = |format| {
        let mut out = Vec::new();
        let items = notes.iter().cloned().map(Ok::<_, std::convert::Infallible>);
        let count = format_bundle(format, items, &mut out);
        assert_eq!(count, 3);
        String::from_utf8(out).unwrap()
    };
    let json: Vec<Note> = serde_json::from_str(&bundle(Format::Json)).unwrap();
    assert_eq!(json, notes);
    let jsonl: Vec<Note> = bundle(Format::Jsonl)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(jsonl, notes);
    let csv_text = bundle(Format::Csv);
    assert_eq!(
        ::csv::Reader::from_reader(csv_text.as_bytes())
            .records()
            .count(),
        3
    );
    assert_eq!(csv_text.matches("id,title").count(), 1, "one header");
    assert_eq!(bundle(Format::Md).matches("\nid: ").count(), 3);
}

#[test]
fn empty_bundles_are_valid() {
    let none = std::iter::empty::<Result<Note, std::convert::Infallible>>;
    let mut out = Vec::new();
    format_bundle(Format::Json, none(), &mut out);
    assert_eq!(serde_json::from_slice::<Vec<Note>>(&out).unwrap(), []);
    let mut out = Vec::new();
    format_bundle(Format::Csv, none(), &mut out);
    assert_eq!(
        out,
        b"id,title,tags,created,updated,body,properties,source\r\n"
    );
}

fn format_bundle(
    format: Format,
    notes: impl IntoIterator<Item = Result<Note, std::convert::Infallible>>,
    out: &mut Vec<u8>,
) -> u64 {
    format
        .write_bundle(notes, &RenderOptions::default(), out)
        .unwrap()
}

#[test]
fn snapshot_markdown() {
    let n = note(
        "key: value # not a comment",
        "# Heading\n\n---\n\nCRLF line\r\n",
        &["a", "日本語"],
    );
    insta::assert_snapshot!(render(Format::Md, &n));
}

#[test]
fn snapshot_markdown_empty_body_no_tags() {
    insta::assert_snapshot!(render(Format::Md, &note("- item", "", &[])));
}

#[test]
fn snapshot_json() {
    insta::assert_snapshot!(render(
        Format::Json,
        &note("\"quoted\" 🚀", "a, b\nc", &["x"])
    ));
}

#[test]
fn snapshot_jsonl() {
    insta::assert_snapshot!(render(Format::Jsonl, &note("#tag", "a\r\nb", &[])));
}

#[test]
fn snapshot_csv() {
    insta::assert_snapshot!(render(
        Format::Csv,
        &note("a, \"b\"", "line 1\nline 2, \"x\"", &["p", "q"])
    ));
}

#[test]
fn timestamps_keep_utc_designator() {
    let n = Note {
        created: Timestamp::from_micros(0).unwrap(),
        ..note("t", "", &[])
    };
    for format in Format::ALL {
        assert!(
            render(format, &n).contains("1970-01-01T00:00:00Z"),
            "{format}"
        );
    }
}

#[test]
fn markdown_bundle_records_give_their_length_only_when_needed() {
    use super::markdown::needs_body_bytes;
    for body in [
        "",
        "text\n",
        "---\n",
        "a\n---\nb\n",
        "---\r\nand\r\n",
        "x\n---\nid\n",
    ] {
        assert!(!needs_body_bytes(body), "{body:?}");
    }
    for body in [
        "no final line break",
        "---\nid: 1\n",
        "quoted:\n---\nid: 2\ntitle: x\n---\n",
        "crlf\r\n---\r\nid: 3\r\n",
        "ends with a lone CR\r",
    ] {
        assert!(needs_body_bytes(body), "{body:?}");
    }
    // A note's own file never carries the key: only a bundle needs it.
    let text = render(Format::Md, &note("t", "---\nid: 1\n", &[]));
    assert!(!text.contains("body_bytes"), "{text}");
}

fn with_properties() -> Note {
    let mut n = note("Vault note", "text\n", &["a"]);
    let serde_json::Value::Object(properties) = serde_json::json!({
        "zeta": [1, "two", {"three": null}], "aliases": ["A"], "draft": false
    }) else {
        unreachable!()
    };
    n.properties = properties;
    let mut source = crate::model::Source::new(
        "Folder/Vault note.md",
        Some("---\r\nzeta: 1\r\n---\r\n".into()),
    );
    source.imported_hash = Some([1; 16]);
    n.source = Some(source);
    n
}

#[test]
fn json_and_jsonl_carry_properties_and_source_after_the_body_in_their_order() {
    let n = with_properties();
    for format in [Format::Json, Format::Jsonl] {
        let text = render(format, &n);
        let body = text.find("\"body\"").unwrap();
        let props = text.find("\"properties\"").unwrap();
        let zeta = text.find("\"zeta\"").unwrap();
        let aliases = text.find("\"aliases\"").unwrap();
        let source = text.find("\"source\"").unwrap();
        assert!(
            body < props && props < zeta && zeta < aliases && aliases < source,
            "{text}"
        );
        let back: Note = serde_json::from_str(text.trim_end()).unwrap();
        assert_eq!(back, n);
        assert_eq!(
            serde_json::to_string(&back.properties).unwrap(),
            serde_json::to_string(&n.properties).unwrap()
        );
    }
}

#[test]
fn csv_carries_properties_and_source_as_json_cells() {
    let n = with_properties();
    let text = render(Format::Csv, &n);
    let mut reader = ::csv::Reader::from_reader(text.as_bytes());
    let row = reader.records().next().unwrap().unwrap();
    assert_eq!(row.len(), 8);
    assert_eq!(
        &row[6],
        r#"{"zeta":[1,"two",{"three":null}],"aliases":["A"],"draft":false}"#
    );
    assert_eq!(
        &row[7],
        r#"{"path":"Folder/Vault note.md","front_matter":"---\r\nzeta: 1\r\n---\r\n","imported_hash":"01010101010101010101010101010101"}"#
    );
    // A note without them: two empty cells.
    let text = render(Format::Csv, &note("t", "b", &[]));
    assert!(text.ends_with(",b,,\r\n"), "{text:?}");
}

#[test]
fn markdown_puts_properties_after_smartnotes_keys_and_each_profile_renders() {
    let n = with_properties();
    let text = render(Format::Md, &n);
    assert!(
        text.contains("updated: 2026-11-24T10:45:30.250Z\nzeta:\n  - 1\n  - two\n  - three: null\naliases:\n  - A\ndraft: false\n---\ntext\n"),
        "{text}"
    );
    for profile in FrontMatter::ALL {
        let options = RenderOptions {
            front_matter: profile,
            ..Default::default()
        };
        let mut out = Vec::new();
        Format::Md.render_file(&n, &options, &mut out);
        let text = String::from_utf8(out).unwrap();
        assert!(text.ends_with("\ntext\n"), "{profile}: {text}");
    }
}
