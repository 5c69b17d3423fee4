//! YAML for front matter that every YAML reader reads back the same: 1.2 readers (serde_yaml,
//! Hugo's goldmark-meta, Obsidian) and 1.1 readers (PyYAML, Jekyll's Psych) alike.
//!
//! A YAML serializer writes for YAML 1.2, where `yes`, `on`, `2017-01-01` and `1_000` are
//! strings; a 1.1 reader takes them for a boolean, a date and a number. So the values of
//! properties (any JSON value) are written here, in block style, with one rule for strings:
//! plain only when the text is a word no reader of either version can take for anything but
//! a string, double-quoted with escapes otherwise. A double-quoted string holds any text,
//! line breaks and control characters included, on one line. Floats always carry a `.` and a
//! signed exponent (`1.0e+100`), which YAML 1.1 needs to see a float. Checked against
//! serde_yaml_ng by a property test here and against PyYAML in `tests/readers.rs`.

use std::fmt::Write as _;

use serde_json::Value;

/// Appends `key: value` lines for every entry, at the top level of a mapping.
pub(crate) fn entries<'a>(
    out: &mut String,
    entries: impl IntoIterator<Item = (&'a str, &'a Value)>,
) {
    for (key, value) in entries {
        entry(out, key, value, 0);
    }
}

/// Appends `key: text` with `text` as it is: for values a profile knows to be safe plain, such
/// as a date-time its reader wants unquoted (`created: 2026-01-02T03:04:05`).
pub(crate) fn raw(out: &mut String, key: &str, text: &str) {
    scalar(out, key);
    out.push_str(": ");
    out.push_str(text);
    out.push('\n');
}

/// Appends one `key: value` at the top level of a mapping.
pub(crate) fn top(out: &mut String, key: &str, value: &Value) {
    entry(out, key, value, 0);
}

/// One `key: value` of a mapping whose keys are indented by `indent` spaces.
fn entry(out: &mut String, key: &str, value: &Value, indent: usize) {
    scalar(out, key);
    out.push(':');
    match value {
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            sequence(out, items, indent + 2, false);
        }
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            mapping(out, map, indent + 2, false);
        }
        other => {
            out.push(' ');
            leaf(out, other);
            out.push('\n');
        }
    }
}

fn mapping(out: &mut String, map: &serde_json::Map<String, Value>, indent: usize, inline: bool) {
    for (i, (key, value)) in map.iter().enumerate() {
        if i > 0 || !inline {
            pad(out, indent);
        }
        entry(out, key, value, indent);
    }
}

/// `- item` lines at `indent`; with `inline` the first one follows a `- ` already written.
fn sequence(out: &mut String, items: &[Value], indent: usize, inline: bool) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 || !inline {
            pad(out, indent);
        }
        out.push_str("- ");
        match item {
            Value::Array(items) if !items.is_empty() => sequence(out, items, indent + 2, true),
            Value::Object(map) if !map.is_empty() => mapping(out, map, indent + 2, true),
            other => {
                leaf(out, other);
                out.push('\n');
            }
        }
    }
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

/// A scalar or an empty collection.
fn leaf(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => number(out, n),
        Value::String(s) => scalar(out, s),
        Value::Array(_) => out.push_str("[]"),
        Value::Object(_) => out.push_str("{}"),
    }
}

fn number(out: &mut String, n: &serde_json::Number) {
    let text = n.to_string();
    if n.is_f64() {
        // `1e100` is a float in YAML 1.2 but a string in 1.1, which wants `1.0e+100`.
        let (mantissa, exponent) = match text.split_once(['e', 'E']) {
            Some((m, e)) => (m, Some(e)),
            None => (text.as_str(), None),
        };
        out.push_str(mantissa);
        if !mantissa.contains('.') {
            out.push_str(".0");
        }
        if let Some(e) = exponent {
            out.push('e');
            if !e.starts_with(['-', '+']) {
                out.push('+');
            }
            out.push_str(e);
        }
    } else {
        out.push_str(&text);
    }
}

/// A string as a scalar: plain when [`plain_is_safe`], else double-quoted.
pub(crate) fn scalar(out: &mut String, text: &str) {
    if plain_is_safe(text) {
        out.push_str(text);
    } else {
        double_quoted(out, text);
    }
}

/// Whether `text` written plain reads back as this very string in YAML 1.1 and 1.2: it starts
/// with a letter, `_` or a character beyond ASCII that is not a space, holds only letters,
/// digits, spaces and `_-./()'` after it, does not end with a space, and is not
/// a word either version gives another meaning (`yes`, `Off`, `null`, `y`, ...).
pub(crate) fn plain_is_safe(text: &str) -> bool {
    let mut chars = text.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let word_char =
        |c: char| c.is_alphanumeric() || (!c.is_ascii() && printable(c) && !c.is_whitespace());
    if !(first.is_alphabetic() || first == '_' || (!first.is_ascii() && word_char(first))) {
        return false;
    }
    let body_ok =
        chars.all(|c| word_char(c) || matches!(c, ' ' | '_' | '-' | '.' | '/' | '(' | ')' | '\''));
    body_ok && !text.ends_with(' ') && !special_word(text)
}

/// Words YAML 1.1 or 1.2 resolves to a boolean, a null or a number.
fn special_word(text: &str) -> bool {
    const WORDS: &[&str] = &[
        "y", "yes", "n", "no", "true", "false", "on", "off", "null", "nan", "inf",
    ];
    let lower = text.to_ascii_lowercase();
    WORDS.contains(&lower.as_str())
}

/// A character YAML allows unescaped inside a double-quoted scalar, on one line.
pub(crate) fn printable(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{7e}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
        && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}')
}

/// `text` in double quotes, every character that is not printable on one line escaped.
pub(crate) fn double_quoted(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if printable(c) => out.push(c),
            c if (c as u32) < 0x100 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
        }
    }
    out.push('"');
}

/// Whether YAML 1.1 resolves this plain scalar to something other than a string.
pub(crate) fn yaml_1_1_non_string(s: &str) -> bool {
    // A match on the words compiles to a switch on the length, then a few comparisons: a
    // list's `contains` made 28 calls to memcmp for every short tag.
    if matches!(
        s,
        "y" | "Y"
            | "yes"
            | "Yes"
            | "YES"
            | "n"
            | "N"
            | "no"
            | "No"
            | "NO"
            | "true"
            | "True"
            | "TRUE"
            | "false"
            | "False"
            | "FALSE"
            | "on"
            | "On"
            | "ON"
            | "off"
            | "Off"
            | "OFF"
            | "~"
            | "null"
            | "Null"
            | "NULL"
            | "<<"
            | "="
    ) {
        return true;
    }
    // Numbers with `_` separators, sexagesimal `1:30`, and base prefixes are YAML 1.1 numbers.
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    !digits.is_empty()
        && digits.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && digits
            .chars()
            .all(|c| c.is_ascii_hexdigit() || matches!(c, '_' | ':' | '.' | 'x' | 'o' | 'b'))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    fn yaml(value: &Value) -> String {
        let mut out = String::new();
        let Value::Object(map) = value else { panic!() };
        entries(&mut out, map.iter().map(|(k, v)| (k.as_str(), v)));
        out
    }

    fn back(text: &str) -> Value {
        let parsed: Value = serde_yaml_ng::from_str(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        parsed
    }

    #[test]
    fn yaml_1_1_scalars() {
        for s in ["yes", "Off", "~", "1:30", "1_000", "0x1F", "-1.5", "<<"] {
            assert!(yaml_1_1_non_string(s), "{s}");
        }
        for s in ["yesterday", "one", "a:b", "", "key: value", "1 2"] {
            assert!(!yaml_1_1_non_string(s), "{s}");
        }
    }

    #[test]
    fn block_style_reads_back_with_its_order() {
        let value = json!({
            "aliases": ["Headless", "Sync"], "draft": false, "weight": 3, "ratio": 1e100,
            "empty": [], "none": {}, "nothing": null, "date": "2017-01-01",
            "nested": {"z": [1, [2, 3], {"k": "v", "l": []}], "a": "yes"},
            "two lines": "a\r\nb", "yes": "on", "": "empty key"
        });
        let text = yaml(&value);
        assert_eq!(
            text,
            "aliases:\n  - Headless\n  - Sync\ndraft: false\nweight: 3\nratio: 1.0e+100\n\
             empty: []\nnone: {}\nnothing: null\ndate: \"2017-01-01\"\nnested:\n  z:\n    - 1\n\
             \x20   - - 2\n      - 3\n    - k: v\n      l: []\n  a: \"yes\"\n\
             two lines: \"a\\r\\nb\"\n\"yes\": \"on\"\n\"\": empty key\n"
        );
        let parsed = back(&text);
        assert_eq!(
            serde_json::to_string(&parsed).unwrap(),
            serde_json::to_string(&value).unwrap()
        );
    }

    #[test]
    fn words_a_yaml_reader_would_change_are_quoted() {
        for word in [
            "yes",
            "No",
            "ON",
            "off",
            "y",
            "null",
            "~",
            "1_000",
            "1:30",
            "0x1F",
            ".5",
            "-1",
            "2017-01-01",
            "#tag",
            "- item",
            "key: value",
            "[a]",
            "*ref",
            "&anchor",
            "!tag",
            "@me",
            "`x`",
            "%x",
            "a #b",
            "ends:",
            " lead",
            "trail ",
            "NaN",
            ".inf",
            "=",
            "<<",
            "|",
            ">",
        ] {
            assert!(!plain_is_safe(word), "{word}");
        }
        for word in [
            "Headless Sync",
            "rust",
            "日本語",
            "café au lait",
            "v1.2",
            "it's",
            "a-b_c",
            "_1984",
            "a/b",
        ] {
            assert!(plain_is_safe(word), "{word}");
        }
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            any::<String>().prop_map(Value::String),
            "[a-zA-Z0-9 :#.\\-_'\"]{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 5, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec((any::<String>(), inner), 0..4)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn any_json_value_reads_back_equal_from_serde_yaml(
            map in prop::collection::vec(("[a-z]{1,6}|.{1,8}", json_value()), 0..6)
        ) {
            let value = Value::Object(map.into_iter().collect());
            let text = yaml(&value);
            let parsed: Value = if text.is_empty() { json!({}) } else { back(&text) };
            prop_assert_eq!(
                serde_json::to_string(&parsed).unwrap(),
                serde_json::to_string(&value).unwrap(),
                "{}", text
            );
        }
    }
}
