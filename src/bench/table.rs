//! The bench's table, as people read it: one row per workload and strategy.

use std::fmt;

use super::{BenchResult, Report};
use crate::export::human_bytes;
use crate::sys::counted;

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "machine: {}, {}{}",
            counted(self.machine.cores as u64, "core", "cores"),
            self.machine.os,
            self.machine
                .cpu
                .as_deref()
                .map(|c| format!(", {c}"))
                .unwrap_or_default()
        )?;
        writeln!(
            f,
            "{:<8} {:<10} {:>8} {:>7} {:>22} {:>9} {:>6} {:>10} {:>9} {:>7}",
            "workload",
            "strategy",
            "jobs",
            "N",
            "wall (median, spread)",
            "speedup",
            "eff.",
            "files/s",
            "peak RSS",
            "threads"
        )?;
        for row in &self.results {
            write_row(f, row)?;
        }
        let refused: Vec<&BenchResult> = self
            .results
            .iter()
            .filter(|r| r.refused.is_some())
            .collect();
        for row in refused {
            writeln!(
                f,
                "{} {} refused: {}",
                row.workload,
                row.strategy,
                row.refused.as_deref().unwrap_or_default()
            )?;
        }
        if let Some(line) = against_python(&self.results) {
            writeln!(f, "{line}")?;
        }
        if self.results.iter().any(|r| r.computed) {
            writeln!(
                f,
                "(computed: jobs x latency, not run; eff. = ideal / wall, the ideal being one \
                 job's latency, or the floor on disk)"
            )?;
        }
        Ok(())
    }
}

fn write_row(f: &mut fmt::Formatter<'_>, row: &BenchResult) -> fmt::Result {
    let wall = match (row.wall_s, row.computed, &row.refused) {
        (_, _, Some(_)) => "refused".to_owned(),
        (Some(w), true, _) => format!("{} (computed)", seconds(w)),
        (Some(w), false, _) => match (row.wall_min_s, row.wall_max_s) {
            (Some(lo), Some(hi)) if row.runs > 1 => {
                format!("{} ±{:.0}%", seconds(w), 50.0 * (hi - lo) / w.max(1e-9))
            }
            _ => seconds(w),
        },
        (None, ..) => "-".to_owned(),
    };
    let opt = |v: Option<f64>, fmt: &dyn Fn(f64) -> String| v.map(fmt).unwrap_or("-".into());
    writeln!(
        f,
        "{:<8} {:<10} {:>8} {:>7} {:>22} {:>9} {:>6} {:>10} {:>9} {:>7}",
        row.workload.to_string(),
        row.strategy,
        row.jobs,
        row.concurrency,
        wall,
        opt(row.speedup, &|s| format!("{s:.1}x")),
        opt(row.efficiency, &|e| format!("{:.0}%", e * 100.0)),
        opt(row.files_per_s, &|r| format!("{r:.0}")),
        row.peak_rss_bytes
            .map(human_bytes)
            .unwrap_or_else(|| "-".into()),
        if row.refused.is_some() {
            "-".to_owned()
        } else {
            row.threads.to_string()
        },
    )
}

/// The scale workload's async against Python's asyncio gathering as many sleeps, when both
/// ran: how many times faster, and how many times less memory.
fn against_python(rows: &[BenchResult]) -> Option<String> {
    let scale = |name: &str| {
        rows.iter()
            .find(|r| r.workload == super::Workload::Scale && r.strategy == name)
    };
    let (rust, python) = (scale("async")?, scale(super::PYTHON_ASYNCIO)?);
    let (wall_r, wall_p) = (rust.wall_s?, python.wall_s?);
    let memory = match (rust.peak_rss_bytes, python.peak_rss_bytes) {
        (Some(r), Some(p)) if r > 0 => format!(", {:.1}x less memory", p as f64 / r as f64),
        _ => String::new(),
    };
    Some(format!(
        "scale: async {} against Python asyncio gathering the same {} sleeps {}: {:.1}x faster{memory}",
        seconds(wall_r),
        python.jobs,
        seconds(wall_p),
        wall_p / wall_r.max(1e-9),
    ))
}

/// Seconds, with as many decimals as a benchmark needs.
fn seconds(s: f64) -> String {
    if s >= 100.0 {
        format!("{s:.0} s")
    } else if s >= 1.0 {
        format!("{s:.2} s")
    } else {
        format!("{s:.3} s")
    }
}
