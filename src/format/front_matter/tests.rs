//! Each profile's front matter for one note, byte for byte, and read back by a real parser.

use serde_json::json;

use super::*;
use crate::model::{Properties, Source};

fn note() -> Note {
    let Value::Object(properties) = json!({
        "aliases": ["Headless", "Sync"], "draft": false, "date": "2017-01-01",
        "author": "Ann", "nothing": null, "nested": {"b": 1, "a": [true]}
    }) else {
        unreachable!()
    };
    Note {
        id: 7,
        title: "Headless Sync".into(),
        tags: vec![
            "#sync".into(),
            "reading list".into(),
            "1984".into(),
            "obsidian/help".into(),
        ],
        created: "2026-12-01T11:31:05Z".parse().unwrap(),
        updated: "2026-12-02T08:00:00.250Z".parse().unwrap(),
        body: "# Headless Sync\n".into(),
        properties,
        source: None,
    }
}

use serde_json::Value;

fn render(profile: FrontMatter, note: &Note) -> String {
    let mut out = Vec::new();
    profile.write(note, &mut out);
    String::from_utf8(out).unwrap()
}

#[test]
fn smartnotes_writes_its_five_keys_then_the_properties() {
    assert_eq!(
        render(FrontMatter::Smartnotes, &note()),
        "---\nid: 7\ntitle: Headless Sync\ntags:\n- '#sync'\n- reading list\n- '1984'\n- obsidian/help\n\
         created: 2026-12-01T11:31:05Z\nupdated: 2026-12-02T08:00:00.250Z\n\
         aliases:\n  - Headless\n  - Sync\ndraft: false\ndate: \"2017-01-01\"\nauthor: Ann\n\
         nothing: null\nnested:\n  b: 1\n  a:\n    - true\n---\n"
    );
}

#[test]
fn obsidian_hugo_and_jekyll_write_what_their_readers_read() {
    let n = note();
    assert_eq!(
        render(FrontMatter::Obsidian, &n),
        "---\ntitle: Headless Sync\naliases:\n  - Headless\n  - Sync\n\
         tags:\n  - sync\n  - reading-list\n  - _1984\n  - obsidian/help\n\
         created: 2026-12-01T11:31:05\nupdated: 2026-12-02T08:00:00\n\
         draft: false\ndate: \"2017-01-01\"\nauthor: Ann\nnothing: null\nnested:\n  b: 1\n  a:\n    - true\n---\n"
    );
    assert_eq!(
        render(FrontMatter::Hugo, &n),
        "---\ntitle: Headless Sync\ndate: 2026-12-01T11:31:05Z\nlastmod: 2026-12-02T08:00:00.250Z\n\
         tags:\n  - sync\n  - reading list\n  - \"1984\"\n  - obsidian/help\n\
         aliases:\n  - Headless\n  - Sync\ndraft: false\nauthor: Ann\nnothing: null\nnested:\n  b: 1\n  a:\n    - true\n---\n"
    );
    assert_eq!(
        render(FrontMatter::Jekyll, &n),
        "---\ntitle: Headless Sync\ndate: 2026-12-01 11:31:05 +0000\nlast_modified_at: 2026-12-02 08:00:00 +0000\n\
         tags:\n  - \"#sync\"\n  - reading list\n  - \"1984\"\n  - obsidian/help\n\
         aliases:\n  - Headless\n  - Sync\ndraft: false\nauthor: Ann\nnothing: null\nnested:\n  b: 1\n  a:\n    - true\n---\n"
    );
    use TagChange::*;
    assert_eq!(
        FrontMatter::Obsidian.tag_changes(&n),
        [HashRemoved, Replaced, DigitsPrefixed]
    );
    assert_eq!(FrontMatter::Hugo.tag_changes(&n), [HashRemoved]);
    assert_eq!(FrontMatter::Jekyll.tag_changes(&n), []);
    assert_eq!(FrontMatter::Smartnotes.tag_changes(&n), []);
}

#[test]
fn zola_is_toml_with_taxonomies_and_extra() {
    let text = render(FrontMatter::Zola, &note());
    assert_eq!(
        text,
        "+++\ntitle = \"Headless Sync\"\ndate = 2026-12-01T11:31:05Z\nupdated = 2026-12-02T08:00:00.25Z\n\n\
         [taxonomies]\ntags = [\"sync\", \"reading list\", \"1984\", \"obsidian/help\"]\n\n\
         [extra]\naliases = [\"Headless\", \"Sync\"]\ndraft = false\ndate = \"2017-01-01\"\nauthor = \"Ann\"\n\n\
         [extra.nested]\nb = 1\na = [true]\n+++\n"
    );
    let inner = text
        .strip_prefix("+++\n")
        .unwrap()
        .strip_suffix("+++\n")
        .unwrap();
    let table: toml::Table = toml::from_str(inner).unwrap();
    assert!(table["date"].is_datetime());
    assert_eq!(table["extra"]["author"].as_str(), Some("Ann"));
}

fn imported(note: &Note, front_matter: &str) -> Note {
    let mut n = note.clone();
    let mut source = Source::new("Guides/Headless Sync.md", Some(front_matter.into()));
    source.imported_hash = Some(n.content_hash());
    n.source = Some(source);
    n
}

#[test]
fn keep_writes_the_bytes_while_unchanged_and_regenerates_in_their_form_after() {
    let original = "\u{feff}---\r\nTitle: Headless Sync\r\naliases: [Headless, Sync] # a comment\r\n\
                    tags: sync, reading list\r\nauthor: Ann\r\n...\r\n";
    let mut n = imported(&note(), original);
    assert_eq!(render(FrontMatter::Keep, &n), original);
    // Changed: the same syntax, BOM, CRLF and closing line, the original keys first.
    n.title = "Headless Sync, again".into();
    n.properties.shift_remove("author");
    n.properties.insert("new".into(), json!("added"));
    assert_eq!(
        render(FrontMatter::Keep, &n),
        "\u{feff}---\r\nTitle: \"Headless Sync, again\"\r\naliases:\r\n  - Headless\r\n  - Sync\r\n\
         tags:\r\n  - \"#sync\"\r\n  - reading list\r\n  - \"1984\"\r\n  - obsidian/help\r\n\
         created: 2026-12-01T11:31:05Z\r\nupdated: 2026-12-02T08:00:00.250Z\r\n\
         draft: false\r\ndate: \"2017-01-01\"\r\nnothing: null\r\nnested:\r\n  b: 1\r\n  a:\r\n    - true\r\n\
         new: added\r\n...\r\n"
    );
    // TOML stays TOML.
    let toml_original = "+++\ntitle = \"Headless Sync\"\nauthor = \"Ann\"\n+++\n";
    let mut n = imported(&note(), toml_original);
    assert_eq!(render(FrontMatter::Keep, &n), toml_original);
    n.body.push_str("more\n");
    let text = render(FrontMatter::Keep, &n);
    assert!(
        text.starts_with("+++\ntitle = \"Headless Sync\"\nauthor = \"Ann\"\n"),
        "{text}"
    );
    let table: toml::Table =
        toml::from_str(text.trim_start_matches("+++\n").trim_end_matches("+++\n")).unwrap();
    assert!(table["created"].is_datetime());
    // No front matter at all: nothing while unchanged.
    let mut n = imported(&note(), "");
    assert_eq!(render(FrontMatter::Keep, &n), "");
    n.tags.clear();
    assert!(render(FrontMatter::Keep, &n).starts_with("---\ntitle: Headless Sync\ncreated: "));
    // Not imported: smartnotes' own.
    assert_eq!(
        render(FrontMatter::Keep, &note()),
        render(FrontMatter::Smartnotes, &note())
    );
}

#[test]
fn every_yaml_profile_reads_back_its_properties_with_serde_yaml() {
    let n = note();
    for profile in [
        FrontMatter::Smartnotes,
        FrontMatter::Obsidian,
        FrontMatter::Hugo,
        FrontMatter::Jekyll,
    ] {
        let text = render(profile, &n);
        let inner = text
            .strip_prefix("---\n")
            .unwrap()
            .strip_suffix("---\n")
            .unwrap();
        let parsed: Properties = serde_yaml_ng::from_str(inner).unwrap();
        for (key, value) in &n.properties {
            let owned = match profile {
                FrontMatter::Hugo | FrontMatter::Jekyll => key == "date",
                _ => false,
            };
            if !owned {
                assert_eq!(parsed.get(key), Some(value), "{profile}: {key}");
            }
        }
    }
}
