//! `bench --sweep --plot FILE.svg`: the sweep's curve as an SVG picture
//! (plotters' SVG backend: no font library, no bitmap).
//!
//! A rate sweep: latency percentiles (ms, log scale) against the rate
//! achieved. A concurrency sweep: throughput against concurrency above,
//! latency percentiles against concurrency below (log scale for a log
//! sweep).

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
        Setting::Concurrency => {
            let (upper, lower) = root.split_vertically(root.dim_in_pixel().1 / 2);
            let points: Vec<(f64, &Step)> = steps.iter().map(|step| (step.value, step)).collect();
            throughput_chart(&upper, log_x, &points)?;
            latency_chart(&lower, "concurrency (RPCs in flight)", log_x, &points)
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
    let (x_low, x_high) = span(points.iter().map(|(x, _)| *x));
    let (y_low, y_high) = span(
        points
            .iter()
            .flat_map(|(_, step)| CURVES.iter().map(move |(_, p, _)| ms(step, *p)))
            .filter(|value| *value > 0.0),
    );
    let y_range = (y_low / 1.5..y_high * 1.5).log_scale();
    let mut builder = ChartBuilder::on(area);
    builder
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(64);
    if log_x {
        let mut chart =
            builder.build_cartesian_2d((x_low / 1.2..x_high * 1.2).log_scale(), y_range)?;
        chart
            .configure_mesh()
            .x_desc(x_label)
            .y_desc("latency (ms, log scale)")
            .draw()?;
        for (name, p, color) in CURVES {
            let series = points.iter().map(|(x, step)| (*x, ms(step, p)));
            chart
                .draw_series(LineSeries::new(series.clone(), color.stroke_width(2)))?
                .label(name)
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], color));
            chart.draw_series(series.map(|point| Circle::new(point, 3, color.filled())))?;
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()?;
    } else {
        let pad = (x_high - x_low) * 0.05;
        let mut chart =
            builder.build_cartesian_2d((x_low - pad).max(0.0)..x_high + pad, y_range)?;
        chart
            .configure_mesh()
            .x_desc(x_label)
            .y_desc("latency (ms, log scale)")
            .draw()?;
        for (name, p, color) in CURVES {
            let series = points.iter().map(|(x, step)| (*x, ms(step, p)));
            chart
                .draw_series(LineSeries::new(series.clone(), color.stroke_width(2)))?
                .label(name)
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], color));
            chart.draw_series(series.map(|point| Circle::new(point, 3, color.filled())))?;
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()?;
    }
    Ok(())
}

fn throughput_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    log_x: bool,
    points: &[(f64, &Step)],
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let (x_low, x_high) = span(points.iter().map(|(x, _)| *x));
    let y_high = points
        .iter()
        .map(|(_, step)| step.report.rpcs_per_sec())
        .fold(1.0, f64::max);
    let series: Vec<(f64, f64)> = points
        .iter()
        .map(|(x, step)| (*x, step.report.rpcs_per_sec()))
        .collect();
    let color = RGBColor(31, 119, 180);
    let mut builder = ChartBuilder::on(area);
    builder
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(64);
    if log_x {
        let mut chart = builder
            .build_cartesian_2d((x_low / 1.2..x_high * 1.2).log_scale(), 0.0..y_high * 1.1)?;
        chart
            .configure_mesh()
            .x_desc("concurrency (RPCs in flight)")
            .y_desc("throughput (RPCs/s)")
            .draw()?;
        chart
            .draw_series(LineSeries::new(series.clone(), color.stroke_width(2)))?
            .label("RPCs/s")
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], color));
        chart.draw_series(
            series
                .iter()
                .map(|point| Circle::new(*point, 3, color.filled())),
        )?;
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()?;
    } else {
        let pad = (x_high - x_low) * 0.05;
        let mut chart =
            builder.build_cartesian_2d((x_low - pad).max(0.0)..x_high + pad, 0.0..y_high * 1.1)?;
        chart
            .configure_mesh()
            .x_desc("concurrency (RPCs in flight)")
            .y_desc("throughput (RPCs/s)")
            .draw()?;
        chart
            .draw_series(LineSeries::new(series.clone(), color.stroke_width(2)))?
            .label("RPCs/s")
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], color));
        chart.draw_series(
            series
                .iter()
                .map(|point| Circle::new(*point, 3, color.filled())),
        )?;
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()?;
    }
    Ok(())
}
