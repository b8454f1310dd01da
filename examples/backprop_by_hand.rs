//! # Backpropagation by hand, next to the tape (docs/theory.md §4)
//!
//! This shows you the delta rules at work and that reverse-mode AD computes
//! exactly the same numbers:
//!
//! - `δ⁽ᴸ⁾ = ∂L/∂z⁽ᴸ⁾ = (2/n)(y − ŷ) ⊙ f'(z⁽ᴸ⁾)` (§4),
//! - `∂L/∂W⁽ˡ⁾ = (a⁽ˡ⁻¹⁾)ᵀ δ⁽ˡ⁾`, `∂L/∂b⁽ˡ⁾ = Σ over samples of δ⁽ˡ⁾` (§4),
//! - `δ⁽ˡ⁻¹⁾ = δ⁽ˡ⁾ (W⁽ˡ⁾)ᵀ ⊙ f'(z⁽ˡ⁻¹⁾)` (§4).
//!
//! Run it with:
//!
//! ```text
//! cargo run --release --example backprop_by_hand
//! ```

use saddle::dual::Gradient;
use saddle::nn::{datasets, delta_rules, Activation, Activations, Init, Mlp};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let data = datasets::noisy_sine(8, 0.1, 5)?;
    let net = Mlp::new(
        &[1, 3, 1],
        Activations::hidden_output(Activation::Tanh, Activation::Identity),
        Init::Xavier,
        5,
    )?;
    println!(
        "Network {:?} (tanh, identity), a batch of n = {} samples.\n",
        net.sizes(),
        data.len()
    );

    let hand = delta_rules::backprop(&net, &data)?;
    for (l, delta) in hand.deltas.iter().enumerate().rev() {
        println!("δ⁽{}⁾ = ∂L/∂z⁽{}⁾, one row per sample:", l + 1, l + 1);
        for i in 0..delta.rows() {
            let row: Vec<String> = delta.row(i).iter().map(|v| format!("{v:>11.6}")).collect();
            println!("    sample {i}: [{} ]", row.join(""));
        }
    }

    let Gradient {
        value: loss,
        gradient: tape,
    } = net.loss_and_gradient(&data)?;
    println!("\nThe gradient two ways (L = {loss:.6}):");
    println!(
        "  {:<10} {:>16} {:>16} {:>10}",
        "parameter", "delta rules", "tape (reverse)", "|diff|"
    );
    let mut worst = 0.0_f64;
    for l in 0..net.num_layers() {
        let (wr, br) = net.layer_ranges(l);
        let fan_out = net.sizes()[l + 1];
        for k in wr.clone().chain(br.clone()) {
            let name = if wr.contains(&k) {
                let q = k - wr.start;
                format!("W{}[{},{}]", l + 1, q / fan_out, q % fan_out)
            } else {
                format!("b{}[{}]", l + 1, k - br.start)
            };
            let diff = (hand.gradient[k] - tape[k]).abs();
            worst = worst.max(diff);
            println!(
                "  {name:<10} {:>16.12} {:>16.12} {diff:>10.1e}",
                hand.gradient[k], tape[k]
            );
        }
    }
    println!("\nLargest difference: {worst:.1e}. The tape recorded one `dense` block per layer");
    println!("and one `mse` block; its reverse sweep runs the same delta rules, generically.");
    Ok(())
}
