//! A link as the notebook keeps it: what was written, where, and what it resolves to.

use super::parse::{LinkKind, ParsedLink};

/// What a link's target is in the notebook.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Resolved {
    /// A note, by id.
    Note(i64),
    /// An attachment, by id.
    Attachment(i64),
    /// Nothing the notebook holds.
    Nothing,
}

/// One stored link of a note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// The note the link is written in.
    pub source: i64,
    /// Its syntax.
    pub kind: LinkKind,
    /// Its target without the anchor, as written (percent-decoded for Markdown links).
    pub target: String,
    /// The heading or `^block` after `#`.
    pub anchor: Option<String>,
    /// The text shown, if written.
    pub shown: Option<String>,
    /// Its byte offset in the body.
    pub start: usize,
    /// How many bytes of the body it takes.
    pub len: usize,
    /// What it resolves to.
    pub resolved: Resolved,
}

impl Link {
    /// The stored form of `parsed`, found in note `source`, not yet resolved.
    pub fn of(source: i64, parsed: ParsedLink) -> Link {
        Link {
            source,
            kind: parsed.kind,
            target: parsed.target,
            anchor: parsed.anchor,
            shown: parsed.shown,
            start: parsed.span.start,
            len: parsed.span.end - parsed.span.start,
            resolved: Resolved::Nothing,
        }
    }

    /// The link as written in `body`, if `body` is the text it was found in.
    pub fn written<'b>(&self, body: &'b str) -> Option<&'b str> {
        body.get(self.start..self.start + self.len)
    }

    /// The target as a reader sees it: `Target#Heading`, or `#Heading` in the note itself.
    pub fn display_target(&self) -> String {
        match &self.anchor {
            Some(anchor) => format!("{}#{anchor}", self.target),
            None => self.target.clone(),
        }
    }
}
