//! The Markdown reader for a note of any tool (Obsidian, zk, Jekyll, Hugo, Zola, Joplin, jrnl's
//! YAML export, or a person): what import reads a `.md` file with unless `--strict` is given.
//!
//! Nothing in such a file is required. Its front matter ([`super::front`]: YAML, TOML or JSON)
//! may hold any keys; every key smartnotes does not own becomes a property, in order, its value
//! kept. What smartnotes owns comes from:
//! - id: an `id` that is a whole number from 1 to 2^53 - 1 (else a new one is given);
//! - title: a `title` key in any letter case, else the first `# ` heading outside code
//!   ([`super::body`]), else the file name;
//! - created and updated: `created`, `date`, `created_at`, `created_time`, `creation date`
//!   and `updated`, `modified`, `lastmod`, `updated_at`, `updated_time` in any letter case
//!   (each kept as a property as well, so the file's own key round-trips; only `created` and
//!   `updated` themselves are smartnotes' own), in any shape of [`super::dates`]; else a date in
//!   the file name; else the file's modification time, never the import time;
//! - tags: a `tags` key in any letter case, in any form of [`super::tags`], then the inline
//!   `#tags` of the body.
//!
//! A file that smartnotes wrote (a whole-number `id`, `title`, `created` and `updated` with a
//! zone) is read as written: its tags are its `tags` (a `#word` in its body is text, as it was
//! when it was exported) and its title is its `title`, even an empty one. Its note was made in
//! smartnotes and has no [`Source`]: the folder it was exported to is not where it came from
//! (an export imported and exported again is byte-identical), and it is matched by its id
//! (`--keep-ids`, `--update`) or its content.
//!
//! Nothing is lost: a value smartnotes cannot read under one of its own keys stays a property
//! named `<key>_as_written`, with a warning; a front matter no reader accepts leaves the whole
//! text as body, with a warning; a tag the notebook refuses is a warning. Each warning names
//! the file, the line and the field. The exact bytes before the body go into the note's
//! [`Source`], so `--front-matter keep` can write them back.

use std::path::Path;

use serde_json::Value;

use super::front::{self, Front};
use super::lines::Lines;
use super::{Fields, ImportError, Parsed, ReadOptions, Report, body, dates, fields, tags};
use crate::model::{MAX_PROPERTY_DEPTH, OWNED_KEYS, Properties, Source, Timestamp};

/// Keys that give a note's creation time, in the order they are tried; the first is
/// smartnotes' own.
const CREATED: [&str; 5] = [
    "created",
    "date",
    "created_at",
    "created_time",
    "creation date",
];

/// Keys that give a note's last change, in the order they are tried.
const UPDATED: [&str; 5] = [
    "updated",
    "modified",
    "lastmod",
    "updated_at",
    "updated_time",
];

/// Reads `text` (the file without its byte-order mark, `bom` saying whether it had one).
pub(super) fn read(
    path: &Path,
    text: &str,
    bom: bool,
    options: &ReadOptions,
    lines: &mut Lines<'_>,
    report: &mut Report,
) -> Parsed {
    let front = match front::read(text, lines) {
        Ok(front) => front,
        Err(refused) => {
            report.warn(
                path,
                Some(refused.line),
                format!(
                    "front matter: {}; the file is imported with its whole text as body",
                    refused.message
                ),
            );
            None
        }
    };
    let body_start = front.as_ref().map_or(0, |f| f.body_start);
    let body = &text[body_start..];
    let mut keys = Keys::default();
    if let Some(front) = &front {
        keys.take(path, front, options, lines, report)?;
    }
    let own = keys.own();
    let scan = if own {
        body::Scan::default()
    } else {
        lines.charge(body.len());
        body::scan(body)
    };
    let title = match (own, keys.title.take()) {
        (true, Some(title)) => title,
        (_, Some(title)) if !title.trim().is_empty() => title,
        _ => scan.heading.clone().unwrap_or_else(|| stem(path)),
    };
    let (created, updated) = keys.dates(path, options, report);
    let tag_list = keys.tag_list(path, own, &scan, body_start, lines, report);
    let (tags, refused) = tags::keep_as(tag_list, !own);
    for (e, line) in refused {
        report.warn(
            path,
            Some(line),
            format!("tags: {}; left out", fields::shorten(e.to_string())),
        );
    }
    let front_matter = format!(
        "{}{}",
        if bom { "\u{feff}" } else { "" },
        &text[..body_start]
    );
    // A file smartnotes wrote holds a note made in smartnotes: it is matched by its id or its
    // content, and does not take the place it was exported to for where it came from.
    let source = options
        .source_path
        .as_ref()
        .filter(|_| !own)
        .map(|p| Source::new(p.clone(), Some(front_matter)));
    Fields {
        id: keys.id,
        title,
        tags,
        created,
        updated,
        body: body.to_owned(),
        properties: keys.properties,
        source,
    }
    .check(path, front.as_ref().map(|_| 1))
}

/// The file name without its extension: the title of a note that gives none.
pub(super) fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// What the front matter gives, key by key.
#[derive(Default)]
struct Keys {
    id: Option<i64>,
    title: Option<String>,
    /// The title came from an exact `title` text.
    title_exact: bool,
    /// The `tags` value and its line: read once it is known whether smartnotes wrote the file.
    tags: Option<(Value, usize)>,
    /// The dates read, each with the index of its key in [`CREATED`] or [`UPDATED`].
    created: Option<(usize, dates::Read)>,
    updated: Option<(usize, dates::Read)>,
    properties: Properties,
}

impl Keys {
    /// Sorts every key of `front` into what smartnotes owns and the properties.
    fn take(
        &mut self,
        path: &Path,
        front: &Front<'_>,
        options: &ReadOptions,
        lines: &mut Lines<'_>,
        report: &mut Report,
    ) -> Result<(), ImportError> {
        // The exact `title` wins over `Title` wherever it is.
        let exact_title = front.keys.contains_key("title");
        let mut key_lines = front::KeyLines::new(front);
        for (key, value) in &front.keys {
            let lower = key.to_lowercase();
            let mut line = || key_lines.line(key, lines);
            if key == "id" {
                self.id(path, value, options, line(), report)?;
            } else if lower == "title" && self.title.is_none() && (!exact_title || key == "title") {
                self.title(path, key, value, line(), report);
            } else if lower == "tags" && self.tags.is_none() {
                self.tags = Some((value.clone(), line()));
            } else if let Some(at) = CREATED.iter().position(|k| *k == lower) {
                self.date(path, key, value, at, true, options, &mut line, report)?;
            } else if let Some(at) = UPDATED.iter().position(|k| *k == lower) {
                self.date(path, key, value, at, false, options, &mut line, report)?;
            } else {
                self.property(path, key, value, &mut line, report);
            }
        }
        Ok(())
    }

    /// Whether smartnotes wrote the file: a whole-number id, the title as text under `title`,
    /// and `created` and `updated` with a zone.
    fn own(&self) -> bool {
        let exact =
            |d: &Option<(usize, dates::Read)>| d.is_some_and(|(at, r)| at == 0 && !r.zoneless);
        self.id.is_some() && self.title_exact && exact(&self.created) && exact(&self.updated)
    }

    fn id(
        &mut self,
        path: &Path,
        value: &Value,
        options: &ReadOptions,
        line: usize,
        report: &mut Report,
    ) -> Result<(), ImportError> {
        let whole = value
            .as_i64()
            .map(i128::from)
            .or_else(|| value.as_u64().map(i128::from));
        let big = value
            .as_str()
            .filter(|s| s.len() > 18 && s.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|s| s.parse::<i128>().ok())
            .or_else(|| {
                value
                    .as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() >= 9.2e18)
                    .map(|f| f as i128)
            });
        match whole.or(big).map(fields::check_id) {
            Some(Ok(id)) => self.id = Some(id),
            Some(Err(e)) if options.ids_matter => {
                return Err(ImportError::FrontMatter {
                    path: path.to_path_buf(),
                    line: Some(line),
                    message: format!("id: {e}"),
                });
            }
            Some(Err(e)) => self.unread(path, "id", value, line, &e, report),
            // Another tool's id (`id: 2a3b`, `id: "5"`): a property, not smartnotes' id.
            None => {
                self.keep_as_written("id", value);
            }
        }
        Ok(())
    }

    fn title(&mut self, path: &Path, key: &str, value: &Value, line: usize, report: &mut Report) {
        match value {
            Value::String(s) => {
                self.title = Some(s.clone());
                self.title_exact = key == "title";
            }
            Value::Number(n) => self.title = Some(n.to_string()),
            Value::Bool(b) => self.title = Some(b.to_string()),
            Value::Null => {}
            other => {
                let e = format!("{} is no title", super::props::what(other));
                self.unread(path, key, value, line, &e, report);
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn date(
        &mut self,
        path: &Path,
        key: &str,
        value: &Value,
        at: usize,
        created: bool,
        options: &ReadOptions,
        line: &mut dyn FnMut() -> usize,
        report: &mut Report,
    ) -> Result<(), ImportError> {
        // `created` and `updated` are smartnotes' own; the others stay properties too.
        let own = key == if created { CREATED[0] } else { UPDATED[0] };
        let slot = if created {
            &mut self.created
        } else {
            &mut self.updated
        };
        match dates::from_value(value, &options.zone) {
            Ok(read) => {
                let better = slot.is_none_or(|(was, _)| at < was || (at == was && own));
                if better {
                    *slot = Some((if own { 0 } else { at.max(1) }, read));
                }
                if !own {
                    self.property(path, key, value, line, report);
                }
            }
            // Restoring smartnotes' notes (--keep-ids, --update), a time that cannot be kept
            // is an error, as the id is: those are what the restore is for.
            Err(e) if own && options.ids_matter => {
                return Err(ImportError::FrontMatter {
                    path: path.to_path_buf(),
                    line: Some(line()),
                    message: format!("{key}: {e}"),
                });
            }
            Err(e) if own => self.unread(path, key, value, line(), &e, report),
            Err(e) => {
                report.warn(
                    path,
                    Some(line()),
                    format!("{key}: {e}; kept as a property, not as a date"),
                );
                self.property(path, key, value, line, report);
            }
        }
        Ok(())
    }

    /// A value smartnotes cannot read under one of its own keys: kept as `<key>_as_written`,
    /// with a warning.
    fn unread(
        &mut self,
        path: &Path,
        key: &str,
        value: &Value,
        line: usize,
        e: &str,
        report: &mut Report,
    ) {
        let kept = self.keep_as_written(key, value);
        report.warn(
            path,
            Some(line),
            format!("{key}: {e}; kept as the property {kept}"),
        );
    }

    fn keep_as_written(&mut self, key: &str, value: &Value) -> String {
        let kept = format!("{key}_as_written");
        self.properties.insert(kept.clone(), value.clone());
        kept
    }

    /// Any other key: a property, if the notebook can keep it.
    fn property(
        &mut self,
        path: &Path,
        key: &str,
        value: &Value,
        line: &mut dyn FnMut() -> usize,
        report: &mut Report,
    ) {
        if OWNED_KEYS.contains(&key) {
            self.keep_as_written(key, value);
            return;
        }
        let problem = if key.is_empty() {
            Some("an empty key")
        } else if key.chars().any(char::is_control) {
            Some("a key with control characters")
        } else if depth(value) > MAX_PROPERTY_DEPTH {
            Some("a value nested more than 32 deep")
        } else {
            None
        };
        match problem {
            Some(problem) => report.warn(
                path,
                Some(line()),
                format!(
                    "{}: {problem} cannot be kept as a property; left out (it stays in the file's front matter as written)",
                    crate::model::quote(key)
                ),
            ),
            None => {
                self.properties.insert(key.to_owned(), value.clone());
            }
        }
    }

    /// Created and updated: the keys, else the file name's date (created), else the file's
    /// modification time. A time that was not given never puts updated before created: an
    /// updated time left to the file's is at least the created one, a created time left to
    /// the file's at most the updated one.
    fn dates(
        &self,
        path: &Path,
        options: &ReadOptions,
        report: &mut Report,
    ) -> (Timestamp, Timestamp) {
        let mut used = |r: dates::Read| {
            report.zoneless += u64::from(r.zoneless);
            r.at
        };
        let modified = options.modified.unwrap_or_else(Timestamp::now);
        let created = match self.created {
            Some((_, read)) => used(read),
            None => match dates::from_file_name(&stem(path), &options.zone) {
                Some(read) => used(read),
                None => modified,
            },
        };
        match self.updated {
            Some((_, read)) => {
                let updated = used(read);
                match self.created {
                    Some(_) => (created, updated),
                    None => (created.min(updated), updated),
                }
            }
            None => (created, modified.max(created)),
        }
    }

    /// The front matter's tags, then the body's, each with its line. The tags of a file
    /// smartnotes wrote are its list, as written.
    fn tag_list(
        &mut self,
        path: &Path,
        own: bool,
        scan: &body::Scan,
        body_start: usize,
        lines: &mut Lines<'_>,
        report: &mut Report,
    ) -> Vec<(String, usize)> {
        let mut list = Vec::new();
        if let Some((value, line)) = self.tags.take() {
            let read = match (&value, own) {
                (Value::Array(items), true) if items.iter().all(|i| i.is_string()) => Ok(items
                    .iter()
                    .filter_map(|i| i.as_str().map(str::to_owned))
                    .collect()),
                _ => tags::from_value(&value),
            };
            match read {
                Ok(tags) => list.extend(tags.into_iter().map(|t| (t, line))),
                Err(e) => self.unread(path, "tags", &value, line, &e, report),
            }
        }
        for (tag, at) in &scan.tags {
            list.push((tag.clone(), lines.line_at(body_start + at)));
        }
        list
    }
}

/// How deep lists and maps nest in `value`, without recursing.
fn depth(value: &Value) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(value, 0usize)];
    while let Some((value, at)) = stack.pop() {
        deepest = deepest.max(at);
        match value {
            Value::Array(items) => stack.extend(items.iter().map(|v| (v, at + 1))),
            Value::Object(map) => stack.extend(map.values().map(|v| (v, at + 1))),
            _ => {}
        }
    }
    deepest
}
