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

/// `asin x`; `d/dx asin x = 1/√(1 − x²)` (NaN outside `[−1, 1]`).
#[inline]
pub fn asin<T: Float>(x: T) -> (T, T) {
    (x.asin(), (T::one() - x * x).sqrt().recip())
}

/// `acos x`; `d/dx acos x = −1/√(1 − x²)`.
#[inline]
pub fn acos<T: Float>(x: T) -> (T, T) {
    (x.acos(), -(T::one() - x * x).sqrt().recip())
}

/// `atan x`; `d/dx atan x = 1/(1 + x²)`.
#[inline]
pub fn atan<T: Float>(x: T) -> (T, T) {
    (x.atan(), (T::one() + x * x).recip())
}

/// `atan2(y, x)`, the angle of the point `(x, y)`;
/// `∂/∂y = x/(x² + y²)`, `∂/∂x = −y/(x² + y²)` (NaN at the origin).
#[inline]
pub fn atan2<T: Float>(y: T, x: T) -> (T, T, T) {
    let r2 = x * x + y * y;
    (y.atan2(x), x / r2, -y / r2)
}

/// `x · 180/π`; `d/dx = 180/π`.
#[inline]
pub fn to_degrees<T: Float>(x: T) -> (T, T) {
    (x.to_degrees(), super::exp_log::deg::<T>().recip())
}

/// `x · π/180`; `d/dx = π/180`.
#[inline]
pub fn to_radians<T: Float>(x: T) -> (T, T) {
    (x.to_radians(), super::exp_log::deg::<T>())
}
