//! `--chart`: wall time per strategy as bars, one panel per workload, in SVG (plotters).
//!
//! Each workload gets its own panel and scale (the lesson is measured in tenths of a second,
//! the disk workload in seconds); a computed time (sequential at scale: hours) is written,
//! not drawn, and a refused strategy is named with no bar.

use std::path::Path;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{BenchResult, Report, Workload};
use crate::sys::counted;

/// Why a picture could not be drawn.
#[derive(Debug, thiserror::Error)]
#[error("cannot draw {path}: {message}")]
pub struct DrawError {
    /// The SVG file.
    pub path: std::path::PathBuf,
    /// What plotters said.
    pub message: String,
}

pub(super) fn draw_error(path: &Path) -> impl Fn(&dyn std::fmt::Display) -> DrawError + '_ {
    move |e| DrawError {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// Colour of a strategy in every picture.
pub(super) fn colour(strategy: &str) -> RGBColor {
    match strategy {
        "sequential" => RGBColor(0xd6, 0x27, 0x28),
        "threads" => RGBColor(0x1f, 0x77, 0xb4),
        "pool" => RGBColor(0x2c, 0xa0, 0x2c),
        "async" => RGBColor(0x94, 0x67, 0xbd),
        _ => RGBColor(0x7f, 0x7f, 0x7f),
    }
}

/// Writes the bar chart of `report` to `path`.
pub fn write(report: &Report, path: &Path) -> Result<(), DrawError> {
    let err = draw_error(path);
    let workloads: Vec<Workload> = Workload::ALL
        .into_iter()
        .filter(|w| report.results.iter().any(|r| r.workload == *w))
        .collect();
    let panels = workloads.len().max(1);
    let root = SVGBackend::new(path, (420 * panels as u32, 360)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let title = format!(
        "smartnotes bench: wall time per strategy ({})",
        counted(report.machine.cores as u64, "core", "cores")
    );
    let root = root
        .titled(&title, ("sans-serif", 18))
        .map_err(|e| err(&e))?;
    for (area, workload) in root.split_evenly((1, panels)).iter().zip(&workloads) {
        let rows: Vec<&BenchResult> = report
            .results
            .iter()
            .filter(|r| r.workload == *workload)
            .collect();
        panel(area, *workload, &rows).map_err(|e| err(&e))?;
    }
    root.present().map_err(|e| err(&e))?;
    Ok(())
}

type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;

fn panel(
    area: &Area<'_>,
    workload: Workload,
    rows: &[&BenchResult],
) -> Result<(), Box<dyn std::error::Error>> {
    // A computed time (sequential at scale: hours) would flatten every measured bar; it is
    // written above the panel instead of drawn.
    let top = rows
        .iter()
        .filter(|r| !r.computed)
        .filter_map(|r| r.wall_s)
        .fold(0.0_f64, f64::max)
        .max(1e-6)
        * 1.2;
    let names: Vec<String> = rows.iter().map(|r| r.strategy.clone()).collect();
    let caption = format!(
        "{workload}: {}",
        counted(rows.first().map_or(0, |r| r.jobs), "job", "jobs")
    );
    let mut chart = ChartBuilder::on(area)
        .caption(caption, ("sans-serif", 15))
        .margin(12)
        .x_label_area_size(30)
        .y_label_area_size(55)
        .build_cartesian_2d(
            (0..(names.len() as i32 - 1).max(0)).into_segmented(),
            0.0..top,
        )?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .y_desc("wall time (s)")
        .x_label_formatter(&|x| match x {
            SegmentValue::CenterOf(i) => names.get(*i as usize).cloned().unwrap_or_default(),
            _ => String::new(),
        })
        .draw()?;
    for (i, row) in rows.iter().enumerate() {
        let i = i as i32;
        let label = match (row.wall_s, row.computed) {
            (None, _) => "refused".to_owned(),
            (Some(wall), true) => format!("{}, computed", short(wall)),
            (Some(wall), false) => {
                chart.draw_series(std::iter::once(Rectangle::new(
                    [
                        (SegmentValue::Exact(i), 0.0),
                        (SegmentValue::Exact(i + 1), wall),
                    ],
                    colour(&row.strategy).filled(),
                )))?;
                short(wall)
            }
        };
        let y = match (row.wall_s, row.computed) {
            (Some(wall), false) => wall,
            _ => top * 0.9,
        };
        let style = TextStyle::from(("sans-serif", 11).into_font())
            .pos(Pos::new(HPos::Center, VPos::Bottom));
        chart.draw_series(std::iter::once(Text::new(
            label,
            (SegmentValue::CenterOf(i), y),
            style,
        )))?;
    }
    Ok(())
}

fn short(s: f64) -> String {
    if s >= 3600.0 {
        format!("{:.1} h", s / 3600.0)
    } else if s >= 1.0 {
        format!("{s:.2} s")
    } else {
        format!("{:.0} ms", s * 1000.0)
    }
}
