//! The smartnotes profile's own keys (id, title, tags, created, updated, body_bytes) written by
//! hand, byte for byte as serde_yaml_ng writes them, for the values it can prove it writes the
//! same; the profile ([`super::smartnotes`]) falls back to serde_yaml_ng for every other note.
//!
//! serde_yaml_ng spends most of a Markdown render on these few keys: it tests each string for
//! every number, boolean and null form, then libyaml analyses and emits it event by event. The
//! strings this writer takes are the ones whose outcome is simple to state (see [`style`]):
//! printable on one line (no control character or line break, Unicode beyond ASCII allowed
//! as libyaml allows it), not empty, not starting with a digit, a sign, `.` or `~` (the
//! strings that might read as a number or a null), not `null`, `true` or `false` in any case,
//! and none that a YAML 1.1 reader would take for something else (those get the profile's own
//! quoting afterwards). For them libyaml's choice is plain or single-quoted, decided by its
//! indicator rules, and both are written here. Everything else (control characters, line
//! breaks, a byte-order mark, leading signs and digits) goes to serde_yaml_ng, which stays the
//! reference: `fast_keys_tests.rs` (a test module of the parent, which sees both) checks this writer against it on generated and real
//! inputs, a million cases in the ignored slow test.

use std::io::Write as _;

use super::yaml;
use crate::model::{Note, Timestamp};

/// How libyaml writes a string this writer takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Style {
    /// As it is.
    Plain,
    /// In single quotes, each `'` doubled.
    SingleQuoted,
}

/// Appends `id`, `title`, `tags`, `created`, `updated` (and `body_bytes` when given) as
/// serde_yaml_ng would, and returns true; or appends nothing and returns false when a value
/// is one this writer cannot prove it writes the same (the caller then uses serde_yaml_ng).
pub(super) fn write(note: &Note, body_bytes: Option<usize>, out: &mut Vec<u8>) -> bool {
    let Some(title) = style(&note.title) else {
        return false;
    };
    if !timestamp_is_plain(note.created) || !timestamp_is_plain(note.updated) {
        return false;
    }
    let start = out.len();
    out.extend_from_slice(b"id: ");
    integer(out, note.id);
    out.extend_from_slice(b"\ntitle: ");
    scalar(out, &note.title, title);
    if note.tags.is_empty() {
        out.extend_from_slice(b"\ntags: []\n");
    } else {
        out.extend_from_slice(b"\ntags:\n");
        for tag in &note.tags {
            // Each tag's style is found once, as it is written: a tag left to serde_yaml_ng
            // takes back everything appended.
            let Some(style) = style(tag) else {
                out.truncate(start);
                return false;
            };
            out.extend_from_slice(b"- ");
            scalar(out, tag, style);
            out.push(b'\n');
        }
    }
    out.extend_from_slice(b"created: ");
    note.created.push_to(out);
    out.extend_from_slice(b"\nupdated: ");
    note.updated.push_to(out);
    out.push(b'\n');
    if let Some(n) = body_bytes {
        out.extend_from_slice(b"body_bytes: ");
        let _ = write!(out, "{n}");
        out.push(b'\n');
    }
    true
}

/// How serde_yaml_ng writes `text` as a value of a block mapping or an item of a block
/// sequence, when this writer can say: `None` for the strings left to serde_yaml_ng.
pub(super) fn style(text: &str) -> Option<Style> {
    let bytes = text.as_bytes();
    let &first = bytes.first()?;
    // Only what libyaml writes as it is, on one line: no line break (U+0085, U+2028 and
    // U+2029 included), no control character, no byte-order mark. The same set as
    // [`super::yaml`]'s printable characters.
    if !bytes.iter().all(|b| (0x20..=0x7e).contains(b)) && !text.chars().all(yaml::printable) {
        return None;
    }
    // What might resolve to a number, a null or a boolean (serde_yaml_ng quotes those, and
    // the YAML 1.1 words get the profile's own quoting): left to serde_yaml_ng.
    if matches!(first, b'0'..=b'9' | b'+' | b'-' | b'.' | b'~')
        || ["null", "true", "false"]
            .iter()
            .any(|w| text.eq_ignore_ascii_case(w))
        || yaml::yaml_1_1_non_string(text)
    {
        return None;
    }
    Some(if block_plain_allowed(bytes) {
        Style::Plain
    } else {
        Style::SingleQuoted
    })
}

/// libyaml's `block_plain_allowed` (yaml_emitter_analyze_scalar) for printable text without
/// line breaks that does not start with `-` or `.`: no space at either end, no indicator
/// first, no `: ` (or a final `:`) and no ` #` inside. Only ASCII bytes are indicators, so
/// the bytes of other characters pass.
fn block_plain_allowed(bytes: &[u8]) -> bool {
    // What follows position `i`: the end of the value counts as white space, as in libyaml.
    let blank_after = |i: usize| bytes.get(i + 1).is_none_or(|&b| b == b' ');
    if bytes[0] == b' ' || bytes[bytes.len() - 1] == b' ' {
        return false;
    }
    match bytes[0] {
        b'#' | b',' | b'[' | b']' | b'{' | b'}' | b'&' | b'*' | b'!' | b'|' | b'>' | b'\''
        | b'"' | b'%' | b'@' | b'`' => return false,
        b'?' | b':' if blank_after(0) => return false,
        _ => {}
    }
    (1..bytes.len()).all(|i| match bytes[i] {
        b':' => !blank_after(i),
        b'#' => bytes[i - 1] != b' ',
        _ => true,
    })
}

fn scalar(out: &mut Vec<u8>, text: &str, style: Style) {
    match style {
        Style::Plain => out.extend_from_slice(text.as_bytes()),
        Style::SingleQuoted => {
            out.push(b'\'');
            for part in text.split_inclusive('\'') {
                out.extend_from_slice(part.as_bytes());
                if part.ends_with('\'') {
                    out.push(b'\'');
                }
            }
            out.push(b'\'');
        }
    }
}

fn integer(out: &mut Vec<u8>, n: i64) {
    let _ = write!(out, "{n}");
}

/// Whether a timestamp as [`Timestamp`]'s `Display` writes it (`2024-01-02T03:04:05.123Z`)
/// is one libyaml writes plain: a four-digit year and a dash first (so it cannot read as a
/// number), then only digits, `-`, `:`, `T`, `.` and `Z`. Timestamps are kept within years
/// 0001 to 9999, so this is always true; the check keeps the writer exact should that change.
fn timestamp_is_plain(t: Timestamp) -> bool {
    let micros = t.as_micros();
    (Timestamp::MIN.as_micros()..=Timestamp::MAX.as_micros()).contains(&micros)
}
