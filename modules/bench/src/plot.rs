//! Throughput against concurrency, per strategy, as an SVG: plotters' SVG
//! backend writes text as SVG text, so no font is needed on the machine.

use crate::report::Point;
use plotters::prelude::*;
use std::path::Path;

/// Strategy colours, readable on white and told apart in grey.
const COLORS: [RGBColor; 5] = [
    RGBColor(200, 40, 40),
    RGBColor(30, 90, 200),
    RGBColor(40, 150, 60),
    RGBColor(220, 130, 0),
    RGBColor(120, 60, 170),
];

/// Writes `points` to `path`: a solid line per strategy (our successes per
/// second) and a dashed one where pgbench ran the same SQL. The client counts
/// are spaced evenly, whatever their values (1, 8, 32).
pub fn plot(path: &Path, title: &str, points: &[Point]) -> Result<(), String> {
    let mut strategies: Vec<&str> = points.iter().map(|p| p.strategy.as_str()).collect();
    strategies.dedup();
    let mut clients: Vec<usize> = points.iter().map(|p| p.clients).collect();
    clients.sort();
    clients.dedup();
    let x = |n: usize| clients.iter().position(|c| *c == n).unwrap_or(0) as f64;
    let max_rate = points
        .iter()
        .map(|p| {
            let ours = p.ours.per_second(p.ours.successes);
            p.pgbench.map_or(ours, |pg| pg.tps.max(ours))
        })
        .fold(1.0, f64::max);
    let root = SVGBackend::new(path, (720, 420)).into_drawing_area();
    let draw = || -> Result<(), Box<dyn std::error::Error + '_>> {
        root.fill(&WHITE)?;
        let last = clients.len().saturating_sub(1) as f64;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(14)
            .x_label_area_size(40)
            .y_label_area_size(64)
            .build_cartesian_2d(-0.2f64..last + 0.2, 0f64..max_rate * 1.15)?;
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .x_labels(clients.len())
            .x_label_formatter(&|v| {
                let i = v.round().max(0.0) as usize;
                clients.get(i).map_or(String::new(), |c| c.to_string())
            })
            .x_desc("concurrent clients (dashed: pgbench on the same SQL)")
            .y_desc("successes per second")
            .draw()?;
        for (i, strategy) in strategies.iter().enumerate() {
            let color = COLORS[i % COLORS.len()];
            let mine: Vec<&Point> = points.iter().filter(|p| p.strategy == *strategy).collect();
            chart
                .draw_series(LineSeries::new(
                    mine.iter()
                        .map(|p| (x(p.clients), p.ours.per_second(p.ours.successes))),
                    color.stroke_width(2),
                ))?
                .label(*strategy)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
                });
            let pg: Vec<(f64, f64)> = mine
                .iter()
                .filter_map(|p| p.pgbench.map(|pg| (x(p.clients), pg.tps)))
                .collect();
            if !pg.is_empty() {
                chart.draw_series(DashedLineSeries::new(pg, 6, 4, color.stroke_width(1)))?;
            }
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .draw()?;
        root.present()?;
        Ok(())
    };
    draw().map_err(|e| format!("cannot draw {}: {e}", path.display()))
}
