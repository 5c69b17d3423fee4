//! JSON reader: one note object, or an array of them, as [`crate::format`] writes them
//! (`deny_unknown_fields`, so a misspelt key is an error and not a silently lost field), with
//! or without the `properties` and `source` objects of a note that has them.
//!
//! A syntax error anywhere fails the whole file, with serde_json's line and column. In an array
//! each element is then read on its own, so a note that is not valid (a bad tag, an id out of
//! range) fails alone, and its error names the line of the offending field.

use std::path::Path;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::fields::{self, Tag, Text};
use super::lines::Lines;
use super::{Fields, ImportError, Parsed, strip_location};
use crate::model::{Properties, Source, Timestamp};

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
    // Written by a smartnotes that keeps properties and sources; absent in older files.
    #[serde(default)]
    properties: Properties,
    #[serde(default)]
    source: Option<Source>,
}

pub(super) fn read(path: &Path, text: &str, lines: &mut Lines<'_>) -> Vec<Parsed> {
    lines.charge(text.len());
    if !text.trim_start().starts_with('[') {
        return vec![note(path, text, None, lines)];
    }
    let elements = match serde_json::from_str::<Vec<&RawValue>>(text) {
        Ok(elements) => elements,
        Err(e) => return vec![Err(error(path, &e, e.to_string(), None))],
    };
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

/// A serde_json error, found in text that starts at `start` of the file (or is the file), as an
/// [`ImportError::Json`] at the file's line and column.
fn error(
    path: &Path,
    e: &serde_json::Error,
    message: String,
    start: Option<(usize, usize)>,
) -> ImportError {
    let message = strip_location(&message).to_owned();
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
