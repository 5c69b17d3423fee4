//! Experiment `predict`: the lesson's exercise.
//!
//! Three threads wait 3.0, 1.0 and 2.0 s (A, B, C). Before they run, you predict which finishes
//! first, which last, and the total wall time; then they run and each prediction is scored
//! against what happened. The answers: the shortest first, the longest last, and the total is
//! the longest wait, not the sum.

use std::time::Duration;

use serde::Serialize;

use super::{Narrator, label, overlap};

/// A learner's predictions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Predictions {
    /// Label of the task predicted to finish first.
    pub first: String,
    /// Label of the task predicted to finish last.
    pub last: String,
    /// Predicted total wall time, seconds.
    pub total_s: f64,
}

impl std::str::FromStr for Predictions {
    type Err = String;

    /// Parses `B,A,3.0`: first, last, total in seconds.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = s.split(',').map(str::trim).collect();
        let [first, last, total] = parts[..] else {
            return Err(format!("{s:?}: expected FIRST,LAST,TOTAL such as B,A,3.0"));
        };
        let total_s = total
            .trim_end_matches('s')
            .parse::<f64>()
            .map_err(|_| format!("{total:?} is not a number of seconds"))?;
        Ok(Predictions {
            first: first.to_uppercase(),
            last: last.to_uppercase(),
            total_s,
        })
    }
}

/// How the predictions fared.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Score {
    /// The first prediction was right.
    pub first_ok: bool,
    /// The last prediction was right.
    pub last_ok: bool,
    /// The total was within 10% (or 0.2 s, whichever is larger) of the measured one.
    pub total_ok: bool,
    /// Right answers, out of 3.
    pub points: u32,
}

/// Scores `predicted` against what happened.
pub fn score(predicted: &Predictions, first: &str, last: &str, total_s: f64) -> Score {
    let first_ok = predicted.first == first;
    let last_ok = predicted.last == last;
    let tolerance = (0.1 * total_s).max(0.2);
    let total_ok = (predicted.total_s - total_s).abs() <= tolerance;
    Score {
        first_ok,
        last_ok,
        total_ok,
        points: [first_ok, last_ok, total_ok].iter().filter(|&&b| b).count() as u32,
    }
}

/// What `lab predict` measured.
#[derive(Debug, Clone, Serialize)]
pub struct PredictReport {
    /// The tasks: label and seconds.
    pub tasks: Vec<(String, f64)>,
    /// What was predicted.
    pub predicted: Predictions,
    /// The task that finished first.
    pub first: String,
    /// The task that finished last.
    pub last: String,
    /// Measured wall time, seconds.
    pub total_s: f64,
    /// The score.
    pub score: Score,
}

/// Runs the tasks on threads (narrating) and scores `predicted`.
pub fn run(durations: &[Duration], predicted: Predictions, narrate: Narrator<'_>) -> PredictReport {
    let report = overlap::run(durations, true, narrate);
    let done: Vec<&str> = report
        .events
        .iter()
        .filter(|e| e.what == overlap::EventKind::Done)
        .map(|e| e.task.as_str())
        .collect();
    let first = done.first().copied().unwrap_or_default().to_owned();
    let last = done.last().copied().unwrap_or_default().to_owned();
    let score = score(&predicted, &first, &last, report.total_s);
    PredictReport {
        tasks: durations
            .iter()
            .enumerate()
            .map(|(i, d)| (label(i), d.as_secs_f64()))
            .collect(),
        predicted,
        first,
        last,
        total_s: report.total_s,
        score,
    }
}

impl std::fmt::Display for PredictReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mark = |ok| if ok { "right" } else { "wrong" };
        writeln!(f)?;
        writeln!(
            f,
            "first: you said {}, it was {} ({})",
            self.predicted.first,
            self.first,
            mark(self.score.first_ok)
        )?;
        writeln!(
            f,
            "last:  you said {}, it was {} ({})",
            self.predicted.last,
            self.last,
            mark(self.score.last_ok)
        )?;
        writeln!(
            f,
            "total: you said {:.2} s, it took {:.2} s ({})",
            self.predicted.total_s,
            self.total_s,
            mark(self.score.total_ok)
        )?;
        writeln!(f, "score: {} of 3", self.score.points)?;
        let sum: f64 = self.tasks.iter().map(|t| t.1).sum();
        writeln!(f, "\nwhat this shows:")?;
        writeln!(
            f,
            "  All threads start together and wait at the same time, so they finish in order of"
        )?;
        writeln!(
            f,
            "  their waits and the total is the longest wait, not the sum ({sum:.1} s)."
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_parse() {
        let p: Predictions = "b, a, 3.0".parse().unwrap();
        assert_eq!(
            p,
            Predictions {
                first: "B".into(),
                last: "A".into(),
                total_s: 3.0
            }
        );
        assert!("B,A".parse::<Predictions>().is_err());
        assert!("B,A,soon".parse::<Predictions>().is_err());
    }

    #[test]
    fn scoring_checks_each_prediction() {
        let p: Predictions = "B,A,3.0".parse().unwrap();
        assert_eq!(score(&p, "B", "A", 3.05).points, 3);
        let s = score(&p, "C", "A", 6.0);
        assert_eq!(
            (s.first_ok, s.last_ok, s.total_ok, s.points),
            (false, true, false, 1)
        );
        assert!(
            !score(&"B,A,6.0".parse().unwrap(), "B", "A", 3.0).total_ok,
            "the sum is wrong"
        );
    }

    #[test]
    fn a_run_finds_first_and_last() {
        let ds = [300, 100, 200].map(Duration::from_millis);
        let report = run(&ds, "B,A,0.3".parse().unwrap(), &mut |_| {});
        assert_eq!((report.first.as_str(), report.last.as_str()), ("B", "A"));
        assert!(report.total_s >= 0.3);
        assert_eq!(report.score.points, 3);
    }
}
