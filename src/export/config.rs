//! What an export is asked to do: [`ExportConfig`] and the small choices it is made of.
//!
//! A config is plain data, built by the caller (the CLI from its arguments, the bench, the
//! lab, a program using the library) and checked once by [`ExportConfig::validate`] before
//! [`crate::export::export`] runs it. Nothing here reads the notebook or the disk.

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

use super::error::ConfigError;
use super::naming::Naming;
use super::sink::FaultKind;
use super::strategy::{AsyncRuntime, StrategyKind};
use crate::format::{Format, FrontMatter, RenderOptions};
use crate::links::{EmbedMode, LinkMode};

/// How files are laid out in the export folder.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Layout {
    /// One file per note per format: `<out>/<format>/<id>-<slug>.<ext>`.
    #[default]
    Files,
    /// One file per format holding every note: `<out>/notes.<ext>`.
    Bundle,
    /// A vault: each note's Markdown file at the path it was imported from, folders kept;
    /// `<title>.md` for a note made in smartnotes, made safe for every file system and for
    /// Obsidian's links. Markdown only.
    Vault,
}

impl Layout {
    /// The layout's name, as `--layout` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Layout::Files => "files",
            Layout::Bundle => "bundle",
            Layout::Vault => "vault",
        }
    }
}

/// Where the bytes go.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum SinkKind {
    /// Files in the output folder, staged and published atomically.
    #[default]
    Dir,
    /// Nowhere: render and schedule without touching the disk (benchmarks).
    Null,
}

/// What an export does after a job fails.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum OnError {
    /// Run every job; report the failures at the end.
    #[default]
    Continue,
    /// Schedule no new job after the first failure; jobs in flight end and are published.
    FailFast,
}

/// Deterministic fault injection: fail about `rate` of the writes, chosen by `seed`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Faults {
    /// Fraction of writes that fail, 0.0 to 1.0.
    pub rate: f64,
    /// Which ones.
    pub seed: u64,
    /// Permanent errors, a full disk, or transient errors that retries cure.
    pub kind: FaultKind,
}

/// The retry limit of a transient write error when none is configured.
pub const DEFAULT_RETRY_LIMIT: u32 = 3;

/// Everything that decides what an export writes and how. Build one with
/// [`ExportConfig::new`], set the fields that differ, then call [`crate::export::export`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ExportConfig {
    /// The export folder; nothing is ever written outside it.
    pub out: PathBuf,
    /// Formats, each written once per note (or once, in a bundle).
    pub formats: Vec<Format>,
    /// Files or bundle.
    pub layout: Layout,
    /// How per-note files are named.
    pub naming: Naming,
    /// How jobs are run.
    pub strategy: StrategyKind,
    /// N, the concurrency: the most jobs in flight; `None` for the strategy's default.
    pub concurrency: Option<usize>,
    /// Simulated I/O latency added to every write (the lesson's slow disk); zero for none.
    pub latency: Duration,
    /// Where bytes go.
    pub sink: SinkKind,
    /// Injected failures, for tests and demos.
    pub faults: Option<Faults>,
    /// Rendering choices.
    pub render: RenderOptions,
    /// Go on after a failed job, or stop scheduling.
    pub on_error: OnError,
    /// Render everything and report what would be written, writing nothing.
    pub dry_run: bool,
    /// The tokio runtime of the `async` strategy: one worker per core (default), or only the
    /// calling thread (the lab's "one thread, many tasks").
    pub runtime: AsyncRuntime,
    /// The retry limit: how many times a write that failed with a transient error is tried
    /// again (the retries done are [`crate::export::Summary::retries_done`]).
    pub retry_limit: u32,
    /// Skip notes whose file is already up to date, by the manifest (`--incremental`).
    pub incremental: bool,
    /// With `incremental`: remove the files of notes no longer exported.
    pub prune: bool,
    /// With `incremental`: render every note and compare it with its file on disk, so that
    /// files edited by hand are written again (slower: every file is read).
    pub verify: bool,
    /// How links are written in Markdown files (`--links`); `None` for the layout's default
    /// ([`ExportConfig::link_mode`]).
    pub links: Option<LinkMode>,
    /// How embedded notes are written in Markdown files (`--embeds`).
    pub embeds: EmbedMode,
}

impl ExportConfig {
    /// The defaults: every default format into `out`, files layout, slug names, the default
    /// strategy, no latency.
    pub fn new(out: impl Into<PathBuf>) -> Self {
        ExportConfig {
            out: out.into(),
            formats: Format::DEFAULT.to_vec(),
            layout: Layout::Files,
            naming: Naming::Slug,
            strategy: StrategyKind::DEFAULT,
            concurrency: None,
            latency: Duration::ZERO,
            sink: SinkKind::Dir,
            faults: None,
            render: RenderOptions::default(),
            on_error: OnError::Continue,
            dry_run: false,
            runtime: AsyncRuntime::MultiThread,
            retry_limit: DEFAULT_RETRY_LIMIT,
            incremental: false,
            prune: false,
            verify: false,
            links: None,
            embeds: EmbedMode::Link,
        }
    }

    /// How links are written: as asked, else `wikilink` in the vault layout (an Obsidian
    /// vault again) and `markdown` in the others.
    pub fn link_mode(&self) -> LinkMode {
        self.links.unwrap_or(match self.layout {
            Layout::Vault => LinkMode::Wikilink,
            Layout::Files | Layout::Bundle => LinkMode::Markdown,
        })
    }

    /// Checks the settings that types alone cannot: at least one format, each once (later
    /// copies are dropped); N >= 1; a fault rate between 0 and 1; the incremental options
    /// together.
    pub fn validate(mut self) -> Result<Self, ConfigError> {
        if self.formats.is_empty() {
            return Err(ConfigError::NoFormat);
        }
        let mut seen = Vec::new();
        self.formats.retain(|f| {
            let new = !seen.contains(f);
            seen.push(*f);
            new
        });
        if self.concurrency == Some(0) {
            return Err(ConfigError::ZeroConcurrency);
        }
        if let Some(f) = self.faults
            && !(0.0..=1.0).contains(&f.rate)
        {
            return Err(ConfigError::FaultRate(f.rate));
        }
        if self.verify && !self.incremental {
            return Err(ConfigError::VerifyNeedsIncremental);
        }
        if self.prune && !self.incremental {
            return Err(ConfigError::PruneNeedsIncremental);
        }
        if self.incremental && self.layout == Layout::Bundle {
            return Err(ConfigError::IncrementalNeedsFiles);
        }
        if self.layout == Layout::Vault && self.formats != [Format::Md] {
            return Err(ConfigError::VaultIsMarkdown);
        }
        if self.layout == Layout::Bundle && self.render.front_matter != FrontMatter::Smartnotes {
            return Err(ConfigError::BundleFrontMatter(self.render.front_matter));
        }
        if self.incremental && self.sink != SinkKind::Dir {
            return Err(ConfigError::IncrementalNeedsDir);
        }
        Ok(self)
    }

    /// Jobs an export of `notes` notes plans: notes x formats, or one per format for bundles.
    pub(crate) fn planned_jobs(&self, notes: u64) -> u64 {
        match self.layout {
            Layout::Files | Layout::Vault => notes.saturating_mul(self.formats.len() as u64),
            Layout::Bundle => self.formats.len() as u64,
        }
    }
}
