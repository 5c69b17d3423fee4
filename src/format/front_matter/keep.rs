//! The `keep` profile: a note's front matter as it came in.
//!
//! While the note is unchanged since it was imported (its content hash is still its source's
//! `imported_hash`), the front matter is written back byte for byte: BOM, delimiters, line
//! endings, comments and quoting as they were, so a vault comes back byte-identical. Once the
//! note changed, the front matter is regenerated in the same syntax (YAML `---` ... `---` or
//! `...`, TOML `+++`, JSON), line endings and BOM: the original keys in their order, each with
//! the note's value now (`id`, `title` in any letter case, `tags`, `created`, `updated` from
//! the note, the others from its properties; a property removed since is left out), then
//! whichever of title, tags, created and updated the original did not have (so nothing the
//! note says is lost), then the properties added since. A note that was not imported gets
//! smartnotes' own front matter.

use serde_json::Value;

use super::smartnotes::Smartnotes;
use super::{Profile, toml_out, yaml};
use crate::model::{Note, Timestamp};

pub(super) struct Keep;

impl Profile for Keep {
    fn write(&self, note: &Note, out: &mut Vec<u8>) {
        let Some(original) = note.source.as_ref().and_then(|s| s.front_matter.as_deref()) else {
            return Smartnotes.write(note, out);
        };
        if note.unchanged_since_import() {
            out.extend_from_slice(original.as_bytes());
        } else {
            regenerate(note, original, out);
        }
    }
}

/// The syntax of a front matter.
#[derive(Debug, PartialEq, Eq)]
enum Syntax {
    /// `---`, then YAML, then this closing line (`---` or `...`).
    Yaml(&'static str),
    Toml,
    Json,
}

/// What a regenerated front matter keeps of the original's form.
#[derive(Debug)]
struct Shape {
    bom: bool,
    crlf: bool,
    syntax: Syntax,
    keys: Vec<String>,
}

/// Front matter whose brackets may nest deeper than this is not given to a parser: libyaml
/// spends time proportional to the flow depth on every token (`[` x 100,000 takes seconds),
/// and no front matter a person wrote nests so deep. Its keys are then unknown.
const MAX_BRACKET_DEPTH: usize = 64;

/// An upper bound of how deep `[` and `{` nest in `text` (quotes are not followed, so a bracket
/// in a string counts): cheap and never below the real depth.
fn bracket_depth_over(text: &str, limit: usize) -> bool {
    let mut depth = 0usize;
    for b in text.bytes() {
        match b {
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// The form and the top-level keys of `original`; no keys when it cannot be read (or is
/// empty: the file had no front matter, or nests too deep to be looked at).
fn shape(original: &str) -> Shape {
    let (bom, text) = match original.strip_prefix('\u{feff}') {
        Some(rest) => (true, rest),
        None => (false, original),
    };
    let first = text.split_inclusive('\n').next().unwrap_or("");
    let crlf = first.ends_with("\r\n");
    let readable = !bracket_depth_over(text, MAX_BRACKET_DEPTH);
    let (syntax, mut keys) = if first.trim_end() == "+++" {
        let keys = Some(inner(text, &["+++"]).0)
            .filter(|_| readable)
            .and_then(|t| toml::from_str::<toml::Table>(t).ok())
            .map(|t| t.keys().cloned().collect())
            .unwrap_or_default();
        (Syntax::Toml, keys)
    } else if first.trim_end() == "---" {
        let (inner, close) = inner(text, &["---", "..."]);
        let keys = Some(inner)
            .filter(|_| readable)
            .and_then(|t| serde_yaml_ng::from_str::<serde_yaml_ng::Mapping>(t).ok())
            .map(|m| {
                m.keys()
                    .filter_map(|k| k.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        (
            Syntax::Yaml(if close == "..." { "..." } else { "---" }),
            keys,
        )
    } else if text.trim_start().starts_with('{') {
        let end = text.rfind('}').map_or(text.len(), |i| i + 1);
        let keys = Some(&text[..end])
            .filter(|_| readable)
            .and_then(|t| serde_json::from_str::<serde_json::Map<String, Value>>(t).ok())
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        (Syntax::Json, keys)
    } else {
        (Syntax::Yaml("---"), Vec::new())
    };
    if !readable {
        keys.clear();
    }
    Shape {
        bom,
        crlf,
        syntax,
        keys,
    }
}

/// The text between the opening line of `text` and its last line that is one of `closes`, and
/// which close it was.
fn inner<'t>(text: &'t str, closes: &[&'static str]) -> (&'t str, &'static str) {
    let body_start = text.find('\n').map_or(text.len(), |i| i + 1);
    let rest = &text[body_start..];
    let mut end = None;
    let mut at = 0;
    for line in rest.split_inclusive('\n') {
        if let Some(close) = closes.iter().find(|c| line.trim_end() == **c) {
            end = Some((at, *close));
        }
        at += line.len();
    }
    match end {
        Some((end, close)) => (&rest[..end], close),
        None => (rest, closes[0]),
    }
}

/// One value of a regenerated front matter.
enum Item {
    Value(Value),
    Time(Timestamp),
}

/// The entries of the regenerated front matter of `note`, in order (see the module docs).
fn items(note: &Note, keys: &[String]) -> Vec<(String, Item)> {
    let tags = || {
        Item::Value(Value::Array(
            note.tags.iter().map(|t| Value::String(t.clone())).collect(),
        ))
    };
    let title = || Item::Value(Value::String(note.title.clone()));
    let mut items: Vec<(String, Item)> = Vec::with_capacity(keys.len() + 4);
    let has = |items: &[(String, Item)], key: &str| items.iter().any(|(k, _)| k == key);
    let mut titled = false;
    for key in keys {
        let item = match key.as_str() {
            "id" => Item::Value(Value::from(note.id)),
            "tags" => tags(),
            "created" => Item::Time(note.created),
            "updated" => Item::Time(note.updated),
            k if !titled && k.eq_ignore_ascii_case("title") => {
                titled = true;
                title()
            }
            k => match note.properties.get(k) {
                Some(v) => Item::Value(v.clone()),
                None => continue,
            },
        };
        if !has(&items, key) {
            items.push((key.clone(), item));
        }
    }
    if !titled {
        items.push(("title".into(), title()));
    }
    if !has(&items, "tags") && !note.tags.is_empty() {
        items.push(("tags".into(), tags()));
    }
    for (key, time) in [("created", note.created), ("updated", note.updated)] {
        if !has(&items, key) {
            items.push((key.into(), Item::Time(time)));
        }
    }
    for (key, value) in &note.properties {
        if !has(&items, key) {
            items.push((key.clone(), Item::Value(value.clone())));
        }
    }
    items
}

fn regenerate(note: &Note, original: &str, out: &mut Vec<u8>) {
    let shape = shape(original);
    let items = items(note, &shape.keys);
    let mut text = Vec::new();
    match shape.syntax {
        Syntax::Yaml(close) => {
            let mut yaml_text = String::from("---\n");
            for (key, item) in &items {
                match item {
                    Item::Value(v) => yaml::top(&mut yaml_text, key, v),
                    Item::Time(t) => yaml::raw(&mut yaml_text, key, &t.to_string()),
                }
            }
            yaml_text.push_str(close);
            yaml_text.push('\n');
            text.extend_from_slice(yaml_text.as_bytes());
        }
        Syntax::Toml => {
            let mut table = toml::Table::new();
            for (key, item) in &items {
                let value = match item {
                    Item::Value(v) => toml_out::value(v),
                    Item::Time(t) => Some(toml_out::date_time(*t)),
                };
                if let Some(value) = value {
                    table.insert(key.clone(), value);
                }
            }
            toml_out::document(&table, &mut text);
        }
        Syntax::Json => {
            let map: serde_json::Map<String, Value> = items
                .into_iter()
                .map(|(k, item)| match item {
                    Item::Value(v) => (k, v),
                    Item::Time(t) => (k, Value::String(t.to_string())),
                })
                .collect();
            // A map of JSON values always serializes.
            text.extend_from_slice(
                serde_json::to_string_pretty(&map)
                    .unwrap_or_default()
                    .as_bytes(),
            );
            text.push(b'\n');
        }
    }
    if shape.bom {
        out.extend_from_slice("\u{feff}".as_bytes());
    }
    if shape.crlf {
        for &b in &text {
            if b == b'\n' {
                out.push(b'\r');
            }
            out.push(b);
        }
    } else {
        out.extend_from_slice(&text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shape_of_each_syntax_is_read() {
        let s = shape("\u{feff}---\r\nTitle: A\r\naliases: [x]\r\ndate: 2017-01-01\r\n...\r\n");
        assert!(s.bom && s.crlf);
        assert_eq!(s.syntax, Syntax::Yaml("..."));
        assert_eq!(s.keys, ["Title", "aliases", "date"]);
        let s = shape("+++\ntitle = \"A\"\ndraft = true\n[taxonomies]\ntags = [\"x\"]\n+++\n");
        assert_eq!(
            (s.syntax, s.keys),
            (
                Syntax::Toml,
                vec!["title".into(), "draft".into(), "taxonomies".into()]
            )
        );
        let s = shape("{\n  \"title\": \"A\",\n  \"weight\": 2\n}\n");
        assert_eq!(
            (s.syntax, s.keys),
            (Syntax::Json, vec!["title".into(), "weight".into()])
        );
        let s = shape("");
        assert_eq!((s.syntax, s.keys.len()), (Syntax::Yaml("---"), 0));
        // Unreadable: no keys, but the form is kept.
        let s = shape("---\n: : [\n---\n");
        assert_eq!((s.syntax, s.keys.len()), (Syntax::Yaml("---"), 0));
        // Nested too deep to be looked at: no keys, at once.
        for deep in [
            format!("---\na: {}\n---\n", "[".repeat(100_000)),
            format!("+++\na = {}\n+++\n", "[".repeat(100_000)),
            format!("{{\"a\": {}\n", "[".repeat(100_000)),
        ] {
            let started = std::time::Instant::now();
            assert!(shape(&deep).keys.is_empty());
            assert!(
                started.elapsed() < std::time::Duration::from_secs(5),
                "generous bound"
            );
        }
        assert_eq!(
            shape("---\na: [[1], {b: [2]}]\nc: 1\n---\n").keys,
            ["a", "c"]
        );
    }
}
