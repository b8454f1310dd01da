//! Powers and roots.

use num_traits::Float;

/// `xⁿ` for an integer `n`; `d/dx xⁿ = n xⁿ⁻¹` (and `0` for `n = 0`).
#[inline]
pub fn powi<T: Float>(x: T, n: i32) -> (T, T) {
    if n == 0 {
        return (T::one(), T::zero());
    }
    (x.powi(n), T::from(n).unwrap() * x.powi(n - 1))
}

/// `aᵇ`; `∂/∂a = b aᵇ⁻¹`, `∂/∂b = aᵇ ln a`.
///
/// At `a = 0` with `b > 0` the `∂/∂b` term is taken as its limit `0`
/// (instead of `0 · (−∞) = NaN`). For `a < 0` the value is NaN unless `b`
/// is an integer, exactly as `f64::powf`.
#[inline]
pub fn powf<T: Float>(a: T, b: T) -> (T, T, T) {
    let v = a.powf(b);
    let da = if b.is_zero() {
        T::zero()
    } else {
        b * a.powf(b - T::one())
    };
    let db = if a.is_zero() && b > T::zero() {
        T::zero()
    } else {
        v * a.ln()
    };
    (v, da, db)
}

/// `√x`; `d/dx √x = 1/(2√x)` (`+∞` at 0).
#[inline]
pub fn sqrt<T: Float>(x: T) -> (T, T) {
    let s = x.sqrt();
    (s, (s + s).recip())
}

/// `∛x`; `d/dx ∛x = 1/(3 ∛x²)` (`+∞` at 0).
#[inline]
pub fn cbrt<T: Float>(x: T) -> (T, T) {
    let c = x.cbrt();
    (c, (T::from(3.0).unwrap() * c * c).recip())
}

/// `√(a² + b²)`; `∂/∂a = a/h`, `∂/∂b = b/h`. At `a = b = 0` the
/// partials are taken as `0` (a subgradient of the cone).
#[inline]
pub fn hypot<T: Float>(a: T, b: T) -> (T, T, T) {
    let h = a.hypot(b);
    if h.is_zero() {
        (h, T::zero(), T::zero())
    } else {
        (h, a / h, b / h)
    }
}
