//! `smartnotes tag add|remove|rename`: the tags of one note, of the notes given by id, or of
//! every note a filter selects, changed in one transaction. A note the change leaves as it
//! was is not touched (its `updated` stays); every changed note's `updated` is now.

use std::io::Write;
use std::path::Path;

use anyhow::bail;
use smartnotes::model::{Note, Timestamp, validate_tag};

use super::ExitCode;
use super::args::{FilterArgs, TagAction, TagArgs, TagTarget};
use super::notes::{open, select};
use super::terminal::{count, escape};

/// The most ids a summary line lists (`--json` lists every note).
const MAX_IDS_SHOWN: usize = 10;

/// What an action does to a note's tags.
type Change = dyn Fn(&[String]) -> Vec<String>;

pub fn run(db: &Path, args: TagArgs) -> anyhow::Result<ExitCode> {
    let (what, target, change): (String, TagTarget, Box<Change>) = match args.action {
        TagAction::Add { tag, target } => {
            validate_tag(&tag)?;
            let what = format!("added tag '{}' to", escape(&tag));
            (what, target, Box::new(move |tags| with(tags, &tag)))
        }
        TagAction::Remove { tag, target } => {
            let what = format!("removed tag '{}' from", escape(&tag));
            (what, target, Box::new(move |tags| without(tags, &tag)))
        }
        TagAction::Rename {
            old,
            new,
            mut target,
        } => {
            validate_tag(&new)?;
            // Across the notebook by default: only the notes that have the tag.
            if !target.filter.selects() && target.ids.is_empty() {
                target.filter = FilterArgs {
                    tags: vec![old.clone()],
                    ..FilterArgs::default()
                };
            }
            let what = format!("renamed tag '{}' to '{}' on", escape(&old), escape(&new));
            (
                what,
                target,
                Box::new(move |tags| renamed(tags, &old, &new)),
            )
        }
    };
    let mut store = open(db)?;
    let selected = select(&mut store, &target.ids, &target.filter, "tag")?;
    let mut notes = Vec::new();
    for s in selected {
        match s.note {
            Ok(note) => notes.push(note),
            Err(reason) => bail!("note {} is damaged: {reason}; nothing was changed", s.id),
        }
    }
    let ids: Vec<i64> = notes.iter().map(|n| n.id).collect();
    let changed = store.change_tags(&ids, change, Timestamp::now())?;
    let changed: Vec<Note> = changed
        .iter()
        .map(|id| store.get(*id))
        .collect::<Result<_, _>>()?;
    if target.json {
        let mut out = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut out, &changed)?;
        writeln!(out)?;
    } else {
        let ids: Vec<i64> = changed.iter().map(|n| n.id).collect();
        let noun = count(changed.len() as u64, "note", "notes");
        match ids.len() {
            0 => say!("{what} no note: every note selected was already so"),
            n if n <= MAX_IDS_SHOWN => say!("{what} {noun}: {}", super::notes::ids(&ids)),
            _ => say!(
                "{what} {noun}: {}, ...",
                super::notes::ids(&ids[..MAX_IDS_SHOWN])
            ),
        }
    }
    Ok(ExitCode::Success)
}

fn with(tags: &[String], tag: &str) -> Vec<String> {
    let mut tags = tags.to_vec();
    if !tags.iter().any(|t| t == tag) {
        tags.push(tag.to_owned());
    }
    tags
}

fn without(tags: &[String], tag: &str) -> Vec<String> {
    tags.iter().filter(|t| *t != tag).cloned().collect()
}

/// `old` becomes `new` where it stands; if the note already has `new`, `old` just goes.
fn renamed(tags: &[String], old: &str, new: &str) -> Vec<String> {
    let has_new = tags.iter().any(|t| t == new);
    tags.iter()
        .filter_map(|t| match t.as_str() {
            t if t == old && has_new => None,
            t if t == old => Some(new.to_owned()),
            t => Some(t.to_owned()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(tags: &[&str]) -> Vec<String> {
        tags.iter().map(|t| (*t).to_owned()).collect()
    }

    #[test]
    fn rename_keeps_the_place_and_never_doubles_a_tag() {
        assert_eq!(
            renamed(&v(&["a", "old", "b"]), "old", "new"),
            v(&["a", "new", "b"])
        );
        assert_eq!(renamed(&v(&["new", "old"]), "old", "new"), v(&["new"]));
        assert_eq!(with(&v(&["a"]), "a"), v(&["a"]));
        assert_eq!(without(&v(&["a", "b"]), "a"), v(&["b"]));
    }
}
