//! One job after another on the calling thread: no parallelism at all, the lesson's baseline
//! (30 files x 0.1 s = 3 s).

use std::sync::Arc;

use super::contract::{Jobs, Strategy};
use crate::export::error::ExportError;
use crate::export::work::Work;

/// Runs jobs in order on the calling thread.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sequential;

impl Strategy for Sequential {
    fn run(&self, jobs: &mut Jobs<'_>, work: &Arc<Work>) -> Result<(), ExportError> {
        for job in jobs {
            if work.must_stop() {
                break;
            }
            work.run_blocking(job?);
        }
        Ok(())
    }
}
