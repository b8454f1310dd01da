//! Activation functions for neural networks.

use num_traits::Float;

/// `relu x = max(x, 0)`; `d/dx = 1` for `x > 0`, else `0` (also at the kink).
#[inline]
pub fn relu<T: Float>(x: T) -> (T, T) {
    if x > T::zero() {
        (x, T::one())
    } else {
        (T::zero(), T::zero())
    }
}

/// The logistic sigmoid `σ(x) = 1/(1 + e⁻ˣ)`; `d/dx σ = σ (1 − σ)`.
///
/// Evaluated as `eˣ/(1 + eˣ)` for `x < 0` so that neither branch overflows.
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
/// Evaluated as `max(x, 0) + ln(1 + e^{−|x|})`, which never overflows.
#[inline]
pub fn softplus<T: Float>(x: T) -> (T, T) {
    let v = x.max(T::zero()) + (-x.abs()).exp().ln_1p();
    (v, sigmoid(x).0)
}

/// The identity `x ↦ x`; `d/dx = 1`. The output activation of a regression
/// network.
#[inline]
pub fn identity<T: Float>(x: T) -> (T, T) {
    (x, T::one())
}
