//! The note: what the store keeps, the formats render and import reads back.
//!
//! A [`Note`] is plain data. Its timestamps are [`Timestamp`]s: instants in UTC with microsecond
//! precision, always written as RFC 3339 with a `Z` suffix, so no format ever drops the time
//! zone and a round trip through any format gives the same instant back.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, SecondsFormat, Timelike, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Every front matter key a note came with that smartnotes does not own, in order, with its
/// value (any YAML value: strings, numbers, booleans, dates as strings, lists, maps).
///
/// The map keeps insertion order (serde_json's `preserve_order`): a note's properties are
/// written back in the order they came in. See [`validate_properties`] for what a key may be.
pub type Properties = serde_json::Map<String, serde_json::Value>;

/// The hash of a note's content: the first 16 bytes of a BLAKE3 hash of every field but the
/// id and the [`Source`] (see [`NewNote::content_hash`]).
pub type ContentHash = [u8; 16];

/// One note of the notebook.
///
/// Field order here is the field order of every format (JSON keys, CSV columns, front matter).
/// `properties` and `source` are left out of JSON when empty, so a note without them is
/// written exactly as before they existed.
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
    /// The front matter keys smartnotes does not own, in order.
    #[serde(default, skip_serializing_if = "Properties::is_empty")]
    pub properties: Properties,
    /// Where the note was imported from, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
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
    /// The front matter keys smartnotes does not own, in order.
    pub properties: Properties,
    /// Where the note was imported from, if it was.
    pub source: Option<Source>,
}

/// Where an imported note came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Its path relative to the import root, `/`-separated (`Guides/Sync/Headless Sync.md`).
    pub path: String,
    /// The exact bytes before the body as they came in (BOM, delimiters, line endings):
    /// `--front-matter keep` writes them back while the note is unchanged since import.
    /// `Some("")` for a file that had no front matter; `None` when not known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub front_matter: Option<String>,
    /// The note's [`content hash`](NewNote::content_hash) when it was imported: the note is
    /// "unchanged since import" while its hash is still this one. [`crate::store::Store`]
    /// sets it on import when it is `None`. Written as 32 hex digits.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "hex_hash")]
    pub imported_hash: Option<ContentHash>,
}

impl Source {
    /// A source at `path` with the front matter it came with, not yet stamped with a hash.
    pub fn new(path: impl Into<String>, front_matter: Option<String>) -> Self {
        Source {
            path: path.into(),
            front_matter,
            imported_hash: None,
        }
    }
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
            properties: Properties::new(),
            source: None,
        }
    }

    /// The hash of every field but the [`Source`]: title, tags, both times, body and
    /// properties (their order included). A note has no id yet, and an id is where a note is
    /// kept, not what it says: [`Note::content_hash`] is this same hash of the note's fields.
    pub fn content_hash(&self) -> ContentHash {
        content_hash(
            &self.title,
            &self.tags,
            self.created,
            self.updated,
            &self.body,
            &self.properties,
        )
    }

    /// The note with `id`: what the store gives back once it has kept it.
    pub fn with_id(self, id: i64) -> Note {
        Note {
            id,
            title: self.title,
            tags: self.tags,
            created: self.created,
            updated: self.updated,
            body: self.body,
            properties: self.properties,
            source: self.source,
        }
    }

    /// True when the note is unchanged since it was imported: it has a source stamped with a
    /// hash, and its content still has that hash.
    pub fn unchanged_since_import(&self) -> bool {
        unchanged(self.source.as_ref(), self.content_hash())
    }
}

impl Note {
    /// The same hash as [`NewNote::content_hash`] of the note's fields (the id left out).
    pub fn content_hash(&self) -> ContentHash {
        content_hash(
            &self.title,
            &self.tags,
            self.created,
            self.updated,
            &self.body,
            &self.properties,
        )
    }

    /// True when the note is unchanged since it was imported (see
    /// [`NewNote::unchanged_since_import`]).
    pub fn unchanged_since_import(&self) -> bool {
        unchanged(self.source.as_ref(), self.content_hash())
    }
}

impl From<Note> for NewNote {
    fn from(note: Note) -> Self {
        NewNote {
            title: note.title,
            body: note.body,
            tags: note.tags,
            created: note.created,
            updated: note.updated,
            properties: note.properties,
            source: note.source,
        }
    }
}

fn unchanged(source: Option<&Source>, hash: ContentHash) -> bool {
    source.and_then(|s| s.imported_hash) == Some(hash)
}

fn content_hash(
    title: &str,
    tags: &[String],
    created: Timestamp,
    updated: Timestamp,
    body: &str,
    properties: &Properties,
) -> ContentHash {
    let mut h = blake3::Hasher::new();
    // Each piece length-prefixed, so no two notes share the bytes hashed.
    let mut text = |s: &str| {
        h.update(&(s.len() as u64).to_le_bytes());
        h.update(s.as_bytes());
    };
    text(title);
    text(body);
    for tag in tags {
        text(tag);
    }
    // serde_json writes a map in its order, and writing JSON values into a String cannot fail.
    let properties = serde_json::to_string(properties).unwrap_or_default();
    text(&properties);
    h.update(&(tags.len() as u64).to_le_bytes());
    h.update(&created.as_micros().to_le_bytes());
    h.update(&updated.as_micros().to_le_bytes());
    let mut out = [0u8; 16];
    out.copy_from_slice(&h.finalize().as_bytes()[..16]);
    out
}

/// `Option<ContentHash>` as 32 lowercase hex digits.
mod hex_hash {
    use serde::{Deserialize, Deserializer, Serializer, de};

    use super::ContentHash;

    pub(super) fn serialize<S: Serializer>(
        hash: &Option<ContentHash>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match hash {
            Some(hash) => serializer.collect_str(&super::hex(hash)),
            None => serializer.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<ContentHash>, D::Error> {
        let Some(text) = Option::<std::borrow::Cow<'de, str>>::deserialize(deserializer)? else {
            return Ok(None);
        };
        super::parse_hex(&text).map(Some).ok_or_else(|| {
            de::Error::custom(format!(
                "imported_hash {} is not 32 hex digits",
                super::quote(&text)
            ))
        })
    }
}

/// A hash as lowercase hex digits.
pub fn hex(bytes: &[u8]) -> String {
    use fmt::Write;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// A [`ContentHash`] from 32 hex digits, or `None`.
pub fn parse_hex(text: &str) -> Option<ContentHash> {
    if text.len() != 32 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut out = [0u8; 16];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
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
    /// A property smartnotes cannot keep (see [`validate_properties`]).
    #[error("invalid property {}: {reason}", quote(key))]
    Property {
        /// The key as given.
        key: String,
        /// Why it is refused.
        reason: &'static str,
    },
    /// A remembered source path smartnotes cannot keep (see [`validate_source`]).
    #[error("invalid source path {}: {reason}", quote(path))]
    SourcePath {
        /// The path as given.
        path: String,
        /// Why it is refused.
        reason: &'static str,
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
/// [`Timestamp::problem`] for both times, [`validate_properties`] and [`validate_source`].
pub fn validate_note(note: &NewNote) -> Result<(), NoteError> {
    validate(&note.title, &note.body, &note.tags)?;
    validate_properties(&note.properties)?;
    if let Some(source) = &note.source {
        validate_source(source)?;
    }
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

/// The front matter keys smartnotes owns: a property cannot be named as one of them (in this
/// exact spelling), or the front matter written back would hold the key twice.
pub const OWNED_KEYS: [&str; 6] = ["id", "title", "tags", "created", "updated", "body_bytes"];

/// How deep lists and maps may nest in a property value: far deeper than any front matter
/// needs, and well inside what every reader of the formats (serde_json's 128) accepts.
pub const MAX_PROPERTY_DEPTH: usize = 32;

/// Checks a note's properties: each key non-empty, without control characters, not one of
/// [`OWNED_KEYS`]; each value nested at most [`MAX_PROPERTY_DEPTH`] deep.
pub fn validate_properties(properties: &Properties) -> Result<(), NoteError> {
    for (key, value) in properties {
        let fail = |reason| {
            Err(NoteError::Property {
                key: key.clone(),
                reason,
            })
        };
        if key.is_empty() {
            return fail("a property's key cannot be empty");
        }
        if key.chars().any(char::is_control) {
            return fail("a property's key cannot hold control characters");
        }
        if OWNED_KEYS.contains(&key.as_str()) {
            return fail("the key is one of smartnotes' own (id, title, tags, created, updated)");
        }
        if depth(value) > MAX_PROPERTY_DEPTH {
            return fail("the value nests lists or maps more than 32 deep");
        }
    }
    Ok(())
}

/// How deep lists and maps nest in `value` (a scalar is 0), without recursing.
fn depth(value: &serde_json::Value) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(value, 0usize)];
    while let Some((value, at)) = stack.pop() {
        deepest = deepest.max(at);
        match value {
            serde_json::Value::Array(items) => stack.extend(items.iter().map(|v| (v, at + 1))),
            serde_json::Value::Object(map) => stack.extend(map.values().map(|v| (v, at + 1))),
            _ => {}
        }
    }
    deepest
}

/// Checks a source: its path is non-empty and holds no NUL. Whether the path is safe to write
/// to is not decided here: the vault layout refuses, per note and with the reason, a path it
/// cannot write inside the export folder (see [`crate::export`](mod@crate::export)).
pub fn validate_source(source: &Source) -> Result<(), NoteError> {
    let fail = |reason| {
        Err(NoteError::SourcePath {
            path: source.path.clone(),
            reason,
        })
    };
    if source.path.is_empty() {
        return fail("a source path cannot be empty");
    }
    if source.path.contains('\0') {
        return fail("a source path cannot hold a NUL character");
    }
    if source
        .front_matter
        .as_ref()
        .is_some_and(|f| f.contains('\0'))
    {
        return fail("its front matter holds a NUL character");
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
        // Written by hand for the instants a note may carry (every export writes six per
        // note), by chrono for the others; the tests below hold the two to the same bytes.
        let mut buf = [0u8; 32];
        match self
            .rfc3339(&mut buf)
            .and_then(|n| std::str::from_utf8(&buf[..n]).ok())
        {
            Some(text) => f.write_str(text),
            None => f.write_str(&self.0.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
        }
    }
}

impl Timestamp {
    /// Appends the text [`Display`](fmt::Display) writes, without the formatting machinery
    /// (which cost more than the digits: the renderers write five per note and format).
    pub(crate) fn push_to(self, out: &mut Vec<u8>) {
        let mut buf = [0u8; 32];
        match self.rfc3339(&mut buf) {
            Some(n) => out.extend_from_slice(&buf[..n]),
            None => out.extend_from_slice(
                self.0
                    .to_rfc3339_opts(SecondsFormat::AutoSi, true)
                    .as_bytes(),
            ),
        }
    }

    /// The text chrono's `to_rfc3339_opts(SecondsFormat::AutoSi, true)` gives, written into
    /// `buf` (its length returned), for years 0 to 9999 and no leap second; `None` otherwise.
    /// AutoSi: no fraction for a whole second, else 3, 6 or 9 digits, the fewest exact.
    fn rfc3339(self, buf: &mut [u8; 32]) -> Option<usize> {
        use chrono::Datelike;
        let (date, nanos) = (self.0.naive_utc(), self.0.nanosecond());
        let year = u32::try_from(date.year()).ok().filter(|y| *y <= 9999)?;
        if nanos >= 1_000_000_000 {
            return None;
        }
        let mut len = 0;
        let mut put = |value: u32, digits: u32, after: Option<u8>| {
            for i in (0..digits).rev() {
                buf[len] = b'0' + (value / 10u32.pow(i) % 10) as u8;
                len += 1;
            }
            if let Some(c) = after {
                buf[len] = c;
                len += 1;
            }
        };
        put(year, 4, Some(b'-'));
        put(date.month(), 2, Some(b'-'));
        put(date.day(), 2, Some(b'T'));
        put(date.hour(), 2, Some(b':'));
        put(date.minute(), 2, Some(b':'));
        let (fraction, digits) = match nanos {
            0 => (0, 0),
            n if n % 1_000_000 == 0 => (n / 1_000_000, 3),
            n if n % 1_000 == 0 => (n / 1_000, 6),
            n => (n, 9),
        };
        if digits == 0 {
            put(date.second(), 2, Some(b'Z'));
        } else {
            put(date.second(), 2, Some(b'.'));
            put(fraction, digits, Some(b'Z'));
        }
        Some(len)
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

    /// chrono's text of the instant `micros` (plus `extra_nanos`), against the hand-written one.
    fn same_text_as_chrono(micros: i64, extra_nanos: u32) {
        let Some(t) = DateTime::from_timestamp_micros(micros) else {
            return;
        };
        let t = t.with_nanosecond(t.nanosecond() + extra_nanos).unwrap_or(t);
        let want = t.to_rfc3339_opts(SecondsFormat::AutoSi, true);
        assert_eq!(Timestamp(t).to_string(), want, "{micros} {extra_nanos}");
        let mut pushed = b"before ".to_vec();
        Timestamp(t).push_to(&mut pushed);
        assert_eq!(
            pushed,
            format!("before {want}").as_bytes(),
            "{micros} {extra_nanos}"
        );
    }

    fn seeded_timestamps(cases: u64, seed: u64) {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let (min, max) = (Timestamp::MIN.as_micros(), Timestamp::MAX.as_micros());
        for _ in 0..cases {
            let micros = match rng.random_range(0..5) {
                0 => rng.random_range(min..=max) / 1_000_000 * 1_000_000,
                1 => rng.random_range(min..=max) / 1_000 * 1_000,
                2 => rng.random_range(min - 10_000_000_000_000..=max + 10_000_000_000_000),
                _ => rng.random_range(min..=max),
            };
            let extra = if rng.random_bool(0.1) {
                rng.random_range(0..1000)
            } else {
                0
            };
            same_text_as_chrono(micros, extra);
        }
    }

    #[test]
    fn timestamps_are_written_as_chrono_writes_them() {
        for micros in [
            Timestamp::MIN.as_micros(),
            Timestamp::MAX.as_micros(),
            0,
            -1,
            1,
            1_000,
            1_000_000,
            Timestamp::MIN.as_micros() - 1,
            Timestamp::MAX.as_micros() + 1,
            i64::MIN,
            i64::MAX,
        ] {
            same_text_as_chrono(micros, 0);
            same_text_as_chrono(micros, 1);
        }
        // A leap second is chrono's to write.
        let leap = DateTime::from_timestamp(1_483_228_799, 1_500_000_000).unwrap();
        assert_eq!(
            Timestamp(leap).to_string(),
            leap.to_rfc3339_opts(SecondsFormat::AutoSi, true)
        );
        seeded_timestamps(20_000, 1);
    }

    #[test]
    #[ignore = "slow: a million cases (runs in CI with --include-ignored)"]
    fn a_million_timestamps_are_written_as_chrono_writes_them() {
        seeded_timestamps(1_000_000, 7);
    }

    #[test]
    fn timestamps_print_utc_with_z_and_minimal_fraction() {
        let t: Timestamp = "2026-11-24T10:30:00+01:00".parse().unwrap();
        assert_eq!(t.to_string(), "2026-11-24T09:30:00Z");
        let t: Timestamp = "2026-11-24T09:30:00.250Z".parse().unwrap();
        assert_eq!(t.to_string(), "2026-11-24T09:30:00.250Z");
    }

    #[test]
    fn a_source_serializes_its_hash_as_32_hex_digits_and_refuses_others() {
        let source = Source {
            path: "Folder/Note.md".into(),
            front_matter: Some("\u{feff}---\r\n---\r\n".into()),
            imported_hash: Some([0xab; 16]),
        };
        let json = serde_json::to_string(&source).unwrap();
        assert_eq!(
            json,
            "{\"path\":\"Folder/Note.md\",\"front_matter\":\"\u{feff}---\\r\\n---\\r\\n\",\
             \"imported_hash\":\"abababababababababababababababab\"}"
        );
        assert_eq!(serde_json::from_str::<Source>(&json).unwrap(), source);
        let bare: Source = serde_json::from_str(r#"{"path":"a.md"}"#).unwrap();
        assert_eq!(bare, Source::new("a.md", None));
        for bad in ["abab", "+bababababababababababababababab", "zz"] {
            let json = format!(r#"{{"path":"a.md","imported_hash":"{bad}"}}"#);
            let err = serde_json::from_str::<Source>(&json)
                .unwrap_err()
                .to_string();
            assert!(err.contains("not 32 hex digits"), "{err}");
        }
    }

    #[test]
    fn the_content_hash_covers_every_field_but_id_and_source() {
        let base = NewNote::now("t", "b", vec!["x".into()]);
        let h = base.content_hash();
        let changed = |f: &dyn Fn(&mut NewNote)| {
            let mut n = base.clone();
            f(&mut n);
            n.content_hash()
        };
        assert_ne!(changed(&|n| n.title.push('!')), h);
        assert_ne!(changed(&|n| n.body.push('!')), h);
        assert_ne!(changed(&|n| n.tags.push("y".into())), h);
        assert_ne!(changed(&|n| n.created = Timestamp::MIN), h);
        assert_ne!(changed(&|n| n.updated = Timestamp::MIN), h);
        assert_ne!(
            changed(&|n| {
                n.properties.insert("k".into(), 1.into());
            }),
            h
        );
        assert_eq!(changed(&|n| n.source = Some(Source::new("a.md", None))), h);
        assert_eq!(base.clone().with_id(5).content_hash(), h);
        // Title "ab" + body "" is not title "a" + body "b".
        let a = NewNote {
            title: "ab".into(),
            body: "".into(),
            ..base.clone()
        };
        let b = NewNote {
            title: "a".into(),
            body: "b".into(),
            ..base
        };
        assert_ne!(a.content_hash(), b.content_hash());
    }

    #[test]
    fn a_note_without_properties_or_source_serializes_as_before() {
        let note = NewNote::now("t", "b", vec![]).with_id(1);
        let json = serde_json::to_string(&note).unwrap();
        assert!(
            !json.contains("properties") && !json.contains("source"),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<Note>(&json).unwrap(), note);
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
