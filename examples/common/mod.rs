//! Small helpers shared by the examples: where plots go, and line plots.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use plotters::prelude::*;

/// The folder for an example's output: the first command-line argument if
/// given, else `target/saddle-examples/<name>`. Created if missing.
pub fn output_dir(name: &str) -> PathBuf {
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("target")
                .join("saddle-examples")
                .join(name)
        });
    std::fs::create_dir_all(&dir)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    dir
}

/// A named series of `(x, y)` points.
pub struct Series<'a> {
    pub name: &'a str,
    pub points: Vec<(f64, f64)>,
    pub color: RGBColor,
}

/// How a series is drawn.
#[derive(Clone, Copy, PartialEq)]
enum Style {
    Lines,
    Points,
}

/// Draws line series into an SVG file; `log_y` plots `log10 y` (for losses).
pub fn line_plot(
    path: &Path,
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[Series<'_>],
    log_y: bool,
) {
    plot(path, title, x_label, y_label, series, log_y, Style::Lines);
}

/// Draws points (a scatter) into an SVG file.
pub fn scatter_plot(path: &Path, title: &str, x_label: &str, y_label: &str, series: &[Series<'_>]) {
    plot(path, title, x_label, y_label, series, false, Style::Points);
}

fn plot(
    path: &Path,
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[Series<'_>],
    log_y: bool,
    style: Style,
) {
    let tf = |y: f64| if log_y { y.max(1e-300).log10() } else { y };
    let (x0, x1) = min_max(series.iter().flat_map(|s| s.points.iter().map(|p| p.0)));
    let (y0, y1) = min_max(series.iter().flat_map(|s| s.points.iter().map(|p| tf(p.1))));
    let pad = 0.05 * (y1 - y0).max(1e-12);
    let root = SVGBackend::new(path, (900, 560)).into_drawing_area();
    root.fill(&WHITE).expect("draw background");
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 22))
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(70)
        .build_cartesian_2d(x0..x1.max(x0 + 1e-12), (y0 - pad)..(y1 + pad))
        .expect("build chart");
    let y_desc = if log_y {
        format!("log10 {y_label}")
    } else {
        y_label.to_string()
    };
    let (small_x, small_y) = (x1 - x0 < 0.05, y1 - y0 < 0.05);
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc(y_desc)
        .x_label_formatter(&|v| tick(*v, small_x))
        .y_label_formatter(&|v| tick(*v, small_y))
        .draw()
        .expect("draw mesh");
    for s in series {
        let color = s.color;
        let points = s.points.iter().map(|&(x, y)| (x, tf(y)));
        let drawn = match style {
            Style::Lines => chart.draw_series(LineSeries::new(points, color.stroke_width(2))),
            Style::Points => chart.draw_series(points.map(|p| Circle::new(p, 3, color.filled()))),
        };
        drawn
            .expect("draw series")
            .label(s.name)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .expect("draw legend");
    root.present().expect("write SVG");
}

/// A tick label: scientific notation when the axis spans a small range.
fn tick(v: f64, small: bool) -> String {
    if small {
        format!("{v:.1e}")
    } else {
        format!("{v}")
    }
}

fn min_max(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        })
}
