//! Drivers: the user's function in, derivatives out.
//!
//! Each driver takes a closure whose argument type its bound fixes
//! (`&[Var<f64>]` for [`gradient`], `&[Dual<f64>]` for [`jvp`],
//! `&[Var<Dual<f64>>]` for [`hvp`], ...). Write the function once,
//! generically over `S: Real`, and hand each driver `|x| f(x)`.

mod column_matrix;
mod compressed;
mod first_order;
mod hessian;
mod hvp;
mod sparse;
mod sweep;

pub use column_matrix::ColumnMatrix;
pub use compressed::cheap_hessian_pattern;
pub use first_order::{gradient, jvp, Gradient, Jvp};
pub use hessian::{
    hessian, hessian_matrix_product, hessian_matrix_product_with, hessian_with,
    hessian_with_progress, Hessian, HessianOptions,
};
pub use hvp::{hvp, Hvp};
pub use sparse::{sparse_hessian, HessianColoring, SparseHessian};
pub use sweep::{mirror_upper, run_sweeps};

/// Lanes (tangents per dual number) the Hessian drivers use by default:
/// eight columns per recording.
pub const LANES: usize = 8;
