//! Tags as other tools write them in front matter, read into the notebook's tags.
//!
//! A `tags` value may be a YAML block or flow list, one string (`tags: inline`), a string of
//! tags separated by commas (`tags: rust, cli`) or by spaces (`tags: a b`), numbers
//! (`tags: [2024]`) or a list mixing them. Each tag loses a leading `#` (`["#a"]`, Obsidian
//! writes them so) and the blanks around it; a nested tag `project/alpha` stays whole. A tag the
//! notebook refuses ([`validate_tag`]) is reported by the caller, never a reason to lose the
//! note.

use std::collections::HashSet;

use serde_json::Value;

use super::props::what;
use crate::model::{NoteError, validate_tag};

/// The tags a `tags` value holds, in order, or why the value holds none (a map).
pub(super) fn from_value(value: &Value) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    collect(value, &mut out, 0)?;
    Ok(out)
}

fn collect(value: &Value, out: &mut Vec<String>, depth: usize) -> Result<(), String> {
    match value {
        Value::Null => {}
        Value::String(text) => {
            let parts: Vec<&str> = if text.contains(',') {
                text.split(',').collect()
            } else {
                text.split_whitespace().collect()
            };
            out.extend(parts.into_iter().filter_map(clean));
        }
        Value::Number(n) => out.extend(clean(&n.to_string())),
        Value::Bool(b) => out.extend(clean(&b.to_string())),
        // A list of tags; a list in a list is read through once (`[[a, b]]`), no deeper.
        Value::Array(items) if depth < 2 => {
            for item in items {
                match item {
                    // Inside a list a string is one tag, spaces and all (`- reading list`).
                    Value::String(s) => out.extend(clean(s)),
                    other => collect(other, out, depth + 1)?,
                }
            }
        }
        other => return Err(format!("{} holds no tags", what(other))),
    }
    Ok(())
}

/// A tag without blanks around it and without its leading `#`s, if anything is left.
pub(super) fn clean(raw: &str) -> Option<String> {
    let tag = raw.trim().trim_start_matches('#').trim();
    (!tag.is_empty()).then(|| tag.to_owned())
}

/// The tags that the notebook keeps, in order, each once; and the ones it refuses, each with
/// the reason (and whatever position the caller gave it).
pub(super) fn keep<P>(tags: Vec<(String, P)>) -> (Vec<String>, Vec<(NoteError, P)>) {
    keep_as(tags, true)
}

/// [`keep`], with copies of a tag kept too when `once` is false (the list of a file
/// smartnotes wrote, which may name a tag twice).
pub(super) fn keep_as<P>(tags: Vec<(String, P)>, once: bool) -> (Vec<String>, Vec<(NoteError, P)>) {
    let mut kept: Vec<String> = Vec::with_capacity(tags.len());
    // A set, so that a body of a hundred thousand `#tags` costs a lookup each.
    let mut seen: HashSet<String> = HashSet::new();
    let mut refused = Vec::new();
    for (tag, at) in tags {
        match validate_tag(&tag) {
            Err(e) => refused.push((e, at)),
            Ok(()) if once && !seen.insert(tag.clone()) => {}
            Ok(()) => kept.push(tag),
        }
    }
    (kept, refused)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn every_form_of_the_issue_gives_its_tags() {
        let cases = [
            (json!(["rust", "cli"]), vec!["rust", "cli"]),
            (json!("rust, cli"), vec!["rust", "cli"]),
            (json!("inline"), vec!["inline"]),
            (json!("a b  #c"), vec!["a", "b", "c"]),
            (json!(["#a", " b "]), vec!["a", "b"]),
            (json!(["project/alpha"]), vec!["project/alpha"]),
            (json!([2024, 1.5, true]), vec!["2024", "1.5", "true"]),
            (json!(["reading list"]), vec!["reading list"]),
            (json!([["a", "b"], null, ""]), vec!["a", "b"]),
            (json!(null), vec![]),
            (json!("#"), vec![]),
        ];
        for (value, want) in cases {
            assert_eq!(from_value(&value).unwrap(), want, "{value}");
        }
        let e = from_value(&json!({"a": 1})).unwrap_err();
        assert_eq!(e, "a map holds no tags");
    }

    #[test]
    fn refused_tags_are_given_back_with_their_place_and_copies_kept_once() {
        let (kept, refused) = keep(vec![
            ("a".to_owned(), 1),
            ("a;b".to_owned(), 2),
            ("a".to_owned(), 3),
            ("x".repeat(300), 4),
            ("b".to_owned(), 5),
        ]);
        assert_eq!(kept, ["a", "b"]);
        let places: Vec<i32> = refused.iter().map(|(_, at)| *at).collect();
        assert_eq!(places, [2, 4]);
    }
}
