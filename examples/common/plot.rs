//! Line, scatter and area charts. Layout rules, so every figure reads:
//! a title on top, the legend in its own band under the title (never over
//! data), tick labels at round values, a label on every axis, data clipped
//! to the plot area, and margins computed from the labels' widths.

use std::path::Path;

use super::axis::{ticks, Scale, Tick};
use super::svg::{text_width, Anchor, Rgb, Svg, GREY};

/// How a series is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Mark {
    /// A solid line through the points.
    Line,
    /// A dashed line through the points.
    Dashed,
    /// A dot at each point (scatter).
    Points,
    /// The region between the points and y = 0, translucent (histograms).
    Area,
}

/// A named series of `(x, y)` points in data coordinates.
#[derive(Clone, Debug)]
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
    pub color: Rgb,
    pub mark: Mark,
}

impl Series {
    pub fn new(name: impl Into<String>, points: Vec<(f64, f64)>, color: Rgb, mark: Mark) -> Series {
        Series {
            name: name.into(),
            points,
            color,
            mark,
        }
    }
}

/// An axis: its label (with units) and scale; the range is fitted to the
/// data unless given (in data units).
#[derive(Clone, Debug)]
pub struct Axis {
    pub label: String,
    pub scale: Scale,
    pub range: Option<(f64, f64)>,
}

impl Axis {
    pub fn new(label: impl Into<String>, scale: Scale) -> Axis {
        Axis {
            label: label.into(),
            scale,
            range: None,
        }
    }

    pub fn linear(label: impl Into<String>) -> Axis {
        Axis::new(label, Scale::Linear)
    }

    pub fn log(label: impl Into<String>) -> Axis {
        Axis::new(label, Scale::Log)
    }

    /// The axis with a fixed data range.
    pub fn range(mut self, lo: f64, hi: f64) -> Axis {
        self.range = Some((lo, hi));
        self
    }
}

/// A chart: title, axes, series, and horizontal reference lines.
#[derive(Clone, Debug)]
pub struct Chart {
    pub title: String,
    pub x: Axis,
    pub y: Axis,
    pub series: Vec<Series>,
}

impl Chart {
    pub fn new(title: impl Into<String>, x: Axis, y: Axis) -> Chart {
        Chart {
            title: title.into(),
            x,
            y,
            series: Vec::new(),
        }
    }

    /// Adds a series.
    pub fn with(mut self, s: Series) -> Chart {
        self.series.push(s);
        self
    }

    /// Adds a dashed horizontal reference line at `y` across the x range,
    /// named in the legend.
    pub fn hline(self, y: f64, name: impl Into<String>, color: Rgb) -> Chart {
        let (x0, x1) = self.data_range(true);
        let points = vec![(self.x.scale.inverse(x0), y), (self.x.scale.inverse(x1), y)];
        self.with(Series::new(name, points, color, Mark::Dashed))
    }

    /// Writes the chart alone as a `width × height` SVG.
    pub fn save(&self, path: &Path, width: f64, height: f64) -> std::io::Result<()> {
        save_row(path, width, height, std::slice::from_ref(self))
    }

    /// The (axis-coordinate) range of the data on x (`true`) or y.
    fn data_range(&self, x: bool) -> (f64, f64) {
        let axis = if x { &self.x } else { &self.y };
        if let Some((a, b)) = axis.range {
            let (a, b) = (axis.scale.forward(a), axis.scale.forward(b));
            if let (Some(a), Some(b)) = (a, b) {
                return (a, b);
            }
        }
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        for s in &self.series {
            let area = s.mark == Mark::Area && !x;
            for &(px, py) in &s.points {
                let v = if x { px } else { py };
                if let Some(t) = axis.scale.forward(v) {
                    lo = lo.min(t);
                    hi = hi.max(t);
                }
                if area {
                    lo = lo.min(0.0);
                }
            }
        }
        if !lo.is_finite() {
            return (0.0, 1.0);
        }
        if hi - lo < 1e-12 * (1.0 + lo.abs()) {
            let d = 0.5 * lo.abs().max(1.0);
            return (lo - d, hi + d);
        }
        if x {
            (lo, hi)
        } else {
            let pad = 0.05 * (hi - lo);
            let lo = if lo == 0.0 && axis.scale == Scale::Linear {
                0.0
            } else {
                lo - pad
            };
            (lo, hi + pad)
        }
    }

    /// Draws the chart into the box `(x, y, w, h)` of `svg`.
    pub fn draw(&self, svg: &mut Svg, bx: f64, by: f64, bw: f64, bh: f64) {
        const TICK: f64 = 12.0;
        const LABEL: f64 = 13.0;
        const LEGEND: f64 = 12.0;
        // Title, shrunk to fit the box.
        let mut tsize: f64 = 15.0;
        while tsize > 10.0 && text_width(&self.title, tsize) > bw - 16.0 {
            tsize -= 0.5;
        }
        svg.text(
            bx + bw / 2.0,
            by + 6.0 + tsize,
            tsize,
            Anchor::Middle,
            false,
            &self.title,
        );
        let mut top = by + 6.0 + tsize + 8.0;

        // Legend rows under the title.
        let entries: Vec<&Series> = self.series.iter().filter(|s| !s.name.is_empty()).collect();
        let mut rows: Vec<Vec<(&Series, f64)>> = vec![vec![]];
        let mut used = 0.0;
        for s in &entries {
            let w = 26.0 + text_width(&s.name, LEGEND) + 18.0;
            if used + w > bw - 20.0 && !rows.last().expect("a row").is_empty() {
                rows.push(vec![]);
                used = 0.0;
            }
            rows.last_mut().expect("a row").push((s, w));
            used += w;
        }
        for row in rows.iter().filter(|r| !r.is_empty()) {
            let total: f64 = row.iter().map(|r| r.1).sum();
            let mut x = bx + (bw - total) / 2.0;
            let cy = top + LEGEND / 2.0;
            for (s, w) in row {
                match s.mark {
                    Mark::Line => svg.line((x, cy), (x + 20.0, cy), s.color, 2.0, false),
                    Mark::Dashed => svg.line((x, cy), (x + 20.0, cy), s.color, 2.0, true),
                    Mark::Points => svg.circle((x + 10.0, cy), 3.5, s.color),
                    Mark::Area => svg.polygon(
                        &[
                            (x + 2.0, cy - 5.0),
                            (x + 18.0, cy - 5.0),
                            (x + 18.0, cy + 5.0),
                            (x + 2.0, cy + 5.0),
                        ],
                        s.color,
                        0.35,
                    ),
                }
                svg.text(
                    x + 26.0,
                    cy + LEGEND * 0.35,
                    LEGEND,
                    Anchor::Start,
                    false,
                    &s.name,
                );
                x += w;
            }
            top += LEGEND + 8.0;
        }
        top += 4.0;

        let (x0, x1) = self.data_range(true);
        let (y0, y1) = self.data_range(false);
        let xt: Vec<Tick> = ticks(self.x.scale, x0, x1);
        let yt: Vec<Tick> = ticks(self.y.scale, y0, y1);
        let ytw = yt
            .iter()
            .map(|t| text_width(&t.label, TICK))
            .fold(0.0, f64::max);
        let left = bx + 8.0 + LABEL + 8.0 + ytw + 8.0;
        let last_half = xt.last().map_or(0.0, |t| text_width(&t.label, TICK) / 2.0);
        let right = bx + bw - last_half.max(14.0) - 4.0;
        let bottom = by + bh - (8.0 + LABEL + 8.0 + TICK + 8.0);
        let (pw, ph) = (right - left, bottom - top);
        let px = |v: f64| left + (v - x0) / (x1 - x0) * pw;
        let py = |v: f64| bottom - (v - y0) / (y1 - y0) * ph;

        // Grid and ticks.
        let light = Rgb(225, 225, 225);
        let mut last_right = f64::NEG_INFINITY;
        for t in &xt {
            let x = px(t.at);
            svg.line((x, top), (x, bottom), light, 1.0, false);
            svg.line((x, bottom), (x, bottom + 4.0), GREY, 1.0, false);
            // Skip a label that would touch the previous one.
            let w = text_width(&t.label, TICK);
            if x - w / 2.0 > last_right + 6.0 {
                svg.text(
                    x,
                    bottom + 6.0 + TICK,
                    TICK,
                    Anchor::Middle,
                    false,
                    &t.label,
                );
                last_right = x + w / 2.0;
            }
        }
        let mut last_top = f64::INFINITY;
        for t in &yt {
            let y = py(t.at);
            svg.line((left, y), (right, y), light, 1.0, false);
            svg.line((left - 4.0, y), (left, y), GREY, 1.0, false);
            if y + TICK / 2.0 < last_top - 2.0 {
                svg.text(
                    left - 7.0,
                    y + TICK * 0.35,
                    TICK,
                    Anchor::End,
                    false,
                    &t.label,
                );
                last_top = y - TICK / 2.0;
            }
        }
        svg.rect(left, top, pw, ph, None, Some(GREY));
        svg.text(
            (left + right) / 2.0,
            by + bh - 10.0,
            LABEL,
            Anchor::Middle,
            false,
            &self.x.label,
        );
        let mut ysize = LABEL;
        while ysize > 9.0 && text_width(&self.y.label, ysize) > ph {
            ysize -= 0.5;
        }
        svg.text(
            bx + 8.0 + ysize,
            (top + bottom) / 2.0,
            ysize,
            Anchor::Middle,
            true,
            &self.y.label,
        );

        // Data, clipped to the plot area.
        svg.begin_clip(left, top, pw, ph);
        for s in &self.series {
            let pts: Vec<(f64, f64)> = s
                .points
                .iter()
                .filter_map(|&(x, y)| {
                    Some((px(self.x.scale.forward(x)?), py(self.y.scale.forward(y)?)))
                })
                .collect();
            match s.mark {
                Mark::Line => svg.polyline(&thin(&pts), s.color, 1.8, false),
                Mark::Dashed => svg.polyline(&thin(&pts), s.color, 1.8, true),
                Mark::Points => pts.iter().for_each(|&p| svg.circle(p, 2.6, s.color)),
                Mark::Area => {
                    if let (Some(a), Some(b)) = (pts.first(), pts.last()) {
                        let base = match self.y.scale {
                            Scale::Log => bottom,
                            _ => py(0f64.clamp(y0, y1)),
                        };
                        let mut poly = vec![(a.0, base)];
                        poly.extend(&pts);
                        poly.push((b.0, base));
                        svg.polygon(&poly, s.color, 0.35);
                    }
                }
            }
        }
        svg.end_clip();
    }
}

/// Writes charts side by side into one `width × height` SVG.
pub fn save_row(path: &Path, width: f64, height: f64, charts: &[Chart]) -> std::io::Result<()> {
    let mut svg = Svg::new(width, height);
    let w = width / charts.len().max(1) as f64;
    for (i, c) in charts.iter().enumerate() {
        c.draw(&mut svg, i as f64 * w, 0.0, w, height);
    }
    svg.save(path)
}

/// `(index, value)` pairs of a slice, for plotting a sequence.
pub fn indexed(values: &[f64]) -> Vec<(f64, f64)> {
    values
        .iter()
        .enumerate()
        .map(|(i, &v)| (i as f64, v))
        .collect()
}

/// A long polyline (x increasing, in pixels) reduced to the first, lowest,
/// highest and last point of each pixel column: the same picture (spikes
/// kept) from a few thousand points instead of, say, 40 000.
fn thin(pts: &[(f64, f64)]) -> Vec<(f64, f64)> {
    if pts.len() < 4000 {
        return pts.to_vec();
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < pts.len() {
        let col = pts[i].0.floor();
        let mut j = i;
        let (mut lo, mut hi) = (i, i);
        while j < pts.len() && pts[j].0.floor() == col {
            if pts[j].1 < pts[lo].1 {
                lo = j;
            }
            if pts[j].1 > pts[hi].1 {
                hi = j;
            }
            j += 1;
        }
        let mut keep = vec![i, lo, hi, j - 1];
        keep.sort_unstable();
        keep.dedup();
        out.extend(keep.into_iter().map(|k| pts[k]));
        i = j;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::thin;

    #[test]
    fn thinning_keeps_spikes_and_ends() {
        // 40 000 points over 400 pixel columns, one spike and one dip.
        let pts: Vec<(f64, f64)> = (0..40_000)
            .map(|i| {
                let y = match i {
                    20_003 => -50.0,
                    31_007 => 80.0,
                    _ => (i % 7) as f64,
                };
                (i as f64 / 100.0, y)
            })
            .collect();
        let t = thin(&pts);
        assert!(t.len() <= 4 * 400, "{}", t.len());
        assert_eq!(t.first(), pts.first());
        assert_eq!(t.last(), pts.last());
        assert!(t.contains(&pts[20_003]) && t.contains(&pts[31_007]));
    }
}
