//! # The forward pass, layer by layer (docs/theory.md §1)
//!
//! This shows you how an MLP turns one input into a prediction:
//! `z⁽ˡ⁾ = a⁽ˡ⁻¹⁾ W⁽ˡ⁾ + b⁽ˡ⁾` (§1), `a⁽ˡ⁾ = f(z⁽ˡ⁾)` (§1), repeated
//! from `a⁽⁰⁾ = x` to the last layer (§1), then the MSE loss (§2).
//! At the end it recomputes the loss with plain loops over the formulas
//! (no library code but `tanh`) and checks that both agree.
//!
//! Run it with:
//!
//! ```text
//! cargo run --release --example forward_pass
//! ```

use saddle::nn::{datasets, Activation, Activations, Init, Matrix, Mlp};

fn show(label: &str, m: &Matrix) {
    let row: Vec<String> = m.row(0).iter().map(|v| format!("{v:>9.5}")).collect();
    println!("    {label} = [{} ]", row.join(""));
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The data's seed differs from the network's: with the same seed the
    // first input would repeat the first row of W⁽¹⁾ (same random stream).
    let data = datasets::bowl(4, 11)?;
    let net = Mlp::new(
        &[2, 4, 3, 1],
        Activations::hidden_output(Activation::Tanh, Activation::Identity),
        Init::Xavier,
        3,
    )?;
    println!(
        "An MLP with layer sizes {:?}: tanh on hidden layers, identity on the output.",
        net.sizes()
    );
    println!("Row-vector convention: a sample is a row, W⁽ˡ⁾ is fan_in × fan_out.\n");

    let x = Matrix::new(1, 2, data.inputs().row(0).to_vec())?;
    println!(
        "a⁽⁰⁾ = x = [{:.5}, {:.5}]  (target ŷ = {:.5})\n",
        x.row(0)[0],
        x.row(0)[1],
        data.targets().get(0, 0)
    );
    let trace = net.forward_trace(&x)?;
    for (l, layer) in trace.iter().enumerate() {
        let (wr, br) = net.layer_ranges(l);
        let (fan_in, fan_out) = (net.sizes()[l], net.sizes()[l + 1]);
        println!(
            "layer {}: W⁽{}⁾ is {fan_in}×{fan_out}, b⁽{}⁾ has {fan_out} entries",
            l + 1,
            l + 1,
            l + 1
        );
        for r in 0..fan_in {
            let w: Vec<String> = net.params()[wr.clone()][r * fan_out..(r + 1) * fan_out]
                .iter()
                .map(|v| format!("{v:>9.5}"))
                .collect();
            println!("    W row {r}  [{} ]", w.join(""));
        }
        let b: Vec<String> = net.params()[br]
            .iter()
            .map(|v| format!("{v:>9.5}"))
            .collect();
        println!("    b      [{} ]", b.join(""));
        show(&format!("z⁽{}⁾ = a⁽{}⁾ W + b", l + 1, l), &layer.z);
        show(
            &format!("a⁽{}⁾ = {}(z)", l + 1, net.activations()[l]),
            &layer.a,
        );
        println!();
    }
    let y = trace.last().expect("layers").a.get(0, 0);
    let target = data.targets().get(0, 0);
    println!("The prediction is y = a⁽ᴸ⁾ = {y:.6}; the target is ŷ = {target:.6}.");
    println!(
        "Its squared error is (y − ŷ)² = {:.6}.",
        (y - target).powi(2)
    );
    let loss = net.loss(&data)?;
    println!(
        "Over the whole batch of {} samples, L = (1/n) Σ (yᵢ − ŷᵢ)² = {loss:.12} (§2).",
        data.len()
    );

    // The same loss by hand: loops over zⱼ = Σᵢ aᵢ Wᵢⱼ + bⱼ, a = f(z).
    let by_hand = loss_by_hand(&net, &data);
    let diff = (by_hand - loss).abs();
    println!("Recomputed with plain loops over the formulas:        L = {by_hand:.12}");
    // Both sum the same O(1) terms in different orders: rounding differs
    // by a few ulps (≈ 1e-16 relative), far below 1e-12.
    if diff > 1e-12 * loss.abs().max(1.0) {
        return Err(format!("the two computations disagree: |Δ| = {diff:.3e}").into());
    }
    println!("They agree to |Δ| = {diff:.1e}.");
    Ok(())
}

/// `(1/n) Σ (y − ŷ)²` with the network's weights read from the flat
/// parameter vector and the forward pass written out as loops.
// Index loops on purpose: they read like the formula zⱼ = Σᵢ aᵢ Wᵢⱼ + bⱼ.
#[allow(clippy::needless_range_loop)]
fn loss_by_hand(net: &Mlp, data: &saddle::nn::Dataset) -> f64 {
    let sizes = net.sizes();
    let layers = sizes.len() - 1;
    let mut total = 0.0;
    for s in 0..data.len() {
        let mut a: Vec<f64> = data.inputs().row(s).to_vec();
        for l in 0..layers {
            let (wr, br) = net.layer_ranges(l);
            let (w, b) = (&net.params()[wr], &net.params()[br]);
            let (fan_in, fan_out) = (sizes[l], sizes[l + 1]);
            let mut z = vec![0.0; fan_out];
            for j in 0..fan_out {
                z[j] = b[j];
                for i in 0..fan_in {
                    z[j] += a[i] * w[i * fan_out + j];
                }
            }
            let hidden = l + 1 < layers;
            a = z
                .iter()
                .map(|&v| if hidden { v.tanh() } else { v })
                .collect();
        }
        for (k, y) in a.iter().enumerate() {
            total += (y - data.targets().get(s, k)).powi(2);
        }
    }
    total / (data.len() * data.output_dim()) as f64
}
