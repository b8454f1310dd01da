//! # Pictures of curvature: the Hessian as an image, 2-D landscapes, spectral densities
//!
//! Trains `analyze_mlp`'s default network ([1, 24, 24, 1], tanh, 673
//! parameters, 200 noisy-sine samples, η = 0.02) and draws what its Hessian
//! looks like:
//!
//! 1. `hessian.svg`: H as an image, entry (i, j) coloured by sign and size
//!    on a symmetric-log scale, with the blocks of each layer's weights
//!    W⁽ˡ⁾ and biases b⁽ˡ⁾ marked; `gauss_newton.svg` and `residual.svg`:
//!    the same picture of its two parts H = G + R, the Gauss-Newton matrix
//!    G = JᵀH_zJ on H's colour scale (it looks like H: near a fit, G is
//!    almost all of it) and R = H − G on its own (the network's curvature
//!    times the residuals: small, and where H's negative curvature lives);
//! 2. `landscape_top_top.svg`, `landscape_top_bottom.svg`: the loss on a
//!    grid in the plane of two eigenvectors, L(θ + a u + b v), with the
//!    quadratic model's contours dashed over it (grid evaluated in
//!    parallel);
//! 3. `density.svg`: the eigenvalue density by stochastic Lanczos quadrature
//!    (SLQ) against the exact eigenvalues, and Hutchinson's trace estimate
//!    against the exact trace;
//! 4. `before_after.svg`: the spectrum at initialisation and after training;
//! 5. `density_large.svg`: SLQ densities of a [1, 128, 128, 1] network
//!    (16 897 parameters: its dense Hessian would take 2.3 GB), at
//!    initialisation and after `--large-epochs` steps.
//!
//! ```text
//! cargo run --release --example curvature_pictures
//! cargo run --release --example curvature_pictures -- --hidden 8,8 --out figures
//! ```

#[path = "common/mod.rs"]
mod common;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use clap::Parser;
use common::axis::sig;
use common::figures::{self, Density, Landscape};
use common::net::{along, bar, parameter_groups, sine_problem, trusted_range};
use rayon::prelude::*;
use saddle::curvature::{hutchinson_trace, spectral_density, DensityOptions, Eigen};
use saddle::dual::{FnOperator, Hessian, HessianOptions};
use saddle::nn::{train, Dataset, Mlp, Mse, TrainOptions};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// Draw the Hessian of a trained network: image, landscapes, densities.
#[derive(Parser, Debug)]
#[command(
    about = "The Hessian of a trained MLP as pictures: heatmap, 2-D landscapes, spectral densities."
)]
struct Args {
    /// Hidden layer sizes of the analysed network, comma separated.
    #[arg(long, value_delimiter = ',', default_value = "24,24")]
    hidden: Vec<usize>,
    /// Gradient-descent steps for it.
    #[arg(long, default_value_t = 40000)]
    epochs: usize,
    /// Learning rate η.
    #[arg(long, default_value_t = 0.02)]
    lr: f64,
    /// Grid points per side of the 2-D landscapes.
    #[arg(long, default_value_t = 61)]
    grid: usize,
    /// Gradient-descent steps for the large network (0: skip it).
    #[arg(long, default_value_t = 1000)]
    large_epochs: usize,
    /// Output folder for the figures.
    #[arg(long, default_value = "target/saddle-examples/curvature_pictures")]
    out: PathBuf,
}

fn main() -> Res<()> {
    let args = Args::parse();
    if args.hidden.contains(&0) || args.grid < 3 {
        return Err("--hidden sizes must be positive and --grid at least 3".into());
    }
    std::fs::create_dir_all(&args.out)?;
    let start = Instant::now();
    let (data, mut net) = sine_problem(&args.hidden, 1)?;
    let p = net.num_params();
    println!(
        "Network {:?}, tanh, {p} parameters; 200 noisy-sine samples\n",
        net.sizes()
    );

    let h0 = hessian(&net, &data, "Hessian at initialisation")?;
    let e0 = Eigen::of(&h0)?;
    train_for(&mut net, &data, args.epochs, args.lr)?;
    let h = hessian(&net, &data, "Hessian after training")?;
    let e = Eigen::of(&h)?;
    println!(
        "   λmin = {:.3e}, λmax = {:.3e} (2/η = {})\n",
        e.min(),
        e.max(),
        2.0 / args.lr
    );

    hessian_image(&args, &net, &h)?;
    split_images(&args, &net, &data, &h)?;
    landscapes(&args, &net, &data, &e)?;
    density(&args, &net, &data, &e)?;
    before_after(&args, &e0, &e)?;
    if args.large_epochs > 0 {
        large_density(&args)?;
    }
    println!(
        "Finished in {:.1?}; figures in {}",
        start.elapsed(),
        args.out.display()
    );
    Ok(())
}

/// Full-batch gradient descent with a progress bar.
fn train_for(net: &mut Mlp, data: &Dataset, epochs: usize, lr: f64) -> Res<()> {
    println!("Gradient descent: {epochs} steps, η = {lr}");
    let progress = bar(epochs as u64, "training");
    let opts = TrainOptions {
        learning_rate: lr,
        epochs,
        batch_size: None,
        seed: 1,
    };
    let h = train(net, data, &opts, |s| {
        if s.step % 100 == 0 {
            progress.set_position(s.step as u64);
        }
    })?;
    progress.finish_and_clear();
    println!("   loss {:.3e} → {:.3e}", h.loss[0], net.loss(data)?);
    Ok(())
}

/// The dense Hessian from HVPs, with a progress bar over columns.
fn hessian(net: &Mlp, data: &Dataset, what: &str) -> Res<Hessian> {
    let t = Instant::now();
    let progress = bar(net.num_params() as u64, "columns ");
    let done = AtomicUsize::new(0);
    let report = |cols: usize| {
        progress.set_position((done.fetch_add(cols, Ordering::Relaxed) + cols) as u64);
    };
    let h = net.hessian_with_progress(data, HessianOptions::default(), &report)?;
    progress.finish_and_clear();
    println!(
        "{what}: {0}×{0} from HVPs in {1:.2?}",
        net.num_params(),
        t.elapsed()
    );
    Ok(h)
}

/// Figure 1: H as an image with its parameter groups.
fn hessian_image(args: &Args, net: &Mlp, h: &Hessian) -> Res<()> {
    let n = h.n();
    let values = h.to_row_major();
    let groups = figures::blocks(&parameter_groups(net));
    let path = args.out.join("hessian.svg");
    let title = format!("Hessian of the trained network's loss ({n}×{n})");
    figures::hessian_image(&path, &title, n, &values, &groups)?;
    let (mut diag, mut off) = (0.0, 0.0);
    for i in 0..n {
        for j in 0..n {
            let v = h.get(i, j).powi(2);
            if groups
                .iter()
                .any(|g| (g.start..g.end).contains(&i) && (g.start..g.end).contains(&j))
            {
                diag += v;
            } else {
                off += v;
            }
        }
    }
    println!(
        "\nFigure: {} — {:.0}% of ‖H‖²_F sits in the diagonal blocks (within one parameter group)",
        path.display(),
        100.0 * diag / (diag + off)
    );
    Ok(())
}

/// Figure 1b: H = G + R as two more images, G on H's colour scale (so the
/// two compare entry by entry) and R on its own (on H's it would be blank).
fn split_images(args: &Args, net: &Mlp, data: &Dataset, h: &Hessian) -> Res<()> {
    let t = Instant::now();
    let g = net.gauss_newton_with(data, &Mse, HessianOptions::default())?;
    let n = h.n();
    let (hv, gv) = (h.to_row_major(), g.to_row_major());
    let rv: Vec<f64> = hv.iter().zip(&gv).map(|(a, b)| a - b).collect();
    let largest = |v: &[f64]| v.iter().fold(0.0_f64, |m, x| m.max(x.abs()));
    let frobenius = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>().sqrt();
    let groups = figures::blocks(&parameter_groups(net));
    let (g_path, r_path) = (
        args.out.join("gauss_newton.svg"),
        args.out.join("residual.svg"),
    );
    figures::matrix_image(
        &g_path,
        &format!("Gauss-Newton part G = JᵀH_zJ ({n}×{n}), on H's colour scale"),
        "Gᵢⱼ",
        n,
        &gv,
        &groups,
        largest(&hv),
    )?;
    let share = largest(&rv) / largest(&hv);
    figures::matrix_image(
        &r_path,
        &format!(
            "Residual part R = H − G, own colour scale (max |Rᵢⱼ| = {} of H's)",
            sig(share, 2)
        ),
        "Rᵢⱼ",
        n,
        &rv,
        &groups,
        largest(&rv),
    )?;
    println!(
        "Figures: {} and {} — G from {n} exact Gauss-Newton columns in {:.2?}; ‖R‖_F / ‖H‖_F = {}, largest |Rᵢⱼ| / largest |Hᵢⱼ| = {}",
        g_path.display(),
        r_path.display(),
        t.elapsed(),
        sig(frobenius(&rv) / frobenius(&hv), 2),
        sig(share, 2)
    );
    Ok(())
}

/// Figure 2: the loss in the planes (top, second) and (top, bottom).
fn landscapes(args: &Args, net: &Mlp, data: &Dataset, e: &Eigen) -> Res<()> {
    let n = e.n();
    let saddle::dual::Gradient {
        value: loss,
        gradient: grad,
    } = net.loss_and_gradient(data)?;
    let planes = [
        (
            n - 1,
            n - 2,
            "landscape_top_top.svg",
            "top eigenvector u₁",
            "second eigenvector u₂",
        ),
        (
            n - 1,
            0,
            "landscape_top_bottom.svg",
            "top eigenvector u₁",
            "bottom eigenvector uₙ",
        ),
    ];
    for (iu, iv, file, u_name, v_name) in planes {
        let (u, v) = (e.vector(iu), e.vector(iv));
        let (lu, lv) = (e.values()[iu], e.values()[iv]);
        let gu: f64 = grad.iter().zip(u).map(|(a, b)| a * b).sum();
        let gv: f64 = grad.iter().zip(v).map(|(a, b)| a * b).sum();
        let delta = |dir: &[f64], t: f64| -> Option<f64> {
            let mut probe = net.clone();
            probe.set_params(&along(net.params(), dir, t)).ok()?;
            Some(probe.loss(data).ok()? - loss)
        };
        // b: where v's quadratic model holds; a: no further than where u's
        // holds, and where ½|λᵤ|a² = ½|λᵥ|b², so both directions change the
        // loss by comparable amounts (else the steep one hides the other).
        let rb = trusted_range(|t| delta(v, t), gv, lv);
        let ra = trusted_range(|t| delta(u, t), gu, lu).min(rb * (lv.abs() / lu.abs()).sqrt());
        let m = args.grid;
        let cells: Vec<(f64, f64)> = (0..m * m)
            .map(|k| {
                let (i, j) = (k / m, k % m);
                let a = -ra + 2.0 * ra * j as f64 / (m - 1) as f64;
                let b = rb - 2.0 * rb * i as f64 / (m - 1) as f64;
                (a, b)
            })
            .collect();
        let progress = bar((m * m) as u64, "grid    ");
        let t = Instant::now();
        // Each grid point is an independent forward pass: in parallel.
        let measured: Vec<f64> = cells
            .par_iter()
            .map(|&(a, b)| {
                let mut probe = net.clone();
                let theta: Vec<f64> = net
                    .params()
                    .iter()
                    .zip(u.iter().zip(v))
                    .map(|(p, (x, y))| p + a * x + b * y)
                    .collect();
                let l = probe
                    .set_params(&theta)
                    .ok()
                    .and_then(|_| probe.loss(data).ok())
                    .map_or(f64::NAN, |l| l - loss);
                progress.inc(1);
                l
            })
            .collect();
        progress.finish_and_clear();
        let model: Vec<f64> = cells
            .iter()
            .map(|&(a, b)| gu * a + gv * b + 0.5 * (lu * a * a + lv * b * b))
            .collect();
        let path = args.out.join(file);
        let title = format!(
            "Loss near the trained θ: λ(u) = {}, λ(v) = {}",
            sig(lu, 4),
            sig(lv, 3)
        );
        figures::landscape(
            &path,
            &Landscape {
                title: &title,
                u_name,
                v_name,
                rows: m,
                cols: m,
                a_range: (-ra, ra),
                b_range: (-rb, rb),
                delta: &measured,
                model: &model,
            },
        )?;
        println!(
            "Figure: {} — {m}×{m} losses in {:.2?}; a ∈ ±{}, b ∈ ±{}",
            path.display(),
            t.elapsed(),
            sig(ra, 3),
            sig(rb, 3)
        );
        println!(
            "   (b: twice as far as v's quadratic model holds to 25%; a: where ½|λᵤ|a² equals ½|λᵥ|b² at the edges, or u's own range if smaller)"
        );
    }
    Ok(())
}

/// SLQ settings shared by the density figures: 8 probes × 60 Lanczos steps.
fn slq_options() -> DensityOptions {
    DensityOptions {
        steps: 60,
        probes: 8,
        sigma: 1e-3,
        points: 2,
        seed: 7,
    }
}

/// SLQ quadrature nodes of a network's Hessian, with a progress bar over HVPs.
fn slq_nodes(net: &Mlp, data: &Dataset) -> Res<Vec<(f64, f64)>> {
    let opts = slq_options();
    let progress = bar((opts.steps * opts.probes) as u64, "SLQ HVPs");
    let hessian = FnOperator::new(net.num_params(), |v: &[f64]| {
        progress.inc(1);
        net.hvp(data, v).map(|r| r.hv)
    });
    let d = spectral_density(&hessian, &opts)?;
    progress.finish_and_clear();
    Ok(d.nodes)
}

/// The symmetric-log threshold for a spectrum: 10⁻⁶ of its largest |λ|.
fn threshold(e: &Eigen) -> f64 {
    1e-6 * e.max().abs().max(e.min().abs())
}

/// Figure 3: SLQ against the exact eigenvalues; Hutchinson against tr H.
fn density(args: &Args, net: &Mlp, data: &Dataset, e: &Eigen) -> Res<()> {
    let t = Instant::now();
    let nodes = slq_nodes(net, data)?;
    let slq_time = t.elapsed();
    let exact_trace: f64 = e.values().iter().sum();
    let probes = 100;
    let progress = bar(probes as u64, "probes  ");
    let hessian = FnOperator::new(net.num_params(), |v: &[f64]| {
        progress.inc(1);
        net.hvp(data, v).map(|r| r.hv)
    });
    let tr = hutchinson_trace(&hessian, probes, 11)?;
    progress.finish_and_clear();
    println!(
        "\nSLQ: {} probes × {} Lanczos steps = {} HVPs in {slq_time:.2?}",
        slq_options().probes,
        slq_options().steps,
        slq_options().probes * slq_options().steps
    );
    println!(
        "trace of H: exact Σλᵢ = {exact_trace:.4}; Hutchinson with {probes} probes = {:.4} ± {:.4} (standard error), off by {:.1} standard errors",
        tr.estimate,
        tr.standard_error,
        (tr.estimate - exact_trace).abs() / tr.standard_error
    );
    let path = args.out.join("density.svg");
    figures::densities(
        &path,
        "Eigenvalue density of the trained network's Hessian",
        &[Density {
            name: "trained",
            exact: Some(e.values()),
            slq: Some(&nodes),
        }],
        threshold(e),
    )?;
    println!("Figure: {}", path.display());
    Ok(())
}

/// Figure 4: exact spectra at initialisation and after training.
fn before_after(args: &Args, e0: &Eigen, e: &Eigen) -> Res<()> {
    let path = args.out.join("before_after.svg");
    figures::densities(
        &path,
        "Hessian spectrum at initialisation and after training",
        &[
            Density {
                name: "initialisation",
                exact: Some(e0.values()),
                slq: None,
            },
            Density {
                name: "trained",
                exact: Some(e.values()),
                slq: None,
            },
        ],
        threshold(e),
    )?;
    println!(
        "Figure: {} — λmax {:.3} → {:.3}, λmin {:.3e} → {:.3e}",
        path.display(),
        e0.max(),
        e.max(),
        e0.min(),
        e.min()
    );
    Ok(())
}

/// Figure 5: SLQ densities of a network too large for a dense Hessian.
fn large_density(args: &Args) -> Res<()> {
    let (data, mut net) = sine_problem(&[128, 128], 2)?;
    let p = net.num_params();
    println!(
        "\nLarge network {:?}: {p} parameters; a dense Hessian would hold {:.1e} numbers ({:.1} GB)",
        net.sizes(),
        (p * p) as f64,
        (p * p * 8) as f64 / 1e9
    );
    let before = slq_nodes(&net, &data)?;
    // A smaller step: λmax grows with width at this initialisation.
    train_for(&mut net, &data, args.large_epochs, 0.005)?;
    let after = slq_nodes(&net, &data)?;
    let top = |n: &[(f64, f64)]| n.iter().fold(f64::NEG_INFINITY, |m, x| m.max(x.0));
    let low = |n: &[(f64, f64)]| n.iter().fold(f64::INFINITY, |m, x| m.min(x.0));
    println!(
        "   largest Ritz value {:.3} → {:.3}; smallest {:.3e} → {:.3e}",
        top(&before),
        top(&after),
        low(&before),
        low(&after)
    );
    let c = 1e-6 * top(&after).abs().max(low(&after).abs());
    let after_name = format!("after {} steps", args.large_epochs);
    let path = args.out.join("density_large.svg");
    let title = format!("SLQ eigenvalue density, {p}-parameter network");
    figures::densities(
        &path,
        &title,
        &[
            Density {
                name: "initialisation",
                exact: None,
                slq: Some(&before),
            },
            Density {
                name: &after_name,
                exact: None,
                slq: Some(&after),
            },
        ],
        c,
    )?;
    println!("Figure: {}", path.display());
    Ok(())
}
