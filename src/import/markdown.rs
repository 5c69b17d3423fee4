//! Markdown reader: the front matter that [`crate::format`]'s Markdown writer produces, then
//! the body, byte for byte.
//!
//! A file is `---\n`, YAML, a `---` line, then the body up to the end of the file. A file
//! named like the Markdown bundle (`notes.md`) holds several such records: a record ends where
//! a line `---` followed by `id: ` starts one whose front matter parses. The bundle writer
//! ends every body with a line break (so the next `---` starts a line); a body that had none
//! comes back with one, which is the one thing a Markdown bundle does not keep (the files
//! layout and the other formats keep everything).
//!
//! Markdown without front matter (written by a person or another tool) is a note titled by
//! its first `# heading`, else by the file name, with the whole text as body and the current
//! time as its dates.

use std::path::Path;

use serde::Deserialize;

use super::{Fields, ImportError, Parsed, strip_location};
use crate::export::naming::bundle_name;
use crate::format::Format;
use crate::model::Timestamp;

/// The front matter as [`crate::format`] writes it; anything else in it is an error.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    id: i64,
    title: String,
    #[serde(default)]
    tags: Vec<String>,
    created: Timestamp,
    updated: Timestamp,
}

pub(super) fn read(path: &Path, text: &str) -> Vec<Parsed> {
    if !is_delimiter(first_line(text)) {
        return vec![without_front_matter(path, text)];
    }
    let bundle = path
        .file_name()
        .is_some_and(|n| n.to_string_lossy() == bundle_name(Format::Md));
    let mut results = Vec::new();
    let mut start = 0;
    loop {
        let line = 1 + text[..start].matches('\n').count();
        let (front, body_start) = match front_matter(path, text, start, line) {
            Ok(parsed) => parsed,
            Err(e) => {
                // Without its front matter the record's end cannot be found either.
                results.push(Err(e));
                return results;
            }
        };
        let end = if bundle {
            next_record(text, body_start).unwrap_or(text.len())
        } else {
            text.len()
        };
        let fields = Fields {
            id: Some(front.id),
            title: front.title,
            tags: front.tags,
            created: front.created,
            updated: front.updated,
            body: text[body_start..end].to_owned(),
        };
        results.push(fields.check(path, Some(line)));
        if end == text.len() {
            return results;
        }
        start = end;
    }
}

fn first_line(text: &str) -> &str {
    text.split_inclusive('\n').next().unwrap_or("")
}

/// A `---` line, with its line break (LF or CRLF) or at the end of the text.
fn is_delimiter(line: &str) -> bool {
    matches!(line, "---\n" | "---\r\n" | "---")
}

/// Parses the front matter of the record at `start` (a `---` line on line `line`): the
/// fields, and where the body starts.
fn front_matter(
    path: &Path,
    text: &str,
    start: usize,
    line: usize,
) -> Result<(FrontMatter, usize), ImportError> {
    let fail = |line, message: String| ImportError::FrontMatter {
        path: path.to_path_buf(),
        line: Some(line),
        message,
    };
    let yaml_start = start + first_line(&text[start..]).len();
    let mut pos = yaml_start;
    let mut closing = None;
    for l in text[yaml_start..].split_inclusive('\n') {
        if is_delimiter(l) {
            closing = Some((pos, pos + l.len()));
            break;
        }
        pos += l.len();
    }
    let Some((yaml_end, body_start)) = closing else {
        return Err(fail(
            line,
            "no closing `---` line after the opening one".into(),
        ));
    };
    let yaml = &text[yaml_start..yaml_end];
    match serde_yaml_ng::from_str::<FrontMatter>(yaml) {
        Ok(front) => Ok((front, body_start)),
        Err(e) => {
            // The YAML starts on the line after the opening `---`.
            let at = e.location().map_or(line, |l| line + l.line());
            Err(fail(at, strip_location(&e.to_string()).to_owned()))
        }
    }
}

/// The start of the next record of a bundle after `from`: a `---` line at the start of a line,
/// followed by `id: `, whose front matter parses.
fn next_record(text: &str, from: usize) -> Option<usize> {
    const MARK: &str = "---\nid: ";
    let mut at = from;
    while let Some(found) = text[at..].find(MARK) {
        let p = at + found;
        if (p == from || text.as_bytes()[p - 1] == b'\n')
            && front_matter(Path::new(""), text, p, 1).is_ok()
        {
            return Some(p);
        }
        at = p + 1;
    }
    None
}

fn without_front_matter(path: &Path, text: &str) -> Parsed {
    let heading = text.lines().find_map(|l| {
        let h = l.strip_prefix("# ")?.trim();
        // `# Title #` is the closed form of the same heading.
        let h = h.trim_end_matches('#').trim_end();
        (!h.is_empty()).then(|| h.to_owned())
    });
    let title = heading.unwrap_or_else(|| {
        path.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    let now = Timestamp::now();
    Fields {
        id: None,
        title,
        tags: Vec::new(),
        created: now,
        updated: now,
        body: text.to_owned(),
    }
    .check(path, None)
}
