//! Exponentials and logarithms.

use num_traits::Float;

fn ln2<T: Float>() -> T {
    T::from(std::f64::consts::LN_2).unwrap()
}

fn ln10<T: Float>() -> T {
    T::from(std::f64::consts::LN_10).unwrap()
}

/// `eˣ`; `d/dx eˣ = eˣ`.
#[inline]
pub fn exp<T: Float>(x: T) -> (T, T) {
    let e = x.exp();
    (e, e)
}

/// `2ˣ`; `d/dx 2ˣ = 2ˣ ln 2`.
#[inline]
pub fn exp2<T: Float>(x: T) -> (T, T) {
    let e = x.exp2();
    (e, e * ln2())
}

/// `eˣ − 1` (accurate near 0); `d/dx = eˣ`.
#[inline]
pub fn exp_m1<T: Float>(x: T) -> (T, T) {
    (x.exp_m1(), x.exp())
}

/// `ln x`; `d/dx ln x = 1/x`. NaN for `x < 0`, `−∞` at 0.
#[inline]
pub fn ln<T: Float>(x: T) -> (T, T) {
    (x.ln(), x.recip())
}

/// `log₂ x`; `d/dx = 1/(x ln 2)`.
#[inline]
pub fn log2<T: Float>(x: T) -> (T, T) {
    (x.log2(), (x * ln2()).recip())
}

/// `log₁₀ x`; `d/dx = 1/(x ln 10)`.
#[inline]
pub fn log10<T: Float>(x: T) -> (T, T) {
    (x.log10(), (x * ln10()).recip())
}

/// `ln(1 + x)` (accurate near 0); `d/dx = 1/(1 + x)`.
#[inline]
pub fn ln_1p<T: Float>(x: T) -> (T, T) {
    (x.ln_1p(), (T::one() + x).recip())
}

/// `log_b a = ln a / ln b`; `∂/∂a = 1/(a ln b)`, `∂/∂b = −ln a / (b (ln b)²)`.
#[inline]
pub fn log<T: Float>(a: T, b: T) -> (T, T, T) {
    let (la, lb) = (a.ln(), b.ln());
    let v = la / lb;
    (v, (a * lb).recip(), -v / (b * lb))
}

/// The constant `π/180`, used by `to_radians`; kept generic for duals.
pub(crate) fn deg<T: Float>() -> T {
    T::from(std::f64::consts::PI / 180.0).unwrap()
}
