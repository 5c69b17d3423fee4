//! Which notes to read: one typed filter, shared by `list`, `export` and `bench`, turned into SQL.
//!
//! The store never loads every note to filter them in Rust; a [`Query`] becomes a `WHERE`
//! clause with bound parameters (tags through the `note_tags` index, text through the FTS5
//! index, dates through the date indexes), and results come back in pages keyed on the sort
//! column and the note id, so that a million matches are read a page at a time.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use chrono::{NaiveDate, TimeDelta};
use rusqlite::types::Value;
use serde::Serialize;

use crate::model::Timestamp;

/// Which notes to read and in which order. The default matches every note, by id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    /// Notes carrying every one of these tags.
    pub tags: Vec<String>,
    /// Notes carrying at least one of these tags (ignored when empty).
    pub any_tags: Vec<String>,
    /// Notes carrying none of these tags.
    pub not_tags: Vec<String>,
    /// Notes dated at or after this instant (see `by`).
    pub since: Option<Timestamp>,
    /// Notes dated at or before this instant (see `by`).
    pub until: Option<Timestamp>,
    /// Which date `since` and `until` look at.
    pub by: DateField,
    /// Full-text search over titles and bodies.
    pub search: Option<Search>,
    /// Notes with every one of these properties (`--prop KEY`, `--prop KEY=VALUE`).
    pub props: Vec<PropFilter>,
    /// At most this many notes, after sorting.
    pub limit: Option<u64>,
    /// The order notes come in.
    pub sort: Sort,
    /// Largest first.
    pub descending: bool,
}

/// The date a [`Query`]'s `since` and `until` look at.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum DateField {
    /// When the note was created.
    Created,
    /// When the note was last changed.
    #[default]
    Updated,
}

/// The order of a [`Query`]'s results; ties are broken by id.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// By id: the order notes were added in.
    #[default]
    Id,
    /// By creation time.
    Created,
    /// By last change.
    Updated,
    /// By title, ignoring ASCII case.
    Title,
}

impl Sort {
    /// The SQL expression sorted on; the collation matters for the keyset comparison too.
    fn column(self) -> &'static str {
        match self {
            Sort::Id => "n.id",
            Sort::Created => "n.created",
            Sort::Updated => "n.updated",
            Sort::Title => "n.title COLLATE NOCASE",
        }
    }
}

/// Why a filter could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// The search text has no words in it.
    #[error("the search text is empty")]
    EmptySearch,
    /// A `"` without its closing partner.
    #[error("unterminated quote in search text {0:?}")]
    Unterminated(String),
    /// `--prop` without a key (`=x`, or nothing).
    #[error("{0:?} names no property: write KEY or KEY=VALUE")]
    EmptyProperty(String),
    /// A date that is neither a day, an RFC 3339 time, nor a relative age.
    #[error(
        "{text:?} is not a date: write a day (2026-11-24), an RFC 3339 time \
         (2026-11-24T08:00:00Z) or an age (7d, 2w, 12h)"
    )]
    Date {
        /// What was given.
        text: String,
    },
}

/// A parsed full-text search: words, `"quoted phrases"` and `prefix*` words, all required.
///
/// Each term is quoted before it reaches FTS5, so text such as `c++`, `AND` or `a:b` searches
/// for itself instead of being read as FTS5 syntax, and no search text can be a syntax error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Search {
    text: String,
    fts: String,
}

impl Search {
    /// The text as the user wrote it.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The FTS5 `MATCH` expression.
    pub fn fts(&self) -> &str {
        &self.fts
    }
}

impl FromStr for Search {
    type Err = QueryError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut terms = Vec::new();
        let mut chars = text.chars().peekable();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() {
                chars.next();
                continue;
            }
            let (phrase, quoted) = if c == '"' {
                chars.next();
                let mut phrase = String::new();
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some(c) => phrase.push(c),
                        None => return Err(QueryError::Unterminated(text.to_owned())),
                    }
                }
                (phrase, true)
            } else {
                let mut word = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || c == '"' {
                        break;
                    }
                    word.push(c);
                    chars.next();
                }
                (word, false)
            };
            let prefix = if quoted {
                chars.next_if_eq(&'*').is_some()
            } else {
                phrase.ends_with('*')
            };
            let phrase = phrase.trim_end_matches('*');
            if phrase.trim().is_empty() {
                continue;
            }
            let escaped = phrase.replace('"', "\"\"");
            terms.push(if prefix {
                format!("\"{escaped}\"*")
            } else {
                format!("\"{escaped}\"")
            });
        }
        if terms.is_empty() {
            return Err(QueryError::EmptySearch);
        }
        Ok(Search {
            text: text.to_owned(),
            fts: terms.join(" AND "),
        })
    }
}

/// A filter on a property: the note has the key (`KEY`), and with a value (`KEY=VALUE`) the
/// property is that value or a list holding it.
///
/// A value compares as text: a string as itself, a number as SQLite writes it (`3`, `2.5`),
/// `true`, `false` and `null` as those words; keys and values compare exactly (letter case
/// included). A map matches `KEY` only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PropFilter {
    /// The property's key.
    pub key: String,
    /// The value it must have, or hold in its list; `None` for any value.
    pub value: Option<String>,
}

impl FromStr for PropFilter {
    type Err = QueryError;

    /// `KEY` or `KEY=VALUE` (split at the first `=`).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (key, value) = match text.split_once('=') {
            Some((key, value)) => (key, Some(value.to_owned())),
            None => (text, None),
        };
        if key.is_empty() {
            return Err(QueryError::EmptyProperty(text.to_owned()));
        }
        Ok(PropFilter {
            key: key.to_owned(),
            value,
        })
    }
}

impl fmt::Display for PropFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            Some(value) => write!(f, "{}={value}", self.key),
            None => f.write_str(&self.key),
        }
    }
}

/// A date as given on the command line: a day, an instant, or an age relative to now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateSpec {
    /// A whole day, UTC: `2026-11-24`.
    Day(NaiveDate),
    /// An instant: `2026-11-24T08:00:00+01:00`.
    Instant(Timestamp),
    /// So long before now: `7d`, `2w`, `12h`.
    Ago(Duration),
}

impl FromStr for DateSpec {
    type Err = QueryError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            return Ok(DateSpec::Day(day));
        }
        if let Ok(instant) = text.parse::<Timestamp>() {
            return Ok(DateSpec::Instant(instant));
        }
        if text.starts_with(|c: char| c.is_ascii_digit())
            && let Ok(age) = humantime::parse_duration(text)
        {
            return Ok(DateSpec::Ago(age));
        }
        Err(QueryError::Date {
            text: text.to_owned(),
        })
    }
}

impl DateSpec {
    /// The first instant this date covers: the start of a day.
    pub fn start(self, now: Timestamp) -> Timestamp {
        match self {
            DateSpec::Day(day) => Timestamp::from(day.and_time(chrono::NaiveTime::MIN).and_utc()),
            DateSpec::Instant(t) => t,
            DateSpec::Ago(age) => ago(now, age),
        }
    }

    /// The last instant this date covers: `--until 2026-11-24` includes the whole day.
    pub fn end(self, now: Timestamp) -> Timestamp {
        match self {
            DateSpec::Day(day) => {
                let next = day.succ_opt().unwrap_or(day);
                let start = next.and_time(chrono::NaiveTime::MIN).and_utc();
                Timestamp::from(start - TimeDelta::microseconds(1))
            }
            other => other.start(now),
        }
    }
}

fn ago(now: Timestamp, age: Duration) -> Timestamp {
    let age = TimeDelta::from_std(age).unwrap_or(TimeDelta::MAX);
    now.as_datetime()
        .checked_sub_signed(age)
        .map(Timestamp::from)
        .unwrap_or_else(|| Timestamp::from(chrono::DateTime::<chrono::Utc>::MIN_UTC))
}

impl fmt::Display for DateSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateSpec::Day(day) => write!(f, "{day}"),
            DateSpec::Instant(t) => write!(f, "{t}"),
            DateSpec::Ago(age) => write!(f, "{} ago", humantime::format_duration(*age)),
        }
    }
}

/// Where the next page of a sorted stream starts: after this sort key and id.
#[derive(Clone, Debug)]
pub(crate) struct Cursor {
    /// The sort column's value in the last row read, with the type it was stored as.
    pub(crate) key: Value,
    /// The key is text that is not UTF-8, bound as a blob: compare it as `CAST(? AS TEXT)`.
    pub(crate) cast_text: bool,
    pub(crate) id: i64,
}

impl Query {
    /// A query for notes carrying `tag`.
    pub fn tagged(tag: impl Into<String>) -> Self {
        Query {
            tags: vec![tag.into()],
            ..Query::default()
        }
    }

    /// The SQL condition on `notes AS n` and its parameters, `1` when nothing is filtered.
    pub(crate) fn condition(&self) -> (String, Vec<Value>) {
        const HAS_TAG: &str = "EXISTS (SELECT 1 FROM note_tags t WHERE t.note_id = n.id AND t.tag";
        let mut clauses = Vec::new();
        let mut params = Vec::new();
        for tag in &self.tags {
            clauses.push(format!("{HAS_TAG} = ?)"));
            params.push(Value::Text(tag.clone()));
        }
        if !self.any_tags.is_empty() {
            clauses.push(format!(
                "{HAS_TAG} IN ({}))",
                placeholders(self.any_tags.len())
            ));
            params.extend(self.any_tags.iter().cloned().map(Value::Text));
        }
        if !self.not_tags.is_empty() {
            clauses.push(format!(
                "NOT {HAS_TAG} IN ({}))",
                placeholders(self.not_tags.len())
            ));
            params.extend(self.not_tags.iter().cloned().map(Value::Text));
        }
        let date = match self.by {
            DateField::Created => "n.created",
            DateField::Updated => "n.updated",
        };
        if let Some(since) = self.since {
            clauses.push(format!("{date} >= ?"));
            params.push(Value::Integer(since.as_micros()));
        }
        if let Some(until) = self.until {
            clauses.push(format!("{date} <= ?"));
            params.push(Value::Integer(until.as_micros()));
        }
        if let Some(search) = &self.search {
            clauses
                .push("n.id IN (SELECT rowid FROM notes_fts WHERE notes_fts MATCH ?)".to_owned());
            params.push(Value::Text(search.fts.clone()));
        }
        for prop in &self.props {
            let (clause, values) = prop.condition();
            clauses.push(clause);
            params.extend(values);
        }
        if clauses.is_empty() {
            ("1".to_owned(), params)
        } else {
            (clauses.join(" AND "), params)
        }
    }

    /// The `SELECT` for one page of at most `page` notes after `cursor`, and its parameters.
    pub(crate) fn page_sql(
        &self,
        select: &str,
        cursor: Option<&Cursor>,
        page: u64,
    ) -> (String, Vec<Value>) {
        let (mut condition, mut params) = self.condition();
        let key = self.sort.column();
        let (after, order) = if self.descending {
            ("<", "DESC")
        } else {
            (">", "ASC")
        };
        if let Some(cursor) = cursor {
            if self.sort == Sort::Id {
                condition.push_str(&format!(" AND n.id {after} ?"));
                params.push(Value::Integer(cursor.id));
            } else {
                let at = if cursor.cast_text {
                    "CAST(? AS TEXT)"
                } else {
                    "?"
                };
                condition.push_str(&format!(
                    " AND ({key} {after} {at} OR ({key} = {at} AND n.id {after} ?))"
                ));
                params.push(cursor.key.clone());
                params.push(cursor.key.clone());
                params.push(Value::Integer(cursor.id));
            }
        }
        let tiebreak = if self.sort == Sort::Id {
            String::new()
        } else {
            format!(", n.id {order}")
        };
        (
            format!("{select} WHERE {condition} ORDER BY {key} {order}{tiebreak} LIMIT {page}"),
            params,
        )
    }
}

impl PropFilter {
    /// The SQL condition on `notes AS n` and its parameters. A properties column that is not
    /// valid JSON (a damaged row) matches nothing instead of failing the whole query.
    fn condition(&self) -> (String, Vec<Value>) {
        const TEXT: &str = "CASE {v}.type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' \
                            WHEN 'null' THEN 'null' ELSE CAST({v}.atom AS TEXT) END";
        let text = |v: &str| TEXT.replace("{v}", v);
        let mut sql = "EXISTS (SELECT 1 FROM json_each(CASE WHEN json_valid(n.properties) \
                       THEN n.properties END) p WHERE p.key = ?"
            .to_owned();
        let mut params = vec![Value::Text(self.key.clone())];
        if let Some(value) = &self.value {
            sql.push_str(&format!(
                " AND ((p.type NOT IN ('array', 'object') AND {} = ?) \
                 OR (p.type = 'array' AND EXISTS (SELECT 1 FROM json_each(p.value) e \
                 WHERE e.type NOT IN ('array', 'object') AND {} = ?)))",
                text("p"),
                text("e")
            ));
            params.push(Value::Text(value.clone()));
            params.push(Value::Text(value.clone()));
        }
        sql.push(')');
        (sql, params)
    }
}

fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_quotes_every_term_so_no_text_is_fts_syntax() {
        let s: Search = r#"rust "thread pool" asyn* c++ AND"#.parse().unwrap();
        assert_eq!(
            s.fts(),
            r#""rust" AND "thread pool" AND "asyn"* AND "c++" AND "AND""#
        );
        let s: Search = r#""a ""b"" c"* x"#.parse().unwrap();
        assert_eq!(s.fts(), r#""a " AND "b" AND " c"* AND "x""#);
    }

    #[test]
    fn bad_search_text_is_an_error() {
        assert_eq!("   ".parse::<Search>(), Err(QueryError::EmptySearch));
        assert_eq!("*".parse::<Search>(), Err(QueryError::EmptySearch));
        assert!(matches!(
            "\"open".parse::<Search>(),
            Err(QueryError::Unterminated(_))
        ));
    }

    #[test]
    fn dates_parse_as_days_instants_and_ages() {
        let now: Timestamp = "2026-11-24T12:00:00Z".parse().unwrap();
        let day: DateSpec = "2026-11-20".parse().unwrap();
        assert_eq!(day.start(now).to_string(), "2026-11-20T00:00:00Z");
        assert_eq!(day.end(now).to_string(), "2026-11-20T23:59:59.999999Z");
        let instant: DateSpec = "2026-11-20T08:00:00+01:00".parse().unwrap();
        assert_eq!(instant.start(now).to_string(), "2026-11-20T07:00:00Z");
        let week: DateSpec = "1w".parse().unwrap();
        assert_eq!(week.start(now).to_string(), "2026-11-17T12:00:00Z");
        let days: DateSpec = "7d".parse().unwrap();
        assert_eq!(days.start(now), week.start(now));
        for bad in ["yesterday", "2026-13-01", "", "-3d", "7 parsecs"] {
            assert!(bad.parse::<DateSpec>().is_err(), "{bad:?} was accepted");
        }
    }
}
