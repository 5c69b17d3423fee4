//! What the Markdown body of a note from another tool says about it: its first `# ` heading
//! (the title of a note whose front matter gives none) and its inline `#tags`.
//!
//! Both are read by a CommonMark parser (pulldown-cmark), not by looking at lines, so that what
//! a reader of the note sees as code is code: a `# comment` in a fenced (```` ``` ````, `~~~`, of
//! any length) or indented code block is no heading, and a `#tag` in code is no tag (13 of the
//! 14 Obsidian help notes titled by a heading were given a line of code as title).
//!
//! A heading counts as the title when it is a level-1 ATX heading (`# Title`, `# Title #`);
//! its text is the text of the heading without its markup. An inline tag follows Obsidian's
//! rules: a `#` at the start of a text or after white space, not escaped (`\#`), then letters,
//! digits, `_`, `-` and `/` (a nested tag `a/b` stays whole), not only digits (`#1984` is no
//! tag); text in headings, links, images and code never holds one.

use std::ops::Range;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// The title and tags a body gives.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Scan {
    /// The text of the first level-1 `# ` heading, if any.
    pub heading: Option<String>,
    /// The inline tags, without their `#`, in order, each with its byte offset in the body.
    pub tags: Vec<(String, usize)>,
}

/// Reads `body` once.
pub(super) fn scan(body: &str) -> Scan {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_WIKILINKS
        | Options::ENABLE_MATH;
    let mut scan = Scan::default();
    // How many headings, links, images and code blocks the parser is inside of.
    let mut hidden = 0usize;
    let mut title: Option<String> = None;
    let mut run = Run::default();
    for (event, range) in Parser::new_ext(body, options).into_offset_iter() {
        match event {
            Event::Text(text) if hidden == 0 => run.push(&text, escaped(body, &range), range),
            Event::Text(text) | Event::Code(text) => {
                if let Some(title) = title.as_mut() {
                    title.push_str(&text);
                }
            }
            Event::Start(tag) => {
                run.flush(&mut scan.tags);
                if let Tag::Heading {
                    level: HeadingLevel::H1,
                    ..
                } = tag
                    && scan.heading.is_none()
                    && title.is_none()
                    && body[range.start..].starts_with('#')
                {
                    title = Some(String::new());
                }
                hidden += usize::from(hides(&tag));
            }
            Event::End(end) => {
                run.flush(&mut scan.tags);
                if let (TagEnd::Heading(_), Some(t)) = (end, title.as_ref()) {
                    let t = t.trim();
                    if !t.is_empty() && scan.heading.is_none() {
                        scan.heading = Some(t.to_owned());
                    }
                    title = None;
                }
                hidden = hidden.saturating_sub(usize::from(hidden_end(end)));
            }
            _ => run.flush(&mut scan.tags),
        }
    }
    run.flush(&mut scan.tags);
    scan
}

/// Whether text inside `tag` is out of bounds for inline tags.
fn hides(tag: &Tag<'_>) -> bool {
    matches!(
        tag,
        Tag::Heading { .. }
            | Tag::Link { .. }
            | Tag::Image { .. }
            | Tag::CodeBlock(_)
            | Tag::HtmlBlock
            | Tag::MetadataBlock(_)
    )
}

fn hidden_end(end: TagEnd) -> bool {
    matches!(
        end,
        TagEnd::Heading(_)
            | TagEnd::Link
            | TagEnd::Image
            | TagEnd::CodeBlock
            | TagEnd::HtmlBlock
            | TagEnd::MetadataBlock(_)
    )
}

/// Whether the text event at `range` starts with a character escaped by a backslash (the
/// parser leaves the backslash out of the text).
fn escaped(body: &str, range: &Range<usize>) -> bool {
    body[..range.start].ends_with('\\')
}

/// Consecutive text events of one paragraph (the parser splits text at escapes, `_` and `*`),
/// read as one text.
#[derive(Default)]
struct Run {
    text: String,
    /// Where each piece starts in `text` and in the body.
    pieces: Vec<(usize, usize)>,
    /// Offsets in `text` of `#`s that were escaped.
    escaped: Vec<usize>,
}

impl Run {
    fn push(&mut self, text: &str, escaped: bool, range: Range<usize>) {
        if escaped {
            self.escaped.push(self.text.len());
        }
        self.pieces.push((self.text.len(), range.start));
        self.text.push_str(text);
    }

    /// The tags of the run so far, appended to `tags`; the next text starts a new run.
    fn flush(&mut self, tags: &mut Vec<(String, usize)>) {
        if self.text.is_empty() {
            return;
        }
        let mut prev: Option<char> = None;
        let mut chars = self.text.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            let starts =
                c == '#' && prev.is_none_or(char::is_whitespace) && !self.escaped.contains(&at);
            prev = Some(c);
            if !starts {
                continue;
            }
            let from = at + 1;
            let mut end = from;
            while let Some(&(i, c)) = chars.peek() {
                if !tag_char(c) {
                    break;
                }
                end = i + c.len_utf8();
                prev = Some(c);
                chars.next();
            }
            let tag = &self.text[from..end];
            if !tag.is_empty() && !tag.bytes().all(|b| b.is_ascii_digit()) {
                tags.push((tag.to_owned(), self.offset(at)));
            }
        }
        self.text.clear();
        self.pieces.clear();
        self.escaped.clear();
    }

    /// The body offset of `at` in the run's text (exact unless the parser decoded an entity
    /// before it in the same piece).
    fn offset(&self, at: usize) -> usize {
        let i = self.pieces.partition_point(|&(start, _)| start <= at);
        let (start, source) = self.pieces[i.saturating_sub(1)];
        source + (at - start)
    }
}

/// A character Obsidian allows in a tag after the `#`.
fn tag_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '/')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(body: &str) -> Vec<String> {
        scan(body).tags.into_iter().map(|(t, _)| t).collect()
    }

    #[test]
    fn a_comment_in_code_is_no_title() {
        let fenced = "Intro\n\n```bash\n# Login\nob login\n```\n\n# Headless Sync\n";
        assert_eq!(scan(fenced).heading.as_deref(), Some("Headless Sync"));
        let tilde = "~~~~\n# {{title}}\n~~~~\n";
        assert_eq!(scan(tilde).heading, None);
        let indented = "text\n\n    # not a title\n\n## Second level\n\n# The *Title* `x` #\n";
        assert_eq!(scan(indented).heading.as_deref(), Some("The Title x"));
        let setext = "Setext\n======\n";
        assert_eq!(scan(setext).heading, None);
        assert_eq!(scan("#NoSpace\n").heading, None);
        assert_eq!(scan("> # quoted\n").heading.as_deref(), Some("quoted"));
        assert_eq!(scan("#\n# \n# real\n").heading.as_deref(), Some("real"));
    }

    #[test]
    fn inline_tags_follow_obsidians_rules() {
        let body = "see \\#not and #yes_tag *#em* [#link](u) `#code` #a/b #1984 #y1984 C#x\n\n# #heading\n\n```\n#fenced\n```\n\n[[Note#Heading]] [[#H]] x#y #tag. #日本語 #🙂\n- [ ] #task\n";
        assert_eq!(
            tags(body),
            ["yes_tag", "em", "a/b", "y1984", "tag", "日本語", "task"]
        );
        assert_eq!(tags("#first\nand #second-one"), ["first", "second-one"]);
        assert_eq!(tags("<div>\n#html-block\n</div>\n"), Vec::<String>::new());
    }

    #[test]
    fn tag_offsets_point_into_the_body() {
        let body = "one\n\ntwo \\# #three_x #four\n";
        let scan = scan(body);
        for (tag, at) in &scan.tags {
            assert_eq!(&body[*at..*at + 1 + tag.len()], format!("#{tag}"));
        }
        assert_eq!(scan.tags.len(), 2);
    }
}
