//! A note's Markdown body with its links rewritten to what an export wrote.
//!
//! Given the note's stored links and, through [`Targets`], where each target's file is in
//! the export, [`Rewrite::body`] writes each link the way [`LinkMode`] says:
//!
//! - `markdown`: a relative Markdown link from the note's exported file to the target's
//!   (`[shown](../md/7-target.md#heading)`), each path part percent-encoded (a space is
//!   `%20`), a heading anchor slugged the way GitHub, Hugo and pandoc's `gfm` do
//!   ([`heading_anchor`]); a `#^block` anchor, which only Obsidian reads, is dropped; an
//!   embedded attachment becomes an image (`![name](attachments/pic.png)`);
//! - `wikilink`: `[[path/to/target#Heading|shown]]` (the target's exported path without
//!   `.md`), or the link unchanged when it leads to the exported file as written (a wikilink
//!   by the file's name, a Markdown link by its relative path), as in the vault layout; a file whose name holds `#`, `|`, `[`, `]` or `^`, which
//!   a wikilink cannot name, gets a Markdown link;
//! - `keep`: every link as written.
//!
//! With [`EmbedMode::Inline`] an embedded note (`![[Note]]`, `![[Note#Heading]]`,
//! `![[Note#^block]]`) is replaced by its text (the whole note, the heading's section, or
//! the block's line), its own links rewritten from the embedding file; at most
//! [`MAX_EMBED_DEPTH`] levels deep, and a note already being embedded on the way (a cycle)
//! is written as a link instead. A link that resolves to nothing, or to a note this export
//! does not hold, is left as written and reported as [`Broken`].

use std::ops::Range;

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use super::link::{Link, Resolved};
use super::parse::LinkKind;
use super::resolve::{folder, joined, key};
use super::slug::heading_anchor;

/// How an export writes links.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum LinkMode {
    /// Relative Markdown links to the exported files.
    Markdown,
    /// Obsidian's `[[...]]`, naming the exported files.
    Wikilink,
    /// As written.
    Keep,
}

impl LinkMode {
    /// The word for it (`markdown`, `wikilink`, `keep`).
    pub fn name(self) -> &'static str {
        match self {
            LinkMode::Markdown => "markdown",
            LinkMode::Wikilink => "wikilink",
            LinkMode::Keep => "keep",
        }
    }
}

/// How an export writes an embedded note (`![[Note]]`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum EmbedMode {
    /// As a link to it, the way `--links` writes links.
    #[default]
    Link,
    /// Its text in place.
    Inline,
}

/// How many embedded notes deep [`EmbedMode::Inline`] goes; deeper embeds are links.
pub const MAX_EMBED_DEPTH: usize = 5;

/// Where a link's target is in an export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    /// Its file, by its path from the export folder, `/`-separated.
    File(String),
    /// It resolves, but this export holds no file of it (filtered out, or a note whose
    /// file could not be placed).
    NotExported,
    /// It resolves to nothing.
    Unresolved,
}

/// What the rewriter asks the export.
pub trait Targets {
    /// Where `link`'s target is in this export.
    fn destination(&self, link: &Link) -> Destination;
    /// The body and stored links of note `id`, to embed it, if this export holds it.
    fn embedded(&self, id: i64) -> Option<(String, Vec<Link>)>;
}

/// Why a link was left as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BrokenWhy {
    /// Its target is nothing the notebook holds.
    Unresolved,
    /// Its target is a note this export does not write.
    NotInExport,
}

/// A link left as written.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Broken {
    /// The note it is written in.
    pub note: i64,
    /// The link as written.
    pub link: String,
    /// Why.
    pub why: BrokenWhy,
}

/// How to rewrite, for one export.
#[derive(Clone, Copy, Debug)]
pub struct Rewrite<'t, T: Targets + ?Sized> {
    /// The export's targets.
    pub targets: &'t T,
    /// Links.
    pub links: LinkMode,
    /// Embeds.
    pub embeds: EmbedMode,
}

/// Characters percent-encoded in a path part of a Markdown link: controls, space and what
/// CommonMark or URLs give a meaning (`#`, `%`, `?`, brackets, parentheses, quotes, `\`).
const PATH_PART: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b']')
    .add(b'(')
    .add(b')')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

impl<T: Targets + ?Sized> Rewrite<'_, T> {
    /// `body` of note `id` with `links` (its stored links) rewritten for its file at `from`
    /// (its path from the export folder); the links left as written are added to `broken`.
    pub fn body(
        &self,
        id: i64,
        body: &str,
        links: &[Link],
        from: &str,
        broken: &mut Vec<Broken>,
    ) -> String {
        let mut stack = vec![id];
        self.inner(body, links, from, &mut stack, broken)
    }

    fn inner(
        &self,
        body: &str,
        links: &[Link],
        from: &str,
        stack: &mut Vec<i64>,
        broken: &mut Vec<Broken>,
    ) -> String {
        let mut out = String::with_capacity(body.len() + 64);
        let mut at = 0;
        for link in links {
            let Some(written) = link.written(body) else {
                continue;
            };
            if link.start < at {
                continue;
            }
            let replacement = self
                .inline(link, from, stack, broken)
                .or_else(|| self.link(link, written, from, broken));
            if let Some(text) = replacement {
                out.push_str(&body[at..link.start]);
                out.push_str(&text);
                at = link.start + link.len;
            }
        }
        out.push_str(&body[at..]);
        out
    }

    /// The embedded note's text, for an embed written inline.
    fn inline(
        &self,
        link: &Link,
        from: &str,
        stack: &mut Vec<i64>,
        broken: &mut Vec<Broken>,
    ) -> Option<String> {
        let Resolved::Note(id) = link.resolved else {
            return None;
        };
        if self.embeds != EmbedMode::Inline
            || link.kind != LinkKind::Embed
            || stack.contains(&id)
            || stack.len() > MAX_EMBED_DEPTH
        {
            return None;
        }
        let (body, links) = self.targets.embedded(id)?;
        let part = section(&body, link.anchor.as_deref());
        let inside: Vec<Link> = links
            .into_iter()
            .filter(|l| l.start >= part.start && l.start + l.len <= part.end)
            .map(|l| Link {
                start: l.start - part.start,
                ..l
            })
            .collect();
        stack.push(id);
        let text = self.inner(&body[part], &inside, from, stack, broken);
        stack.pop();
        Some(text.trim_end_matches(['\n', '\r']).to_owned())
    }

    /// The link rewritten, or `None` to leave it as written.
    fn link(
        &self,
        link: &Link,
        written: &str,
        from: &str,
        broken: &mut Vec<Broken>,
    ) -> Option<String> {
        let path = match self.targets.destination(link) {
            Destination::File(path) => path,
            other => {
                let why = if other == Destination::Unresolved {
                    BrokenWhy::Unresolved
                } else {
                    BrokenWhy::NotInExport
                };
                broken.push(Broken {
                    note: link.source,
                    link: written.to_owned(),
                    why,
                });
                return None;
            }
        };
        match self.links {
            LinkMode::Keep => None,
            LinkMode::Markdown => Some(markdown(link, &path, from)),
            // A wikilink cannot name a file whose name holds its own syntax (`C# notes.md`):
            // such a link is written as a Markdown link, which can.
            LinkMode::Wikilink if path.contains(['#', '|', '[', ']', '^']) => {
                Some(markdown(link, &path, from))
            }
            LinkMode::Wikilink => wikilink(link, &path, from),
        }
    }
}

/// `[shown](relative#anchor)`, or `![alt](relative)` for an embedded attachment.
fn markdown(link: &Link, path: &str, from: &str) -> String {
    let note = path.ends_with(".md");
    let mut destination = relative(from, path);
    match link.anchor.as_deref() {
        Some(anchor) if note && !anchor.starts_with('^') => {
            // `[[Note#A#B]]` is heading B under A: the anchor is B's.
            let heading = anchor.rsplit('#').next().unwrap_or(anchor);
            destination.push('#');
            destination
                .push_str(&utf8_percent_encode(&heading_anchor(heading), PATH_PART).to_string());
        }
        _ => {}
    }
    if destination.is_empty() {
        destination =
            utf8_percent_encode(path.rsplit('/').next().unwrap_or(path), PATH_PART).to_string();
    }
    let image = link.kind.is_embed() && !note;
    let text = match &link.shown {
        // `![[pic.png|300]]` gives a width, not a text.
        Some(shown) if image && is_size(shown) => file_name(&link.target).to_owned(),
        Some(shown) => shown.clone(),
        None if link.kind.is_wiki() => match (&link.anchor, link.target.as_str()) {
            (Some(anchor), "") => anchor.clone(),
            (Some(anchor), target) => format!("{target} > {anchor}"),
            (None, target) => target.to_owned(),
        },
        None => String::new(),
    };
    let bang = if image { "!" } else { "" };
    format!("{bang}[{}]({destination})", escape_text(&text))
}

/// `[[path#anchor|shown]]` (or `![[...]]`), `None` when the link as written names the
/// exported file already: a wikilink by its name, a Markdown link by its relative path.
fn wikilink(link: &Link, path: &str, from: &str) -> Option<String> {
    if !link.kind.is_wiki() && joined(folder(from), &link.target).as_deref() == Some(path) {
        return None;
    }
    let note = path.ends_with(".md");
    let name = if note { &path[..path.len() - 3] } else { path };
    let stem = name.rsplit('/').next().unwrap_or(name);
    let written = file_name(&link.target);
    let written = written.strip_suffix(".md").unwrap_or(written);
    if link.kind.is_wiki() && (link.target.is_empty() || key(written) == key(stem)) {
        return None;
    }
    let mut inner = name.to_owned();
    if let Some(anchor) = &link.anchor {
        inner.push('#');
        inner.push_str(anchor);
    }
    // The text a reader saw stays: a wikilink without one showed its target as written.
    let shown = link.shown.as_deref().or_else(|| {
        (link.kind == LinkKind::Wikilink && !link.target.is_empty()).then_some(link.target.as_str())
    });
    if let Some(shown) = shown {
        inner.push('|');
        inner.push_str(shown);
    }
    let bang = if link.kind.is_embed() { "!" } else { "" };
    Some(format!("{bang}[[{inner}]]"))
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Whether a wikilink's shown text is an image size (`300`, `300x200`).
fn is_size(text: &str) -> bool {
    let mut parts = text.split('x');
    parts.all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && text.split('x').count() <= 2
}

/// Link text with `\`, `[` and `]` escaped, so that it cannot end the link early.
fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '[' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The relative path from the file at `from` to the file at `to` (both from the export
/// folder), each part percent-encoded; empty when they are the same file.
pub fn relative(from: &str, to: &str) -> String {
    if from == to {
        return String::new();
    }
    let from_dir: Vec<&str> = folder(from).split('/').filter(|p| !p.is_empty()).collect();
    let to_parts: Vec<&str> = to.split('/').filter(|p| !p.is_empty()).collect();
    let (to_dir, to_file) = to_parts.split_at(to_parts.len().saturating_sub(1));
    let common = from_dir
        .iter()
        .zip(to_dir)
        .take_while(|(a, b)| a == b)
        .count();
    let mut parts: Vec<String> = vec!["..".to_owned(); from_dir.len() - common];
    parts.extend(
        to_dir[common..]
            .iter()
            .chain(to_file)
            .map(|p| utf8_percent_encode(p, PATH_PART).to_string()),
    );
    parts.join("/")
}

/// The part of `body` an embed with `anchor` shows: the heading's section (to the next
/// heading of its level or above), the line of a `^block`, else all of it.
fn section(body: &str, anchor: Option<&str>) -> Range<usize> {
    let all = 0..body.len();
    let Some(anchor) = anchor else { return all };
    if let Some(block) = anchor.strip_prefix('^') {
        let marker = format!("^{block}");
        let mut start = 0;
        for line in body.split_inclusive('\n') {
            let trimmed = line.trim_end();
            if let Some(text) = trimmed.strip_suffix(marker.as_str()) {
                return start..start + text.trim_end().len();
            }
            start += line.len();
        }
        return all;
    }
    let want = key(anchor.rsplit('#').next().unwrap_or(anchor).trim());
    let mut found: Option<(usize, pulldown_cmark::HeadingLevel)> = None;
    let mut heading: Option<(usize, pulldown_cmark::HeadingLevel, String)> = None;
    for (event, range) in Parser::new(body).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                if let Some((start, at)) = found
                    && level <= at
                {
                    return start..range.start;
                }
                heading = Some((range.start, level, String::new()));
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, _, text)) = heading.as_mut() {
                    text.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((start, level, text)) = heading.take()
                    && found.is_none()
                    && key(text.trim()) == want
                {
                    found = Some((start, level));
                }
            }
            _ => {}
        }
    }
    found.map_or(all, |(start, _)| start..body.len())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::links::parse::links;

    struct Fake {
        files: HashMap<i64, String>,
        bodies: HashMap<i64, String>,
        filtered: Vec<i64>,
    }

    impl Targets for Fake {
        fn destination(&self, link: &Link) -> Destination {
            match link.resolved {
                Resolved::Note(id) | Resolved::Attachment(id) if self.filtered.contains(&id) => {
                    Destination::NotExported
                }
                Resolved::Note(id) | Resolved::Attachment(id) => self
                    .files
                    .get(&id)
                    .cloned()
                    .map_or(Destination::NotExported, Destination::File),
                Resolved::Nothing => Destination::Unresolved,
            }
        }
        fn embedded(&self, id: i64) -> Option<(String, Vec<Link>)> {
            let body = self.bodies.get(&id)?.clone();
            let links = stored(id, &body);
            Some((body, links))
        }
    }

    /// Links resolved by a fixed table: a target's first letter names the note id.
    fn stored(source: i64, body: &str) -> Vec<Link> {
        links(body)
            .into_iter()
            .map(|p| {
                let mut l = Link::of(source, p);
                l.resolved = match l.target.as_str() {
                    "" => Resolved::Note(source),
                    t if t.starts_with("Two") => Resolved::Note(2),
                    t if t.starts_with("Three") => Resolved::Note(3),
                    t if t.starts_with("Hidden") => Resolved::Note(4),
                    t if t.ends_with(".png") => Resolved::Attachment(100),
                    _ => Resolved::Nothing,
                };
                l
            })
            .collect()
    }

    fn fake() -> Fake {
        Fake {
            files: HashMap::from([
                (1, "md/1-one.md".to_owned()),
                (2, "md/2-two notes.md".to_owned()),
                (3, "md/3-three.md".to_owned()),
                (100, "attachments/pic 1.png".to_owned()),
            ]),
            bodies: HashMap::from([
                (2, "Two's text with ![[Three]].\n".to_owned()),
                (
                    3,
                    "# Top\nintro\n## Part A\nin A [[Two]]\n## Part B\nin B ^blk\n".to_owned(),
                ),
            ]),
            filtered: vec![4],
        }
    }

    fn run(body: &str, links: LinkMode, embeds: EmbedMode) -> (String, Vec<Broken>) {
        let targets = fake();
        let rw = Rewrite {
            targets: &targets,
            links,
            embeds,
        };
        let mut broken = Vec::new();
        let out = rw.body(1, body, &stored(1, body), "md/1-one.md", &mut broken);
        (out, broken)
    }

    #[test]
    fn markdown_mode_writes_relative_links_with_slugged_anchors() {
        let body = "a [[Two|the two]] b [[Two#Some Heading]] c [[Three#^blk]] d ![[pic.png|300]] \
                    e [x](Two%20notes.md#Intro%20Part) f ![alt](pic.png) g [[#Local Head]]";
        let (out, broken) = run(body, LinkMode::Markdown, EmbedMode::Link);
        assert_eq!(
            out,
            "a [the two](2-two%20notes.md) b [Two > Some Heading](2-two%20notes.md#some-heading) \
             c [Three > ^blk](3-three.md) d ![pic.png](../attachments/pic%201.png) \
             e [x](2-two%20notes.md#intro-part) f ![alt](../attachments/pic%201.png) \
             g [Local Head](#local-head)"
        );
        assert!(broken.is_empty());
    }

    #[test]
    fn unresolved_and_filtered_out_links_are_left_as_written_and_reported() {
        let body = "[[Missing]] and [[Hidden note]] and [y](nowhere.md)";
        for mode in [LinkMode::Markdown, LinkMode::Wikilink, LinkMode::Keep] {
            let (out, broken) = run(body, mode, EmbedMode::Link);
            assert_eq!(out, body, "{mode:?}");
            let why: Vec<_> = broken.iter().map(|b| (b.link.as_str(), b.why)).collect();
            assert_eq!(
                why,
                [
                    ("[[Missing]]", BrokenWhy::Unresolved),
                    ("[[Hidden note]]", BrokenWhy::NotInExport),
                    ("[y](nowhere.md)", BrokenWhy::Unresolved)
                ]
            );
        }
    }

    #[test]
    fn wikilink_mode_names_the_exported_file_and_keeps_what_already_does() {
        let body = "[[Two|t]] [y](Three.md#Part%20A) ![p](pic.png) [[Three]]";
        let (out, _) = run(body, LinkMode::Wikilink, EmbedMode::Link);
        assert_eq!(
            out,
            "[[md/2-two notes|t]] [[md/3-three#Part A|y]] ![[attachments/pic 1.png|p]] \
             [[md/3-three|Three]]"
        );
        // In the vault layout a note keeps its name: the link stays as written.
        let link = &stored(1, "[[two notes#H|x]]")[0];
        assert_eq!(wikilink(link, "dir/Two Notes.md", "x.md"), None);
        // A Markdown link that leads to the exported file stays a Markdown link.
        let link = &stored(1, "[t](../dir/Two%20notes.md#H)")[0];
        assert_eq!(wikilink(link, "dir/Two notes.md", "sub/x.md"), None);
        assert!(wikilink(link, "dir/Two notes.md", "x.md").is_some());
        let (kept, _) = run(body, LinkMode::Keep, EmbedMode::Link);
        assert_eq!(kept, body);
    }

    #[test]
    fn inline_embeds_put_the_text_in_place_and_stop_at_a_cycle() {
        // 1 embeds 2, 2 embeds 3, 3 links to 2; 1 embedding 1 (itself) is a cycle.
        let (out, _) = run(
            "start ![[Two]] end ![[#x]]",
            LinkMode::Markdown,
            EmbedMode::Inline,
        );
        assert_eq!(
            out,
            "start Two's text with # Top\nintro\n## Part A\nin A [Two](2-two%20notes.md)\n\
             ## Part B\nin B ^blk. end [x](#x)"
        );
        let (section, _) = run("![[Three#Part A]]", LinkMode::Keep, EmbedMode::Inline);
        assert_eq!(section, "## Part A\nin A [[Two]]");
        let (block, _) = run("![[Three#^blk]]", LinkMode::Keep, EmbedMode::Inline);
        assert_eq!(block, "in B");
    }

    #[test]
    fn a_cycle_of_embeds_ends_as_a_link() {
        let mut targets = fake();
        targets.bodies.insert(2, "two embeds ![[Three]]".to_owned());
        targets.bodies.insert(3, "three embeds ![[Two]]".to_owned());
        let rw = Rewrite {
            targets: &targets,
            links: LinkMode::Markdown,
            embeds: EmbedMode::Inline,
        };
        let body = "![[Two]]";
        let out = rw.body(1, body, &stored(1, body), "md/1-one.md", &mut Vec::new());
        assert_eq!(out, "two embeds three embeds [Two](2-two%20notes.md)");
    }

    #[test]
    fn relative_paths_climb_and_encode() {
        assert_eq!(relative("a/b/x.md", "a/c/y z.md"), "../c/y%20z.md");
        assert_eq!(relative("x.md", "a/y.md"), "a/y.md");
        assert_eq!(relative("a/x.md", "y.md"), "../y.md");
        assert_eq!(relative("md/1.md", "md/1.md"), "");
        assert_eq!(relative("md/1.md", "md/C# é.md"), "C%23%20%C3%A9.md");
    }
}
