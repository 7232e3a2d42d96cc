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

/// A line chart over a few x values spaced evenly, whatever their values
/// (1, 8, 32 clients; 1,000, 10,000, 50,000 entries).
pub struct Chart<'a> {
    pub title: &'a str,
    pub x_desc: &'a str,
    pub y_desc: &'a str,
    /// The x values' labels, in order.
    pub xs: Vec<String>,
    pub lines: Vec<Line>,
}

/// One line of a [`Chart`]: `(index into the chart's xs, y)` points.
pub struct Line {
    /// In the legend; a line without a name is drawn without an entry.
    pub name: Option<String>,
    pub points: Vec<(usize, f64)>,
    /// Which of the chart's colours: lines that belong together share one.
    pub color: usize,
    /// Dashed, thinner: the reference a solid line is read against.
    pub dashed: bool,
}

/// Writes `points` to `path`: a solid line per strategy (our successes per
/// second) and a dashed one of its colour where pgbench ran the same SQL.
pub fn plot(path: &Path, title: &str, points: &[Point]) -> Result<(), String> {
    let mut strategies: Vec<&str> = points.iter().map(|p| p.strategy.as_str()).collect();
    strategies.dedup();
    let mut clients: Vec<usize> = points.iter().map(|p| p.clients).collect();
    clients.sort();
    clients.dedup();
    let x = |n: usize| clients.iter().position(|c| *c == n).unwrap_or(0);
    let mut lines = Vec::new();
    for (i, strategy) in strategies.iter().enumerate() {
        let mine: Vec<&Point> = points.iter().filter(|p| p.strategy == *strategy).collect();
        lines.push(Line {
            name: Some(strategy.to_string()),
            points: mine
                .iter()
                .map(|p| (x(p.clients), p.ours.per_second(p.ours.successes)))
                .collect(),
            color: i,
            dashed: false,
        });
        lines.push(Line {
            name: None,
            points: mine
                .iter()
                .filter_map(|p| p.pgbench.map(|pg| (x(p.clients), pg.tps)))
                .collect(),
            color: i,
            dashed: true,
        });
    }
    draw(
        path,
        &Chart {
            title,
            x_desc: "concurrent clients (dashed: pgbench on the same SQL)",
            y_desc: "successes per second",
            xs: clients.iter().map(|c| c.to_string()).collect(),
            lines,
        },
    )
}

/// Writes `chart` to `path` as an SVG.
pub fn draw(path: &Path, chart: &Chart) -> Result<(), String> {
    let top = chart
        .lines
        .iter()
        .flat_map(|l| l.points.iter().map(|(_, y)| *y))
        .fold(1.0, f64::max);
    // Headroom above the highest point, where the legend sits.
    let root = SVGBackend::new(path, (720, 420)).into_drawing_area();
    let render = || -> Result<(), Box<dyn std::error::Error + '_>> {
        root.fill(&WHITE)?;
        let last = chart.xs.len().saturating_sub(1) as f64;
        let mut area = ChartBuilder::on(&root)
            .caption(chart.title, ("sans-serif", 18))
            .margin(14)
            .x_label_area_size(40)
            .y_label_area_size(64)
            .build_cartesian_2d(-0.2f64..last + 0.2, 0f64..top * 1.35)?;
        area.configure_mesh()
            .light_line_style(WHITE)
            .x_labels(chart.xs.len())
            .x_label_formatter(&|v| {
                let i = v.round().max(0.0) as usize;
                chart.xs.get(i).cloned().unwrap_or_default()
            })
            .x_desc(chart.x_desc)
            .y_desc(chart.y_desc)
            .draw()?;
        for line in chart.lines.iter().filter(|l| !l.points.is_empty()) {
            let color = COLORS[line.color % COLORS.len()];
            let points = line.points.iter().map(|(i, y)| (*i as f64, *y));
            if line.dashed {
                area.draw_series(DashedLineSeries::new(points, 6, 4, color.stroke_width(1)))?;
                continue;
            }
            let drawn = area.draw_series(LineSeries::new(points, color.stroke_width(2)))?;
            if let Some(name) = &line.name {
                drawn.label(name).legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
                });
            }
        }
        area.configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .draw()?;
        root.present()?;
        Ok(())
    };
    render().map_err(|e| format!("cannot draw {}: {e}", path.display()))
}
