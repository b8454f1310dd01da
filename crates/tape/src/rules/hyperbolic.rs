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

/// `asinh x`; `d/dx asinh x = 1/√(x² + 1)`.
#[inline]
pub fn asinh<T: Float>(x: T) -> (T, T) {
    (x.asinh(), (x * x + T::one()).sqrt().recip())
}

/// `acosh x`; `d/dx acosh x = 1/√(x² − 1)` (NaN for `x < 1`).
#[inline]
pub fn acosh<T: Float>(x: T) -> (T, T) {
    let v = x.acosh();
    (v, super::in_domain(v, (x * x - T::one()).sqrt().recip()))
}

/// `atanh x`; `d/dx atanh x = 1/(1 − x²)` (NaN outside `(−1, 1)`).
#[inline]
pub fn atanh<T: Float>(x: T) -> (T, T) {
    let v = x.atanh();
    (v, super::in_domain(v, (T::one() - x * x).recip()))
}
