//! After the jobs: the staged files go into place, old files go, the manifest follows.
//!
//! The one place where an export changes what is already in the export folder, in an order
//! that keeps every crash safe (see [`super::incremental`] for the manifest's two steps):
//!
//! 1. the manifest: an incremental export rewrites it without the entries of the files about
//!    to change; a plain one removes it (it would vouch for files about to change). If that
//!    fails, nothing is published and every staged file is a failure;
//! 2. the staged files are moved into place ([`Staging::publish`]); a file that cannot be is
//!    a failure, by its note and format;
//! 3. old files are removed, once each and counted once: a published note's files under
//!    another generated name in its folder, and with a manifest its files the manifest names
//!    under an old name (and with `--prune`, the files of notes no longer exported). Only
//!    regular files, only through real folders ([`Staging::remove_old`]);
//! 4. an incremental export writes its new manifest.

use std::collections::HashSet;
use std::io;
use std::path::Path;

use super::incremental::Incremental;
use super::manifest;
use super::sink::{Staging, Unpublished};
use super::work::Work;

/// What publishing did beside moving files.
#[derive(Debug, Default)]
pub(crate) struct Publication {
    /// Old files removed.
    pub(crate) removed: u64,
    /// Problems that are not a failed job: an old file left in place, a manifest not written.
    pub(crate) warnings: Vec<String>,
}

/// Publishes what `staging` holds into `out`; failures go to `work`'s books. `prune` only
/// after a run that saw every note (an unread note is not a deleted one).
pub(crate) fn publish(
    staging: &Staging,
    out: &Path,
    incremental: Option<&Incremental>,
    prune: bool,
    work: &Work,
) -> Publication {
    let manifest_ready = match incremental {
        Some(inc) => inc.prepare(prune),
        None => manifest::remove(out),
    };
    if let Err(e) = &manifest_ready {
        // Not one file may change while the manifest could still vouch for its old bytes.
        let why = format!("cannot update the manifest before publishing: {e}");
        for (file, bytes) in staging.discard_all() {
            let error = io::Error::other(why.clone());
            work.unpublish(Unpublished { file, bytes, error });
        }
    }
    let published = staging.publish();
    let unpublished: HashSet<_> = (published.failed.iter())
        .filter_map(|u| Some((u.file.note?, u.file.format)))
        .collect();
    for failed in published.failed {
        work.unpublish(failed);
    }
    let settled = incremental
        .filter(|_| manifest_ready.is_ok())
        .map(|inc| (inc, inc.settle(prune, &unpublished)));
    let mut old = published.earlier;
    if let Some((_, settled)) = &settled {
        old.extend(settled.old_files.iter().cloned());
    }
    let removed = staging.remove_old(&old);
    let mut warnings = removed.warnings;
    if let Some((inc, settled)) = settled {
        warnings.extend(inc.commit(settled));
    }
    Publication {
        removed: removed.files,
        warnings,
    }
}
