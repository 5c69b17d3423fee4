//! JSON reader: one note object, or an array of them, as [`crate::format`] writes them
//! (`deny_unknown_fields`, so a misspelt key is an error and not a silently lost field), or
//! jrnl's JSON export ([`super::jrnl_json`]), told apart by the top-level keys. An object of
//! any other shape is an error that names its keys and the shapes read.
//!
//! A syntax error anywhere fails the whole file, with serde_json's line and column. In an array
//! each element is then read on its own, so a note that is not valid (a bad tag, an id out of
//! range) fails alone, and its error names the line of the offending field.

use std::path::Path;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::fields::{self, Tag, Text};
use super::lines::Lines;
use super::{Fields, ImportError, Parsed, ReadOptions, Report, jrnl_json, strip_location};
use crate::model::{Properties, Source, Timestamp};

/// The shapes of JSON read, for messages.
pub(super) const SHAPES: &str = "a note object (id, title, tags, created, updated, body), an array of them (smartnotes' JSON), or jrnl's JSON export (tags, entries)";

/// A note as the JSON formats write it, each field checked as it is read.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a note (a JSON object)")]
pub(super) struct NoteRecord {
    #[serde(deserialize_with = "fields::id")]
    id: i64,
    title: Text,
    #[serde(default)]
    tags: Vec<Tag>,
    #[serde(deserialize_with = "fields::timestamp")]
    created: Timestamp,
    #[serde(deserialize_with = "fields::timestamp")]
    updated: Timestamp,
    #[serde(default)]
    body: Text,
    #[serde(default)]
    properties: Properties,
    #[serde(default)]
    source: Option<Source>,
}

/// The keys smartnotes writes in a note object.
const NOTE_KEYS: [&str; 8] = [
    "id",
    "title",
    "tags",
    "created",
    "updated",
    "body",
    "properties",
    "source",
];

pub(super) fn read(
    path: &Path,
    text: &str,
    options: &ReadOptions,
    lines: &mut Lines<'_>,
    report: &mut Report,
) -> Vec<Parsed> {
    lines.charge(text.len());
    if !text.trim_start().starts_with('[') {
        return match top_keys(text) {
            Some(keys) if jrnl_json::is_export(&keys) && !options.strict => {
                jrnl_json::read(path, text, options, lines, report)
            }
            Some(keys) if !is_note(&keys) => {
                vec![Err(unknown_shape(
                    path,
                    "a JSON object",
                    &keys,
                    options.strict,
                ))]
            }
            _ => vec![note(path, text, None, lines)],
        };
    }
    let elements = match serde_json::from_str::<Vec<&RawValue>>(text) {
        Ok(elements) => elements,
        Err(e) => return vec![Err(error(path, &e, e.to_string(), None))],
    };
    // An array of another tool's objects is one error, not one per element.
    if let Some(keys) = elements.first().and_then(|e| top_keys(e.get()))
        && !is_note(&keys)
    {
        let what = format!("a JSON array of {} objects, the first", elements.len());
        return vec![Err(unknown_shape(path, &what, &keys, options.strict))];
    }
    elements
        .into_iter()
        .map(|raw| {
            let json = raw.get();
            // The element borrows from `text`: its offset there gives its line.
            let offset = (json.as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
            let start = lines.position(offset);
            note(path, json, Some(start), lines)
        })
        .collect()
}

/// Reads one note object, `json`, which starts at `start` (line and column) of the file, or is
/// the whole file.
pub(super) fn note(
    path: &Path,
    json: &str,
    start: Option<(usize, usize)>,
    lines: &mut Lines<'_>,
) -> Parsed {
    lines.charge(json.len());
    let mut de = serde_json::Deserializer::from_str(json);
    let parsed = serde_path_to_error::deserialize(&mut de)
        .map_err(|e| {
            let message = fields::describe(e.path(), e.inner());
            error(path, e.inner(), message, start)
        })
        .and_then(|note: NoteRecord| {
            de.end()
                .map(|()| note)
                .map_err(|e| error(path, &e, e.to_string(), start))
        })?;
    from_note(parsed).check(path, start.map(|(line, _)| line))
}

fn from_note(note: NoteRecord) -> Fields {
    Fields {
        id: Some(note.id),
        title: note.title.0,
        tags: fields::tags(note.tags),
        created: note.created,
        updated: note.updated,
        body: note.body.0,
        properties: note.properties,
        source: note.source,
    }
}

/// The keys of a JSON object, in order, if `text` is one (its values are skipped, not kept).
fn top_keys(text: &str) -> Option<Vec<String>> {
    struct Keys(Vec<String>);
    impl<'de> Deserialize<'de> for Keys {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> serde::de::Visitor<'de> for V {
                type Value = Keys;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("an object")
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(
                    self,
                    mut map: A,
                ) -> Result<Keys, A::Error> {
                    let mut keys = Vec::new();
                    while let Some(key) = map.next_key::<String>()? {
                        map.next_value::<serde::de::IgnoredAny>()?;
                        keys.push(key);
                    }
                    Ok(Keys(keys))
                }
            }
            d.deserialize_map(V)
        }
    }
    serde_json::from_str::<Keys>(text).ok().map(|k| k.0)
}

/// Whether an object with these keys is meant as a note: it has smartnotes' keys only, and an
/// id or a title among them (anything else is another tool's object, or a typo is named by
/// the note reader).
fn is_note(keys: &[String]) -> bool {
    keys.iter().any(|k| k == "id" || k == "title")
        || keys.iter().all(|k| NOTE_KEYS.contains(&k.as_str()))
}

/// The error for an object of none of the shapes read.
fn unknown_shape(path: &Path, what: &str, keys: &[String], strict: bool) -> ImportError {
    let shown: Vec<&str> = keys.iter().take(12).map(String::as_str).collect();
    let more = if keys.len() > 12 { ", ..." } else { "" };
    ImportError::UnknownShape {
        path: path.to_path_buf(),
        line: Some(1),
        found: format!(
            "{what} with the keys {}{more}, which is no note",
            crate::model::quote(&shown.join(", "))
        ),
        known: if strict {
            "a note object or an array of them (smartnotes' JSON) under --strict"
        } else {
            SHAPES
        },
    }
}

/// A serde_json error, found in text that starts at `start` of the file (or is the file), as an
/// [`ImportError::Json`] at the file's line and column.
fn error(
    path: &Path,
    e: &serde_json::Error,
    message: String,
    start: Option<(usize, usize)>,
) -> ImportError {
    let message = strip_location(&message);
    let (line, message) = match (e.line(), start) {
        (0, start) => (start.map(|(line, _)| line), message),
        (l, None) => (Some(l), format!("{message} (column {})", e.column())),
        (l, Some((line, column))) => {
            let column = if l == 1 {
                column + e.column() - 1
            } else {
                e.column()
            };
            (Some(line + l - 1), format!("{message} (column {column})"))
        }
    };
    ImportError::Json {
        path: path.to_path_buf(),
        line,
        message,
    }
}
