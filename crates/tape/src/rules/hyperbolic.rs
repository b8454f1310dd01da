//! Hyperbolic functions and their inverses.

use num_traits::Float;

/// `sinh x`; `d/dx sinh x = cosh x`.
#[inline]
pub fn sinh<T: Float>(x: T) -> (T, T) {
    (x.sinh(), x.cosh())
}

/// `cosh x`; `d/dx cosh x = sinh x`.
#[inline]
pub fn cosh<T: Float>(x: T) -> (T, T) {
    (x.cosh(), x.sinh())
}

/// `tanh x`; `d/dx tanh x = 1 − tanh² x`.
#[inline]
pub fn tanh<T: Float>(x: T) -> (T, T) {
    let t = x.tanh();
    (t, T::one() - t * t)
}

/// `asinh x`; `d/dx asinh x = 1/√(x² + 1)`, evaluated as `1/hypot(x, 1)`
/// so that `x²` does not overflow (at `x = 10³⁰⁰` the slope is `10⁻³⁰⁰`,
/// not `0`).
#[inline]
pub fn asinh<T: Float>(x: T) -> (T, T) {
    (x.asinh(), x.hypot(T::one()).recip())
}

/// `acosh x`; `d/dx acosh x = 1/√(x² − 1)`, evaluated as
/// `1/(√(x − 1) √(x + 1))` so that `x²` does not overflow; `+∞` at 1, NaN
/// for `x < 1`.
#[inline]
pub fn acosh<T: Float>(x: T) -> (T, T) {
    let v = x.acosh();
    let d = ((x - T::one()).sqrt() * (x + T::one()).sqrt()).recip();
    (v, super::in_domain(v, d))
}

/// `atanh x`; `d/dx atanh x = 1/(1 − x²)` (NaN outside `(−1, 1)`),
/// evaluated as `1/((1 − x)(1 + x))`, which keeps its digits near ±1.
#[inline]
pub fn atanh<T: Float>(x: T) -> (T, T) {
    let v = x.atanh();
    (
        v,
        super::in_domain(v, ((T::one() - x) * (T::one() + x)).recip()),
    )
}
