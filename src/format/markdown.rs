//! Markdown: front matter for its reader (a profile of [`super::front_matter`]: smartnotes'
//! own by default), then the body byte for byte. A `---` line inside the body is after the
//! front matter has ended and cannot be mistaken for it.
//!
//! A bundle (`notes.md`) holds the records one after another, and a record ends where a line
//! `---` followed by a line `id:` starts the next one ([`opens_record`]). A body that holds
//! such a pair of lines, or that does not end with a line break, could not be told from what
//! follows it: its record says how long it is instead, with one more front matter key,
//! [`BODY_BYTES`], and a line break after the body when it has none of its own. Every other
//! record is written exactly as in a file of its own, so bundles stay readable and editable.

use super::Render;
use super::front_matter::{FrontMatter, write_bundle_record};
use crate::model::Note;

/// Markdown: the front matter of a profile, then the body.
pub(super) struct Markdown(pub(super) FrontMatter);

/// The front matter key of a bundle record whose body is given by its length in bytes.
pub(crate) const BODY_BYTES: &str = "body_bytes";

impl Render for Markdown {
    fn render(&self, note: &Note, out: &mut Vec<u8>) {
        self.0.write(note, out);
        out.extend_from_slice(note.body.as_bytes());
    }
}

/// Appends `note`'s record of a bundle: the record of its own file, with its body's length
/// and a closing line break where the body needs them (see the module's documentation).
pub(super) fn render_bundle_record(note: &Note, out: &mut Vec<u8>) {
    let sized = needs_body_bytes(&note.body);
    write_bundle_record(note, sized.then_some(note.body.len()), out);
    out.extend_from_slice(note.body.as_bytes());
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
