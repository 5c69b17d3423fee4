//! The note: what the store keeps, the formats render and import reads back.
//!
//! A [`Note`] is plain data. Its timestamps are [`Timestamp`]s: instants in UTC with microsecond
//! precision, always written as RFC 3339 with a `Z` suffix, so no format ever drops the time
//! zone and a round trip through any format gives the same instant back.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, SecondsFormat, Timelike, Utc};
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

/// The largest id a note can have: 2^53 - 1, the largest integer every JSON reader keeps exactly
/// (JavaScript's `Number.MAX_SAFE_INTEGER`). Ids are 1 to `MAX_ID`.
pub const MAX_ID: i64 = (1 << 53) - 1;

/// What is wrong with a note's fields. Each message names the field, what is allowed, and
/// quotes at most about a hundred bytes of the bad value (see [`quote`]).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum NoteError {
    /// A tag that formats could not carry unambiguously.
    #[error("invalid tag {}: {reason}", quote(tag))]
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
    /// An id that is not between 1 and [`MAX_ID`].
    #[error(
        "id {id} is out of range: ids are 1 to {MAX_ID} (2^53 - 1, the largest integer every JSON reader keeps exactly)"
    )]
    Id {
        /// The id as given.
        id: i64,
    },
    /// A time outside the years 0001 to 9999 UTC, or a leap second.
    #[error("the {field} time {value} {reason}")]
    Time {
        /// `created` or `updated`.
        field: &'static str,
        /// The time as given, in UTC.
        value: Timestamp,
        /// What is wrong and what is allowed.
        reason: TimeProblem,
    },
}

/// Why a [`Timestamp`] cannot be kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TimeProblem {
    /// Before 0001-01-01 or after 9999-12-31 in UTC: RFC 3339 cannot write it back.
    #[error(
        "is out of range: times are from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z \
         (UTC, after converting the offset)"
    )]
    OutOfRange,
    /// A leap second (`23:59:60`): the store counts seconds without them.
    #[error("is a leap second (:60), which smartnotes cannot keep: write :59 or the next second")]
    LeapSecond,
}

/// Checks an id: 1 to [`MAX_ID`].
pub fn validate_id(id: i64) -> Result<(), NoteError> {
    if (1..=MAX_ID).contains(&id) {
        Ok(())
    } else {
        Err(NoteError::Id { id })
    }
}

/// Checks every field of a note before it is stored: [`validate`] for the text and tags,
/// [`Timestamp::problem`] for both times.
pub fn validate_note(note: &NewNote) -> Result<(), NoteError> {
    validate(&note.title, &note.body, &note.tags)?;
    for (field, value) in [("created", note.created), ("updated", note.updated)] {
        if let Some(reason) = value.problem() {
            return Err(NoteError::Time {
                field,
                value,
                reason,
            });
        }
    }
    Ok(())
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
    /// The first instant a note may carry: 0001-01-01T00:00:00Z.
    pub const MIN: Timestamp = Timestamp::constant(-62_135_596_800_000_000);
    /// The last instant a note may carry: 9999-12-31T23:59:59.999999Z.
    pub const MAX: Timestamp = Timestamp::constant(253_402_300_799_999_999);

    const fn constant(micros: i64) -> Timestamp {
        match DateTime::from_timestamp_micros(micros) {
            Some(t) => Timestamp(t),
            None => panic!("a timestamp constant out of chrono's range"),
        }
    }

    /// The current time, truncated to microseconds.
    pub fn now() -> Self {
        Self::from_micros(Utc::now().timestamp_micros()).unwrap_or(Timestamp(DateTime::UNIX_EPOCH))
    }

    /// The instant `micros` microseconds after the Unix epoch, if chrono can represent it
    /// (a wider range than a note may carry: see [`Timestamp::problem`]).
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

    /// Why a note cannot carry this instant, if it cannot: outside [`Timestamp::MIN`] to
    /// [`Timestamp::MAX`] (no RFC 3339 reader reads a five-digit year back), or a leap second.
    pub fn problem(self) -> Option<TimeProblem> {
        if self.is_leap_second() {
            Some(TimeProblem::LeapSecond)
        } else if self < Timestamp::MIN || self > Timestamp::MAX {
            Some(TimeProblem::OutOfRange)
        } else {
            None
        }
    }

    // chrono keeps a leap second as the 59th second with a nanosecond count of a second or more.
    fn is_leap_second(self) -> bool {
        self.0.nanosecond() >= 1_000_000_000
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(value: DateTime<Utc>) -> Self {
        let value = Timestamp(value);
        if value.is_leap_second() {
            // Kept as it is, so that `validate_note` can refuse it by name instead of the
            // microsecond count quietly making it the next second.
            return value;
        }
        // Sub-microsecond digits cannot be stored; drop them here so that what is shown is
        // what is kept.
        Self::from_micros(value.as_micros()).unwrap_or(value)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.to_rfc3339_opts(SecondsFormat::AutoSi, true))
    }
}

/// A timestamp that cannot be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TimestampError {
    /// Not RFC 3339.
    #[error(
        "{} is not an RFC 3339 timestamp (like 2026-11-24T09:30:00Z): {source}",
        quote(input)
    )]
    Syntax {
        /// The text as given.
        input: String,
        /// What chrono found wrong.
        source: chrono::ParseError,
    },
    /// `23:59:60`: a leap second.
    #[error("{} {}", quote(input), TimeProblem::LeapSecond)]
    LeapSecond {
        /// The text as given.
        input: String,
    },
}

impl FromStr for Timestamp {
    type Err = TimestampError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parsed = DateTime::parse_from_rfc3339(s)
            .map(|d| Timestamp::from(d.with_timezone(&Utc)))
            .map_err(|source| TimestampError::Syntax {
                input: s.to_owned(),
                source,
            })?;
        if parsed.is_leap_second() {
            return Err(TimestampError::LeapSecond {
                input: s.to_owned(),
            });
        }
        Ok(parsed)
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

/// How many bytes of a value [`quote`] shows at most (escapes included).
const QUOTE_BYTES: usize = 100;

/// `text` quoted for an error message: in double quotes, control characters escaped (`\n`,
/// `\x1b`, `\u{202e}`), and cut on a character boundary after about 100 bytes with `…` and
/// the whole length, so that a 1 MB value costs one line of a message, not a screenful.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(QUOTE_BYTES + 24);
    out.push('"');
    for (at, c) in text.char_indices() {
        let piece = match c {
            '"' => "\\\"".into(),
            '\\' => "\\\\".into(),
            c => escape_char(c).unwrap_or_else(|| c.to_string()),
        };
        if out.len() + piece.len() > QUOTE_BYTES && at + c.len_utf8() < text.len() {
            out.push_str(&format!("…\" ({} bytes)", text.len()));
            return out;
        }
        out.push_str(&piece);
    }
    out.push('"');
    out
}

/// `text` safe to print to a terminal: control characters (C0, DEL, C1: what starts an escape
/// sequence or moves the cursor) and the bidirectional overrides that reorder what is shown are
/// written as `\n`, `\x1b`, `\u{202e}`; everything else, backslashes included, as it is. Not
/// quoted, not shortened: see [`quote`] for messages.
pub fn escape_for_terminal(text: &str) -> std::borrow::Cow<'_, str> {
    escape_for_terminal_keeping(text, &[])
}

/// Like [`escape_for_terminal`], but the characters of `keep` (say `\n` and `\t`, the layout
/// of a document) are printed as they are.
pub fn escape_for_terminal_keeping<'a>(text: &'a str, keep: &[char]) -> std::borrow::Cow<'a, str> {
    let escaped = |c: char| escape_char(c).filter(|_| !keep.contains(&c));
    if !text.chars().any(|c| escaped(c).is_some()) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match escaped(c) {
            Some(escaped) => out.push_str(&escaped),
            None => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The escaped form of a character a terminal would act on instead of showing, if `c` is one.
fn escape_char(c: char) -> Option<String> {
    match c {
        '\n' => Some("\\n".into()),
        '\r' => Some("\\r".into()),
        '\t' => Some("\\t".into()),
        c if c.is_control() && (c as u32) < 0x100 => Some(format!("\\x{:02x}", c as u32)),
        // Bidirectional marks, embeddings, overrides and isolates ("Trojan Source").
        '\u{061c}'
        | '\u{200e}'
        | '\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}' => Some(format!("\\u{{{:x}}}", c as u32)),
        _ => None,
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

    #[test]
    fn a_leap_second_is_refused_with_a_message_that_says_so() {
        let err = "2016-12-31T23:59:60Z".parse::<Timestamp>().unwrap_err();
        assert!(matches!(err, TimestampError::LeapSecond { .. }), "{err:?}");
        assert!(err.to_string().contains("leap second"), "{err}");
        // Not the next day, as the microsecond count made it.
        let next: Timestamp = "2017-01-01T00:00:00Z".parse().unwrap();
        assert!(
            err.to_string().contains("2016-12-31T23:59:60Z"),
            "{err} vs {next}"
        );
    }

    #[test]
    fn times_a_note_may_carry_are_years_0001_to_9999_in_utc() {
        let ok = |s: &str| s.parse::<Timestamp>().unwrap().problem();
        assert_eq!(ok("0001-01-01T00:00:00Z"), None);
        assert_eq!(ok("9999-12-31T23:59:59.999999Z"), None);
        assert_eq!(
            ok("9999-12-31T23:59:59.999999-23:59"),
            Some(TimeProblem::OutOfRange)
        );
        assert_eq!(
            ok("0001-01-01T00:00:00+00:01"),
            Some(TimeProblem::OutOfRange)
        );
        assert_eq!(Timestamp::MIN.to_string(), "0001-01-01T00:00:00Z");
        assert_eq!(Timestamp::MAX.to_string(), "9999-12-31T23:59:59.999999Z");
    }

    #[test]
    fn ids_are_1_to_2_pow_53_minus_1() {
        assert_eq!(MAX_ID, 9_007_199_254_740_991);
        assert!(validate_id(1).is_ok() && validate_id(MAX_ID).is_ok());
        for bad in [0, -1, MAX_ID + 1, i64::MAX, i64::MIN] {
            assert_eq!(validate_id(bad), Err(NoteError::Id { id: bad }));
        }
    }

    #[test]
    fn quote_shortens_on_a_char_boundary_and_escapes_control_characters() {
        assert_eq!(quote("plain"), "\"plain\"");
        assert_eq!(quote("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(
            quote("bell\x07\x1b]0;pwned\n"),
            r#""bell\x07\x1b]0;pwned\n""#
        );
        let long = "é".repeat(500_000);
        let q = quote(&long);
        assert!(q.len() <= 130, "{} bytes: {q}", q.len());
        assert!(q.ends_with("…\" (1000000 bytes)"), "{q}");
        assert!(q.starts_with("\"éé"), "{q}");
        let escapes = "\x1b".repeat(1000);
        assert!(quote(&escapes).len() <= 130);
        // Short enough: shown whole, no length.
        let exact = "x".repeat(QUOTE_BYTES - 2);
        assert_eq!(quote(&exact), format!("\"{exact}\""));
    }

    #[test]
    fn a_huge_tag_is_quoted_short_in_its_error() {
        let tag = format!("{};", "t".repeat(1 << 20));
        let message = validate_tag(&tag).unwrap_err().to_string();
        assert!(message.len() < 300, "{} bytes", message.len());
        assert!(message.contains("(1048577 bytes)"), "{message}");
    }

    #[test]
    fn escape_for_terminal_shows_control_and_bidi_characters_as_text() {
        assert!(matches!(
            escape_for_terminal("café ok"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert_eq!(
            escape_for_terminal("\x1b]0;pwned\x07 title\r\n\u{9b}\u{202e}txt"),
            r"\x1b]0;pwned\x07 title\r\n\x9b\u{202e}txt"
        );
        assert_eq!(escape_for_terminal(r"C:\path"), r"C:\path");
    }
}
