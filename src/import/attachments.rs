//! The attachments of an import: hashing a file that is not a note, and the link targets of a
//! note that say which attachments it uses.
//!
//! [`hash_attachment`] reads a file once, a piece at a time, under a size limit, through the
//! same checks as a note's file (a FIFO, a socket or a device is never opened); the notebook
//! reads it a second time only if it does not hold those bytes yet
//! ([`crate::store::AttachmentFile`]). [`link_targets`] finds what a note's body links to, so
//! that the import can record which notes use which attachment: wikilinks and embeds
//! (`[[x.png]]`, `![[x.png|300]]`), Markdown links and images (`![alt](img/x.png)`,
//! `[pdf](<a b.pdf>)`, `%20` decoded), anchors and sizes cut, read by the same parser as the
//! `links` table (outside code; a URL never counts).

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::error::ImportError;
use super::walk::open_regular;

/// A file hashed for storing as an attachment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HashedFile {
    /// Where it is.
    pub path: PathBuf,
    /// Its size.
    pub size: u64,
    /// BLAKE3 of its bytes.
    pub hash: [u8; 32],
}

impl HashedFile {
    /// Opens the file again, with the same checks as the first time.
    pub fn reopen(&self) -> io::Result<std::fs::File> {
        open_regular(&self.path)
            .map(|(file, _)| file)
            .map_err(|e| io::Error::other(e.to_string()))
    }
}

/// Reads `path` once, 64 KiB at a time, and hashes it: a regular file (or a link to one) of
/// at most `max_size` bytes.
pub fn hash_attachment(path: &Path, max_size: u64) -> Result<HashedFile, ImportError> {
    let (file, meta) = open_regular(path)?;
    let too_large = |size| ImportError::AttachmentTooLarge {
        path: path.to_path_buf(),
        size,
        limit: max_size,
    };
    if meta.len() > max_size {
        return Err(too_large(meta.len()));
    }
    let io = |source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut hasher = blake3::Hasher::new();
    // The limit holds even for a file that grows while it is read.
    let mut reader = file.take(max_size.saturating_add(1));
    let mut buf = vec![0u8; 64 << 10];
    let mut size = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io(e)),
        };
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    if size > max_size {
        return Err(too_large(size));
    }
    Ok(HashedFile {
        path: path.to_path_buf(),
        size,
        hash: *hasher.finalize().as_bytes(),
    })
}

/// A size as [`super::parse_size`] reads it (`512MiB`), at most
/// [`crate::store::MAX_ATTACHMENT_SIZE`], the most the notebook holds in one attachment.
pub fn parse_attachment_size(text: &str) -> Result<u64, String> {
    let size = super::parse_size(text)?;
    let max = crate::store::MAX_ATTACHMENT_SIZE;
    if size > max {
        return Err(format!(
            "{text:?} is more than the notebook can hold in one attachment ({max} bytes)"
        ));
    }
    Ok(size)
}

/// The link targets of `body` that may name a file of the vault: decoded, without anchor or
/// size, each once, in the order written; URLs left out. They are the links the `links` table
/// holds ([`crate::links::parse::links`]: outside code), so the attachments an export writes
/// are the ones its rewritten links lead to.
pub fn link_targets(body: &str) -> Vec<String> {
    let mut targets: Vec<String> = Vec::new();
    for link in crate::links::parse::links(body) {
        let target = link.target.trim();
        if !target.is_empty() && !targets.iter().any(|t| t == target) {
            targets.push(target.to_owned());
        }
    }
    targets
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_link_form_gives_its_target_decoded_without_anchor_or_size() {
        let body = "![[img.png]] and [[Note#Heading|shown]] and ![[diagram one.png|300]]\n\
                    ![alt](images/my%20photo.jpg \"title\") [pdf](<docs/a b.pdf>) \
                    [web](https://example.com/x.png) [mail](mailto:a@b.c) [[img.png]] \
                    [anchor](other.md#part)";
        assert_eq!(
            link_targets(body),
            [
                "img.png",
                "Note",
                "diagram one.png",
                "images/my photo.jpg",
                "docs/a b.pdf",
                "other.md"
            ]
        );
    }

    #[test]
    fn brackets_left_open_and_code_give_no_target() {
        assert_eq!(link_targets("[[open ![x](<never"), Vec::<String>::new());
        assert_eq!(link_targets("bad %zz ](a%zz.png)"), Vec::<String>::new());
        assert_eq!(
            link_targets("`![[x.png]]`\n\n```\n![a](y.png)\n```\n"),
            Vec::<String>::new()
        );
        assert_eq!(link_targets("![e](x%C3%A9.png)"), ["xé.png"]);
    }
}
