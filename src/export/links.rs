//! Links at export: each note's Markdown file gets its links rewritten to what this export
//! wrote (`--links`, `--embeds`; the rewriting itself is [`crate::links::rewrite`]).
//!
//! Only Markdown files are rewritten, in the `files` and `vault` layouts: JSON, JSONL and CSV
//! keep the body as stored (they are data, read back by import), and a bundle keeps it too
//! (`notes.md` has no file per note for a link to lead to). Only a notebook's stored links
//! are used (store/links.rs); notes given in memory or made up keep their bodies.
//!
//! Cost: an export of a notebook without links asks one query and is otherwise untouched.
//! With links, [`Linker::watch`] reads the note stream a page ahead ([`PAGE_SIZE`] notes)
//! and loads the links of the page's notes that hold a `[` and their target notes in two
//! queries, never one per note; a note without links is then one hash lookup. The rewritten
//! body goes only to the note's Markdown job, and [`Linker::hash_with`] folds it into the
//! incremental hash, so a note whose link target was renamed (or left the export) is
//! written again though the note itself did not change.
//!
//! A target note is in the export when the export's filter selects it; with `--limit` when
//! it is among the notes exported (their ids are read once). A link to a note the export
//! does not hold, or that resolves to nothing, is left as written and listed in the summary.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Mutex;

use super::attachments::{AttachmentLayout, attachment_path};
use super::config::{ExportConfig, Layout};
use super::manifest::NoteHash;
use super::naming::{self, Naming};
use super::placement::Placements;
use super::source::{Keyed, KeyedNotes, Notes, Reader};
use crate::format::Format;
use crate::links::rewrite::{Destination, Rewrite, Targets};
use crate::links::{Broken, EmbedMode, Link, LinkMode, Resolved};
use crate::model::{Note, Properties, Timestamp};
use crate::store::{PAGE_SIZE, Query, Snapshot, StoreError, TargetNote};
use crate::sys::lock;

/// What the export's links came to, for its summary.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct LinksReport {
    /// How links were written.
    pub mode: Option<LinkMode>,
    /// How embedded notes were written.
    pub embeds: EmbedMode,
    /// Markdown files whose links were rewritten.
    pub notes_rewritten: u64,
    /// Links left as written because they lead nowhere in this export.
    pub broken: Vec<Broken>,
}

/// The links of the page of notes just read, and their target notes.
#[derive(Default)]
struct Page {
    links: HashMap<i64, Vec<Link>>,
    targets: HashMap<i64, TargetNote>,
}

/// The link rewriting of one export; see the module docs.
pub(crate) struct Linker<'a> {
    snapshot: &'a Snapshot<'static>,
    query: &'a Query,
    mode: LinkMode,
    embeds: EmbedMode,
    layout: Layout,
    naming: Naming,
    placements: Option<&'a Placements>,
    // With --limit: the ids the export holds.
    exported: Option<HashSet<i64>>,
    // Where the export writes the attachments of its notes, and which ones it writes: a
    // link to any other attachment leads nowhere in this export.
    attachments: AttachmentLayout,
    attachment_ids: HashSet<i64>,
    // With --incremental: the notes that have links, which are read whatever their version
    // says (their targets can change while they do not).
    linking: HashSet<i64>,
    page: Mutex<Page>,
    report: Mutex<LinksReport>,
}

impl<'a> Linker<'a> {
    /// The linker of an export, if it has links to rewrite: Markdown in the files or vault
    /// layout, from a notebook that holds links.
    pub(crate) fn new(
        reader: &Reader<'a>,
        config: &ExportConfig,
        placements: Option<&'a Placements>,
    ) -> Result<Option<Linker<'a>>, StoreError> {
        let Reader::Snapshot { snapshot, query } = reader else {
            return Ok(None);
        };
        if config.layout == Layout::Bundle
            || !config.formats.contains(&Format::Md)
            || !snapshot.has_links()?
        {
            return Ok(None);
        }
        let exported = match query.limit {
            Some(_) => Some(exported_ids(snapshot, query)?),
            None => None,
        };
        let mode = config.link_mode();
        let attachments = reader.attachments()?;
        let linking = match config.incremental {
            true => snapshot.linking_notes()?,
            false => HashSet::new(),
        };
        Ok(Some(Linker {
            linking,
            attachment_ids: attachments.iter().map(|a| a.id).collect(),
            attachments: AttachmentLayout::new(config.layout, &attachments),
            snapshot,
            query,
            mode,
            embeds: config.embeds,
            layout: config.layout,
            naming: config.naming,
            placements,
            exported,
            page: Mutex::new(Page::default()),
            report: Mutex::new(LinksReport {
                mode: Some(mode),
                embeds: config.embeds,
                ..LinksReport::default()
            }),
        }))
    }

    /// `notes`, read a page ahead so that the links of each page are loaded at once.
    pub(crate) fn watch<'s>(&'s self, notes: Notes<'s>) -> Notes<'s> {
        let mut notes = notes;
        let mut ahead: VecDeque<Result<Note, StoreError>> = VecDeque::new();
        Box::new(std::iter::from_fn(move || {
            if ahead.is_empty() {
                ahead.extend(notes.by_ref().take(PAGE_SIZE));
                if let Err(e) = self.load(ahead.iter().filter_map(|n| n.as_ref().ok())) {
                    return Some(Err(e));
                }
            }
            ahead.pop_front()
        }))
    }

    /// [`Linker::watch`] for an incremental export's keyed notes: the links of the notes of
    /// a page that are read.
    pub(crate) fn watch_keyed<'s>(&'s self, notes: KeyedNotes<'s>) -> KeyedNotes<'s> {
        let mut notes = notes;
        let mut ahead: VecDeque<Result<Keyed, StoreError>> = VecDeque::new();
        Box::new(std::iter::from_fn(move || {
            if ahead.is_empty() {
                ahead.extend(notes.by_ref().take(PAGE_SIZE));
                let read = ahead.iter().filter_map(|k| k.as_ref().ok()?.note.as_ref());
                if let Err(e) = self.load(read) {
                    return Some(Err(e));
                }
            }
            ahead.pop_front()
        }))
    }

    /// Whether note `id` has links (known with `--incremental` only, where it matters).
    pub(crate) fn has_links(&self, id: i64) -> bool {
        self.linking.contains(&id)
    }

    fn load<'n>(&self, notes: impl Iterator<Item = &'n Note>) -> Result<(), StoreError> {
        let ids: Vec<i64> = notes
            .filter(|n| n.body.as_bytes().contains(&b'['))
            .map(|n| n.id)
            .collect();
        let mut page = Page::default();
        if !ids.is_empty() {
            let (links, targets) = self.snapshot.links_of(&ids, self.query)?;
            for link in links {
                page.links.entry(link.source).or_default().push(link);
            }
            page.targets = targets.into_iter().map(|t| (t.id, t)).collect();
        }
        *lock(&self.page) = page;
        Ok(())
    }

    /// The note as its Markdown file is to hold it (its links rewritten), if that differs
    /// from the note as stored.
    pub(crate) fn markdown_of(&self, note: &Note) -> Option<Note> {
        let page = lock(&self.page);
        let links = page.links.get(&note.id)?;
        let from = self.path_of(note.id, &note.title)?;
        let targets = PageTargets {
            linker: self,
            page: &page,
        };
        let rewrite = Rewrite {
            targets: &targets,
            links: self.mode,
            embeds: self.embeds,
        };
        let mut broken = Vec::new();
        let body = rewrite.body(note.id, &note.body, links, &from, &mut broken);
        drop(page);
        let mut report = lock(&self.report);
        report.broken.extend(broken);
        if body == note.body {
            return None;
        }
        report.notes_rewritten += 1;
        Some(Note {
            body,
            ..note.clone()
        })
    }

    /// `hash` (a note's incremental hash) with the body of its rewritten Markdown folded in.
    pub(crate) fn hash_with(hash: NoteHash, markdown: &Note) -> NoteHash {
        let mut h = blake3::Hasher::new();
        h.update(&hash);
        h.update(markdown.body.as_bytes());
        let mut out = [0; 16];
        out.copy_from_slice(&h.finalize().as_bytes()[..16]);
        out
    }

    /// What the export's links came to.
    pub(crate) fn report(&self) -> LinksReport {
        let mut report = lock(&self.report).clone();
        report
            .broken
            .sort_by(|a, b| (a.note, &a.link).cmp(&(b.note, &b.link)));
        report.broken.dedup();
        report
    }

    /// The path of note `id`'s Markdown file from the export folder, if it has one.
    fn path_of(&self, id: i64, title: &str) -> Option<String> {
        if let Some(placements) = self.placements
            && let Some(placed) = placements.get(id, Format::Md)
        {
            return placed.ok().map(|p| p.to_string());
        }
        if self.layout == Layout::Vault {
            return None;
        }
        let stand_in = Note {
            id,
            title: title.to_owned(),
            tags: Vec::new(),
            created: Timestamp::from_micros(0)?,
            updated: Timestamp::from_micros(0)?,
            body: String::new(),
            properties: Properties::new(),
            source: None,
        };
        let path = naming::relative_path(&stand_in, Format::Md, self.naming);
        Some(path.to_string_lossy().replace('\\', "/"))
    }

    fn exports(&self, target: &TargetNote) -> bool {
        target.selected
            && self
                .exported
                .as_ref()
                .is_none_or(|ids| ids.contains(&target.id))
    }
}

/// The ids of the notes `query` selects (its sort and limit applied), read from the ids and
/// versions alone: a limited export must know which notes it holds before it writes the first,
/// and reading every note in full for that would read each body twice.
fn exported_ids(snapshot: &Snapshot<'static>, query: &Query) -> Result<HashSet<i64>, StoreError> {
    let mut versions = snapshot.versions(query);
    let mut ids = HashSet::new();
    loop {
        let page = versions.next_page()?;
        if page.is_empty() {
            return Ok(ids);
        }
        ids.extend(page.iter().map(|v| v.id));
    }
}

/// The targets of one page, as the rewriter asks for them.
struct PageTargets<'p, 'a> {
    linker: &'p Linker<'a>,
    page: &'p Page,
}

impl Targets for PageTargets<'_, '_> {
    fn destination(&self, link: &Link) -> Destination {
        match link.resolved {
            Resolved::Note(id) => {
                let target = match self.page.targets.get(&id) {
                    Some(target) => target.clone(),
                    // An embedded note's links: their targets are read when needed.
                    None => match self.linker.snapshot.target(id, self.linker.query) {
                        Ok(Some(target)) => target,
                        _ => return Destination::NotExported,
                    },
                };
                if !self.linker.exports(&target) {
                    return Destination::NotExported;
                }
                self.linker
                    .path_of(id, &target.title)
                    .map_or(Destination::NotExported, Destination::File)
            }
            Resolved::Attachment(_) => {
                let dir = (self.linker.snapshot.source_dir(link.source))
                    .ok()
                    .flatten()
                    .unwrap_or_default();
                match self.linker.snapshot.attachment_by_path(&dir, &link.target) {
                    Ok(Some(found)) if !self.linker.attachment_ids.contains(&found.id) => {
                        Destination::NotExported
                    }
                    Ok(Some(found)) => Destination::File(
                        attachment_path(&self.linker.attachments, &found)
                            .to_string_lossy()
                            .replace('\\', "/"),
                    ),
                    _ => Destination::Unresolved,
                }
            }
            Resolved::Nothing => Destination::Unresolved,
        }
    }

    fn embedded(&self, id: i64) -> Option<(String, Vec<Link>)> {
        let target = match self.page.targets.get(&id) {
            Some(target) => target.clone(),
            None => self.linker.snapshot.target(id, self.linker.query).ok()??,
        };
        if !self.linker.exports(&target) {
            return None;
        }
        self.linker.snapshot.embedded(id).ok().flatten()
    }
}
