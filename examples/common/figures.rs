//! Every figure the examples draw, as a function of plain numbers. The
//! examples compute; these functions only draw. `tests/figures.rs` calls
//! each one on small inputs, renders the SVG to pixels and checks it.

use std::path::Path;

use super::axis::{sig, Scale};
use super::heatmap::{Block, ColorScale, Contours, Heatmap};
use super::plot::{indexed, save_row, Axis, Chart, Mark, Series};
use super::svg::{BLACK, BLUE, GREEN, GREY, PALETTE, VERMILLION};

/// Size of a single chart, px.
pub const CHART: (f64, f64) = (760.0, 480.0);
/// Size of two charts side by side, px.
pub const WIDE: (f64, f64) = (1200.0, 460.0);
/// Size of a heatmap, px.
pub const SQUARE: (f64, f64) = (720.0, 640.0);

type Io = std::io::Result<()>;

/// A loss curve on a log scale.
pub fn loss_curve(path: &Path, title: &str, losses: &[f64]) -> Io {
    Chart::new(
        title,
        Axis::linear("gradient-descent step"),
        Axis::log("loss L (mean squared error)"),
    )
    .with(Series::new(
        "training loss",
        indexed(losses),
        BLUE,
        Mark::Line,
    ))
    .save(path, CHART.0, CHART.1)
}

/// Data as dots and a fitted curve as a line.
pub fn fit(path: &Path, title: &str, data: &[(f64, f64)], curve: &[(f64, f64)]) -> Io {
    Chart::new(
        title,
        Axis::linear("input x"),
        Axis::linear("target / prediction y"),
    )
    .with(Series::new("data", data.to_vec(), GREY, Mark::Points))
    .with(Series::new(
        "trained network",
        curve.to_vec(),
        VERMILLION,
        Mark::Line,
    ))
    .save(path, CHART.0, CHART.1)
}

/// Several optimizers' objective per iteration, log scale.
pub fn convergence(path: &Path, title: &str, runs: &[(&str, Vec<(f64, f64)>)]) -> Io {
    let mut c = Chart::new(
        title,
        Axis::linear("iteration"),
        Axis::log("objective f (log scale)"),
    );
    for ((name, pts), color) in runs.iter().zip(PALETTE) {
        c = c.with(Series::new(*name, pts.clone(), color, Mark::Line));
    }
    c.save(path, CHART.0, CHART.1)
}

/// One training run with its sharpness record.
pub struct SharpnessRun {
    /// Learning rate η.
    pub eta: f64,
    /// Loss before every step.
    pub loss: Vec<f64>,
    /// `(step, λmax)` where sharpness was measured.
    pub lambda_max: Vec<(f64, f64)>,
}

/// Loss curves (left) and λmax with the stability limit 2/η (right), one
/// colour per learning rate: gradient descent on a quadratic with curvature
/// λ diverges when λ > 2/η, so where λmax meets 2/η the loss spikes.
pub fn sharpness(path: &Path, runs: &[SharpnessRun]) -> Io {
    let mut loss = Chart::new(
        "Training loss",
        Axis::linear("gradient-descent step"),
        Axis::log("loss L (mean squared error)"),
    );
    let mut sharp = Chart::new(
        "Sharpness λmax of the Hessian against the stability limit 2/η",
        Axis::linear("gradient-descent step"),
        Axis::log("largest Hessian eigenvalue λmax (log scale)"),
    );
    // Log scale: the approach to 2/η stays visible beside a far-off limit.
    let all = || {
        runs.iter()
            .map(|r| 2.0 / r.eta)
            .chain(runs.iter().flat_map(|r| r.lambda_max.iter().map(|p| p.1)))
            .filter(|v| *v > 0.0)
    };
    let (lo, hi) = (
        all().fold(f64::INFINITY, f64::min),
        all().fold(0.0, f64::max),
    );
    sharp.y = sharp.y.range(0.8 * lo, 1.25 * hi);
    for (r, color) in runs.iter().zip([VERMILLION, BLUE, GREEN]) {
        loss = loss.with(Series::new(
            format!("η = {}", r.eta),
            indexed(&r.loss),
            color,
            Mark::Line,
        ));
        sharp = sharp.with(Series::new(
            format!("λmax, η = {}", r.eta),
            r.lambda_max.clone(),
            color,
            Mark::Line,
        ));
    }
    for (r, color) in runs.iter().zip([VERMILLION, BLUE, GREEN]) {
        sharp = sharp.hline(2.0 / r.eta, format!("2/η = {}", sig(2.0 / r.eta, 4)), color);
    }
    save_row(path, WIDE.0, WIDE.1, &[loss, sharp])
}

/// A parameter group of a network: `W⁽ˡ⁾` or `b⁽ˡ⁾` and its index range.
pub fn blocks(groups: &[(String, std::ops::Range<usize>)]) -> Vec<Block> {
    groups
        .iter()
        .map(|(label, r)| Block {
            start: r.start,
            end: r.end,
            label: label.clone(),
        })
        .collect()
}

/// The Hessian as an image: entry (i, j) coloured by its sign and
/// magnitude (symmetric log: linear below `c`, then one shade per decade),
/// with the parameter groups marked. The colour scale is the matrix's own
/// (its largest entry).
pub fn hessian_image(path: &Path, title: &str, n: usize, h: &[f64], groups: &[Block]) -> Io {
    let max = h.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    matrix_image(path, title, "Hᵢⱼ", n, h, groups, max)
}

/// A symmetric `n × n` matrix (row-major `a`) as an image like
/// [`hessian_image`], on the colour scale of a given largest magnitude
/// `max`: pass the same `max` to draw several matrices (H, G, R) so their
/// colours compare. `symbol` names an entry in the colour bar ("Gᵢⱼ").
pub fn matrix_image(
    path: &Path,
    title: &str,
    symbol: &str,
    n: usize,
    a: &[f64],
    groups: &[Block],
    max: f64,
) -> Io {
    let max = max.max(1e-300);
    // Four decades below the largest entry are linear-ish; smaller is "≈ 0".
    let c = max * 1e-4;
    Heatmap {
        title: title.to_string(),
        rows: n,
        cols: n,
        values: a.to_vec(),
        scale: ColorScale::Diverging { c, max },
        bar_label: format!("{symbol} (symmetric-log colour scale)"),
        x_label: "parameter j (grouped by layer)".to_string(),
        x_range: None,
        y_label: "parameter i (grouped by layer)".to_string(),
        y_range: None,
        blocks: groups.to_vec(),
        contours: vec![],
        marks: vec![],
    }
    .save(path, SQUARE.0, SQUARE.1)
}

/// The change of the loss on a grid, `ΔL(a, b) = L(θ + a u + b v) − L(θ)`,
/// `a` along columns (`a_range`) and `b` along rows (`b_range`, row 0 =
/// largest b), with its quadratic model `(gᵀu) a + (gᵀv) b + ½(λᵤ a² + λᵥ b²)`.
pub struct Landscape<'a> {
    pub title: &'a str,
    pub u_name: &'a str,
    pub v_name: &'a str,
    pub rows: usize,
    pub cols: usize,
    pub a_range: (f64, f64),
    pub b_range: (f64, f64),
    /// Measured ΔL, row-major.
    pub delta: &'a [f64],
    /// Quadratic model of ΔL, row-major.
    pub model: &'a [f64],
}

/// Draws a [`Landscape`]: ΔL as colour (blue where the loss falls, orange
/// where it rises; symmetric log, so a saddle's small descent shows beside
/// a steep ascent), measured contours solid and the model's dashed at the
/// same levels, 0 and ±max·10^(−k/2) for k = 0…4.
pub fn landscape(path: &Path, l: &Landscape<'_>) -> Io {
    let max = l
        .delta
        .iter()
        .filter(|v| v.is_finite())
        .fold(0.0_f64, |m, v| m.max(v.abs()))
        .max(1e-300);
    let mut levels = vec![0.0];
    for k in 0..5 {
        let v = max * 10f64.powf(-(k as f64) / 2.0);
        levels.extend([v, -v]);
    }
    Heatmap {
        title: l.title.to_string(),
        rows: l.rows,
        cols: l.cols,
        values: l.delta.to_vec(),
        scale: ColorScale::Diverging { c: max * 1e-3, max },
        bar_label: "L(θ + a u + b v) − L(θ) (symmetric-log colour)".to_string(),
        x_label: format!("a, step along {}", l.u_name),
        x_range: Some(l.a_range),
        y_label: format!("b, step along {}", l.v_name),
        y_range: Some(l.b_range),
        blocks: vec![],
        contours: vec![
            Contours {
                values: l.delta.to_vec(),
                levels: levels.clone(),
                color: BLACK,
                dashed: false,
                name: "measured contours".to_string(),
            },
            Contours {
                values: l.model.to_vec(),
                levels,
                color: GREEN,
                dashed: true,
                name: "quadratic model, same levels".to_string(),
            },
        ],
        marks: vec![((0.0, 0.0), "trained θ".to_string())],
    }
    .save(path, SQUARE.0, SQUARE.1)
}

/// Several sorted spectra against their index on one symmetric-log y axis
/// (linear threshold `c`), one colour each.
pub fn spectra(path: &Path, title: &str, spectra: &[(&str, &[f64])], c: f64) -> Io {
    let mut chart = Chart::new(
        title,
        Axis::linear("index i (ascending)"),
        Axis::new(
            format!("eigenvalue λᵢ (symmetric log, linear below {c:.0e})"),
            Scale::SymLog(c),
        ),
    );
    for (k, (name, values)) in spectra.iter().enumerate() {
        chart = chart.with(Series::new(
            *name,
            indexed(values),
            PALETTE[k % PALETTE.len()],
            Mark::Points,
        ));
    }
    chart.save(path, CHART.0, CHART.1)
}

/// Sorted eigenvalues against their index, symmetric-log y with linear
/// threshold `c`.
pub fn spectrum(path: &Path, title: &str, values: &[f64], c: f64) -> Io {
    Chart::new(
        title,
        Axis::linear("index i (ascending)"),
        Axis::new(
            format!("eigenvalue λᵢ (symmetric log, linear below {c:.0e})"),
            Scale::SymLog(c),
        ),
    )
    .with(Series::new("λᵢ", indexed(values), BLUE, Mark::Points))
    .save(path, CHART.0, CHART.1)
}

/// Edges of `bins` equal bins in symmetric-log coordinates covering ±`reach`.
fn symlog_edges(c: f64, reach: f64, bins: usize) -> Vec<f64> {
    let s = Scale::SymLog(c);
    let m = s.forward(reach).unwrap_or(1.0);
    (0..=bins)
        .map(|k| -m + 2.0 * m * k as f64 / bins as f64)
        .collect()
}

/// Fraction of eigenvalues per symmetric-log bin, as a step outline in
/// data coordinates (λ, fraction); empty bins sit at `floor`.
pub fn histogram_outline(
    values: &[f64],
    c: f64,
    reach: f64,
    bins: usize,
    floor: f64,
) -> Vec<(f64, f64)> {
    let s = Scale::SymLog(c);
    let edges = symlog_edges(c, reach, bins);
    let mut counts = vec![0usize; bins];
    let width = edges[1] - edges[0];
    for &v in values {
        if let Some(t) = s.forward(v) {
            let k = (((t - edges[0]) / width).floor().max(0.0) as usize).min(bins - 1);
            counts[k] += 1;
        }
    }
    let n = values.len().max(1) as f64;
    let mut out = vec![];
    for k in 0..bins {
        let f = (counts[k] as f64 / n).max(floor);
        out.push((s.inverse(edges[k]), f));
        out.push((s.inverse(edges[k + 1]), f));
    }
    out
}

/// Quadrature nodes `(θ, τ)` (weights summing to 1) as a smooth curve in
/// the same units as [`histogram_outline`]: the weight per bin, smoothed by
/// a Gaussian one bin wide in symmetric-log coordinates (one width at every
/// scale, so both the bulk near 0 and the outliers are resolved).
pub fn density_curve(
    nodes: &[(f64, f64)],
    c: f64,
    reach: f64,
    bins: usize,
    floor: f64,
) -> Vec<(f64, f64)> {
    let s = Scale::SymLog(c);
    let edges = symlog_edges(c, reach, bins);
    let width = edges[1] - edges[0];
    let (lo, hi) = (edges[0], edges[bins]);
    let points = 8 * bins;
    (0..=points)
        .map(|k| {
            let t = lo + (hi - lo) * k as f64 / points as f64;
            let mass: f64 = nodes
                .iter()
                .filter_map(|&(th, w)| {
                    let d = (t - s.forward(th)?) / width;
                    Some(w * (-0.5 * d * d).exp() / (2.0 * std::f64::consts::PI).sqrt())
                })
                .sum();
            (s.inverse(t), mass.max(floor))
        })
        .collect()
}

/// One spectrum for [`densities`]: an exact histogram and/or SLQ nodes.
pub struct Density<'a> {
    pub name: &'a str,
    pub exact: Option<&'a [f64]>,
    pub slq: Option<&'a [(f64, f64)]>,
}

/// Eigenvalue densities on a symmetric-log λ axis: exact histograms as
/// shaded bars, SLQ estimates as curves (one colour per spectrum). The y
/// axis is the fraction of eigenvalues per bin, log scale.
pub fn densities(path: &Path, title: &str, spectra: &[Density<'_>], c: f64) -> Io {
    let reach = spectra
        .iter()
        .flat_map(|d| {
            d.exact
                .into_iter()
                .flatten()
                .copied()
                .chain(d.slq.into_iter().flatten().map(|n| n.0))
        })
        .fold(c, |m, v| m.max(v.abs()))
        * 4.0;
    let bins = 60;
    let n_max = spectra
        .iter()
        .filter_map(|d| d.exact.map(<[f64]>::len))
        .max()
        .unwrap_or(1000)
        .max(100);
    // The y floor: below one eigenvalue's share, and below the weight SLQ
    // gives the largest Ritz value (≈ 1/n for an outlier), so outliers show.
    let top_weight = spectra
        .iter()
        .filter_map(|d| d.slq)
        .filter_map(|nodes| nodes.iter().max_by(|a, b| a.0.total_cmp(&b.0)).map(|n| n.1))
        .fold(1.0_f64, f64::min);
    let floor = (0.2 / n_max as f64).min(0.3 * top_weight).max(1e-7);
    let mut chart = Chart::new(
        title,
        Axis::new(
            format!("eigenvalue λ (symmetric log, linear below {c:.0e})"),
            Scale::SymLog(c),
        )
        .range(-reach, reach),
        Axis::log("fraction of eigenvalues per bin").range(floor, 1.0),
    );
    for (d, color) in spectra.iter().zip([BLUE, VERMILLION, GREEN, BLACK]) {
        if let Some(v) = d.exact {
            chart = chart.with(Series::new(
                format!("{}: exact eigenvalues (histogram)", d.name),
                histogram_outline(v, c, reach, bins, floor),
                color,
                Mark::Area,
            ));
        }
        if let Some(nodes) = d.slq {
            chart = chart.with(Series::new(
                format!("{}: stochastic Lanczos quadrature", d.name),
                density_curve(nodes, c, reach, bins, floor),
                color,
                Mark::Line,
            ));
        }
    }
    chart.save(path, CHART.0, CHART.1)
}

/// `L(θ + t v) − L(θ)` measured and modelled along one eigenvector.
pub fn loss_along(
    path: &Path,
    what: &str,
    lambda: f64,
    measured: &[(f64, f64)],
    model: &[(f64, f64)],
) -> Io {
    Chart::new(
        format!(
            "Loss along the {what} eigenvector v (λ = {})",
            sig(lambda, 4)
        ),
        Axis::linear("step length t along v"),
        Axis::linear("change of loss L(θ + t v) − L(θ)"),
    )
    .with(Series::new("measured", measured.to_vec(), BLUE, Mark::Line))
    .with(Series::new(
        "quadratic model (gᵀv) t + ½ λ t²",
        model.to_vec(),
        VERMILLION,
        Mark::Dashed,
    ))
    .save(path, CHART.0, CHART.1)
}
