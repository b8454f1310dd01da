//! # saddle: second-order automatic differentiation
//!
//! saddle computes exact gradients, Hessian-vector products and Hessians
//! of functions you write once, generically over [`Real`]. This facade
//! re-exports the workspace's crates:
//!
//! - [`tape`] (`saddle-tape`): reverse mode on a tape generic over its
//!   numbers, with block (matrix) operations;
//! - [`dual`] (`saddle-dual`): dual numbers, and Hessian-vector products and
//!   Hessians by forward-over-reverse;
//! - [`nn`] (`saddle-nn`): MLP layers and the MSE loss as block operations,
//!   gradient descent, Hessians of the loss;
//! - [`curvature`] (`saddle-curvature`): symmetry, quadratic forms,
//!   eigendecomposition, critical-point classification, matrix-free spectra,
//!   Newton-type optimizers;
//! - [`check`] (`saddle-check`): finite-difference checks and proptest
//!   strategies;
//!
//! and holds the [`workloads`] of the benchmarks (so tests, benches and
//! examples share one definition) and the [`objectives`] glue that lets
//! curvature analyse a network's loss, and [`sharpness`]: gradient descent
//! that tracks the largest Hessian eigenvalue during training.
//!
//! ```
//! use saddle::prelude::*;
//!
//! fn f<S: Real>(x: &[S]) -> S {
//!     x[0].powi(2) * x[1] + x[1].exp()
//! }
//!
//! let tape = Tape::new();
//! let x = tape.vars(&[1.0, 0.0]);
//! let g = f(&x).backward();
//! assert_eq!(g.wrt_all(&x), vec![0.0, 2.0]); // (2 x₀ x₁, x₀² + e^{x₁})
//! ```
#![deny(missing_docs)]

pub use saddle_check as check;
pub use saddle_curvature as curvature;
pub use saddle_dual as dual;
pub use saddle_nn as nn;
pub use saddle_tape as tape;
pub use saddle_tape::Real;

#[cfg(any(feature = "faer", feature = "nalgebra", feature = "ndarray"))]
pub mod interop;
pub mod io;
pub mod objectives;
#[cfg(doctest)]
mod readme_doctests;
pub mod sharpness;
pub mod workloads;

/// The names most programs need: `use saddle::prelude::*;`.
pub mod prelude {
    pub use saddle_tape::prelude::*;
}
