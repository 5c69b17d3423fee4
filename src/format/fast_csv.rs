//! A note's CSV record written by hand, byte for byte as the `csv` crate writes it (RFC 4180,
//! CRLF, a field quoted when it holds a comma, a quote, a CR or an LF, quotes doubled), for
//! notes without properties or source, whose cells are all text this writer has at hand. A
//! note with either goes through the `csv` crate, which stays the reference:
//! `fast_csv_tests.rs` checks this writer against it on generated and real inputs, a million
//! cases in the ignored slow test. It saves the crate's writer, its buffer and the strings
//! made for each cell, once per note, and looks for the bytes that matter eight at a time.

use std::borrow::Cow;
use std::io::Write as _;

use super::words;
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
    out.push(b',');
    note.created.push_to(out);
    out.push(b',');
    note.updated.push_to(out);
    out.push(b',');
    cell(&note.body, out);
    // Empty properties and source cells.
    out.extend_from_slice(b",,\r\n");
    true
}

/// One field, quoted when it holds a comma, a quote, a CR or an LF, its quotes doubled.
fn field(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    if !needs_quotes(bytes) {
        out.extend_from_slice(bytes);
        return;
    }
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    // Eight bytes at a time, copied as one word; after a quote the copy is cut back to it,
    // the quote doubled, and the search goes on from the byte after it.
    let mut at = 0;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        out.extend_from_slice(&word);
        let quotes = words::has_byte(u64::from_le_bytes(word), b'"');
        if quotes == 0 {
            at += 8;
            continue;
        }
        // The lowest flagged byte is a quote (the higher ones may be false alarms).
        let i = (quotes.trailing_zeros() / 8) as usize;
        out.truncate(out.len() - (8 - i) + 1);
        out.push(b'"');
        at += i + 1;
    }
    for &b in &bytes[at..] {
        out.push(b);
        if b == b'"' {
            out.push(b'"');
        }
    }
    out.push(b'"');
}

/// Whether `bytes` hold a comma, a quote, a CR or an LF.
fn needs_quotes(bytes: &[u8]) -> bool {
    let mut words = bytes.chunks_exact(8);
    for chunk in &mut words {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        if words::has_byte(w, b',')
            | words::has_byte(w, b'"')
            | words::has_byte(w, b'\r')
            | words::has_byte(w, b'\n')
            != 0
        {
            return true;
        }
    }
    words
        .remainder()
        .iter()
        .any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
}
