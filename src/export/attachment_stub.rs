//! STUB, not the real thing: the export side of agreed interface 1 of round 3, owned by the
//! attach engineer. The link rewriter calls only [`attachment_path`], with exactly the
//! agreed signature, so the merge deletes this file (and its `mod` line in `export/mod.rs`)
//! and theirs takes its place. This one leaves out the hash suffix of two attachments that
//! share a name: no attachment exists until theirs lands.

use std::path::PathBuf;

use super::config::Layout;
use crate::store::AttachmentRef;

/// Where `attachment`'s file goes in an export, relative to `--out`: its remembered path in
/// the vault layout, `attachments/<name>` otherwise.
pub fn attachment_path(layout: Layout, attachment: &AttachmentRef) -> PathBuf {
    match layout {
        Layout::Vault => PathBuf::from(&attachment.path),
        _ => PathBuf::from("attachments").join(&attachment.name),
    }
}
