//! # saddle-check: derivatives checked against finite differences
//!
//! **The key design decision:** the checker knows nothing of any AD engine.
//! It takes plain closures over `&[f64]` — the function, or its gradient —
//! and the derivative you *claim*, recomputes that derivative by central
//! finite differences, and returns a [`Report`] naming the worst entry. So
//! it serves saddle's own tests and your proptest suite alike, whatever
//! produced the claim.
//!
//! proptest is a normal dependency of this crate (its [`strategies`] are
//! proptest strategies), so take saddle-check as a **dev-dependency**:
//! `cargo add --dev saddle-check`. Then your program's own build never
//! compiles proptest.
//!
//! ## What is checked, and against what
//!
//! | claim | reference |
//! |---|---|
//! | gradient `∇f` | central differences of `f` along each coordinate |
//! | JVP `J v` | central differences of `F` along `v` |
//! | HVP `H v` | central differences of the *gradient* along `v` |
//! | Hessian `H` | central differences of the gradient along each `eⱼ` |
//! | reverse mode | the dot test `w·(J u) = (Jᵀ w)·u` |
//! | Hessian | symmetry `Hᵢⱼ = Hⱼᵢ` |
//!
//! Second order is differenced from the gradient, never from `f` twice:
//! one difference of a first derivative loses about half the digits,
//! two differences of `f` lose about two thirds.
//!
//! ## Steps and tolerances
//!
//! Every difference is a Richardson-extrapolated central difference:
//! with `D(h) = (g(x + h) − g(x − h)) / 2h`, the estimate
//! `(4 D(h/2) − D(h)) / 3` cancels the `h²` error term, leaving a
//! truncation error `O(h⁴ g⁽⁵⁾)` and a rounding error `O(ε |g| / h)`.
//! Balancing them gives `h ≈ ε^{1/5} ≈ 7·10⁻⁴`; we take
//! `h = 10⁻³ · max(1, |x|∞) / |v|∞`, so the step scales with the point.
//! For smooth, well-scaled functions the reference is then good to about
//! `10⁻¹⁰` relative to the scale of `g`.
//!
//! An entry passes when `|claimed − reference| ≤ abs + rel · max(|claimed|,
//! |reference|)`. The defaults ([`Tolerance::default`]: `abs = rel = 10⁻⁶`)
//! leave three to four orders of magnitude of headroom over the
//! finite-difference error, while a wrong derivative rule is off by a
//! relative `O(1)` and fails by six orders of magnitude. A NaN on either
//! side fails.
//!
//! ## In a proptest suite
//!
//! ```
//! use proptest::prelude::*;
//! use saddle_check::{check_gradient, strategies, Tolerance};
//!
//! fn f(x: &[f64]) -> f64 { x[0].sin() * x[1] }
//! fn grad(x: &[f64]) -> Vec<f64> { vec![x[0].cos() * x[1], x[0].sin()] }
//!
//! proptest!(strategies::config(32), |(x in strategies::well_scaled(2))| {
//!     let report = check_gradient(f, &x, &grad(&x), Tolerance::default());
//!     prop_assert!(report.passed(), "{report}");
//! });
//! ```
#![deny(missing_docs)]

mod cases;
mod difference;
pub mod expr;
mod report;
pub mod strategies;

pub use difference::{central_difference, fd_gradient, fd_hessian, fd_hvp, fd_jvp};
pub use report::{Report, Tolerance, Worst};

/// Compares a claimed gradient of `f` at `x` with central differences of
/// `f` along each coordinate.
///
/// A check that cannot be made (empty or non-finite `x`, a claimed
/// gradient of the wrong length, an invalid tolerance) returns a failed
/// [`Report`] saying so ([`Report::problem`]); it never panics.
pub fn check_gradient(
    f: impl Fn(&[f64]) -> f64,
    x: &[f64],
    claimed: &[f64],
    tol: Tolerance,
) -> Report {
    const WHAT: &str = "gradient";
    if let Err(problem) =
        validate_point(x).and_then(|()| same_length("claimed gradient", claimed, x))
    {
        return Report::invalid(WHAT, problem, tol);
    }
    Report::compare(WHAT, claimed, &fd_gradient(&f, x), tol)
}

/// Compares a claimed Jacobian-vector product `J v` of `F: ℝⁿ → ℝᵐ` with
/// central differences of `F` along `v`.
///
/// Bad input (empty or non-finite `x`, `v` of another length or not
/// finite, a claim whose length differs from `F`'s output, an invalid
/// tolerance) gives a failed [`Report`] saying so, never a panic.
pub fn check_jvp(
    f: impl Fn(&[f64]) -> Vec<f64>,
    x: &[f64],
    v: &[f64],
    claimed: &[f64],
    tol: Tolerance,
) -> Report {
    const WHAT: &str = "jvp";
    if let Err(problem) = validate_point(x).and_then(|()| validate_direction("v", v, x)) {
        return Report::invalid(WHAT, problem, tol);
    }
    Report::compare(WHAT, claimed, &fd_jvp(&f, x, v), tol)
}

/// Compares a claimed Hessian-vector product `H v` with central differences
/// of the gradient along `v`.
///
/// Bad input (as for [`check_jvp`], or a claim of another length than `x`)
/// gives a failed [`Report`] saying so, never a panic.
pub fn check_hvp(
    grad: impl Fn(&[f64]) -> Vec<f64>,
    x: &[f64],
    v: &[f64],
    claimed: &[f64],
    tol: Tolerance,
) -> Report {
    const WHAT: &str = "hvp";
    if let Err(problem) = validate_point(x)
        .and_then(|()| validate_direction("v", v, x))
        .and_then(|()| same_length("claimed H·v", claimed, x))
    {
        return Report::invalid(WHAT, problem, tol);
    }
    Report::compare(WHAT, claimed, &fd_hvp(&grad, x, v), tol)
}

/// Compares a claimed Hessian (`n × n`, row-major) with central differences
/// of the gradient along each coordinate (column `j` is `∂∇f/∂xⱼ`).
///
/// Bad input (empty or non-finite `x`, a claim that is not `n²` long, an
/// invalid tolerance) gives a failed [`Report`] saying so, never a panic.
pub fn check_hessian(
    grad: impl Fn(&[f64]) -> Vec<f64>,
    x: &[f64],
    claimed: &[f64],
    tol: Tolerance,
) -> Report {
    const WHAT: &str = "hessian";
    if let Err(problem) =
        validate_point(x).and_then(|()| square("claimed Hessian", claimed, x.len()))
    {
        return Report::invalid(WHAT, problem, tol);
    }
    Report::compare(WHAT, claimed, &fd_hessian(&grad, x), tol)
}

/// Symmetry of an `n × n` row-major matrix: compares every `Hᵢⱼ` with `Hⱼᵢ`
/// (Clairaut: mixed partials of a `C²` function agree).
///
/// A matrix that is not `n × n` (including `n = 0` and an `n` whose square
/// overflows) gives a failed [`Report`] saying so, never a panic.
pub fn check_symmetry(h: &[f64], n: usize, tol: Tolerance) -> Report {
    const WHAT: &str = "symmetry";
    if let Err(problem) = square("matrix", h, n) {
        return Report::invalid(WHAT, problem, tol);
    }
    let transposed: Vec<f64> = (0..n * n).map(|k| h[(k % n) * n + k / n]).collect();
    Report::compare(WHAT, h, &transposed, tol)
}

/// The dot-product test of a reverse-mode rule: for a linear map `J` given
/// forward (`u ↦ J u`) and transposed (`w ↦ Jᵀ w`), checks
/// `w·(J u) = (Jᵀ w)·u`. With `jvp = vjp = (v ↦ H v)` it is the Hessian's
/// symmetry test `uᵀ(H v) = vᵀ(H u)`.
///
/// Empty or non-finite `u` or `w`, or maps whose outputs do not match `w`
/// and `u` in length, give a failed [`Report`] saying so, never a panic.
pub fn dot_test(
    jvp: impl Fn(&[f64]) -> Vec<f64>,
    vjp: impl Fn(&[f64]) -> Vec<f64>,
    u: &[f64],
    w: &[f64],
    tol: Tolerance,
) -> Report {
    const WHAT: &str = "dot test";
    let (ju, jtw) = match finite_nonempty("u", u)
        .and_then(|()| finite_nonempty("w", w))
        .and_then(|()| {
            let (ju, jtw) = (jvp(u), vjp(w));
            same_length("J·u", &ju, w)?;
            same_length("Jᵀ·w", &jtw, u)?;
            Ok((ju, jtw))
        }) {
        Ok(pair) => pair,
        Err(problem) => return Report::invalid(WHAT, problem, tol),
    };
    Report::compare(WHAT, &[dot(w, &ju)], &[dot(&jtw, u)], tol)
}

/// `Σ aᵢ bᵢ` (callers check the lengths).
fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The point of a check: not empty, every entry finite.
fn validate_point(x: &[f64]) -> Result<(), String> {
    finite_nonempty("x", x)
}

fn finite_nonempty(what: &str, x: &[f64]) -> Result<(), String> {
    if x.is_empty() {
        return Err(format!("{what} is empty: nothing to check"));
    }
    finite(what, x)
}

fn finite(what: &str, x: &[f64]) -> Result<(), String> {
    match x.iter().position(|a| !a.is_finite()) {
        Some(i) => Err(format!("{what}[{i}] = {} is not finite", x[i])),
        None => Ok(()),
    }
}

/// A direction: as long as `x`, finite.
fn validate_direction(what: &str, v: &[f64], x: &[f64]) -> Result<(), String> {
    same_length(what, v, x)?;
    finite(what, v)
}

fn same_length(what: &str, a: &[f64], x: &[f64]) -> Result<(), String> {
    if a.len() == x.len() {
        Ok(())
    } else {
        Err(format!(
            "{what} has {} entries but x has {}",
            a.len(),
            x.len()
        ))
    }
}

/// `h` holds an `n × n` matrix, `n ≥ 1`.
fn square(what: &str, h: &[f64], n: usize) -> Result<(), String> {
    if n == 0 {
        return Err(format!("{what} is 0×0: nothing to check"));
    }
    match n.checked_mul(n) {
        None => Err(format!("{what}: n = {n} is too large (n² overflows)")),
        Some(nn) if nn != h.len() => Err(format!(
            "{what} has {} entries, not {n}×{n} = {nn}",
            h.len()
        )),
        Some(_) => Ok(()),
    }
}
