//! The `jekyll` profile: the keys Jekyll reads for a post.
//!
//! `title`, `date` in Jekyll's form (`2026-12-01 11:31:05 +0000`, which Psych reads as a time),
//! `last_modified_at` (updated, the key of the jekyll-last-modified-at plugin), `tags`, then the
//! properties (`layout`, `permalink`, `categories`, ...) in their order. Jekyll keeps a tag of
//! a YAML list as it is, so tags are written unchanged. In the `files` layout the posts are
//! named `_posts/YYYY-MM-DD-slug.md`, the name Jekyll wants (see `crate::export`).

use serde_json::Value;

use super::{Profile, owned_by, yaml};
use crate::model::{Note, Timestamp};

pub(super) struct Jekyll;

const OWN: [&str; 4] = ["title", "date", "last_modified_at", "tags"];

impl Profile for Jekyll {
    fn write(&self, note: &Note, out: &mut Vec<u8>) {
        let mut text = String::from("---\n");
        yaml::top(&mut text, "title", &Value::String(note.title.clone()));
        yaml::raw(&mut text, "date", &jekyll_date(note.created));
        yaml::raw(&mut text, "last_modified_at", &jekyll_date(note.updated));
        let tags = Value::Array(note.tags.iter().map(|t| Value::String(t.clone())).collect());
        yaml::top(&mut text, "tags", &tags);
        let rest = note
            .properties
            .iter()
            .filter(|(k, _)| !owned_by(&OWN, k, false));
        yaml::entries(&mut text, rest.map(|(k, v)| (k.as_str(), v)));
        text.push_str("---\n");
        out.extend_from_slice(text.as_bytes());
    }
}

/// `2026-12-01 11:31:05 +0000`: how Jekyll writes a post's date.
pub(crate) fn jekyll_date(t: Timestamp) -> String {
    t.as_datetime().format("%Y-%m-%d %H:%M:%S %z").to_string()
}
