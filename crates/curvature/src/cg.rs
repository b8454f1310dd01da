//! Conjugate gradients on a [`LinearOperator`]: `A x = b` from products
//! `A d` alone.
//!
//! From `x₀ = 0`, `r₀ = b`, `d₀ = r₀`, each iteration `k` applies the
//! operator once and updates
//!
//! ```text
//! αₖ   = rₖᵀrₖ / dₖᵀA dₖ
//! xₖ₊₁ = xₖ + αₖ dₖ
//! rₖ₊₁ = rₖ − αₖ A dₖ          (= b − A xₖ₊₁)
//! βₖ   = rₖ₊₁ᵀrₖ₊₁ / rₖᵀrₖ
//! dₖ₊₁ = rₖ₊₁ + βₖ dₖ
//! ```
//!
//! For symmetric positive definite `A` the iterates minimise
//! `½ xᵀAx − bᵀx` over the Krylov spaces `span{b, Ab, …, Aᵏ⁻¹b}` and
//! reach the solution in at most `n` iterations (in exact arithmetic). For
//! indefinite `A` (a Hessian at a saddle) the recurrence breaks down where
//! `dₖᵀA dₖ ≤ 0`: the solve stops there and reports the direction, which
//! is one of non-positive curvature (Steihaug's truncation).

use std::error::Error as StdError;

use saddle_dual::LinearOperator;

use crate::error::{check_vector, Error};
use crate::krylov::apply_checked;

/// Settings for [`conjugate_gradient`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CgOptions {
    /// At most this many products `A d` (iterations).
    pub max_iter: usize,
    /// Converged when `‖rₖ‖ ≤ tolerance · ‖b‖` (relative residual).
    pub tolerance: f64,
    /// Stop on curvature `dₖᵀA dₖ ≤ curvature_tol · ‖dₖ‖²`; 0 stops on
    /// `dₖᵀA dₖ ≤ 0` exactly, a small positive value also on curvature too
    /// small to divide by safely.
    pub curvature_tol: f64,
}

impl Default for CgOptions {
    /// 1000 iterations, relative residual 10⁻¹⁰, stop on `dᵀAd ≤ 0`.
    fn default() -> Self {
        CgOptions {
            max_iter: 1000,
            tolerance: 1e-10,
            curvature_tol: 0.0,
        }
    }
}

impl CgOptions {
    fn check(&self) -> Result<(), Error> {
        if self.max_iter == 0
            || !(self.tolerance >= 0.0 && self.tolerance.is_finite())
            || !(self.curvature_tol >= 0.0 && self.curvature_tol.is_finite())
        {
            return Err(Error::invalid(format!(
                "bad CG options {self:?}: need max_iter ≥ 1 and finite tolerances ≥ 0"
            )));
        }
        Ok(())
    }
}

/// Why [`conjugate_gradient`] stopped.
#[derive(Clone, Debug, PartialEq)]
pub enum CgStop {
    /// `‖r‖ ≤ tolerance · ‖b‖`.
    Converged,
    /// The direction `dₖ` has `dₖᵀA dₖ ≤ curvature_tol · ‖dₖ‖²`: `A` is not
    /// positive definite (or nearly singular) along it. `x` is the last
    /// iterate before it (0 when `k = 0`, where `d₀ = b`).
    NegativeCurvature {
        /// The direction `dₖ`.
        direction: Vec<f64>,
        /// Its curvature `dₖᵀA dₖ`.
        curvature: f64,
    },
    /// `max_iter` products were spent before converging.
    MaxIterations,
}

/// The result of [`conjugate_gradient`].
#[derive(Clone, Debug, PartialEq)]
pub struct CgSolution {
    /// The last iterate `xₖ`.
    pub x: Vec<f64>,
    /// Why the solve stopped.
    pub stop: CgStop,
    /// Completed updates of `x` (`k`).
    pub iterations: usize,
    /// Products `A d` spent: `iterations`, plus one when stopped on
    /// negative curvature.
    pub products: usize,
    /// `‖r₀‖ = ‖b‖, ‖r₁‖, …, ‖rₖ‖`, one per iterate.
    pub residual_norms: Vec<f64>,
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The CG recurrence (module docs) on `b` of length `n`, with `apply(d,
/// k)` returning a checked `A d` (length `n`, finite) at iteration `k`.
/// The one CG of the crate: [`conjugate_gradient`], [`newton_cg`] and
/// [`damped_step`] all run it.
///
/// [`newton_cg`]: crate::newton_cg
/// [`damped_step`]: crate::damped_step
pub(crate) fn cg_recurrence(
    b: &[f64],
    options: &CgOptions,
    mut apply: impl FnMut(&[f64], usize) -> Result<Vec<f64>, Error>,
) -> Result<CgSolution, Error> {
    let n = b.len();
    let mut rr = dot(b, b);
    let b_norm = rr.sqrt();
    let target = options.tolerance * b_norm;
    let mut x = vec![0.0; n];
    let mut r = b.to_vec();
    let mut d = r.clone();
    let mut residual_norms = vec![b_norm];
    let done = |x, stop, k, products, residual_norms| {
        Ok(CgSolution {
            x,
            stop,
            iterations: k,
            products,
            residual_norms,
        })
    };
    if b_norm <= target {
        return done(x, CgStop::Converged, 0, 0, residual_norms);
    }
    for k in 0..options.max_iter {
        let ad = apply(&d, k)?;
        let curvature = dot(&d, &ad);
        if !curvature.is_finite() {
            return Err(Error::non_finite(format!(
                "CG iteration {k}: the curvature dᵀAd = {curvature} overflows f64"
            )));
        }
        if curvature <= options.curvature_tol * dot(&d, &d) {
            let stop = CgStop::NegativeCurvature {
                direction: d,
                curvature,
            };
            return done(x, stop, k, k + 1, residual_norms);
        }
        let alpha = rr / curvature;
        x.iter_mut().zip(&d).for_each(|(a, b)| *a += alpha * b);
        r.iter_mut().zip(&ad).for_each(|(a, b)| *a -= alpha * b);
        let rr_new = dot(&r, &r);
        if !(rr_new.is_finite() && x.iter().all(|v| v.is_finite())) {
            return Err(Error::non_finite(format!(
                "CG iteration {k}: the iterate overflows f64 (α = {alpha:e}, \
                 dᵀAd = {curvature:e}, ‖r‖² = {rr_new:e})"
            )));
        }
        residual_norms.push(rr_new.sqrt());
        if rr_new.sqrt() <= target {
            return done(x, CgStop::Converged, k + 1, k + 1, residual_norms);
        }
        let beta = rr_new / rr;
        rr = rr_new;
        d.iter_mut().zip(&r).for_each(|(a, b)| *a = b + beta * *a);
    }
    let k = options.max_iter;
    done(x, CgStop::MaxIterations, k, k, residual_norms)
}

/// Solves `A x = b` by conjugate gradients (the recurrence in the module
/// docs), one product `A d` per iteration, stopping when the relative
/// residual `‖b − A x‖/‖b‖` reaches `options.tolerance`, on non-positive
/// curvature `dᵀAd ≤ curvature_tol ‖d‖²` (reported, with the direction),
/// or after `options.max_iter` products.
///
/// ```
/// use saddle_curvature::{conjugate_gradient, CgOptions, CgStop};
/// use saddle_dual::FnOperator;
///
/// // A = [[4, 1], [1, 3]], b = (1, 2): x = (1/11, 7/11).
/// let a = FnOperator::new(2, |v: &[f64]| {
///     Ok::<_, saddle_dual::Error>(vec![4.0 * v[0] + v[1], v[0] + 3.0 * v[1]])
/// });
/// let sol = conjugate_gradient(&a, &[1.0, 2.0], &CgOptions::default())?;
/// assert_eq!(sol.stop, CgStop::Converged);
/// assert!((sol.x[0] - 1.0 / 11.0).abs() < 1e-12 && (sol.x[1] - 7.0 / 11.0).abs() < 1e-12);
/// # Ok::<(), saddle_curvature::Error>(())
/// ```
///
/// # Errors
/// If `b` is empty, does not have `op.dim()` entries or is not finite, the
/// options are invalid (`max_iter = 0`, a negative or non-finite
/// tolerance), the operator fails (its error becomes the
/// [`source`](std::error::Error::source) of ours) or returns the wrong
/// length or a non-finite entry, or the iterates overflow `f64` (the error
/// names the iteration).
pub fn conjugate_gradient<O>(op: &O, b: &[f64], options: &CgOptions) -> Result<CgSolution, Error>
where
    O: LinearOperator + ?Sized,
    O::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    solve_checked(op, b, 0.0, options)
}

/// [`cg_recurrence`] on `(A + shift·I) x = b` after checking the
/// arguments; the products name the CG iteration in errors.
pub(crate) fn solve_checked<O>(
    op: &O,
    b: &[f64],
    shift: f64,
    options: &CgOptions,
) -> Result<CgSolution, Error>
where
    O: LinearOperator + ?Sized,
    O::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    options.check()?;
    let n = op.dim();
    if n == 0 {
        return Err(Error::invalid(
            "conjugate_gradient: the operator has dimension 0",
        ));
    }
    check_vector("b", b, n)?;
    cg_recurrence(b, options, |d, k| {
        let at = || format!("CG iteration {k}");
        let mut ad = apply_checked(op, d, &|_| at(), &at)?;
        if shift != 0.0 {
            ad.iter_mut().zip(d).for_each(|(a, v)| *a += shift * v);
        }
        Ok(ad)
    })
}
