//! What an export reads: the notebook, notes held in memory, or synthetic notes.
//!
//! A [`NoteSource`] says where the notes are; [`NoteSource::read`] opens it once for a whole
//! command and hands out a [`Reader`]: for a notebook, one read transaction
//! ([`crate::store::Snapshot`]), so that the count and every note (the note files and every
//! bundle alike) come from the notebook at one moment, whatever other processes write
//! meanwhile. A reader stays on the thread that opened it; the engine reads there and hands
//! the notes to its workers.

use std::path::PathBuf;
use std::sync::Arc;

use crate::model::{NewNote, Note};
use crate::store::{AttachmentRef, Query, Snapshot, Store, StoreError, seed};

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

fn synthetic(count: u64, seed: u64) -> Notes<'static> {
    let pool: Vec<NewNote> = seed::notes(SYNTHETIC_POOL.min(count as usize), seed).collect();
    Box::new((0..count).map(move |i| {
        let n = &pool[(i % SYNTHETIC_POOL as u64) as usize];
        Ok(n.clone().with_id(i as i64 + 1))
    }))
}
