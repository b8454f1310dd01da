//! # The spectral theorem on a trained network (docs/theory.md §8)
//!
//! This shows you, on the Hessian of a real training loss:
//! - the eigenvalues are real and the eigenvectors orthonormal (`QᵀQ = I`),
//!   and `H = QΛQᵀ` rebuilds the matrix (§8);
//! - the quadratic form rebuilt from the spectrum, `Q(x) = Σ λᵢ (vᵢᵀx)²`,
//!   with no cross terms (§8);
//! - what kind of point training ended at: minimum, saddle or degenerate.
//!
//! Run it with:
//!
//! ```text
//! cargo run --release --example spectral_theorem
//! ```

use saddle::curvature::{
    classify, damped_newton, quadratic_form, Eigen, Objective, Options, Tolerances, GRADIENT_TOL,
};
use saddle::dual::HessianOptions;
use saddle::nn::{datasets, train, Activation, Activations, Init, Mlp, TrainOptions};
use saddle::objectives::NetworkLoss;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let data = datasets::bowl(64, 2)?;
    let mut net = Mlp::new(
        &[2, 4, 1],
        Activations::hidden_output(Activation::Tanh, Activation::Identity),
        Init::Xavier,
        2,
    )?;
    let n = net.num_params();
    println!(
        "Fitting y = x₁² + x₂² with an MLP {:?} ({n} parameters, tanh).",
        net.sizes()
    );
    let opts = TrainOptions {
        learning_rate: 0.05,
        epochs: 3000,
        ..TrainOptions::default()
    };
    let h = train(&mut net, &data, &opts, |_| {})?;
    println!(
        "Gradient descent, {} steps: loss {:.3e}, ‖∇L‖ {:.3e}.",
        h.loss.len(),
        net.loss(&data)?,
        h.grad_norm.last().unwrap()
    );

    // Gradient descent slows to a crawl near the bottom; Newton finishes.
    let loss = NetworkLoss::new(&net, &data, HessianOptions::default());
    let newton = damped_newton(
        &loss,
        net.params(),
        &Options {
            gradient_tol: 1e-10,
            max_iter: 300,
            ..Options::default()
        },
        1e-3,
    )?;
    net.set_params(&newton.x)?;
    println!(
        "Damped Newton, {} more steps: loss {:.6e}, ‖∇L‖ {:.3e} ({:?}).\n",
        newton.history.len(),
        newton.value,
        newton.grad_norm,
        newton.stop
    );

    let hess = loss.hessian(&newton.x)?;
    println!(
        "The Hessian ({n}×{n}) has measured asymmetry {:.1e} (docs/theory.md §6).",
        hess.asymmetry()
    );
    let e = Eigen::of(&hess)?;
    println!("\nIts {n} eigenvalues, all real (§8), ascending:");
    for chunk in e.values().chunks(6) {
        let row: Vec<String> = chunk.iter().map(|v| format!("{v:>12.4e}")).collect();
        println!("  {}", row.join(""));
    }
    println!(
        "\nOrthonormal eigenvectors (§8): max |QᵀQ − I| = {:.1e}",
        e.orthonormality_error()
    );
    println!(
        "The decomposition rebuilds H:      max |H − QΛQᵀ| = {:.1e}",
        e.reconstruction_error(&hess)?
    );

    // §8: Q(x) in the eigenbasis has no cross terms.
    let x: Vec<f64> = (0..n).map(|i| (1.7 * i as f64 + 0.3).sin()).collect();
    let c = e.contributions(&x)?;
    println!("\nFor a direction x, Q(x) = xᵀHx = Σᵢ λᵢ (vᵢᵀx)². The largest terms:");
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| {
        (e.values()[b] * c[b])
            .abs()
            .total_cmp(&(e.values()[a] * c[a]).abs())
    });
    println!(
        "  {:>4} {:>13} {:>13} {:>13}",
        "i", "λᵢ", "(vᵢᵀx)²", "λᵢ(vᵢᵀx)²"
    );
    for &i in order.iter().take(5) {
        println!(
            "  {i:>4} {:>13.5e} {:>13.5e} {:>13.5e}",
            e.values()[i],
            c[i],
            e.values()[i] * c[i]
        );
    }
    println!(
        "  Σ over all {n} terms:          {:>13.10}",
        e.quadratic_form(&x)?
    );
    println!(
        "  xᵀHx from the entries:        {:>13.10}",
        quadratic_form(&hess, &x)?
    );

    let verdict = classify(
        &loss.value_gradient(&newton.x)?.gradient,
        &e,
        &Tolerances::default(),
        GRADIENT_TOL,
    )?;
    println!("\nThe trained network sits at {verdict}");
    if verdict.inertia.zero > 0 {
        println!(
            "\nZero eigenvalues are flat directions: moving the parameters along them leaves the"
        );
        println!(
            "loss unchanged to second order. Networks have many (hidden units can trade weight"
        );
        println!("between them), which is why the three-way test is not the whole story, and");
        println!(
            "why Newton's method slows down here: it has nothing to divide by in those directions."
        );
    }
    Ok(())
}
