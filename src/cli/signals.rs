//! Ctrl-C, SIGTERM and SIGHUP during an export, all three the same way.
//!
//! The first of them stops the scheduling: jobs in flight finish and are published, the
//! staging folder is cleaned up, the summary says what was done, and the process ends with
//! 128 + the signal's number (130, 143, 129), as shells and service managers expect. A second
//! one (the user pressing Ctrl-C again) aborts: in-flight simulated waits are cut short at
//! once, still without a partial file (the engine's [`Cancel::abort`]).
//!
//! signal-hook tells the three signals apart (ctrlc cannot) and delivers them to a thread of
//! ours through a self-pipe, so nothing but a write happens inside the signal handler.

use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};

use anyhow::Context;
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;
use smartnotes::export::Cancel;

/// The signals an export stops on.
const STOP_SIGNALS: [i32; 3] = [SIGINT, SIGTERM, SIGHUP];

/// The cancel handle an export watches, and the first stop signal received, if any.
pub struct Interrupts {
    cancel: Cancel,
    first: Arc<AtomicI32>,
}

impl Interrupts {
    /// Catches SIGINT, SIGTERM and SIGHUP from now on.
    pub fn install() -> anyhow::Result<Interrupts> {
        let mut signals =
            Signals::new(STOP_SIGNALS).context("cannot install the signal handlers")?;
        let cancel = Cancel::new();
        let first = Arc::new(AtomicI32::new(0));
        let (handle, seen) = (cancel.clone(), first.clone());
        std::thread::Builder::new()
            .name("signals".into())
            .spawn(move || {
                for signal in signals.forever() {
                    on_signal(signal, &handle, &seen);
                }
            })
            .context("cannot start the signal thread")?;
        Ok(Interrupts { cancel, first })
    }

    /// The handle for [`smartnotes::export::Hooks::with_cancel`]: the first signal stops
    /// the scheduling, the second aborts the waits in flight.
    pub fn cancel(&self) -> Cancel {
        self.cancel.clone()
    }

    /// The first signal received, if one was.
    pub fn received(&self) -> Option<i32> {
        match self.first.load(Ordering::SeqCst) {
            0 => None,
            signal => Some(signal),
        }
    }
}

fn on_signal(signal: i32, cancel: &Cancel, first: &AtomicI32) {
    let _ = first.compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst);
    let name = name(signal);
    // Said before the handle moves: once the waits are cut the export may print its summary
    // and end the process at once, and this line would never be written. This thread sees one
    // signal at a time, so the level read here is the one `escalate` moves from.
    if cancel.is_interrupted() {
        eprintln!(
            "smartnotes: {name} again: stopping at once; waits in flight are cut short, \
             no partial file is left"
        );
    } else {
        let again = if signal == SIGINT {
            "press Ctrl-C again"
        } else {
            "send a second signal"
        };
        eprintln!(
            "smartnotes: {name}: stopping; jobs in flight finish and are published \
             ({again} to stop at once)"
        );
    }
    cancel.escalate();
}

/// The name a user knows the signal by.
pub fn name(signal: i32) -> &'static str {
    match signal {
        SIGINT => "interrupted (Ctrl-C)",
        SIGTERM => "terminated (SIGTERM)",
        SIGHUP => "hung up (SIGHUP)",
        _ => "signalled",
    }
}
