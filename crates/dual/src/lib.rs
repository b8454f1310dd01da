//! # saddle-dual: forward mode, and second derivatives by forward-over-reverse
//!
//! **The key design decision:** second derivatives need no second-order
//! code. [`Dual<T, K>`] is a number with `K` tangents, and it implements
//! `saddle_tape::Scalar`. Record a function on a `Tape<Dual<f64>>` with its
//! inputs seeded `x + ε v`: every value and every stored local partial then
//! carries a tangent, and the ordinary first-order reverse sweep, done in
//! dual arithmetic, returns adjoints `∇f(x) + ε ∇²f(x) v`. That is
//! *forward-over-reverse* in JAX's sense — `jvp(grad f)`, forward mode
//! applied to the whole reverse-mode gradient computation. (Stan's
//! `fvar<var>` nests the other way, reverse-over-forward.)
//!
//! A full Hessian is `n` such products, one per column `H eⱼ`; with `K`
//! lanes each recording yields `K` columns, block operations turn the
//! per-column matrix-vector work into matrix-matrix work (the gemm hook on
//! duals is three calls of the real kernel, with the `K` lanes stacked into
//! one tall and one wide matrix), and recordings spread across
//! threads. When the Hessian is sparse, [`sparse_hessian`] reads its pattern
//! off the tape and colours the columns, so a tridiagonal Hessian costs one
//! sweep at any size.
//!
//! Because `Dual<T, K>` is a `Scalar` for any `Scalar` `T`, duals nest:
//! a tape of `Dual<Dual<f64>>` gives third-order directional derivatives.
//!
//! ## One function, every driver
//!
//! ```
//! use saddle_dual::{gradient, hessian, hvp, jvp};
//! use saddle_tape::prelude::*;
//!
//! fn f<S: Real>(x: &[S]) -> S {
//!     (x[0] * x[1]).sin() + x[0].powi(3)
//! }
//!
//! let x = [0.5, 2.0];
//! let plain = f(&x);                                // f64, no AD
//! let g = gradient(|x| f(x), &x)?;                  // reverse mode
//! let d = jvp(|x| f(x), &x, &[1.0, 0.0])?;          // forward mode
//! let r = hvp(|x| f(x), &x, &[1.0, 0.0])?;          // forward-over-reverse
//! let h = hessian(|x| f(x), &x)?;                   // 8 columns per sweep
//! assert_eq!(r.value, plain);
//! assert_eq!(d.derivative, g.gradient[0]);
//! assert_eq!(r.hv, h.column(0));
//! # Ok::<(), saddle_dual::Error>(())
//! ```
//!
//! Every driver returns a named type: [`Gradient`] (`value`, `gradient`),
//! [`Jvp`] (`value`, `derivative`), [`Hvp`] (`value`, `gradient`, `hv`),
//! [`Hessian`] (dense, square), [`SparseHessian`] (compressed columns;
//! [`SparseHessian::to_dense`] gives the [`Hessian`]) and [`ColumnMatrix`]
//! (`H V` from [`hessian_matrix_product`]).
//!
//! ## Mistakes caught
//!
//! Drivers return [`Error`] for empty inputs, length mismatches and
//! non-finite inputs (a NaN or ±∞ in `x`, `v` or a direction is refused up
//! front, never propagated into the result), for `K = 0` lanes and for a
//! result too large to allocate. [`HessianOptions::threads`] accepts any
//! count and clamps it to the pool (documented there). Non-finite
//! *results* are not errors: where `f` itself is singular (`√x` at 0) its
//! derivatives are ±∞ or NaN and are returned as such, and
//! [`Hessian::asymmetry`] then reports `+∞`, so a symmetry check fails
//! rather than passing on NaN.
//!
//! The only panics by design are out-of-range indices into a [`Hessian`]
//! ([`Hessian::get`], [`Hessian::column`]; [`Hessian::try_get`] and
//! [`Hessian::try_column`] are the checked forms) and panics raised by the
//! user's own closure.
//!
//! A closure that does not fit a driver's number type is a compile error,
//! not a wrong answer:
//!
//! ```compile_fail
//! use saddle_dual::hvp;
//! use saddle_tape::Var;
//! // A function written only for f64 tapes cannot give second derivatives.
//! fn f<'t>(x: &[Var<'t, f64>]) -> Var<'t, f64> { x[0] * x[0] }
//! let _ = hvp(|x| f(x), &[1.0], &[1.0]);
//! ```
#![deny(missing_docs)]

mod drivers;
mod dual;
mod error;
mod float;
mod operator;
mod ops;

pub use drivers::{
    cheap_hessian_pattern, gradient, hessian, hessian_matrix_product, hessian_matrix_product_with,
    hessian_with, hessian_with_progress, hvp, jvp, mirror_upper, run_sweeps, sparse_hessian,
    ColumnMatrix, Gradient, Hessian, HessianColoring, HessianOptions, Hvp, Jvp, SparseHessian,
    LANES,
};
pub use dual::Dual;
pub use error::Error;
pub use operator::{FnOperator, LinearOperator};
