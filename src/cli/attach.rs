//! `attach ID FILE...` and `gc`: a note's attachments, and removing those no note uses; and
//! the attachments line of `import`'s report.
//!
//! `attach` hashes each file (one read), stores it under its file name unless the notebook
//! already holds those bytes, and makes the note use it: one transaction per file, so a file
//! that fails (unreadable, too large, a FIFO, a name already kept with other bytes) is named
//! with what is wrong and the others are still attached. `rm` never removes an attachment:
//! `gc` does, for every attachment no note uses any more (and says what it would do with
//! `--dry-run`).

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use smartnotes::export::human_bytes;
use smartnotes::import::{AttachmentCounts, hash_attachment};
use smartnotes::store::{AttachmentFile, Store};

use super::ExitCode;
use super::args::{AttachArgs, GcArgs};
use super::notes::open;
use super::terminal::{count, escape, quoted};

pub fn attach(db: &Path, args: AttachArgs) -> anyhow::Result<ExitCode> {
    let mut store = open(db)?;
    // The note first: a mistyped id names itself before any file is read.
    store.get(args.id)?;
    let mut done = Vec::new();
    let mut failed = false;
    for file in &args.files {
        match attach_one(&mut store, args.id, file, args.max_attachment_size) {
            Ok(stored) => done.push(serde_json::json!({
                "file": file.display().to_string(),
                "id": stored.attachment.id,
                "path": stored.attachment.path,
                "hash": stored.attachment.hex(),
                "size": stored.attachment.size,
                "stored": stored.stored,
                "new_bytes": stored.new_bytes,
            })),
            Err(e) => {
                failed = true;
                eprintln!("error: {}", escape(&format!("{e:#}")));
            }
        }
    }
    if args.json {
        let mut out = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut out, &done)?;
        writeln!(out)?;
    } else {
        for d in &done {
            let how = match (d["stored"].as_str(), d["new_bytes"].as_bool()) {
                (Some("unchanged"), _) => "already kept",
                (_, Some(true)) => "stored",
                _ => "same bytes as one already kept, stored once",
            };
            say!(
                "attached {} to note {} as {} ({}, {how})",
                escape(d["file"].as_str().unwrap_or_default()),
                args.id,
                escape(d["path"].as_str().unwrap_or_default()),
                human_bytes(d["size"].as_u64().unwrap_or_default()),
            );
        }
    }
    Ok(if failed {
        ExitCode::Failure
    } else {
        ExitCode::Success
    })
}

fn attach_one(
    store: &mut Store,
    note: i64,
    file: &Path,
    max_size: u64,
) -> anyhow::Result<smartnotes::store::StoredAttachment> {
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .with_context(|| format!("{}: the file name is not UTF-8 text", file.display()))?;
    // The error names the file and what is wrong in one line; its source would repeat it.
    let hashed = hash_attachment(file, max_size).map_err(|e| anyhow::anyhow!("{e}"))?;
    let open = || hashed.reopen();
    let source = AttachmentFile {
        origin: file,
        size: hashed.size,
        hash: hashed.hash,
        open: &open,
    };
    store
        .attach(note, name, &source)
        .with_context(|| format!("attaching {} to note {note}", quoted(file)))
}

pub fn gc(db: &Path, args: GcArgs) -> anyhow::Result<ExitCode> {
    let mut store = open(db)?;
    let report = store.gc(args.dry_run)?;
    if args.json {
        let mut out = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
        return Ok(ExitCode::Success);
    }
    let verb = if args.dry_run {
        "dry run: would remove"
    } else {
        "removed"
    };
    for a in &report.attachments {
        say!("{verb:<6} {}  ({})", escape(&a.path), human_bytes(a.size));
    }
    say!(
        "{verb} {} no note uses ({} of stored bytes)",
        count(report.attachments.len() as u64, "attachment", "attachments"),
        human_bytes(report.bytes)
    );
    Ok(ExitCode::Success)
}

/// The line `import` prints about attachments, when it found any.
pub fn report_import(
    out: &mut impl Write,
    counts: &AttachmentCounts,
    dry_run: bool,
) -> std::io::Result<()> {
    if counts.files == 0 {
        return Ok(());
    }
    let verb = if dry_run {
        "would store"
    } else {
        "attachments"
    };
    write!(
        out,
        "{verb}: {} added, {} updated, {} unchanged, {} of new bytes",
        counts.added,
        counts.updated,
        counts.unchanged,
        human_bytes(counts.new_bytes)
    )?;
    if counts.unused > 0 && !dry_run {
        write!(
            out,
            "; {} no note links to (kept until `smartnotes gc`, not exported)",
            count(counts.unused, "attachment", "attachments")
        )?;
    }
    writeln!(out)
}

/// What `rm` adds when notes it removed leave attachments no note uses.
pub fn after_rm(store: &Store) -> anyhow::Result<()> {
    let unused = store.unused_attachments()?;
    if unused > 0 {
        say!(
            "{} no note uses any more: `smartnotes gc` removes {}",
            count(unused, "attachment", "attachments"),
            if unused == 1 { "it" } else { "them" }
        );
    }
    Ok(())
}
