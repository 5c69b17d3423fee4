//! Front matter profiles: what a Markdown file says about its note before the body, for the
//! reader it is meant for.
//!
//! [`FrontMatter`] names the profiles (`--front-matter`); each is one file here behind the
//! private `Profile` trait: `smartnotes` (the default: id, title, tags, created, updated,
//! then the note's properties), `keep` (the front matter a note was imported with, while the
//! note is unchanged), `obsidian`, `hugo`, `jekyll` and `zola`. The Markdown format
//! ([`super::Format::Md`]) writes a profile's front matter, then the body. YAML is written by
//! `yaml.rs` so that YAML 1.1 and 1.2 readers read it alike; TOML (zola, and `keep` for a
//! `+++` front matter) by the `toml` crate. A profile whose reader would mangle a tag (Obsidian
//! refuses spaces, Hugo makes a URL of it) writes the tag in a form it accepts; the changes
//! are [`TagChange`]s, counted in the export's summary.

mod fast_keys;
mod hugo;
mod jekyll;
mod keep;
mod obsidian;
mod smartnotes;
mod tags;
mod toml_out;
pub(crate) mod yaml;
mod zola;

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

pub(crate) use smartnotes::write_bundle_record;
pub use tags::TagChange;

use crate::model::Note;

/// Which front matter Markdown files get (`--front-matter`).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum FrontMatter {
    /// smartnotes' own: id, title, tags, created, updated, then the note's properties. What
    /// `smartnotes import` reads back exactly.
    #[default]
    Smartnotes,
    /// The front matter a note came with, byte for byte, while the note is unchanged since it
    /// was imported; regenerated with its original keys in their order once it changed;
    /// smartnotes' own for a note that was not imported.
    Keep,
    /// For Obsidian: title, aliases, tags Obsidian accepts, created and updated as date-times
    /// it shows as properties, then the other properties.
    Obsidian,
    /// For Hugo: title, date, lastmod, tags Hugo makes clean URLs of, then the properties.
    Hugo,
    /// For Jekyll: title, date in Jekyll's form, last_modified_at, tags, then the properties.
    Jekyll,
    /// For Zola: TOML with title, date, updated, `[taxonomies] tags`, the properties under
    /// `[extra]`.
    Zola,
}

impl FrontMatter {
    /// Every profile, in the order of the documentation.
    pub const ALL: [FrontMatter; 6] = [
        FrontMatter::Smartnotes,
        FrontMatter::Keep,
        FrontMatter::Obsidian,
        FrontMatter::Hugo,
        FrontMatter::Jekyll,
        FrontMatter::Zola,
    ];

    /// The profile's name, as `--front-matter` takes it.
    pub fn name(self) -> &'static str {
        match self {
            FrontMatter::Smartnotes => "smartnotes",
            FrontMatter::Keep => "keep",
            FrontMatter::Obsidian => "obsidian",
            FrontMatter::Hugo => "hugo",
            FrontMatter::Jekyll => "jekyll",
            FrontMatter::Zola => "zola",
        }
    }

    fn profile(self) -> &'static dyn Profile {
        match self {
            FrontMatter::Smartnotes => &smartnotes::Smartnotes,
            FrontMatter::Keep => &keep::Keep,
            FrontMatter::Obsidian => &obsidian::Obsidian,
            FrontMatter::Hugo => &hugo::Hugo,
            FrontMatter::Jekyll => &jekyll::Jekyll,
            FrontMatter::Zola => &zola::Zola,
        }
    }

    /// Appends `note`'s front matter, delimiters included: everything before the body.
    pub(crate) fn write(self, note: &Note, out: &mut Vec<u8>) {
        self.profile().write(note, out);
    }

    /// What this profile does to `note`'s tags: one change per tag it writes otherwise or
    /// leaves out (none for smartnotes, keep and jekyll).
    pub fn tag_changes(self, note: &Note) -> Vec<TagChange> {
        self.profile().tags(&note.tags).1
    }
}

impl std::fmt::Display for FrontMatter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One front matter profile.
///
/// Contract: `write` appends exactly the bytes before the body, opening and closing
/// delimiters included, and nothing else; like every renderer it is a pure function of the
/// note. `tags` gives the tags as `write` writes them and what was changed to get them; a
/// profile that writes tags as they are keeps the default.
trait Profile: Sync {
    fn write(&self, note: &Note, out: &mut Vec<u8>);

    fn tags<'a>(&self, tags: &'a [String]) -> (Vec<Cow<'a, str>>, Vec<TagChange>) {
        (
            tags.iter().map(|t| Cow::Borrowed(t.as_str())).collect(),
            Vec::new(),
        )
    }
}

/// The keys a profile writes itself: a property of the same name (compared without regard to
/// ASCII case when the reader ignores case) is left out rather than written twice.
fn owned_by(keys: &[&str], key: &str, ignore_case: bool) -> bool {
    keys.iter().any(|k| {
        if ignore_case {
            k.eq_ignore_ascii_case(key)
        } else {
            *k == key
        }
    })
}

#[cfg(test)]
mod fast_keys_tests;
#[cfg(test)]
mod tests;
