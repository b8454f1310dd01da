//! Trigonometric functions and their inverses.

use num_traits::Float;

/// `sin x`; `d/dx sin x = cos x`.
#[inline]
pub fn sin<T: Float>(x: T) -> (T, T) {
    let (s, c) = x.sin_cos();
    (s, c)
}

/// `cos x`; `d/dx cos x = −sin x`.
#[inline]
pub fn cos<T: Float>(x: T) -> (T, T) {
    let (s, c) = x.sin_cos();
    (c, -s)
}

/// `tan x`; `d/dx tan x = 1 + tan² x`.
#[inline]
pub fn tan<T: Float>(x: T) -> (T, T) {
    let t = x.tan();
    (t, T::one() + t * t)
}

/// `asin x`; `d/dx asin x = 1/√(1 − x²)` (NaN outside `[−1, 1]`),
/// evaluated as `1/(√(1 − x) √(1 + x))`: `1 − x²` would lose half the
/// digits near ±1 (8 at `x = 1 − 10⁻⁸`), and its derivatives on dual
/// numbers with it.
#[inline]
pub fn asin<T: Float>(x: T) -> (T, T) {
    (x.asin(), one_minus_square_sqrt(x).recip())
}

/// `acos x`; `d/dx acos x = −1/√(1 − x²)`, factored as for [`asin`].
#[inline]
pub fn acos<T: Float>(x: T) -> (T, T) {
    (x.acos(), -one_minus_square_sqrt(x).recip())
}

/// `√(1 − x²)` as `√(1 − x) √(1 + x)`, exact to a few ulps near ±1.
#[inline(always)]
fn one_minus_square_sqrt<T: Float>(x: T) -> T {
    (T::one() - x).sqrt() * (T::one() + x).sqrt()
}

/// `atan x`; `d/dx atan x = 1/(1 + x²)`.
#[inline]
pub fn atan<T: Float>(x: T) -> (T, T) {
    (x.atan(), (T::one() + x * x).recip())
}

/// `atan2(y, x)`, the angle of the point `(x, y)`;
/// `∂/∂y = x/r²`, `∂/∂x = −y/r²` with `r = hypot(x, y)`, evaluated as
/// `(x/r)/r` so that neither `r² ` overflows (`|x| ≈ 10³⁰⁰`) nor underflows
/// (`|x| ≈ 10⁻³⁰⁰`). NaN at the origin, where the angle jumps.
#[inline]
pub fn atan2<T: Float>(y: T, x: T) -> (T, T, T) {
    let r = x.hypot(y);
    (y.atan2(x), x / r / r, -(y / r) / r)
}

/// `x · 180/π`; `d/dx = 180/π`.
#[inline]
pub fn to_degrees<T: Float>(x: T) -> (T, T) {
    let v = x.to_degrees();
    (v, super::in_domain(v, super::exp_log::deg::<T>().recip()))
}

/// `x · π/180`; `d/dx = π/180`.
#[inline]
pub fn to_radians<T: Float>(x: T) -> (T, T) {
    let v = x.to_radians();
    (v, super::in_domain(v, super::exp_log::deg::<T>()))
}
