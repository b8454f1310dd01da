//! # Gradient descent on a noisy sine (docs/theory.md §3)
//!
//! This shows you training as docs/theory.md writes it, `θ ← θ − η ∇L(θ)`, with
//! the gradient from one reverse sweep per step, and draws the loss curve.
//!
//! Run it with (`--out DIR` chooses the output folder, default
//! `target/saddle-examples/gradient_descent`):
//!
//! ```text
//! cargo run --release --example gradient_descent
//! cargo run --release --example gradient_descent -- --out figures
//! ```

#[path = "common/mod.rs"]
mod common;

use common::{figures, output_dir};
use saddle::nn::{datasets, train, Activation, Activations, Init, Matrix, Mlp, TrainOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = output_dir("gradient_descent");
    let data = datasets::noisy_sine(200, 0.1, 42)?;
    let mut net = Mlp::new(
        &[1, 8, 1],
        Activations::hidden_output(Activation::Tanh, Activation::Identity),
        Init::Xavier,
        42,
    )?;
    let opts = TrainOptions {
        learning_rate: 0.1,
        epochs: 2000,
        batch_size: None,
        seed: 1,
    };
    println!(
        "Training {:?} on {} samples of y = sin x + noise (σ = 0.1),",
        net.sizes(),
        data.len()
    );
    println!(
        "full-batch gradient descent, η = {}, {} steps.\n",
        opts.learning_rate, opts.epochs
    );

    let history = train(&mut net, &data, &opts, |s| {
        if s.step % 250 == 0 || s.step + 1 == s.total_steps {
            println!(
                "  step {:>5}/{}  loss {:.6}  ‖∇L‖ {:.3e}",
                s.step + 1,
                s.total_steps,
                s.loss,
                s.grad_norm
            );
        }
    })?;
    let final_loss = net.loss(&data)?;
    println!(
        "\nThe loss fell from {:.4} to {final_loss:.4}; the noise alone costs about 0.0100.",
        history.loss[0]
    );

    let loss_svg = out.join("loss.svg");
    figures::loss_curve(
        &loss_svg,
        "Gradient descent on the noisy sine, η = 0.1",
        &history.loss,
    )?;

    let grid: Vec<f64> = (0..200).map(|i| -3.2 + 6.4 * i as f64 / 199.0).collect();
    let fit = net.forward(&Matrix::column(grid.clone())?)?;
    let fit_svg = out.join("fit.svg");
    let samples: Vec<(f64, f64)> = (0..data.len())
        .map(|i| (data.inputs().get(i, 0), data.targets().get(i, 0)))
        .collect();
    let curve: Vec<(f64, f64)> = grid
        .iter()
        .zip(fit.as_slice())
        .map(|(&x, &y)| (x, y))
        .collect();
    figures::fit(&fit_svg, "Data and the trained network", &samples, &curve)?;
    println!("Plots: {} and {}", loss_svg.display(), fit_svg.display());
    Ok(())
}
