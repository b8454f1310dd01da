//! # Sharpness during training: why the loss curve spikes
//!
//! Gradient descent `θ ← θ − η∇L` on a quadratic with curvature `λ`
//! multiplies the error along that direction by `1 − ηλ`: it converges
//! while `λ < 2/η` and blows up beyond. On a network the curvature changes
//! as it trains; full-batch gradient descent tends to raise the largest
//! Hessian eigenvalue `λmax` ("sharpness") until it reaches about `2/η`,
//! the *edge of stability*. There the loss stops falling smoothly: it
//! spikes, the spike flattens the network a little, and descent resumes.
//!
//! This example trains `analyze_mlp`'s default network twice (η = 0.02,
//! 2/η = 100, and a smaller η for contrast) and measures `λmax` every
//! `--every` steps by Lanczos on exact Hessian-vector products
//! (`saddle::sharpness`). It prints the cost of that tracking and writes
//! `sharpness.svg`: the two loss curves beside `λmax` and `2/η`.
//!
//! ```text
//! cargo run --release --example sharpness
//! cargo run --release --example sharpness -- --every 100 --out figures
//! ```

#[path = "common/mod.rs"]
mod common;

use std::path::PathBuf;

use clap::Parser;
use common::figures::{self, SharpnessRun};
use common::net::{bar, sine_problem};
use saddle::nn::TrainOptions;
use saddle::sharpness::{train_tracking_sharpness, SharpnessOptions};

/// Train analyze_mlp's default network at two learning rates and track the
/// largest Hessian eigenvalue against 2/η.
#[derive(Parser, Debug)]
#[command(about = "Track λmax of the Hessian during gradient descent, against 2/η.")]
struct Args {
    /// Gradient-descent steps per run (full batch).
    #[arg(long, default_value_t = 40000)]
    epochs: usize,
    /// The learning rate of analyze_mlp's default run.
    #[arg(long, default_value_t = 0.02)]
    lr: f64,
    /// A smaller learning rate, for contrast.
    #[arg(long, default_value_t = 0.005)]
    small_lr: f64,
    /// Measure λmax every this many steps.
    #[arg(long, default_value_t = 200)]
    every: usize,
    /// Lanczos steps (Hessian-vector products) per measurement.
    #[arg(long, default_value_t = 20)]
    lanczos: usize,
    /// Output folder for the figure.
    #[arg(long, default_value = "target/saddle-examples/sharpness")]
    out: PathBuf,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    std::fs::create_dir_all(&args.out)?;
    println!("Sharpness λmax(∇²L) during full-batch gradient descent");
    println!("network: analyze_mlp's default, [1, 24, 24, 1] tanh on 200 noisy-sine samples\n");
    let mut runs = vec![];
    for eta in [args.lr, args.small_lr] {
        runs.push(one_run(&args, eta)?);
    }
    let path = args.out.join("sharpness.svg");
    figures::sharpness(&path, &runs)?;
    println!("Figure: {}", path.display());
    Ok(())
}

/// One training run at step size `eta`, with λmax tracked, summarised.
fn one_run(args: &Args, eta: f64) -> Result<SharpnessRun, Box<dyn std::error::Error>> {
    let (data, mut net) = sine_problem(&[24, 24], 1)?;
    let opts = TrainOptions {
        learning_rate: eta,
        epochs: args.epochs,
        batch_size: None,
        seed: 1,
    };
    let sharp = SharpnessOptions {
        every: args.every,
        lanczos_steps: args.lanczos,
        seed: 1,
    };
    println!(
        "η = {eta}: stability limit 2/η = {}; λmax every {} steps from {} HVPs (Lanczos)",
        2.0 / eta,
        args.every,
        args.lanczos
    );
    let progress = bar(args.epochs as u64, "training");
    let r = train_tracking_sharpness(&mut net, &data, &opts, &sharp, |s| {
        if s.step % 100 == 0 {
            progress.set_position(s.step as u64);
            progress.set_message(format!("loss {:.3e}", s.loss));
        }
    })?;
    progress.finish_and_clear();
    let loss = &r.history.loss;
    let peak = r
        .sharpness
        .iter()
        .fold(f64::NEG_INFINITY, |m, s| m.max(s.lambda_max));
    let last = r.sharpness.last().expect("measured at the end");
    // The largest spike: the loss against its best value so far.
    let mut best = f64::INFINITY;
    let (mut spike, mut spike_at) = (1.0, 0);
    for (i, &l) in loss.iter().enumerate() {
        if l / best > spike {
            (spike, spike_at) = (l / best, i);
        }
        best = best.min(l);
    }
    println!("   loss {:.3e} → {:.3e}", loss[0], loss[loss.len() - 1]);
    if spike > 1.01 {
        println!("   largest spike: the loss rose to ×{spike:.2} its best value so far, at step {spike_at}");
    } else {
        println!("   the loss never rose more than 1% above its best value so far: no spikes");
    }
    let residual = if last.residual == 0.0 {
        "0: converged to rounding".to_string()
    } else {
        format!("{:.1e}", last.residual)
    };
    println!(
        "   λmax: {:.2} at the start, peak {peak:.2} ({:.0}% of 2/η), {:.2} at the end (Lanczos residual {residual})",
        r.sharpness[0].lambda_max,
        100.0 * peak * eta / 2.0,
        last.lambda_max
    );
    println!(
        "   tracking cost: {} measurements, {} HVPs, {:.1?} of {:.1?} ({:.0}% of the run)\n",
        r.sharpness.len(),
        r.hvps,
        r.tracking_time,
        r.total_time,
        100.0 * r.tracking_fraction()
    );
    Ok(SharpnessRun {
        eta,
        loss: r.history.loss,
        lambda_max: r
            .sharpness
            .iter()
            .map(|s| (s.step as f64, s.lambda_max))
            .collect(),
    })
}
