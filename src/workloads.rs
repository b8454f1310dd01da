//! The benchmark workloads of `BENCHMARKS.md`, defined once.
//!
//! Every input is computed in `f64` in the order written there, so the
//! reference values in that file are reproduced bit for bit (up to the
//! platform's `sin`/`cos`).

use saddle_tape::Real;

/// W1, the extended Rosenbrock function:
/// `f(x) = Σᵢ₌₀ⁿ⁻² [100 (xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)²]`.
///
/// Its Hessian is tridiagonal.
pub fn rosenbrock<S: Real>(x: &[S]) -> S {
    let mut total = S::zero();
    for w in x.windows(2) {
        let (a, b) = (w[0], w[1]);
        let d = b - a * a;
        let e = S::one() - a;
        total += d * d * 100.0 + e * e;
    }
    total
}

/// W1's point: `xᵢ = 0.8 cos(0.7 i)`.
pub fn w1_point(n: usize) -> Vec<f64> {
    (0..n).map(|i| 0.8 * (0.7 * i as f64).cos()).collect()
}

/// W1's direction: `vᵢ = sin(1.3 i + 0.5)`.
pub fn w1_direction(n: usize) -> Vec<f64> {
    (0..n).map(|i| (1.3 * i as f64 + 0.5).sin()).collect()
}
