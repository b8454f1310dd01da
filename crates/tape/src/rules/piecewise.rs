//! Piecewise functions: absolute value, rounding, max and min.

use num_traits::Float;

/// `|x|`; `d/dx |x| = sign x`, taken as `0` at `x = 0`.
#[inline]
pub fn abs<T: Float>(x: T) -> (T, T) {
    let d = if x > T::zero() {
        T::one()
    } else if x < T::zero() {
        -T::one()
    } else {
        T::zero()
    };
    (x.abs(), d)
}

/// `signum x` (±1, NaN for NaN); derivative `0` (almost everywhere).
#[inline]
pub fn signum<T: Float>(x: T) -> (T, T) {
    (x.signum(), T::zero())
}

/// `floor x`; derivative `0` (almost everywhere).
#[inline]
pub fn floor<T: Float>(x: T) -> (T, T) {
    (x.floor(), T::zero())
}

/// `ceil x`; derivative `0` (almost everywhere).
#[inline]
pub fn ceil<T: Float>(x: T) -> (T, T) {
    (x.ceil(), T::zero())
}

/// `round x`; derivative `0` (almost everywhere).
#[inline]
pub fn round<T: Float>(x: T) -> (T, T) {
    (x.round(), T::zero())
}

/// `trunc x`; derivative `0` (almost everywhere).
#[inline]
pub fn trunc<T: Float>(x: T) -> (T, T) {
    (x.trunc(), T::zero())
}

/// `fract x = x − trunc x`; derivative `1` (almost everywhere).
#[inline]
pub fn fract<T: Float>(x: T) -> (T, T) {
    (x.fract(), T::one())
}

/// `max(a, b)`; the partials select the branch that was returned
/// (`a` on ties). Like `f64::max`, a NaN argument is ignored.
#[inline]
pub fn max<T: Float>(a: T, b: T) -> (T, T, T) {
    if a >= b || b.is_nan() {
        (a, T::one(), T::zero())
    } else {
        (b, T::zero(), T::one())
    }
}

/// `min(a, b)`; the partials select the branch that was returned
/// (`a` on ties). Like `f64::min`, a NaN argument is ignored.
#[inline]
pub fn min<T: Float>(a: T, b: T) -> (T, T, T) {
    if a <= b || b.is_nan() {
        (a, T::one(), T::zero())
    } else {
        (b, T::zero(), T::one())
    }
}

/// `max(a − b, 0)` (`Float::abs_sub`); partials `(1, −1)` where `a > b`,
/// else `(0, 0)`.
#[inline]
pub fn abs_sub<T: Float>(a: T, b: T) -> (T, T, T) {
    if a > b {
        (a - b, T::one(), -T::one())
    } else {
        (T::zero(), T::zero(), T::zero())
    }
}

/// `|a|` with the sign of `b`; `∂/∂a = ±1` (sign of `a`·sign of `b`), `∂/∂b = 0`.
#[inline]
pub fn copysign<T: Float>(a: T, b: T) -> (T, T, T) {
    let v = a.copysign(b);
    let d = if (a.is_sign_negative()) == (b.is_sign_negative()) {
        T::one()
    } else {
        -T::one()
    };
    (v, d, T::zero())
}
