//! The anchor a Markdown reader gives a heading: GitHub's (github-slugger), which Hugo's
//! default Markdown renderer (goldmark, `autoHeadingIDType = "github"`), pandoc's `gfm`
//! reader (`gfm_auto_identifiers`) and GitHub itself all use.
//!
//! The text is lowercased; letters, digits, `_` and `-` stay (in any script: `Café` is
//! `café`); each space becomes `-` (runs are not merged: `a  b` is `a--b`); everything else
//! (punctuation, symbols, emoji) is dropped. A heading that appears twice gets `-1` on its
//! second anchor in those readers; a link names the first, which is what Obsidian opens too.

use unicode_normalization::UnicodeNormalization;

/// The anchor of a heading whose text is `heading`.
pub fn heading_anchor(heading: &str) -> String {
    let mut anchor = String::with_capacity(heading.len());
    for c in heading.trim().nfc().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() || c == '_' || c == '-' {
            anchor.push(c);
        } else if c == ' ' {
            anchor.push('-');
        }
    }
    anchor
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_are_githubs() {
        assert_eq!(heading_anchor("Hello, World!"), "hello-world");
        assert_eq!(heading_anchor("Café déjà vu"), "café-déjà-vu");
        assert_eq!(heading_anchor("C# and C++ (notes)"), "c-and-c-notes");
        assert_eq!(heading_anchor("a  b"), "a--b");
        assert_eq!(heading_anchor("snake_case-and-dash"), "snake_case-and-dash");
        assert_eq!(heading_anchor("Emoji 🚀 here"), "emoji--here");
        assert_eq!(heading_anchor("already-a-slug"), "already-a-slug");
    }
}
