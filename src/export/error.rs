//! Why an export could not run at all ([`ExportError`]), and why its settings were refused
//! ([`ConfigError`]). A job that fails is not an error: it is a
//! [`Failure`](crate::export::Failure) in the summary, and the export goes on.

use super::sink::StagingError;
use crate::store::StoreError;

/// Why an export could not run at all. Failures of single jobs are not errors: they are in
/// [`Summary::failures`](crate::export::Summary::failures).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// The settings do not make sense.
    #[error("invalid export settings: {0}")]
    Config(#[from] ConfigError),
    /// The strategy cannot hold this export; nothing was written.
    #[error("the {strategy} strategy refuses this export: {reason}")]
    Refused {
        /// Which strategy.
        strategy: &'static str,
        /// The jobs the export planned.
        planned_jobs: u64,
        /// Why, with the limit and where it comes from.
        reason: String,
    },
    /// Reading the notes failed (a damaged note is not this: it fails its own jobs).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The output folder cannot be used.
    #[error(transparent)]
    Staging(#[from] StagingError),
    /// A tokio runtime could not be started.
    #[error("cannot start the async runtime")]
    Runtime(#[source] std::io::Error),
    /// A thread the export needs before any job runs (a pool worker, a bundle writer) could
    /// not be started; nothing was published.
    #[error("cannot start {what}")]
    Spawn {
        /// Which thread, e.g. `pool worker 17 of 150`.
        what: String,
        /// The operating system's answer.
        #[source]
        source: std::io::Error,
    },
}

/// Settings that do not make sense together; nothing was read or written.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// No format was asked for.
    #[error("at least one format is needed")]
    NoFormat,
    /// The concurrency N is zero.
    #[error("--jobs must be at least 1")]
    ZeroConcurrency,
    /// The fault rate is not a fraction.
    #[error("--fail-rate {0} is not between 0 and 1")]
    FaultRate(f64),
    /// `verify` without `incremental`.
    #[error("--verify needs --incremental: it checks the files the manifest lists")]
    VerifyNeedsIncremental,
    /// `prune` without `incremental`.
    #[error("--prune needs --incremental: only the manifest says which files are ours")]
    PruneNeedsIncremental,
    /// `incremental` with the bundle layout.
    #[error(
        "--incremental needs one file per note (--layout files only, or --layout vault); a \
         bundle is written whole every time"
    )]
    IncrementalNeedsFiles,
    /// The vault layout with a format other than Markdown.
    #[error("--layout vault writes Markdown files only: use -f md")]
    VaultIsMarkdown,
    /// A bundle with a front matter profile other than smartnotes'.
    #[error(
        "a Markdown bundle's records carry smartnotes' own front matter (import reads them by \
         it), not --front-matter {0}: use --layout files or vault"
    )]
    BundleFrontMatter(crate::format::FrontMatter),
    /// `incremental` without files on disk.
    #[error("--incremental needs files on disk (--sink dir)")]
    IncrementalNeedsDir,
}
