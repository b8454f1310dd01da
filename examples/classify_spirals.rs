//! # A classifier, and the Gauss-Newton split of its Hessian
//!
//! This shows you a network trained with softmax cross-entropy on three
//! interleaved spirals (loss and accuracy as it learns), and then what its
//! Hessian is made of. For a loss `ℓ(z)` of the network's outputs `z(θ)`,
//!
//! ```text
//! H = Jᵀ H_z J + Σᵢ (∂ℓ/∂zᵢ) ∇²zᵢ = G + R
//! ```
//!
//! `G` (the Gauss-Newton matrix) is positive semidefinite whenever the loss
//! is convex in the outputs, as cross-entropy is; every negative eigenvalue
//! of `H` comes from `R`, the part weighted by the residuals.
//!
//! Run it with:
//!
//! ```text
//! cargo run --release --example classify_spirals
//! ```

use indicatif::{ProgressBar, ProgressStyle};
use saddle::curvature::{gauss_newton_split, Eigen, Tolerances};
use saddle::dual::{Gradient, HessianOptions};
use saddle::nn::{
    datasets, train_with, Activation, Activations, Init, Mlp, SoftmaxCrossEntropy, TrainOptions,
};

fn main() -> Result<(), saddle::Error> {
    // 1. Data and network.
    let data = datasets::spirals(60, 3, 0.1, 7)?;
    let mut net = Mlp::new(
        &[2, 16, 16, 3],
        Activations::hidden_output(Activation::Tanh, Activation::Identity),
        Init::Xavier,
        7,
    )?;
    let loss = SoftmaxCrossEntropy;
    println!(
        "Three spirals, {} points; network {:?} ({} parameters), softmax cross-entropy on the logits.",
        data.len(),
        net.sizes(),
        net.num_params()
    );
    let l0 = net.loss_and_gradient_with(&data, &loss)?.value;
    println!(
        "Before training: loss {l0:.4} (ln 3 = {:.4} is a uniform guess).\n",
        3f64.ln()
    );

    // 2. Training by full-batch gradient descent, with progress.
    let options = TrainOptions {
        learning_rate: 0.5,
        epochs: 4000,
        batch_size: None,
        seed: 1,
    };
    println!(
        "1. Gradient descent, η = {}, {} steps",
        options.learning_rate, options.epochs
    );
    let bar = ProgressBar::new(options.epochs as u64);
    bar.set_style(
        ProgressStyle::with_template("   {bar:40} {pos}/{len} steps  {msg}")
            .expect("a valid template"),
    );
    let history = train_with(&mut net, &data, &loss, &options, |s| {
        bar.inc(1);
        if s.step % 200 == 0 {
            let acc = s.accuracy.unwrap_or(f64::NAN);
            bar.set_message(format!("loss {:.4}, accuracy {:.1} %", s.loss, 100.0 * acc));
        }
    })?;
    bar.finish_and_clear();
    for k in [0, 500, 1000, 2000, options.epochs - 1] {
        println!(
            "   step {k:>5}: loss {:.4}, accuracy {:5.1} %",
            history.loss[k],
            100.0 * history.accuracy[k]
        );
    }
    let Gradient {
        value: l,
        gradient: g,
    } = net.loss_and_gradient_with(&data, &loss)?;
    let gnorm = g.iter().map(|x| x * x).sum::<f64>().sqrt();
    println!("   after training: loss {l:.4}, ‖∇L‖ = {gnorm:.2e}\n");

    // 3. H, G and R = H − G, each from exact second-order sweeps.
    println!("2. The Hessian and its Gauss-Newton part");
    let h = net.hessian_with(&data, &loss, HessianOptions::default(), &|_| {})?;
    let gn = net.gauss_newton_with(&data, &loss, HessianOptions::default())?;
    let split = gauss_newton_split(&h, &Eigen::of(&h)?, &gn, &Tolerances::default())?;
    let (i_h, i_g, i_r) = (split.inertia_h, split.inertia_g, split.inertia_r);
    println!(
        "   eigenvalues below −{:.1e} (one threshold from H's scale): H {}, G {}, R {} (of {})",
        split.threshold,
        i_h.negative,
        i_g.negative,
        i_r.negative,
        h.n()
    );
    println!(
        "   smallest: H {:.3e}, G {:.3e} (G is PSD to rounding: cross-entropy is convex in the logits), R {:.3e}",
        split.h[0], split.g[0], split.r[0]
    );
    println!("   five largest eigenvalues, H against G:");
    for (a, b) in split.top(5) {
        println!("     {a:>10.4e}   {b:>10.4e}   (G/H = {:.3})", b / a);
    }
    println!(
        "   ‖R‖_F / ‖H‖_F = {:.3}: {}",
        split.residual_share,
        if split.residual_share < 0.1 {
            "the Hessian is mostly its Gauss-Newton part, as near a good fit"
        } else {
            "the residual part is still a large share of the curvature"
        }
    );
    let neg = split.negative;
    if i_g.negative == 0 && neg.count > 0 {
        println!(
            "   H has {} negative eigenvalues (sum {:.3e}) and G none: along those eigenvectors u, Σ uᵀGu = {:+.3e} ≥ 0 and Σ uᵀRu = {:+.3e},",
            neg.count, neg.total, neg.from_g, neg.from_r
        );
        println!(
            "   and uᵀRu < 0 along {} of the {}: since H = G + R with G ⪰ 0, every direction of negative curvature of H is one where R is negative.",
            neg.r_negative, neg.count
        );
    }
    Ok(())
}
