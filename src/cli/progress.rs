//! Progress bars on standard error for the commands that can take more than a second
//! (export, import, seed, bench): drawn only when standard error is a terminal and the command
//! is neither `--quiet` nor `--json`, so nothing of them reaches a pipe, a file or a log.
//!
//! indicatif draws them, with two keys of our own: a rate people read (`12.3k files/s`, not
//! indicatif's `10,646.8593/s`) and an ETA shown only after the first second, once the rate
//! has settled (a first estimate from a handful of jobs said `8h`). Until the first count
//! arrives (an incremental export comparing its notes, a bench workload starting) the bar is
//! a spinner with a message, ticking on its own.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use smartnotes::export::Progress;

/// How long the ETA stays hidden: the rate of the first instants says little.
const SETTLE: Duration = Duration::from_secs(1);

/// A bar counting `unit` (`files`, `notes`), or `None` when nothing may be drawn. It starts
/// as a spinner showing `doing`.
pub fn bar(unit: &'static str, doing: &str, quiet: bool) -> Option<Counter> {
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(spinner_style());
    bar.set_message(doing.to_owned());
    bar.enable_steady_tick(Duration::from_millis(100));
    Some(Counter {
        bar,
        unit,
        then: None,
        spinning: AtomicBool::new(true),
        total: AtomicU64::new(u64::MAX),
    })
}

/// A progress bar of some unit; see [`bar`].
pub struct Counter {
    bar: ProgressBar,
    unit: &'static str,
    /// Shown as a spinner once the count is full (`publishing the files`), if set.
    then: Option<&'static str>,
    spinning: AtomicBool,
    // The count's end, kept here: reading the bar's length takes its lock, on every job.
    total: AtomicU64,
}

impl Counter {
    /// What the command does once the count is full: a spinner with this message replaces
    /// the full bar (an export publishing its files, an import writing its notes), which
    /// would otherwise stand still at `ETA 0s`.
    pub fn then(mut self, what: &'static str) -> Self {
        self.then = Some(what);
        self
    }

    /// Now counting up to `total`.
    pub fn start(&self, total: u64) {
        self.bar.set_length(total);
        self.bar.set_style(bar_style(self.unit));
        self.total.store(total, Ordering::Relaxed);
        self.spinning.store(false, Ordering::Relaxed);
    }

    /// `n` more done.
    pub fn inc(&self, n: u64) {
        self.bar.inc(n);
        let full = self.bar.position() >= self.total.load(Ordering::Relaxed);
        if let (true, Some(what)) = (full, self.then)
            && !self.spinning.swap(true, Ordering::Relaxed)
        {
            self.bar.set_style(spinner_style());
            self.bar.set_message(what);
        }
    }

    /// Shown while no count is known (a spinner).
    pub fn doing(&self, what: String) {
        self.bar.set_message(what);
    }

    /// Clears the bar from the terminal.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

fn spinner_style() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} {msg} {elapsed}")
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
}

fn bar_style(unit: &'static str) -> ProgressStyle {
    ProgressStyle::with_template(&format!(
        "{{bar:40}} {{pos}}/{{len}} {unit} {{rate}} {{eta}}"
    ))
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .with_key(
        "rate",
        move |state: &ProgressState, w: &mut dyn std::fmt::Write| {
            if state.elapsed() >= SETTLE / 4 {
                let _ = write!(w, "{} {unit}/s", human_rate(state.per_sec()));
            }
        },
    )
    .with_key(
        "eta",
        |state: &ProgressState, w: &mut dyn std::fmt::Write| {
            if state.elapsed() >= SETTLE && state.pos() > 0 {
                let _ = write!(w, "ETA {}", human_duration(state.eta()));
            }
        },
    )
}

/// `7`, `512`, `12.3k`, `1.2M`: a rate with three significant digits at most.
pub fn human_rate(per_sec: f64) -> String {
    if !per_sec.is_finite() || per_sec < 0.0 {
        return "0".into();
    }
    match per_sec {
        r if r < 10.0 => format!("{r:.1}"),
        r if r < 1_000.0 => format!("{r:.0}"),
        r if r < 10_000.0 => format!("{:.2}k", r / 1e3),
        r if r < 1_000_000.0 => format!("{:.1}k", r / 1e3),
        r => format!("{:.1}M", r / 1e6),
    }
}

/// `4s`, `1m 05s`, `2h 10m`.
fn human_duration(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m {:02}s", s / 60, s % 60),
        s => format!("{}h {:02}m", s / 3600, (s % 3600) / 60),
    }
}

/// The engine's [`Progress`] on a bar: the planned jobs make it a counting bar.
pub struct Bar(pub Counter);

impl Progress for Bar {
    fn planned(&self, jobs: u64) {
        self.0.start(jobs);
    }

    fn advance(&self, jobs: u64) {
        self.0.inc(jobs);
    }

    fn finish(&self) {
        self.0.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_read_like_numbers_people_write() {
        assert_eq!(human_rate(10_646.859_3), "10.6k");
        assert_eq!(human_rate(12_345.0), "12.3k");
        assert_eq!(human_rate(1_234.5), "1.23k");
        assert_eq!(human_rate(512.4), "512");
        assert_eq!(human_rate(3.31), "3.3");
        assert_eq!(human_rate(2_500_000.0), "2.5M");
        assert_eq!(human_rate(f64::NAN), "0");
    }

    #[test]
    fn durations_are_short() {
        assert_eq!(human_duration(Duration::from_secs(4)), "4s");
        assert_eq!(human_duration(Duration::from_secs(65)), "1m 05s");
        assert_eq!(human_duration(Duration::from_secs(7800)), "2h 10m");
    }
}
