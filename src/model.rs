//! The note: what the store keeps, the formats render and import reads back.
//!
//! A [`Note`] is plain data. Its timestamps are [`Timestamp`]s: instants in UTC with microsecond
//! precision, always written as RFC 3339 with a `Z` suffix, so no format ever drops the time
//! zone and a round trip through any format gives the same instant back.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One note of the notebook.
///
/// Field order here is the field order of every format (JSON keys, CSV columns, front matter).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Note {
    /// Assigned by the store; unique and stable.
    pub id: i64,
    /// Free text, any Unicode; never used as a path without going through a slug.
    pub title: String,
    /// Tags in the order they were given; see [`validate_tag`] for what a tag may hold.
    #[serde(default)]
    pub tags: Vec<String>,
    /// When the note was created.
    pub created: Timestamp,
    /// When the note was last changed.
    pub updated: Timestamp,
    /// Markdown text, stored and exported byte for byte (CRLF stays CRLF).
    #[serde(default)]
    pub body: String,
}

/// A note that has not been given an id yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewNote {
    /// Title of the note.
    pub title: String,
    /// Markdown body.
    pub body: String,
    /// Tags, each checked by [`validate_tag`].
    pub tags: Vec<String>,
    /// Creation time.
    pub created: Timestamp,
    /// Last change.
    pub updated: Timestamp,
}

impl NewNote {
    /// A note created now, with `updated == created`.
    pub fn now(title: impl Into<String>, body: impl Into<String>, tags: Vec<String>) -> Self {
        let now = Timestamp::now();
        NewNote {
            title: title.into(),
            body: body.into(),
            tags,
            created: now,
            updated: now,
        }
    }
}

/// What is wrong with a note's fields.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum NoteError {
    /// A tag that formats could not carry unambiguously.
    #[error("invalid tag {tag:?}: {reason}")]
    InvalidTag {
        /// The tag as given.
        tag: String,
        /// Why it is refused.
        reason: &'static str,
    },
    /// A title or body holding a NUL byte, which SQLite text and most editors mishandle.
    #[error("the {field} contains a NUL character")]
    Nul {
        /// `title` or `body`.
        field: &'static str,
    },
}

/// Checks one tag.
///
/// A tag is non-empty, at most 200 bytes, and holds no `;` (the CSV tag separator), no white
/// space at either end and no control character, so that every format can carry it and
/// import gives back exactly the tags that were exported.
pub fn validate_tag(tag: &str) -> Result<(), NoteError> {
    let fail = |reason| {
        Err(NoteError::InvalidTag {
            tag: tag.to_owned(),
            reason,
        })
    };
    if tag.is_empty() {
        return fail("a tag cannot be empty");
    }
    if tag.len() > 200 {
        return fail("a tag is at most 200 bytes");
    }
    if tag.contains(';') {
        return fail("';' separates tags in CSV and cannot be part of one");
    }
    if tag.chars().any(char::is_control) {
        return fail("a tag cannot hold control characters");
    }
    if tag.trim() != tag {
        return fail("a tag cannot start or end with white space");
    }
    Ok(())
}

/// Checks the fields of a note before it is stored.
pub fn validate(title: &str, body: &str, tags: &[String]) -> Result<(), NoteError> {
    if title.contains('\0') {
        return Err(NoteError::Nul { field: "title" });
    }
    if body.contains('\0') {
        return Err(NoteError::Nul { field: "body" });
    }
    tags.iter().try_for_each(|t| validate_tag(t))
}

/// An instant in UTC, kept to the microsecond.
///
/// Displayed and serialized as RFC 3339 with a `Z` suffix and a fraction only when there is one,
/// in milliseconds or microseconds (`2026-11-24T09:30:00Z`, `2026-11-24T09:30:00.500Z`,
/// `2026-11-24T09:30:00.123456Z`). Parsing accepts any RFC 3339
/// offset and converts to UTC, so the instant is kept even when the zone is not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime<Utc>);

impl Timestamp {
    /// The current time, truncated to microseconds.
    pub fn now() -> Self {
        Self::from_micros(Utc::now().timestamp_micros()).unwrap_or(Timestamp(DateTime::UNIX_EPOCH))
    }

    /// The instant `micros` microseconds after the Unix epoch, if chrono can represent it.
    pub fn from_micros(micros: i64) -> Option<Self> {
        DateTime::from_timestamp_micros(micros).map(Timestamp)
    }

    /// Microseconds since the Unix epoch: how the store keeps it.
    pub fn as_micros(self) -> i64 {
        self.0.timestamp_micros()
    }

    /// The chrono value.
    pub fn as_datetime(self) -> DateTime<Utc> {
        self.0
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(value: DateTime<Utc>) -> Self {
        // Sub-microsecond digits cannot be stored; drop them here so that what is shown is
        // what is kept.
        Self::from_micros(value.timestamp_micros()).unwrap_or(Timestamp(value))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.to_rfc3339_opts(SecondsFormat::AutoSi, true))
    }
}

/// A timestamp that is not RFC 3339.
#[derive(Debug, thiserror::Error)]
#[error("{input:?} is not an RFC 3339 timestamp (like 2026-11-24T09:30:00Z): {source}")]
pub struct TimestampError {
    input: String,
    source: chrono::ParseError,
}

impl FromStr for Timestamp {
    type Err = TimestampError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DateTime::parse_from_rfc3339(s)
            .map(|d| Timestamp::from(d.with_timezone(&Utc)))
            .map_err(|source| TimestampError {
                input: s.to_owned(),
                source,
            })
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_print_utc_with_z_and_minimal_fraction() {
        let t: Timestamp = "2026-11-24T10:30:00+01:00".parse().unwrap();
        assert_eq!(t.to_string(), "2026-11-24T09:30:00Z");
        let t: Timestamp = "2026-11-24T09:30:00.250Z".parse().unwrap();
        assert_eq!(t.to_string(), "2026-11-24T09:30:00.250Z");
    }

    #[test]
    fn timestamps_round_trip_through_micros() {
        let t: Timestamp = "1969-07-20T20:17:40.000001Z".parse().unwrap();
        assert_eq!(Timestamp::from_micros(t.as_micros()), Some(t));
    }

    #[test]
    fn sub_microsecond_digits_are_dropped() {
        let t: Timestamp = "2026-01-01T00:00:00.123456789Z".parse().unwrap();
        assert_eq!(t.to_string(), "2026-01-01T00:00:00.123456Z");
    }

    #[test]
    fn bad_timestamp_names_the_input() {
        let err = "yesterday".parse::<Timestamp>().unwrap_err();
        assert!(err.to_string().contains("\"yesterday\""), "{err}");
    }

    #[test]
    fn tags_are_checked() {
        assert!(validate_tag("rust").is_ok());
        assert!(validate_tag("日本語").is_ok());
        for bad in ["", "a;b", " pad", "line\nbreak", &"x".repeat(201)] {
            assert!(validate_tag(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn nul_is_refused() {
        assert_eq!(
            validate("a\0", "", &[]),
            Err(NoteError::Nul { field: "title" })
        );
        assert_eq!(
            validate("a", "b\0", &[]),
            Err(NoteError::Nul { field: "body" })
        );
    }
}
