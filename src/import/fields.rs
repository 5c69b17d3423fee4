//! The range checks of a note's fields, done while a reader parses them, so that an error
//! comes with the parser's position (the line of the offending field) and its name.
//!
//! The readers of [`super`] deserialize ids, titles, tags and timestamps through the types and
//! functions here instead of plain `i64`/`String`/[`Timestamp`]: each refuses a value the
//! notebook could not give back (an id over 2^53 - 1, a year after 9999, a leap second, a tag
//! CSV cannot carry) with a message that names the allowed range. [`crate::store`] checks the
//! same rules again before it writes; this module only makes the refusal precise.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

use crate::model::{MAX_ID, TimeProblem, Timestamp, quote, validate, validate_tag};

/// At most this many bytes of a timestamp are read; smartnotes never writes a longer one.
const TIMESTAMP_LIMIT: usize = 100;

/// At most the first 100 bytes of `value`, cut between characters (serde quotes it).
fn clip(value: &str) -> &str {
    let mut end = value.len().min(TIMESTAMP_LIMIT);
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    &value[..end]
}

/// Checks an id against the notebook's range.
pub(super) fn check_id(id: i128) -> Result<i64, String> {
    match i64::try_from(id) {
        Ok(id) if (1..=MAX_ID).contains(&id) => Ok(id),
        _ => Err(format!(
            "{id} is out of range: ids are 1 to {MAX_ID} (2^53 - 1)"
        )),
    }
}

/// Parses an id written as text (CSV).
pub(super) fn parse_id(text: &str) -> Result<i64, String> {
    match text.parse::<i128>() {
        Ok(id) => check_id(id),
        Err(_) => Err(format!(
            "{} is not an id: an id is a whole number from 1 to {MAX_ID}",
            quote(text)
        )),
    }
}

/// Parses a timestamp and checks it against the notebook's range: years 0001 to 9999 in UTC,
/// no leap second.
pub(super) fn parse_timestamp(text: &str) -> Result<Timestamp, String> {
    if text.len() > TIMESTAMP_LIMIT {
        // smartnotes never writes one this long; do not echo the whole value.
        return Err(format!(
            "{} is not a timestamp smartnotes reads: over {TIMESTAMP_LIMIT} bytes",
            quote(text)
        ));
    }
    let parsed = text.parse::<Timestamp>().map_err(|e| e.to_string())?;
    // The parser refuses a leap second by name; the range is the notebook's.
    if let Some(TimeProblem::OutOfRange) = parsed.problem() {
        return Err(format!("{} {}", quote(text), TimeProblem::OutOfRange));
    }
    Ok(parsed)
}

/// An id, deserialized from any integer (or a float with no fraction) and checked.
pub(super) fn id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    struct Id;
    impl Visitor<'_> for Id {
        type Value = i64;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "an id: a whole number from 1 to {MAX_ID}")
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
            check_id(v.into()).map_err(E::custom)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
            check_id(v.into()).map_err(E::custom)
        }
        fn visit_i128<E: de::Error>(self, v: i128) -> Result<i64, E> {
            check_id(v).map_err(E::custom)
        }
        fn visit_u128<E: de::Error>(self, v: u128) -> Result<i64, E> {
            check_id(i128::try_from(v).unwrap_or(i128::MAX)).map_err(E::custom)
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<i64, E> {
            // serde_json reads an integer beyond 64 bits as a float: say it is out of range.
            // Any other float is no id.
            if v.fract() == 0.0 && v.abs() >= 9.2e18 {
                Err(E::custom(format!(
                    "{v:.0} is out of range: ids are 1 to {MAX_ID} (2^53 - 1)"
                )))
            } else {
                Err(E::invalid_type(de::Unexpected::Float(v), &self))
            }
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<i64, E> {
            // serde_yaml_ng gives an integer too large for 64 bits as text; a quoted number
            // that fits is still a string, not an id.
            match v.parse::<i128>() {
                Ok(id) if check_id(id).is_err() => check_id(id).map_err(E::custom),
                _ => Err(E::invalid_type(de::Unexpected::Str(clip(v)), &self)),
            }
        }
    }
    deserializer.deserialize_any(Id)
}

/// Runs `check` on a string value from inside the deserializer's own call, so that an error
/// carries the position of the value itself (serde_json places an error raised later at the
/// end of the object).
fn checked_str<'de, D, T>(
    deserializer: D,
    expecting: &'static str,
    check: fn(&str) -> Result<T, String>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    struct Checked<T> {
        expecting: &'static str,
        check: fn(&str) -> Result<T, String>,
    }
    impl<T> Visitor<'_> for Checked<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.expecting)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            (self.check)(v).map_err(E::custom)
        }
    }
    deserializer.deserialize_str(Checked { expecting, check })
}

/// A timestamp, deserialized from a string and checked with [`parse_timestamp`].
pub(super) fn timestamp<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Timestamp, D::Error> {
    checked_str(deserializer, "an RFC 3339 timestamp", parse_timestamp)
}

/// A title or body: any text without a NUL.
#[derive(Debug, Default)]
pub(super) struct Text(pub String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        checked_str(deserializer, "a string", |text| {
            validate(text, "", &[]).map_err(|e| e.to_string())?;
            Ok(Text(text.to_owned()))
        })
    }
}

/// One tag, checked by [`validate_tag`] as it is read, so an error names its place
/// (`tags[2]`).
#[derive(Debug)]
pub(super) struct Tag(pub String);

impl<'de> Deserialize<'de> for Tag {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        checked_str(deserializer, "a tag (a string)", |tag| {
            validate_tag(tag).map_err(|e| shorten(e.to_string()))?;
            Ok(Tag(tag.to_owned()))
        })
    }
}

/// The tags as plain strings.
pub(super) fn tags(tags: Vec<Tag>) -> Vec<String> {
    tags.into_iter().map(|t| t.0).collect()
}

/// A message cut to a few hundred bytes: a 1 MB tag is not echoed whole.
pub(super) fn shorten(message: String) -> String {
    const LIMIT: usize = 300;
    if message.len() <= LIMIT {
        return message;
    }
    let mut end = LIMIT;
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}... ({} bytes)", &message[..end], message.len())
}

/// A serde error from [`serde_path_to_error`] as `field: what is wrong`, without the location
/// the message may carry (ours goes first) or a second copy of the field name.
pub(super) fn describe<E: fmt::Display>(path: &serde_path_to_error::Path, inner: &E) -> String {
    let message = inner.to_string();
    let message = super::strip_location(&message);
    let message = message.as_str();
    let field = path.to_string();
    let message = message
        .strip_prefix(&format!("{field}: "))
        .unwrap_or(message);
    // `missing field `x`` and `unknown field `x`` name it already; the root (`.`) and a place
    // the parser could not name (`?`, a syntax error) are no field.
    if field == "." || field.contains('?') || message.contains(&format!("`{field}`")) {
        shorten(message.to_owned())
    } else {
        shorten(format!("{field}: {message}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_checked_against_2_to_the_53() {
        assert_eq!(parse_id("1"), Ok(1));
        assert_eq!(parse_id("9007199254740991"), Ok(MAX_ID));
        for bad in [
            "0",
            "-3",
            "9007199254740992",
            "9223372036854775807",
            "1e3",
            "x",
        ] {
            let e = parse_id(bad).unwrap_err();
            assert!(e.contains("1 to 9007199254740991"), "{bad}: {e}");
        }
    }

    #[test]
    fn timestamps_are_checked_for_years_and_leap_seconds() {
        assert!(parse_timestamp("0001-01-01T00:00:00Z").is_ok());
        assert!(parse_timestamp("9999-12-31T23:59:59.999999Z").is_ok());
        let e = parse_timestamp("9999-12-31T23:59:59.999999-23:59").unwrap_err();
        assert!(
            e.contains("out of range") && e.contains("9999-12-31T23:59:59.999999Z"),
            "{e}"
        );
        let e = parse_timestamp("0001-01-01T00:00:00+01:00").unwrap_err();
        assert!(e.contains("out of range"), "{e}");
        let e = parse_timestamp("2016-12-31T23:59:60Z").unwrap_err();
        assert!(e.contains("leap second"), "{e}");
        let e = parse_timestamp(&"9".repeat(10_000)).unwrap_err();
        assert!(e.len() < 300, "{e}");
    }
}
