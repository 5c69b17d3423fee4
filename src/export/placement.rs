//! Where a layout puts a note's file when it is not `<format>/<id>-<slug>.<ext>`: the vault
//! layout (each note at its remembered path, `<title>.md` for a note made in smartnotes) and
//! Jekyll's posts in the files layout (`_posts/YYYY-MM-DD-<slug>.md`).
//!
//! Such names do not carry the note's id, so two notes may want one name. Before any job
//! runs, [`Placements::plan`] reads the notes once (their ids, titles and sources) and gives
//! every note its path: the name it wants when no other note wants it, compared as a folder
//! that ignores case and Unicode normalization would (macOS, Windows: see
//! [`naming::collision_key`]); among notes that want one name, a note with a remembered path
//! before one made in smartnotes, then the lowest id, keeps it, and every other one gets its
//! id as a suffix (`Name (12).md`, `2026-01-02-slug-12.md`), again until it is free. The
//! result depends only on the set of notes exported, never on the order they are read in or
//! on what is already on disk. A remembered path that cannot be written inside the export
//! folder ([`naming::vault_path_problem`]) is refused for its note, with the reason.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::config::{ExportConfig, Layout};
use super::naming;
use super::source::Reader;
use crate::format::{Format, FrontMatter};
use crate::model::{Note, quote};
use crate::store::StoreError;

/// The path of each note's Markdown file, or why it has none; see the module docs.
#[derive(Debug, Default)]
pub(crate) struct Placements {
    paths: HashMap<i64, Result<Arc<str>, Arc<str>>>,
}

/// Which placing an export does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Vault,
    Jekyll,
}

/// A note's wish: the path it wants, and whether it is a remembered one.
struct Wish {
    id: i64,
    path: String,
    remembered: bool,
}

impl Placements {
    /// The placements of an export, if its layout places files: reads the notes once.
    pub(crate) fn plan(
        reader: &Reader<'_>,
        config: &ExportConfig,
    ) -> Result<Option<Placements>, StoreError> {
        let kind = match (config.layout, config.render.front_matter) {
            (Layout::Vault, _) => Kind::Vault,
            (Layout::Files, FrontMatter::Jekyll) if config.formats.contains(&Format::Md) => {
                Kind::Jekyll
            }
            _ => return Ok(None),
        };
        let mut placements = Placements::default();
        let mut wishes = Vec::new();
        for note in reader.notes()? {
            match note {
                Ok(note) => match wish(&note, kind) {
                    Ok(wish) => wishes.push(wish),
                    Err(reason) => {
                        placements.paths.insert(note.id, Err(reason.into()));
                    }
                },
                // A damaged note fails its own jobs when it comes again.
                Err(StoreError::Corrupt { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        for (id, path) in resolve(wishes, kind) {
            placements.paths.insert(id, Ok(path.into()));
        }
        Ok(Some(placements))
    }

    /// Where the file of note `id` in `format` goes, if this export places it: its path, or
    /// why it cannot be written.
    pub(crate) fn get(&self, id: i64, format: Format) -> Option<Result<Arc<str>, Arc<str>>> {
        if format != Format::Md {
            return None;
        }
        self.paths.get(&id).cloned()
    }

    /// Every path a note's Markdown file takes in this export.
    pub(crate) fn paths(&self) -> impl Iterator<Item = &str> {
        self.paths.values().filter_map(|p| p.as_deref().ok())
    }
}

/// The path `note` wants, or why its remembered one cannot be written.
fn wish(note: &Note, kind: Kind) -> Result<Wish, String> {
    let (path, remembered) = match (kind, &note.source) {
        (Kind::Jekyll, _) => (naming::jekyll_post(note), false),
        (Kind::Vault, Some(source)) => {
            if let Some(problem) = naming::vault_path_problem(&source.path) {
                return Err(format!(
                    "its remembered path {} is not written: {problem}",
                    quote(&source.path)
                ));
            }
            (source.path.clone(), true)
        }
        (Kind::Vault, None) => (naming::vault_name(&note.title), false),
    };
    Ok(Wish {
        id: note.id,
        path,
        remembered,
    })
}

/// Every wish's path, with an id suffix where another note keeps the name (module docs).
fn resolve(mut wishes: Vec<Wish>, kind: Kind) -> Vec<(i64, String)> {
    wishes.sort_by_key(|w| (!w.remembered, w.id));
    let mut taken: HashSet<String> = HashSet::with_capacity(wishes.len());
    let mut placed = Vec::with_capacity(wishes.len());
    let mut losers = Vec::new();
    for wish in wishes {
        if taken.insert(naming::collision_key(&wish.path)) {
            placed.push((wish.id, wish.path));
        } else {
            losers.push(wish);
        }
    }
    losers.sort_by_key(|w| w.id);
    for wish in losers {
        let mut path = naming::with_suffix(&wish.path, wish.id, kind == Kind::Jekyll);
        while !taken.insert(naming::collision_key(&path)) {
            path = naming::with_suffix(&path, wish.id, kind == Kind::Jekyll);
        }
        placed.push((wish.id, path));
    }
    placed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wishes(list: &[(i64, &str, bool)]) -> Vec<Wish> {
        list.iter()
            .map(|&(id, path, remembered)| Wish {
                id,
                path: path.into(),
                remembered,
            })
            .collect()
    }

    fn resolved(list: &[(i64, &str, bool)]) -> Vec<(i64, String)> {
        let mut r = resolve(wishes(list), Kind::Vault);
        r.sort();
        r
    }

    #[test]
    fn a_collision_gets_an_id_suffix_whatever_the_order_and_case() {
        let list = [
            (3, "Note.md", false),
            (1, "note.md", false),
            (9, "NOTE.md", true),
            (4, "Note (1).md", false),
            (5, "Dir/a.md", true),
            (6, "dir/A.md", true),
            (7, "Cafe\u{301}.md", false),
            (8, "Caf\u{e9}.md", false),
        ];
        let want = vec![
            (1, "note (1) (1).md".to_owned()),
            (3, "Note (3).md".into()),
            (4, "Note (1).md".into()),
            (5, "Dir/a.md".into()),
            (6, "dir/A (6).md".into()),
            (7, "Cafe\u{301}.md".into()),
            (8, "Caf\u{e9} (8).md".into()),
            (9, "NOTE.md".into()),
        ];
        assert_eq!(resolved(&list), want);
        let mut reversed = list;
        reversed.reverse();
        assert_eq!(
            resolved(&reversed),
            want,
            "the order notes come in does not matter"
        );
    }

    #[test]
    fn jekyll_suffixes_keep_the_slug_style() {
        let r = resolve(
            wishes(&[
                (2, "_posts/2026-01-02-a.md", false),
                (1, "_posts/2026-01-02-a.md", false),
            ]),
            Kind::Jekyll,
        );
        assert_eq!(
            r,
            [
                (1, "_posts/2026-01-02-a.md".to_owned()),
                (2, "_posts/2026-01-02-a-2.md".into())
            ]
        );
    }
}
