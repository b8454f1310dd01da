//! A custom loss, written once: log-cosh regression with a linear model.
//!
//! `L(w, b) = (1/N) Σᵢ log cosh(xᵢ·w + b − yᵢ)`: quadratic for small
//! residuals (like MSE), linear for large ones (like L1, so outliers pull
//! less), and smooth everywhere, so its Hessian exists.
//!
//! `log cosh r = r + softplus(−2r) − ln 2`, which never overflows (the
//! textbook `ln(cosh r)` does for |r| > 710).

use saddle::Real;

/// Samples `(x, y)` with `x ∈ ℝᵈ`, stored row by row.
pub struct Data {
    pub d: usize,
    pub x: Vec<f64>,
    pub y: Vec<f64>,
}

/// The loss at parameters `theta = (w₁ … w_d, b)`, generic over the number
/// type: `f64` to evaluate, tape variables or dual numbers to differentiate.
pub fn log_cosh_loss<S: Real>(theta: &[S], data: &Data) -> S {
    let (w, b) = theta.split_at(data.d);
    let n = data.y.len();
    let mut total = S::zero();
    for i in 0..n {
        let xi = &data.x[i * data.d..(i + 1) * data.d];
        let r = w.iter().zip(xi).fold(b[0], |acc, (wj, xj)| acc + *wj * *xj) - data.y[i];
        total += r + (r * -2.0).softplus() - std::f64::consts::LN_2;
    }
    total / n as f64
}

/// A small deterministic dataset: `y = 2x₁ − x₂ + 0.5` plus a few outliers.
pub fn sample_data() -> Data {
    let n = 40;
    let x: Vec<f64> = (0..2 * n)
        .map(|k| (0.61 * k as f64 + 0.2).sin() * 2.0)
        .collect();
    let y = (0..n)
        .map(|i| {
            let clean = 2.0 * x[2 * i] - x[2 * i + 1] + 0.5;
            if i % 13 == 0 {
                clean + 8.0
            } else {
                clean + 0.05 * (1.7 * i as f64).cos()
            }
        })
        .collect();
    Data { d: 2, x, y }
}
