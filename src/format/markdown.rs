//! Markdown with YAML front matter, as Obsidian, Hugo and Jekyll read it.
//!
//! The front matter is produced by a YAML serializer, never by string pasting, so titles such
//! as `key: value`, `#tag`, `- item` or `---` come out quoted and parse back as the same
//! string. The body follows the closing `---` byte for byte: a `---` line inside it is after
//! the front matter has ended and cannot be mistaken for it.
//!
//! A bundle (`notes.md`) holds the records one after another, and a record ends where a line
//! `---` followed by a line `id:` starts the next one ([`opens_record`]). A body that holds
//! such a pair of lines, or that does not end with a line break, could not be told from what
//! follows it: its record says how long it is instead, with one more front matter key,
//! [`BODY_BYTES`], and a line break after the body when it has none of its own. Every other
//! record is written exactly as in a file of its own, so bundles stay readable and editable.

use serde::Serialize;

use super::Render;
use crate::model::{Note, Timestamp};

pub(super) struct Markdown;

/// The front matter key of a bundle record whose body is given by its length in bytes.
pub(crate) const BODY_BYTES: &str = "body_bytes";

#[derive(Serialize)]
struct FrontMatter<'a> {
    id: i64,
    title: &'a str,
    tags: &'a [String],
    created: Timestamp,
    updated: Timestamp,
    // Named as BODY_BYTES says (a test checks it).
    #[serde(skip_serializing_if = "Option::is_none")]
    body_bytes: Option<usize>,
}

impl Render for Markdown {
    fn render(&self, note: &Note, out: &mut Vec<u8>) {
        render(note, None, out);
    }
}

/// Appends `note`'s record of a bundle: the record of its own file, with its body's length
/// and a closing line break where the body needs them (see the module's documentation).
pub(super) fn render_bundle_record(note: &Note, out: &mut Vec<u8>) {
    let sized = needs_body_bytes(&note.body);
    render(note, sized.then_some(note.body.len()), out);
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
}

/// Whether `text`, at the start of a line, opens a record of a Markdown bundle: a `---` line
/// followed by a line starting with `id:`.
pub(crate) fn opens_record(text: &str) -> bool {
    text.strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
        .is_some_and(|rest| rest.starts_with("id:"))
}

/// Whether a body must give its length in a bundle: it does not end with a line break, or
/// one of its lines would open a record.
pub(crate) fn needs_body_bytes(body: &str) -> bool {
    let line_starts = std::iter::once(0).chain(body.match_indices('\n').map(|(i, _)| i + 1));
    (!body.is_empty() && !body.ends_with('\n'))
        || line_starts
            .filter(|&i| body[i..].starts_with("---"))
            .any(|i| opens_record(&body[i..]))
}

fn render(note: &Note, body_bytes: Option<usize>, out: &mut Vec<u8>) {
    let front = FrontMatter {
        id: note.id,
        title: &note.title,
        tags: &note.tags,
        created: note.created,
        updated: note.updated,
        body_bytes,
    };
    out.extend_from_slice(b"---\n");
    let start = out.len();
    // Serializing plain strings, integers and lists into a Vec cannot fail; should the
    // crate ever disagree, the record says so instead of silently dropping fields.
    if let Err(e) = serde_yaml_ng::to_writer(&mut *out, &front) {
        out.extend_from_slice(format!("error: {e}\n").as_bytes());
    }
    quote_yaml_1_1_scalars(out, start, note);
    out.extend_from_slice(b"---\n");
    out.extend_from_slice(note.body.as_bytes());
}

/// Quotes the title and tags that the serializer left plain but that a YAML 1.1 reader, such as
/// Jekyll's Psych, would not read as strings (`yes`, `off`, `1:30`, `1_000`).
///
/// The serializer follows YAML 1.2, where those are strings. Every such scalar is a single
/// word with no quote in it, so wrapping it in single quotes is exact.
fn quote_yaml_1_1_scalars(out: &mut Vec<u8>, start: usize, note: &Note) {
    let ambiguous = |s: &str| yaml_1_1_non_string(s);
    if !ambiguous(&note.title) && !note.tags.iter().any(|t| ambiguous(t)) {
        return;
    }
    let Ok(text) = std::str::from_utf8(&out[start..]) else {
        return;
    };
    let mut fixed = String::with_capacity(text.len() + 8);
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches('\n');
        let quoted = match content.split_once(' ') {
            Some(("title:", value)) if value == note.title && ambiguous(value) => {
                Some(format!("title: '{value}'"))
            }
            Some(("-", value)) if note.tags.iter().any(|t| t == value) && ambiguous(value) => {
                Some(format!("- '{value}'"))
            }
            _ => None,
        };
        match quoted {
            Some(q) => {
                fixed.push_str(&q);
                fixed.push('\n');
            }
            None => fixed.push_str(line),
        }
    }
    out.truncate(start);
    out.extend_from_slice(fixed.as_bytes());
}

/// Whether YAML 1.1 resolves this plain scalar to something other than a string.
fn yaml_1_1_non_string(s: &str) -> bool {
    const WORDS: &[&str] = &[
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false",
        "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "~", "null", "Null", "NULL", "<<",
        "=",
    ];
    if WORDS.contains(&s) {
        return true;
    }
    // Numbers with `_` separators, sexagesimal `1:30`, and base prefixes are YAML 1.1 numbers.
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    !digits.is_empty()
        && digits.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && digits
            .chars()
            .all(|c| c.is_ascii_hexdigit() || matches!(c, '_' | ':' | '.' | 'x' | 'o' | 'b'))
}

#[cfg(test)]
mod tests {
    use super::yaml_1_1_non_string;

    #[test]
    fn yaml_1_1_scalars() {
        for s in ["yes", "Off", "~", "1:30", "1_000", "0x1F", "-1.5", "<<"] {
            assert!(yaml_1_1_non_string(s), "{s}");
        }
        for s in ["yesterday", "one", "a:b", "", "key: value", "1 2"] {
            assert!(!yaml_1_1_non_string(s), "{s}");
        }
    }
}
