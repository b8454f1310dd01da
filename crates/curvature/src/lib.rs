//! # saddle-curvature: what the Hessian says
//!
//! **The key design decision:** this crate knows Hessians and linear
//! operators, never networks or tapes. Dense analysis takes a
//! [`saddle_dual::Hessian`]; matrix-free methods take any
//! [`saddle_dual::LinearOperator`] `v ↦ A v` (a closure through
//! [`saddle_dual::FnOperator`], or saddle-nn's loss Hessian, Gauss-Newton
//! and empirical Fisher operators over a dataset); optimizers take an
//! [`Objective`], or a gradient and a curvature operator ([`damped_step`]).
//! So the same code classifies the minimum of Rosenbrock's function and the
//! end point of a network's training.
//!
//! It makes sections 6–9 of docs/theory.md computable:
//!
//! | theory | here |
//! |---|---|
//! | §6 symmetry `Hᵢⱼ = Hⱼᵢ` | [`saddle_dual::Hessian::asymmetry`] |
//! | §7 quadratic form `xᵀHx` | [`quadratic_form`], [`Eigen::quadratic_form`] |
//! | §8 real eigenvalues, orthonormal eigenvectors | [`Eigen`], [`Eigen::orthonormality_error`] |
//! | §8 `xᵀHx = Σ λᵢ (vᵢᵀx)²` | [`Eigen::contributions`] |
//! | minimum / maximum / saddle — and degenerate | [`classify`] |
//! | the Gauss-Newton split `H = G + R` | [`gauss_newton_split`] |
//!
//! and adds what large models need: [`lanczos`] and [`extreme_eigenpairs`],
//! [`hutchinson_trace`], [`spectral_density`] (stochastic Lanczos
//! quadrature), [`conjugate_gradient`] solves, and optimizers that use
//! curvature: [`newton`], [`damped_newton`], [`newton_cg`],
//! [`saddle_free_newton`], and [`damped_step`] for any curvature operator.
//!
//! ```
//! use saddle_curvature::{
//!     classify, CriticalPoint, Eigen, Function, Objective, Smooth, Tolerances, GRADIENT_TOL,
//! };
//! use saddle_tape::Real;
//!
//! /// The monkey saddle x³ − 3xy²: zero Hessian at the origin.
//! struct Monkey;
//! impl Function for Monkey {
//!     fn eval<S: Real>(&self, p: &[S]) -> S { p[0].powi(3) - p[0] * p[1] * p[1] * 3.0 }
//! }
//! let f = Smooth(Monkey);
//! let origin = [0.0, 0.0];
//! let g = f.value_gradient(&origin)?.gradient;
//! let e = Eigen::of(&f.hessian(&origin)?)?;
//! let verdict = classify(&g, &e, &Tolerances::default(), GRADIENT_TOL)?;
//! assert_eq!(verdict.kind, CriticalPoint::Degenerate); // the second-order test cannot tell
//! # Ok::<(), saddle_curvature::Error>(())
//! ```
//!
//! ## Bad input and the machine state
//!
//! Every public function returns [`Error`] for empty, mismatched or
//! non-finite input, invalid [`Tolerances`] or settings, results that
//! overflow `f64`, and user callbacks (operators, [`Objective`]s) that
//! return the wrong length, a Hessian of the wrong size, or NaN/±∞; the
//! message names the step, probe or entry. The only panics by design are
//! [`Eigen::vector`] out of range ([`Eigen::try_vector`] is the checked
//! form) and panics raised by user code.
//!
//! faer's AVX-512 kernels can leave the upper halves of the vector
//! registers dirty, which makes the caller's legacy-SSE scalar code pay a
//! false dependency on every instruction (measured on a Sapphire Rapids
//! Xeon: plain `f64` math 7× to 60× slower after [`Eigen::of`]). Every call
//! into faer, and into this crate's own AVX2 kernels (the eigenvalues-only
//! reduction), therefore ends with `vzeroupper` on x86-64 CPUs with AVX.
#![deny(missing_docs)]
// `!(a > b)` is meant: it rejects NaN, which `a <= b` would let through.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

mod avx;
mod cg;
mod classify;
mod eigenvalues;
mod error;
mod krylov;
mod linalg;
mod objective;
mod optim;
mod spectrum;
mod split;
mod sterf;
#[cfg(target_arch = "x86_64")]
mod symv;
#[cfg(target_arch = "x86_64")]
mod tridiag;

pub use cg::{conjugate_gradient, CgOptions, CgSolution, CgStop};
pub use classify::{
    classify, classify_values, definiteness, inertia, inertia_of_values, Classification,
    CriticalPoint, Definiteness, Inertia, Tolerances, GRADIENT_TOL,
};
pub use eigenvalues::{eigenvalues, eigenvalues_of_symmetric, eigenvalues_with, EigenOptions};
pub use error::Error;
pub use krylov::{
    extreme_eigenpairs, hutchinson_trace, lanczos, spectral_density, DensityOptions, ExtremeEigen,
    Ritz, SpectralDensity, TraceEstimate, PROBE_BLOCK,
};
pub use objective::{Function, Objective, Smooth};
pub use optim::{
    damped_newton, damped_step, newton, newton_cg, saddle_free_newton, DampedStep, Iterate,
    Options, Outcome, Stop,
};
pub use spectrum::{quadratic_form, Eigen};
pub use split::{gauss_newton_split, GaussNewtonSplit, NegativeCurvature};
