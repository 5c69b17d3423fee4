//! JSON values as TOML values, for the TOML front matters (`zola`, and `keep` regenerating a
//! `+++` one). TOML has no null: a null (a property, or an item of a list) is left out. An
//! integer beyond TOML's 64-bit signed range is written as a string.

use serde_json::Value;
use toml::value::{Datetime, Value as Toml};

use crate::model::Timestamp;

/// The TOML form of `value`, `None` for a null.
pub(super) fn value(value: &Value) -> Option<Toml> {
    Some(match value {
        Value::Null => return None,
        Value::Bool(b) => Toml::Boolean(*b),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Toml::Integer(i),
            (None, _) if n.is_u64() => Toml::String(n.to_string()),
            (None, Some(f)) => Toml::Float(f),
            (None, None) => Toml::String(n.to_string()),
        },
        Value::String(s) => Toml::String(s.clone()),
        Value::Array(items) => Toml::Array(items.iter().filter_map(self::value).collect()),
        Value::Object(map) => Toml::Table(table(map.iter().map(|(k, v)| (k.as_str(), v)))),
    })
}

/// A table of `entries`, nulls left out.
pub(super) fn table<'a>(entries: impl IntoIterator<Item = (&'a str, &'a Value)>) -> toml::Table {
    entries
        .into_iter()
        .filter_map(|(k, v)| Some((k.to_owned(), value(v)?)))
        .collect()
}

/// A timestamp as a TOML offset date-time (`2026-12-01T11:31:05Z`).
pub(super) fn date_time(t: Timestamp) -> Toml {
    match t.to_string().parse::<Datetime>() {
        Ok(d) => Toml::Datetime(d),
        // RFC 3339 is TOML's own date-time syntax; should the crate disagree, a string.
        Err(_) => Toml::String(t.to_string()),
    }
}

/// `table` as a `+++` front matter.
pub(super) fn document(table: &toml::Table, out: &mut Vec<u8>) {
    out.extend_from_slice(b"+++\n");
    // A table of TOML values always serializes.
    let text = toml::to_string(table).unwrap_or_default();
    out.extend_from_slice(text.as_bytes());
    if !text.is_empty() && !text.ends_with('\n') {
        out.push(b'\n');
    }
    out.extend_from_slice(b"+++\n");
}
