//! Tags in a form each reader accepts, and what was changed to get it.
//!
//! Obsidian takes a tag of letters, digits, `_`, `-` and `/` that is not only digits (no
//! spaces, no `#` inside, no punctuation); Hugo makes a URL of each tag (`public/tags/<tag>/`),
//! where `#`, `?`, `%` and `\` break the link; Zola slugifies them and refuses one that
//! slugifies to nothing. A profile fixes a tag with one of the functions here; a tag that comes
//! out empty, or equal to one already written, is left out. Every change is a [`TagChange`].

use std::borrow::Cow;

use serde::Serialize;

/// One thing a profile did to a tag so that its reader takes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum TagChange {
    /// Leading `#`s removed (`#tag` -> `tag`).
    HashRemoved,
    /// Spaces and characters the reader refuses replaced by `-` (`reading list` ->
    /// `reading-list`).
    Replaced,
    /// Only digits, which Obsidian does not take for a tag: `_` put before (`1984` ->
    /// `_1984`).
    DigitsPrefixed,
    /// Nothing was left after the changes, or the tag became one already written: left out.
    Dropped,
}

impl TagChange {
    /// The change in words, for the summary.
    pub fn describe(self) -> &'static str {
        match self {
            TagChange::HashRemoved => "leading '#' removed",
            TagChange::Replaced => "spaces and refused characters replaced by '-'",
            TagChange::DigitsPrefixed => "only digits: '_' put before",
            TagChange::Dropped => "left out (empty or a duplicate after the change)",
        }
    }
}

/// Applies `fix` to every tag; drops the empty ones and those written already.
pub(super) fn fix_all<'a>(
    tags: &'a [String],
    fix: impl Fn(&'a str, &mut Vec<TagChange>) -> Cow<'a, str>,
) -> (Vec<Cow<'a, str>>, Vec<TagChange>) {
    let mut changes = Vec::new();
    let mut written: Vec<Cow<'a, str>> = Vec::with_capacity(tags.len());
    for tag in tags {
        let fixed = fix(tag, &mut changes);
        if fixed.is_empty() || written.contains(&fixed) {
            changes.push(TagChange::Dropped);
        } else {
            written.push(fixed);
        }
    }
    (written, changes)
}

/// `tag` without its leading `#`s.
fn unhash<'a>(tag: &'a str, changes: &mut Vec<TagChange>) -> &'a str {
    let bare = tag.trim_start_matches('#');
    if bare.len() != tag.len() {
        changes.push(TagChange::HashRemoved);
    }
    bare
}

/// `tag` with every character `keep` refuses replaced by `-`, runs of them by one, none at
/// either end.
fn replace<'a>(
    tag: &'a str,
    keep: impl Fn(char) -> bool,
    changes: &mut Vec<TagChange>,
) -> Cow<'a, str> {
    if tag.chars().all(&keep) {
        return Cow::Borrowed(tag);
    }
    changes.push(TagChange::Replaced);
    let mut out = String::with_capacity(tag.len());
    for c in tag.chars() {
        if keep(c) {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    Cow::Owned(out.trim_matches('-').to_owned())
}

/// Obsidian's tag: letters, digits (any script), `_`, `-`, `/`, and not only digits.
pub(super) fn obsidian<'a>(tag: &'a str, changes: &mut Vec<TagChange>) -> Cow<'a, str> {
    let tag = unhash(tag, changes);
    // Emoji and other symbols beyond ASCII are taken by Obsidian; ASCII punctuation is not.
    let keep = |c: char| {
        c.is_alphanumeric()
            || matches!(c, '_' | '-' | '/')
            || (!c.is_ascii() && !c.is_whitespace() && !c.is_control())
    };
    let tag = replace(tag, keep, changes);
    if !tag.is_empty() && tag.chars().all(|c| c.is_ascii_digit()) {
        changes.push(TagChange::DigitsPrefixed);
        return Cow::Owned(format!("_{tag}"));
    }
    tag
}

/// A tag Hugo makes a working URL of: no `#`, `?`, `%`, `\`, and no space at either end
/// (Hugo turns inner spaces into `-` itself).
pub(super) fn hugo<'a>(tag: &'a str, changes: &mut Vec<TagChange>) -> Cow<'a, str> {
    let tag = unhash(tag, changes);
    replace(tag, |c| !matches!(c, '#' | '?' | '%' | '\\'), changes)
}

/// A tag Zola slugifies to something: without leading `#`s, and with a letter or digit.
pub(super) fn zola<'a>(tag: &'a str, changes: &mut Vec<TagChange>) -> Cow<'a, str> {
    let tag = unhash(tag, changes);
    if tag.chars().any(char::is_alphanumeric) {
        Cow::Borrowed(tag)
    } else {
        Cow::Borrowed("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(
        tags: &[&str],
        fix: for<'a> fn(&'a str, &mut Vec<TagChange>) -> Cow<'a, str>,
    ) -> (Vec<String>, Vec<TagChange>) {
        let tags: Vec<String> = tags.iter().map(|t| t.to_string()).collect();
        let (written, changes) = fix_all(&tags, |t, c| fix(t, c));
        (written.into_iter().map(Cow::into_owned).collect(), changes)
    }

    #[test]
    fn obsidian_tags_are_what_obsidian_accepts() {
        use TagChange::*;
        let (tags, changes) = fixed(
            &[
                "rust",
                "#tag",
                "reading list",
                "1984",
                "project/alpha",
                "a:b",
                "日本語",
                "🚀",
                "- item",
                "#",
                "rust",
                "y1984",
            ],
            obsidian,
        );
        assert_eq!(
            tags,
            [
                "rust",
                "tag",
                "reading-list",
                "_1984",
                "project/alpha",
                "a-b",
                "日本語",
                "🚀",
                "item",
                "y1984"
            ]
        );
        assert_eq!(
            changes,
            [
                HashRemoved,
                Replaced,
                DigitsPrefixed,
                Replaced,
                Replaced,
                HashRemoved,
                Dropped,
                Dropped
            ]
        );
    }

    #[test]
    fn hugo_and_zola_tags_keep_what_their_readers_take() {
        let (tags, changes) = fixed(&["#tag", "c#", "a b", "100%", "why?", "x/y"], hugo);
        assert_eq!(tags, ["tag", "c", "a b", "100", "why", "x/y"]);
        assert_eq!(changes.len(), 4);
        let (tags, changes) = fixed(&["#tag", "---", "a b", "tag"], zola);
        assert_eq!(tags, ["tag", "a b"]);
        assert_eq!(
            changes,
            [
                TagChange::HashRemoved,
                TagChange::Dropped,
                TagChange::Dropped
            ]
        );
    }
}
