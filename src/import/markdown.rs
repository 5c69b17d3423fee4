//! Markdown reader for smartnotes' own files: the front matter that [`crate::format`]'s
//! Markdown writer produces, then the body, byte for byte. It reads every Markdown bundle, and
//! every Markdown file under `--strict` (other files go to [`super::vault`]).
//!
//! A file is `---\n`, YAML ([`super::front_matter`]), a `---` line, then the body up to the end
//! of the file. A file named like the Markdown bundle (`notes.md`) holds several such records.
//! A record whose front matter has `body_bytes: N` has a body of exactly N bytes, then a line
//! break if the body has no final one of its own; any other record's body ends where a line
//! starts that opens the next record ([`crate::format::opens_record`]: a `---` line, then a
//! line starting with `id:`), which the writer guarantees no such body holds. Bundles written
//! before `body_bytes` existed read as they always did, except that a record whose front
//! matter is broken is now an error and no longer read as part of the body before it.
//!
//! The keys after smartnotes' own are the note's properties, in order. A note smartnotes wrote
//! has no source (see [`super::vault`]); a file without front matter remembers its path.
//!
//! Markdown without front matter (written by a person or another tool) is a note titled by
//! its first `# heading` outside code, else by the file name, with the whole text as body and
//! the file's modification time as its dates.
//!
//! Every byte is looked at a bounded number of times: line numbers are counted forward
//! ([`Lines`]), and the search for the next record goes line by line from the end of the last.

use std::path::Path;

use super::front_matter::{self, FrontMatter, first_line, is_delimiter};
use super::lines::Lines;
use super::props::Props;
use super::{Fields, ImportError, Parsed, ReadOptions, Report, body, fields, vault};
use crate::export::naming::bundle_name;
use crate::format::{BODY_BYTES, Format, opens_record};
use crate::model::{OWNED_KEYS, Properties, Source, Timestamp};

pub(super) fn read(
    path: &Path,
    text: &str,
    bom: bool,
    options: &ReadOptions,
    lines: &mut Lines<'_>,
    _report: &mut Report,
) -> Vec<Parsed> {
    if !is_delimiter(first_line(text)) {
        lines.charge(text.len());
        return vec![without_front_matter(path, text, bom, options)];
    }
    let bundle = path
        .file_name()
        .is_some_and(|n| n.to_string_lossy() == bundle_name(Format::Md));
    let mut results = Vec::new();
    let mut start = 0;
    loop {
        let line = lines.line_at(start);
        match record(path, text, start, line, bundle, lines) {
            Ok((fields, next)) => {
                results.push(fields.check(path, Some(line)));
                match next {
                    Some(next) => start = next,
                    None => return results,
                }
            }
            Err(e) => {
                // Without its front matter the record's end cannot be found either.
                results.push(Err(e));
                return results;
            }
        }
    }
}

/// The record whose opening `---` is at `start`, on line `line`: its fields, and where the
/// next record starts, if one does.
fn record(
    path: &Path,
    text: &str,
    start: usize,
    line: usize,
    bundle: bool,
    lines: &mut Lines<'_>,
) -> Result<(Fields, Option<usize>), ImportError> {
    let span = front_matter::locate(path, text, start, line, lines)?;
    let yaml = &text[span.yaml.clone()];
    let front = front_matter::parse(path, yaml, line, lines)?;
    let (end, next) = match (front.body_bytes, bundle) {
        (None, false) => (text.len(), None),
        (None, true) => scanned_body(text, span.body_start, lines),
        (Some(bytes), true) => {
            let at = body_bytes_line(yaml, line, lines);
            sized_body(path, text, span.body_start, bytes, at)?
        }
        (Some(_), false) => {
            return Err(ImportError::FrontMatter {
                path: path.to_path_buf(),
                line: Some(body_bytes_line(yaml, line, lines)),
                message: format!(
                    "unknown field `{BODY_BYTES}`: only a Markdown bundle ({}) has it; was this file renamed?",
                    bundle_name(Format::Md)
                ),
            });
        }
    };
    let properties = properties(path, yaml, line, lines)?;
    let fields = from_front(front, text[span.body_start..end].to_owned(), properties);
    Ok((fields, next))
}

fn from_front(front: FrontMatter, body: String, properties: Properties) -> Fields {
    Fields {
        id: Some(front.id),
        title: front.title.0,
        tags: fields::tags(front.tags),
        created: front.created,
        updated: front.updated,
        body,
        properties,
        source: None,
    }
}

/// The keys after smartnotes' own, in order: the YAML read a second time, as values of any
/// shape (the first reading checked smartnotes' fields, each at its line).
fn properties(
    path: &Path,
    yaml: &str,
    line: usize,
    lines: &mut Lines<'_>,
) -> Result<Properties, ImportError> {
    lines.charge(yaml.len());
    let Props(mut keys) = serde_yaml_ng::from_str(yaml).map_err(|e| ImportError::FrontMatter {
        path: path.to_path_buf(),
        line: Some(line + e.location().map_or(0, |l| l.line())),
        message: super::strip_location(&e.to_string()).to_owned(),
    })?;
    keys.retain(|k, _| !OWNED_KEYS.contains(&k.as_str()));
    Ok(keys)
}

/// The line of the `body_bytes` key in the front matter of the record opened on `line`.
fn body_bytes_line(yaml: &str, line: usize, lines: &mut Lines<'_>) -> usize {
    lines.charge(yaml.len());
    let at = yaml
        .lines()
        .position(|l| l.starts_with(BODY_BYTES) && l[BODY_BYTES.len()..].starts_with(':'));
    line + at.map_or(0, |i| i + 1)
}

/// A body that ends where the next record opens, or at the end of the text: where it ends,
/// and where the next record starts.
fn scanned_body(text: &str, from: usize, lines: &mut Lines<'_>) -> (usize, Option<usize>) {
    let mut at = from;
    while at < text.len() {
        if opens_record(&text[at..]) {
            return (at, Some(at));
        }
        let line = first_line(&text[at..]).len();
        lines.charge(line);
        at += line;
    }
    (text.len(), None)
}

/// A body of `bytes` bytes from `from`: where it ends, and where the next record starts. The
/// body's own final line break, or the one the writer added, must be followed by the next
/// record or the end of the text; anything else means the length is wrong (the note was edited
/// by hand, or the file's line breaks were converted).
fn sized_body(
    path: &Path,
    text: &str,
    from: usize,
    bytes: u64,
    line: usize,
) -> Result<(usize, Option<usize>), ImportError> {
    let fail = |what: &str| ImportError::FrontMatter {
        path: path.to_path_buf(),
        line: Some(line),
        message: format!(
            "{BODY_BYTES}: {bytes} {what}; if the note was edited, correct {BODY_BYTES} or remove its line"
        ),
    };
    let end = usize::try_from(bytes)
        .ok()
        .and_then(|b| from.checked_add(b))
        .filter(|&end| end <= text.len())
        .ok_or_else(|| fail("bytes of body run past the end of the file"))?;
    if !text.is_char_boundary(end) {
        return Err(fail("bytes of body end inside a character"));
    }
    let mut next = end;
    if end > from && !text[..end].ends_with('\n') && text[end..].starts_with('\n') {
        next += 1;
    }
    if next == text.len() {
        Ok((end, None))
    } else if (next == end && end > from && !text[..end].ends_with('\n'))
        || !opens_record(&text[next..])
    {
        Err(fail(
            "bytes of body are not followed by the next note's `---` and `id:` lines or the end of the file",
        ))
    } else {
        Ok((end, Some(next)))
    }
}

fn without_front_matter(path: &Path, text: &str, bom: bool, options: &ReadOptions) -> Parsed {
    let title = body::scan(text)
        .heading
        .unwrap_or_else(|| vault::stem(path));
    let at = options.modified.unwrap_or_else(Timestamp::now);
    let source = options.source_path.as_ref().map(|p| {
        Source::new(
            p.clone(),
            Some(if bom {
                "\u{feff}".into()
            } else {
                String::new()
            }),
        )
    });
    Fields {
        id: None,
        title,
        tags: Vec::new(),
        created: at,
        updated: at,
        body: text.to_owned(),
        properties: Properties::new(),
        source,
    }
    .check(path, None)
}
