//! `add`, `list`, `show`, `rm` and `seed`: the notebook commands.
//!
//! The reading commands (`list`, `show`, `rm`) open an existing notebook and never create one:
//! a mistyped `--db` is an error naming the path. `add` and `seed` create the notebook (and
//! its folder) if it is not there yet.

use std::io::{IsTerminal, Read, Write};
use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use serde::ser::{SerializeSeq, Serializer};
use smartnotes::format::{Format, RenderOptions};
use smartnotes::model::{NewNote, Note, Timestamp};
use smartnotes::store::{Store, StoreError, seed as seeder};

use super::ExitCode;
use super::args::{AddArgs, ListArgs, RmArgs, SeedArgs, ShowArgs};
use super::terminal::{escape, escape_document};

fn open(db: &Path) -> anyhow::Result<Store> {
    Ok(Store::open(db)?)
}

fn open_or_create(db: &Path) -> anyhow::Result<Store> {
    Ok(Store::open_or_create(db)?)
}

pub fn add(db: &Path, args: AddArgs) -> anyhow::Result<ExitCode> {
    let body = match args.body {
        Some(body) => body,
        None if !std::io::stdin().is_terminal() => {
            let mut body = String::new();
            std::io::stdin()
                .read_to_string(&mut body)
                .context("reading the body from standard input")?;
            body
        }
        None => String::new(),
    };
    let note = open_or_create(db)?.add(NewNote::now(args.title, body, args.tags))?;
    println!("added note {}: {}", note.id, escape(&note.title));
    Ok(ExitCode::Success)
}

pub fn list(db: &Path, args: ListArgs) -> anyhow::Result<ExitCode> {
    let mut store = open(db)?;
    let query = args.filter.query(Timestamp::now());
    // One snapshot: the count, or every page of notes, of one moment.
    let snapshot = store.snapshot()?;
    if args.count {
        println!("{}", snapshot.count(&query)?);
        return Ok(ExitCode::Success);
    }
    let mut damaged = Vec::new();
    // A damaged note is skipped with a warning; any other error ends the listing.
    let notes = snapshot.notes(&query)?.filter_map(|note| match note {
        Err(StoreError::Corrupt { id, reason }) => {
            eprintln!("smartnotes: warning: note {id} is damaged and not listed: {reason}");
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
        "smartnotes: {} damaged note(s) not listed: {}",
        damaged.len(),
        damaged
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(ExitCode::Failure)
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

pub fn rm(db: &Path, args: RmArgs) -> anyhow::Result<ExitCode> {
    let mut store = open(db)?;
    // A damaged note can be removed too: that is how one gets rid of it.
    let title = match store.get(args.id) {
        Ok(note) => note.title,
        Err(StoreError::Corrupt { reason, .. }) => format!("(damaged: {reason})"),
        Err(e) => return Err(e.into()),
    };
    store.remove(args.id)?;
    println!("removed note {}: {}", args.id, escape(&title));
    Ok(ExitCode::Success)
}

pub fn seed(db: &Path, args: SeedArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let mut store = open_or_create(db)?;
    let ids = store.add_all(seeder::notes(args.count, args.seed))?;
    match (ids.first(), ids.last()) {
        (Some(first), Some(last)) => println!(
            "added {} notes (ids {first} to {last}, seed {}) to {} in {:.2} s",
            ids.len(),
            args.seed,
            escape(&db.display().to_string()),
            started.elapsed().as_secs_f64()
        ),
        _ => println!("added no notes"),
    }
    Ok(ExitCode::Success)
}
