//! Every figure the examples draw, drawn here from small inputs by the same
//! functions (`examples/common/figures.rs`), then rendered to pixels by a
//! real SVG renderer (resvg) and checked:
//!
//! - it parses and renders at the expected pixel size;
//! - it is not blank: enough non-white pixels, and not a solid fill;
//! - every `<text>` element was laid out with a real font (the system's
//!   DejaVu Sans via fontconfig; the test fails if no font is found rather
//!   than passing vacuously), and the laid-out glyph boxes of no two text
//!   elements overlap, and none leaves the canvas (no clipped labels);
//! - no label carries floating-point noise (`0.30000000000000004`).
//!
//! Text boxes are usvg's own layout (`Text::abs_bounding_box`, glyph
//! bounds in canvas coordinates after rotation), not an estimate.

#[path = "../examples/common/mod.rs"]
mod common;

use std::path::PathBuf;

use common::figures::{self, Density, Landscape, SharpnessRun};
use common::heatmap::marching_squares;
use common::net::parameter_groups;
use resvg::{tiny_skia, usvg};
use saddle::dual::HessianOptions;
use saddle::nn::{datasets, Activation, Activations, Init, Mlp};

fn out(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/figure-tests");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// The text elements' strings, in document order (from the SVG source).
fn text_strings(svg: &str) -> Vec<String> {
    svg.split("<text ")
        .skip(1)
        .map(|t| {
            let body = &t[t.find('>').unwrap() + 1..t.find("</text>").unwrap()];
            body.replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&")
        })
        .collect()
}

fn collect_text_boxes(g: &usvg::Group, out: &mut Vec<usvg::Rect>) {
    for node in g.children() {
        match node {
            usvg::Node::Group(g) => collect_text_boxes(g, out),
            usvg::Node::Text(t) => out.push(t.abs_bounding_box()),
            _ => {}
        }
    }
}

/// Renders the SVG at `path` and checks it (see the module docs).
fn check(path: &std::path::Path, size: (f64, f64)) {
    let src = std::fs::read_to_string(path).unwrap();
    let mut opt = usvg::Options::default();
    opt.fontdb_mut().load_system_fonts();
    assert!(
        !opt.fontdb.is_empty(),
        "no system fonts found: the text-overlap check needs fonts (install fonts-dejavu-core)"
    );
    let tree = usvg::Tree::from_str(&src, &opt).unwrap();
    let (w, h) = (size.0 as u32, size.1 as u32);
    let mut pixmap = tiny_skia::Pixmap::new(w, h).unwrap();
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    assert_eq!(
        (tree.size().width(), tree.size().height()),
        (size.0 as f32, size.1 as f32)
    );
    assert_eq!((pixmap.width(), pixmap.height()), (w, h));

    // Not blank, not a solid fill.
    let px = pixmap.pixels();
    let non_white = px
        .iter()
        .filter(|p| p.alpha() > 0 && (p.red() < 245 || p.green() < 245 || p.blue() < 245))
        .count();
    let frac = non_white as f64 / px.len() as f64;
    assert!(
        (0.01..0.95).contains(&frac),
        "{}: {:.1}% non-white pixels",
        path.display(),
        100.0 * frac
    );

    // Every text element laid out, inside the canvas, no two overlapping.
    let strings = text_strings(&src);
    let mut boxes = vec![];
    collect_text_boxes(tree.root(), &mut boxes);
    assert_eq!(
        boxes.len(),
        strings.len(),
        "{}: a text element was not laid out (fonts?)",
        path.display()
    );
    for (b, s) in boxes.iter().zip(&strings) {
        assert!(
            b.left() >= 0.0
                && b.top() >= 0.0
                && b.right() <= size.0 as f32
                && b.bottom() <= size.1 as f32,
            "{}: text {s:?} at {b:?} leaves the {w}×{h} canvas",
            path.display()
        );
    }
    for i in 0..boxes.len() {
        for j in i + 1..boxes.len() {
            let (a, b) = (boxes[i], boxes[j]);
            // Half a pixel of slack: anti-aliased edges may touch.
            let overlap_x = a.right().min(b.right()) - a.left().max(b.left());
            let overlap_y = a.bottom().min(b.bottom()) - a.top().max(b.top());
            assert!(
                overlap_x <= 0.5 || overlap_y <= 0.5,
                "{}: texts {:?} and {:?} overlap ({a:?}, {b:?})",
                path.display(),
                strings[i],
                strings[j]
            );
        }
    }
    // No floating-point noise in any label.
    for s in &strings {
        assert!(
            !s.contains("0000000") && !s.contains("9999999"),
            "{}: label {s:?} carries floating-point noise",
            path.display()
        );
    }
}

#[test]
fn loss_curve_figure() {
    let p = out("loss.svg");
    let losses: Vec<f64> = (0..3000)
        .map(|i| 0.5 * (-(i as f64) / 400.0).exp() + 0.01 + if i % 700 == 0 { 0.2 } else { 0.0 })
        .collect();
    figures::loss_curve(
        &p,
        "Training loss, η = 0.02: final λmax = 95.3 against the stability limit 2/η = 100",
        &losses,
    )
    .unwrap();
    check(&p, figures::CHART);
}

#[test]
fn fit_figure_has_markers_and_a_line() {
    let p = out("fit.svg");
    let data: Vec<(f64, f64)> = (0..60)
        .map(|i| {
            let x = -3.0 + 0.1 * i as f64;
            (x, x.sin() + 0.1 * ((i * 7 % 11) as f64 / 11.0 - 0.5))
        })
        .collect();
    let curve: Vec<(f64, f64)> = (0..100)
        .map(|i| {
            let x = -3.2 + 0.064 * i as f64;
            (x, x.sin())
        })
        .collect();
    figures::fit(&p, "Data and the trained network", &data, &curve).unwrap();
    check(&p, figures::CHART);
    // The scatter's legend entry is a marker (circle), not a line.
    let src = std::fs::read_to_string(&p).unwrap();
    assert!(
        src.matches("<circle").count() > data.len(),
        "a legend marker besides the data dots"
    );
}

#[test]
fn convergence_figure() {
    let p = out("newton_vs_gd.svg");
    let gd: Vec<(f64, f64)> = (0..200)
        .map(|i| (i as f64, 4.0 * 0.99f64.powi(i)))
        .collect();
    let newton: Vec<(f64, f64)> = (0..8)
        .map(|i| (i as f64, 4.0 * 10f64.powi(-(1 << i).min(30))))
        .collect();
    figures::convergence(
        &p,
        "Rosenbrock: objective per iteration",
        &[
            ("gradient descent, η = 0.001", gd),
            ("damped Newton (Levenberg–Marquardt)", newton.clone()),
            ("Newton-CG (HVPs only)", newton.clone()),
            ("saddle-free Newton", newton),
        ],
    )
    .unwrap();
    check(&p, figures::CHART);
}

#[test]
fn sharpness_figure() {
    let p = out("sharpness.svg");
    let run = |eta: f64, top: f64| SharpnessRun {
        eta,
        loss: (0..4000)
            .map(|i| 0.3 * (-(i as f64) / 500.0).exp() + 0.009)
            .collect(),
        lambda_max: (0..=20)
            .map(|k| (200.0 * k as f64, top * (1.0 - (-(k as f64) / 4.0).exp())))
            .collect(),
    };
    figures::sharpness(&p, &[run(0.02, 95.0), run(0.005, 120.0)]).unwrap();
    check(&p, figures::WIDE);
}

fn small_net() -> (Mlp, saddle::nn::Dataset) {
    let data = datasets::noisy_sine(40, 0.1, 5).unwrap();
    // Groups of sizes 4, 4, 12, 3, 3, 1: narrow blocks exercise the label
    // staggering.
    let net = Mlp::new(
        &[1, 4, 3, 1],
        Activations::hidden_output(Activation::Tanh, Activation::Identity),
        Init::Xavier,
        5,
    )
    .unwrap();
    (net, data)
}

#[test]
fn hessian_image_figure() {
    let (net, data) = small_net();
    let h = net.hessian(&data, HessianOptions::default()).unwrap();
    let p = out("hessian.svg");
    let groups = figures::blocks(&parameter_groups(&net));
    assert_eq!(groups.len(), 6);
    figures::hessian_image(
        &p,
        "Hessian of the loss (27×27)",
        h.n(),
        &h.to_row_major(),
        &groups,
    )
    .unwrap();
    check(&p, figures::SQUARE);
    let src = std::fs::read_to_string(&p).unwrap();
    for label in ["W⁽¹⁾", "b⁽¹⁾", "W⁽²⁾", "b⁽²⁾", "W⁽³⁾", "b⁽³⁾"] {
        // Each group is labelled on both edges.
        assert_eq!(src.matches(&format!(">{label}<")).count(), 2, "{label}");
    }
}

#[test]
fn gauss_newton_and_residual_images_share_or_own_a_colour_scale() {
    let (net, data) = small_net();
    let h = net.hessian(&data, HessianOptions::default()).unwrap();
    let g = net
        .gauss_newton_with(&data, &saddle::nn::Mse, HessianOptions::default())
        .unwrap();
    let (hv, gv) = (h.to_row_major(), g.to_row_major());
    let rv: Vec<f64> = hv.iter().zip(&gv).map(|(a, b)| a - b).collect();
    let largest = |v: &[f64]| v.iter().fold(0.0_f64, |m, x| m.max(x.abs()));
    let groups = figures::blocks(&parameter_groups(&net));
    for (name, symbol, values, max) in [
        ("gauss_newton.svg", "Gᵢⱼ", &gv, largest(&hv)),
        ("residual.svg", "Rᵢⱼ", &rv, largest(&rv)),
    ] {
        let p = out(name);
        figures::matrix_image(&p, name, symbol, h.n(), values, &groups, max).unwrap();
        check(&p, figures::SQUARE);
        let src = std::fs::read_to_string(&p).unwrap();
        assert!(src.contains(symbol), "{name}: colour bar names {symbol}");
    }
}

#[test]
fn spectra_figure_draws_each_spectrum() {
    let h = spectrum_values();
    let g: Vec<f64> = h.iter().map(|x| x.max(0.0)).collect();
    let r: Vec<f64> = h.iter().zip(&g).map(|(a, b)| a - b).collect();
    let p = out("spectra.svg");
    figures::spectra(
        &p,
        "H = G + R: 2 negative eigenvalues in H, 0 in G, 2 in R",
        &[("H", &h), ("G", &g), ("R = H − G", &r)],
        1e-4,
    )
    .unwrap();
    check(&p, figures::CHART);
    let texts = text_strings(&std::fs::read_to_string(&p).unwrap());
    for name in ["H", "G", "R = H − G"] {
        assert!(
            texts.iter().any(|t| t == name),
            "legend entry {name}: {texts:?}"
        );
    }
}

#[test]
fn landscape_figure() {
    let m = 21;
    // A saddle: up along a, down along b, with higher-order terms.
    let f = |a: f64, b: f64| 3.0 * a * a - 0.2 * b * b - 0.4 * b.powi(4) + 0.3 * (a * b).powi(2);
    let q = |a: f64, b: f64| 3.0 * a * a - 0.2 * b * b;
    let mut loss = vec![];
    let mut model = vec![];
    for i in 0..m {
        for j in 0..m {
            let a = -0.5 + j as f64 / (m - 1) as f64;
            let b = 0.8 - 1.6 * i as f64 / (m - 1) as f64;
            loss.push(f(a, b));
            model.push(q(a, b));
        }
    }
    let p = out("landscape.svg");
    figures::landscape(
        &p,
        &Landscape {
            title: "Loss near the trained θ: λ(u) = 6, λ(v) = -0.4",
            u_name: "top eigenvector u₁",
            v_name: "bottom eigenvector uₙ",
            rows: m,
            cols: m,
            a_range: (-0.5, 0.5),
            b_range: (-0.8, 0.8),
            delta: &loss,
            model: &model,
        },
    )
    .unwrap();
    check(&p, figures::SQUARE);
}

fn spectrum_values() -> Vec<f64> {
    let mut v: Vec<f64> = (0..300)
        .map(|i| 1e-9 * ((i * 37 % 101) as f64 - 50.0))
        .collect();
    v.extend((0..20).map(|i| 1e-3 * (1 + i) as f64));
    v.extend([-2e-3, -4e-4, 3.2, 17.0, 95.3]);
    v.sort_by(f64::total_cmp);
    v
}

#[test]
fn spectrum_figure() {
    let p = out("spectrum.svg");
    figures::spectrum(
        &p,
        "Hessian eigenvalues: 2 negative, 300 near zero, 23 positive",
        &spectrum_values(),
        1e-4,
    )
    .unwrap();
    check(&p, figures::CHART);
}

#[test]
fn density_figures() {
    let v = spectrum_values();
    let nodes: Vec<(f64, f64)> = [
        (-1e-3, 0.02),
        (0.0, 0.85),
        (2e-3, 0.1),
        (3.0, 0.02),
        (95.0, 0.01),
    ]
    .to_vec();
    let p = out("density.svg");
    figures::densities(
        &p,
        "Eigenvalue density of the trained network's Hessian",
        &[Density {
            name: "trained",
            exact: Some(&v),
            slq: Some(&nodes),
        }],
        1e-4,
    )
    .unwrap();
    check(&p, figures::CHART);
    let init: Vec<f64> = v.iter().map(|x| 0.3 * x).collect();
    let p = out("before_after.svg");
    figures::densities(
        &p,
        "Hessian spectrum at initialisation and after training",
        &[
            Density {
                name: "initialisation",
                exact: Some(&init),
                slq: None,
            },
            Density {
                name: "trained",
                exact: Some(&v),
                slq: None,
            },
        ],
        1e-4,
    )
    .unwrap();
    check(&p, figures::CHART);
    let p = out("density_large.svg");
    figures::densities(
        &p,
        "SLQ eigenvalue density, 16897-parameter network",
        &[
            Density {
                name: "initialisation",
                exact: None,
                slq: Some(&nodes),
            },
            Density {
                name: "after 1000 steps",
                exact: None,
                slq: Some(&nodes[1..]),
            },
        ],
        1e-4,
    )
    .unwrap();
    check(&p, figures::CHART);
}

#[test]
fn loss_along_figure() {
    let p = out("loss_along.svg");
    let (mut measured, mut model) = (vec![], vec![]);
    for k in -40..=40 {
        let t = 0.02 * k as f64 / 40.0;
        measured.push((t, 47.6 * t * t + 30.0 * t.powi(3)));
        model.push((t, 47.6 * t * t));
    }
    figures::loss_along(&p, "top", 95.3, &measured, &model).unwrap();
    check(&p, figures::CHART);
}

/// The SLQ curve and the histogram are in the same units (fraction of
/// eigenvalues per bin), so for nodes at the exact eigenvalues with
/// weights 1/n the curve's peak over a bin holding all of them approaches
/// that bin's histogram value 1.
#[test]
fn density_curve_matches_histogram_units() {
    let values = vec![1.0; 10];
    let nodes: Vec<(f64, f64)> = values.iter().map(|&v| (v, 0.1)).collect();
    let c = 1e-3;
    let hist = figures::histogram_outline(&values, c, 10.0, 40, 1e-6);
    let curve = figures::density_curve(&nodes, c, 10.0, 40, 1e-6);
    let hmax = hist.iter().fold(0.0_f64, |m, p| m.max(p.1));
    let cmax = curve.iter().fold(0.0_f64, |m, p| m.max(p.1));
    assert_eq!(hmax, 1.0);
    // A Gaussian one bin wide has 1/√(2π) ≈ 0.40 of its mass per bin width
    // at its peak; the curve's grid (8 points per bin) may miss the peak by
    // 1/16 bin, a factor exp(−1/512): at most 8e-4 below.
    let peak = 1.0 / (2.0 * std::f64::consts::PI).sqrt();
    assert!(
        cmax <= peak + 1e-12 && cmax >= peak * (-1.0f64 / 512.0).exp() - 1e-12,
        "{cmax}"
    );
}

/// Contours of a² + b² at level r² lie on the circle of radius r, up to
/// the error of linear interpolation along cell edges (O(h²) for grid
/// spacing h = 0.1: below 0.01 here).
#[test]
fn marching_squares_traces_a_circle() {
    let m = 41;
    let h = 0.1;
    let coord = |k: f64| -2.0 + h * k;
    let v: Vec<f64> = (0..m * m)
        .map(|k| coord((k / m) as f64).powi(2) + coord((k % m) as f64).powi(2))
        .collect();
    let segs = marching_squares(&v, m, m, &[1.0]);
    assert!(segs.len() > 40);
    for (a, b) in segs {
        for p in [a, b] {
            let r = (coord(p.0).powi(2) + coord(p.1).powi(2)).sqrt();
            assert!((r - 1.0).abs() < 0.01, "{r}");
        }
    }
}

/// The parameter groups of a real network match `layer_ranges` and tile
/// the parameter vector.
#[test]
fn parameter_groups_tile_the_parameters() {
    let (net, _) = small_net();
    let g = parameter_groups(&net);
    assert_eq!(g[0].1.start, 0);
    assert_eq!(g.last().unwrap().1.end, net.num_params());
    for w in g.windows(2) {
        assert_eq!(w[0].1.end, w[1].1.start);
    }
}
