//! Ctrl-C, SIGTERM and SIGHUP during an export, all three the same way.
//!
//! The first of them stops the scheduling: jobs in flight finish and are published, the
//! staging folder is cleaned up, the summary says what was done, and the process ends with
//! 128 + the signal's number (130, 143, 129), as shells and service managers expect. A second
//! one (the user pressing Ctrl-C again) aborts: in-flight simulated waits are cut short at
//! once, still without a partial file ([`abort`]).
//!
//! signal-hook tells the three signals apart (ctrlc cannot) and delivers them to a thread of
//! ours through a self-pipe, so nothing but a write happens inside the signal handler.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

use anyhow::Context;
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

/// The signals an export stops on.
const STOP_SIGNALS: [i32; 3] = [SIGINT, SIGTERM, SIGHUP];

/// The stop flag an export watches, and the first stop signal received, if any.
pub struct Interrupts {
    stop: Arc<AtomicBool>,
    first: Arc<AtomicI32>,
}

impl Interrupts {
    /// Catches SIGINT, SIGTERM and SIGHUP from now on, for the export into `out`.
    pub fn install(out: &Path) -> anyhow::Result<Interrupts> {
        let mut signals =
            Signals::new(STOP_SIGNALS).context("cannot install the signal handlers")?;
        let stop = Arc::new(AtomicBool::new(false));
        let first = Arc::new(AtomicI32::new(0));
        let (flag, seen, out) = (stop.clone(), first.clone(), out.to_path_buf());
        std::thread::Builder::new()
            .name("signals".into())
            .spawn(move || {
                for signal in signals.forever() {
                    on_signal(signal, &flag, &seen, &out);
                }
            })
            .context("cannot start the signal thread")?;
        Ok(Interrupts { stop, first })
    }

    /// The flag for `Hooks.cancel`: set by the first signal.
    pub fn stop_flag(&self) -> Arc<AtomicBool> {
        self.stop.clone()
    }

    /// The first signal received, if one was.
    pub fn received(&self) -> Option<i32> {
        match self.first.load(Ordering::SeqCst) {
            0 => None,
            signal => Some(signal),
        }
    }
}

fn on_signal(signal: i32, stop: &AtomicBool, first: &AtomicI32, out: &Path) {
    let name = name(signal);
    if first
        .compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst)
        .is_ok()
    {
        stop.store(true, Ordering::SeqCst);
        let again = if signal == SIGINT {
            "press Ctrl-C again"
        } else {
            "send a second signal"
        };
        eprintln!(
            "smartnotes: {name}: stopping; jobs in flight finish and are published \
             ({again} to stop at once)"
        );
    } else {
        eprintln!("smartnotes: {name} again: stopping at once, without waiting for jobs in flight");
        abort(out, first.load(Ordering::SeqCst));
    }
}

/// The second level: cut the jobs in flight short, leaving no partial file.
///
/// Today's engine has one level only (`Hooks.cancel` is a flag whose jobs in flight finish),
/// so this ends the process as a crash would (`kill -9`), which the export is built to
/// survive: published files are whole (every file is staged and renamed into place), and
/// the manifest never vouches for a file that is not. It removes this process's own staging
/// folder first, so the unfinished files go too. When the engine's two-level handle lands
/// (`Hooks.cancel: Cancel` with `stop()` and `abort()`), this body becomes `cancel.abort()`
/// and the export returns its summary as after the first signal.
fn abort(out: &Path, first: i32) {
    // The engine's staging folder, `<out>/.smartnotes-staging-<pid>` (written out here, not
    // taken from the engine, whose `sink` module is becoming private: this body goes when
    // `Cancel::abort` lands).
    let prefix = ".smartnotes-staging-";
    let staging = out.join(format!("{prefix}{}", std::process::id()));
    // Moved aside first, in one rename: a publication still under way then finds no staged
    // file to move, instead of a folder emptied under it. The new name keeps the prefix, so
    // the next export removes it if this process dies before it does.
    let aside = out.join(format!("{prefix}{}-aborted", std::process::id()));
    if std::fs::rename(&staging, &aside).is_ok() {
        let _ = std::fs::remove_dir_all(&aside);
    }
    std::process::exit(128 + first);
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
