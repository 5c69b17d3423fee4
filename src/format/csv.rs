//! CSV as RFC 4180 writes it: CRLF line ends, fields quoted when they hold a comma, quote or
//! line break, quotes doubled. The `csv` crate does the quoting; tags are joined with `;`,
//! which [`crate::model::validate_tag`] keeps out of tags. The last two columns hold the
//! note's properties (a JSON object, in their order) and its source (a JSON object: path,
//! front matter, imported hash), each an empty cell when the note has none, so every file has
//! the same columns whatever its notes.

use std::borrow::Cow;

use super::Render;
use crate::model::Note;

// The columns, written once for both headers below.
macro_rules! columns {
    () => {
        "id,title,tags,created,updated,body,properties,source\r\n"
    };
}

/// The header row of every CSV file smartnotes writes.
pub(super) const HEADER: &[u8] = columns!().as_bytes();

/// [`HEADER`] after a UTF-8 byte-order mark (`--csv-bom`).
pub(super) const BOM_HEADER: &[u8] = concat!("\u{feff}", columns!()).as_bytes();

pub(super) struct Csv {
    /// Prefix cells that a spreadsheet would evaluate (see [`spreadsheet_safe`]).
    pub(super) safe: bool,
}

impl Render for Csv {
    fn render(&self, note: &Note, out: &mut Vec<u8>) {
        // The hand-written writer takes a note without properties or source.
        if !super::fast_csv::write(note, |s| cell(s, self.safe), out) {
            library_record(note, self.safe, out);
        }
    }
}

/// A title, tags or body cell: with `safe`, prefixed where a spreadsheet would run it.
pub(super) fn cell(text: &str, safe: bool) -> Cow<'_, str> {
    if safe {
        spreadsheet_safe(text)
    } else {
        Cow::Borrowed(text)
    }
}

/// The record through the `csv` crate: the reference `fast_csv.rs` is checked against.
pub(super) fn library_record(note: &Note, safe: bool, out: &mut Vec<u8>) {
    {
        let tags = note.tags.join(";");
        let (created, updated) = (note.created.to_string(), note.updated.to_string());
        let id = note.id.to_string();
        let cell = |s| {
            if safe {
                spreadsheet_safe(s)
            } else {
                Cow::Borrowed(s)
            }
        };
        // Writing JSON values into a String cannot fail. A JSON object starts with `{`: never
        // a cell a spreadsheet runs.
        let properties = if note.properties.is_empty() {
            String::new()
        } else {
            serde_json::to_string(&note.properties).unwrap_or_default()
        };
        let source = note
            .source
            .as_ref()
            .map(|s| serde_json::to_string(s).unwrap_or_default())
            .unwrap_or_default();
        let record = [
            Cow::Borrowed(id.as_str()),
            cell(&note.title),
            cell(&tags),
            Cow::Borrowed(created.as_str()),
            Cow::Borrowed(updated.as_str()),
            cell(&note.body),
            Cow::Borrowed(properties.as_str()),
            Cow::Borrowed(source.as_str()),
        ];
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .buffer_capacity(1024)
            .from_writer(&mut *out);
        // Writing into a Vec cannot fail.
        let _ = writer.write_record(record.iter().map(|c| c.as_bytes()));
        let _ = writer.flush();
    }
}

/// The cell with a leading `'` when a spreadsheet would run it as a formula: it starts with
/// `=`, `+`, `-`, `@`, a tab or a carriage return (OWASP's list), or with `'` itself, so that
/// removing one leading `'` on import gives the original back in every case.
pub(crate) fn spreadsheet_safe(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\'') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}
