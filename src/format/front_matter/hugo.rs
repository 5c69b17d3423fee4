//! The `hugo` profile: the keys Hugo reads for a page.
//!
//! `title`, `date` (created) and `lastmod` (updated) as RFC 3339, `tags` Hugo makes working
//! URLs of (see [`super::tags::hugo`]), then the properties (Hugo's `.Params`) in their order,
//! but for one named like a key written here: Hugo ignores the case of keys, so `Date` would
//! clash with `date`.

use std::borrow::Cow;

use serde_json::Value;

use super::tags::{self, TagChange};
use super::{Profile, owned_by, yaml};
use crate::model::Note;

pub(super) struct Hugo;

const OWN: [&str; 4] = ["title", "date", "lastmod", "tags"];

impl Profile for Hugo {
    fn write(&self, note: &Note, out: &mut Vec<u8>) {
        let mut text = String::from("---\n");
        yaml::top(&mut text, "title", &Value::String(note.title.clone()));
        yaml::raw(&mut text, "date", &note.created.to_string());
        yaml::raw(&mut text, "lastmod", &note.updated.to_string());
        let (tags, _) = self.tags(&note.tags);
        let tags = Value::Array(
            tags.into_iter()
                .map(|t| Value::String(t.into_owned()))
                .collect(),
        );
        yaml::top(&mut text, "tags", &tags);
        let rest = note
            .properties
            .iter()
            .filter(|(k, _)| !owned_by(&OWN, k, true));
        yaml::entries(&mut text, rest.map(|(k, v)| (k.as_str(), v)));
        text.push_str("---\n");
        out.extend_from_slice(text.as_bytes());
    }

    fn tags<'a>(&self, tags: &'a [String]) -> (Vec<Cow<'a, str>>, Vec<TagChange>) {
        tags::fix_all(tags, tags::hugo)
    }
}
