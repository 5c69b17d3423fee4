//! Experiment `threads`: two tasks of simulated I/O, each on its own thread, started together.
//!
//! The lesson's first program: task A waits 2 s, task B 1 s. Run one after the other they take
//! 3 s; on two threads they overlap and take about 2 s, the longest, because a waiting thread
//! needs no CPU. `--no-join` shows the mistake the lesson warns about: a main thread that does
//! not wait reports a total before the work is done. Rust's scoped threads
//! ([`std::thread::scope`]) cannot make that mistake: the scope joins every thread it started
//! before it returns.

use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::{Narrator, label, secs};

/// Runs each simulated I/O duration on its own thread and returns the wall time taken: about
/// the longest duration, not the sum.
pub fn run_threaded(durations: &[Duration]) -> Duration {
    let started = Instant::now();
    thread::scope(|scope| {
        for &d in durations {
            scope.spawn(move || thread::sleep(d));
        }
    });
    started.elapsed()
}

/// One thing that happened, seconds after the start.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Event {
    /// Seconds since the experiment started.
    pub at_s: f64,
    /// The task, A, B, ...
    pub task: String,
    /// What happened.
    pub what: EventKind,
}

/// What happened to a task.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    /// It started.
    Starting,
    /// It ended.
    Done,
}

impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            EventKind::Starting => "starting",
            EventKind::Done => "done",
        })
    }
}

/// What `lab threads` measured.
#[derive(Debug, Clone, Serialize)]
pub struct ThreadsReport {
    /// The simulated I/O of each task, seconds.
    pub durations_s: Vec<f64>,
    /// Whether the main thread waited for the tasks.
    pub joined: bool,
    /// Events in the order they happened.
    pub events: Vec<Event>,
    /// The total the main thread measured and printed.
    pub total_s: f64,
    /// When the last task really finished, seconds after the start.
    pub last_done_s: f64,
    /// Sum of the durations: the sequential time.
    pub sum_s: f64,
    /// Longest duration: the ideal threaded time.
    pub longest_s: f64,
}

/// Runs the tasks on threads, narrating each start and end as it happens.
pub fn run(durations: &[Duration], join: bool, narrate: Narrator<'_>) -> ThreadsReport {
    let started = Instant::now();
    let (tx, rx) = mpsc::channel::<(usize, EventKind, Duration)>();
    let mut events = Vec::new();
    let mut record = |(task, what, at): (usize, EventKind, Duration), narrate: Narrator<'_>| {
        narrate(&format!("{:>6}  {what} {}", secs(at), label(task)));
        events.push(Event {
            at_s: at.as_secs_f64(),
            task: label(task),
            what,
        });
    };
    let spawn_task = |i: usize, d: Duration, tx: mpsc::Sender<_>| {
        move || {
            let _ = tx.send((i, EventKind::Starting, started.elapsed()));
            thread::sleep(d);
            let _ = tx.send((i, EventKind::Done, started.elapsed()));
        }
    };
    let total;
    if join {
        thread::scope(|scope| {
            for (i, &d) in durations.iter().enumerate() {
                scope.spawn(spawn_task(i, d, tx.clone()));
            }
            drop(tx);
            // Print as the threads report, in the order things really happen.
            for event in rx.iter() {
                record(event, narrate);
            }
        });
        total = started.elapsed();
    } else {
        let handles: Vec<_> = durations
            .iter()
            .enumerate()
            .map(|(i, &d)| thread::spawn(spawn_task(i, d, tx.clone())))
            .collect();
        drop(tx);
        // The mistake: measure without waiting. The threads are still running.
        total = started.elapsed();
        narrate(&format!(
            "{:>6}  main thread prints its total now, without waiting: {}",
            secs(total),
            secs(total)
        ));
        // Keep the process alive to show the tasks finishing after the total was printed;
        // a real program that returned from main here would kill them mid-way.
        for event in rx.iter() {
            record(event, narrate);
        }
        for h in handles {
            let _ = h.join();
        }
    }
    let last_done_s = events
        .iter()
        .filter(|e| e.what == EventKind::Done)
        .map(|e| e.at_s)
        .fold(0.0, f64::max);
    ThreadsReport {
        durations_s: durations.iter().map(Duration::as_secs_f64).collect(),
        joined: join,
        events,
        total_s: total.as_secs_f64(),
        last_done_s,
        sum_s: durations.iter().map(Duration::as_secs_f64).sum(),
        longest_s: durations
            .iter()
            .map(Duration::as_secs_f64)
            .fold(0.0, f64::max),
    }
}

impl std::fmt::Display for ThreadsReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f)?;
        writeln!(
            f,
            "total {:.2} s; in sequence it would be {:.2} s (the sum), the ideal is {:.2} s (the longest)",
            self.total_s, self.sum_s, self.longest_s
        )?;
        writeln!(f)?;
        writeln!(f, "what this shows:")?;
        if self.joined {
            writeln!(
                f,
                "  While a thread waits for I/O it needs no CPU, so the waits overlap: the total is the"
            )?;
            writeln!(
                f,
                "  longest task, not the sum. Rust's scoped threads join by construction: the scope"
            )?;
            writeln!(
                f,
                "  cannot end before every thread in it has finished, so the total is always real."
            )?;
        } else {
            writeln!(
                f,
                "  Without a join the main thread printed {:.2} s while the tasks ran until {:.2} s.",
                self.total_s, self.last_done_s
            )?;
            writeln!(
                f,
                "  Had main returned there, the process would have ended and killed them mid-task."
            )?;
            writeln!(
                f,
                "  std::thread::spawn returns a JoinHandle you must join; std::thread::scope joins for"
            )?;
            writeln!(f, "  you, which is why smartnotes uses scoped threads.")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SLACK: Duration = Duration::from_millis(400);

    #[test]
    fn an_empty_list_takes_close_to_nothing() {
        assert!(run_threaded(&[]) < SLACK);
    }

    #[test]
    fn one_item_takes_its_duration() {
        let d = Duration::from_millis(150);
        let took = run_threaded(&[d]);
        assert!(took >= d, "{took:?}");
        assert!(took < d + SLACK, "{took:?}");
    }

    #[test]
    fn several_take_the_longest_not_the_sum() {
        let ds = [300, 100, 200].map(Duration::from_millis);
        let took = run_threaded(&ds);
        assert!(took >= Duration::from_millis(300), "{took:?}");
        assert!(
            took < Duration::from_millis(600),
            "{took:?}: the sum would be 600 ms"
        );
    }

    #[test]
    fn events_come_in_the_order_they_happen() {
        let mut lines = Vec::new();
        let report = run(
            &[Duration::from_millis(200), Duration::from_millis(50)],
            true,
            &mut |l| lines.push(l.to_owned()),
        );
        let done: Vec<&str> = report
            .events
            .iter()
            .filter(|e| e.what == EventKind::Done)
            .map(|e| e.task.as_str())
            .collect();
        assert_eq!(done, ["B", "A"], "the shorter task finishes first");
        assert!(report.events.windows(2).all(|w| w[0].at_s <= w[1].at_s));
        assert_eq!(lines.len(), 4);
        assert!(report.total_s >= 0.2);
    }

    #[test]
    fn without_join_the_total_is_printed_before_the_tasks_end() {
        let report = run(&[Duration::from_millis(150)], false, &mut |_| {});
        assert!(report.total_s < 0.15, "{}", report.total_s);
        assert!(report.last_done_s >= 0.15);
    }
}
