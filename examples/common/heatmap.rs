//! Images of matrices and of functions on a grid: a colour-mapped raster,
//! a colour bar with round ticks, labelled blocks along the edges (for the
//! parameter groups of a Hessian), and contour lines (marching squares).

use std::path::Path;

use super::axis::{ticks, Scale, Tick};
use super::svg::{text_width, Anchor, Raster, Rgb, Segment, Svg, BLUE, GREY, VERMILLION, WHITE};

/// How values become colours.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ColorScale {
    /// Signed values: blue (negative) – white (0) – vermillion (positive),
    /// on a symmetric-log scale with linear threshold `c`, saturating at
    /// `±max`.
    Diverging { c: f64, max: f64 },
    /// Values from `lo` to `hi` on a sequential (viridis-like) ramp, on the
    /// given scale (linear or log).
    Sequential { lo: f64, hi: f64, scale: Scale },
}

/// Viridis at nine stops (perceptually uniform, colour-blind safe).
const VIRIDIS: [Rgb; 9] = [
    Rgb(68, 1, 84),
    Rgb(71, 44, 122),
    Rgb(59, 81, 139),
    Rgb(44, 113, 142),
    Rgb(33, 144, 141),
    Rgb(39, 173, 129),
    Rgb(92, 200, 99),
    Rgb(170, 220, 50),
    Rgb(253, 231, 37),
];

impl ColorScale {
    /// The bar's axis: its scale and range in axis coordinates.
    fn axis(self) -> (Scale, f64, f64) {
        match self {
            ColorScale::Diverging { c, max } => {
                let s = Scale::SymLog(c);
                let m = s.forward(max).unwrap_or(1.0);
                (s, -m, m)
            }
            ColorScale::Sequential { lo, hi, scale } => (
                scale,
                scale.forward(lo).unwrap_or(0.0),
                scale.forward(hi).unwrap_or(1.0),
            ),
        }
    }

    /// The colour at axis coordinate `s`.
    fn at_axis(self, s: f64) -> Rgb {
        let (_, lo, hi) = self.axis();
        let t = ((s - lo) / (hi - lo)).clamp(0.0, 1.0);
        match self {
            ColorScale::Diverging { .. } => {
                if t < 0.5 {
                    BLUE.mix(WHITE, t / 0.5)
                } else {
                    WHITE.mix(VERMILLION, (t - 0.5) / 0.5)
                }
            }
            ColorScale::Sequential { .. } => {
                let u = t * (VIRIDIS.len() - 1) as f64;
                let i = (u.floor() as usize).min(VIRIDIS.len() - 2);
                VIRIDIS[i].mix(VIRIDIS[i + 1], u - i as f64)
            }
        }
    }

    /// The colour of a data value.
    pub fn color(self, v: f64) -> Rgb {
        let (scale, lo, _) = self.axis();
        self.at_axis(scale.forward(v).unwrap_or(lo))
    }
}

/// A labelled block along an edge: `[start, end)` in grid cells.
#[derive(Clone, Debug)]
pub struct Block {
    pub start: usize,
    pub end: usize,
    pub label: String,
}

/// A set of contour lines drawn over the image, at `levels` (data values).
#[derive(Clone, Debug)]
pub struct Contours {
    /// Grid values, `rows × cols` as the image.
    pub values: Vec<f64>,
    pub levels: Vec<f64>,
    pub color: Rgb,
    pub dashed: bool,
    /// Legend text.
    pub name: String,
}

/// A colour image of a `rows × cols` grid (row 0 at the top).
#[derive(Clone, Debug)]
pub struct Heatmap {
    pub title: String,
    pub rows: usize,
    pub cols: usize,
    pub values: Vec<f64>,
    pub scale: ColorScale,
    /// Colour bar label (with units).
    pub bar_label: String,
    /// x axis: label and the data range spanned by the columns (for ticks);
    /// `None` range: no numeric ticks (blocks label the axis instead).
    pub x_label: String,
    pub x_range: Option<(f64, f64)>,
    /// y axis, bottom to top.
    pub y_label: String,
    pub y_range: Option<(f64, f64)>,
    /// Blocks along both edges (a matrix's row and column groups).
    pub blocks: Vec<Block>,
    pub contours: Vec<Contours>,
    /// Marked points in data coordinates, with a legend name.
    pub marks: Vec<((f64, f64), String)>,
}

/// Greedy rows for labels along a line: each label `(centre, width)` goes
/// to the first row where it clears the previous label by `gap`.
fn stagger(labels: &[(f64, f64)], gap: f64) -> Vec<usize> {
    let mut row_end: Vec<f64> = vec![];
    labels
        .iter()
        .map(|&(c, w)| {
            let lo = c - w / 2.0;
            let r = row_end
                .iter()
                .position(|&e| lo > e + gap)
                .unwrap_or(row_end.len());
            if r == row_end.len() {
                row_end.push(f64::NEG_INFINITY);
            }
            row_end[r] = c + w / 2.0;
            r
        })
        .collect()
}

impl Heatmap {
    /// Writes the heatmap as a `width × height` SVG.
    pub fn save(&self, path: &Path, width: f64, height: f64) -> std::io::Result<()> {
        let mut svg = Svg::new(width, height);
        self.draw(&mut svg, 0.0, 0.0, width, height);
        svg.save(path)
    }

    /// Draws into the box `(bx, by, bw, bh)`.
    pub fn draw(&self, svg: &mut Svg, bx: f64, by: f64, bw: f64, bh: f64) {
        const TICK: f64 = 11.0;
        const LABEL: f64 = 13.0;
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
        let mut top = by + 6.0 + tsize + 10.0;

        // Legend for contour sets and marks.
        let mut legend: Vec<(String, Rgb, u8)> = self
            .contours
            .iter()
            .map(|c| (c.name.clone(), c.color, c.dashed as u8))
            .collect();
        legend.extend(self.marks.iter().map(|(_, n)| (n.clone(), Rgb(0, 0, 0), 2)));
        if !legend.is_empty() {
            let total: f64 = legend.iter().map(|l| 44.0 + text_width(&l.0, 12.0)).sum();
            let mut x = bx + ((bw - total) / 2.0).max(8.0);
            let cy = top + 6.0;
            for (name, color, kind) in &legend {
                match kind {
                    0 => svg.line((x, cy), (x + 20.0, cy), *color, 1.5, false),
                    1 => svg.line((x, cy), (x + 20.0, cy), *color, 1.5, true),
                    _ => svg.circle((x + 10.0, cy), 4.0, *color),
                }
                svg.text(x + 26.0, cy + 4.2, 12.0, Anchor::Start, false, name);
                x += 44.0 + text_width(name, 12.0);
            }
            top += 22.0;
        }

        // Colour bar ticks decide the right margin.
        let (bscale, blo, bhi) = self.scale.axis();
        let bar_ticks: Vec<Tick> = ticks(bscale, blo, bhi);
        let btw = bar_ticks
            .iter()
            .map(|t| text_width(&t.label, TICK))
            .fold(0.0, f64::max);
        let bar_w = 16.0;
        let right_margin = 14.0 + bar_w + 6.0 + btw + 8.0 + LABEL + 8.0;

        // Axis ticks or block labels decide the left and bottom margins.
        let x_ticks = self
            .x_range
            .map(|(a, b)| ticks(Scale::Linear, a.min(b), a.max(b)));
        let y_ticks = self
            .y_range
            .map(|(a, b)| ticks(Scale::Linear, a.min(b), a.max(b)));
        let ytw = y_ticks.as_ref().map_or(0.0, |t| {
            t.iter()
                .map(|t| text_width(&t.label, TICK))
                .fold(0.0, f64::max)
        });
        let block_w = self
            .blocks
            .iter()
            .map(|b| text_width(&b.label, TICK))
            .fold(0.0, f64::max);
        // Block labels may need several staggered columns/rows: count them
        // at a provisional image size (a larger final image only spreads
        // them further apart).
        let guess = (bw.min(bh) - 240.0).max(100.0);
        let centres: Vec<f64> = self
            .blocks
            .iter()
            .map(|b| 0.5 * (b.start + b.end) as f64 / self.rows.max(1) as f64 * guess)
            .collect();
        let label_rows = stagger(
            &self
                .blocks
                .iter()
                .zip(&centres)
                .map(|(b, &c)| (c, text_width(&b.label, TICK)))
                .collect::<Vec<_>>(),
            4.0,
        )
        .into_iter()
        .max()
        .map_or(0, |r| r + 1);
        let label_cols = stagger(
            &centres.iter().map(|&c| (c, TICK + 2.0)).collect::<Vec<_>>(),
            2.0,
        )
        .into_iter()
        .max()
        .map_or(0, |r| r + 1);
        let left_extra = if self.blocks.is_empty() {
            ytw
        } else {
            label_cols as f64 * (block_w + 6.0)
        };
        let bottom_extra = if self.blocks.is_empty() {
            TICK
        } else {
            label_rows as f64 * (TICK + 5.0)
        };
        let left = bx + 8.0 + LABEL + 10.0 + left_extra + 8.0;
        let bottom = by + bh - (8.0 + LABEL + 10.0 + bottom_extra + 6.0);
        let avail_w = bx + bw - right_margin - left;
        let size = (bottom - top).min(avail_w);
        // A square image for a square matrix; otherwise fill the box.
        let (pw, ph) = if self.rows == self.cols && !self.blocks.is_empty() {
            (size, size)
        } else {
            (avail_w, bottom - top)
        };
        let bottom = top + ph;
        let right = left + pw;

        // The raster, each cell k×k pixels so that renderers which smooth
        // images (ignoring `image-rendering`) blur only the cell edges.
        // A matrix is drawn cell by cell; a sampled function (no blocks) is
        // left to the renderer's smoothing.
        let sharp = !self.blocks.is_empty();
        let k = if sharp {
            ((pw / self.cols.max(1) as f64).min(ph / self.rows.max(1) as f64) as usize).clamp(1, 16)
        } else {
            1
        };
        let (w, h) = (self.cols * k, self.rows * k);
        let mut rgb = Vec::with_capacity(w * h * 3);
        for y in 0..h {
            for x in 0..w {
                let c = self.scale.color(self.values[(y / k) * self.cols + x / k]);
                rgb.extend([c.0, c.1, c.2]);
            }
        }
        svg.image(
            left,
            top,
            pw,
            ph,
            &Raster {
                width: w as u32,
                height: h as u32,
                rgb,
            },
            sharp,
        );

        // Contours, in cell-centre coordinates mapped to pixels.
        let cx = |j: f64| left + (j + 0.5) / self.cols as f64 * pw;
        let cy = |i: f64| top + (i + 0.5) / self.rows as f64 * ph;
        svg.begin_clip(left, top, pw, ph);
        for c in &self.contours {
            let segs: Vec<_> = marching_squares(&c.values, self.rows, self.cols, &c.levels)
                .into_iter()
                .map(|(a, b)| ((cx(a.1), cy(a.0)), (cx(b.1), cy(b.0))))
                .collect();
            svg.segments(&segs, c.color, 1.3, c.dashed);
        }
        let to_px = |x: f64, y: f64| -> Option<(f64, f64)> {
            let (x0, x1) = self.x_range?;
            let (y0, y1) = self.y_range?;
            Some((
                left + (x - x0) / (x1 - x0) * pw,
                bottom - (y - y0) / (y1 - y0) * ph,
            ))
        };
        for ((x, y), _) in &self.marks {
            if let Some(p) = to_px(*x, *y) {
                svg.circle(p, 4.0, Rgb(0, 0, 0));
            }
        }
        svg.end_clip();
        svg.rect(left, top, pw, ph, None, Some(GREY));

        // Numeric axes.
        if let (Some(t), Some((a, b))) = (&x_ticks, self.x_range) {
            for t in t {
                let x = left + (t.at - a) / (b - a) * pw;
                svg.line((x, bottom), (x, bottom + 4.0), GREY, 1.0, false);
                svg.text(
                    x,
                    bottom + 6.0 + TICK,
                    TICK,
                    Anchor::Middle,
                    false,
                    &t.label,
                );
            }
        }
        if let (Some(t), Some((a, b))) = (&y_ticks, self.y_range) {
            for t in t {
                let y = bottom - (t.at - a) / (b - a) * ph;
                svg.line((left - 4.0, y), (left, y), GREY, 1.0, false);
                svg.text(
                    left - 7.0,
                    y + TICK * 0.35,
                    TICK,
                    Anchor::End,
                    false,
                    &t.label,
                );
            }
        }

        // Blocks: boundaries across the image, labels staggered along the
        // top-left edges with a leader tick to the block's middle.
        if !self.blocks.is_empty() {
            let n = self.rows as f64;
            let along_x = |k: f64| left + k / n * pw;
            let along_y = |k: f64| top + k / n * ph;
            for b in &self.blocks[1..] {
                let k = b.start as f64;
                svg.line(
                    (along_x(k), top),
                    (along_x(k), bottom),
                    Rgb(60, 60, 60),
                    0.8,
                    false,
                );
                svg.line(
                    (left, along_y(k)),
                    (right, along_y(k)),
                    Rgb(60, 60, 60),
                    0.8,
                    false,
                );
            }
            let centres: Vec<f64> = self
                .blocks
                .iter()
                .map(|b| 0.5 * (b.start + b.end) as f64)
                .collect();
            // Bottom edge: rows of labels.
            let spans: Vec<(f64, f64)> = self
                .blocks
                .iter()
                .zip(&centres)
                .map(|(b, &c)| (along_x(c), text_width(&b.label, TICK)))
                .collect();
            for ((b, &(x, _)), r) in self.blocks.iter().zip(&spans).zip(stagger(&spans, 4.0)) {
                let y = bottom + 6.0 + TICK + r as f64 * (TICK + 5.0);
                svg.line((x, bottom), (x, y - TICK), GREY, 0.8, false);
                svg.text(x, y, TICK, Anchor::Middle, false, &b.label);
            }
            // Left edge: columns of labels (height TICK each).
            let spans: Vec<(f64, f64)> =
                centres.iter().map(|&c| (along_y(c), TICK + 2.0)).collect();
            for ((b, &(y, _)), r) in self.blocks.iter().zip(&spans).zip(stagger(&spans, 2.0)) {
                let x = left - 6.0 - r as f64 * (block_w + 6.0);
                svg.line((x, y), (left, y), GREY, 0.8, false);
                svg.text(x - 2.0, y + TICK * 0.35, TICK, Anchor::End, false, &b.label);
            }
        }
        // The x label right under the tick or block labels (a square image
        // may leave room below).
        svg.text(
            (left + right) / 2.0,
            bottom + 6.0 + bottom_extra + 10.0 + LABEL,
            LABEL,
            Anchor::Middle,
            false,
            &self.x_label,
        );
        svg.text(
            bx + 8.0 + LABEL,
            (top + bottom) / 2.0,
            LABEL,
            Anchor::Middle,
            true,
            &self.y_label,
        );

        // Colour bar.
        let bar_x = right + 14.0;
        let steps = 120;
        for k in 0..steps {
            let s0 = blo + (bhi - blo) * k as f64 / steps as f64;
            let y = bottom - (k + 1) as f64 / steps as f64 * ph;
            let c = self.scale.at_axis(s0 + 0.5 * (bhi - blo) / steps as f64);
            svg.rect(bar_x, y, bar_w, ph / steps as f64 + 0.5, Some(c), None);
        }
        svg.rect(bar_x, top, bar_w, ph, None, Some(GREY));
        let mut last_top = f64::INFINITY;
        for t in &bar_ticks {
            let y = bottom - (t.at - blo) / (bhi - blo) * ph;
            svg.line(
                (bar_x + bar_w, y),
                (bar_x + bar_w + 4.0, y),
                GREY,
                1.0,
                false,
            );
            if y + TICK / 2.0 < last_top - 2.0 {
                svg.text(
                    bar_x + bar_w + 6.0,
                    y + TICK * 0.35,
                    TICK,
                    Anchor::Start,
                    false,
                    &t.label,
                );
                last_top = y - TICK / 2.0;
            }
        }
        let mut bsize = LABEL;
        while bsize > 9.0 && text_width(&self.bar_label, bsize) > ph {
            bsize -= 0.5;
        }
        svg.text(
            bar_x + bar_w + 6.0 + btw + 8.0 + bsize,
            (top + bottom) / 2.0,
            bsize,
            Anchor::Middle,
            true,
            &self.bar_label,
        );
    }
}

/// Contour segments of a `rows × cols` grid at each level, in fractional
/// (row, col) coordinates, by marching squares with linear interpolation
/// along cell edges; saddle cells are split by the cell-centre average.
pub fn marching_squares(v: &[f64], rows: usize, cols: usize, levels: &[f64]) -> Vec<Segment> {
    let mut out = vec![];
    let at = |i: usize, j: usize| v[i * cols + j];
    for &lev in levels {
        for i in 0..rows.saturating_sub(1) {
            for j in 0..cols.saturating_sub(1) {
                // Corners counter-clockwise: (i,j) (i,j+1) (i+1,j+1) (i+1,j).
                let c = [at(i, j), at(i, j + 1), at(i + 1, j + 1), at(i + 1, j)];
                if c.iter().any(|x| !x.is_finite()) {
                    continue;
                }
                let p = [
                    (i as f64, j as f64),
                    (i as f64, j as f64 + 1.0),
                    (i as f64 + 1.0, j as f64 + 1.0),
                    (i as f64 + 1.0, j as f64),
                ];
                // Crossing on edge k (between corner k and k+1).
                let cross = |k: usize| -> Option<(f64, f64)> {
                    let (a, b) = (c[k], c[(k + 1) % 4]);
                    if (a < lev) == (b < lev) {
                        return None;
                    }
                    let t = (lev - a) / (b - a);
                    let (pa, pb) = (p[k], p[(k + 1) % 4]);
                    Some((pa.0 + t * (pb.0 - pa.0), pa.1 + t * (pb.1 - pa.1)))
                };
                let pts: Vec<(usize, (f64, f64))> =
                    (0..4).filter_map(|k| cross(k).map(|q| (k, q))).collect();
                match pts.len() {
                    2 => out.push((pts[0].1, pts[1].1)),
                    4 => {
                        // Saddle cell: pair edges according to the centre.
                        let centre_above = c.iter().sum::<f64>() / 4.0 >= lev;
                        let corner0_above = c[0] >= lev;
                        if centre_above == corner0_above {
                            out.push((pts[0].1, pts[1].1));
                            out.push((pts[2].1, pts[3].1));
                        } else {
                            out.push((pts[3].1, pts[0].1));
                            out.push((pts[1].1, pts[2].1));
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    out
}
