//! Exponentials and logarithms.

use num_traits::Float;

use super::in_domain;

fn ln2<T: Float>() -> T {
    T::from(std::f64::consts::LN_2).unwrap()
}

fn ln10<T: Float>() -> T {
    T::from(std::f64::consts::LN_10).unwrap()
}

/// `1/x` for `x ≥ 0`, with `1/(−0) = +∞`: the slope of `ln` at a zero
/// argument is the limit from inside the domain whatever the zero's sign.
#[inline]
fn recip_of_nonneg<T: Float>(x: T) -> T {
    if x.is_zero() {
        T::infinity()
    } else {
        x.recip()
    }
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

/// `ln x`; `d/dx ln x = 1/x`. NaN (value and derivative) for `x < 0`,
/// `−∞` at 0 with derivative `+∞`.
#[inline]
pub fn ln<T: Float>(x: T) -> (T, T) {
    let v = x.ln();
    (v, in_domain(v, recip_of_nonneg(x)))
}

/// `log₂ x`; `d/dx = 1/(x ln 2)`.
#[inline]
pub fn log2<T: Float>(x: T) -> (T, T) {
    let v = x.log2();
    (v, in_domain(v, recip_of_nonneg(x) / ln2()))
}

/// `log₁₀ x`; `d/dx = 1/(x ln 10)`.
#[inline]
pub fn log10<T: Float>(x: T) -> (T, T) {
    let v = x.log10();
    (v, in_domain(v, recip_of_nonneg(x) / ln10()))
}

/// `ln(1 + x)` (accurate near 0); `d/dx = 1/(1 + x)`.
#[inline]
pub fn ln_1p<T: Float>(x: T) -> (T, T) {
    let v = x.ln_1p();
    (v, in_domain(v, (T::one() + x).recip()))
}

/// `log_b a = ln a / ln b`; `∂/∂a = 1/(a ln b)`, `∂/∂b = −ln a / (b (ln b)²)`.
#[inline]
pub fn log<T: Float>(a: T, b: T) -> (T, T, T) {
    let (la, lb) = (a.ln(), b.ln());
    let v = la / lb;
    (
        v,
        in_domain(v, (a * lb).recip()),
        in_domain(v, -v / (b * lb)),
    )
}

/// The constant `π/180`, used by `to_radians`; kept generic for duals.
pub(crate) fn deg<T: Float>() -> T {
    T::from(std::f64::consts::PI / 180.0).unwrap()
}
