//! A minimal SVG writer: lines, shapes, text and embedded PNG images, in
//! pixel coordinates (origin top left, y down). The plots are built on it so
//! that every piece of text is placed by our own layout code, which the
//! figure tests (`tests/figures.rs`) can check.

use std::fmt::Write as _;
use std::path::Path;

/// A point `(x, y)`.
pub type Point = (f64, f64);
/// A straight segment between two points.
pub type Segment = (Point, Point);

/// A colour, 8 bits per channel.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// `self` mixed with `other` in proportion `t ∈ [0, 1]` (0: self).
    pub fn mix(self, other: Rgb, t: f64) -> Rgb {
        let t = t.clamp(0.0, 1.0);
        let f = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * t).round() as u8;
        Rgb(f(self.0, other.0), f(self.1, other.1), f(self.2, other.2))
    }
}

/// The Okabe–Ito palette (Okabe & Ito 2008), distinguishable with the
/// common forms of colour blindness.
pub const BLACK: Rgb = Rgb(0, 0, 0);
pub const ORANGE: Rgb = Rgb(230, 159, 0);
pub const SKY_BLUE: Rgb = Rgb(86, 180, 233);
pub const GREEN: Rgb = Rgb(0, 158, 115);
pub const YELLOW: Rgb = Rgb(240, 228, 66);
pub const BLUE: Rgb = Rgb(0, 114, 178);
pub const VERMILLION: Rgb = Rgb(213, 94, 0);
pub const PURPLE: Rgb = Rgb(204, 121, 167);
pub const GREY: Rgb = Rgb(140, 140, 140);
pub const WHITE: Rgb = Rgb(255, 255, 255);
/// The palette in the order series take it (yellow last: low contrast on white).
pub const PALETTE: [Rgb; 7] = [BLUE, VERMILLION, GREEN, ORANGE, PURPLE, SKY_BLUE, BLACK];

/// The font the plots ask for (DejaVu Sans is on most Linux systems; any
/// sans-serif font of similar width works).
pub const FONT: &str = "DejaVu Sans, Verdana, sans-serif";

/// Estimated advance width of `s` at `size` px: 0.62 em per character, a
/// little above DejaVu Sans's average (0.55–0.6 em for digits and lower
/// case), so layouts err on the side of space.
pub fn text_width(s: &str, size: f64) -> f64 {
    s.chars().count() as f64 * 0.62 * size
}

/// Horizontal anchor of a text.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

/// An SVG document being written.
pub struct Svg {
    width: f64,
    height: f64,
    body: String,
    clips: usize,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

impl Svg {
    /// A white canvas of `width × height` px.
    pub fn new(width: f64, height: f64) -> Svg {
        let mut s = Svg {
            width,
            height,
            body: String::new(),
            clips: 0,
        };
        s.rect(0.0, 0.0, width, height, Some(WHITE), None);
        s
    }

    /// A straight segment; `dash` draws it dashed.
    pub fn line(&mut self, a: (f64, f64), b: (f64, f64), color: Rgb, width: f64, dash: bool) {
        self.polyline(&[a, b], color, width, dash);
    }

    /// A polyline through `pts`.
    pub fn polyline(&mut self, pts: &[(f64, f64)], color: Rgb, width: f64, dash: bool) {
        if pts.len() < 2 {
            return;
        }
        let mut d = String::new();
        for (i, (x, y)) in pts.iter().enumerate() {
            let _ = write!(d, "{}{:.2},{:.2}", if i == 0 { "M" } else { " L" }, x, y);
        }
        let dash = if dash {
            r#" stroke-dasharray="6,4""#
        } else {
            ""
        };
        let _ = writeln!(
            self.body,
            r#"<path d="{d}" fill="none" stroke="{}" stroke-width="{width}" stroke-linejoin="round"{dash}/>"#,
            color.hex()
        );
    }

    /// Many separate segments in one path (contour lines).
    pub fn segments(&mut self, segs: &[Segment], color: Rgb, width: f64, dash: bool) {
        if segs.is_empty() {
            return;
        }
        let mut d = String::new();
        for (a, b) in segs {
            let _ = write!(d, "M{:.2},{:.2} L{:.2},{:.2} ", a.0, a.1, b.0, b.1);
        }
        let dash = if dash {
            r#" stroke-dasharray="4,3""#
        } else {
            ""
        };
        let _ = writeln!(
            self.body,
            r#"<path d="{d}" fill="none" stroke="{}" stroke-width="{width}"{dash}/>"#,
            color.hex()
        );
    }

    /// A closed polygon filled with `color` at `opacity`.
    pub fn polygon(&mut self, pts: &[(f64, f64)], color: Rgb, opacity: f64) {
        let mut d = String::new();
        for (i, (x, y)) in pts.iter().enumerate() {
            let _ = write!(d, "{}{:.2},{:.2}", if i == 0 { "M" } else { " L" }, x, y);
        }
        let _ = writeln!(
            self.body,
            r#"<path d="{d} Z" fill="{}" fill-opacity="{opacity}" stroke="{}" stroke-width="1"/>"#,
            color.hex(),
            color.hex()
        );
    }

    /// A rectangle, filled and/or stroked.
    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: Option<Rgb>, stroke: Option<Rgb>) {
        let fill = fill.map_or("none".to_string(), Rgb::hex);
        let stroke = stroke.map_or(String::new(), |c| {
            format!(r#" stroke="{}" stroke-width="1""#, c.hex())
        });
        let _ = writeln!(
            self.body,
            r#"<rect x="{x:.2}" y="{y:.2}" width="{w:.2}" height="{h:.2}" fill="{fill}"{stroke}/>"#
        );
    }

    /// A filled circle with a thin white edge.
    pub fn circle(&mut self, c: (f64, f64), r: f64, fill: Rgb) {
        let _ = writeln!(
            self.body,
            r#"<circle cx="{:.2}" cy="{:.2}" r="{r}" fill="{}" stroke="white" stroke-width="0.5"/>"#,
            c.0,
            c.1,
            fill.hex()
        );
    }

    /// Text with its baseline at `y`; `vertical` rotates it by −90° about
    /// `(x, y)` (for y-axis labels).
    pub fn text(&mut self, x: f64, y: f64, size: f64, anchor: Anchor, vertical: bool, s: &str) {
        let anchor = match anchor {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        };
        let rot = if vertical {
            format!(r#" transform="rotate(-90 {x:.2} {y:.2})""#)
        } else {
            String::new()
        };
        let _ = writeln!(
            self.body,
            r#"<text x="{x:.2}" y="{y:.2}" font-family="{FONT}" font-size="{size}" text-anchor="{anchor}" fill="black"{rot}>{}</text>"#,
            esc(s)
        );
    }

    /// An RGB raster (`w × h`, row-major from the top) scaled into the box,
    /// embedded as a PNG; `sharp` asks renderers not to smooth it.
    pub fn image(&mut self, x: f64, y: f64, w: f64, h: f64, raster: &Raster, sharp: bool) {
        let style = if sharp {
            r#" image-rendering="optimizeSpeed" style="image-rendering:pixelated""#
        } else {
            ""
        };
        let _ = writeln!(
            self.body,
            r#"<image x="{x:.2}" y="{y:.2}" width="{w:.2}" height="{h:.2}" preserveAspectRatio="none"{style} href="data:image/png;base64,{}"/>"#,
            base64(&raster.png())
        );
    }

    /// Starts a group clipped to the rectangle; close it with [`Svg::end_clip`].
    pub fn begin_clip(&mut self, x: f64, y: f64, w: f64, h: f64) {
        self.clips += 1;
        let id = self.clips;
        let _ = writeln!(
            self.body,
            r#"<clipPath id="clip{id}"><rect x="{x:.2}" y="{y:.2}" width="{w:.2}" height="{h:.2}"/></clipPath><g clip-path="url(#clip{id})">"#
        );
    }

    /// Ends the group begun by [`Svg::begin_clip`].
    pub fn end_clip(&mut self) {
        self.body.push_str("</g>\n");
    }

    /// The document as text.
    pub fn finish(&self) -> String {
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\">\n{}</svg>\n",
            self.body,
            w = self.width,
            h = self.height
        )
    }

    /// Writes the document to `path`.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        std::fs::write(path, self.finish())
    }
}

/// An RGB image in memory.
pub struct Raster {
    pub width: u32,
    pub height: u32,
    pub rgb: Vec<u8>,
}

impl Raster {
    /// The image encoded as PNG.
    pub fn png(&self) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut out, self.width, self.height);
            enc.set_color(png::ColorType::Rgb);
            enc.set_depth(png::BitDepth::Eight);
            enc.set_compression(png::Compression::High);
            let mut writer = enc.write_header().expect("PNG header into memory");
            writer
                .write_image_data(&self.rgb)
                .expect("PNG data into memory");
        }
        out
    }
}

/// Standard base64 (RFC 4648) with padding.
pub fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for c in bytes.chunks(3) {
        let n = (c[0] as u32) << 16
            | (*c.get(1).unwrap_or(&0) as u32) << 8
            | *c.get(2).unwrap_or(&0) as u32;
        for k in 0..4 {
            if k <= c.len() {
                s.push(T[(n >> (18 - 6 * k) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    s
}
