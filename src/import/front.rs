//! The front matter of a Markdown file from any tool: where it is and its keys, in every form
//! the tools write it.
//!
//! - YAML between a `---` line and a `---` or `...` line (Obsidian, Jekyll, Hugo, zk, Joplin,
//!   jrnl's YAML export), read by serde_yaml_ng after the checks of [`super::front_matter`]
//!   (size, and flow nesting, which costs libyaml time per token);
//! - TOML between `+++` lines (Hugo, Zola), read by the `toml` crate (which refuses deep
//!   nesting by itself, in linear time);
//! - a JSON object at the very top (Hugo), read by serde_json (which refuses nesting past
//!   128 levels), up to the end of the object's last line.
//!
//! The delimiter lines may end in CR LF and trailing blanks. A file that opens one of them and
//! whose front matter no reader accepts is not refused: [`read`] says where and why, and the
//! caller takes the whole text as body.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::front_matter::{MAX_BYTES, MAX_DEPTH};
use super::lines::Lines;
use super::nesting::flow_depth_over;
use super::props::{Props, from_toml};

/// Which reader a front matter is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// `---` ... `---` or `...`.
    Yaml,
    /// `+++` ... `+++`.
    Toml,
    /// `{` ... `}`.
    Json,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Yaml => "YAML",
            Kind::Toml => "TOML",
            Kind::Json => "JSON",
        }
    }
}

/// A front matter found and read.
#[derive(Debug)]
pub(super) struct Front<'a> {
    pub kind: Kind,
    /// The text given to the reader (between the delimiter lines, or the JSON object).
    pub inner: &'a str,
    /// The line of the file the inner text starts on.
    pub inner_line: usize,
    /// Where the body starts: after the closing line.
    pub body_start: usize,
    /// Its keys, in order.
    pub keys: Map<String, Value>,
}

/// A front matter that opens but that no reader accepts: the line of the problem and what it
/// is.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Refused {
    pub line: usize,
    pub message: String,
}

/// The front matter at the start of `text` (which has no byte-order mark): `Ok(None)` when the
/// text opens none.
pub(super) fn read<'a>(text: &'a str, lines: &mut Lines<'_>) -> Result<Option<Front<'a>>, Refused> {
    let first = text.split_inclusive('\n').next().unwrap_or("");
    let opening = first.trim_end_matches(['\n', '\r', ' ', '\t']);
    let kind = match opening {
        "---" => Kind::Yaml,
        "+++" => Kind::Toml,
        _ if opens_json(text) => Kind::Json,
        _ => return Ok(None),
    };
    if kind == Kind::Json {
        return json(text, lines);
    }
    let (inner, body_start) = delimited(text, first.len(), kind, lines)?;
    let keys = match kind {
        Kind::Yaml => yaml(inner, lines),
        _ => toml(inner, lines),
    }
    .map_err(|(at, message)| Refused {
        line: 1 + at,
        message: format!("{}: {message}", kind.name()),
    })?;
    Ok(Some(Front {
        kind,
        inner,
        inner_line: 2,
        body_start,
        keys,
    }))
}

/// A `{` then, after blanks, a `"` or `}`: what a JSON object looks like and a Markdown text
/// starting with a brace (`{{< shortcode >}}`, `{.class}`) does not.
fn opens_json(text: &str) -> bool {
    text.strip_prefix('{')
        .map(|rest| rest.trim_start_matches([' ', '\t', '\r', '\n']))
        .is_some_and(|rest| rest.starts_with(['"', '}']))
}

/// The text between the opening line (`open` bytes long) and the closing one, and where the
/// body starts.
fn delimited<'a>(
    text: &'a str,
    open: usize,
    kind: Kind,
    lines: &mut Lines<'_>,
) -> Result<(&'a str, usize), Refused> {
    let closes = |line: &str| {
        let l = line.trim_end_matches(['\n', '\r', ' ', '\t']);
        match kind {
            Kind::Yaml => l == "---" || l == "...",
            _ => l == "+++",
        }
    };
    let mut pos = open;
    for line in text[open..].split_inclusive('\n') {
        lines.charge(line.len());
        if closes(line) {
            return Ok((&text[open..pos], pos + line.len()));
        }
        pos += line.len();
        if pos - open > MAX_BYTES {
            break;
        }
    }
    let closing = if kind == Kind::Yaml { "---" } else { "+++" };
    Err(Refused {
        line: 1,
        message: if pos - open > MAX_BYTES {
            format!(
                "no closing `{closing}` line within {MAX_BYTES} bytes (the largest front matter read)"
            )
        } else {
            format!("no closing `{closing}` line after the opening one")
        },
    })
}

/// YAML keys, or the line (within `yaml`, 0 for the opening line) and the problem.
fn yaml(yaml: &str, lines: &mut Lines<'_>) -> Result<Map<String, Value>, (usize, String)> {
    lines.charge(yaml.len());
    if let Some(at) = flow_depth_over(yaml, MAX_DEPTH) {
        return Err((
            at,
            format!("lists or maps nested more than {MAX_DEPTH} deep"),
        ));
    }
    lines.charge(yaml.len());
    serde_yaml_ng::from_str::<Props>(yaml)
        .map(|p| p.0)
        .map_err(|e| {
            // An error of no place (not a mapping, a key given twice): the first line.
            let at = e.location().map_or(1, |l| l.line());
            let message = e.to_string();
            (at, super::strip_location(&message).to_owned())
        })
}

fn toml(toml: &str, lines: &mut Lines<'_>) -> Result<Map<String, Value>, (usize, String)> {
    lines.charge(toml.len());
    toml.parse::<toml::Table>().map(from_toml).map_err(|e| {
        let at = e.span().map_or(0, |span| {
            1 + toml[..span.start.min(toml.len())].matches('\n').count()
        });
        (at, e.message().trim_end().to_owned())
    })
}

/// A JSON object at the top of `text`: its keys and where the body starts (after the rest of
/// the object's last line, when that is blank).
fn json<'a>(text: &'a str, lines: &mut Lines<'_>) -> Result<Option<Front<'a>>, Refused> {
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Props>();
    let keys = match stream.next() {
        Some(Ok(props)) => props.0,
        Some(Err(e)) => {
            lines.charge(text.len());
            return Err(Refused {
                line: e.line().max(1),
                message: format!("JSON: {}", super::strip_location(&e.to_string())),
            });
        }
        None => return Ok(None),
    };
    let end = stream.byte_offset();
    lines.charge(end);
    let rest = &text[end..];
    let line_end = rest.find('\n').map_or(rest.len(), |i| i + 1);
    let body_start = if rest[..line_end].trim().is_empty() {
        end + line_end
    } else {
        end
    };
    Ok(Some(Front {
        kind: Kind::Json,
        inner: &text[..end],
        inner_line: 1,
        body_start,
        keys,
    }))
}

/// The lines of a front matter's keys, found by looking at the start of each line once:
/// `key:` (YAML), `key =` (TOML), `"key":` (JSON), the key quoted or not. Built on the first
/// question, so that a front matter with thousands of keys to warn about is scanned once.
pub(super) struct KeyLines<'a> {
    front: &'a Front<'a>,
    found: Option<HashMap<&'a str, usize>>,
}

impl<'a> KeyLines<'a> {
    pub(super) fn new(front: &'a Front<'a>) -> Self {
        KeyLines { front, found: None }
    }

    /// The line of the file that `key` is on (the first line of the front matter if it is
    /// not found at the start of a line).
    pub(super) fn line(&mut self, key: &str, lines: &mut Lines<'_>) -> usize {
        let front = self.front;
        let found = self.found.get_or_insert_with(|| {
            lines.charge(front.inner.len());
            let mut found = HashMap::new();
            for (i, line) in front.inner.lines().enumerate() {
                if let Some(key) = key_of(line, front.kind) {
                    found.entry(key).or_insert(front.inner_line + i);
                }
            }
            found
        });
        found.get(key).copied().unwrap_or(front.inner_line)
    }
}

/// The key a line of a front matter starts with, if it starts with one.
fn key_of(line: &str, kind: Kind) -> Option<&str> {
    let line = line.trim_start();
    let sep = if kind == Kind::Toml { '=' } else { ':' };
    let (key, rest) = match line.as_bytes().first()? {
        q @ (b'"' | b'\'') => {
            let q = *q as char;
            let end = line[1..].find(q)? + 1;
            (&line[1..end], &line[end + 1..])
        }
        _ if kind == Kind::Json => return None,
        _ => {
            let end = line.find(sep)?;
            (line[..end].trim_end(), &line[end..])
        }
    };
    rest.trim_start().starts_with(sep).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn front(text: &str) -> Result<Option<(Kind, String, usize, Value)>, Refused> {
        let mut lines = Lines::new(text);
        read(text, &mut lines).map(|f| {
            f.map(|f| {
                (
                    f.kind,
                    f.inner.to_owned(),
                    f.body_start,
                    Value::Object(f.keys),
                )
            })
        })
    }

    #[test]
    fn every_delimiter_is_found() {
        let (kind, _, at, keys) = front("---\ntitle: a\n---\nbody").unwrap().unwrap();
        assert_eq!(
            (kind, at, keys["title"].as_str()),
            (Kind::Yaml, 17, Some("a"))
        );
        let (_, _, at, _) = front("---\r\ntitle: a\r\n...\r\nbody").unwrap().unwrap();
        assert_eq!(at, 20);
        let (kind, _, at, keys) = front("+++\ntitle = \"a\"\ndate = 2021-03-04\n+++\nbody")
            .unwrap()
            .unwrap();
        assert_eq!(
            (kind, at, keys["date"].as_str()),
            (Kind::Toml, 38, Some("2021-03-04"))
        );
        let text = "{\n  \"title\": \"a\",\n  \"tags\": [\"x\"]\n}\nbody\n";
        let (kind, inner, at, keys) = front(text).unwrap().unwrap();
        assert_eq!(
            (kind, &text[at..], keys["tags"][0].as_str()),
            (Kind::Json, "body\n", Some("x"))
        );
        assert!(inner.ends_with('}'));
        let (_, _, at, _) = front("{\"title\": \"a\"} body\n").unwrap().unwrap();
        assert_eq!(at, 14);
        let (_, _, _, keys) = front("---\n---\n").unwrap().unwrap();
        assert_eq!(keys, serde_json::json!({}));
    }

    #[test]
    fn what_is_no_front_matter_is_left_alone() {
        for text in [
            "# Title\n",
            "{{< shortcode >}}\n",
            "----\n",
            " ---\nx\n---\n",
            "",
        ] {
            assert!(front(text).unwrap().is_none(), "{text:?}");
        }
    }

    #[test]
    fn what_no_reader_accepts_says_where() {
        let e = front("---\ntitle: a\ntags: [b\n---\nbody").unwrap_err();
        assert!(e.message.starts_with("YAML: "), "{e:?}");
        assert_eq!(e.line, 4);
        let e = front("---\nhorizontal rule, no closing\n").unwrap_err();
        assert_eq!(
            (e.line, e.message.as_str()),
            (1, "no closing `---` line after the opening one")
        );
        let e = front("+++\ntitle = \n+++\n").unwrap_err();
        assert!(e.message.starts_with("TOML: ") && e.line == 2, "{e:?}");
        let e = front("{\"title\": \"a\",\n\"x\": }\n").unwrap_err();
        assert!(e.message.starts_with("JSON: ") && e.line == 2, "{e:?}");
        let e = front("---\njust a text\n---\n").unwrap_err();
        assert!(e.message.contains("must be a mapping"), "{e:?}");
        let bomb = format!(
            "---\nt: {}{}\n---\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        let e = front(&bomb).unwrap_err();
        assert_eq!(
            (e.line, e.message.as_str()),
            (2, "YAML: lists or maps nested more than 32 deep")
        );
        let bomb = format!(
            "+++\nt = {}{}\n+++\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert!(front(&bomb).is_err());
        let bomb = format!(
            "{{\"t\": {}{}}}\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert!(
            front(&bomb)
                .unwrap_err()
                .message
                .contains("recursion limit")
        );
    }

    #[test]
    fn keys_are_found_on_their_line() {
        for (text, key, want) in [
            ("---\na: 1\ntitle: x\n---\n", "title", 3),
            ("+++\na = 1\n\ndate = 2021-01-01\n+++\n", "date", 4),
            ("{\n \"a\": 1,\n \"tags\": []\n}\n", "tags", 3),
        ] {
            let mut lines = Lines::new(text);
            let f = read(text, &mut lines).unwrap().unwrap();
            assert_eq!(KeyLines::new(&f).line(key, &mut lines), want, "{text}");
        }
    }
}
