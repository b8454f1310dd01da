//! Activation functions for neural networks.

use num_traits::Float;

/// `relu x = max(x, 0)`; `d/dx = 1` for `x > 0`, else `0` (also at the
/// kink). NaN stays NaN (value and derivative), as in JAX, where
/// `f64::max(NaN, 0)` would hide it as `0`.
#[inline]
pub fn relu<T: Float>(x: T) -> (T, T) {
    if x > T::zero() {
        (x, T::one())
    } else if x.is_nan() {
        (super::nan_like(x), x)
    } else {
        (T::zero(), T::zero())
    }
}

/// The logistic sigmoid `σ(x) = 1/(1 + e⁻ˣ)`; `d/dx σ = σ (1 − σ)`.
///
/// With `e = e^{−|x|}`: `σ = 1/(1 + e)` for `x ≥ 0` and `e/(1 + e)` for
/// `x < 0`, and `σ′ = e/(1 + e)²` on both sides. Neither branch overflows,
/// the slope keeps its relative accuracy in the tails (`σ(1 − σ)` would
/// round to `0` from `x ≈ 37` on, where `σ′ ≈ 10⁻¹⁶`), and each branch is
/// analytic, so on dual numbers the derivatives of every order are exact
/// at the branch point 0 too.
#[inline]
pub fn sigmoid<T: Float>(x: T) -> (T, T) {
    let one = T::one();
    if x >= T::zero() {
        let e = (-x).exp();
        let s = (one + e).recip();
        (s, e * s * s)
    } else {
        let e = x.exp();
        let r = (one + e).recip();
        (e * r, e * r * r)
    }
}

/// `softplus x = ln(1 + eˣ)`, a smooth ReLU; `d/dx softplus = σ(x)`.
///
/// Evaluated as `x + ln(1 + e⁻ˣ)` for `x ≥ 0` and `ln(1 + eˣ)` for
/// `x < 0`: neither overflows, and each branch is analytic, so evaluated
/// on dual numbers (where the value's tangent is the derivative) both give
/// the exact derivatives of every order, also at the branch point 0. (The
/// form `max(x, 0) + ln(1 + e^{−|x|})` gives the same values but on duals
/// the kinks of `max` and `|x|` leak into the tangent: slope 1 instead of ½
/// at 0.)
#[inline]
pub fn softplus<T: Float>(x: T) -> (T, T) {
    let v = if x >= T::zero() {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    };
    (v, sigmoid(x).0)
}

/// The identity `x ↦ x`; `d/dx = 1`. The output activation of a regression
/// network.
#[inline]
pub fn identity<T: Float>(x: T) -> (T, T) {
    (x, T::one())
}
