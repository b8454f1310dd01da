//! # saddle-tape: reverse-mode AD on a tape generic over its numbers
//!
//! **The key design decision:** the tape is generic over its scalar type
//! `T: Scalar`. On `Tape<f64>` the reverse sweep computes gradients. On a
//! tape of dual numbers (`saddle-dual`) the *same* sweep, done in dual
//! arithmetic, also computes Hessian-vector products — forward-over-reverse,
//! `jvp(grad f)` in JAX's words — without a line of second-order code.
//! Everything here is therefore written once, generically in `T`.
//!
//! ## How it works, for a student
//!
//! Recording: every operation on a [`Var`] appends a node to the tape: its
//! value, the slots of its (at most two) parents, and the *local partials*
//! `∂node/∂parent`, computed right away by the operation's rule in
//! [`rules`] (`tanh` stores `1 − tanh² x`). Parents are always recorded
//! before children, so recording order is a topological order.
//!
//! The reverse sweep ([`Var::backward`]): set the output's adjoint to 1 and
//! all others to 0, then walk the tape *backwards once*; at each node with
//! adjoint `ā`, add `ā · ∂node/∂parent` to each parent's adjoint. When the
//! loop reaches a leaf, its adjoint is final: `∂output/∂leaf`. The loop is
//! iterative, so depth is bounded only by memory, never by the stack. The
//! adjoints come back as a [`Gradients`] value, separate from the tape, so
//! a tape can be swept many times.
//!
//! Block operations ([`Block`]): a matrix product or an activation over a
//! whole batch is one tape entry over a contiguous range of slots, with its
//! own vector-Jacobian product (`Ā += C̄·Bᵀ`, `B̄ += Aᵀ·C̄` for `C = A·B`,
//! run on a tuned gemm kernel). You can add your own with [`BlockOp`].
//!
//! ## Memory
//!
//! A scalar binary node on `Tape<f64>` costs **24 bytes**
//! ([`Tape::NODE_BYTES`]): two `u32` parent slots and two `f64` partials.
//! Scalar values are not stored on the tape: the `Var` handles carry them,
//! and the sweep needs only the partials (block operations keep their
//! values, which their VJPs read). Ten million nodes take 240 MB, plus 80 MB
//! of adjoints during a sweep. [`Tape::clear`] keeps the allocation for the
//! next recording, and a dropped [`Gradients`] leaves its adjoint vector to
//! the next sweep on its thread through the thread's buffer [`pool`] (at
//! most 16 buffers and 1 GiB, counted in [`Tape::cached_memory`];
//! [`Tape::release_cached_memory`] frees them).
//!
//! ## One function, every number type
//!
//! `Var` implements `num_traits::Float` (constants such as `Zero::zero()`
//! live on no tape), and [`Real`] adds arithmetic with `f64` constants. A
//! function written once for `S: Real` runs on `f64`, on `Var`, and on the
//! dual numbers of `saddle-dual`:
//!
//! ```
//! use saddle_tape::{Real, Tape};
//!
//! fn f<S: Real>(x: &[S]) -> S {
//!     (x[0] * x[1]).sin() + x[0].powi(2) * 0.5
//! }
//!
//! let plain = f(&[1.0, 2.0]);                 // no AD
//! let tape = Tape::new();
//! let x = tape.vars(&[1.0, 2.0]);
//! let y = f(&x);                              // recorded
//! let g = y.backward();
//! assert_eq!(y.value(), plain);
//! assert!((g.wrt(x[0]) - (2.0 * 2f64.cos() + 1.0)).abs() < 1e-15); // y cos(xy) + x
//! assert!((g.wrt(x[1]) - 2f64.cos()).abs() < 1e-15);               // x cos(xy)
//! ```
//!
//! ## Mistakes caught
//!
//! Combining `Var`s or `Block`s of two tapes panics with a message saying
//! so, and so does asking a [`Gradients`] about a `Var` of another
//! recording (another tape, or the same tape after [`Tape::clear`]: each
//! recording has its own identity; [`Gradients::try_wrt`] is the checked
//! form). Shape errors in block operations return [`Error`], with
//! `rows · cols` computed in checked arithmetic; so do matrix views whose
//! strides reach outside their storage ([`try_check_gemm_shapes`]). A
//! recording holds at most [`Tape::MAX_SLOTS`] slots; past that, recording
//! panics. A `Var` cannot
//! outlive its tape, and [`Tape::clear`] needs `&mut`, so no `Var` of a
//! cleared recording can be used:
//!
//! ```compile_fail
//! use saddle_tape::Tape;
//! let mut tape = Tape::<f64>::new();
//! let x = tape.var(1.0);
//! tape.clear();
//! let y = x * 2.0; // x borrowed the tape that was cleared
//! ```
#![deny(missing_docs)]

mod block;
mod cache;
mod error;
mod gradients;
pub mod pool;
mod reach;
mod recording;
pub mod rules;
mod scalar;
mod sparsity;
mod tape;
mod var;
mod var_float;
mod var_ops;

pub use block::{Block, BlockOp, BlockWriter, Cotangents, EntryDependence, Slots};
pub use error::Error;
pub use gradients::Gradients;
pub use scalar::{
    check_gemm_shapes, check_mixed_gemm_shapes, try_check_gemm_shapes, try_check_mixed_gemm_shapes,
    view_extent, MatMut, MatRef, Real, Scalar,
};
pub use sparsity::HessianPattern;
pub use tape::{Entry, SweepStep, Tape};
pub use var::Var;

pub use num_traits;

/// Everything a user function needs in scope: `use saddle_tape::prelude::*;`.
pub mod prelude {
    pub use crate::{Block, Real, Scalar, Tape, Var};
    pub use num_traits::{Float, One, Zero};
}
