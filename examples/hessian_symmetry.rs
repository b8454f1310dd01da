//! # The Hessian is symmetric (docs/theory.md §6)
//!
//! This shows you Clairaut's theorem measured on a neural network: the
//! mixed partials `∂²L/∂θᵢ∂θⱼ` and `∂²L/∂θⱼ∂θᵢ` come from *different*
//! reverse sweeps (column `j` of the Hessian is the HVP `H eⱼ`), yet agree
//! to rounding.
//!
//! Run it with:
//!
//! ```text
//! cargo run --release --example hessian_symmetry
//! ```

use saddle::dual::HessianOptions;
use saddle::nn::{datasets, Activation, Activations, Init, Mlp};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let data = datasets::noisy_sine(64, 0.1, 11)?;
    let net = Mlp::new(
        &[1, 12, 12, 1],
        Activations::hidden_output(Activation::Tanh, Activation::Identity),
        Init::Xavier,
        11,
    )?;
    let n = net.num_params();
    println!(
        "An MLP {:?} with {n} parameters, MSE loss on {} samples.",
        net.sizes(),
        data.len()
    );
    let h = net.hessian(&data, HessianOptions::default())?;
    println!(
        "Its Hessian is {n}×{n}: {} columns, each one Hessian-vector product H eⱼ.\n",
        n
    );

    let mut worst = (0.0_f64, 0, 0);
    let mut biggest = 0.0_f64;
    let mut exact_pairs = 0;
    for j in 0..n {
        for i in 0..j {
            let d = (h.get(i, j) - h.get(j, i)).abs();
            if d == 0.0 {
                exact_pairs += 1;
            }
            if d > worst.0 {
                worst = (d, i, j);
            }
        }
        biggest = biggest.max(h.column(j).iter().fold(0.0_f64, |m, v| m.max(v.abs())));
    }
    let pairs = n * (n - 1) / 2;
    println!("Of the {pairs} pairs (Hᵢⱼ, Hⱼᵢ), {exact_pairs} agree bit for bit.");
    let (d, i, j) = worst;
    println!("The largest disagreement is at (i, j) = ({i}, {j}):");
    println!("  H[{i}][{j}] = {:+.17e}", h.get(i, j));
    println!("  H[{j}][{i}] = {:+.17e}", h.get(j, i));
    println!(
        "  |difference| = {d:.3e}, relative to max|H| = {biggest:.3e}: {:.3e}",
        d / biggest
    );
    println!("\nThat is rounding: f64 carries about 16 digits, and the two entries were summed in");
    println!("different orders. Clairaut's theorem (Hᵢⱼ = Hⱼᵢ for a C² loss) holds as exactly as");
    println!(
        "floating point allows, which is why symmetric eigensolvers apply (docs/theory.md §8)."
    );
    Ok(())
}
