//! The `zola` profile: TOML front matter as Zola reads a page.
//!
//! `title`, `date` (created) and `updated` as TOML date-times, `[taxonomies] tags` (Zola
//! refuses a term that slugifies to nothing: see [`super::tags::zola`]), and the properties
//! under `[extra]`, where Zola keeps what it does not know itself (it refuses unknown keys at
//! the top level). TOML has no null: a null property is left out.

use std::borrow::Cow;

use toml::value::Value as Toml;

use super::tags::{self, TagChange};
use super::{Profile, toml_out};
use crate::model::Note;

pub(super) struct Zola;

impl Profile for Zola {
    fn write(&self, note: &Note, out: &mut Vec<u8>) {
        let mut table = toml::Table::new();
        table.insert("title".into(), Toml::String(note.title.clone()));
        table.insert("date".into(), toml_out::date_time(note.created));
        table.insert("updated".into(), toml_out::date_time(note.updated));
        let (tags, _) = self.tags(&note.tags);
        let tags = tags
            .into_iter()
            .map(|t| Toml::String(t.into_owned()))
            .collect();
        let mut taxonomies = toml::Table::new();
        taxonomies.insert("tags".into(), Toml::Array(tags));
        table.insert("taxonomies".into(), Toml::Table(taxonomies));
        if !note.properties.is_empty() {
            let extra = toml_out::table(note.properties.iter().map(|(k, v)| (k.as_str(), v)));
            table.insert("extra".into(), Toml::Table(extra));
        }
        toml_out::document(&table, out);
    }

    fn tags<'a>(&self, tags: &'a [String]) -> (Vec<Cow<'a, str>>, Vec<TagChange>) {
        tags::fix_all(tags, tags::zola)
    }
}
