//! The YAML front matter of one Markdown record: where it ends, whether it is small and shallow
//! enough to parse, and its fields, each error at the line of the field it is about.
//!
//! The limits are checked before the YAML parser sees a byte: at most [`MAX_BYTES`] between
//! the `---` lines, and flow collections nested at most [`MAX_DEPTH`] deep (see
//! [`super::nesting`] for why depth is what costs). smartnotes itself writes flat front matter
//! a few hundred bytes long.

use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use serde_path_to_error::Segment;

use super::ImportError;
use super::fields::{self, Tag, Text};
use super::lines::Lines;
use super::nesting::flow_depth_over;
use crate::model::Timestamp;

/// The largest front matter read, in bytes.
pub(super) const MAX_BYTES: usize = 1 << 20;

/// The deepest nesting of flow collections (`[...]`, `{...}`) read.
pub(super) const MAX_DEPTH: usize = 32;

/// The front matter as [`crate::format`] writes it: smartnotes' own keys, each checked; the
/// other keys are the note's properties, read separately.
#[derive(Deserialize)]
#[serde(expecting = "front matter (a YAML mapping)")]
pub(super) struct FrontMatter {
    #[serde(deserialize_with = "fields::id")]
    pub id: i64,
    pub title: Text,
    #[serde(default)]
    pub tags: Vec<Tag>,
    #[serde(deserialize_with = "fields::timestamp")]
    pub created: Timestamp,
    #[serde(deserialize_with = "fields::timestamp")]
    pub updated: Timestamp,
    /// Only in a bundle: the body's length (`crate::format::BODY_BYTES`).
    #[serde(default)]
    pub body_bytes: Option<u64>,
}

/// Where the front matter of a record is.
pub(super) struct Span {
    /// The YAML between the `---` lines.
    pub yaml: Range<usize>,
    /// Where the body starts: after the closing `---` line.
    pub body_start: usize,
}

/// A `---` line, with its line break (LF or CRLF) or at the end of the text.
pub(super) fn is_delimiter(line: &str) -> bool {
    matches!(line, "---\n" | "---\r\n" | "---")
}

/// The first line of `text`, with its line break.
pub(super) fn first_line(text: &str) -> &str {
    text.split_inclusive('\n').next().unwrap_or("")
}

/// Finds the front matter of the record whose opening `---` line starts at `start` (on line
/// `line`): the YAML up to the next `---` line, looked for over at most [`MAX_BYTES`].
pub(super) fn locate(
    path: &Path,
    text: &str,
    start: usize,
    line: usize,
    lines: &mut Lines<'_>,
) -> Result<Span, ImportError> {
    let fail = |message: String| ImportError::FrontMatter {
        path: path.to_path_buf(),
        line: Some(line),
        message,
    };
    let yaml_start = start + first_line(&text[start..]).len();
    let mut pos = yaml_start;
    for l in text[yaml_start..].split_inclusive('\n') {
        lines.charge(l.len());
        if is_delimiter(l) {
            return Ok(Span {
                yaml: yaml_start..pos,
                body_start: pos + l.len(),
            });
        }
        pos += l.len();
        if pos - yaml_start > MAX_BYTES {
            return Err(fail(format!(
                "no closing `---` line within {MAX_BYTES} bytes (the largest front matter read)"
            )));
        }
    }
    Err(fail("no closing `---` line after the opening one".into()))
}

/// Parses the YAML of a record whose opening `---` is on line `line`.
pub(super) fn parse(
    path: &Path,
    yaml: &str,
    line: usize,
    lines: &mut Lines<'_>,
) -> Result<FrontMatter, ImportError> {
    let fail = |at: usize, message: String| ImportError::FrontMatter {
        path: path.to_path_buf(),
        line: Some(at),
        message,
    };
    if yaml.len() > MAX_BYTES {
        return Err(fail(
            line,
            format!(
                "{} bytes is over the limit of {MAX_BYTES} bytes for a front matter",
                yaml.len()
            ),
        ));
    }
    lines.charge(yaml.len());
    if let Some(at) = flow_depth_over(yaml, MAX_DEPTH) {
        return Err(fail(
            line + at,
            format!("lists or maps nested more than {MAX_DEPTH} deep"),
        ));
    }
    // What the YAML parser reads.
    lines.charge(yaml.len());
    let de = serde_yaml_ng::Deserializer::from_str(yaml);
    serde_path_to_error::deserialize(de).map_err(|e| {
        // serde_yaml_ng places a missing or invalid value at the start of the mapping: find
        // the field's own line.
        let at = e
            .inner()
            .location()
            .filter(|l| (l.line(), l.column()) != (1, 1))
            .map(|l| l.line())
            .or_else(|| key_line(yaml, e.path(), lines))
            .unwrap_or(0);
        fail(line + at, fields::describe(e.path(), e.inner()))
    })
}

/// The line (1-based, within `yaml`) of the top-level key `path` starts with, or of the
/// `index`-th item of its block list when the path goes on to one.
pub(super) fn key_line(
    yaml: &str,
    path: &serde_path_to_error::Path,
    lines: &mut Lines<'_>,
) -> Option<usize> {
    let mut segments = path.iter();
    let Some(Segment::Map { key }) = segments.next() else {
        return None;
    };
    let index = match segments.next() {
        Some(Segment::Seq { index }) => Some(*index),
        _ => None,
    };
    lines.charge(yaml.len());
    let mut all = yaml.lines().enumerate();
    let (key_at, rest) = all.find_map(|(i, l)| {
        let rest = l.strip_prefix(key.as_str())?.strip_prefix(':')?;
        Some((i + 1, rest))
    })?;
    let Some(index) = index.filter(|_| rest.trim().is_empty()) else {
        return Some(key_at);
    };
    let item = all
        .take_while(|(_, l)| l.starts_with([' ', '-']))
        .filter(|(_, l)| l.trim_start().starts_with('-'))
        .nth(index)
        .map(|(i, _)| i + 1);
    Some(item.unwrap_or(key_at))
}
