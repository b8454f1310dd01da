//! # The forward pass, layer by layer (seed §1.2)
//!
//! This shows you how an MLP turns one input into a prediction:
//! `z⁽ˡ⁾ = a⁽ˡ⁻¹⁾ W⁽ˡ⁾ + b⁽ˡ⁾` (§1.2.1), `a⁽ˡ⁾ = f(z⁽ˡ⁾)` (§1.2.2), repeated
//! from `a⁽⁰⁾ = x` to the last layer (§1.2.3), then the MSE loss (§1.2.4).
//!
//! Run it with:
//!
//! ```text
//! cargo run --release --example forward_pass
//! ```

use saddle::nn::{datasets, Activation, Init, Matrix, Mlp};

fn show(label: &str, m: &Matrix) {
    let row: Vec<String> = m.row(0).iter().map(|v| format!("{v:>9.5}")).collect();
    println!("    {label} = [{} ]", row.join(""));
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let data = datasets::bowl(4, 3)?;
    let net = Mlp::new(
        &[2, 4, 3, 1],
        Activation::Tanh,
        Activation::Identity,
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
        "a⁽⁰⁾ = x = {:?}  (target ŷ = {:.5})\n",
        x.row(0),
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
    println!(
        "Over the whole batch of {} samples, L = (1/n) Σ (yᵢ − ŷᵢ)² = {:.6} (§1.2.4).",
        data.len(),
        net.loss(&data)?
    );
    Ok(())
}
