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
/// Evaluated as `1/(1 + e⁻ˣ)` for `x ≥ 0` and `eˣ/(1 + eˣ)` for `x < 0`
/// so that neither branch overflows; both are analytic, so the derivatives
/// of every order are exact on dual numbers at the branch point 0 too.
#[inline]
pub fn sigmoid<T: Float>(x: T) -> (T, T) {
    let s = if x >= T::zero() {
        (T::one() + (-x).exp()).recip()
    } else {
        let e = x.exp();
        e / (T::one() + e)
    };
    (s, s * (T::one() - s))
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
