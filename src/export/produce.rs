//! The jobs of the `files` and `vault` layouts, made on the reading thread as the notes
//! stream in.
//!
//! Each note becomes one [`Job`] per format, numbered in order, placed where the layout's
//! [`Placements`] say (a note whose remembered path is refused fails that job, with the
//! reason). Before that, and only once per note: what its front matter profile changes in its
//! tags is counted, and with `--incremental` its [`note_hash`] is computed, and the (note, format) pairs the
//! manifest vouches for are booked as unchanged and never become jobs, so a re-export of an
//! unchanged notebook schedules nothing, whatever the strategy. A damaged note (a
//! [`StoreError::Corrupt`] from the stream) fails its own jobs, named by its id, and the next
//! notes come as usual; any other read error ends the stream and the export.

use std::collections::VecDeque;
use std::sync::Arc;

use super::incremental::Incremental;
use super::job::Job;
use super::manifest::note_hash;
use super::naming;
use super::placement::Placements;
use super::source::Notes;
use super::work::Work;
use crate::format::Format;
use crate::model::Note;
use crate::store::StoreError;

/// The job stream of the `files` layout; see the module docs.
pub(crate) struct NoteJobs<'a> {
    notes: Notes<'a>,
    formats: &'a [Format],
    work: &'a Work,
    incremental: Option<&'a Incremental>,
    placements: Option<&'a Placements>,
    next_index: u64,
    ready: VecDeque<Job>,
}

impl<'a> NoteJobs<'a> {
    /// The jobs of `notes` in `formats`.
    pub(crate) fn new(
        notes: Notes<'a>,
        formats: &'a [Format],
        work: &'a Work,
        incremental: Option<&'a Incremental>,
        placements: Option<&'a Placements>,
    ) -> Self {
        NoteJobs {
            notes,
            formats,
            work,
            incremental,
            placements,
            next_index: 0,
            ready: VecDeque::with_capacity(formats.len()),
        }
    }

    fn plan(&mut self, note: Note) {
        let note = Arc::new(note);
        let hash = self.incremental.map(|_| note_hash(&note));
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
            self.ready.push_back(Job {
                index,
                note: note.clone(),
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
            match self.notes.next()? {
                Ok(note) => self.plan(note),
                Err(error @ StoreError::Corrupt { id, .. }) => {
                    self.next_index += self.formats.len() as u64;
                    self.work.fail_damaged(id, self.formats, &error);
                }
                Err(error) => return Some(Err(error)),
            }
        }
    }
}
