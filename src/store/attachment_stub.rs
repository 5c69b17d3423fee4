//! STUB, not the real thing: agreed interface 1 of round 3, owned by the attach engineer,
//! who writes the attachments' tables and this method for real. The links code calls only
//! what is here, with exactly the agreed signature, so the merge deletes this file (and its
//! `mod` line in `store/mod.rs`) and theirs takes its place. Until then no attachment is
//! known: a link to a file that is not a note resolves to nothing.

use super::{Store, StoreError};

/// An attachment a link resolves to (agreed interface 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttachmentRef {
    /// Its id.
    pub id: i64,
    /// BLAKE3 of its bytes.
    pub hash: [u8; 32],
    /// Its file name.
    pub name: String,
    /// Its remembered path, `/`-separated.
    pub path: String,
    /// Its size in bytes.
    pub size: u64,
}

impl Store {
    /// The attachment `target` names, seen from a note in `note_source_dir`, resolved the way
    /// Obsidian resolves it (the agreed interface; this stub knows none).
    pub fn attachment_by_path(
        &self,
        note_source_dir: &str,
        target: &str,
    ) -> Result<Option<AttachmentRef>, StoreError> {
        let _ = (note_source_dir, target);
        Ok(None)
    }
}
