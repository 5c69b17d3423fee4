//! What an export reads: the notebook, notes held in memory, or synthetic notes.

use std::path::PathBuf;
use std::sync::Arc;

use crate::model::{NewNote, Note};
use crate::store::{Query, Store, StoreError, seed};

/// Where the notes of an export come from.
#[derive(Clone, Debug)]
pub enum NoteSource {
    /// The notes of a database file that match a query, streamed page by page.
    Store {
        /// The database file.
        path: PathBuf,
        /// Which notes.
        query: Query,
    },
    /// Notes already in memory: the built-in sample notebook, tests.
    Memory(Arc<[Note]>),
    /// `count` notes made on the fly from `seed`, without a database: benchmarks at scale.
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

/// A stream of notes, read lazily.
pub type Notes<'a> = Box<dyn Iterator<Item = Result<Note, StoreError>> + 'a>;

const SYNTHETIC_POOL: usize = 1024;

impl NoteSource {
    /// The built-in sample notebook.
    pub fn sample() -> Self {
        NoteSource::Memory(crate::store::sample::notes().into())
    }

    /// How many notes the stream will give.
    pub fn count(&self) -> Result<u64, StoreError> {
        match self {
            NoteSource::Store { path, query } => Store::open(path)?.count(query),
            NoteSource::Memory(notes) => Ok(notes.len() as u64),
            NoteSource::Synthetic { count, .. } => Ok(*count),
        }
    }

    /// The notes, in id order. Each call opens its own stream (and, for a database, its own
    /// connection), so several streams can be read at once.
    pub fn notes(&self) -> Result<Notes<'_>, StoreError> {
        Ok(match self {
            NoteSource::Store { path, query } => {
                Box::new(Arc::new(Store::open(path)?.into_snapshot()?).into_notes(query)?)
            }
            NoteSource::Memory(notes) => Box::new(notes.iter().cloned().map(Ok)),
            NoteSource::Synthetic { count, seed } => {
                let pool: Vec<NewNote> =
                    seed::notes(SYNTHETIC_POOL.min(*count as usize), *seed).collect();
                Box::new((0..*count).map(move |i| {
                    let n = &pool[(i % SYNTHETIC_POOL as u64) as usize];
                    Ok(Note {
                        id: i as i64 + 1,
                        title: n.title.clone(),
                        tags: n.tags.clone(),
                        created: n.created,
                        updated: n.updated,
                        body: n.body.clone(),
                    })
                }))
            }
        })
    }

    /// A short description for summaries: the database path, `sample` or `synthetic`.
    pub fn describe(&self) -> String {
        match self {
            NoteSource::Store { path, .. } => path.display().to_string(),
            NoteSource::Memory(_) => "built-in sample notebook".to_owned(),
            NoteSource::Synthetic { count, seed } => {
                format!("{count} synthetic notes (seed {seed})")
            }
        }
    }
}
