//! Second-order optimizers: they use curvature, not just slope.
//!
//! - [`newton`]: plain Newton, `x ← x − H⁻¹∇f`. Quadratic convergence near a
//!   nondegenerate critical point — *any* critical point: it is drawn to
//!   saddles and maxima as readily as to minima.
//! - [`damped_newton`]: Levenberg–Marquardt damping, `(H + μI) p = −∇f`,
//!   with `μ` raised until `H + μI` is positive definite and the step lowers
//!   `f`, and lowered after each success, so it becomes plain Newton near a
//!   minimum.
//! - [`newton_cg`]: Hessian-free. Truncated conjugate gradients
//!   ([`conjugate_gradient`](crate::conjugate_gradient)'s recurrence) on
//!   `H p = −∇f` using HVPs only, stopped early on negative curvature, then a
//!   backtracking line search.
//! - [`damped_step`]: one step `p = −(C + λI)⁻¹ g` for any curvature
//!   operator `C` (Gauss-Newton, empirical Fisher, …) by conjugate
//!   gradients; the caller supplies `g` and `C` at each point.
//! - [`saddle_free_newton`]: `p = −|H|⁻¹∇f` with `|H| = Q|Λ|Qᵀ`. Flipping the
//!   negative eigenvalues turns every direction of negative curvature into
//!   one of descent, so it leaves saddles that Newton converges to
//!   (Dauphin et al., 2014). Needs the eigendecomposition: small models.

use saddle_dual::{Hessian, LinearOperator};

use crate::cg::{cg_recurrence, solve_checked, CgOptions, CgSolution, CgStop};
use crate::error::{check_vector, Error};
use crate::linalg::{cholesky_solve, lu_solve};
use crate::objective::Objective;
use crate::spectrum::Eigen;

/// Why an optimizer stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// `‖∇f‖ ≤ gradient_tol`.
    GradientSmall,
    /// The step was shorter than `step_tol · (1 + ‖x‖)`.
    StepSmall,
    /// `max_iter` iterations were done.
    MaxIterations,
    /// No step could lower `f` (the line search or damping gave up).
    NoProgress,
}

/// One iteration's numbers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Iterate {
    /// `f` before the step.
    pub value: f64,
    /// `‖∇f‖` before the step.
    pub grad_norm: f64,
    /// `‖p‖` of the step taken.
    pub step_norm: f64,
    /// The damping `μ` (damped Newton), the step length `t` (line
    /// searches), or 1 (plain Newton).
    pub parameter: f64,
    /// HVPs spent (Newton-CG), else 0.
    pub hvps: usize,
}

/// Where an optimizer ended, and how it got there.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// The final point.
    pub x: Vec<f64>,
    /// `f(x)`.
    pub value: f64,
    /// `‖∇f(x)‖`.
    pub grad_norm: f64,
    /// Why it stopped.
    pub stop: Stop,
    /// One entry per step taken.
    pub history: Vec<Iterate>,
}

/// Settings shared by the optimizers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Options {
    /// Iteration limit.
    pub max_iter: usize,
    /// Stop when `‖∇f‖ ≤ gradient_tol`.
    pub gradient_tol: f64,
    /// Stop when `‖p‖ ≤ step_tol · (1 + ‖x‖)`.
    pub step_tol: f64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_iter: 100,
            gradient_tol: 1e-8,
            step_tol: 1e-14,
        }
    }
}

impl Options {
    fn check(&self) -> Result<(), Error> {
        if self.max_iter == 0 || !(self.gradient_tol >= 0.0) || !(self.step_tol >= 0.0) {
            return Err(Error::invalid(format!(
                "bad optimizer options {self:?}: need max_iter ≥ 1 and tolerances ≥ 0"
            )));
        }
        Ok(())
    }
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|a| a * a).sum::<f64>().sqrt()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn axpy(x: &[f64], t: f64, p: &[f64]) -> Vec<f64> {
    x.iter().zip(p).map(|(a, b)| a + t * b).collect()
}

/// The common loop: evaluate, test, ask `step` for the next point.
fn iterate(
    obj: &impl Objective,
    x0: &[f64],
    options: &Options,
    mut step: impl FnMut(&[f64], f64, &[f64]) -> Result<Option<(Vec<f64>, Iterate)>, Error>,
) -> Result<Outcome, Error> {
    options.check()?;
    if x0.is_empty() {
        return Err(Error::invalid("x0 is empty"));
    }
    check_vector("x0", x0, x0.len())?;
    let mut x = x0.to_vec();
    let mut history = Vec::new();
    loop {
        let (value, grad) = checked_value_gradient(obj, &x, history.len())?;
        let grad_norm = norm(&grad);
        let done = |stop, x: Vec<f64>, history| {
            Ok(Outcome {
                x,
                value,
                grad_norm,
                stop,
                history,
            })
        };
        if !(value.is_finite() && grad_norm.is_finite()) {
            return Err(Error::non_finite(format!(
                "f or ∇f is not finite at iteration {} (f = {value})",
                history.len()
            )));
        }
        if grad_norm <= options.gradient_tol {
            return done(Stop::GradientSmall, x, history);
        }
        if history.len() == options.max_iter {
            return done(Stop::MaxIterations, x, history);
        }
        let Some((next, mut it)) = step(&x, value, &grad)? else {
            return done(Stop::NoProgress, x, history);
        };
        it.value = value;
        it.grad_norm = grad_norm;
        let small = it.step_norm <= options.step_tol * (1.0 + norm(&x));
        history.push(it);
        x = next;
        if small {
            let (value, grad) = checked_value_gradient(obj, &x, history.len())?;
            return Ok(Outcome {
                x,
                value,
                grad_norm: norm(&grad),
                stop: Stop::StepSmall,
                history,
            });
        }
    }
}

/// The objective's `(f, ∇f)` at iterate `k`, with `∇f` checked to have
/// `x`'s length: a short gradient would otherwise be silently truncated by
/// the vector arithmetic.
fn checked_value_gradient(
    obj: &impl Objective,
    x: &[f64],
    k: usize,
) -> Result<(f64, Vec<f64>), Error> {
    let saddle_dual::Gradient {
        value,
        gradient: grad,
    } = obj.value_gradient(x)?;
    if grad.len() != x.len() {
        return Err(Error::size(format!(
            "the objective's gradient has {} entries at iteration {k}, x has {}",
            grad.len(),
            x.len()
        )));
    }
    Ok((value, grad))
}

/// The objective's Hessian at `x`, checked: `n × n` for `n = x.len()` and
/// finite. A wrong size used to index out of bounds inside the solvers.
fn checked_hessian(obj: &impl Objective, x: &[f64]) -> Result<Hessian, Error> {
    let h = obj.hessian(x)?;
    let n = x.len();
    if h.n() != n {
        return Err(Error::size(format!(
            "the objective's Hessian is {}×{} but x has {n} entries",
            h.n(),
            h.n()
        )));
    }
    if let Some(k) = h.as_column_major().iter().position(|v| !v.is_finite()) {
        return Err(Error::non_finite(format!(
            "the objective's Hessian has entry ({}, {}) = {}: it must be finite",
            k % n,
            k / n,
            h.as_column_major()[k]
        )));
    }
    Ok(h)
}

/// The objective's `H v`, checked: `v`'s length and finite. A wrong length
/// used to be silently truncated by the CG updates.
fn checked_hvp(obj: &impl Objective, x: &[f64], v: &[f64]) -> Result<Vec<f64>, Error> {
    let hv = obj.hvp(x, v)?;
    if hv.len() != v.len() {
        return Err(Error::size(format!(
            "the objective's HVP returned {} entries, x has {}",
            hv.len(),
            v.len()
        )));
    }
    if let Some(i) = hv.iter().position(|a| !a.is_finite()) {
        return Err(Error::non_finite(format!(
            "the objective's HVP returned (Hv)[{i}] = {}: it must be finite",
            hv[i]
        )));
    }
    Ok(hv)
}

/// Backtracking (Armijo) line search along a descent direction `p`:
/// the largest `t ∈ {1, ½, ¼, …}` with `f(x + tp) ≤ f(x) + 10⁻⁴ t ∇fᵀp`.
fn line_search(
    obj: &impl Objective,
    x: &[f64],
    f: f64,
    g: &[f64],
    p: &[f64],
) -> Result<Option<(Vec<f64>, f64)>, Error> {
    let slope = dot(g, p);
    if !(slope < 0.0) {
        return Ok(None);
    }
    let mut t = 1.0;
    for _ in 0..60 {
        let trial = axpy(x, t, p);
        if trial.iter().any(|v| !v.is_finite()) {
            // The step overflowed: too long, halve it (and do not hand the
            // objective a non-finite point, which it may rightly refuse).
            t *= 0.5;
            continue;
        }
        let ft = obj.value(&trial)?;
        if ft.is_finite() && ft <= f + 1e-4 * t * slope {
            return Ok(Some((trial, t)));
        }
        t *= 0.5;
    }
    Ok(None)
}

/// A line search along `p`, packaged as the next iterate (`hvps` spent).
fn searched_step(
    obj: &impl Objective,
    x: &[f64],
    f: f64,
    g: &[f64],
    p: &[f64],
    hvps: usize,
) -> Result<Option<(Vec<f64>, Iterate)>, Error> {
    Ok(line_search(obj, x, f, g, p)?.map(|(next, t)| {
        let it = Iterate {
            value: 0.0,
            grad_norm: 0.0,
            step_norm: t * norm(p),
            parameter: t,
            hvps,
        };
        (next, it)
    }))
}

/// Plain Newton: `x ← x + p` with `H p = −∇f` (an LU solve, so indefinite
/// `H` is fine). Converges quadratically to a nondegenerate critical point,
/// whatever its kind.
///
/// # Errors
/// On bad options or `x0`, if `f` fails, or if the objective returns a
/// gradient or Hessian of the wrong size or a non-finite Hessian (the error
/// names the sizes or the entry).
pub fn newton(obj: &impl Objective, x0: &[f64], options: &Options) -> Result<Outcome, Error> {
    iterate(obj, x0, options, |x, _, g| {
        let h = checked_hessian(obj, x)?;
        let minus_g: Vec<f64> = g.iter().map(|v| -v).collect();
        let Some(p) = lu_solve(x.len(), h.as_column_major(), &minus_g) else {
            return Ok(None);
        };
        let it = Iterate {
            value: 0.0,
            grad_norm: 0.0,
            step_norm: norm(&p),
            parameter: 1.0,
            hvps: 0,
        };
        Ok(Some((axpy(x, 1.0, &p), it)))
    })
}

/// Damped Newton with Levenberg–Marquardt damping: solve `(H + μI) p = −∇f`
/// by Cholesky; if `H + μI` is not positive definite or `f(x + p) ≥ f(x)`,
/// multiply `μ` by 4 and retry; after a success divide it by 3. Starts at
/// `μ = initial_damping`, and each iteration starts at `min(μ, ‖∇f‖)`, so
/// the damping vanishes as fast as the gradient and the final steps
/// converge quadratically.
///
/// # Errors
/// On bad options, a negative `initial_damping`, if `f` fails, or if the
/// objective returns a gradient or Hessian of the wrong size or a
/// non-finite Hessian.
pub fn damped_newton(
    obj: &impl Objective,
    x0: &[f64],
    options: &Options,
    initial_damping: f64,
) -> Result<Outcome, Error> {
    if !(initial_damping >= 0.0 && initial_damping.is_finite()) {
        return Err(Error::invalid(format!(
            "initial_damping must be finite and ≥ 0, got {initial_damping}"
        )));
    }
    let mut mu = initial_damping;
    iterate(obj, x0, options, |x, f, g| {
        let n = x.len();
        let h = checked_hessian(obj, x)?;
        let minus_g: Vec<f64> = g.iter().map(|v| -v).collect();
        let scale = (0..n)
            .fold(0.0_f64, |m, i| m.max(h.get(i, i).abs()))
            .max(1.0);
        // Never damp more than ‖∇f‖ to begin with: μ = O(‖∇f‖) keeps the
        // step within O(‖∇f‖²) of Newton's, so convergence stays quadratic.
        mu = mu.min(norm(g));
        for _ in 0..80 {
            let mut a = h.as_column_major().to_vec();
            for i in 0..n {
                a[i * n + i] += mu;
            }
            if let Some(p) = cholesky_solve(n, &a, &minus_g) {
                let trial = axpy(x, 1.0, &p);
                let ft = if trial.iter().all(|v| v.is_finite()) {
                    obj.value(&trial)?
                } else {
                    f64::NAN // an overflowing step: rejected, damp more
                };
                if ft.is_finite() && ft < f {
                    let it = Iterate {
                        value: 0.0,
                        grad_norm: 0.0,
                        step_norm: norm(&p),
                        parameter: mu,
                        hvps: 0,
                    };
                    mu /= 3.0;
                    return Ok(Some((trial, it)));
                }
            }
            mu = (mu * 4.0).max(1e-10 * scale);
        }
        Ok(None)
    })
}

/// Newton-CG (Hessian-free): truncated conjugate gradients on `H p = −∇f`,
/// to relative residual `min(½, √‖∇f‖)`, at most `cg_max` HVPs; on
/// negative curvature (`dᵀHd ≤ 0`) it stops and keeps the last descent
/// direction (steepest descent if it happens at once); then a backtracking
/// line search.
///
/// # Errors
/// On bad options, `cg_max = 0`, if `f` fails, or if the objective returns
/// a gradient or HVP of the wrong length or a non-finite HVP.
pub fn newton_cg(
    obj: &impl Objective,
    x0: &[f64],
    options: &Options,
    cg_max: usize,
) -> Result<Outcome, Error> {
    if cg_max == 0 {
        return Err(Error::invalid("newton_cg: cg_max must be at least 1"));
    }
    iterate(obj, x0, options, |x, f, g| {
        let gn = norm(g);
        let minus_g: Vec<f64> = g.iter().map(|v| -v).collect();
        // Relative residual min(½, √‖∇f‖): superlinear convergence near a
        // minimum (Nocedal & Wright, Theorem 7.2); 10⁻¹² ‖d‖² guards the
        // division by dᵀHd.
        let cg = CgOptions {
            max_iter: cg_max,
            tolerance: gn.sqrt().min(0.5),
            curvature_tol: 1e-12,
        };
        let sol = cg_recurrence(&minus_g, &cg, |d, _| checked_hvp(obj, x, d))?;
        let p = truncated_direction(sol.x, sol.stop, sol.iterations);
        searched_step(obj, x, f, g, &p, sol.products)
    })
}

/// The step a truncated CG run gives: its last iterate, or its first
/// direction `d₀ = −∇f` (steepest descent) when that already had
/// non-positive curvature and no iterate was taken.
fn truncated_direction(x: Vec<f64>, stop: CgStop, iterations: usize) -> Vec<f64> {
    match stop {
        CgStop::NegativeCurvature { direction, .. } if iterations == 0 => direction,
        _ => x,
    }
}

/// A Newton-type step with a caller's curvature operator.
#[derive(Clone, Debug, PartialEq)]
pub struct DampedStep {
    /// The step `p ≈ −(C + λI)⁻¹ g` (see [`damped_step`]).
    pub step: Vec<f64>,
    /// The CG solve behind it.
    pub cg: CgSolution,
}

/// The damped Newton-type step `p = −(C + λI)⁻¹ g` for any curvature
/// operator `C` (the Gauss-Newton matrix or empirical Fisher of a network,
/// a Hessian, …), the gradient `g` and the damping `λ = damping ≥ 0`,
/// solved by [`conjugate_gradient`](crate::conjugate_gradient) on
/// `(C + λI) p = −g`. With `C = JᵀJ` (least squares) this is the
/// Gauss-Newton / Levenberg–Marquardt step.
///
/// For positive semi-definite `C` and `λ > 0` the system is positive
/// definite and CG converges to `options.tolerance`. Otherwise CG may stop
/// on non-positive curvature: the step is then its last iterate, or `−g`
/// (steepest descent) if that happened before the first update; either
/// is a descent direction (`gᵀp < 0`). `cg.stop` says which case it was.
///
/// The caller takes the step (`x ← x + p`, or with a line search) and
/// rebuilds `C` and `g` at the new point.
///
/// # Errors
/// If `gradient` is empty, not of length `curvature.dim()` or not finite,
/// `damping` is negative or not finite, the CG options are invalid, or the
/// operator fails or returns the wrong length or a non-finite entry.
pub fn damped_step<O>(
    curvature: &O,
    gradient: &[f64],
    damping: f64,
    options: &CgOptions,
) -> Result<DampedStep, Error>
where
    O: LinearOperator + ?Sized,
    O::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    if !(damping >= 0.0 && damping.is_finite()) {
        return Err(Error::invalid(format!(
            "damped_step: damping must be finite and ≥ 0, got {damping}"
        )));
    }
    check_vector("gradient", gradient, curvature.dim())?;
    let minus_g: Vec<f64> = gradient.iter().map(|v| -v).collect();
    let cg = solve_checked(curvature, &minus_g, damping, options)?;
    let step = truncated_direction(cg.x.clone(), cg.stop.clone(), cg.iterations);
    Ok(DampedStep { step, cg })
}

/// Saddle-free Newton: `p = −Q diag(1/max(|λᵢ|, δ)) Qᵀ ∇f` from the
/// eigendecomposition `H = QΛQᵀ` (`δ = damping` guards near-zero
/// curvature), then a backtracking line search. `p` is always a descent
/// direction, and along negative-curvature directions it moves *away* from
/// the critical point.
///
/// # Errors
/// On bad options, `damping ≤ 0`, if `f` or the eigendecomposition fails,
/// or if the objective returns a gradient or Hessian of the wrong size.
pub fn saddle_free_newton(
    obj: &impl Objective,
    x0: &[f64],
    options: &Options,
    damping: f64,
) -> Result<Outcome, Error> {
    if !(damping > 0.0 && damping.is_finite()) {
        return Err(Error::invalid(format!(
            "saddle_free_newton: damping must be positive and finite, got {damping}"
        )));
    }
    iterate(obj, x0, options, |x, f, g| {
        let e = Eigen::of(&checked_hessian(obj, x)?)?;
        let n = x.len();
        let mut p = vec![0.0; n];
        for i in 0..n {
            let v = e.vector(i);
            let c = -dot(v, g) / e.values()[i].abs().max(damping);
            p.iter_mut().zip(v).for_each(|(a, b)| *a += c * b);
        }
        searched_step(obj, x, f, g, &p, 0)
    })
}
