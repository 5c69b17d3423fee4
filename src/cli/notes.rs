//! `add`, `list`, `show`, `rm` and `seed`: the notebook commands, and the selection of notes
//! (by id, by filter) that `rm` and `tag` share.
//!
//! The reading commands (`list`, `show`, `rm`) open an existing notebook and never create one:
//! a mistyped `--db` is an error naming the path. `add` and `seed` create the notebook (and
//! its folder) if it is not there yet.

use std::io::{IsTerminal, Read, Write};
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, bail};
use serde::ser::{SerializeSeq, Serializer};
use smartnotes::format::{Format, RenderOptions};
use smartnotes::model::{NewNote, Note, Timestamp};
use smartnotes::store::{Store, StoreError, seed as seeder};

use super::args::{AddArgs, FilterArgs, ListArgs, RmArgs, SeedArgs, ShowArgs, day_zone};
use super::terminal::{confirm, count, escape, escape_document, interactive, quoted};
use super::{ExitCode, edit, progress, usage_error};

pub fn open(db: &Path) -> anyhow::Result<Store> {
    Ok(Store::open(db)?)
}

fn open_or_create(db: &Path) -> anyhow::Result<Store> {
    Ok(Store::open_or_create(db)?)
}

pub fn add(db: &Path, args: AddArgs) -> anyhow::Result<ExitCode> {
    let created = match &args.date {
        Some(date) => date.start_in(Timestamp::now(), &day_zone(args.utc)),
        None => Timestamp::now(),
    };
    let piped = !std::io::stdin().is_terminal();
    let note = match (args.title, args.body) {
        (Some(title), Some(body)) => new_note(title, body, args.tags, created),
        (Some(title), None) if piped => {
            let mut body = String::new();
            std::io::stdin()
                .read_to_string(&mut body)
                .context("reading the body from standard input")?;
            new_note(title, body, args.tags, created)
        }
        (Some(title), None) => new_note(title, String::new(), args.tags, created),
        (None, body) if piped || body.is_some() => {
            return Err(usage_error(
                "add needs --title when the body is given or piped (without both, your \
                 editor opens on a template)",
            ));
        }
        (None, _) => {
            let mut store = open_or_create(db)?;
            let template = edit::template(&mut store, &args.tags, created)?;
            match edit::in_editor(&template, |path, text| edit::read_new(path, text, created))? {
                Some(note) => {
                    let note = store.add(note)?;
                    return added(&note, args.json);
                }
                None => {
                    eprintln!("the template was not changed: no note added");
                    return Ok(ExitCode::Failure);
                }
            }
        }
    };
    let note = open_or_create(db)?.add(note)?;
    added(&note, args.json)
}

fn new_note(title: String, body: String, tags: Vec<String>, created: Timestamp) -> NewNote {
    NewNote {
        created,
        updated: created,
        ..NewNote::now(title, body, tags)
    }
}

fn added(note: &Note, json: bool) -> anyhow::Result<ExitCode> {
    if json {
        let mut out = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut out, note)?;
        writeln!(out)?;
    } else {
        say!("added note {}: {}", note.id, escape(&note.title));
    }
    Ok(ExitCode::Success)
}

pub fn list(db: &Path, args: ListArgs) -> anyhow::Result<ExitCode> {
    let mut store = open(db)?;
    let query = args.filter.query(Timestamp::now());
    // One snapshot: the count, or every page of notes, of one moment.
    let snapshot = store.snapshot()?;
    if args.count {
        let n = snapshot.count(&query)?;
        if args.json {
            say!("{}", serde_json::json!({ "count": n }));
        } else {
            say!("{n}");
        }
        return Ok(ExitCode::Success);
    }
    let mut damaged = Vec::new();
    // A damaged note is skipped with a warning; any other error ends the listing.
    let notes = snapshot.notes(&query)?.filter_map(|note| match note {
        Err(StoreError::Corrupt { id, reason }) => {
            eprintln!("warning: note {id} is damaged and not listed: {reason}");
            damaged.push(id);
            None
        }
        other => Some(other),
    });
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if args.json {
        write_json(&mut out, notes)?;
    } else {
        for note in notes {
            write_line(&mut out, &note?)?;
        }
    }
    out.flush()?;
    if damaged.is_empty() {
        return Ok(ExitCode::Success);
    }
    eprintln!(
        "error: {} not listed: {}",
        count(damaged.len() as u64, "damaged note", "damaged notes"),
        ids(&damaged)
    );
    Ok(ExitCode::Failure)
}

/// `1, 4, 7`.
pub fn ids(ids: &[i64]) -> String {
    ids.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The notes as one pretty JSON array, written as they are read.
fn write_json(
    out: &mut impl Write,
    notes: impl Iterator<Item = Result<Note, StoreError>>,
) -> anyhow::Result<()> {
    let mut json = serde_json::Serializer::pretty(&mut *out);
    let mut seq = json.serialize_seq(None)?;
    for note in notes {
        seq.serialize_element(&note?)?;
    }
    seq.end()?;
    writeln!(out)?;
    Ok(())
}

fn write_line(out: &mut impl Write, note: &Note) -> std::io::Result<()> {
    let tags = if note.tags.is_empty() {
        String::new()
    } else {
        format!("  [{}]", escape(&note.tags.join(", ")))
    };
    // A title or tag is printed with its control characters escaped (`\n` included: one
    // note, one line), piped or not: this is a table for people; --json is exact.
    writeln!(
        out,
        "{:>6}  {}  {}{tags}",
        note.id,
        note.updated,
        escape(&note.title)
    )
}

pub fn show(db: &Path, args: ShowArgs) -> anyhow::Result<ExitCode> {
    if args.links {
        return super::links::show(&open(db)?, args.id, args.json);
    }
    let note = open(db)?.get(args.id)?;
    let mut bytes = Vec::new();
    let format = if args.json { Format::Json } else { Format::Md };
    format.render_file(&note, &RenderOptions::default(), &mut bytes);
    let mut out = std::io::stdout().lock();
    // Piped or redirected (`show 1 > n.md`), the note's bytes go out as they are; on a
    // terminal its control characters are escaped (newlines and tabs stay), as ls does.
    if out.is_terminal() {
        let text = String::from_utf8_lossy(&bytes);
        out.write_all(escape_document(&text).as_bytes())?;
    } else {
        out.write_all(&bytes)?;
    }
    if !bytes.ends_with(b"\n") {
        writeln!(out)?;
    }
    Ok(ExitCode::Success)
}

/// A note `rm` or `tag` acts on: its id, and the note, or why it cannot be read.
pub struct Selected {
    pub id: i64,
    pub note: Result<Note, String>,
}

impl Selected {
    /// The title for a message; a damaged note says so.
    pub fn title(&self) -> String {
        match &self.note {
            Ok(note) => escape(&note.title).into_owned(),
            Err(reason) => format!("(damaged: {})", escape(reason)),
        }
    }
}

/// The notes given by `ids`, or selected by `filter`, or (both) the given ones the filter
/// selects, in id order, each once. `command` names the command in the usage error for
/// neither.
pub fn select(
    store: &mut Store,
    ids: &[i64],
    filter: &FilterArgs,
    command: &str,
) -> anyhow::Result<Vec<Selected>> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if !filter.selects() {
        if ids.is_empty() {
            return Err(usage_error(format!(
                "{command} needs note ids or a filter (--tag, --search, --since, ...)"
            )));
        }
        return ids
            .into_iter()
            .map(|id| match store.get(id) {
                Ok(note) => Ok(Selected { id, note: Ok(note) }),
                // A damaged note can be removed too: that is how one gets rid of it.
                Err(StoreError::Corrupt { reason, .. }) => Ok(Selected {
                    id,
                    note: Err(reason),
                }),
                Err(e) => Err(e.into()),
            })
            .collect();
    }
    let query = filter.query(Timestamp::now());
    let snapshot = store.snapshot()?;
    let mut selected = Vec::new();
    for note in snapshot.notes(&query)? {
        let item = match note {
            Ok(note) => Selected {
                id: note.id,
                note: Ok(note),
            },
            Err(StoreError::Corrupt { id, reason }) => Selected {
                id,
                note: Err(reason),
            },
            Err(e) => return Err(e.into()),
        };
        if ids.is_empty() || ids.binary_search(&item.id).is_ok() {
            selected.push(item);
        }
    }
    selected.sort_by_key(|s| s.id);
    Ok(selected)
}

/// Asks before changing more than one note; without a terminal, only `--yes` lets it go on.
pub fn confirmed(what: &str, n: usize, yes: bool) -> anyhow::Result<bool> {
    if n <= 1 || yes {
        return Ok(true);
    }
    if !interactive() {
        return Err(usage_error(format!(
            "{what}? There is no terminal to ask on: pass --yes to go ahead"
        )));
    }
    Ok(confirm(&format!("{what}?"))?)
}

pub fn rm(db: &Path, args: RmArgs) -> anyhow::Result<ExitCode> {
    let mut store = open(db)?;
    let selected = select(&mut store, &args.ids, &args.filter, "rm")?;
    if selected.is_empty() {
        bail!("no note matches the filter: nothing removed");
    }
    let what = format!("remove {}", count(selected.len() as u64, "note", "notes"));
    if selected.len() > 1 && !args.yes && interactive() {
        for s in selected.iter().take(20) {
            eprintln!("{:>6}  {}", s.id, s.title());
        }
        if selected.len() > 20 {
            eprintln!("   ... and {} more", selected.len() - 20);
        }
    }
    if !confirmed(&what, selected.len(), args.yes)? {
        eprintln!("nothing removed");
        return Ok(ExitCode::Failure);
    }
    let ids: Vec<i64> = selected.iter().map(|s| s.id).collect();
    store.remove_all(&ids)?;
    if args.json {
        let removed: Vec<_> = selected
            .iter()
            .map(|s| match &s.note {
                Ok(note) => serde_json::json!({ "id": s.id, "title": note.title }),
                Err(reason) => serde_json::json!({ "id": s.id, "damaged": reason }),
            })
            .collect();
        let mut out = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut out, &removed)?;
        writeln!(out)?;
    } else {
        for s in &selected {
            say!("removed note {}: {}", s.id, s.title());
        }
        if selected.len() > 1 {
            say!("removed {}", count(selected.len() as u64, "note", "notes"));
        }
        super::attach::after_rm(&store)?;
    }
    Ok(ExitCode::Success)
}

pub fn seed(db: &Path, args: SeedArgs) -> anyhow::Result<ExitCode> {
    let mut store = open_or_create(db)?;
    let held = store.count(&Default::default())?;
    if held > 0 {
        let what = format!(
            "the notebook {} already holds {}: add {} to it",
            quoted(db),
            count(held, "note", "notes"),
            count(args.count as u64, "seeded note", "seeded notes")
        );
        if !confirmed(&what, 2, args.yes)? {
            eprintln!("no notes added");
            return Ok(ExitCode::Failure);
        }
    }
    let started = Instant::now();
    let bar = progress::bar("notes", "seeding", args.quiet || args.json);
    if let Some(bar) = &bar {
        bar.start(args.count as u64);
    }
    let notes = seeder::notes(args.count, args.seed).inspect(|_| {
        if let Some(bar) = &bar {
            bar.inc(1);
        }
    });
    let added = store.add_all(notes);
    if let Some(bar) = &bar {
        bar.finish();
    }
    let ids = added?;
    let (first, last) = (ids.first().copied(), ids.last().copied());
    if args.json {
        say!(
            "{}",
            serde_json::json!({
                "added": ids.len(),
                "first": first,
                "last": last,
                "seed": args.seed,
                "db": db.display().to_string(),
            })
        );
        return Ok(ExitCode::Success);
    }
    match (first, last) {
        (Some(first), Some(last)) => say!(
            "added {} (ids {first} to {last}, seed {}) to {} in {:.2} s",
            count(ids.len() as u64, "note", "notes"),
            args.seed,
            quoted(db),
            started.elapsed().as_secs_f64()
        ),
        _ => say!("added no notes"),
    }
    Ok(ExitCode::Success)
}
