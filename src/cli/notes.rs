//! `add`, `list`, `show`, `rm` and `seed`: the notebook commands.

use std::io::{IsTerminal, Read, Write};
use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use smartnotes::format::{Format, RenderOptions};
use smartnotes::model::{NewNote, Timestamp};
use smartnotes::store::{Store, seed as seeder};

use super::ExitCode;
use super::args::{AddArgs, ListArgs, RmArgs, SeedArgs, ShowArgs};
use super::terminal::{escape, escape_document};

fn open(db: &Path) -> anyhow::Result<Store> {
    Ok(Store::open(db)?)
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
    let note = open(db)?.add(NewNote::now(args.title, body, args.tags))?;
    println!("added note {}: {}", note.id, escape(&note.title));
    Ok(ExitCode::Success)
}

pub fn list(db: &Path, args: ListArgs) -> anyhow::Result<ExitCode> {
    let store = open(db)?;
    let query = args.filter.query(Timestamp::now());
    if args.count {
        println!("{}", store.count(&query)?);
        return Ok(ExitCode::Success);
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if args.json {
        let notes = store.list(&query)?;
        serde_json::to_writer_pretty(&mut out, &notes)?;
        writeln!(out)?;
    } else {
        for note in store.stream(&query) {
            let note = note?;
            let tags = if note.tags.is_empty() {
                String::new()
            } else {
                format!("  [{}]", escape(&note.tags.join(", ")))
            };
            // A title or tag is printed with its control characters escaped (`\n` included:
            // one note, one line), piped or not: this is a table for people; --json is exact.
            writeln!(
                out,
                "{:>6}  {}  {}{tags}",
                note.id,
                note.updated,
                escape(&note.title)
            )?;
        }
    }
    out.flush()?;
    Ok(ExitCode::Success)
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
    let note = store.get(args.id)?;
    store.remove(args.id)?;
    println!("removed note {}: {}", note.id, escape(&note.title));
    Ok(ExitCode::Success)
}

pub fn seed(db: &Path, args: SeedArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let mut store = open(db)?;
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
