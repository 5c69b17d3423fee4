//! The `obsidian` profile: what Obsidian shows as properties.
//!
//! `title`, then `aliases` when the note has that property, `tags` as Obsidian accepts them
//! (see [`super::tags::obsidian`]), `created` and `updated` as Obsidian's own date-time form
//! (`2026-12-01T11:31:05`, unquoted, in UTC: Obsidian's date-times carry no zone), then every
//! other property in its order.

use std::borrow::Cow;

use serde_json::Value;

use super::tags::{self, TagChange};
use super::{Profile, owned_by, yaml};
use crate::model::{Note, Timestamp};

pub(super) struct Obsidian;

const OWN: [&str; 5] = ["title", "aliases", "tags", "created", "updated"];

impl Profile for Obsidian {
    fn write(&self, note: &Note, out: &mut Vec<u8>) {
        let mut text = String::from("---\n");
        yaml::top(&mut text, "title", &Value::String(note.title.clone()));
        if let Some(aliases) = note.properties.get("aliases") {
            yaml::top(&mut text, "aliases", aliases);
        }
        let (tags, _) = self.tags(&note.tags);
        let tags = Value::Array(
            tags.into_iter()
                .map(|t| Value::String(t.into_owned()))
                .collect(),
        );
        yaml::top(&mut text, "tags", &tags);
        yaml::raw(&mut text, "created", &date_time(note.created));
        yaml::raw(&mut text, "updated", &date_time(note.updated));
        let rest = note
            .properties
            .iter()
            .filter(|(k, _)| !owned_by(&OWN, k, false));
        yaml::entries(&mut text, rest.map(|(k, v)| (k.as_str(), v)));
        text.push_str("---\n");
        out.extend_from_slice(text.as_bytes());
    }

    fn tags<'a>(&self, tags: &'a [String]) -> (Vec<Cow<'a, str>>, Vec<TagChange>) {
        tags::fix_all(tags, tags::obsidian)
    }
}

/// `2026-12-01T11:31:05`: Obsidian's date-time property, to the second, in UTC.
fn date_time(t: Timestamp) -> String {
    t.as_datetime().format("%Y-%m-%dT%H:%M:%S").to_string()
}
