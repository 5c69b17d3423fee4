//! The jobs of the `files` and `vault` layouts, made on the reading thread as the notes
//! stream in.
//!
//! Each note becomes one [`Job`] per format, numbered in order, placed where the layout's
//! [`Placements`] say (a note whose remembered path is refused fails that job, with the
//! reason). Before that, and only once per note: what its front matter profile changes in its
//! tags is counted, and with `--incremental` the (note, format) pairs the manifest vouches for
//! are booked as unchanged and never become jobs, so a re-export of an unchanged notebook
//! schedules nothing, whatever the strategy.
//!
//! With `--incremental` the notes come keyed ([`Reader::keyed`]): from a notebook, the key is
//! the note's version, and a note whose every file the manifest vouches for is never read at
//! all (not its body, not its title): only its id and version were. Its jobs are booked
//! unchanged from the id alone. The notes that are read (changed, new, refused a place, or
//! every note under `--verify`) are planned as in a plain export, keyed.
//!
//! With links to rewrite (a [`Linker`]), a note that has links is always read: what its
//! Markdown file holds depends on its targets too, which can change while the note does not;
//! its key is mixed with the rewritten text ([`Linker::hash_with`]), so the file is written
//! again exactly when the text changes.
//!
//! A damaged note (a [`StoreError::Corrupt`] from the stream) fails its own jobs, named by its
//! id, and the next notes come as usual; any other read error ends the stream and the export.

use std::collections::VecDeque;
use std::sync::Arc;

use super::incremental::Incremental;
use super::job::Job;
use super::links::Linker;
use super::manifest::NoteHash;
use super::naming;
use super::placement::Placements;
use super::source::{Keyed, KeyedNotes, Notes, Reader};
use super::work::Work;
use crate::format::Format;
use crate::model::Note;
use crate::store::StoreError;

/// The job stream of the `files` layout; see the module docs.
pub(crate) struct NoteJobs<'a> {
    input: Input<'a>,
    formats: &'a [Format],
    work: &'a Work,
    incremental: Option<&'a Incremental>,
    placements: Option<&'a Placements>,
    linker: Option<&'a Linker<'a>>,
    next_index: u64,
    ready: VecDeque<Job>,
}

/// The notes, plain or (incremental) keyed.
enum Input<'a> {
    Plain(Notes<'a>),
    Keyed(KeyedNotes<'a>),
}

impl<'a> NoteJobs<'a> {
    /// The jobs of the notes of `reader` in `formats`, their Markdown links rewritten by
    /// `linker` if there is one.
    pub(crate) fn new(
        reader: &'a Reader<'a>,
        formats: &'a [Format],
        work: &'a Work,
        incremental: Option<&'a Incremental>,
        placements: Option<&'a Placements>,
        linker: Option<&'a Linker<'a>>,
    ) -> Result<Self, StoreError> {
        let input = match incremental {
            None => Input::Plain(reader.notes()?),
            Some(inc) => Input::Keyed(reader.keyed(Box::new(move |id, key| {
                inc.verify()
                    || work.must_stop()
                    || linker.is_some_and(|l| l.has_links(id))
                    || !vouched_whole(inc, placements, formats, id, key)
            }))?),
        };
        let input = match (input, linker) {
            (Input::Plain(notes), Some(l)) => Input::Plain(l.watch(notes)),
            (Input::Keyed(notes), Some(l)) => Input::Keyed(l.watch_keyed(notes)),
            (input, None) => input,
        };
        Ok(NoteJobs {
            input,
            formats,
            work,
            incremental,
            placements,
            linker,
            next_index: 0,
            ready: VecDeque::with_capacity(formats.len()),
        })
    }

    /// The jobs of a note that was not read: the manifest vouches for every one of its files
    /// (see [`vouched_whole`]), so each is booked unchanged.
    fn unread(&mut self, id: i64, key: &NoteHash) {
        let formats = self.formats.len() as u64;
        self.next_index += formats;
        if let Some(inc) = self.incremental {
            for &format in self.formats {
                let place = self.placements.and_then(|p| p.get(id, format));
                let place = place.and_then(Result::ok);
                // What `vouched_whole` found when it left the note unread: nothing it looked
                // at changes during an export.
                let booked = inc.unchanged(id, format, key, place.as_deref());
                debug_assert!(booked, "note {id} [{format}] was vouched for");
            }
        }
        self.work.skipped(formats);
    }

    fn plan(&mut self, note: Note, hash: Option<NoteHash>) {
        let markdown = self.linker.and_then(|l| l.markdown_of(&note)).map(Arc::new);
        let hash = match (&markdown, hash) {
            (Some(md), Some(key)) => Some(Linker::hash_with(key, md)),
            (_, hash) => hash,
        };
        let note = Arc::new(note);
        // Under --verify every note is rendered and compared on the strategy's threads.
        let skip = self.incremental.filter(|inc| !inc.verify()).zip(hash);
        self.work.front_matter_of(&note, self.formats);
        // The slug, once for every format of the note.
        let stem: Arc<str> = naming::stem(&note, self.work.naming()).into();
        let mut unchanged = 0;
        for &format in self.formats {
            let index = self.next_index;
            self.next_index += 1;
            let place = match self.placements.and_then(|p| p.get(note.id, format)) {
                Some(Ok(path)) => Some(path),
                Some(Err(reason)) => {
                    self.work.fail_refused(&note, format, &reason);
                    continue;
                }
                None => None,
            };
            // After Ctrl-C, the job goes to the strategy, which stops there.
            if let Some((inc, hash)) = &skip
                && !self.work.must_stop()
                && inc.unchanged(note.id, format, hash, place.as_deref())
            {
                unchanged += 1;
                continue;
            }
            let note = match (&markdown, format) {
                (Some(md), Format::Md) => md.clone(),
                _ => note.clone(),
            };
            self.ready.push_back(Job {
                index,
                note,
                hash,
                stem: stem.clone(),
                format,
                place,
            });
        }
        if unchanged > 0 {
            self.work.skipped(unchanged);
        }
    }
}

impl Iterator for NoteJobs<'_> {
    type Item = Result<Job, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(job) = self.ready.pop_front() {
                return Some(Ok(job));
            }
            let next = match &mut self.input {
                Input::Plain(notes) => notes.next()?.map(|note| (note, None)),
                Input::Keyed(notes) => match notes.next()? {
                    Ok(Keyed {
                        id,
                        key,
                        note: None,
                    }) => {
                        self.unread(id, &key);
                        continue;
                    }
                    Ok(Keyed {
                        key,
                        note: Some(note),
                        ..
                    }) => Ok((note, Some(key))),
                    Err(e) => Err(e),
                },
            };
            match next {
                Ok((note, hash)) => self.plan(note, hash),
                Err(error @ StoreError::Corrupt { id, .. }) => {
                    self.next_index += self.formats.len() as u64;
                    self.work.fail_damaged(id, self.formats, &error);
                }
                Err(error) => return Some(Err(error)),
            }
        }
    }
}

/// Whether the manifest vouches for every file of note `id` with `key` in `formats`, each at
/// the place the layout gives it (a place refused needs the note, to name it in the failure).
fn vouched_whole(
    inc: &Incremental,
    placements: Option<&Placements>,
    formats: &[Format],
    id: i64,
    key: &NoteHash,
) -> bool {
    formats
        .iter()
        .all(|&format| match placements.and_then(|p| p.get(id, format)) {
            Some(Ok(path)) => inc.vouches(id, format, key, Some(&path)),
            Some(Err(_)) => false,
            None => inc.vouches(id, format, key, None),
        })
}
