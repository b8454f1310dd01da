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
//! - `nn` (`saddle-nn`, feature `nn`, on by default): MLP layers and the
//!   losses as block operations, gradient descent, Hessians of the loss;
//! - `curvature` (`saddle-curvature`, feature `curvature`, on by default):
//!   symmetry, quadratic forms, eigendecomposition, critical-point
//!   classification, matrix-free spectra, Newton-type optimizers;
//! - `check` (`saddle-check`, feature `check`, off by default):
//!   finite-difference checks and proptest strategies. It pulls in
//!   proptest, so test suites should rather take `saddle-check` as a
//!   dev-dependency;
//!
//! and holds the `workloads` of the benchmarks (so tests, benches and
//! examples share one definition), the `objectives` glue that lets
//! curvature analyse a network's loss, and `sharpness`: gradient descent
//! that tracks the largest Hessian eigenvalue during training (all three
//! need the features `nn` and `curvature`, `workloads` only `nn`).
//!
//! Every crate's error converts into one [`Error`], so `?` works across
//! crates in a function returning `Result<_, saddle::Error>`.
//!
//! ## Features
//!
//! | feature | default | adds | pulls in |
//! |---|---|---|---|
//! | (none) | | `tape`, `dual`, [`Error`] | num-traits, gemm, rayon, thiserror |
//! | `nn` | yes | `nn`, `workloads` | rand, rand_chacha, rand_distr, csv |
//! | `curvature` | yes | `curvature`; with `nn`: `objectives`, `sharpness` | faer, rand, rand_chacha |
//! | `check` | no | `check` | proptest |
//! | `serde` | yes | `Mlp::save`/`load` (JSON) | serde, serde_json |
//! | `faer`, `nalgebra`, `ndarray` | no | `interop`: conversions of `Hessian`, `Matrix`, `Dataset` | that crate |
//!
//! With `nn` and `curvature` (the defaults), [`io`] writes and reads
//! Hessians, vectors and spectra as NumPy `.npy` files.
//!
//! A program that needs only gradients, HVPs and Hessians depends on
//! `saddle = { version = "0.1", default-features = false }`.
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
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "check")]
#[cfg_attr(docsrs, doc(cfg(feature = "check")))]
pub use saddle_check as check;
#[cfg(feature = "curvature")]
#[cfg_attr(docsrs, doc(cfg(feature = "curvature")))]
pub use saddle_curvature as curvature;
pub use saddle_dual as dual;
#[cfg(feature = "nn")]
#[cfg_attr(docsrs, doc(cfg(feature = "nn")))]
pub use saddle_nn as nn;
pub use saddle_tape as tape;
pub use saddle_tape::Real;

mod error;
pub use error::{Error, Origin};

#[cfg(any(feature = "faer", feature = "nalgebra", feature = "ndarray"))]
#[cfg_attr(
    docsrs,
    doc(cfg(any(feature = "faer", feature = "nalgebra", feature = "ndarray")))
)]
pub mod interop;
#[cfg(all(feature = "nn", feature = "curvature"))]
#[cfg_attr(docsrs, doc(cfg(all(feature = "nn", feature = "curvature"))))]
pub mod io;
#[cfg(all(feature = "nn", feature = "curvature"))]
#[cfg_attr(docsrs, doc(cfg(all(feature = "nn", feature = "curvature"))))]
pub mod objectives;
// The README's blocks use every crate and `saddle_check` (a dev-dependency).
#[cfg(all(doctest, feature = "nn", feature = "curvature"))]
mod readme_doctests;
#[cfg(all(feature = "nn", feature = "curvature"))]
#[cfg_attr(docsrs, doc(cfg(all(feature = "nn", feature = "curvature"))))]
pub mod sharpness;
#[cfg(feature = "nn")]
#[cfg_attr(docsrs, doc(cfg(feature = "nn")))]
pub mod workloads;

/// The names most programs need: `use saddle::prelude::*;`.
pub mod prelude {
    pub use saddle_tape::prelude::*;
}
