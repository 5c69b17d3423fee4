//! Which notes to read: one typed filter, shared by `list`, `export` and `bench`, turned into SQL.
//!
//! The store never loads every note to filter them in Rust; a [`Query`] becomes a `WHERE`
//! clause with bound parameters (tags through the `note_tags` index, text through the FTS5
//! index, dates through the date indexes), and results come back in pages keyed on the sort
//! column and the note id, so that a million matches are read a page at a time.

use std::fmt;
use std::str::FromStr;

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
    /// Notes with a link to this note (`--links-to ID`).
    pub links_to: Option<i64>,
    /// Notes this note links to (`--linked-from ID`).
    pub linked_from: Option<i64>,
    /// Notes no other note links to (`--orphans`, zk's meaning).
    pub orphans: bool,
    /// Notes with a link that resolves to nothing (`--broken-links`).
    pub broken_links: bool,
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
    /// A date that is neither a day, an instant, an age nor words a date can be read from.
    #[error(
        "{text:?} is not a date: write a day (2026-11-24, yesterday, last monday), a time \
         (2026-11-24T08:00:00Z, 2026-11-24 08:00) or an age (7d, 2w, 3 days ago)"
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
        self.graph_condition(&mut clauses, &mut params);
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

impl Query {
    /// The graph filters, on the `links` table (store/links.rs): each an indexed lookup.
    fn graph_condition(&self, clauses: &mut Vec<String>, params: &mut Vec<Value>) {
        if let Some(id) = self.links_to {
            clauses
                .push("n.id IN (SELECT l.source_id FROM links l WHERE l.target_note = ?)".into());
            params.push(Value::Integer(id));
        }
        if let Some(id) = self.linked_from {
            clauses
                .push("n.id IN (SELECT l.target_note FROM links l WHERE l.source_id = ?)".into());
            params.push(Value::Integer(id));
        }
        if self.orphans {
            clauses.push(
                "NOT EXISTS (SELECT 1 FROM links l WHERE l.target_note = n.id \
                 AND l.source_id != n.id)"
                    .into(),
            );
        }
        if self.broken_links {
            clauses.push(
                "EXISTS (SELECT 1 FROM links l WHERE l.source_id = n.id \
                 AND l.target_note IS NULL AND l.target_attachment IS NULL)"
                    .into(),
            );
        }
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
}
