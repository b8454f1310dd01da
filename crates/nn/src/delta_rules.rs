//! Backpropagation by hand, with the delta rules (docs/theory.md §4) — an
//! implementation independent of the tape, kept for teaching and as a test
//! oracle. It uses plain loops, not the gemm hook.
//!
//! With `N` samples and `m` outputs, `L = (1/(N m)) Σ (a⁽ᴸ⁾ − Y)²`:
//!
//! 1. forward: `z⁽ˡ⁾ = a⁽ˡ⁻¹⁾ W⁽ˡ⁾ + b⁽ˡ⁾`, `a⁽ˡ⁾ = f(z⁽ˡ⁾)`;
//! 2. output delta: `δ⁽ᴸ⁾ = (2/(N m)) (a⁽ᴸ⁾ − Y) ⊙ f'(z⁽ᴸ⁾)`;
//! 3. gradients: `∂L/∂W⁽ˡ⁾ = (a⁽ˡ⁻¹⁾)ᵀ δ⁽ˡ⁾` and `∂L/∂b⁽ˡ⁾` = the column
//!    sums of `δ⁽ˡ⁾` (the batch sums over samples);
//! 4. delta to the previous layer: `δ⁽ˡ⁻¹⁾ = (δ⁽ˡ⁾ (W⁽ˡ⁾)ᵀ) ⊙ f'(z⁽ˡ⁻¹⁾)`.

use saddle_dual::Gradient;

use crate::data::Dataset;
use crate::error::Error;
use crate::matrix::Matrix;
use crate::mlp::Mlp;

/// Everything one backward pass by hand computes.
#[derive(Clone, Debug, PartialEq)]
pub struct Backprop {
    /// The loss `L`.
    pub loss: f64,
    /// `∇L` in the flat parameter order of [`Mlp`].
    pub gradient: Vec<f64>,
    /// `δ⁽ˡ⁾ = ∂L/∂z⁽ˡ⁾` for every layer `l = 1..L` (index `l − 1`),
    /// `N × fan_out`.
    pub deltas: Vec<Matrix>,
}

/// `L` and `∇L` by the delta rules, in the flat parameter order of
/// [`Mlp`], as a [`Gradient`] (`value` is `L`).
///
/// # Errors
/// If the data does not fit the network.
pub fn loss_and_gradient(net: &Mlp, data: &Dataset) -> Result<Gradient, Error> {
    let b = backprop(net, data)?;
    Ok(Gradient {
        value: b.loss,
        gradient: b.gradient,
    })
}

/// The backward pass by hand, keeping every layer's delta.
///
/// # Errors
/// If the data does not fit the network.
pub fn backprop(net: &Mlp, data: &Dataset) -> Result<Backprop, Error> {
    let trace = net.forward_trace(data.inputs())?;
    let loss = net.loss(data)?;
    let n = data.len();
    let sizes = net.sizes();
    let layers = net.num_layers();
    let out = sizes[layers];
    let y = data.targets();
    let last = &trace[layers - 1];
    // δ⁽ᴸ⁾ = (2/(N m)) (a⁽ᴸ⁾ − Y) ⊙ f'(z⁽ᴸ⁾)
    let scale = 2.0 / (n * out) as f64;
    let act = net.activations();
    let mut delta: Vec<f64> = (0..n * out)
        .map(|k| {
            let (i, j) = (k / out, k % out);
            scale * (last.a.get(i, j) - y.get(i, j)) * act[layers - 1].derivative(last.z.get(i, j))
        })
        .collect();
    let mut grad = vec![0.0; net.num_params()];
    let mut deltas = vec![Matrix::new(1, 1, vec![0.0])?; layers];
    for l in (0..layers).rev() {
        deltas[l] = Matrix::new(n, sizes[l + 1], delta.clone())?;
        let (fan_in, fan_out) = (sizes[l], sizes[l + 1]);
        let a_prev = |i: usize, p: usize| {
            if l == 0 {
                data.inputs().get(i, p)
            } else {
                trace[l - 1].a.get(i, p)
            }
        };
        let (wr, br) = net.layer_ranges(l);
        // ∂L/∂W = (a⁽ˡ⁻¹⁾)ᵀ δ⁽ˡ⁾, ∂L/∂b = Σᵢ δ⁽ˡ⁾ᵢ
        for p in 0..fan_in {
            for j in 0..fan_out {
                grad[wr.start + p * fan_out + j] =
                    (0..n).map(|i| a_prev(i, p) * delta[i * fan_out + j]).sum();
            }
        }
        for j in 0..fan_out {
            grad[br.start + j] = (0..n).map(|i| delta[i * fan_out + j]).sum();
        }
        if l == 0 {
            break;
        }
        // δ⁽ˡ⁻¹⁾ = (δ⁽ˡ⁾ Wᵀ) ⊙ f'(z⁽ˡ⁻¹⁾)
        let w = &net.params()[wr];
        let z_prev = &trace[l - 1].z;
        delta = (0..n * fan_in)
            .map(|k| {
                let (i, p) = (k / fan_in, k % fan_in);
                let back: f64 = (0..fan_out)
                    .map(|j| delta[i * fan_out + j] * w[p * fan_out + j])
                    .sum();
                back * act[l - 1].derivative(z_prev.get(i, p))
            })
            .collect();
    }
    Ok(Backprop {
        loss,
        gradient: grad,
        deltas,
    })
}
