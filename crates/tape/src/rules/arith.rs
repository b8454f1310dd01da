//! The four arithmetic operations and the reciprocal.

use num_traits::Float;

/// `a + b`; `∂/∂a = 1`, `∂/∂b = 1`.
#[inline]
pub fn add<T: Float>(a: T, b: T) -> (T, T, T) {
    (a + b, T::one(), T::one())
}

/// `a − b`; `∂/∂a = 1`, `∂/∂b = −1`.
#[inline]
pub fn sub<T: Float>(a: T, b: T) -> (T, T, T) {
    (a - b, T::one(), -T::one())
}

/// `a · b`; `∂/∂a = b`, `∂/∂b = a`.
#[inline]
pub fn mul<T: Float>(a: T, b: T) -> (T, T, T) {
    (a * b, b, a)
}

/// `a / b`; `∂/∂a = 1/b`, `∂/∂b = −a/b²`.
#[inline]
pub fn div<T: Float>(a: T, b: T) -> (T, T, T) {
    let q = a / b;
    (q, b.recip(), -q / b)
}

/// `a mod b` (remainder with the sign of `a`, as `%` on floats);
/// `∂/∂a = 1`, `∂/∂b = −trunc(a/b)` (away from the jumps at multiples of
/// `b`; at a jump, the partials of the side `%` returns). NaN partials
/// where the value is NaN (`b = 0`, `a = ±∞`).
#[inline]
pub fn rem<T: Float>(a: T, b: T) -> (T, T, T) {
    let v = a % b;
    (
        v,
        super::in_domain(v, T::one()),
        super::in_domain(v, -(a / b).trunc()),
    )
}

/// `−x`; `d/dx = −1`.
#[inline]
pub fn neg<T: Float>(x: T) -> (T, T) {
    (-x, -T::one())
}

/// `1/x`; `d/dx = −1/x²`.
#[inline]
pub fn recip<T: Float>(x: T) -> (T, T) {
    let r = x.recip();
    (r, -r * r)
}
