//! # Gradient descent on a noisy sine (seed §2.1)
//!
//! This shows you training as the seed writes it, `θ ← θ − η ∇L(θ)`, with
//! the gradient from one reverse sweep per step, and draws the loss curve.
//!
//! Run it with (the optional argument is the output folder):
//!
//! ```text
//! cargo run --release --example gradient_descent [OUT_DIR]
//! ```

#[path = "common/mod.rs"]
mod common;

use common::{line_plot, output_dir, scatter_plot, Series};
use plotters::style::RGBColor;
use saddle::nn::{datasets, train, Activation, Init, Matrix, Mlp, TrainOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = output_dir("gradient_descent");
    let data = datasets::noisy_sine(200, 0.1, 42)?;
    let mut net = Mlp::new(
        &[1, 8, 1],
        Activation::Tanh,
        Activation::Identity,
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

    let curve: Vec<(f64, f64)> = history
        .loss
        .iter()
        .enumerate()
        .map(|(i, &l)| (i as f64, l))
        .collect();
    let loss_svg = out.join("loss.svg");
    line_plot(
        &loss_svg,
        "Gradient descent on the noisy sine",
        "step",
        "MSE loss",
        &[Series {
            name: "training loss",
            points: curve,
            color: RGBColor(31, 119, 180),
        }],
        true,
    );

    let grid: Vec<f64> = (0..200).map(|i| -3.2 + 6.4 * i as f64 / 199.0).collect();
    let fit = net.forward(&Matrix::column(grid.clone())?)?;
    let fit_svg = out.join("fit.svg");
    scatter_plot(
        &fit_svg,
        "Data and the trained network",
        "x",
        "y",
        &[
            Series {
                name: "data",
                points: (0..data.len())
                    .map(|i| (data.inputs().get(i, 0), data.targets().get(i, 0)))
                    .collect(),
                color: RGBColor(150, 150, 150),
            },
            Series {
                name: "network",
                points: grid
                    .iter()
                    .zip(fit.as_slice())
                    .map(|(&x, &y)| (x, y))
                    .collect(),
                color: RGBColor(214, 39, 40),
            },
        ],
    );
    println!("Plots: {} and {}", loss_svg.display(), fit_svg.display());
    Ok(())
}
