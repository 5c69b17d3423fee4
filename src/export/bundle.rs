//! The `bundle` layout: every note in one file per format, every bundle from the same read.
//!
//! The reading thread streams the notes once and feeds one writer thread per bundle through
//! a bounded channel, so every bundle holds the notebook at the same moment (one snapshot) and
//! memory holds at most [`FEED_NOTES`] notes per writer, whatever the size of the notebook.
//! At concurrency N, bundles are written N at a time, each group from its own stream of the
//! same snapshot; at N = 1 (sequential) a bundle is written on the reading thread itself.
//!
//! A damaged note is left out of every bundle and listed as a failure of its own, named by
//! its id; any other read error fails the bundles being written (nothing partial is
//! published) and ends the export.

use std::io;
use std::sync::{Arc, mpsc};
use std::thread;

use super::error::ExportError;
use super::source::{Notes, Reader};
use super::work::Work;
use crate::format::Format;
use crate::model::Note;
use crate::store::StoreError;
use crate::sys::STACK_SIZE;

/// Notes queued for each bundle writer: the slowest writer holds the reader back this far.
pub(crate) const FEED_NOTES: usize = 256;

/// What a bundle writer receives: a note, or the reason the stream broke.
type Fed = Result<Arc<Note>, io::Error>;

/// Writes the bundles of `formats`, `writers` at a time, as jobs 0, 1, ... in that order.
pub(crate) fn write_bundles(
    reader: &Reader<'_>,
    formats: &[Format],
    writers: usize,
    work: &Work,
) -> Result<(), ExportError> {
    let mut index = 0;
    for group in formats.chunks(writers.max(1)) {
        if work.must_stop() {
            break;
        }
        let notes = reader.notes()?;
        match group {
            [format] => write_here(notes, *format, index, work)?,
            _ => fan_out(notes, group, index, work)?,
        }
        index += group.len() as u64;
    }
    Ok(())
}

/// One bundle, written on the reading thread.
fn write_here(
    notes: Notes<'_>,
    format: Format,
    index: u64,
    work: &Work,
) -> Result<(), ExportError> {
    let mut broken = None;
    let fed = notes.filter_map(|note| match note {
        Ok(note) => Some(Ok(Arc::new(note))),
        Err(error @ StoreError::Corrupt { id, .. }) => {
            work.damaged_in_bundle(id, format, &error);
            None
        }
        Err(error) => {
            let text = error.to_string();
            broken = Some(error);
            Some(Err(io::Error::other(text)))
        }
    });
    work.run_bundle(index, format, fed);
    broken.map_or(Ok(()), |e| Err(e.into()))
}

/// The bundles of `formats`, one writer thread each, fed from `notes`.
fn fan_out(
    notes: Notes<'_>,
    formats: &[Format],
    first_index: u64,
    work: &Work,
) -> Result<(), ExportError> {
    thread::scope(|scope| {
        let mut feeds: Vec<mpsc::SyncSender<Fed>> = Vec::with_capacity(formats.len());
        for (i, &format) in formats.iter().enumerate() {
            let (feed, fed) = mpsc::sync_channel::<Fed>(FEED_NOTES);
            let index = first_index + i as u64;
            let spawned = thread::Builder::new()
                .name(format!("bundle-{format}"))
                .stack_size(STACK_SIZE)
                .spawn_scoped(scope, move || {
                    work.run_bundle(index, format, fed.into_iter())
                });
            if let Err(source) = spawned {
                // The writers already started must not publish what they hold.
                break_feeds(&feeds, "the export could not start all its bundle writers");
                return Err(ExportError::Spawn {
                    what: format!("the {format} bundle writer"),
                    source,
                });
            }
            feeds.push(feed);
        }
        for note in notes {
            match note {
                // A writer that failed has dropped its end: the others go on.
                Ok(note) => {
                    let note = Arc::new(note);
                    for feed in &feeds {
                        let _ = feed.send(Ok(note.clone()));
                    }
                }
                Err(error @ StoreError::Corrupt { id, .. }) => {
                    for &format in formats {
                        work.damaged_in_bundle(id, format, &error);
                    }
                }
                Err(error) => {
                    break_feeds(&feeds, &error.to_string());
                    return Err(error.into());
                }
            }
        }
        // Closing the feeds ends the bundles; the scope joins the writers.
        Ok(())
    })
}

/// Tells every writer its stream broke, so that it publishes nothing.
fn break_feeds(feeds: &[mpsc::SyncSender<Fed>], why: &str) {
    for feed in feeds {
        let _ = feed.send(Err(io::Error::other(why.to_owned())));
    }
}
