//! Finding the links of a Markdown body: wikilinks and embeds (`[[Target]]`, `![[Embed]]`,
//! with `|shown` and `#heading` or `#^block`) and inline Markdown links and images
//! (`[text](path.md#anchor)`, `![alt](img.png)`), outside code spans and code blocks.
//!
//! A CommonMark parser (pulldown-cmark, with its `ENABLE_WIKILINKS` option, which reads
//! Obsidian's `[[...]]` as a link of type `WikiLink` and `![[...]]` as an image of that type)
//! finds them, so what a reader sees as code is never a link: `` `[[x]]` `` and a fenced
//! block holding `[[x]]` give nothing. External destinations (`scheme:` such as `https://`,
//! `mailto:`), autolinks, links to a heading of the note itself in Markdown syntax
//! (`[x](#h)`) and reference-style links (`[x][ref]`, whose destination is elsewhere in the
//! text) are not links to resolve and are left out. A Markdown destination is split at its
//! first `#` and then percent-decoded, so `My%20Note.md` is `My Note.md` and `a%23b.md` is a
//! file named `a#b.md`.

use std::ops::Range;

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd};

/// What a link is, as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkKind {
    /// `[[Target]]`, `[[Target|shown]]`, `[[Target#Heading]]`.
    Wikilink,
    /// `![[Embed]]`, `![[image.png|300]]`.
    Embed,
    /// `[text](path.md#anchor)`.
    Markdown,
    /// `![alt](img.png)`.
    Image,
}

impl LinkKind {
    /// The word kept in the notebook and printed (`wikilink`, `embed`, `markdown`, `image`).
    pub fn name(self) -> &'static str {
        match self {
            LinkKind::Wikilink => "wikilink",
            LinkKind::Embed => "embed",
            LinkKind::Markdown => "markdown",
            LinkKind::Image => "image",
        }
    }

    /// The kind named by [`LinkKind::name`].
    pub fn from_name(name: &str) -> Option<LinkKind> {
        Some(match name {
            "wikilink" => LinkKind::Wikilink,
            "embed" => LinkKind::Embed,
            "markdown" => LinkKind::Markdown,
            "image" => LinkKind::Image,
            _ => return None,
        })
    }

    /// Whether the link is written in Obsidian's syntax (`[[...]]`, `![[...]]`).
    pub fn is_wiki(self) -> bool {
        matches!(self, LinkKind::Wikilink | LinkKind::Embed)
    }

    /// Whether the link shows its target in place (`![[...]]`, `![...](...)`).
    pub fn is_embed(self) -> bool {
        matches!(self, LinkKind::Embed | LinkKind::Image)
    }
}

/// One link of a body, as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedLink {
    /// Its syntax.
    pub kind: LinkKind,
    /// The target, without its anchor: a name or path (`Target`, `dir/Note.md`,
    /// `image.png`), percent-decoded for Markdown links; empty for `[[#Heading]]`, a heading
    /// of the note itself.
    pub target: String,
    /// The heading (`Heading`) or block (`^block`) after the first `#`, if any.
    pub anchor: Option<String>,
    /// The text shown: after `|` in a wikilink (`300`, a width, for an embedded image), the
    /// link text or alt text of a Markdown link; `None` when none is written.
    pub shown: Option<String>,
    /// The bytes of the body the link takes, from its `[` or `!` to its last `]` or `)`.
    pub span: Range<usize>,
}

/// The parser options: those of the import's body reader (`import/body.rs`), so that both
/// see the same structure.
fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_WIKILINKS
        | Options::ENABLE_MATH
}

/// Every link of `body` outside code, in the order written.
pub fn links(body: &str) -> Vec<ParsedLink> {
    // Every form starts with `[`: a body without one is not parsed at all.
    if !body.as_bytes().contains(&b'[') {
        return Vec::new();
    }
    let mut found = Vec::new();
    // The link being read (its text collected as it comes) and how deep in links we are: the
    // text of a link inside another is the outer one's.
    let mut open: Option<(ParsedLink, String)> = None;
    let mut depth = 0usize;
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                ..
            })
            | Event::Start(Tag::Image {
                link_type,
                dest_url,
                ..
            }) => {
                depth += 1;
                let image = body[range.clone()].starts_with('!');
                if depth == 1 {
                    open = link_of(link_type, &dest_url, image, range).map(|l| (l, String::new()));
                }
            }
            Event::End(TagEnd::Link | TagEnd::Image) => {
                depth = depth.saturating_sub(1);
                if depth == 0
                    && let Some((mut link, text)) = open.take()
                {
                    link.shown = shown(&link, body, text);
                    found.push(link);
                }
            }
            Event::Text(text) | Event::Code(text) | Event::InlineMath(text) => {
                if let Some((_, collected)) = open.as_mut() {
                    collected.push_str(&text);
                }
            }
            _ => {}
        }
    }
    found
}

/// The link a `Start` event opens, if it is one to resolve.
fn link_of(kind: LinkType, dest: &str, image: bool, span: Range<usize>) -> Option<ParsedLink> {
    let (kind, target, anchor) = match kind {
        LinkType::WikiLink { .. } => {
            let (target, anchor) = split_anchor(dest);
            let kind = if image {
                LinkKind::Embed
            } else {
                LinkKind::Wikilink
            };
            (kind, target.trim().to_owned(), anchor)
        }
        LinkType::Inline => {
            if dest.is_empty() || dest.starts_with('#') || has_scheme(dest) {
                return None;
            }
            let (path, anchor) = split_anchor(dest);
            let target = percent_encoding::percent_decode_str(path)
                .decode_utf8()
                .ok()?
                .into_owned();
            let anchor = anchor.map(|a| {
                percent_encoding::percent_decode_str(&a)
                    .decode_utf8_lossy()
                    .into_owned()
            });
            let kind = if image {
                LinkKind::Image
            } else {
                LinkKind::Markdown
            };
            (kind, target, anchor)
        }
        _ => return None,
    };
    Some(ParsedLink {
        kind,
        target,
        anchor,
        shown: None,
        span,
    })
}

/// `Target#Heading` as (`Target`, `Heading`); no anchor for a `#` with nothing after it.
fn split_anchor(dest: &str) -> (&str, Option<String>) {
    match dest.split_once('#') {
        Some((target, anchor)) if !anchor.trim().is_empty() => {
            (target, Some(anchor.trim().to_owned()))
        }
        Some((target, _)) => (target, None),
        None => (dest, None),
    }
}

/// Whether a destination starts with a URL scheme (`https:`, `mailto:`, `file:`): RFC 3986's
/// `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"`, two letters at least, so that a
/// Windows drive (`C:`) is not taken for one.
fn has_scheme(dest: &str) -> bool {
    let Some((scheme, _)) = dest.split_once(':') else {
        return false;
    };
    scheme.len() >= 2
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// The shown text of a link: a wikilink's text after `|` as written, a Markdown link's text.
fn shown(link: &ParsedLink, body: &str, text: String) -> Option<String> {
    if link.kind.is_wiki() {
        let written = &body[link.span.clone()];
        let inner = written
            .trim_start_matches('!')
            .strip_prefix("[[")?
            .strip_suffix("]]")?;
        return inner.split_once('|').map(|(_, shown)| shown.to_owned());
    }
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(body: &str) -> ParsedLink {
        let mut found = links(body);
        assert_eq!(found.len(), 1, "{body:?}: {found:?}");
        found.remove(0)
    }

    #[test]
    fn every_form_is_found_with_its_parts() {
        let l = one("see [[Target]] here");
        assert_eq!((l.kind, l.target.as_str()), (LinkKind::Wikilink, "Target"));
        assert_eq!((l.anchor, l.shown), (None, None));
        assert_eq!(&"see [[Target]] here"[l.span], "[[Target]]");

        let l = one("[[Target|shown text]]");
        assert_eq!(l.target, "Target");
        assert_eq!(l.shown.as_deref(), Some("shown text"));

        let l = one("[[Target#Heading two]]");
        assert_eq!(l.anchor.as_deref(), Some("Heading two"));

        let l = one("[[Target#^block1|x]]");
        assert_eq!(
            (l.target.as_str(), l.anchor.as_deref(), l.shown.as_deref()),
            ("Target", Some("^block1"), Some("x"))
        );

        let body = "a ![[Embed]] b";
        let l = one(body);
        assert_eq!((l.kind, &body[l.span]), (LinkKind::Embed, "![[Embed]]"));

        let l = one("![[image.png|300]]");
        assert_eq!(
            (l.kind, l.target.as_str(), l.shown.as_deref()),
            (LinkKind::Embed, "image.png", Some("300"))
        );

        let body = "x [the text](sub/My%20Note.md#Some%20Heading) y";
        let l = one(body);
        assert_eq!(l.kind, LinkKind::Markdown);
        assert_eq!(l.target, "sub/My Note.md");
        assert_eq!(l.anchor.as_deref(), Some("Some Heading"));
        assert_eq!(l.shown.as_deref(), Some("the text"));
        assert_eq!(&body[l.span], "[the text](sub/My%20Note.md#Some%20Heading)");

        let l = one("![alt text](img/pic%201.png)");
        assert_eq!(
            (l.kind, l.target.as_str(), l.shown.as_deref()),
            (LinkKind::Image, "img/pic 1.png", Some("alt text"))
        );
    }

    #[test]
    fn a_percent_encoded_hash_is_part_of_the_name_and_accents_stay() {
        let l = one("[x](C%23%20notes.md#Intro)");
        assert_eq!(l.target, "C# notes.md");
        assert_eq!(l.anchor.as_deref(), Some("Intro"));
        let l = one("[[Café déjà vu]]");
        assert_eq!(l.target, "Café déjà vu");
        let l = one("[y](<My Note.md>)");
        assert_eq!(l.target, "My Note.md");
    }

    #[test]
    fn code_never_holds_a_link() {
        let body = "`[[InSpan]]` and ``![[Img.png]]``\n\n```\n[[InFence]] [a](b.md)\n```\n\n    [[Indented]]\n\n~~~md\n![x](y.png)\n~~~\n\n[[Real]]\n";
        let found = links(body);
        let targets: Vec<&str> = found.iter().map(|l| l.target.as_str()).collect();
        assert_eq!(targets, ["Real"]);
    }

    #[test]
    fn external_and_self_links_are_not_links_to_resolve() {
        let body = "[a](https://example.com/x.md) [b](mailto:me@example.com) <https://x.y> \
                    [c](#local) [d][ref] [e](file:///etc/passwd)\n\n[ref]: other.md\n";
        assert_eq!(links(body), []);
        let l = one("[[#Heading here]]");
        assert_eq!(
            (l.target.as_str(), l.anchor.as_deref()),
            ("", Some("Heading here"))
        );
    }

    #[test]
    fn links_come_in_order_with_their_positions() {
        let body = "[[A]] then [b](B.md) then ![[C.png]]";
        let found = links(body);
        let spans: Vec<&str> = found.iter().map(|l| &body[l.span.clone()]).collect();
        assert_eq!(spans, ["[[A]]", "[b](B.md)", "![[C.png]]"]);
    }

    #[test]
    fn without_the_wikilink_option_brackets_come_as_separate_texts() {
        // Why the parser's own option is used: without it `[[` is no token, each bracket a
        // text event of its own (a possible link opener), and a wikilink would have to be
        // pieced together across events.
        let texts: Vec<String> = Parser::new("a [[b]] c")
            .filter_map(|e| match e {
                Event::Text(t) => Some(t.to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(texts, ["a ", "[", "[", "b", "]", "]", " c"]);
    }

    #[test]
    fn a_body_without_brackets_is_not_parsed_and_has_no_link() {
        assert_eq!(links("plain text, `code`, # heading"), []);
        assert_eq!(links(""), []);
    }
}
