//! One OS thread per job, as in the lesson: every job starts at once, so the whole export takes
//! about as long as its slowest job.
//!
//! The parallelism comes from the kernel scheduling one thread per job; waiting threads cost no
//! CPU. What they do cost is memory and kernel objects: each thread has a stack mapping and a
//! task id, which is why [`super::StrategyKind::admit`] refuses, before anything is written, an
//! export with more jobs than [`super::limit`] allows. Should the kernel still refuse a thread,
//! that job fails with the kernel's reason and nothing more is scheduled: an error of the
//! export, never an abort.

use std::sync::Arc;
use std::thread;

use super::contract::{Jobs, Strategy};
use crate::export::error::ExportError;
use crate::export::work::Work;
use crate::sys::STACK_SIZE;

/// Starts one scoped thread per job.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Threads;

impl Strategy for Threads {
    fn run(&self, jobs: &mut Jobs<'_>, work: &Arc<Work>) -> Result<(), ExportError> {
        thread::scope(|scope| {
            for job in jobs {
                if work.must_stop() {
                    break;
                }
                let job = job?;
                let spawned = thread::Builder::new()
                    .name(format!("job-{}", job.index))
                    .stack_size(STACK_SIZE)
                    .spawn_scoped(scope, {
                        let job = job.clone();
                        move || work.run_blocking(job)
                    });
                if let Err(e) = spawned {
                    // The kernel said no despite the limit: fail this job, start no more.
                    let error =
                        std::io::Error::new(e.kind(), format!("could not start a thread: {e}"));
                    work.fail(&job, &error);
                }
            }
            // The scope joins every thread before returning.
            Ok(())
        })
    }
}
