//! Piecewise functions: absolute value, rounding, max and min.

use num_traits::Float;

use super::in_domain;

/// `|x|`; `d/dx |x| = sign x`, taken as `0` at `x = ±0` (the minimum-norm
/// subgradient; JAX takes `1`, see the table in [`crate::rules`]).
#[inline]
pub fn abs<T: Float>(x: T) -> (T, T) {
    let d = if x > T::zero() {
        T::one()
    } else if x < T::zero() {
        -T::one()
    } else if x.is_nan() {
        x
    } else {
        T::zero()
    };
    (x.abs(), d)
}

/// `signum x` (±1, NaN for NaN); derivative `0` (almost everywhere).
#[inline]
pub fn signum<T: Float>(x: T) -> (T, T) {
    let v = x.signum();
    (v, in_domain(v, T::zero()))
}

/// `floor x`; derivative `0` (almost everywhere).
#[inline]
pub fn floor<T: Float>(x: T) -> (T, T) {
    let v = x.floor();
    (v, in_domain(v, T::zero()))
}

/// `ceil x`; derivative `0` (almost everywhere).
#[inline]
pub fn ceil<T: Float>(x: T) -> (T, T) {
    let v = x.ceil();
    (v, in_domain(v, T::zero()))
}

/// `round x`; derivative `0` (almost everywhere).
#[inline]
pub fn round<T: Float>(x: T) -> (T, T) {
    let v = x.round();
    (v, in_domain(v, T::zero()))
}

/// `trunc x`; derivative `0` (almost everywhere).
#[inline]
pub fn trunc<T: Float>(x: T) -> (T, T) {
    let v = x.trunc();
    (v, in_domain(v, T::zero()))
}

/// `fract x = x − trunc x`; derivative `1` (almost everywhere).
#[inline]
pub fn fract<T: Float>(x: T) -> (T, T) {
    let v = x.fract();
    (v, in_domain(v, T::one()))
}

/// `max(a, b)`; the partials select the branch that was returned
/// (`a` on ties; JAX splits a tie ½–½). Like `f64::max`, one NaN argument
/// is ignored; two give NaN partials.
#[inline]
pub fn max<T: Float>(a: T, b: T) -> (T, T, T) {
    if a >= b {
        (a, T::one(), T::zero())
    } else if b.is_nan() {
        nan_or_first(a, b)
    } else {
        (b, T::zero(), T::one())
    }
}

/// `min(a, b)`; the partials select the branch that was returned
/// (`a` on ties; JAX splits a tie ½–½). Like `f64::min`, one NaN argument
/// is ignored; two give NaN partials.
#[inline]
pub fn min<T: Float>(a: T, b: T) -> (T, T, T) {
    if a <= b {
        (a, T::one(), T::zero())
    } else if b.is_nan() {
        nan_or_first(a, b)
    } else {
        (b, T::zero(), T::one())
    }
}

/// `max`/`min` when `b` is NaN: `a` with partials `(1, 0)` as `f64::max`
/// ignores one NaN, or NaN everywhere (tangents too) when both are NaN.
#[inline]
fn nan_or_first<T: Float>(a: T, b: T) -> (T, T, T) {
    if a.is_nan() {
        let nan = super::nan_like(a + b);
        (nan, nan, nan)
    } else {
        (a, T::one(), T::zero())
    }
}

/// `max(a − b, 0)` (`Float::abs_sub`); partials `(1, −1)` where `a > b`,
/// else `(0, 0)` (also at the tie, the minimum-norm subgradient). NaN if
/// either argument is NaN, as `f64::abs_sub` (C's `fdim`).
#[inline]
pub fn abs_sub<T: Float>(a: T, b: T) -> (T, T, T) {
    if a > b {
        (a - b, T::one(), -T::one())
    } else if a.is_nan() || b.is_nan() {
        let nan = super::nan_like(a + b);
        (nan, nan, nan)
    } else {
        (T::zero(), T::zero(), T::zero())
    }
}

/// `|a|` with the sign of `b`; `∂/∂a = ±1` (`+1` when the sign bits of `a`
/// and `b` agree), `∂/∂b = 0`. At `a = ±0` the function of `a` is `±|a|`,
/// a kink, and `∂/∂a = 0` as for `|x|`.
#[inline]
pub fn copysign<T: Float>(a: T, b: T) -> (T, T, T) {
    let v = a.copysign(b);
    let d = if a.is_zero() {
        T::zero()
    } else if a.is_sign_negative() == b.is_sign_negative() {
        T::one()
    } else {
        -T::one()
    };
    (v, in_domain(v, d), in_domain(v, T::zero()))
}
