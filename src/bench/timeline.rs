//! `--timeline`: one horizontal bar per job from its start to its end, a panel per strategy,
//! in SVG (plotters). Sequential draws a staircase; threads, the pool and async draw 30 bars
//! stacked on top of one another: the overlap of the lesson, at a glance.

use std::path::Path;

use plotters::prelude::*;

use super::StrategySpans;
use super::chart::{DrawError, colour, draw_error};
use crate::sys::counted;

/// Writes the timeline of `runs` to `path`; every panel shares the time axis of the slowest.
pub fn write(runs: &[StrategySpans], path: &Path) -> Result<(), DrawError> {
    let err = draw_error(path);
    if runs.is_empty() {
        return Err(err(
            &"no job spans were recorded (the lesson workload records them)",
        ));
    }
    let panels = runs.len() as u32;
    let root = SVGBackend::new(path, (900, 40 + 220 * panels)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let root = root
        .titled(
            "smartnotes bench --timeline: each bar is one job, from start to end",
            ("sans-serif", 18),
        )
        .map_err(|e| err(&e))?;
    let end = runs
        .iter()
        .flat_map(|r| r.spans.iter().map(|s| s.end_s))
        .fold(0.0_f64, f64::max)
        .max(1e-3)
        * 1.02;
    for (area, run) in root.split_evenly((runs.len(), 1)).iter().zip(runs) {
        panel(area, run, end).map_err(|e| err(&e))?;
    }
    root.present().map_err(|e| err(&e))?;
    Ok(())
}

fn panel(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    run: &StrategySpans,
    end: f64,
) -> Result<(), Box<dyn std::error::Error>> {
    let jobs = run.spans.len().max(1) as f64;
    let mut chart = ChartBuilder::on(area)
        .caption(
            format!(
                "{}: {} in {:.3} s",
                run.strategy,
                counted(run.spans.len() as u64, "job", "jobs"),
                run.wall_s
            ),
            ("sans-serif", 14),
        )
        .margin(8)
        .x_label_area_size(25)
        .y_label_area_size(40)
        .build_cartesian_2d(0.0..end, 0.0..jobs)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .x_desc("seconds since the export started")
        .y_desc("job")
        .draw()?;
    let style = colour(&run.strategy.to_string()).filled();
    chart.draw_series(run.spans.iter().enumerate().map(|(row, span)| {
        let y = row as f64;
        Rectangle::new([(span.start_s, y + 0.15), (span.end_s, y + 0.85)], style)
    }))?;
    Ok(())
}
