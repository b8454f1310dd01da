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
//! what a second derivative is. So is its value: on a tape of duals the
//! value's tangent is a first derivative. Both must therefore be computed by
//! formulas that are exact *as functions*, not only at the point: a rule
//! may branch on its argument, but each branch must be analytic around
//! the branch point (`softplus` is `x + ln(1 + e⁻ˣ)` for `x ≥ 0`, not
//! `max(x, 0) + ln(1 + e^{−|x|})`, whose kinks leak into the tangent).
//!
//! # Conventions at singular points
//!
//! One rule for every function, in this order:
//!
//! 1. **Outside the domain, NaN everywhere.** Where the value is NaN (a NaN
//!    argument, `ln(−1)`, `acosh(½)`), every partial is NaN too, even where
//!    its formula would give a number (`1/x` for `ln`). The exceptions are
//!    the arithmetic operators `+ − × ÷` and negation, which keep their
//!    formula partials for speed (their NaN value poisons every result that
//!    depends on it anyway), and the values `f64` itself defines at a NaN
//!    (`NaN⁰ = 1`, `max(NaN, 1) = 1`), which get the derivatives of that
//!    value.
//! 2. **At a kink, the minimum-norm subgradient**: `0` for `|x|`, `relu`,
//!    `copysign(x, ·)` at `x = ±0`, `hypot` at the origin, `abs_sub` at a
//!    tie. At a jump (`floor`, `round`, `signum`, `%`), the slope of the
//!    side the function returns. **Ties of `max`/`min`** go to the first
//!    argument (JAX splits them ½–½).
//! 3. **Where the first derivative is infinite, it is the limit** from
//!    inside the domain (`√x` at `±0`: `+∞`; `ln` at `−0`: `+∞`; `asin` at
//!    `±1`), and the derivatives of higher order are NaN: the one-sided
//!    limits of `f″` often differ (`1/x`), and in IEEE arithmetic the
//!    product rule on nested duals meets `∞ · 0` (an infinite partial times
//!    a tangent's zero component). Likewise after an overflow (`exp(710)`).
//! 4. **A constant operand contributes nothing**: `x.powf(2.0)` at `x < 0`
//!    is differentiable although `∂(aᵇ)/∂b = aᵇ ln a` is NaN there — the
//!    tape records a unary node without that partial, and the dual chain
//!    rule skips a term whose tangent is exactly zero.
//! 5. **At `±∞`** (which the drivers refuse as inputs, but which a function
//!    can reach inside) the value is `f64`'s and the derivatives are the
//!    limits where the arithmetic produces them; `∞ · 0` can make a higher
//!    derivative NaN where its limit is `0` (`atan` at `∞`).
//!
//! Formulas are arranged so that huge and tiny arguments keep their
//! derivatives (`atan2`'s partials as `(x/r)/r`, `asinh`'s slope as
//! `1/hypot(x, 1)`, `σ′ = e^{−|x|}/(1 + e^{−|x|})²` rather than `σ(1 − σ)`).
//!
//! ## The edge-point table
//!
//! Value and first three derivatives of every rule at its singular and
//! branch points, with a binary rule's constant operand in either
//! position. `crates/dual/tests/edge_points.rs` reads this table from this
//! file and checks every row along four routes (forward mode on
//! `Dual<Dual<Dual<f64>>>`, the `f64` tape, `saddle_dual::hvp`, and a tape
//! of `Dual<Dual<f64>>`), so it is both documentation and test data.
//! Finite entries are the closed forms rounded to `f64` (17 digits);
//! `-0` is a negative zero argument; `—` is unspecified (not tested). JAX's choice is in the last column
//! where it differs, read from JAX's source (`jax/_src/lax/lax.py`,
//! `jax/_src/nn/functions.py`); "not verified" where we could not read it.
//!
//! | f(x) | x | f | f′ | f″ | f‴ | notes |
//! |---|---|---|---|---|---|---|
//! | `abs(x)` | 0 | 0 | 0 | 0 | 0 | kink: min-norm subgradient 0; JAX f′ = 1 (`select(x >= 0, g, −g)`) |
//! | `abs(x)` | -0 | 0 | 0 | 0 | 0 | JAX f′ = 1 (−0 ≥ 0) |
//! | `abs(x)` | -2 | 2 | -1 | 0 | 0 |  |
//! | `abs(x)` | NaN | NaN | NaN | NaN | NaN | NaN value ⇒ NaN derivatives |
//! | `relu(x)` | 0 | 0 | 0 | 0 | 0 | JAX (`jax.nn.relu`) f′ = 0 too |
//! | `relu(x)` | 1e300 | 1e300 | 1 | 0 | 0 |  |
//! | `relu(x)` | NaN | NaN | NaN | NaN | NaN | `f64::max(NaN, 0)` would give 0 |
//! | `floor(x)` | 1 | 1 | 0 | 0 | 0 | jump: 0 (JAX: 0) |
//! | `ceil(x)` | 1 | 1 | 0 | 0 | 0 | jump: 0 (JAX: 0) |
//! | `round(x)` | 0.5 | 1 | 0 | 0 | 0 | jump: 0 (JAX: 0) |
//! | `trunc(x)` | -1 | -1 | 0 | 0 | 0 | jump: 0 |
//! | `fract(x)` | 1 | 0 | 1 | 0 | 0 | jump: 1, the slope of both sides |
//! | `signum(x)` | 0 | 1 | 0 | 0 | 0 | `f64::signum(+0) = 1` (JAX's sign(0) = 0, f′ 0 both) |
//! | `floor(x)` | NaN | NaN | NaN | NaN | NaN |  |
//! | `fract(x)` | inf | NaN | NaN | NaN | NaN | `fract(∞)` is NaN |
//! | `max(x, 1)` | 1 | 1 | 1 | 0 | 0 | tie: first argument; JAX ½ (`_balanced_eq`) |
//! | `max(1, x)` | 1 | 1 | 0 | 0 | 0 | tie: first argument; JAX ½ |
//! | `min(x, 1)` | 1 | 1 | 1 | 0 | 0 | tie: first argument; JAX ½ |
//! | `min(1, x)` | 1 | 1 | 0 | 0 | 0 | tie: first argument; JAX ½ |
//! | `max(x, x)` | 1 | 1 | 1 | 0 | 0 | both partials sum to 1 (JAX: ½ + ½) |
//! | `min(x, x)` | NaN | NaN | NaN | NaN | NaN | both NaN |
//! | `max(x, 1)` | NaN | 1 | 0 | 0 | 0 | one NaN ignored, as `f64::max`; JAX (XLA `max`) not verified |
//! | `abs_sub(x, 1)` | 1 | 0 | 0 | 0 | 0 | tie: min-norm subgradient 0 |
//! | `abs_sub(x, 1)` | 3 | 2 | 1 | 0 | 0 |  |
//! | `abs_sub(1, x)` | NaN | NaN | NaN | NaN | NaN | `f64::abs_sub` (C `fdim`) is NaN |
//! | `copysign(x, 1)` | 0 | 0 | 0 | 0 | 0 | kink of x ↦ ±abs(x): 0 as for `abs`; JAX not verified |
//! | `copysign(x, -1)` | 2 | -2 | -1 | 0 | 0 |  |
//! | `copysign(1, x)` | -0 | -1 | 0 | 0 | 0 | jump in the sign: 0 |
//! | `x % 2` | 2 | 0 | 1 | 0 | 0 | jump: slope of the side `%` returns (JAX: 1) |
//! | `5 % x` | 2 | 1 | -2 | 0 | 0 | ∂/∂b = −trunc(a/b) (JAX: −sign(a/b)·floor(abs(a/b)), the same) |
//! | `5 % x` | 0 | NaN | NaN | NaN | NaN |  |
//! | `x % 0` | 1 | NaN | NaN | NaN | NaN |  |
//! | `recip(x)` | 0 | inf | -inf | NaN | NaN | f′ the limit; from f″ on NaN (the one-sided limits differ, and ∞·0, see below) |
//! | `recip(x)` | -0 | -inf | -inf | NaN | NaN |  |
//! | `recip(x)` | 1e300 | 1e-300 | -1e-600 | 2e-900 | -6e-1200 |  |
//! | `1 / x` | 0 | inf | -inf | NaN | NaN | the same through `div` with a constant numerator |
//! | `x / 0` | 1 | inf | inf | NaN | NaN | ∂/∂a = 1/b = ∞ |
//! | `sqrt(x)` | 0 | 0 | inf | NaN | NaN | f′ the limit +∞; f″ (limit −∞) NaN; JAX f′ = 0.5/√x = ∞, f″ not verified |
//! | `sqrt(x)` | -0 | -0 | inf | NaN | NaN | `√−0 = −0`, slope the limit from inside the domain |
//! | `sqrt(x)` | -1 | NaN | NaN | NaN | NaN |  |
//! | `sqrt(x)` | 1e300 | 1e150 | 5e-151 | -2.5e-451 | 3.75e-751 |  |
//! | `sqrt(x)` | inf | inf | 0 | 0 | 0 |  |
//! | `cbrt(x)` | 0 | 0 | inf | NaN | NaN |  |
//! | `cbrt(x)` | -1 | -1 | 0.33333333333333333 | 0.22222222222222222 | 0.37037037037037037 | real cube root |
//! | `powi(x, 0)` | 0 | 1 | 0 | 0 | 0 | JAX: 0 (`integer_pow` with y = 0) |
//! | `powi(x, 0)` | NaN | 1 | 0 | 0 | 0 | `NaN⁰ = 1` |
//! | `powi(x, 1)` | 0 | 0 | 1 | 0 | 0 |  |
//! | `powi(x, 2)` | 0 | 0 | 0 | 2 | 0 |  |
//! | `powi(x, -1)` | 0 | inf | -inf | NaN | NaN |  |
//! | `powi(x, -2)` | -0 | inf | inf | NaN | NaN | signed zero: f′ = −2·(−0)⁻³ = +∞ |
//! | `powi(x, i32::MAX)` | 1 | 1 | 2147483647 | 4.611686011984937e18 | 9.9035202866129261e27 |  |
//! | `powi(x, i32::MAX)` | -1 | -1 | 2147483647 | -4.611686011984937e18 | 9.9035202866129261e27 |  |
//! | `powi(x, i32::MAX)` | 0 | 0 | 0 | 0 | 0 |  |
//! | `powi(x, i32::MIN)` | 1 | 1 | -2147483648 | 4.6116860205748716e18 | -9.9035203281181003e27 | n − 1 overflowed `i32` before |
//! | `powi(x, i32::MIN)` | -1 | 1 | 2147483648 | 4.6116860205748716e18 | 9.9035203281181003e27 |  |
//! | `powi(x, i32::MIN)` | 0 | inf | -inf | NaN | NaN |  |
//! | `powi(x, i32::MIN)` | -0 | inf | inf | NaN | NaN |  |
//! | `powf(x, 2)` | -2 | 4 | -4 | 2 | 0 | ∂/∂b = aᵇ ln a is NaN here but the constant's zero tangent drops it (was NaN) |
//! | `powf(x, 3)` | -2 | -8 | 12 | -12 | 6 |  |
//! | `powf(x, 2)` | 0 | 0 | 0 | 2 | 0 |  |
//! | `powf(x, 0.5)` | 0 | 0 | inf | NaN | NaN |  |
//! | `powf(x, 0.5)` | -2 | NaN | NaN | NaN | NaN |  |
//! | `powf(x, 0)` | 0 | 1 | 0 | 0 | 0 | JAX f′ = 0·0⁻¹ = NaN (float exponent: no `select`) |
//! | `powf(x, 0)` | NaN | 1 | 0 | 0 | 0 | `NaN⁰ = 1` |
//! | `powf(x, -1)` | 0 | inf | -inf | NaN | NaN |  |
//! | `powf(0, x)` | 1 | 0 | 0 | 0 | 0 | ∂/∂b at a = 0, b > 0: 0 (JAX: 0, `ln` of a zero base taken as `ln 1`) |
//! | `powf(0, x)` | 0 | 1 | 0 | 0 | 0 | b = 0: 0 (JAX: 0); was −∞ |
//! | `powf(0, x)` | -1 | inf | -inf | NaN | NaN | b < 0: the limit of aᵇ ln a as a → 0⁺ (JAX: 0·∞ = NaN) |
//! | `powf(2, x)` | 0 | 1 | 0.69314718055994531 | 0.48045301391820142 | 0.33302465198892948 |  |
//! | `powf(-2, x)` | 2 | 4 | NaN | NaN | NaN | b ↦ (−2)ᵇ is not real-valued around 2 (JAX: NaN, `ln(−2)`) |
//! | `log(x, 2)` | 0 | -inf | inf | NaN | NaN |  |
//! | `log(x, 2)` | -1 | NaN | NaN | NaN | NaN |  |
//! | `log(x, 2)` | 2 | 1 | 0.7213475204444817 | -0.36067376022224085 | 0.36067376022224085 |  |
//! | `log(2, x)` | 2 | 1 | -0.7213475204444817 | 1.4013582507250448 | -4.1737860263441258 |  |
//! | `log(2, x)` | 1 | inf | -inf | — | — | base 1 is no base: f″ unspecified (∞ in forward mode, NaN through the sweep) |
//! | `log(2, x)` | 0 | -0 | NaN | NaN | NaN | base 0 is no base: 0/(0·∞) (the limit x → 0⁺ of f′ is −∞) |
//! | `hypot(x, 0)` | 0 | 0 | 0 | 0 | 0 | cone vertex: min-norm subgradient 0, as `abs`; JAX not verified |
//! | `hypot(0, x)` | -0 | 0 | 0 | 0 | 0 |  |
//! | `hypot(x, 1)` | 0 | 1 | 0 | 1 | 0 |  |
//! | `hypot(x, 1)` | 1e300 | 1e300 | 1 | 1e-900 | -3e-1200 |  |
//! | `exp(x)` | 0 | 1 | 1 | 1 | 1 |  |
//! | `exp(x)` | 710 | inf | inf | NaN | NaN | overflow: f′ = ∞, then ∞·0 |
//! | `exp(x)` | -inf | 0 | 0 | 0 | 0 |  |
//! | `exp2(x)` | 0 | 1 | 0.69314718055994531 | 0.48045301391820142 | 0.33302465198892948 |  |
//! | `exp_m1(x)` | 0 | 0 | 1 | 1 | 1 |  |
//! | `exp_m1(x)` | -inf | -1 | 0 | 0 | 0 |  |
//! | `ln(x)` | 0 | -inf | inf | NaN | NaN |  |
//! | `ln(x)` | -0 | -inf | inf | NaN | NaN | slope from inside the domain (1/(−0) = −∞ before) |
//! | `ln(x)` | -1 | NaN | NaN | NaN | NaN | outside the domain (the formula 1/x would give −1, as JAX's `g/x` does) |
//! | `ln(x)` | 1 | 0 | 1 | -1 | 2 |  |
//! | `ln(x)` | inf | inf | 0 | 0 | 0 |  |
//! | `log2(x)` | 0 | -inf | inf | NaN | NaN |  |
//! | `log2(x)` | 1e300 | 996.5784284662087 | 1.4426950408889634e-300 | -1.4426950408889634e-600 | 2.8853900817779268e-900 |  |
//! | `log10(x)` | -1 | NaN | NaN | NaN | NaN |  |
//! | `log10(x)` | 1 | 0 | 0.43429448190325183 | -0.43429448190325183 | 0.86858896380650366 |  |
//! | `ln_1p(x)` | -1 | -inf | inf | NaN | NaN |  |
//! | `ln_1p(x)` | -2 | NaN | NaN | NaN | NaN |  |
//! | `ln_1p(x)` | 0 | 0 | 1 | -1 | 2 |  |
//! | `ln_1p(x)` | -0 | -0 | 1 | -1 | 2 |  |
//! | `sin(x)` | 0 | 0 | 1 | 0 | -1 |  |
//! | `cos(x)` | 0 | 1 | 0 | -1 | 0 |  |
//! | `tan(x)` | 0 | 0 | 1 | 0 | 2 |  |
//! | `sin(x)` | inf | NaN | NaN | NaN | NaN |  |
//! | `asin(x)` | 1 | 1.5707963267948966 | inf | NaN | NaN |  |
//! | `asin(x)` | -1 | -1.5707963267948966 | inf | NaN | NaN |  |
//! | `asin(x)` | 2 | NaN | NaN | NaN | NaN |  |
//! | `acos(x)` | 1 | 0 | -inf | NaN | NaN |  |
//! | `acos(x)` | -1 | 3.1415926535897931 | -inf | NaN | NaN |  |
//! | `atan(x)` | 0 | 0 | 1 | 0 | -2 |  |
//! | `atan(x)` | 1e300 | 1.5707963267948966 | 1e-600 | -2e-900 | 6e-1200 |  |
//! | `atan(x)` | inf | 1.5707963267948966 | 0 | NaN | NaN | limits 0; the dual arithmetic meets ∞·0 (drivers refuse ±∞ inputs) |
//! | `atan2(x, 0)` | 0 | 0 | NaN | NaN | NaN | origin: the angle jumps; JAX not verified |
//! | `atan2(0, x)` | -0 | 3.1415926535897931 | NaN | NaN | NaN | origin |
//! | `atan2(x, 1)` | 0 | 0 | 1 | 0 | -2 |  |
//! | `atan2(0, x)` | -1 | 3.1415926535897931 | 0 | 0 | 0 | on the branch cut, along x: constant π |
//! | `atan2(1, x)` | 1e-300 | 1.5707963267948966 | -1 | 2e-300 | 2 |  |
//! | `atan2(1e300, x)` | 1e300 | 0.78539816339744831 | -5e-301 | 5e-601 | -5e-901 | r² would overflow: partials as (x/r)/r |
//! | `to_degrees(x)` | NaN | NaN | NaN | NaN | NaN |  |
//! | `to_radians(x)` | 0 | 0 | 0.017453292519943296 | 0 | 0 |  |
//! | `sinh(x)` | 0 | 0 | 1 | 0 | 1 |  |
//! | `cosh(x)` | 0 | 1 | 0 | 1 | 0 |  |
//! | `tanh(x)` | 0 | 0 | 1 | 0 | -2 |  |
//! | `sinh(x)` | 1e300 | inf | inf | NaN | NaN | overflow |
//! | `tanh(x)` | 1e300 | 1 | 0 | 0 | 0 |  |
//! | `tanh(x)` | -inf | -1 | 0 | 0 | 0 |  |
//! | `asinh(x)` | 0 | 0 | 1 | 0 | -1 |  |
//! | `asinh(x)` | 1e300 | 691.46867507877365 | 1e-300 | -1e-600 | 2e-900 | x² would overflow: slope 1/hypot(x, 1) |
//! | `acosh(x)` | 1 | 0 | inf | NaN | NaN |  |
//! | `acosh(x)` | 0.5 | NaN | NaN | NaN | NaN |  |
//! | `acosh(x)` | 1e300 | 691.46867507877365 | 1e-300 | -1e-600 | 2e-900 | slope 1/(√(x−1)√(x+1)) |
//! | `atanh(x)` | 1 | inf | inf | NaN | NaN |  |
//! | `atanh(x)` | -1 | -inf | inf | NaN | NaN |  |
//! | `atanh(x)` | 2 | NaN | NaN | NaN | NaN | outside the domain (the formula would give −1/3) |
//! | `sigmoid(x)` | 0 | 0.5 | 0.25 | 0 | -0.125 | branch point of the formula: exact to third order |
//! | `sigmoid(x)` | -0 | 0.5 | 0.25 | 0 | -0.125 |  |
//! | `sigmoid(x)` | 40 | 1 | 4.248354255291589e-18 | -4.2483542552915889e-18 | 4.2483542552915889e-18 | σ(1 − σ) would round to 0 |
//! | `sigmoid(x)` | -40 | 4.248354255291589e-18 | 4.248354255291589e-18 | 4.2483542552915889e-18 | 4.2483542552915889e-18 |  |
//! | `sigmoid(x)` | 800 | 1 | 0 | 0 | 0 |  |
//! | `sigmoid(x)` | -800 | 0 | 0 | 0 | 0 |  |
//! | `sigmoid(x)` | NaN | NaN | NaN | NaN | NaN |  |
//! | `softplus(x)` | 0 | 0.69314718055994531 | 0.5 | 0.25 | 0 | branch point: was f″ = 1 + … through max/abs (regression) |
//! | `softplus(x)` | 40 | 40 | 1 | 4.248354255291589e-18 | -4.2483542552915889e-18 |  |
//! | `softplus(x)` | -40 | 4.248354255291589e-18 | 4.248354255291589e-18 | 4.248354255291589e-18 | 4.2483542552915889e-18 |  |
//! | `softplus(x)` | 800 | 800 | 1 | 0 | 0 |  |
//! | `softplus(x)` | -800 | 0 | 0 | 0 | 0 |  |
//! | `softplus(x)` | inf | inf | 1 | 0 | 0 |  |
//! | `softplus(x)` | NaN | NaN | NaN | NaN | NaN |  |
//!
//! # Adding a function
//!
//! A function `Float` has: write its rule here and add its name to
//! `float_rule_methods!`. A function `Float` lacks (like `relu`): write its
//! rule here (generic over `Float`, with analytic branches) and add its name
//! to `real_rule_methods!`. That one entry becomes, through each type's
//! `unary!` macro,
//!
//! ```text
//! // in `trait Real` (saddle-tape, scalar.rs), the provided method (f64):
//! fn relu(self) -> Self { crate::rules::relu(self).0 }
//! // in `impl Real for Var` (saddle-tape, var_float.rs): one tape node
//! fn relu(self) -> Self { self.apply(rules::relu) }
//! // in `impl Real for Dual` (saddle-dual, float.rs): one chain rule
//! fn relu(self) -> Self { self.chain(rules::relu(self.re)) }
//! ```
//!
//! and a row in the table above (with its name in the test's `eval`) states
//! its behaviour at its singular points. A function whose *value* needs a
//! primitive that `Float` lacks (`erf`) would also need a hook on
//! [`Scalar`](crate::Scalar) for that value; none is needed today.

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
/// macro, exactly like the `unary!` part of `float_rule_methods!`:
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
