//! # saddle-check: derivatives checked against finite differences
//!
//! **The key design decision:** the checker knows nothing of any AD engine.
//! It takes plain closures over `&[f64]` — the function, or its gradient —
//! and the derivative you *claim*, recomputes that derivative by central
//! finite differences, and returns a [`Report`] naming the worst entry. So
//! it serves saddle's own tests and your proptest suite alike, whatever
//! produced the claim.
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
/// # Panics
/// If `claimed.len() != x.len()` (the check itself is mis-called).
pub fn check_gradient(
    f: impl Fn(&[f64]) -> f64,
    x: &[f64],
    claimed: &[f64],
    tol: Tolerance,
) -> Report {
    assert_eq!(
        claimed.len(),
        x.len(),
        "check_gradient: claimed gradient has the wrong length"
    );
    Report::compare("gradient", claimed, &fd_gradient(&f, x), tol)
}

/// Compares a claimed Jacobian-vector product `J v` of `F: ℝⁿ → ℝᵐ` with
/// central differences of `F` along `v`.
pub fn check_jvp(
    f: impl Fn(&[f64]) -> Vec<f64>,
    x: &[f64],
    v: &[f64],
    claimed: &[f64],
    tol: Tolerance,
) -> Report {
    Report::compare("jvp", claimed, &fd_jvp(&f, x, v), tol)
}

/// Compares a claimed Hessian-vector product `H v` with central differences
/// of the gradient along `v`.
pub fn check_hvp(
    grad: impl Fn(&[f64]) -> Vec<f64>,
    x: &[f64],
    v: &[f64],
    claimed: &[f64],
    tol: Tolerance,
) -> Report {
    Report::compare("hvp", claimed, &fd_hvp(&grad, x, v), tol)
}

/// Compares a claimed Hessian (`n × n`, row-major) with central differences
/// of the gradient along each coordinate (column `j` is `∂∇f/∂xⱼ`).
///
/// # Panics
/// If `claimed.len() != n²`.
pub fn check_hessian(
    grad: impl Fn(&[f64]) -> Vec<f64>,
    x: &[f64],
    claimed: &[f64],
    tol: Tolerance,
) -> Report {
    let n = x.len();
    assert_eq!(
        claimed.len(),
        n * n,
        "check_hessian: claimed Hessian is not {n}×{n}"
    );
    Report::compare("hessian", claimed, &fd_hessian(&grad, x), tol)
}

/// Symmetry of an `n × n` row-major matrix: compares every `Hᵢⱼ` with `Hⱼᵢ`
/// (Clairaut: mixed partials of a `C²` function agree).
///
/// # Panics
/// If `h.len() != n²`.
pub fn check_symmetry(h: &[f64], n: usize, tol: Tolerance) -> Report {
    assert_eq!(h.len(), n * n, "check_symmetry: matrix is not {n}×{n}");
    let transposed: Vec<f64> = (0..n * n).map(|k| h[(k % n) * n + k / n]).collect();
    Report::compare("symmetry", h, &transposed, tol)
}

/// The dot-product test of a reverse-mode rule: for a linear map `J` given
/// forward (`u ↦ J u`) and transposed (`w ↦ Jᵀ w`), checks
/// `w·(J u) = (Jᵀ w)·u`. With `jvp = vjp = (v ↦ H v)` it is the Hessian's
/// symmetry test `uᵀ(H v) = vᵀ(H u)`.
pub fn dot_test(
    jvp: impl Fn(&[f64]) -> Vec<f64>,
    vjp: impl Fn(&[f64]) -> Vec<f64>,
    u: &[f64],
    w: &[f64],
    tol: Tolerance,
) -> Report {
    let lhs = dot(w, &jvp(u));
    let rhs = dot(&vjp(w), u);
    Report::compare("dot test", &[lhs], &[rhs], tol)
}

/// `Σ aᵢ bᵢ`.
fn dot(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(
        a.len(),
        b.len(),
        "dot: lengths {} and {} differ",
        a.len(),
        b.len()
    );
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}
