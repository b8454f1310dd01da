//! Derivative rules: every elementary function, with its derivative, in
//! one place.
//!
//! Each rule takes the argument(s) and returns the value together with the
//! local partial derivative(s): a unary rule returns `(f(x), f'(x))`, a
//! binary rule `(f(a, b), ∂f/∂a, ∂f/∂b)`. The rules are generic over
//! `num_traits::Float`, so the *same* rule serves
//!
//! - the tape (`Var`), which records the partials as the node's weights, and
//! - the dual numbers of `saddle-dual`, which push a tangent through them:
//!   `f(x + ε ẋ) = f(x) + ε f'(x) ẋ`.
//!
//! Evaluated on dual numbers, a rule's partial is itself a dual number, and
//! that is where second derivatives come from: nothing else in saddle knows
//! what a second derivative is.
//!
//! Conventions at points where a function is not differentiable (documented
//! per rule): `|x|`, `relu`, `max`, `min` take the one-sided derivative of
//! the branch they evaluate, with `0` at the kink for `|x|` and `relu` (the
//! subgradient JAX and PyTorch also use). Outside a function's domain the
//! value is NaN (as `f64` gives) and so is the partial; no rule panics.

mod activation;
mod arith;
mod exp_log;
mod hyperbolic;
mod piecewise;
mod power;
mod trig;

pub use activation::*;
pub use arith::*;
pub use exp_log::*;
pub use hyperbolic::*;
pub use piecewise::*;
pub use power::*;
pub use trig::*;

use num_traits::Float;

/// The partial `d`, or NaN where the value `v` is NaN: outside a function's
/// domain the derivative is NaN too, even where its formula would give a
/// number (`1/x` for `ln x` at `x < 0`).
#[inline(always)]
fn in_domain<T: Float>(v: T, d: T) -> T {
    if v.is_nan() {
        v
    } else {
        d
    }
}

/// NaN in every component: `x · NaN`. On a dual number `T::nan()` would
/// be a constant, whose zero tangent claims a derivative of `0`; the
/// product also poisons the tangents, so a NaN value has NaN derivatives
/// of every order.
#[inline(always)]
fn nan_like<T: Float>(x: T) -> T {
    x * T::nan()
}

/// A unary rule: `x ↦ (f(x), f'(x))`.
pub type UnaryRule<T> = fn(T) -> (T, T);

/// A binary rule: `(a, b) ↦ (f(a, b), ∂f/∂a, ∂f/∂b)`.
pub type BinaryRule<T> = fn(T, T) -> (T, T, T);

/// Expands, inside an `impl Float for …` block, the methods that every
/// number type of saddle implements the same way, given the caller's four
/// method-writing macros:
/// `constants!(nan, …)`, `predicates!(is_nan, …)`, `unary!(floor, …, tanh, …)`
/// (each with a rule of the same name in this module) and
/// `binary!(powf, …)` (likewise). One list serves `Var` and the duals, so a
/// function added here is added everywhere.
#[doc(hidden)]
#[macro_export]
macro_rules! float_rule_methods {
    ($constants:ident, $predicates:ident, $unary:ident, $binary:ident) => {
        $constants!(
            nan,
            infinity,
            neg_infinity,
            neg_zero,
            min_value,
            min_positive_value,
            epsilon,
            max_value
        );
        $predicates!(
            is_nan,
            is_infinite,
            is_finite,
            is_normal,
            is_sign_positive,
            is_sign_negative
        );
        $unary!(
            floor, ceil, round, trunc, fract, abs, signum, recip, sqrt, cbrt, exp, exp2, exp_m1,
            ln, log2, log10, ln_1p, sin, cos, tan, asin, acos, atan, sinh, cosh, tanh, asinh,
            acosh, atanh, to_degrees, to_radians
        );
        $binary!(powf, log, max, min, abs_sub, hypot, atan2, copysign);
    };
}

/// Expands the unary functions that `num_traits::Float` lacks (each with a
/// rule of the same name in this module) through the caller's `unary!`
/// macro, exactly like the `unary!` part of [`float_rule_methods!`]:
/// `Real`'s provided methods, `Var`'s and `Dual`'s overrides all come from
/// this one list. See "Adding a function" in the [`rules`](crate::rules)
/// module docs for what an entry expands to.
#[doc(hidden)]
#[macro_export]
macro_rules! real_rule_methods {
    ($unary:ident) => {
        $unary!(relu, sigmoid, softplus);
    };
}
