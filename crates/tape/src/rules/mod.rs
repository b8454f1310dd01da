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
