//! What every strategy is given and promises: the [`Strategy`] trait and the job stream.

use std::sync::Arc;

use crate::export::error::ExportError;
use crate::export::job::Job;
use crate::export::work::Work;
use crate::store::StoreError;

/// The jobs of an export, as the strategies receive them: produced on the calling thread,
/// which reads the notebook as the strategy pulls.
pub(crate) type Jobs<'a> = dyn Iterator<Item = Result<Job, StoreError>> + 'a;

/// A way of running jobs.
///
/// Contract: `run` takes every job from `jobs` until it ends, fails or [`Work::must_stop`]
/// turns true, and runs each one exactly once, either with [`Work::run_blocking`] or with
/// [`Work::execute`], a wait of [`Work::latency`] (cut short when the export is aborted),
/// then [`Work::record`]. A job that cannot even be started (its thread refused) is booked
/// with [`Work::fail`]. `run` returns only when every job it started has been recorded. A
/// read error from `jobs` stops scheduling and is returned once the jobs in flight are done.
/// Jobs are pulled on the calling thread only: the stream reads a snapshot that stays there.
pub(crate) trait Strategy {
    /// Runs the jobs.
    fn run(&self, jobs: &mut Jobs<'_>, work: &Arc<Work>) -> Result<(), ExportError>;
}
