//! Which note a link's target names, the way Obsidian resolves it: a path relative to the
//! linking note's remembered folder (then from the root of the vault); else a file name,
//! the shortest path first when several notes share it; else a title; else an alias (the
//! `aliases` property, a list or one text).
//!
//! Names compare as Obsidian compares them: ignoring case, and in Unicode NFC so that a name
//! typed on macOS (NFD) finds a file named on Linux. A target may leave out the `.md` of a
//! note's file (`[[Note]]` is `Note.md`). A note made in smartnotes has no remembered path:
//! it is found by its title or an alias only. [`Names`] is built once from every note's id,
//! title, remembered path and aliases, and answers each target without looking at the notes
//! again; a target it does not find may still be an attachment (the store asks that next).

use std::collections::HashMap;

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// What resolution needs to know of one note.
#[derive(Clone, Debug, Default)]
pub struct NoteNames {
    /// The note's id.
    pub id: i64,
    /// Its title.
    pub title: String,
    /// Its remembered path, `/`-separated from the import root, if it has one.
    pub path: Option<String>,
    /// Its aliases.
    pub aliases: Vec<String>,
}

/// Every note's names, indexed for resolution.
#[derive(Debug, Default)]
pub struct Names {
    // Remembered path (key) -> note; the lowest id keeps a path two notes share.
    paths: HashMap<String, i64>,
    // File name without `.md` (key) -> every (path key, id) that has it.
    files: HashMap<String, Vec<(String, i64)>>,
    titles: HashMap<String, i64>,
    aliases: HashMap<String, i64>,
}

/// The key a name compares by: NFC, lowercase.
///
/// Most names are ASCII or already NFC: for them the normalizer, half the time of a
/// resolution pass, changes nothing and is skipped (the same result: the unit test
/// `key_fast_paths_are_the_general_path` checks it on generated names).
pub fn key(name: &str) -> String {
    if name.is_ascii() {
        return name.to_ascii_lowercase();
    }
    if is_nfc_quick(name.chars()) == IsNormalized::Yes {
        return name.chars().flat_map(char::to_lowercase).collect();
    }
    name.nfc().flat_map(char::to_lowercase).collect()
}

/// `name` without a final `.md` (in any case).
fn without_md(name: &str) -> &str {
    match name.len().checked_sub(3) {
        Some(cut) if name.is_char_boundary(cut) && name[cut..].eq_ignore_ascii_case(".md") => {
            &name[..cut]
        }
        _ => name,
    }
}

/// The folder of a remembered path (`a/b` for `a/b/c.md`, empty at the root).
pub fn folder(path: &str) -> &str {
    path.rfind('/').map_or("", |slash| &path[..slash])
}

/// `target` taken from `dir`, with `.` and `..` parts applied; `None` when it climbs above the
/// root.
pub fn joined(dir: &str, target: &str) -> Option<String> {
    let mut parts: Vec<&str> = if target.starts_with('/') {
        Vec::new()
    } else {
        dir.split('/').filter(|p| !p.is_empty()).collect()
    };
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

impl Names {
    /// The index of `notes`.
    pub fn new(notes: impl IntoIterator<Item = NoteNames>) -> Names {
        let mut names = Names::default();
        let mut notes: Vec<NoteNames> = notes.into_iter().collect();
        // Lowest id first, so that it keeps a name several notes share.
        notes.sort_by_key(|n| n.id);
        for note in notes {
            if let Some(path) = &note.path {
                let path_key = key(path);
                names.paths.entry(path_key.clone()).or_insert(note.id);
                let file = path.rsplit('/').next().unwrap_or(path);
                let file_key = key(without_md(file));
                names
                    .files
                    .entry(file_key)
                    .or_default()
                    .push((path_key, note.id));
            }
            names.titles.entry(key(&note.title)).or_insert(note.id);
            for alias in &note.aliases {
                names.aliases.entry(key(alias)).or_insert(note.id);
            }
        }
        names
    }

    /// The note `target` names, written in the note `source` (its id and remembered path),
    /// if any. An empty target is the note itself (`[[#Heading]]`).
    pub fn resolve(&self, source: i64, source_path: Option<&str>, target: &str) -> Option<i64> {
        let target = target.trim();
        if target.is_empty() {
            return Some(source);
        }
        let dir = source_path.map_or("", folder);
        let with_md = if without_md(target).len() == target.len() {
            format!("{target}.md")
        } else {
            target.to_owned()
        };
        // 1. A path: from the note's folder, then from the root.
        for candidate in [
            joined(dir, &with_md),
            joined("", &with_md),
            joined(dir, target),
        ]
        .into_iter()
        .flatten()
        {
            if let Some(&id) = self.paths.get(&key(&candidate)) {
                return Some(id);
            }
        }
        // 2. A file name (a path's end, when the target has folders too), the shortest path
        // first.
        let file = target.rsplit('/').next().unwrap_or(target);
        if let Some(files) = self.files.get(&key(without_md(file))) {
            let tail = key(&with_md);
            let suffix = format!("/{tail}");
            let best = files
                .iter()
                .filter(|(path, _)| {
                    !target.contains('/') || path == &tail || path.ends_with(&suffix)
                })
                .min_by_key(|(path, id)| (path.matches('/').count(), path.len(), *id));
            if let Some((_, id)) = best {
                return Some(*id);
            }
        }
        // 3. A title, 4. an alias.
        let target_key = key(target);
        self.titles
            .get(&target_key)
            .or_else(|| self.aliases.get(&target_key))
            .copied()
    }
}

/// The aliases a note's `aliases` property holds: a list of texts, or one text.
pub fn aliases_of(value: Option<&serde_json::Value>) -> Vec<String> {
    match value {
        Some(serde_json::Value::String(one)) => vec![one.clone()],
        Some(serde_json::Value::Array(list)) => list
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(id: i64, title: &str, path: Option<&str>, aliases: &[&str]) -> NoteNames {
        NoteNames {
            id,
            title: title.into(),
            path: path.map(str::to_owned),
            aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
        }
    }

    fn names() -> Names {
        Names::new([
            note(1, "Root note", Some("Note.md"), &[]),
            note(2, "Deep note", Some("a/b/Note.md"), &[]),
            note(3, "Sibling", Some("a/Sibling.md"), &[]),
            note(4, "Other sibling", Some("c/Sibling.md"), &[]),
            note(5, "Made here", None, &["The alias", "Alt"]),
            note(6, "Café", Some("x/Caf\u{e9}.md"), &[]),
            note(7, "Same title", None, &[]),
            note(8, "same TITLE", None, &[]),
            note(9, "C# notes", Some("C# notes.md"), &[]),
        ])
    }

    #[test]
    fn a_relative_path_wins_over_a_file_name() {
        let n = names();
        // From a/b/x.md, `Note` is a/b/Note.md (its folder) even though Note.md is shorter.
        assert_eq!(n.resolve(10, Some("a/b/x.md"), "Note"), Some(2));
        assert_eq!(n.resolve(10, Some("a/x.md"), "b/Note.md"), Some(2));
        assert_eq!(n.resolve(10, Some("a/b/x.md"), "../Sibling"), Some(3));
        // Climbing above the root names no file.
        assert_eq!(n.resolve(10, Some("a/b/x.md"), "../../../../Note"), None);
    }

    #[test]
    fn a_file_name_takes_the_shortest_path() {
        let n = names();
        assert_eq!(n.resolve(10, Some("z/x.md"), "Note"), Some(1));
        assert_eq!(n.resolve(10, None, "note.MD"), Some(1));
        // Same depth, same length: the lowest id.
        assert_eq!(n.resolve(10, Some("z/x.md"), "Sibling"), Some(3));
        assert_eq!(n.resolve(10, None, "c/Sibling"), Some(4));
        assert_eq!(n.resolve(10, None, "b/Note"), Some(2));
    }

    #[test]
    fn then_titles_then_aliases_ignoring_case_and_normalization() {
        let n = names();
        assert_eq!(n.resolve(10, None, "made HERE"), Some(5));
        assert_eq!(n.resolve(10, None, "the alias"), Some(5));
        assert_eq!(n.resolve(10, None, "Same Title"), Some(7));
        assert_eq!(n.resolve(10, None, "Cafe\u{301}"), Some(6));
        assert_eq!(n.resolve(10, None, "C# notes"), Some(9));
        assert_eq!(n.resolve(10, None, "Nowhere"), None);
        assert_eq!(n.resolve(10, None, "image.png"), None);
        assert_eq!(
            n.resolve(10, None, ""),
            Some(10),
            "a heading of the note itself"
        );
    }

    proptest::proptest! {
        #[test]
        fn key_fast_paths_are_the_general_path(name in "(?s).{0,24}", ascii in "[ -~]{0,24}") {
            for name in [name.as_str(), ascii.as_str(), "Cafe\u{301}", "ÀÉÎ", "ǅ", "İ"] {
                let general: String = name.nfc().flat_map(char::to_lowercase).collect();
                proptest::prop_assert_eq!(key(name), general);
            }
        }
    }

    #[test]
    fn aliases_are_a_list_or_one_text() {
        assert_eq!(
            aliases_of(Some(&serde_json::json!(["a", 1, "b"]))),
            ["a", "b"]
        );
        assert_eq!(aliases_of(Some(&serde_json::json!("one"))), ["one"]);
        assert!(aliases_of(Some(&serde_json::json!({"x": 1}))).is_empty());
        assert!(aliases_of(None).is_empty());
    }
}
