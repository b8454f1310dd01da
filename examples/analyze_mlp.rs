//! # Train a network, then ask its Hessian what kind of point training found
//!
//! The main example of saddle, and a newcomer's first ten minutes. It
//! 1. trains an MLP by gradient descent on an embedded dataset or a CSV file
//!    (docs/theory.md §1–4), with a progress bar;
//! 2. computes the full Hessian of the loss with respect to every parameter
//!    from Hessian-vector products (forward-over-reverse, 8 columns per
//!    sweep, across threads), with a progress bar over columns;
//! 3. measures its asymmetry (§6), eigendecomposes it (§8) and
//!    classifies the point: minimum, maximum, saddle, or degenerate, with the
//!    counts of negative, near-zero and positive eigenvalues;
//! 4. splits the Hessian into its Gauss-Newton part and the rest,
//!    H = G + R (G = JᵀH_zJ is positive semidefinite for MSE; R carries the
//!    network's own curvature times the residuals), compares the three
//!    spectra and shows that every direction of negative curvature of H is
//!    one where R is negative;
//! 5. writes SVG plots: the loss curve, the eigenvalue spectrum, the spectra
//!    of H, G and R side by side, and the loss along the top and bottom
//!    eigenvectors.
//!
//! Each step is one function below (`train_network`, `compute_hessian`,
//! `spectrum_and_verdict`, `gauss_newton_split`, `write_plots`), and each picture one small
//! function. Heavier pictures have their own examples: `sharpness` (λmax
//! during training) and `curvature_pictures` (the Hessian as an image, 2-D
//! landscapes, spectral densities).
//!
//! Run it with:
//!
//! ```text
//! cargo run --release --example analyze_mlp
//! cargo run --release --example analyze_mlp -- --help
//! cargo run --release --example analyze_mlp -- --dataset xor --hidden 8 --activation softplus
//! cargo run --release --example analyze_mlp -- --csv data.csv --targets 1 --epochs 500
//! ```

#[path = "common/mod.rs"]
mod common;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use clap::{Parser, ValueEnum};
use common::axis::sig;
use common::figures;
use common::net::{along, bar, trusted_range};
use indicatif::ProgressBar;
use saddle::curvature::{
    classify, gauss_newton_split, Classification, CriticalPoint, Definiteness, Eigen,
    GaussNewtonSplit, Tolerances, GRADIENT_TOL,
};
use saddle::dual::{Hessian, HessianOptions};
use saddle::nn::{
    datasets, train, Activation, Activations, CsvOptions, Dataset, Header, History, Init, Mlp, Mse,
    Targets, TrainOptions,
};

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Set {
    /// y = sin x + noise (1 input).
    Sine,
    /// y = x₁² + x₂² (2 inputs).
    Bowl,
    /// XOR-like signs of x₁, x₂ (2 inputs).
    Xor,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Act {
    Tanh,
    Relu,
    Sigmoid,
    Softplus,
    Identity,
}

impl Act {
    fn activation(self) -> Activation {
        match self {
            Act::Tanh => Activation::Tanh,
            Act::Relu => Activation::Relu,
            Act::Sigmoid => Activation::Sigmoid,
            Act::Softplus => Activation::Softplus,
            Act::Identity => Activation::Identity,
        }
    }
}

/// Train an MLP, compute the full Hessian of its loss, and classify the
/// point training ended at.
#[derive(Parser, Debug)]
#[command(
    version,
    about = "Train an MLP, compute the full Hessian of its loss, and classify the point training ended at."
)]
struct Args {
    /// Embedded dataset (ignored when --csv is given).
    #[arg(long, value_enum, default_value = "sine")]
    dataset: Set,
    /// Samples in the embedded dataset.
    #[arg(long, default_value_t = 200)]
    samples: usize,
    /// A CSV file of numbers with a header line; the last --targets columns are targets.
    #[arg(long)]
    csv: Option<PathBuf>,
    /// How many trailing CSV columns are targets.
    #[arg(long, default_value_t = 1)]
    targets: usize,
    /// Hidden layer sizes, comma separated.
    #[arg(long, value_delimiter = ',', default_value = "24,24")]
    hidden: Vec<usize>,
    /// Hidden activation.
    #[arg(long, value_enum, default_value = "tanh")]
    activation: Act,
    /// Gradient-descent steps (full batch).
    #[arg(long, default_value_t = 40000)]
    epochs: usize,
    /// Learning rate η.
    #[arg(long, default_value_t = 0.02)]
    lr: f64,
    /// Seed for initialisation and data.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Threads for the Hessian (0: all cores).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Output folder for the plots.
    #[arg(long, default_value = "target/saddle-analysis")]
    out: PathBuf,
    /// Also save the trained network (network.json), the gradient, the
    /// Hessian and its eigendecomposition (.npy, for NumPy/JAX) in this folder.
    #[arg(long)]
    save: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// The critical-point threshold used here, ‖∇L‖ ≤ 1e-3 (the library
/// default, `GRADIENT_TOL`, is 1e-6).
const GRADIENT_THRESHOLD: f64 = 1e-3;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn run(args: &Args) -> Res<()> {
    let start = Instant::now();
    let (data, mut net) = load(args)?;
    std::fs::create_dir_all(&args.out)?;
    let (history, loss, grad) = train_network(args, &mut net, &data)?;
    let h = compute_hessian(args, &net, &data)?;
    let (e, verdict) = spectrum_and_verdict(args, &h, &grad)?;
    let split = split_h_g_r(args, &net, &data, &h, &e)?;
    write_plots(args, &net, &data, &history, &e, &verdict, loss, &grad)?;
    plot_split(args, &split)?;
    if let Some(dir) = &args.save {
        save(dir, &net, &grad, &h, &e)?;
    }
    println!(
        "\nFinished in {:.2?}. The plots are in {}",
        start.elapsed(),
        args.out.display()
    );
    Ok(())
}

/// Writes what a NumPy or JAX user needs to continue elsewhere:
/// `network.json` (reload with `Mlp::load`), and `gradient.npy`,
/// `hessian.npy`, `eigenvalues.npy`, `eigenvectors.npy` (`numpy.load`;
/// column i of the eigenvectors belongs to eigenvalue i, as `numpy.linalg.eigh`).
fn save(dir: &std::path::Path, net: &Mlp, grad: &[f64], h: &Hessian, e: &Eigen) -> Res<()> {
    std::fs::create_dir_all(dir)?;
    net.save(dir.join("network.json"))?;
    saddle::io::save_vector(dir.join("gradient.npy"), grad)?;
    saddle::io::save_hessian(dir.join("hessian.npy"), h)?;
    saddle::io::save_eigen(dir, e)?;
    println!(
        "   saved network.json, gradient.npy, hessian.npy, eigenvalues.npy, eigenvectors.npy in {}",
        dir.display()
    );
    Ok(())
}

/// The data and the untrained network, described.
fn load(args: &Args) -> Res<(Dataset, Mlp)> {
    if args.hidden.contains(&0) {
        return Err("--hidden sizes must be positive".into());
    }
    let (data, name) = match &args.csv {
        Some(path) => {
            let opts = CsvOptions {
                header: Header::Auto,
                targets: Targets::Last(args.targets),
            };
            (
                Dataset::from_csv_path(path, &opts)?,
                path.display().to_string(),
            )
        }
        None => match args.dataset {
            Set::Sine => (
                datasets::noisy_sine(args.samples, 0.1, args.seed)?,
                "noisy sine".to_string(),
            ),
            Set::Bowl => (datasets::bowl(args.samples, args.seed)?, "bowl".to_string()),
            Set::Xor => (datasets::xor(args.samples, args.seed)?, "xor".to_string()),
        },
    };
    let mut sizes = vec![data.input_dim()];
    sizes.extend(&args.hidden);
    sizes.push(data.output_dim());
    let act = args.activation.activation();
    let init = if act == Activation::Relu {
        Init::He
    } else {
        Init::Xavier
    };
    let net = Mlp::new(
        &sizes,
        Activations::hidden_output(act, Activation::Identity),
        init,
        args.seed,
    )?;
    let p = net.num_params();
    println!("saddle: the curvature of a trained network\n");
    println!(
        "data     {name}: {} samples, {} inputs, {} outputs",
        data.len(),
        data.input_dim(),
        data.output_dim()
    );
    println!("network  layers {sizes:?}, {act} hidden, identity output: {p} parameters");
    println!("loss     mean squared error; the Hessian will be {p}×{p}\n");
    Ok((data, net))
}

/// Step 1: gradient descent θ ← θ − η∇L; the loss history, final loss and
/// gradient.
fn train_network(args: &Args, net: &mut Mlp, data: &Dataset) -> Res<(History, f64, Vec<f64>)> {
    println!(
        "1. Gradient descent: {} steps, η = {}",
        args.epochs, args.lr
    );
    let progress = bar(args.epochs as u64, "training");
    let opts = TrainOptions {
        learning_rate: args.lr,
        epochs: args.epochs,
        batch_size: None,
        seed: args.seed,
    };
    let history = train(net, data, &opts, |s| {
        if s.step % 50 == 0 {
            progress.set_position(s.step as u64);
            progress.set_message(format!("loss {:.3e}", s.loss));
        }
    })?;
    progress.finish_and_clear();
    let saddle::dual::Gradient {
        value: loss,
        gradient: grad,
    } = net.loss_and_gradient(data)?;
    let gnorm = grad.iter().map(|g| g * g).sum::<f64>().sqrt();
    println!(
        "   loss {:.4e} → {loss:.4e}, final ‖∇L‖ = {gnorm:.3e}\n",
        history.loss[0]
    );
    Ok((history, loss, grad))
}

/// Step 2: the Hessian, column by column from HVPs, with its measured
/// asymmetry.
fn compute_hessian(args: &Args, net: &Mlp, data: &Dataset) -> Res<Hessian> {
    let p = net.num_params();
    let threads = threads(args);
    println!("2. The Hessian from {p} Hessian-vector products (8 per sweep, {threads} threads)");
    let t = Instant::now();
    let progress = bar(p as u64, "columns ");
    let done = AtomicUsize::new(0);
    let report = |cols: usize| {
        let now = done.fetch_add(cols, Ordering::Relaxed) + cols;
        progress.set_position(now as u64);
    };
    let h = net.hessian_with_progress(data, HessianOptions { threads }, &report)?;
    progress.finish_and_clear();
    println!(
        "   done in {:.2?}; measured asymmetry max|Hᵢⱼ − Hⱼᵢ| = {:.2e} ({:.1e} relative)\n",
        t.elapsed(),
        h.asymmetry(),
        h.relative_asymmetry()
    );
    Ok(h)
}

/// The worker threads for the sweeps (`--threads 0`: all cores).
fn threads(args: &Args) -> usize {
    if args.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        args.threads
    }
}

/// Step 3: H = QΛQᵀ, the inertia under stated thresholds, and the verdict
/// in words.
fn spectrum_and_verdict(args: &Args, h: &Hessian, grad: &[f64]) -> Res<(Eigen, Classification)> {
    println!("3. Eigendecomposition H = QΛQᵀ");
    let t = Instant::now();
    let spinner = ProgressBar::new_spinner();
    spinner.set_message("symmetric eigensolver (faer)…");
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let e = Eigen::of(h)?;
    spinner.finish_and_clear();
    println!(
        "   done in {:.2?}; max |QᵀQ − I| = {:.1e}",
        t.elapsed(),
        e.orthonormality_error()
    );
    let tol = Tolerances::default();
    let verdict = classify(grad, &e, &tol, GRADIENT_THRESHOLD)?;
    println!("   thresholds:");
    println!(
        "   - critical point when ‖∇L‖ ≤ {GRADIENT_THRESHOLD:.0e} (the library default is {:.0e}). Gradient descent with a",
        GRADIENT_TOL
    );
    println!("     fixed step only approaches a critical point geometrically, and near the stability limit");
    println!("     2/η it oscillates, so after tens of thousands of steps ‖∇L‖ is still about 1e-4 to 1e-3;");
    println!(
        "   - an eigenvalue counts as zero when |λ| ≤ {:.0e} + {:.0e}·max|λ| = {:.2e} (library default:",
        tol.eigen_abs, tol.eigen_rel, verdict.zero_threshold
    );
    println!("     far above the eigensolver's rounding, about n·ε·‖H‖).");
    println!(
        "   λmin = {:.6e}, λmax = {:.6e}; ‖∇L‖ = {:.3e}",
        e.min(),
        e.max(),
        verdict.gradient_norm
    );
    println!(
        "   {} negative, {} near zero, {} positive eigenvalues",
        verdict.inertia.negative, verdict.inertia.zero, verdict.inertia.positive
    );
    println!("   the Hessian is {}", describe(&verdict));
    println!("   verdict: {}", verdict_words(&verdict));
    let limit = 2.0 / args.lr;
    println!(
        "   λmax = {:.1} against the gradient-descent stability limit 2/η = {limit:.1} ({:.0}%):",
        e.max(),
        100.0 * e.max() / limit
    );
    if e.max() > 0.8 * limit {
        println!(
            "   training ran at the edge of stability, which is why the loss curve has spikes"
        );
        println!("   (see `cargo run --release --example sharpness` for λmax during training).\n");
    } else {
        println!("   well inside the stable range, so gradient descent settled smoothly.\n");
    }
    Ok((e, verdict))
}

/// Step 4: H = G + R. G, the Gauss-Newton matrix JᵀH_zJ, comes from its
/// own exact sweeps (a JVP through the network, H_z, a VJP back: no J is
/// formed); R = H − G.
fn split_h_g_r(
    args: &Args,
    net: &Mlp,
    data: &Dataset,
    h: &Hessian,
    e: &Eigen,
) -> Res<GaussNewtonSplit> {
    println!("4. The Gauss-Newton split H = G + R");
    let t = Instant::now();
    let g = net.gauss_newton_with(
        data,
        &Mse,
        HessianOptions {
            threads: threads(args),
        },
    )?;
    let s = gauss_newton_split(h, e, &g, &Tolerances::default())?;
    println!(
        "   G = JᵀH_zJ ({0}×{0}) and the three spectra in {1:.2?}",
        g.n(),
        t.elapsed()
    );
    let count = |i: &saddle::curvature::Inertia| {
        format!(
            "{:>4} negative, {:>4} near zero, {:>4} positive",
            i.negative, i.zero, i.positive
        )
    };
    println!(
        "   with one zero threshold for all three, |λ| ≤ {:.2e} (from H's scale):",
        s.threshold
    );
    println!("   H: {}", count(&s.inertia_h));
    println!("   G: {}   (smallest λ(G)/max λ(G) = {:.1e}: PSD to rounding, as MSE is convex in the outputs)", count(&s.inertia_g), s.g_min_relative);
    println!("   R: {}", count(&s.inertia_r));
    let outputs = data.targets().cols();
    println!(
        "   G = Σᵢ JᵢᵀH_zJᵢ has rank at most N·outputs = {} (here {} eigenvalues above the threshold)",
        data.len() * outputs,
        s.inertia_g.positive
    );
    println!("   largest eigenvalues, H against G:");
    for (a, b) in s.top(3) {
        println!("     {a:>11.4e}  {b:>11.4e}   (G/H = {:.3})", b / a);
    }
    println!(
        "   ‖R‖_F / ‖H‖_F = {:.1e}: {}",
        s.residual_share,
        if s.residual_share < 0.1 {
            "the Hessian is mostly its Gauss-Newton part, as near a good fit"
        } else {
            "the residual part is still a large share of the curvature"
        }
    );
    let n = &s.negative;
    if n.count > 0 {
        println!(
            "   H's {} negative eigenvalues sum to {:.3e}; along those eigenvectors u, Σ uᵀGu = {:+.3e} and Σ uᵀRu = {:+.3e}:",
            n.count, n.total, n.from_g, n.from_r
        );
        println!(
            "   R is negative along {} of the {}{}\n",
            n.r_negative,
            n.count,
            if s.inertia_g.negative == 0 && n.r_negative == n.count {
                " (since G ⪰ 0, uᵀRu = λ − uᵀGu ≤ λ): R accounts for all of H's negative curvature, and G only pulls it back toward zero."
            } else {
                "."
            }
        );
    } else {
        println!("   H has no negative eigenvalue above the threshold.\n");
    }
    Ok(s)
}

/// The Hessian's definiteness in words, with the condition number only
/// where it means something (a definite matrix).
fn describe(v: &Classification) -> String {
    match v.definiteness {
        Definiteness::PositiveDefinite => format!(
            "positive definite, condition number λmax/λmin = {:.2e}",
            v.condition_number
        ),
        Definiteness::NegativeDefinite => format!(
            "negative definite, condition number λmin/λmax = {:.2e}",
            v.condition_number
        ),
        Definiteness::PositiveSemidefinite => {
            "positive semidefinite and singular (flat directions; no condition number)".to_string()
        }
        Definiteness::NegativeSemidefinite => {
            "negative semidefinite and singular (flat directions; no condition number)".to_string()
        }
        Definiteness::Indefinite if v.inertia.zero > 0 => {
            "indefinite (curves up in some directions, down in others) and singular (flat in others)".to_string()
        }
        Definiteness::Indefinite => {
            "indefinite: it curves up in some directions and down in others".to_string()
        }
        Definiteness::Zero => "zero within the threshold".to_string(),
    }
}

fn verdict_words(v: &Classification) -> &'static str {
    match v.kind {
        CriticalPoint::Minimum => "a strict local minimum: every direction curves up",
        CriticalPoint::Maximum => "a strict local maximum: every direction curves down",
        CriticalPoint::Saddle => {
            "a saddle point: some directions still curve down, so the loss can fall further"
        }
        CriticalPoint::Degenerate => {
            "inconclusive: no direction curves down but some are flat, so second derivatives cannot decide between a minimum and a saddle"
        }
        CriticalPoint::NotCritical => {
            "not yet a critical point (‖∇L‖ is above the threshold): train longer or with another η"
        }
    }
}

/// Step 4: the pictures, one function each.
#[allow(clippy::too_many_arguments)]
fn write_plots(
    args: &Args,
    net: &Mlp,
    data: &Dataset,
    history: &History,
    e: &Eigen,
    verdict: &Classification,
    loss: f64,
    grad: &[f64],
) -> Res<()> {
    println!("5. Plots");
    let out = &args.out;
    // The title names the edge of stability: the spikes come where λmax
    // reaches 2/η (the `sharpness` example shows it step by step).
    let title = format!(
        "Training loss, η = {}: final λmax = {} against the stability limit 2/η = {}",
        args.lr,
        sig(e.max(), 3),
        sig(2.0 / args.lr, 3)
    );
    figures::loss_curve(&out.join("loss.svg"), &title, &history.loss)?;
    plot_spectrum(args, e, verdict)?;
    plot_along(args, net, data, e, loss, grad, e.n() - 1, "top")?;
    plot_along(args, net, data, e, loss, grad, 0, "bottom")?;
    for f in [
        "loss.svg",
        "spectrum.svg",
        "loss_along_top_eigenvector.svg",
        "loss_along_bottom_eigenvector.svg",
        "spectra_h_g_r.svg",
    ] {
        println!("   {}", out.join(f).display());
    }
    Ok(())
}

/// Sorted eigenvalues on a symmetric-log axis: linear below 10⁻⁶ λmax, so
/// the near-zero bulk, the negative few and the large outliers all show.
fn plot_spectrum(args: &Args, e: &Eigen, verdict: &Classification) -> Res<()> {
    let c = (1e-6 * e.max().abs()).max(verdict.zero_threshold);
    let title = format!(
        "Hessian eigenvalues: {} negative, {} near zero, {} positive",
        verdict.inertia.negative, verdict.inertia.zero, verdict.inertia.positive
    );
    figures::spectrum(&args.out.join("spectrum.svg"), &title, e.values(), c)?;
    Ok(())
}

/// The spectra of H, G and R on one symmetric-log axis, each sorted.
fn plot_split(args: &Args, s: &GaussNewtonSplit) -> Res<()> {
    let c = (1e-6 * s.h.iter().fold(0.0_f64, |m, x| m.max(x.abs()))).max(s.threshold);
    let title = format!(
        "H = G + R: {} negative eigenvalues in H, {} in G, {} in R",
        s.inertia_h.negative, s.inertia_g.negative, s.inertia_r.negative
    );
    figures::spectra(
        &args.out.join("spectra_h_g_r.svg"),
        &title,
        &[
            ("H (loss Hessian)", &s.h),
            ("G (Gauss-Newton)", &s.g),
            ("R = H − G", &s.r),
        ],
        c,
    )?;
    Ok(())
}

/// L(θ + t v) − L(θ) along eigenvector `i` against its second-order model
/// (gᵀv) t + ½ λ t², over twice the range where the model is within 25%.
#[allow(clippy::too_many_arguments)]
fn plot_along(
    args: &Args,
    net: &Mlp,
    data: &Dataset,
    e: &Eigen,
    loss: f64,
    grad: &[f64],
    i: usize,
    what: &str,
) -> Res<()> {
    let (v, lambda) = (e.vector(i), e.values()[i]);
    let slope: f64 = grad.iter().zip(v).map(|(a, b)| a * b).sum();
    let delta = |t: f64| -> Option<f64> {
        let mut probe = net.clone();
        probe.set_params(&along(net.params(), v, t)).ok()?;
        Some(probe.loss(data).ok()? - loss)
    };
    let t_max = trusted_range(delta, slope, lambda);
    let (mut measured, mut model) = (Vec::new(), Vec::new());
    for k in -40..=40 {
        let t = t_max * k as f64 / 40.0;
        measured.push((
            t,
            delta(t).ok_or("the loss is not finite along the eigenvector")?,
        ));
        model.push((t, slope * t + 0.5 * lambda * t * t));
    }
    let file = format!("loss_along_{what}_eigenvector.svg");
    figures::loss_along(&args.out.join(file), what, lambda, &measured, &model)?;
    Ok(())
}
