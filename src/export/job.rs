//! A job (one file to produce) and the file it produces, named once and carried to the end.
//!
//! An [`OutFile`] knows its note, its format and its name from the moment its job names it:
//! the sink stages it under that identity, publishing moves it, a failure names it, and an
//! older file of the same note is removed by it. Nothing downstream parses a path back into a
//! note id.

use std::path::PathBuf;
use std::sync::Arc;

use super::manifest::NoteHash;
use super::naming;
use crate::format::Format;
use crate::model::Note;

/// One unit of work: a note's file in one format (the `files` layout; bundles are written by
/// [`super::bundle`] from the one stream of notes).
#[derive(Debug, Clone)]
pub(crate) struct Job {
    /// Position in the export, from 0; the order jobs were planned in.
    pub(crate) index: u64,
    /// The note, shared by the jobs of its formats.
    pub(crate) note: Arc<Note>,
    /// Its hash when the export is incremental, computed once for all its formats.
    pub(crate) hash: Option<NoteHash>,
    /// What its files' names share before the extension ([`naming::stem`]), computed once
    /// for all its formats.
    pub(crate) stem: Arc<str>,
    /// The format.
    pub(crate) format: Format,
    /// Where the layout places the file, relative to the export folder, when it is not in
    /// its format's folder (the vault layout; Jekyll's `_posts/`): see `placement.rs`.
    pub(crate) place: Option<Arc<str>>,
}

impl Job {
    /// The file the job writes.
    pub(crate) fn file(&self) -> OutFile {
        let mut file = OutFile::in_folder(self.note.id, self.format, "");
        self.file_into(&mut file);
        file
    }

    /// Makes `file` the file the job writes, reusing the allocation of its name: a worker
    /// names file after file in one [`OutFile`].
    pub(crate) fn file_into(&self, file: &mut OutFile) {
        file.note = Some(self.note.id);
        file.format = self.format;
        file.name.clear();
        match &self.place {
            Some(path) => file.name.push_str(path),
            None => naming::push_with_extension(&mut file.name, &self.stem, self.format),
        }
        file.placed = self.place.is_some();
    }
}

/// A file an export writes (or finds from an earlier export), by identity: the note it holds
/// (`None` for a bundle), its format, and its name. A note's file lives in its format's folder,
/// a bundle at the top of the export folder.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct OutFile {
    pub(crate) note: Option<i64>,
    pub(crate) format: Format,
    /// The file's name in its format's folder; for a placed file, its path relative to the
    /// export folder, `/`-separated.
    pub(crate) name: String,
    /// Placed by the layout (see [`Job::place`]) rather than in its format's folder.
    pub(crate) placed: bool,
}

impl OutFile {
    /// The file of `note` in `format`.
    #[cfg(test)]
    pub(crate) fn of_note(note: &Note, format: Format, naming: naming::Naming) -> Self {
        OutFile {
            note: Some(note.id),
            format,
            name: naming::file_name(note, format, naming),
            placed: false,
        }
    }

    /// The file of note `id` in `format` at `path` (relative to the export folder).
    pub(crate) fn placed(id: i64, format: Format, path: &str) -> Self {
        OutFile {
            note: Some(id),
            format,
            name: path.to_owned(),
            placed: true,
        }
    }

    /// A note's file in its format's folder, by its name there.
    pub(crate) fn in_folder(id: i64, format: Format, name: &str) -> Self {
        OutFile {
            note: Some(id),
            format,
            name: name.to_owned(),
            placed: false,
        }
    }

    /// The bundle of `format`.
    pub(crate) fn bundle(format: Format) -> Self {
        OutFile {
            note: None,
            format,
            name: naming::bundle_name(format),
            placed: false,
        }
    }

    /// The format folder holding the file, relative to the export folder: the format's for a
    /// note's file, none (the export folder itself) for a bundle or a placed file.
    pub(crate) fn folder(&self) -> Option<&'static str> {
        self.note
            .filter(|_| !self.placed)
            .map(|_| self.format.extension())
    }

    /// The path relative to the export folder.
    pub(crate) fn path(&self) -> PathBuf {
        match self.folder() {
            Some(folder) => [folder, self.name.as_str()].iter().collect(),
            None => PathBuf::from(&self.name),
        }
    }
}
