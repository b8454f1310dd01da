//! Powers and roots.

use num_traits::Float;

/// `xⁿ` for an integer `n`; `d/dx xⁿ = n xⁿ⁻¹` (and `0` for `n = 0`).
///
/// For `n = i32::MIN`, `n − 1` does not exist in `i32`, so `xⁿ⁻¹` is
/// evaluated as `xⁿ · x⁻¹` (the same number, and `−∞·…` signs agree at `±0`).
///
/// `n = 2` (every square) is `(x.powi(2), x + x)`: on `f64` the same
/// bits as the general formula (`powi(x, 2)` is `x·x`, and `2x` is
/// exact), and on dual numbers one `powi` chain and a sum instead of two
/// `powi` chains and a product. The value stays `x.powi(2)` (the chain
/// rule), not `x·x`: on duals the product rule `ẋx + xẋ` turns a zero
/// tangent at an infinite value into `0·∞ = NaN`, where the chain rule
/// keeps it `0` as for every other unary rule.
#[inline]
pub fn powi<T: Float>(x: T, n: i32) -> (T, T) {
    if n == 0 {
        return (T::one(), T::zero());
    }
    if n == 2 {
        return (x.powi(2), x + x);
    }
    let v = x.powi(n);
    let below = match n.checked_sub(1) {
        Some(m) => x.powi(m),
        None => v * x.recip(),
    };
    (v, T::from(n).unwrap() * below)
}

/// `aᵇ`; `∂/∂a = b aᵇ⁻¹`, `∂/∂b = aᵇ ln a`.
///
/// Conventions (see the table in [`crate::rules`]):
/// - `b = 0` exactly and `a` zero, infinite or NaN: `∂/∂a = 0` (the section
///   `a ↦ a⁰ = 1` is constant) instead of `0 · ∞ = NaN`. Elsewhere the
///   formula `b aᵇ⁻¹` is used even when `b = 0`, so that on dual numbers its
///   tangent (the mixed derivative `∂²/∂a∂b = aᵇ⁻¹(1 + b ln a)`) is kept.
/// - `a = 0` and `b ≥ 0`: `∂/∂b = 0`, the derivative of the section
///   `b ↦ 0ᵇ = 0` for `b > 0` (JAX's choice, `ln` of a zero base taken as
///   `ln 1`), instead of `0 · (−∞) = NaN` or `1 · (−∞)`. For `b < 0` the
///   value is `+∞` and `∂/∂b = ∞ · ln 0 = −∞`, the limit of `aᵇ ln a` as
///   `a → 0⁺` (JAX: `∞ · 0 = NaN`).
/// - `a < 0`: the value is NaN unless `b` is an integer, exactly as
///   `f64::powf`, and `∂/∂b = aᵇ ln a` is NaN: the section `b ↦ aᵇ` is not
///   real-valued around `b`. With a constant `b` that partial is dropped
///   (the tape records a unary node; the dual chain rule skips zero
///   tangents), so `x.powf(2.0)` is differentiable at every `x`.
#[inline]
pub fn powf<T: Float>(a: T, b: T) -> (T, T, T) {
    let v = a.powf(b);
    let da = if b.is_zero() && (a.is_zero() || !a.is_finite()) {
        T::zero()
    } else {
        b * a.powf(b - T::one())
    };
    let db = if a.is_zero() && b >= T::zero() {
        T::zero()
    } else {
        v * a.ln()
    };
    (v, da, db)
}

/// `√x`; `d/dx √x = 1/(2√x)` (`+∞` at `±0`: `√−0 = −0` in IEEE, but the
/// slope is the limit from inside the domain).
#[inline]
pub fn sqrt<T: Float>(x: T) -> (T, T) {
    let s = x.sqrt();
    let d = if s.is_zero() {
        T::infinity()
    } else {
        (s + s).recip()
    };
    (s, d)
}

/// `∛x`; `d/dx ∛x = 1/(3 ∛x²)` (`+∞` at 0).
#[inline]
pub fn cbrt<T: Float>(x: T) -> (T, T) {
    let c = x.cbrt();
    (c, (T::from(3.0).unwrap() * c * c).recip())
}

/// `√(a² + b²)`; `∂/∂a = a/h`, `∂/∂b = b/h`. At `a = b = 0` the
/// partials are taken as `0` (the minimum-norm subgradient of the cone, as
/// `|x|` at 0), and so are all higher derivatives there.
#[inline]
pub fn hypot<T: Float>(a: T, b: T) -> (T, T, T) {
    let h = a.hypot(b);
    if h.is_zero() {
        (h, T::zero(), T::zero())
    } else {
        (h, a / h, b / h)
    }
}
