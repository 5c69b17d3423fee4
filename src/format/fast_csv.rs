//! A note's CSV record written by hand, byte for byte as the `csv` crate writes it (RFC 4180,
//! CRLF, a field quoted when it holds a comma, a quote, a CR or an LF, quotes doubled), for
//! notes without properties or source, whose cells are all text this writer has at hand. A
//! note with either goes through the `csv` crate, which stays the reference:
//! `fast_csv_tests.rs` checks this writer against it on generated and real inputs, a million
//! cases in the ignored slow test. It saves the crate's writer, its buffer and the strings
//! made for each cell, once per note.

use std::borrow::Cow;
use std::io::Write as _;

use crate::model::Note;

/// Appends `note`'s record as the `csv` crate would, its title, tags and body passed through
/// `text_cell` first (`--csv-safe`'s prefix, or nothing), and returns true; or appends
/// nothing and returns false for a note with properties or a source.
pub(super) fn write(
    note: &Note,
    text_cell: impl for<'a> Fn(&'a str) -> Cow<'a, str>,
    out: &mut Vec<u8>,
) -> bool {
    if !note.properties.is_empty() || note.source.is_some() {
        return false;
    }
    let cell = |s: &str, out: &mut Vec<u8>| field(out, &text_cell(s));
    let _ = write!(out, "{},", note.id);
    cell(&note.title, out);
    out.push(b',');
    let tags: Cow<'_, str> = match note.tags.as_slice() {
        [] => Cow::Borrowed(""),
        [one] => Cow::Borrowed(one),
        many => Cow::Owned(many.join(";")),
    };
    cell(&tags, out);
    // Timestamps are digits, `-`, `:`, `.`, `T` and `Z`: never quoted.
    let _ = write!(out, ",{},{},", note.created, note.updated);
    cell(&note.body, out);
    // Empty properties and source cells.
    out.extend_from_slice(b",,\r\n");
    true
}

/// One field, quoted when it holds a comma, a quote, a CR or an LF, its quotes doubled.
fn field(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    if !bytes
        .iter()
        .any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
    {
        out.extend_from_slice(bytes);
        return;
    }
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    for part in text.split_inclusive('"') {
        out.extend_from_slice(part.as_bytes());
        if part.ends_with('"') {
            out.push(b'"');
        }
    }
    out.push(b'"');
}
