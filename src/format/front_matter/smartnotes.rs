//! The `smartnotes` profile: id, title, tags, created, updated (the keys `smartnotes import`
//! reads), then the note's properties in their order.
//!
//! The five keys are produced by a YAML serializer, never by string pasting, so titles such as
//! `key: value`, `#tag`, `- item` or `---` come out quoted and parse back as the same string;
//! then the title and tags a YAML 1.1 reader would not take for strings (`yes`, `1:30`) are
//! quoted. Properties follow, written by [`super::yaml`]. A note without properties is
//! written exactly as before properties existed.

use serde::Serialize;

use super::{Profile, fast_keys, yaml};
use crate::model::{Note, Timestamp};

pub(super) struct Smartnotes;

impl Profile for Smartnotes {
    fn write(&self, note: &Note, out: &mut Vec<u8>) {
        write(note, None, out);
    }
}

/// Appends the front matter of a record of a Markdown bundle: with `body_bytes`, the length
/// of a body that cannot show where it ends (see `markdown.rs`).
pub(crate) fn write_bundle_record(note: &Note, body_bytes: Option<usize>, out: &mut Vec<u8>) {
    write(note, body_bytes, out);
}

#[derive(Serialize)]
struct Keys<'a> {
    id: i64,
    title: &'a str,
    tags: &'a [String],
    created: Timestamp,
    updated: Timestamp,
    // Named as markdown.rs's BODY_BYTES says (import's tests read it back by that name).
    #[serde(skip_serializing_if = "Option::is_none")]
    body_bytes: Option<usize>,
}

fn write(note: &Note, body_bytes: Option<usize>, out: &mut Vec<u8>) {
    out.extend_from_slice(b"---\n");
    // The hand-written writer takes most notes; the rest go through serde_yaml_ng.
    if !fast_keys::write(note, body_bytes, out) {
        library_keys(note, body_bytes, out);
    }
    if !note.properties.is_empty() {
        let mut text = String::new();
        yaml::entries(
            &mut text,
            note.properties.iter().map(|(k, v)| (k.as_str(), v)),
        );
        out.extend_from_slice(text.as_bytes());
    }
    out.extend_from_slice(b"---\n");
}

/// The five keys (and `body_bytes`) through serde_yaml_ng, then quoted for YAML 1.1 readers:
/// the reference [`fast_keys`] is checked against.
pub(super) fn library_keys(note: &Note, body_bytes: Option<usize>, out: &mut Vec<u8>) {
    let keys = Keys {
        id: note.id,
        title: &note.title,
        tags: &note.tags,
        created: note.created,
        updated: note.updated,
        body_bytes,
    };
    let start = out.len();
    // Serializing plain strings, integers and lists into a Vec cannot fail; should the
    // crate ever disagree, the record says so instead of silently dropping fields.
    if let Err(e) = serde_yaml_ng::to_writer(&mut *out, &keys) {
        out.extend_from_slice(format!("error: {e}\n").as_bytes());
    }
    quote_yaml_1_1_scalars(out, start, note);
}

/// Quotes the title and tags that the serializer left plain but that a YAML 1.1 reader, such as
/// Jekyll's Psych, would not read as strings (`yes`, `off`, `1:30`, `1_000`).
///
/// The serializer follows YAML 1.2, where those are strings. Every such scalar is a single
/// word with no quote in it, so wrapping it in single quotes is exact.
fn quote_yaml_1_1_scalars(out: &mut Vec<u8>, start: usize, note: &Note) {
    let ambiguous = |s: &str| yaml::yaml_1_1_non_string(s);
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
