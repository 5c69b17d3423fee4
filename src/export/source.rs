//! What an export reads: the notebook, notes held in memory, or synthetic notes.
//!
//! A [`NoteSource`] says where the notes are; [`NoteSource::read`] opens it once for a whole
//! command and hands out a [`Reader`]: for a notebook, one read transaction
//! ([`crate::store::Snapshot`]), so that the count and every note (the note files and every
//! bundle alike) come from the notebook at one moment, whatever other processes write
//! meanwhile. A reader stays on the thread that opened it; the engine reads there and hands
//! the notes to its workers.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;

use super::manifest::{NoteHash, note_hash, version_key};
use crate::model::{NewNote, Note};
use crate::store::{
    AttachmentRef, NoteVersion, Query, Snapshot, Store, StoreError, VersionStream, seed,
};

/// Where the notes of an export come from.
// A source is made once per command and never held in bulk: the query's size in the Store
// variant (it grew with the graph filters) costs nothing worth a Box in the public API.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum NoteSource {
    /// The notes of a notebook file that match a query, streamed page by page.
    Store {
        /// The notebook file.
        path: PathBuf,
        /// Which notes.
        query: Query,
    },
    /// Notes already in memory: the built-in sample notebook, tests.
    Memory(Arc<[Note]>),
    /// `count` notes made on the fly from `seed`, without a notebook: benchmarks at scale.
    ///
    /// Bodies and titles cycle through 1,024 generated notes (ids stay unique), so a million
    /// notes cost the same memory as a thousand.
    Synthetic {
        /// How many notes.
        count: u64,
        /// Generator seed.
        seed: u64,
    },
}

/// A stream of notes, read lazily. A damaged note is an `Err(StoreError::Corrupt)` of its
/// own, and the stream goes on; any other `Err` ends it.
pub(crate) type Notes<'a> = Box<dyn Iterator<Item = Result<Note, StoreError>> + 'a>;

/// A source opened for one command: every read sees the same notes.
pub(crate) enum Reader<'a> {
    Snapshot {
        snapshot: &'a Snapshot<'static>,
        query: &'a Query,
    },
    Memory(&'a [Note]),
    Synthetic {
        count: u64,
        seed: u64,
    },
}

const SYNTHETIC_POOL: usize = 1024;

impl NoteSource {
    /// The built-in sample notebook.
    pub fn sample() -> Self {
        NoteSource::Memory(crate::store::sample::notes().into())
    }

    /// A short description for summaries: the notebook path, `sample` or `synthetic`.
    pub fn describe(&self) -> String {
        match self {
            NoteSource::Store { path, .. } => path.display().to_string(),
            NoteSource::Memory(_) => "built-in sample notebook".to_owned(),
            NoteSource::Synthetic { count, seed } => {
                format!("{count} synthetic notes (seed {seed})")
            }
        }
    }

    /// Opens the source and runs `read` with it: for a notebook, inside one read transaction
    /// that ends when `read` returns.
    pub(crate) fn read<T, E: From<StoreError>>(
        &self,
        read: impl FnOnce(&Reader<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        match self {
            NoteSource::Store { path, query } => {
                let snapshot = Store::open(path)?.into_snapshot()?;
                read(&Reader::Snapshot {
                    snapshot: &snapshot,
                    query,
                })
            }
            NoteSource::Memory(notes) => read(&Reader::Memory(notes)),
            NoteSource::Synthetic { count, seed } => read(&Reader::Synthetic {
                count: *count,
                seed: *seed,
            }),
        }
    }
}

impl Reader<'_> {
    /// How many notes [`Reader::notes`] gives.
    pub(crate) fn count(&self) -> Result<u64, StoreError> {
        match self {
            Reader::Snapshot { snapshot, query } => snapshot.count(query),
            Reader::Memory(notes) => Ok(notes.len() as u64),
            Reader::Synthetic { count, .. } => Ok(*count),
        }
    }

    /// The notes, in the query's order (id order for the others). Each call streams them from
    /// the start again, the same notes every time.
    pub(crate) fn notes(&self) -> Result<Notes<'_>, StoreError> {
        Ok(match self {
            Reader::Snapshot { snapshot, query } => Box::new(snapshot.notes(query)?),
            Reader::Memory(notes) => Box::new(notes.iter().cloned().map(Ok)),
            Reader::Synthetic { count, seed } => synthetic(*count, *seed),
        })
    }
}

impl Reader<'_> {
    /// The attachments of the notes [`Reader::notes`] gives, each once, in path order (only a
    /// notebook has any).
    pub(crate) fn attachments(&self) -> Result<Vec<AttachmentRef>, StoreError> {
        match self {
            Reader::Snapshot { snapshot, query } => snapshot.attachments(query),
            Reader::Memory(_) | Reader::Synthetic { .. } => Ok(Vec::new()),
        }
    }

    /// Copies the bytes of `attachment` to `out`, a piece at a time; how many.
    pub(crate) fn copy_attachment(
        &self,
        attachment: &AttachmentRef,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<u64> {
        match self {
            Reader::Snapshot { snapshot, .. } => snapshot.copy_attachment(attachment, out),
            Reader::Memory(_) | Reader::Synthetic { .. } => Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "only a notebook holds attachments",
            )),
        }
    }
}

/// A note of a [keyed stream](Reader::keyed): its id, its key (what the incremental manifest
/// keeps of it) and the note itself, unless the reader was told it is not wanted.
pub(crate) struct Keyed {
    pub(crate) id: i64,
    pub(crate) key: NoteHash,
    pub(crate) note: Option<Note>,
}

/// Whether the note of this id and key must be read in full.
pub(crate) type Want<'a> = Box<dyn FnMut(i64, &NoteHash) -> bool + 'a>;

/// A stream of [`Keyed`] notes; a damaged note is an `Err(StoreError::Corrupt)` of its own
/// and the stream goes on, any other `Err` ends it.
pub(crate) type KeyedNotes<'a> = Box<dyn Iterator<Item = Result<Keyed, StoreError>> + 'a>;

impl Reader<'_> {
    /// The notes of [`Reader::notes`], each with its key, read in full only when `want` says
    /// so. For a notebook the key comes from the note's version (migration 6: the notebook
    /// gives a note a new one whenever it changes), so a note that is not wanted costs the
    /// read of its id and version only, never of its body; the wanted ones of a page are read
    /// in one query. For notes in memory or synthetic ones the key is their [`note_hash`],
    /// and every note comes in full.
    pub(crate) fn keyed<'s>(&'s self, want: Want<'s>) -> Result<KeyedNotes<'s>, StoreError> {
        Ok(match self {
            Reader::Snapshot { snapshot, query } => Box::new(Versioned {
                snapshot,
                versions: snapshot.versions(query),
                want,
                ready: VecDeque::new(),
                done: false,
            }),
            _ => Box::new(self.notes()?.map(|note| {
                note.map(|note| Keyed {
                    id: note.id,
                    key: note_hash(&note),
                    note: Some(note),
                })
            })),
        })
    }
}

/// [`Reader::keyed`] on a notebook: a page of versions, then the wanted notes of that page.
struct Versioned<'s> {
    snapshot: &'s Snapshot<'static>,
    versions: VersionStream<'s, 'static>,
    want: Want<'s>,
    ready: VecDeque<Result<Keyed, StoreError>>,
    done: bool,
}

impl Versioned<'_> {
    fn fill(&mut self) -> Result<(), StoreError> {
        let page = self.versions.next_page()?;
        if page.is_empty() {
            self.done = true;
            return Ok(());
        }
        // A version that is not a number (a damaged row) gives no key: the note is read, and
        // keyed by its content.
        let keys: Vec<(NoteVersion, Option<NoteHash>)> = page
            .into_iter()
            .map(|v| (v, v.version.map(|version| version_key(v.id, version))))
            .collect();
        let mut wanted = Vec::new();
        let mut read = Vec::with_capacity(keys.len());
        for (v, key) in &keys {
            let needed = key.as_ref().is_none_or(|key| (self.want)(v.id, key));
            if needed {
                wanted.push(v.id);
            }
            read.push(needed);
        }
        let mut notes = self.snapshot.notes_by_id(&wanted)?.into_iter();
        for ((v, key), needed) in keys.into_iter().zip(read) {
            if !needed {
                let key = key.unwrap_or_default();
                self.ready.push_back(Ok(Keyed {
                    id: v.id,
                    key,
                    note: None,
                }));
                continue;
            }
            // A note gone from its own snapshot cannot be: it would be left out.
            match notes.next().flatten() {
                Some(Ok(note)) => self.ready.push_back(Ok(Keyed {
                    id: v.id,
                    key: key.unwrap_or_else(|| note_hash(&note)),
                    note: Some(note),
                })),
                Some(Err(e)) => self.ready.push_back(Err(e)),
                None => {}
            }
        }
        Ok(())
    }
}

impl Iterator for Versioned<'_> {
    type Item = Result<Keyed, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        while self.ready.is_empty() && !self.done {
            if let Err(e) = self.fill() {
                self.done = true;
                return Some(Err(e));
            }
        }
        self.ready.pop_front()
    }
}

fn synthetic(count: u64, seed: u64) -> Notes<'static> {
    let pool: Vec<NewNote> = seed::notes(SYNTHETIC_POOL.min(count as usize), seed).collect();
    Box::new((0..count).map(move |i| {
        let n = &pool[(i % SYNTHETIC_POOL as u64) as usize];
        Ok(n.clone().with_id(i as i64 + 1))
    }))
}
