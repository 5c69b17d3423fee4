//! jrnl's journal file: entries one after another, each opened by a line
//! `[YYYY-MM-DD HH:MM] Title` (the default `timeformat`; `[2020-08-31 02:32:00 PM]` in folder
//! journals), its body the lines up to the next such line.
//!
//! As jrnl reads them: the title is the rest of the opening line, a `*` at its end (where jrnl
//! writes it) or right after the time (`[...] *Title`) stars the entry, the body is the text
//! after it without the blank lines around, and the tags are the words the body and title
//! start with `@` (jrnl's `(?<!\S)@[-+*#/\w]+`, lowercased, each once). A note gets the entry's
//! time (no zone: read in the import's zone) as created and updated, its tags without the
//! `@`, and `starred: true` as a property when starred.
//!
//! A text whose first non-blank line opens no entry is no journal: [`read`] says so and the
//! file is left out (a `.txt` of a vault that is not a journal).

use std::path::Path;

use serde_json::Value;

use super::dates;
use super::lines::Lines;
use super::{Fields, Parsed, ReadOptions, Report, fields, tags};
use crate::model::Properties;

/// The entries of the journal `text`, or `None` if it is no journal.
pub(super) fn read(
    path: &Path,
    text: &str,
    options: &ReadOptions,
    lines: &mut Lines<'_>,
    report: &mut Report,
) -> Option<Vec<Parsed>> {
    lines.charge(text.len());
    let first = text.lines().find(|l| !l.trim().is_empty())?;
    opening(first, &options.zone)?;
    let mut entries = Vec::new();
    let mut current: Option<Entry<'_>> = None;
    let mut at = 0;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let line_no = index + 1;
        if let Some((when, title)) = opening(line.trim_end_matches(['\n', '\r']), &options.zone) {
            if let Some(entry) = current.take() {
                entries.push(entry.note(path, &text[entry.body_start..at], report));
            }
            current = Some(Entry {
                line: line_no,
                when,
                title,
                body_start: at + line.len(),
            });
        }
        at += line.len();
    }
    if let Some(entry) = current {
        entries.push(entry.note(path, &text[entry.body_start..], report));
    }
    report.zoneless += entries.iter().flatten().count() as u64;
    Some(entries)
}

/// An entry's opening line read: its time, and the rest of the line.
struct Entry<'a> {
    line: usize,
    when: dates::Read,
    title: &'a str,
    body_start: usize,
}

impl Entry<'_> {
    fn note(&self, path: &Path, body: &str, report: &mut Report) -> Parsed {
        let rest = self.title.trim();
        let starred = rest.ends_with('*') || rest.starts_with('*');
        let title = rest.trim_matches(|c: char| c == '*' || c.is_whitespace());
        let body = body.trim();
        let body = if body.is_empty() {
            String::new()
        } else {
            format!("{body}\n")
        };
        let mut properties = Properties::new();
        if starred {
            properties.insert("starred".into(), Value::Bool(true));
        }
        let found = at_tags(title).chain(at_tags(&body)).map(|t| (t, ()));
        let (tags, refused) = tags::keep(found.collect());
        for (e, ()) in refused {
            report.warn(
                path,
                Some(self.line),
                format!("tags: {}; left out", fields::shorten(e.to_string())),
            );
        }
        Fields {
            id: None,
            title: title.to_owned(),
            tags,
            created: self.when.at,
            updated: self.when.at,
            body,
            properties,
            source: None,
        }
        .check(path, Some(self.line))
    }
}

/// `[time] rest`, the time one jrnl writes: its instant and the rest of the line.
fn opening<'a>(line: &'a str, zone: &super::Zone) -> Option<(dates::Read, &'a str)> {
    let inner = line.strip_prefix('[')?;
    let close = inner
        .find("] ")
        .or_else(|| inner.strip_suffix(']').map(str::len))?;
    let stamp = &inner[..close];
    let rest = inner.get(close + 2..).unwrap_or("");
    Some((jrnl_time(stamp, zone)?, rest))
}

/// `2013-06-09 15:39`, `2013-06-09 15:39:00`, `2020-08-31 02:32:00 PM`, `2022-03-02 9:25:00 AM`.
fn jrnl_time(stamp: &str, zone: &super::Zone) -> Option<dates::Read> {
    let (date, time) = stamp.split_once(' ')?;
    if date.len() != 10 {
        return None;
    }
    let (time, half) = match time.rsplit_once(' ') {
        Some((t, h)) if h.eq_ignore_ascii_case("am") => (t, Some(0)),
        Some((t, h)) if h.eq_ignore_ascii_case("pm") => (t, Some(12)),
        Some(_) => return None,
        None => (time, None),
    };
    let (hour, minutes) = time.split_once(':')?;
    let mut hour: u32 = hour
        .parse()
        .ok()
        .filter(|_| (1..=2).contains(&hour.len()))?;
    if let Some(half) = half {
        if !(1..=12).contains(&hour) {
            return None;
        }
        hour = hour % 12 + half;
    }
    let read = dates::parse(&format!("{date} {hour:02}:{minutes}"), zone).ok()?;
    read.zoneless.then_some(read)
}

/// The words of `text` that start with `@`, as jrnl reads them: after white space or at the
/// start, `@` then letters, digits, `_`, `-`, `+`, `*`, `#`, `/`; lowercased, without the `@`.
fn at_tags(text: &str) -> impl Iterator<Item = String> + '_ {
    let mut prev_blank = true;
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let starts = c == '@' && prev_blank;
        prev_blank = c.is_whitespace();
        if !starts {
            continue;
        }
        let mut end = i + 1;
        while let Some(&(j, c)) = chars.peek() {
            if !(c.is_alphanumeric() || matches!(c, '_' | '-' | '+' | '*' | '#' | '/')) {
                break;
            }
            end = j + c.len_utf8();
            chars.next();
        }
        if end > i + 1 {
            out.push(text[i + 1..end].to_lowercase());
        }
    }
    out.into_iter()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::Zone;

    fn journal(text: &str) -> Option<Vec<Parsed>> {
        let options = ReadOptions {
            zone: "UTC".parse::<Zone>().unwrap(),
            ..ReadOptions::default()
        };
        read(
            Path::new("j.txt"),
            text,
            &options,
            &mut Lines::new(text),
            &mut Report::default(),
        )
    }

    #[test]
    fn entries_titles_bodies_stars_and_at_tags() {
        let text = "[2020-08-29 11:11] Entry the first.\n\nLorem @ipsum dolor. @TagOne and @tagtwo.\n\n[2020-08-31 14:32] A second entry. *\nBody [not a date] line\n@tagtwo again\n[2020-09-24 09:14] *Third\n";
        let notes: Vec<_> = journal(text)
            .unwrap()
            .into_iter()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(notes.len(), 3);
        let n = &notes[0].note;
        assert_eq!(
            (n.title.as_str(), n.body.as_str()),
            (
                "Entry the first.",
                "Lorem @ipsum dolor. @TagOne and @tagtwo.\n"
            )
        );
        assert_eq!(n.tags, ["ipsum", "tagone", "tagtwo"]);
        assert_eq!(n.created.to_string(), "2020-08-29T11:11:00Z");
        assert!(n.properties.is_empty());
        let n = &notes[1].note;
        assert_eq!(n.title, "A second entry.");
        assert_eq!(n.properties["starred"], true);
        assert_eq!(n.body, "Body [not a date] line\n@tagtwo again\n");
        assert_eq!(notes[1].origin.line, Some(5));
        let n = &notes[2].note;
        assert_eq!((n.title.as_str(), n.body.as_str()), ("Third", ""));
        assert_eq!(n.properties["starred"], true);
    }

    #[test]
    fn folder_journal_times_with_am_and_pm() {
        let text = "[2020-08-31 02:32:00 PM] Afternoon.\nx\n[2022-03-02 9:25:00 AM] Morning.\n[2022-03-02 12:05 AM] Midnight.\n";
        let times: Vec<String> = journal(text)
            .unwrap()
            .into_iter()
            .map(|r| r.unwrap().note.created.to_string())
            .collect();
        assert_eq!(
            times,
            [
                "2020-08-31T14:32:00Z",
                "2022-03-02T09:25:00Z",
                "2022-03-02T00:05:00Z"
            ]
        );
    }

    #[test]
    fn a_text_that_opens_no_entry_is_no_journal() {
        for text in [
            "Shopping list\n[2020-01-01 10:00] x\n",
            "[link] text\n",
            "[2020-13-01 10:00] x\n",
            "\n\n",
        ] {
            assert!(journal(text).is_none(), "{text:?}");
        }
        assert_eq!(journal("\n[2020-01-01 10:00] Only\n").unwrap().len(), 1);
    }
}
