//! `bench --sweep --plot FILE.svg`: the sweep's curve as an SVG picture
//! (plotters' SVG backend: no font library, no bitmap).
//!
//! A rate sweep: latency percentiles (ms, log scale) against the rate
//! achieved. A concurrency (or connections) sweep: throughput against
//! concurrency (connections) above, latency percentiles against it below
//! (log scale for a log sweep).

use std::path::Path;

use anyhow::Context as _;
use plotters::prelude::*;

use super::sweep::{Setting, Step};

/// The latency curves drawn, with their colours.
const CURVES: [(&str, f64, RGBColor); 4] = [
    ("p50", 50.0, RGBColor(31, 119, 180)),
    ("p90", 90.0, RGBColor(44, 160, 44)),
    ("p99", 99.0, RGBColor(255, 127, 14)),
    ("p99.9", 99.9, RGBColor(214, 39, 40)),
];

/// Writes the plot of `steps` to `path`. `title` names the workload, the
/// server and the settings that did not change.
pub fn write(
    path: &Path,
    title: &str,
    setting: Setting,
    log_x: bool,
    steps: &[Step],
) -> anyhow::Result<()> {
    let root = SVGBackend::new(path, (960, 640)).into_drawing_area();
    draw(&root, title, setting, log_x, steps)
        .map_err(|err| anyhow::anyhow!("{err}"))
        .with_context(|| format!("--plot {}", path.display()))?;
    root.present()
        .map_err(|err| anyhow::anyhow!("{err}"))
        .with_context(|| format!("--plot {}", path.display()))?;
    Ok(())
}

type DrawResult = Result<(), Box<dyn std::error::Error>>;

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    title: &str,
    setting: Setting,
    log_x: bool,
    steps: &[Step],
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let root = root.titled(title, ("sans-serif", 20))?;
    match setting {
        Setting::Rate => {
            // The x of a step is the rate it achieved (what the server
            // took), not the rate asked.
            let points: Vec<(f64, &Step)> = steps
                .iter()
                .map(|step| {
                    let achieved = step
                        .report
                        .achieved_rate()
                        .unwrap_or_else(|| step.report.rpcs_per_sec());
                    (achieved.max(f64::MIN_POSITIVE), step)
                })
                .collect();
            latency_chart(&root, "achieved rate (RPCs/s)", log_x, &points)
        }
        Setting::Concurrency | Setting::Connections => {
            let x_label = if setting == Setting::Concurrency {
                "concurrency (RPCs in flight)"
            } else {
                "connections (HTTP/2)"
            };
            let (upper, lower) = root.split_vertically(root.dim_in_pixel().1 / 2);
            let points: Vec<(f64, &Step)> = steps.iter().map(|step| (step.value, step)).collect();
            throughput_chart(&upper, x_label, log_x, &points)?;
            latency_chart(&lower, x_label, log_x, &points)
        }
    }
}

/// (low, high) around `values`, never empty, positive for a log axis.
fn span(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (low, high) = values.fold((f64::MAX, f64::MIN), |(low, high), value| {
        (low.min(value), high.max(value))
    });
    if low > high {
        return (1.0, 10.0);
    }
    let low = low.max(1e-3);
    if high <= low {
        (low / 2.0, low * 2.0)
    } else {
        (low, high)
    }
}

/// One named curve: its points and colour.
type Curve = (&'static str, RGBColor, Vec<(f64, f64)>);

fn latency_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    x_label: &str,
    log_x: bool,
    points: &[(f64, &Step)],
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let ms = |step: &Step, p: f64| step.report.latency_at(p) as f64 / 1000.0;
    let curves: Vec<Curve> = CURVES
        .iter()
        .map(|(name, p, color)| {
            let line = points.iter().map(|(x, step)| (*x, ms(step, *p))).collect();
            (*name, *color, line)
        })
        .collect();
    let (y_low, y_high) = span(
        curves
            .iter()
            .flat_map(|(_, _, line)| line.iter().map(|(_, y)| *y))
            .filter(|value| *value > 0.0),
    );
    let y_range = (y_low / 1.5..y_high * 1.5).log_scale();
    let labels = (x_label, "latency (ms, log scale)");
    let (x_low, x_high) = span(points.iter().map(|(x, _)| *x));
    if log_x {
        let x_range = (x_low / 1.2..x_high * 1.2).log_scale();
        lines_chart(area, x_range, y_range, labels, &curves)
    } else {
        lines_chart(area, linear(x_low, x_high), y_range, labels, &curves)
    }
}

fn throughput_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    x_label: &str,
    log_x: bool,
    points: &[(f64, &Step)],
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let line: Vec<(f64, f64)> = points
        .iter()
        .map(|(x, step)| (*x, step.report.rpcs_per_sec()))
        .collect();
    let y_high = line.iter().map(|(_, y)| *y).fold(1.0, f64::max);
    let curves = [("RPCs/s", RGBColor(31, 119, 180), line)];
    let labels = (x_label, "throughput (RPCs/s)");
    let y_range = 0.0..y_high * 1.1;
    let (x_low, x_high) = span(points.iter().map(|(x, _)| *x));
    if log_x {
        let x_range = (x_low / 1.2..x_high * 1.2).log_scale();
        lines_chart(area, x_range, y_range, labels, &curves)
    } else {
        lines_chart(area, linear(x_low, x_high), y_range, labels, &curves)
    }
}

/// A linear axis around `low..high`, with a margin, from 0 at the least.
fn linear(low: f64, high: f64) -> std::ops::Range<f64> {
    let pad = (high - low) * 0.05;
    (low - pad).max(0.0)..high + pad
}

/// A chart of `curves` (a line through a dot per point each, and a
/// legend) on the given axes, labelled (x, y).
fn lines_chart<DB, X, Y>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    x_range: X,
    y_range: Y,
    (x_label, y_label): (&str, &str),
    curves: &[Curve],
) -> DrawResult
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
    X: plotters::coord::ranged1d::AsRangedCoord<Value = f64>,
    Y: plotters::coord::ranged1d::AsRangedCoord<Value = f64>,
    X::CoordDescType: plotters::coord::ranged1d::ValueFormatter<f64>,
    Y::CoordDescType: plotters::coord::ranged1d::ValueFormatter<f64>,
{
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(64)
        .build_cartesian_2d(x_range, y_range)?;
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc(y_label)
        .draw()?;
    for (name, color, line) in curves {
        let color = *color;
        chart
            .draw_series(LineSeries::new(line.iter().copied(), color.stroke_width(2)))?
            .label(*name)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], color));
        chart.draw_series(
            line.iter()
                .map(|point| Circle::new(*point, 3, color.filled())),
        )?;
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;
    Ok(())
}
