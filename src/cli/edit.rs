//! `smartnotes edit ID`, and `add` without a title: a note as Markdown with front matter in
//! the user's editor, read back on save with the Markdown importer's own parser (one parser
//! for a note in Markdown, wherever it comes from).
//!
//! The editor is `$VISUAL`, else `$EDITOR`, else `vi`, else `nano`, run through `sh -c` as
//! git runs it, so that a command with arguments (`code --wait`) works. What the user typed is
//! never lost: text that does not parse is reported (file, line, field) and, on a terminal,
//! offered again (`(e)dit again, (d)iscard?`, as `crontab -e` asks); without a terminal, or
//! when saving fails, the file is kept and its path printed.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use smartnotes::format::{Format, RenderOptions};
use smartnotes::import;
use smartnotes::model::{NewNote, Note, Properties, Timestamp};
use smartnotes::store::{ImportMode, Incoming, Query, Sort, Store};

use super::ExitCode;
use super::args::EditArgs;
use super::notes::open;
use super::terminal::{escape, interactive, quoted};

pub fn edit(db: &Path, args: EditArgs) -> anyhow::Result<ExitCode> {
    let mut store = open(db)?;
    let before = store.get(args.id)?;
    let mut text = Vec::new();
    Format::Md.render_file(&before, &RenderOptions::default(), &mut text);
    let text = String::from_utf8(text).context("the note's Markdown is not UTF-8")?;
    let saved = in_editor(&text, |path, edited| {
        read_edit(path, edited, &text, &before)
    })?;
    let note = match saved {
        Some(Some(note)) => note,
        // Saved as it was, or changed only in ways that leave every field the same.
        Some(None) | None => {
            report(&before, args.json, "unchanged")?;
            return Ok(ExitCode::Success);
        }
    };
    save(&mut store, &before, note)?;
    let after = store.get(args.id)?;
    report(&after, args.json, "saved")?;
    Ok(ExitCode::Success)
}

fn report(note: &Note, json: bool, what: &str) -> anyhow::Result<()> {
    if json {
        let mut out = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut out, note)?;
        writeln!(out)?;
    } else {
        say!("{what} note {}: {}", note.id, escape(&note.title));
    }
    Ok(())
}

/// Writes the edited note, unless another command changed the note meanwhile: then the
/// edited text is kept in a file and the error says where.
fn save(store: &mut Store, before: &Note, note: NewNote) -> anyhow::Result<()> {
    let now = store.get(before.id)?;
    let result = if now != *before {
        Err(anyhow::anyhow!(
            "note {} was changed by another command while you edited it",
            before.id
        ))
    } else {
        store
            .import(
                &[Incoming {
                    id: Some(before.id),
                    note: note.clone(),
                }],
                ImportMode::Update,
                false,
                false,
            )
            .map(drop)
            .map_err(anyhow::Error::from)
    };
    result.or_else(|e| {
        let mut kept = Vec::new();
        let saved = note.with_id(before.id);
        Format::Md.render_file(&saved, &RenderOptions::default(), &mut kept);
        let path = keep(&kept).context("cannot keep your text in a file either")?;
        Err(e.context(format!(
            "the note was not saved; your text is kept in {}",
            quoted(&path)
        )))
    })
}

/// The text `add` opens the editor on: a note's front matter with an empty title, the given
/// tags and the creation time, and an empty body. Its id is the one the note will likely get
/// (`add` gives it the next free id whatever the text says).
pub fn template(store: &mut Store, tags: &[String], created: Timestamp) -> anyhow::Result<String> {
    let last = Query {
        sort: Sort::Id,
        descending: true,
        limit: Some(1),
        ..Query::default()
    };
    let last = store.list(&last).ok().and_then(|n| n.first().map(|n| n.id));
    let note = Note {
        id: last.unwrap_or(0) + 1,
        title: String::new(),
        tags: tags.to_vec(),
        created,
        updated: created,
        body: String::new(),
        properties: Properties::new(),
        source: None,
    };
    let mut text = Vec::new();
    Format::Md.render_file(&note, &RenderOptions::default(), &mut text);
    String::from_utf8(text).context("the template is not UTF-8")
}

/// The one note the text holds, parsed as an imported Markdown file is. Whatever import would
/// only warn about (a date it cannot read, kept as a property) is an error here: the person
/// editing is there to fix it.
fn parse_one(path: &Path, text: &str) -> Result<import::Record, String> {
    let options = import::ReadOptions {
        ids_matter: true,
        ..import::ReadOptions::default()
    };
    let read = import::parse(path, text, import::Shape::Markdown, &options);
    if let Some(warning) = read.warnings.first() {
        return Err(warning.to_string());
    }
    let mut records = read.records.into_iter();
    match (records.next(), records.next()) {
        (Some(Ok(record)), None) => Ok(record),
        (Some(Err(e)), _) => Err(e.to_string()),
        (Some(Ok(_)), Some(_)) => Err("the file holds more than one note".into()),
        (None, _) => Err("the file is empty".into()),
    }
}

/// The edited note, `None` when every field is as it was; `Err` says what is wrong. `shown` is
/// the text the editor was opened on.
fn read_edit(
    path: &Path,
    text: &str,
    shown: &str,
    before: &Note,
) -> Result<Option<NewNote>, String> {
    let record = parse_one(path, text)?;
    match record.id {
        Some(id) if id == before.id => {}
        Some(id) => {
            return Err(format!(
                "id: this is note {}; an edit cannot change its id (it says {id})",
                before.id
            ));
        }
        None => {
            return Err(
                "the front matter is gone: keep the `---` block at the top (id, title, tags, \
                 created, updated)"
                    .into(),
            );
        }
    }
    let mut note = record.note;
    // Where the note was imported from stays what it was: the file edited is not a source.
    note.source = before.source.clone();
    // Properties the Markdown does not carry (the text shown, read back, lacks them) cannot
    // have been edited: they stay as they were rather than being lost.
    let carried = parse_one(path, shown).is_ok_and(|r| r.note.properties == before.properties);
    if !carried {
        note.properties = before.properties.clone();
    }
    let unchanged = NewNote {
        title: before.title.clone(),
        body: before.body.clone(),
        tags: before.tags.clone(),
        created: before.created,
        updated: before.updated,
        properties: before.properties.clone(),
        source: before.source.clone(),
    };
    let mut same_but_updated = note.clone();
    same_but_updated.updated = before.updated;
    if same_but_updated == unchanged {
        // Only `updated` itself was edited, or nothing was: a hand-set `updated` is kept.
        return Ok((note.updated != before.updated).then_some(note));
    }
    if note.updated == before.updated {
        note.updated = Timestamp::now().max(note.created);
    }
    Ok(Some(note))
}

/// The note `add` makes of the template as saved.
pub fn read_new(path: &Path, text: &str, created: Timestamp) -> Result<NewNote, String> {
    let record = parse_one(path, text)?;
    let mut note = record.note;
    if note.title.trim().is_empty() && note.body.trim().is_empty() {
        return Err("title: the note has no title and no body".into());
    }
    if note.created == created {
        note.updated = created;
    }
    // Written in the editor, not imported from anywhere.
    note.source = None;
    Ok(note)
}

/// Opens `text` in the editor until it parses (`read` says so) or the user gives up. `None`:
/// the text came back exactly as it went in, or the user discarded it.
pub fn in_editor<T>(
    text: &str,
    mut read: impl FnMut(&Path, &str) -> Result<T, String>,
) -> anyhow::Result<Option<T>> {
    let path = keep(text.as_bytes()).context("cannot write the note for the editor")?;
    loop {
        if let Err(e) = run_editor(&path) {
            let unchanged = std::fs::read(&path).is_ok_and(|t| t == text.as_bytes());
            if unchanged {
                let _ = std::fs::remove_file(&path);
                return Err(e);
            }
            return Err(e.context(format!("your text is kept in {}", quoted(&path))));
        }
        let edited =
            std::fs::read(&path).with_context(|| format!("cannot read {} back", quoted(&path)))?;
        if edited == text.as_bytes() {
            let _ = std::fs::remove_file(&path);
            return Ok(None);
        }
        let problem = match String::from_utf8(edited) {
            Ok(edited) => match read(&path, &edited) {
                Ok(value) => {
                    let _ = std::fs::remove_file(&path);
                    return Ok(Some(value));
                }
                Err(problem) => problem,
            },
            Err(e) => format!("invalid UTF-8 at byte {}", e.utf8_error().valid_up_to()),
        };
        // The importer's errors start with the file and line; the others get the file.
        let shown = path.display().to_string();
        let problem = if problem.starts_with(&shown) {
            problem
        } else {
            format!("{shown}: {problem}")
        };
        if !interactive() {
            bail!(
                "{}\nthe note was not saved; your text is kept in {}",
                escape(&problem),
                quoted(&path)
            );
        }
        eprintln!("error: {}", escape(&problem));
        if !again()? {
            let _ = std::fs::remove_file(&path);
            eprintln!("discarded; the note is as it was");
            return Ok(None);
        }
    }
}

/// `(e)dit again, (d)iscard?`: true to edit again. The end of input discards nothing: the
/// answer must be `d`.
fn again() -> anyhow::Result<bool> {
    loop {
        eprint!("(e)dit again, (d)iscard? ");
        std::io::stderr().flush()?;
        let mut answer = String::new();
        if std::io::stdin().lock().read_line(&mut answer)? == 0 {
            bail!("no answer: the text is kept");
        }
        match answer.trim().to_ascii_lowercase().as_str() {
            "e" | "edit" | "" => return Ok(true),
            "d" | "discard" => return Ok(false),
            _ => {}
        }
    }
}

/// Writes `bytes` to a new file of the user's own (mode 0600) in the temporary folder, kept
/// until removed.
fn keep(bytes: &[u8]) -> anyhow::Result<PathBuf> {
    let mut file = tempfile::Builder::new()
        .prefix("smartnotes-note-")
        .suffix(".md")
        .tempfile()?;
    file.write_all(bytes)?;
    file.flush()?;
    Ok(file.into_temp_path().keep()?)
}

/// The editor's command: `$VISUAL`, `$EDITOR`, `vi`, `nano`, the first that is set (or, for
/// the last two, found on `PATH`).
fn editor() -> anyhow::Result<String> {
    for var in ["VISUAL", "EDITOR"] {
        if let Some(value) = std::env::var_os(var).filter(|v| !v.is_empty()) {
            return value
                .into_string()
                .map_err(|_| anyhow::anyhow!("{var} is not valid UTF-8"));
        }
    }
    for fallback in ["vi", "nano"] {
        if on_path(fallback) {
            return Ok(fallback.to_owned());
        }
    }
    bail!("no editor found: set VISUAL or EDITOR (for example EDITOR=nano)")
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// Runs the editor on `path` and waits for it; a failure to start or a non-zero exit is an
/// error.
fn run_editor(path: &Path) -> anyhow::Result<()> {
    let editor = editor()?;
    // As git does: the command is shell text, the file its last argument.
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$@\""))
        .arg(&editor)
        .arg(path)
        .status()
        .with_context(|| format!("cannot start the editor {editor:?}"))?;
    if !status.success() {
        bail!("the editor {editor:?} exited with {status}: the note was not changed");
    }
    Ok(())
}
