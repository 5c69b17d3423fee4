//! What an export will do, decided before anything is written: the notes, the planned jobs,
//! the concurrency N and the threads, once the strategy has admitted it.
//!
//! [`Plan::admit`] is the one admission path: [`crate::export::export`] goes through it with
//! the count of its own snapshot, and [`plan`] lets a caller (the bench) ask beforehand,
//! refusals included, without exporting.

use serde::Serialize;

use super::config::{ExportConfig, Layout};
use super::error::ExportError;
use super::source::NoteSource;

/// An export as admitted: what it will read, plan and start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Plan {
    /// Notes to read.
    pub notes: u64,
    /// Jobs planned: notes x formats, or one per format for bundles (before incremental
    /// skips).
    pub planned_jobs: u64,
    /// N, the most jobs in flight.
    pub concurrency: usize,
    /// OS threads the export starts to run jobs, beside the calling thread.
    pub threads: usize,
}

/// Counts what `source` holds and admits an export of it as `config` says, writing nothing:
/// `Err(ExportError::Refused)` when the strategy cannot hold it.
pub fn plan(source: &NoteSource, config: &ExportConfig) -> Result<Plan, ExportError> {
    source.read(|reader| Plan::admit(reader.count()?, config))
}

impl Plan {
    /// Admits an export of `notes` notes as `config` says.
    pub(crate) fn admit(notes: u64, config: &ExportConfig) -> Result<Plan, ExportError> {
        let planned_jobs = config.planned_jobs(notes);
        let asked = config
            .concurrency
            .unwrap_or_else(|| (config.strategy).default_concurrency(planned_jobs, config.latency))
            .max(1);
        let (concurrency, threads) = match config.layout {
            Layout::Files | Layout::Vault => {
                let admitted = config.strategy.admit(
                    planned_jobs,
                    asked,
                    config.runtime,
                    !config.latency.is_zero(),
                )?;
                (admitted.concurrency, admitted.threads)
            }
            // One writer per bundle, N at a time; at N = 1 on the reading thread.
            Layout::Bundle => {
                let writers = asked.min(config.formats.len()).max(1);
                (writers, if writers > 1 { writers } else { 0 })
            }
        };
        Ok(Plan {
            notes,
            planned_jobs,
            concurrency,
            threads,
        })
    }
}
