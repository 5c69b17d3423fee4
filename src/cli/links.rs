//! `show ID --links`: a note's links, what each resolves to, and the notes that link to it.
//!
//! `show ID` alone prints the note's file, which `import` reads back, so the links are asked
//! for with `--links` rather than appended to it.

use std::io::Write;

use serde_json::{Value, json};
use smartnotes::links::{Link, Resolved};
use smartnotes::store::Store;

use super::ExitCode;
use super::terminal::escape;

/// Prints the links of note `id` and its backlinks, as text or JSON.
pub fn show(store: &Store, id: i64, json: bool) -> anyhow::Result<ExitCode> {
    let note = store.get(id)?;
    let links = store.links_of(id)?;
    let backlinks = store.backlinks_of(id)?;
    // The text each backlink is written as, from the body of the note it is in.
    let mut back_written = Vec::with_capacity(backlinks.len());
    for link in &backlinks {
        let body = if link.source == id {
            Some(note.body.clone())
        } else {
            store.get(link.source).ok().map(|n| n.body)
        };
        back_written.push(body.and_then(|b| link.written(&b).map(str::to_owned)));
    }
    let mut out = std::io::stdout().lock();
    if json {
        let value = json!({
            "id": id,
            "links": links.iter().map(|l| describe(l, link_text(l, &note.body))).collect::<Vec<_>>(),
            "backlinks": backlinks.iter().zip(&back_written)
                .map(|(l, w)| describe(l, w.clone())).collect::<Vec<_>>(),
        });
        serde_json::to_writer_pretty(&mut out, &value)?;
        writeln!(out)?;
        return Ok(ExitCode::Success);
    }
    writeln!(out, "note {id}: {}", escape(&note.title))?;
    writeln!(out, "links ({}):", links.len())?;
    for link in &links {
        let written = link_text(link, &note.body).unwrap_or_default();
        writeln!(
            out,
            "  {:<8}  {}  -> {}",
            link.kind.name(),
            escape(&written),
            target(store, link.resolved)
        )?;
    }
    writeln!(out, "backlinks ({}):", backlinks.len())?;
    for (link, written) in backlinks.iter().zip(&back_written) {
        let title = store.get(link.source).map(|n| n.title).unwrap_or_default();
        writeln!(
            out,
            "  note {}: {}  {}",
            link.source,
            escape(&title),
            escape(written.as_deref().unwrap_or_default())
        )?;
    }
    Ok(ExitCode::Success)
}

fn link_text(link: &Link, body: &str) -> Option<String> {
    link.written(body).map(str::to_owned)
}

/// What a link resolves to, for people.
fn target(store: &Store, resolved: Resolved) -> String {
    match resolved {
        Resolved::Note(id) => match store.get(id) {
            Ok(note) => format!("note {id}: {}", escape(&note.title)),
            Err(_) => format!("note {id}"),
        },
        Resolved::Attachment(id) => format!("attachment {id}"),
        Resolved::Nothing => "unresolved".to_owned(),
    }
}

/// A link as JSON: its parts, where it is, and what it resolves to (`null` for nothing).
fn describe(link: &Link, written: Option<String>) -> Value {
    let resolved = match link.resolved {
        Resolved::Note(id) => json!({"note": id}),
        Resolved::Attachment(id) => json!({"attachment": id}),
        Resolved::Nothing => Value::Null,
    };
    json!({
        "source": link.source,
        "kind": link.kind.name(),
        "target": link.target,
        "anchor": link.anchor,
        "shown": link.shown,
        "position": link.start,
        "written": written,
        "resolved": resolved,
    })
}
