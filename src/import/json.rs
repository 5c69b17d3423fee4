//! JSON reader: one note object, or an array of them, as [`crate::format`] writes them
//! (`deny_unknown_fields`, so a misspelt key is an error and not a silently lost field).
//!
//! A syntax or shape error anywhere fails the whole file, with serde_json's line and column;
//! a note that parses but is not valid (a bad tag) fails alone.

use std::path::Path;

use super::{Fields, ImportError, Parsed, strip_location};
use crate::model::Note;

pub(super) fn read(path: &Path, text: &str) -> Vec<Parsed> {
    let array = text.trim_start().starts_with('[');
    let notes = if array {
        serde_json::from_str::<Vec<Note>>(text)
    } else {
        serde_json::from_str::<Note>(text).map(|n| vec![n])
    };
    match notes {
        Ok(notes) => notes
            .into_iter()
            .map(|note| from_note(note).check(path, None))
            .collect(),
        Err(e) => vec![Err(error(path, &e, None))],
    }
}

/// The fields of a note read from JSON.
pub(super) fn from_note(note: Note) -> Fields {
    Fields {
        id: Some(note.id),
        title: note.title,
        tags: note.tags,
        created: note.created,
        updated: note.updated,
        body: note.body,
    }
}

/// A serde_json error as an [`ImportError::Json`]; `line` overrides serde's (JSON Lines, where
/// serde sees one line at a time).
pub(super) fn error(path: &Path, e: &serde_json::Error, line: Option<usize>) -> ImportError {
    let message = strip_location(&e.to_string()).to_owned();
    let (line, message) = match (line, e.line()) {
        (Some(line), _) => (Some(line), format!("{message} (column {})", e.column())),
        (None, 0) => (None, message),
        (None, l) => (Some(l), format!("{message} (column {})", e.column())),
    };
    ImportError::Json {
        path: path.to_path_buf(),
        line,
        message,
    }
}
