//! # Train a network, then ask its Hessian what kind of point training found
//!
//! The main example of saddle, and a newcomer's first ten minutes. It
//! 1. trains an MLP by gradient descent on an embedded dataset or a CSV file
//!    (seed §1–2), with a progress bar;
//! 2. computes the full Hessian of the loss with respect to every parameter
//!    from Hessian-vector products (forward-over-reverse, 8 columns per
//!    sweep, across threads), with a progress bar over columns;
//! 3. measures its asymmetry (§3.2.1), eigendecomposes it (§3.2.3–3.2.5) and
//!    classifies the point: minimum, maximum, saddle, or degenerate, with the
//!    counts of negative, near-zero and positive eigenvalues;
//! 4. writes SVG plots: the loss curve, the eigenvalue spectrum, and the
//!    loss along the top and bottom eigenvectors.
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
use common::{line_plot, scatter_plot, Series};
use indicatif::{ProgressBar, ProgressStyle};
use plotters::style::RGBColor;
use saddle::curvature::{classify, CriticalPoint, Eigen, Tolerances};
use saddle::dual::HessianOptions;
use saddle::nn::{
    datasets, train, Activation, CsvOptions, Dataset, Header, Init, Mlp, Targets, TrainOptions,
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

fn bar(len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "  {what} [{{bar:40}}] {{pos}}/{{len}} {{msg}} ({{elapsed}})"
        ))
        .expect("a valid template")
        .progress_chars("=> "),
    );
    bar
}

fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let start = Instant::now();
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
    let mut net = Mlp::new(&sizes, act, Activation::Identity, init, args.seed)?;
    let p = net.num_params();
    std::fs::create_dir_all(&args.out)?;

    println!("saddle: the curvature of a trained network\n");
    println!(
        "data     {name}: {} samples, {} inputs, {} outputs",
        data.len(),
        data.input_dim(),
        data.output_dim()
    );
    println!("network  layers {sizes:?}, {act} hidden, identity output: {p} parameters");
    println!("loss     mean squared error; the Hessian will be {p}×{p}\n");

    // 1. Gradient descent, θ ← θ − η∇L.
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
    let history = train(&mut net, &data, &opts, |s| {
        if s.step % 50 == 0 {
            progress.set_position(s.step as u64);
            progress.set_message(format!("loss {:.3e}", s.loss));
        }
    })?;
    progress.finish_and_clear();
    let (loss, grad) = net.loss_and_gradient(&data)?;
    let gnorm = grad.iter().map(|g| g * g).sum::<f64>().sqrt();
    println!(
        "   loss {:.4e} → {loss:.4e}, final ‖∇L‖ = {gnorm:.3e}\n",
        history.loss[0]
    );

    // 2. The Hessian, column by column from HVPs.
    let threads = if args.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        args.threads
    };
    println!("2. The Hessian from {p} Hessian-vector products (8 per sweep, {threads} threads)");
    let t = Instant::now();
    let progress = bar(p as u64, "columns ");
    let done = AtomicUsize::new(0);
    let report = |cols: usize| {
        let now = done.fetch_add(cols, Ordering::Relaxed) + cols;
        progress.set_position(now as u64);
    };
    let h = net.hessian_with_progress(&data, HessianOptions { threads }, &report)?;
    progress.finish_and_clear();
    println!(
        "   done in {:.2?}; measured asymmetry max|Hᵢⱼ − Hⱼᵢ| = {:.2e} ({:.1e} relative)\n",
        t.elapsed(),
        h.asymmetry(),
        h.relative_asymmetry()
    );

    // 3. Spectrum and verdict.
    println!("3. Eigendecomposition H = QΛQᵀ");
    let t = Instant::now();
    let spinner = ProgressBar::new_spinner();
    spinner.set_message("symmetric eigensolver (faer)…");
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let e = Eigen::of(&h)?;
    spinner.finish_and_clear();
    println!(
        "   done in {:.2?}; max |QᵀQ − I| = {:.1e}",
        t.elapsed(),
        e.orthonormality_error()
    );
    // Gradient descent never reaches ‖∇L‖ = 0 exactly: call the point
    // critical (to the eye of a second-order test) below 1e-3.
    let tol = Tolerances {
        gradient: 1e-3,
        ..Tolerances::default()
    };
    let verdict = classify(&grad, &e, &tol)?;
    println!("   λmin = {:.6e}, λmax = {:.6e}", e.min(), e.max());
    println!(
        "   {} negative, {} near zero (|λ| ≤ {:.1e}), {} positive",
        verdict.inertia.negative,
        verdict.inertia.zero,
        verdict.zero_threshold,
        verdict.inertia.positive
    );
    let words = match verdict.kind {
        CriticalPoint::Minimum => "a strict local minimum: every direction curves up",
        CriticalPoint::Maximum => "a strict local maximum",
        CriticalPoint::Saddle => "a saddle point: some directions still curve down, so the loss can fall further",
        CriticalPoint::Degenerate => {
            "degenerate: no direction curves down, but some are flat, so the second-order test is inconclusive"
        }
        CriticalPoint::NotCritical => "not yet a critical point (‖∇L‖ is above the 1e-3 threshold): train longer",
    };
    println!("   verdict: {words}");
    println!(
        "   (the Hessian is {:?}; condition number {:.2e})\n",
        verdict.definiteness, verdict.condition_number
    );

    // 4. Plots.
    println!("4. Plots");
    let blue = RGBColor(31, 119, 180);
    let red = RGBColor(214, 39, 40);
    let loss_points = history
        .loss
        .iter()
        .enumerate()
        .map(|(i, &l)| (i as f64, l))
        .collect();
    line_plot(
        &args.out.join("loss.svg"),
        "Training loss (gradient descent)",
        "step",
        "MSE",
        &[Series {
            name: "loss",
            points: loss_points,
            color: blue,
        }],
        true,
    );
    let spectrum = e
        .values()
        .iter()
        .enumerate()
        .map(|(i, &l)| (i as f64, l))
        .collect();
    scatter_plot(
        &args.out.join("spectrum.svg"),
        "Hessian eigenvalues, ascending",
        "index",
        "eigenvalue",
        &[Series {
            name: "λᵢ",
            points: spectrum,
            color: blue,
        }],
    );
    let symlog = |l: f64| l.signum() * (1.0 + l.abs() / verdict.zero_threshold.max(1e-300)).log10();
    let spectrum_symlog = e
        .values()
        .iter()
        .enumerate()
        .map(|(i, &l)| (i as f64, symlog(l)))
        .collect();
    scatter_plot(
        &args.out.join("spectrum_symlog.svg"),
        "Hessian eigenvalues, sign · log10(1 + |λ|/threshold)",
        "index",
        "signed log magnitude",
        &[Series {
            name: "λᵢ",
            points: spectrum_symlog,
            color: blue,
        }],
    );
    // L(θ + t v) − L(θ) against its second-order Taylor model
    // (gᵀv) t + ½ λ t². The range is twice the largest |t| (found by
    // doubling) at which the model is still within 25% of the truth, so the
    // plot shows both where the quadratic form describes the loss and where
    // higher-order terms take over.
    let along = |i: usize, file: &str, what: &str| -> Result<(), Box<dyn std::error::Error>> {
        let (v, lambda) = (e.vector(i), e.values()[i]);
        let slope: f64 = grad.iter().zip(v).map(|(a, b)| a * b).sum();
        let delta = |t: f64| -> Result<f64, Box<dyn std::error::Error>> {
            let mut probe = net.clone();
            probe.set_params(
                &net.params()
                    .iter()
                    .zip(v)
                    .map(|(a, b)| a + t * b)
                    .collect::<Vec<_>>(),
            )?;
            Ok(probe.loss(&data)? - loss)
        };
        let model_at = |t: f64| slope * t + 0.5 * lambda * t * t;
        let mut t_good = 1e-6;
        while t_good < 4.0 {
            let t = 2.0 * t_good;
            let ok = [t, -t].iter().all(|&s| {
                let m = model_at(s);
                delta(s)
                    .map(|d| (d - m).abs() <= 0.25 * m.abs().max(1e-15))
                    .unwrap_or(false)
            });
            if !ok {
                break;
            }
            t_good = t;
        }
        let t_max = 2.0 * t_good;
        let (mut measured, mut model) = (Vec::new(), Vec::new());
        for k in -40..=40 {
            let t = t_max * k as f64 / 40.0;
            measured.push((t, delta(t)?));
            model.push((t, model_at(t)));
        }
        line_plot(
            &args.out.join(file),
            &format!("Loss along the {what} eigenvector (λ = {lambda:.3e})"),
            "t",
            "L(θ + t v) − L(θ)",
            &[
                Series {
                    name: "measured",
                    points: measured,
                    color: blue,
                },
                Series {
                    name: "quadratic model (gᵀv)t + ½λt²",
                    points: model,
                    color: red,
                },
            ],
            false,
        );
        Ok(())
    };
    along(p - 1, "loss_along_top_eigenvector.svg", "top")?;
    along(0, "loss_along_bottom_eigenvector.svg", "bottom")?;
    for f in [
        "loss.svg",
        "spectrum.svg",
        "spectrum_symlog.svg",
        "loss_along_top_eigenvector.svg",
        "loss_along_bottom_eigenvector.svg",
    ] {
        println!("   {}", args.out.join(f).display());
    }
    println!(
        "\nFinished in {:.2?}. The plots are in {}",
        start.elapsed(),
        args.out.display()
    );
    Ok(())
}
