//! jrnl's JSON export (`jrnl --format json`): `{"tags": {"@tag": count}, "entries": [...]}`,
//! each entry `{"title", "body", "date": "2013-06-09", "time": "15:39", "tags": ["@tag"],
//! "starred": false}` and, from Day One imports, `uuid` and `creator`.
//!
//! An entry becomes a note: its title and body as they are, its date and time (which jrnl
//! writes without a zone, jrnl#798) read in the import's zone as both created and updated, its
//! tags without the `@`, and every other key (`starred` included) as a property. The file's
//! own `tags` count is jrnl's summary and is not kept.

use std::path::Path;

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use super::lines::Lines;
use super::props::{Props, what};
use super::{Fields, ImportError, Parsed, ReadOptions, Report, dates, fields, tags};
use crate::model::Properties;

/// Whether an object with these top-level keys is jrnl's export.
pub(super) fn is_export(keys: &[String]) -> bool {
    keys.iter().any(|k| k == "entries") && keys.iter().all(|k| k == "entries" || k == "tags")
}

#[derive(Deserialize)]
struct Export<'a> {
    #[serde(borrow)]
    entries: Vec<&'a RawValue>,
}

pub(super) fn read(
    path: &Path,
    text: &str,
    options: &ReadOptions,
    lines: &mut Lines<'_>,
    report: &mut Report,
) -> Vec<Parsed> {
    lines.charge(text.len());
    let export: Export<'_> = match serde_json::from_str(text) {
        Ok(export) => export,
        Err(e) => {
            return vec![Err(ImportError::Json {
                path: path.to_path_buf(),
                line: Some(e.line()).filter(|&l| l > 0),
                message: format!("jrnl export: {}", super::strip_location(&e.to_string())),
            })];
        }
    };
    export
        .entries
        .into_iter()
        .enumerate()
        .map(|(i, raw)| {
            let json = raw.get();
            let offset = (json.as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
            let line = lines.line_at(offset);
            lines.charge(json.len());
            entry(path, json, i, line, options, report)
        })
        .collect()
}

/// One entry, the `index`-th, which starts on `line`.
fn entry(
    path: &Path,
    json: &str,
    index: usize,
    line: usize,
    options: &ReadOptions,
    report: &mut Report,
) -> Parsed {
    let fail = |message: String| ImportError::Json {
        path: path.to_path_buf(),
        line: Some(line),
        message: format!("entries[{index}]: {message}"),
    };
    let Props(mut keys) = serde_json::from_str(json).map_err(|e| fail(e.to_string()))?;
    let mut text = |key: &str| match keys.shift_remove(key) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(fail(format!("{key}: {} is no text", what(&other)))),
    };
    let title = text("title")?;
    let body = text("body")?;
    let date = text("date")?;
    let time = text("time")?;
    if date.is_empty() {
        return Err(fail(
            "date: missing (jrnl writes one for every entry)".into(),
        ));
    }
    let when = format!("{date} {}", if time.is_empty() { "00:00" } else { &time });
    let read =
        dates::parse(&when, &options.zone).map_err(|e| fail(format!("date and time: {e}")))?;
    report.zoneless += u64::from(read.zoneless);
    let raw_tags = match keys.shift_remove("tags") {
        Some(value) => tags::from_value(&value).map_err(|e| fail(format!("tags: {e}")))?,
        None => Vec::new(),
    };
    let (tags, refused) = tags::keep(raw_tags.iter().map(|t| (strip_sign(t), ())).collect());
    for (e, ()) in refused {
        report.warn(
            path,
            Some(line),
            format!(
                "entries[{index}]: tags: {}; left out",
                fields::shorten(e.to_string())
            ),
        );
    }
    Fields {
        id: None,
        title,
        tags,
        created: read.at,
        updated: read.at,
        body,
        properties: properties(keys),
        source: None,
    }
    .check(path, Some(line))
}

/// What is left of an entry (`starred`, `uuid`, `creator`) as properties.
fn properties(keys: serde_json::Map<String, Value>) -> Properties {
    keys
}

/// A jrnl tag without its sign (`@` by default; `#` in journals set up so).
pub(super) fn strip_sign(tag: &str) -> String {
    tag.strip_prefix(['@', '#']).unwrap_or(tag).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::Zone;

    #[test]
    fn an_entry_becomes_a_note_with_its_other_keys_as_properties() {
        let text = r#"{"tags": {"@work": 1}, "entries": [
  {"title": "Meeting.", "body": "With @work people.", "date": "2013-06-09", "time": "15:39",
   "tags": ["@work"], "starred": true, "uuid": "ABC"}
]}"#;
        let options = ReadOptions {
            zone: "Europe/Paris".parse::<Zone>().unwrap(),
            ..ReadOptions::default()
        };
        let mut lines = Lines::new(text);
        let mut report = Report::default();
        let r = read(Path::new("j.json"), text, &options, &mut lines, &mut report);
        let n = &r[0].as_ref().unwrap().note;
        assert_eq!(
            (n.title.as_str(), n.body.as_str()),
            ("Meeting.", "With @work people.")
        );
        assert_eq!(n.tags, ["work"]);
        assert_eq!(n.created.to_string(), "2013-06-09T13:39:00Z");
        assert_eq!(n.updated, n.created);
        assert_eq!(
            serde_json::Value::Object(n.properties.clone()),
            serde_json::json!({"starred": true, "uuid": "ABC"})
        );
        assert_eq!(report.zoneless, 1);
        assert_eq!(r[0].as_ref().unwrap().origin.line, Some(2));
    }

    #[test]
    fn a_broken_entry_fails_alone_at_its_line() {
        let text = "{\"entries\": [\n{\"title\": \"a\", \"date\": \"2013-06-09\", \"time\": \"15:39\"},\n{\"title\": \"b\", \"date\": \"yesterday\"},\n{\"title\": \"c\"}\n]}";
        let mut lines = Lines::new(text);
        let r = read(
            Path::new("j.json"),
            text,
            &ReadOptions::default(),
            &mut lines,
            &mut Report::default(),
        );
        assert!(r[0].is_ok());
        let e: Vec<String> = r[1..]
            .iter()
            .map(|r| r.as_ref().unwrap_err().to_string())
            .collect();
        assert!(
            e[0].starts_with("j.json:3: JSON: entries[1]: date and time: \"yesterday 00:00\""),
            "{e:?}"
        );
        assert!(
            e[1].starts_with("j.json:4: JSON: entries[2]: date: missing"),
            "{e:?}"
        );
    }
}
