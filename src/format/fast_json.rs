//! A note as JSON written by hand, byte for byte as serde_json writes it (pretty for the JSON
//! format, compact for JSON Lines), for the notes whose every field it writes itself: no
//! properties and no source. A note with either goes to serde_json, which stays the
//! reference: `fast_json_tests.rs` checks this writer against it on generated and real
//! inputs, a million cases in the ignored slow test.
//!
//! What it does faster is escaping: serde_json looks up every byte of a string in a table;
//! here eight bytes at a time are tested for a quote, a backslash or a control character
//! (the only bytes JSON escapes) and copied as one word; after the first byte to escape the
//! copy is cut back and the search goes on from the byte after it.

use std::io::Write as _;

use super::words;
use crate::model::Note;

/// Appends `note` as serde_json's `to_writer_pretty` (`pretty`) or `to_writer` would, and
/// returns true; or appends nothing and returns false for a note with properties or a
/// source, which the caller gives to serde_json.
pub(super) fn write(note: &Note, pretty: bool, out: &mut Vec<u8>) -> bool {
    if !note.properties.is_empty() || note.source.is_some() {
        return false;
    }
    // Between a key and its value, and before each key and the closing brace.
    let (colon, field, close) = if pretty {
        (&b": "[..], &b",\n  "[..], &b"\n}"[..])
    } else {
        (&b":"[..], &b","[..], &b"}"[..])
    };
    out.extend_from_slice(if pretty { b"{\n  \"id\"" } else { b"{\"id\"" });
    out.extend_from_slice(colon);
    let _ = write!(out, "{}", note.id);
    out.extend_from_slice(field);
    out.extend_from_slice(b"\"title\"");
    out.extend_from_slice(colon);
    string(out, &note.title);
    out.extend_from_slice(field);
    out.extend_from_slice(b"\"tags\"");
    out.extend_from_slice(colon);
    out.push(b'[');
    for (i, tag) in note.tags.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        if pretty {
            out.extend_from_slice(b"\n    ");
        }
        string(out, tag);
    }
    if pretty && !note.tags.is_empty() {
        out.extend_from_slice(b"\n  ");
    }
    out.push(b']');
    for (key, time) in [
        (&b"\"created\""[..], note.created),
        (b"\"updated\"", note.updated),
    ] {
        out.extend_from_slice(field);
        out.extend_from_slice(key);
        out.extend_from_slice(colon);
        // A timestamp's text is digits, `-`, `:`, `.`, `T` and `Z`: nothing to escape.
        out.push(b'"');
        time.push_to(out);
        out.push(b'"');
    }
    out.extend_from_slice(field);
    out.extend_from_slice(b"\"body\"");
    out.extend_from_slice(colon);
    string(out, &note.body);
    out.extend_from_slice(close);
    true
}

/// `text` as a JSON string, escaped as serde_json escapes: `"` and `\` with a backslash, the
/// control characters below U+0020 as `\b \t \n \f \r` or `\u00XX` (lowercase hex), every
/// other character as it is.
pub(super) fn string(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut at = 0; // the first byte not yet written
    while let Some(chunk) = bytes.get(at..at + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        // The whole word goes out (a fixed-size copy, no call), and what follows the first
        // byte to escape is taken back: escapes come every few dozen bytes in notes (line
        // breaks, quotes), so what each one costs is what matters.
        out.extend_from_slice(&word);
        let mask = escape_mask(u64::from_le_bytes(word));
        if mask == 0 {
            at += 8;
            continue;
        }
        // The lowest flagged byte is one to escape (the higher ones may be false alarms).
        let i = (mask.trailing_zeros() / 8) as usize;
        out.truncate(out.len() - (8 - i));
        at += i;
        match escape(bytes[at]) {
            Some(escaped) => escaped.write(out),
            None => out.push(bytes[at]),
        }
        at += 1;
    }
    for &b in &bytes[at..] {
        match escape(b) {
            Some(escaped) => escaped.write(out),
            None => out.push(b),
        }
    }
    out.push(b'"');
}

/// The high bit of each byte of `word` (little-endian) that may be below 0x20, a `"` or a
/// `\`: zero when there is none, and the lowest bit set is always a byte that is one
/// ([`words::below`]).
fn escape_mask(word: u64) -> u64 {
    words::below(word, 0x20) | words::has_byte(word, b'"') | words::has_byte(word, b'\\')
}

/// How one byte is escaped, if it is.
enum Escaped {
    Short(u8),
    Unicode(u8),
}

impl Escaped {
    fn write(self, out: &mut Vec<u8>) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        match self {
            Escaped::Short(c) => out.extend_from_slice(&[b'\\', c]),
            Escaped::Unicode(b) => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 0xf)],
            ]),
        }
    }
}

fn escape(b: u8) -> Option<Escaped> {
    Some(match b {
        b'"' => Escaped::Short(b'"'),
        b'\\' => Escaped::Short(b'\\'),
        b'\n' => Escaped::Short(b'n'),
        b'\r' => Escaped::Short(b'r'),
        b'\t' => Escaped::Short(b't'),
        0x08 => Escaped::Short(b'b'),
        0x0c => Escaped::Short(b'f'),
        0x00..=0x1f => Escaped::Unicode(b),
        _ => return None,
    })
}
