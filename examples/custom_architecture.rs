//! # Your own architecture at block speed: a residual block
//!
//! `Mlp` is one architecture. This example shows how to write another one,
//! here a residual block `y = a + tanh(a W₁ + b₁) W₂` trained with the mean
//! squared error, using the tape's *block operations* (`matmul`, `add_row`,
//! `tanh`, `add`, `sub`, `square`, `mean`) so that each matrix operation is
//! one tape entry instead of thousands of scalar ones. The loss is written
//! once, generic over the tape's number type `T: Scalar`, and saddle's
//! drivers then give its gradient, a Hessian-vector product and the full
//! Hessian. Everything is checked against the same function written as
//! plain scalar code, and both routes are timed.
//!
//! Run it with:
//!
//! ```text
//! cargo run --release --example custom_architecture
//! ```
//!
//! The model is in `examples/common/residual.rs` (`loss_blocks` and
//! `loss_scalar`), shared with `tests/custom_architecture.rs`.

#[path = "common/residual.rs"]
mod residual;

use std::time::Instant;

use residual::Residual;
use saddle::dual::{gradient, hessian, hvp, Gradient, Hessian};

/// `max |a − b| / max |b|`: a normwise relative difference.
fn relative(a: &[f64], b: &[f64]) -> f64 {
    let scale = b.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let diff = a
        .iter()
        .zip(b)
        .fold(0.0f64, |m, (x, y)| m.max((x - y).abs()));
    diff / scale
}

/// Seconds per call of `f`, best of `repeats` (informational only).
fn time<R>(repeats: usize, mut f: impl FnMut() -> R) -> f64 {
    (0..repeats)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let model = Residual::sample(64, 4, 8);
    let theta = model.params();
    println!(
        "Residual block y = a + tanh(a W1 + b1) W2 on {} samples of dimension {}, hidden width {}: {} parameters.",
        model.n,
        model.d,
        model.h,
        theta.len()
    );

    // The same generic functions go to every driver.
    let Gradient {
        value: loss,
        gradient: g_block,
    } = gradient(|t| model.loss_blocks(t), &theta)?;
    let Gradient {
        value: loss_s,
        gradient: g_scalar,
    } = gradient(|t| model.loss_scalar(t), &theta)?;
    println!("Loss: {loss:.12} with block operations, {loss_s:.12} as scalar code.");
    println!(
        "Gradient: the two routes differ by {:.1e} (relative to its largest entry).",
        relative(&g_block, &g_scalar)
    );

    let v: Vec<f64> = (0..theta.len()).map(|k| (k as f64).cos()).collect();
    let hv_block = hvp(|t| model.loss_blocks(t), &theta, &v)?.hv;
    let hv_scalar = hvp(|t| model.loss_scalar(t), &theta, &v)?.hv;
    println!(
        "Hessian-vector product H v: the routes differ by {:.1e}.",
        relative(&hv_block, &hv_scalar)
    );

    let h_block: Hessian = hessian(|t| model.loss_blocks(t), &theta)?;
    let h_scalar: Hessian = hessian(|t| model.loss_scalar(t), &theta)?;
    println!(
        "Full {n}×{n} Hessian: the routes differ by {:.1e}; its asymmetry |H − Hᵀ| is {:.1e}.",
        relative(h_block.as_column_major(), h_scalar.as_column_major()),
        h_block.asymmetry(),
        n = h_block.n()
    );
    println!("(Differences near 1e-15 are rounding: the two routes add the same terms in a different order.)");

    let t_block = time(5, || hessian(|t| model.loss_blocks(t), &theta));
    let t_scalar = time(5, || hessian(|t| model.loss_scalar(t), &theta));
    println!(
        "Time for the full Hessian (best of 5): {:.2} ms with blocks, {:.2} ms as scalar code, {:.1}x faster with blocks.",
        1e3 * t_block,
        1e3 * t_scalar,
        t_scalar / t_block
    );
    println!("(Timings depend on the machine and its load; they are for orientation only.)");
    Ok(())
}
